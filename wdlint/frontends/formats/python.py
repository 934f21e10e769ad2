"""Python source, and the format of any file no other format claims (a script named on the
command line, standard input). A Python file is also read as an mmengine config."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from wdlint.frontends.formats.base import Format, Parsed, Sites
from wdlint.frontends.text import SourceError, check_size

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from wdlint.engine.fix import FileFixer
    from wdlint.frontends.python import PythonSource


class ParsedPython(Parsed):
    def __init__(self, source: PythonSource) -> None:
        self.source = source

    def sites(self, path: Path | None) -> Iterator[Sites]:
        from wdlint.analysis.extract import analyse_module
        from wdlint.analysis.project import Project

        # a file on disk follows the project's imports from its own directory; one walk of the
        # module serves its code and, read as an mmengine config, its config
        analysis = analyse_module(self.source, path, Project() if path is not None else None)
        yield Sites(analysis.sites, analysis.facts)
        # an mmengine config's optimizer is a dict, not a call: the fixes, which rewrite calls,
        # are not for it
        yield Sites(analysis.config_sites)

    def comments(self, rows: Collection[int]) -> Iterable[tuple[int, str]]:
        return python_comments(self.source, rows)


def python_comments(source: PythonSource, rows: Collection[int]) -> Iterable[tuple[int, str]]:
    """The comments of a module, read only when one of them may suppress a finding on `rows`:
    a `noqa` on one of those lines, or one that may exempt the whole file. Most files have
    none, and most that do (flake8's, on other lines: an mmdet config's `_base_`) are not
    tokenized: in pure Python that costs about one and a half times the file's parse."""
    lowered = source.text.lower()
    if "noqa" not in lowered:
        return ()
    if "wdlint" not in lowered:  # no file-wide `# wdlint: noqa`: only the rows' own lines
        lines = source.lines
        if not any(0 < row <= len(lines) and "noqa" in lines[row - 1].lower() for row in rows):
            return ()
    from wdlint.frontends.python import comments

    return comments(source.text)


class PythonFormat(Format):
    name = "Python"
    suffixes = (".py", ".pyi")

    def unreadable(self, data: bytes) -> SourceError | None:
        """A binary file, UTF-16 (whose "optim" is `o\\0p\\0...`) or an undecodable file may
        hide an optimizer from the prefilter, so each is reported. In transformers' 53 MB this
        costs 11 ms: the NUL scan and `isascii` run at memory speed, and only the 1,516 files
        with non-ASCII bytes are decoded."""
        if b"\0" in data:
            return SourceError(
                "not Python source: the file holds NUL bytes (a binary file, or UTF-16/32, which Python cannot read)"
            )
        if data.isascii():
            return None
        try:
            data.decode()  # the common case; a coding cookie or a BOM is checked only if this fails
            return None
        except UnicodeDecodeError:
            pass
        try:
            self.decode(data)
        except SourceError as error:
            return error
        return None

    def decode(self, data: bytes) -> str:
        """As Python decodes a file: a BOM or a coding cookie, else UTF-8."""
        from wdlint.frontends.python import decode_source

        return decode_source(data)

    def text_of_undecodable(self, data: bytes) -> str | None:
        return None  # its encoding is not known, so neither are its characters

    def parse(self, text: str, filename: str, max_size: int) -> ParsedPython:
        from wdlint.frontends.python import parse_python

        check_size(len(text), max_size)
        return ParsedPython(parse_python(text, filename))

    def fixer(self) -> FileFixer:
        from wdlint.engine.fix import fix_python_file

        return fix_python_file


PYTHON = PythonFormat()
