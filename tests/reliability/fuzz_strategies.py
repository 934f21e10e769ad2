"""What the fuzz tests feed wdlint and what every answer must satisfy.

Shared by `test_fuzz.py` (bounded, part of the suite) and `bench/fuzz.py` (the same properties
run for minutes). The inputs are real optimizer code (the bundled fixtures and every rule's
documented example) mutated the way editors and half-saved files mutate code: tokens deleted,
duplicated or swapped, files truncated, stray brackets, quotes, NULs and odd line breaks. The
properties: nothing raises; every position (diagnostic and fix edit) lies inside the file; WD001
exactly when the text does not parse (for bytes: when `python file.py` would not); and fixing
(with unsafe fixes) keeps the file parsing and compiling, reads no name bound nowhere, applies
every fix it offers, and a second pass changes nothing.

A position "inside the file" is a caret position: row 1..(line breaks + 1), column
1..len(row)+1, with lines broken only where Python (and ruff) break them: `\\r\\n`, `\\r`, `\\n`.
So the position just after a final line break (row = lines + 1, column 1) is the end of the
text, where ruff reports an unexpected end of file; anything further is outside.
"""

from __future__ import annotations

import ast
import builtins
import codecs
import dataclasses
import io
import json
import re
import tempfile
import tokenize
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from hypothesis import strategies as st

import wdlint
from wdlint.cli import cli
from wdlint.diagnostics import Diagnostic, Position, applicable
from wdlint.engine.fix import apply_fixes, fix_text
from wdlint.engine.lint import lint_bytes, lint_text
from wdlint.engine.prefilter import may_contain_optimizer
from wdlint.engine.runner import FileJob, FixRequest, LintOptions, fix_job
from wdlint.frontends.python import decode_source
from wdlint.frontends.text import SourceError
from wdlint.rules import all_rules

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
OPTIONS = LintOptions.from_selection(["ALL"])
CODES = frozenset(rule.code for rule in all_rules())
UNSAFE = FixRequest(unsafe=True, write=True)
_NEWLINE = re.compile(r"\r\n|\r|\n")

Operation = Callable[[st.DrawFn, str], str]


@dataclass(frozen=True)
class Snippet:
    name: str  # where it came from, for the falsifying example's report
    text: str
    filename: str  # what it is linted as


def _python_snippets() -> tuple[Snippet, ...]:
    found = [
        # the real path: an mmengine config's `_base_` files are found next to it
        Snippet(path.relative_to(REPO).as_posix(), path.read_text(encoding="utf-8"), str(path))
        for path in sorted(FIXTURES.rglob("*.py"))
    ]
    for rule in all_rules():
        found.append(Snippet(f"{rule.code} example", rule.example.strip() + "\n", "example.py"))
        found.append(Snippet(f"{rule.code} use instead", rule.use_instead.strip() + "\n", "example.py"))
    # shortest first: `sampled_from` shrinks towards the first element, so a failure shrinks to
    # the smallest snippet that shows it
    return tuple(sorted(found, key=lambda s: (len(s.text), s.name)))


def _files(*patterns: str) -> tuple[Snippet, ...]:
    paths = sorted({p for pattern in patterns for p in FIXTURES.rglob(pattern)})
    found = [Snippet(p.relative_to(REPO).as_posix(), p.read_text(encoding="utf-8"), p.name) for p in paths]
    return tuple(sorted(found, key=lambda s: (len(s.text), s.name)))


PYTHON_SNIPPETS = _python_snippets()
CONFIG_SNIPPETS = _files("*.yaml", "*.yml", "*.json")
NOTEBOOK_SNIPPETS = _files("*.ipynb")


# -- tokens and mutations ----------------------------------------------------------------------

_REGEX_TOKEN = re.compile(
    r"""[^\W\d]\w*|\d[\w.]*|\#[^\r\n]*|"(?:[^"\\\r\n]|\\.)*"?|'(?:[^'\\\r\n]|\\.)*'?|\r\n|[ \t]+|.""",
    re.DOTALL,
)


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the text's tokens: Python's own tokens while the text
    still tokenizes, a rough regex split once a mutation has broken it."""
    starts = [0]
    for line in io.StringIO(text).readlines():
        starts.append(starts[-1] + len(line))
    spans: list[tuple[int, int]] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for token in tokenize.generate_tokens(io.StringIO(text).readline):
                (srow, scol), (erow, ecol) = token.start, token.end
                if srow > len(starts) or erow > len(starts):
                    continue
                start, end = starts[srow - 1] + scol, starts[erow - 1] + ecol
                if start < end <= len(text):
                    spans.append((start, end))
    except (tokenize.TokenError, SyntaxError, ValueError, IndexError):
        spans = []
    return spans or [m.span() for m in _REGEX_TOKEN.finditer(text)]


def _token(draw: st.DrawFn, text: str) -> tuple[int, int] | None:
    spans = token_spans(text)
    return spans[draw(st.integers(0, len(spans) - 1))] if spans else None


def _offset(draw: st.DrawFn, text: str) -> int:
    return draw(st.integers(0, len(text)))


def delete_token(draw: st.DrawFn, text: str) -> str:
    span = _token(draw, text)
    return text if span is None else text[: span[0]] + text[span[1] :]


def duplicate_token(draw: st.DrawFn, text: str) -> str:
    span = _token(draw, text)
    return text if span is None else text[: span[1]] + text[span[0] : span[1]] + text[span[1] :]


def swap_tokens(draw: st.DrawFn, text: str) -> str:
    first, second = _token(draw, text), _token(draw, text)
    if first is None or second is None or first == second:
        return text
    (a, b), (c, d) = sorted([first, second])
    if c < b:  # overlapping spans (a regex token inside a Python one): nothing to swap
        return text
    return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]


def swap_same_kind(draw: st.DrawFn, text: str) -> str:
    """Two names, two numbers or two strings trade places: usually still valid Python, so the
    analysis (not the parser) meets the result."""
    spans = token_spans(text)
    kind = draw(st.sampled_from([r"[^\W\d]\w*", r"\d[\w.]*", r"[rbuf]*['\"].*"]))
    same = [(s, e) for s, e in spans if re.fullmatch(kind, text[s:e], re.DOTALL)]
    if len(same) < 2:
        return text
    i, j = sorted(draw(st.lists(st.integers(0, len(same) - 1), min_size=2, max_size=2, unique=True)))
    (a, b), (c, d) = same[i], same[j]
    return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]


# expressions and names that optimizer code is made of, or that the analysis must not trip on
EXPRESSIONS = (
    "0", "0.0", "1e-4", "-1", "1e999", "0x10", "None", "True", "wd", "args.wd", "cfg['wd']", "f()",
    "*a", "**k", "[]", "{}", "()", "'bias'", "b'x'", "f'{x}'", "x if c else y", "(yield)",
    "lambda: 0", "...", "model.parameters()", "model.named_parameters()", "torch.optim.Adam",
    "optim.AdamW", "AdamW", "SGD", "weight_decay", "params", "no_decay", "p.ndim", "n",
    "bnb.optim.Adam8bit", "functools.partial(torch.optim.Adam, weight_decay=0.1)",
    "getattr(torch.optim, name)", "[{'params': a}, {'params': b, 'weight_decay': 0.0}]",
    "(x := 1)", "not x", "await x", "__import__('torch')", "super().parameters()", "self",
)


def replace_token(draw: st.DrawFn, text: str) -> str:
    spans = [(s, e) for s, e in token_spans(text) if re.match(r"\w|['\"]", text[s:e])]
    if not spans:
        return text
    start, end = spans[draw(st.integers(0, len(spans) - 1))]
    return text[:start] + draw(st.sampled_from(EXPRESSIONS)) + text[end:]


def parenthesize_token(draw: st.DrawFn, text: str) -> str:
    """`x` -> `(x)`: the same program, but ast's spans leave the parentheses out."""
    spans = [(s, e) for s, e in token_spans(text) if re.match(r"\w|['\"]", text[s:e])]
    if not spans:
        return text
    start, end = spans[draw(st.integers(0, len(spans) - 1))]
    return text[:start] + "(" + text[start:end] + ")" + text[end:]


def truncate(draw: st.DrawFn, text: str) -> str:
    return text[: _offset(draw, text)]


NOISE = (
    "(", ")", "[", "]", "{", "}", "'", '"', '"""', "'''", "\\", "\\\n", "\x00", "\t", "\r", "\n", "\r\n",
    "\x0c", "\x0b", "\x85", "\ufeff", "\u2028", "\u00e9", "\U0001d518", "\u200b", "\ud800", "#", ":", ",",
    "=", "*", "**", "@", ";", ".", "->", ":=", "lambda", "async ", "yield ", "return ", "match ",
    " # noqa", "  # noqa: WD101", "# wdlint: noqa\n", "\n    ", "\n\t", "\"\"\"\n",
)


def insert_noise(draw: st.DrawFn, text: str) -> str:
    offset = _offset(draw, text)
    noise = draw(st.sampled_from(NOISE) | st.text(max_size=3))
    return text[:offset] + noise + text[offset:]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def delete_line(draw: st.DrawFn, text: str) -> str:
    lines = _lines(text)
    if not lines:
        return text
    del lines[draw(st.integers(0, len(lines) - 1))]
    return "".join(lines)


def duplicate_line(draw: st.DrawFn, text: str) -> str:
    lines = _lines(text)
    if not lines:
        return text
    i = draw(st.integers(0, len(lines) - 1))
    lines.insert(i, lines[i] if lines[i].endswith(("\n", "\r")) else lines[i] + "\n")
    return "".join(lines)


def swap_lines(draw: st.DrawFn, text: str) -> str:
    lines = _lines(text)
    if len(lines) < 2:
        return text
    i, j = draw(st.lists(st.integers(0, len(lines) - 1), min_size=2, max_size=2, unique=True))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines)


STATEMENTS = (
    "del torch", "torch = None", "from torch.optim import *", "import torch.optim as optim",
    "AdamW = torch.optim.Adam", "optim.Adam = None", "global model", "model = DDP(model)",
    "no_decay = []", "weight_decay = 0", "weight_decay = wd = 0.1", "def f(): return 0",
    "class Net(nn.Module): pass", "lr = args.lr", "opt.add_param_group({'params': p, 'weight_decay': 0})",
    "# noqa", "# wdlint: noqa", "if x:", "else:", "try:", "except:", "with x:", "for p in params:",
    "params = list(params)", "params += [{'params': p}]", "groups.append({'params': b})",
    "parser.add_argument('--wd', type=float, default=0.1)", "args = parser.parse_args()",
    "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)",
    "optimizer = torch.optim.AdamW(model.parameters())", "pass", "return", "@dataclass",
)


def insert_statement(draw: st.DrawFn, text: str) -> str:
    """A whole statement at a line boundary, indented as the line after it."""
    lines = _lines(text)
    i = draw(st.integers(0, len(lines)))
    following = lines[i] if i < len(lines) else ""
    indent = following[: len(following) - len(following.lstrip(" \t"))]
    if i and not lines[i - 1].endswith(("\n", "\r")):
        lines[i - 1] += "\n"
    lines.insert(i, indent + draw(st.sampled_from(STATEMENTS)) + "\n")
    return "".join(lines)


def join_lines(draw: st.DrawFn, text: str) -> str:
    breaks = [m.span() for m in _NEWLINE.finditer(text)]
    if not breaks:
        return text
    start, end = breaks[draw(st.integers(0, len(breaks) - 1))]
    return text[:start] + draw(st.sampled_from(["", " ", "; "])) + text[end:]


def line_endings(draw: st.DrawFn, text: str) -> str:
    return _NEWLINE.sub(draw(st.sampled_from(["\r\n", "\r", "\n"])), text)


def indent_line(draw: st.DrawFn, text: str) -> str:
    lines = _lines(text)
    if not lines:
        return text
    i = draw(st.integers(0, len(lines) - 1))
    lines[i] = draw(st.sampled_from(["    ", " ", "\t", "\x0c"])) + lines[i]
    return "".join(lines)


# mutations a half-saved or mistyped file shows: mostly not Python any more
SYNTAX_MUTATIONS: tuple[Operation, ...] = (
    delete_token, duplicate_token, swap_tokens, truncate, insert_noise, join_lines, indent_line, line_endings,
)
# mutations that mostly keep the program valid, so extraction, the rules and the fixes meet them
SEMANTIC_MUTATIONS: tuple[Operation, ...] = (
    replace_token, parenthesize_token, swap_same_kind, insert_statement, delete_line, duplicate_line, swap_lines,
)
ALL_MUTATIONS = SYNTAX_MUTATIONS + SEMANTIC_MUTATIONS


@st.composite
def mutated(
    draw: st.DrawFn, snippets: Sequence[Snippet], operations: Sequence[Operation], max_mutations: int = 3
) -> Snippet:
    snippet = draw(st.sampled_from(snippets))
    text = snippet.text
    for _ in range(draw(st.integers(1, max_mutations))):
        text = draw(st.sampled_from(operations))(draw, text)
    return dataclasses.replace(snippet, text=text)


def python_mutations(operations: Sequence[Operation] = ALL_MUTATIONS, max_mutations: int = 3) -> st.SearchStrategy[Snippet]:
    return mutated(PYTHON_SNIPPETS, operations, max_mutations)


# -- bytes: encodings, BOMs, cookies -----------------------------------------------------------

COOKIES = (
    "# -*- coding: latin-1 -*-\n", "# coding: utf-8\n", "# coding: cp1252\n", "# coding: utf-16\n",
    "# coding: bogus\n", "# vim: set fileencoding=ascii :\n", "#!/usr/bin/env python\n# coding=latin-1\n",
)
RAW_BYTES = (b"\xff", b"\xc3", b"\xe2\x82", b"\xef\xbb\xbf", b"\x00", b"\r", b"\x80\x80", b"\xed\xa0\x80")


@st.composite
def python_bytes(draw: st.DrawFn) -> tuple[bytes, str]:
    """(file content, filename): a mutated snippet encoded as a file on disk may be."""
    snippet = draw(python_mutations(max_mutations=2))
    text = snippet.text
    if draw(st.booleans()):
        text = draw(st.sampled_from(COOKIES)) + text
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        offset = draw(st.integers(0, len(data)))
        data = data[:offset] + draw(st.sampled_from(RAW_BYTES)) + data[offset:]
    return data, draw(st.sampled_from(["fuzz.py", "script", "FUZZ.PY", "train.pyw"]))


# -- configs and notebooks ---------------------------------------------------------------------

CONFIG_NOISE = (
    "&a ", "*a", "<<: *a\n", "!!python/object:os.system ", "!!str ", "\t", "- ", ": ", "? ", "|\n", ">\n",
    "%YAML 1.2\n", "---\n", "...\n", "\u2028", "\x85", "#", "'", '"', "{", "}", "[", "]", ",", "~", "0x1F",
    "1e-4", "-.inf", ".nan", "null", "yes", "2001-12-14", "NaN", "Infinity", "-0", "1e400", "9" * 5000,
    "\\u0000", "\\ud800", "true", "\ufeff", "\x00", "\r", "weight_decay", "type", "optimizer", "AdamW",
)


def insert_config_noise(draw: st.DrawFn, text: str) -> str:
    offset = _offset(draw, text)
    return text[:offset] + draw(st.sampled_from(CONFIG_NOISE)) + text[offset:]


CONFIG_MUTATIONS: tuple[Operation, ...] = (
    delete_token, duplicate_token, swap_tokens, swap_same_kind, truncate, insert_config_noise, insert_noise,
    delete_line, duplicate_line, swap_lines, indent_line, line_endings,
)

MAGICS = ("%matplotlib inline", "!pip install -q torch", "model?", "files = !ls", "%time x = 1", "%%time", "%%bash", "%%capture")


@st.composite
def notebooks(draw: st.DrawFn) -> bytes:
    """A notebook whose code cells are a mutated snippet cut into cells, with IPython syntax,
    markdown cells, both `source` shapes and both JSON layouts."""
    lines = _lines(draw(python_mutations(max_mutations=2)).text)
    cuts = sorted(draw(st.lists(st.integers(0, len(lines)), max_size=3)))
    pieces = [lines[a:b] for a, b in zip([0, *cuts], [*cuts, len(lines)])]
    cells: list[dict[str, Any]] = []
    for piece in pieces:
        if draw(st.booleans()):
            magic = draw(st.sampled_from(MAGICS))
            position = 0 if magic.startswith("%%") else draw(st.integers(0, len(piece)))
            piece = [*piece[:position], magic + "\n", *piece[position:]]
        source = "".join(piece)
        if draw(st.integers(0, 4)) == 0:
            cells.append({"cell_type": "markdown", "metadata": {}, "source": ["# notes\n", "optim.Adam"]})
        cells.append(
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": source if draw(st.booleans()) else source.splitlines(keepends=True),
            }
        )
    notebook = {"cells": cells, "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    indent = draw(st.sampled_from([None, 1, 2]))
    return encoded(json.dumps(notebook, indent=indent, ensure_ascii=draw(st.booleans())))


def config_mutations() -> st.SearchStrategy[Snippet]:
    return mutated(CONFIG_SNIPPETS, CONFIG_MUTATIONS)


def notebook_mutations() -> st.SearchStrategy[Snippet]:
    return mutated(NOTEBOOK_SNIPPETS, CONFIG_MUTATIONS)


def encoded(text: str) -> bytes:
    """UTF-8, with a mutation's lone surrogates as the invalid bytes they would be on disk."""
    return text.encode("utf-8", errors="surrogatepass")


# -- the properties ----------------------------------------------------------------------------


def python_parses(text: str | bytes) -> bool:
    """Our own parse check (not wdlint's), with the errors CPython's parser raises; bytes are
    decoded by CPython's own rules (BOM, coding cookie)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


_COOKIE = re.compile(rb"[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")
_UNDECIDED_COOKIE = re.compile(rb"[ \t\f]*#.*?coding[:=][ \t]*[-\w.]*[\x80-\xff]")


def python_accepts(data: bytes) -> bool | None:
    """Whether `python file.py` parses these bytes; None where CPython's readers disagree.

    `ast.parse(bytes)` (and `import`) skip invalid UTF-8 inside comments of a file that
    declares no encoding; running the file does not, and that stricter reading is the one a
    linter should share. A cookie must come after lines that are UTF-8 (`# M\\xfcller` then
    `# coding: utf-8` does not run). A cookie whose name runs into a non-ASCII byte
    (`coding: utf\\xff-8`) is read as `utf` by the file reader and refused by the bytes reader:
    undecided."""
    body = data.removeprefix(codecs.BOM_UTF8)
    lines = re.split(rb"\r\n|\r|\n", body)[:2]
    if any(_UNDECIDED_COOKIE.match(line) for line in lines):
        return None
    if not python_parses(data):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        # it parsed, so either a coding cookie was honoured or the bad bytes are in comments
        for index, line in enumerate(lines):
            if _COOKIE.match(line):
                return all(_is_utf8(before) for before in lines[:index])
        return False
    return True


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def python_compiles(text: str | bytes) -> bool:
    """Beyond parsing: the compiler's own checks (a repeated keyword argument, `return`
    outside a function), which `ast.parse` does not make."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def text_lines(text: str) -> list[str]:
    return _NEWLINE.split(text)


def assert_inside(position: Position, lines: Sequence[str], what: str) -> None:
    assert 1 <= position.row <= len(lines), f"{what}: row {position.row} outside rows 1..{len(lines)}"
    width = len(lines[position.row - 1])
    assert 1 <= position.column <= width + 1, f"{what}: column {position.column} outside 1..{width + 1} on row {position.row}"


def assert_span(start: Position, end: Position, lines: Sequence[str], what: str) -> None:
    assert_inside(start, lines, f"{what} start")
    assert_inside(end, lines, f"{what} end")
    assert start <= end, f"{what}: start {start} after end {end}"


def check_diagnostic(diagnostic: Diagnostic, lines: Sequence[str], filename: str) -> None:
    what = f"{diagnostic.code} {diagnostic.message!r}"
    assert diagnostic.code in CODES, what
    assert diagnostic.filename == filename, what
    assert "internal error" not in diagnostic.message, what
    assert_span(diagnostic.location, diagnostic.end_location, lines, what)
    if diagnostic.fix is not None:
        assert diagnostic.fix.edits, f"{what}: a fix without edits"
        for edit in diagnostic.fix.edits:
            assert_span(edit.location, edit.end_location, lines, f"{what} edit {edit.content!r}")


def _names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(names read, names bound anywhere) in a module, scopes ignored."""
    read: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
            bound.add(node.name or "")
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return read, bound


def unbound_new_names(original: str, fixed: str) -> set[str]:
    """Names the fixes made the code read that nothing binds: `opt = make(p)` rewritten to
    `opt = AdamW(p)` with no `AdamW` imported is a NameError the original did not have."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before, _ = _names(ast.parse(original))
        after, bound = _names(ast.parse(fixed))
    return after - before - bound - set(dir(builtins))


def check_fix(text: str, filename: str, diagnostics: Sequence[Diagnostic]) -> str:
    """Fix `text` as `wdlint - --fix --unsafe-fixes` does; returns the fixed text."""

    def lint(source: str) -> list[Diagnostic]:
        return lint_text(source, filename, OPTIONS)

    outcome = fix_text(text, lint, unsafe=True, first=diagnostics)
    if python_parses(text):
        assert python_parses(outcome.text), "the fixed text does not parse"
        if python_compiles(text):
            assert python_compiles(outcome.text), f"the fixed text does not compile:\n{outcome.text}"
        unbound = unbound_new_names(text, outcome.text)
        assert not unbound, f"the fixes read {sorted(unbound)}, bound nowhere:\n{outcome.text}"
    else:
        assert outcome.text == text, "a text that does not parse was changed"
    leftover = [d for d in outcome.remaining if applicable(d.fix, True)]
    if leftover:
        # fix_text quietly drops a pass whose result does not parse: say which it was
        attempt, applied = apply_fixes(outcome.text, leftover)
        codes = [d.code for d in applied]
        assert python_parses(attempt), f"the fixes of {codes} produce text that does not parse:\n{attempt}"
        # no pass limit reached, no edit ending before it starts: a fix offered is applied
        assert not leftover, f"fixes of {[d.code for d in leftover]} are offered but never applied ({codes} would apply)"
    lines = text_lines(outcome.text)
    for diagnostic in outcome.remaining:
        check_diagnostic(diagnostic, lines, filename)
    again = fix_text(outcome.text, lint, unsafe=True)
    assert again.text == outcome.text, "a second fix pass changed the text"
    return outcome.text


def check_python(text: str, filename: str = "fuzz.py", *, fix: bool = True) -> list[Diagnostic]:
    """No exception; positions inside; WD001 exactly when the text does not parse; the fixes
    keep it parsing, converge, and a second pass changes nothing."""
    diagnostics = wdlint.lint_source(text, filename, select=["ALL"])
    lines = text_lines(text)
    for diagnostic in diagnostics:
        check_diagnostic(diagnostic, lines, filename)
    errors = [d for d in diagnostics if d.code == "WD001"]
    if python_parses(text):
        # the one WD001 a parsed file may get: the analysis gave up on it as a whole
        assert not errors or diagnostics == errors, f"WD001 beside other findings: {errors[0].message}"
    else:
        assert len(errors) == 1 and diagnostics == errors, f"not one WD001 alone: {[d.code for d in diagnostics]}"
    if fix:
        check_fix(text, filename, diagnostics)
    return diagnostics


def check_python_bytes(data: bytes, filename: str) -> None:
    """The file path: WD001 exactly when CPython itself cannot decode and parse the bytes; the
    positions inside the text as decoded; fixed on disk into bytes CPython still parses."""
    result = lint_bytes(data, filename, OPTIONS)
    if not may_contain_optimizer(data):
        assert not result.diagnostics, "a file the prefilter skips has findings"
    else:
        errors = [d for d in result.diagnostics if d.code == "WD001"]
        # CPython's own BOM and coding-cookie rules are the oracle
        accepted = python_accepts(data)
        if accepted is not None:
            assert bool(errors) != accepted, f"CPython {'runs' if accepted else 'rejects'} the file, wdlint says {errors}"
    try:
        text = decode_source(data)
    except SourceError:
        text = None
    if text is not None:
        lines = text_lines(text)
        for diagnostic in result.diagnostics:
            check_diagnostic(diagnostic, lines, filename)
        if may_contain_optimizer(data):
            assert list(result.diagnostics) == lint_text(text, filename, OPTIONS), "bytes and text disagree"
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / filename
        path.write_bytes(data)
        fixed = fix_job(FileJob(path, filename), OPTIONS, UNSAFE)
        for diagnostic in fixed.diagnostics:
            assert "internal error" not in diagnostic.message, diagnostic.message
        after = path.read_bytes()
        if after != data:
            assert python_accepts(data) is not False, "a file CPython rejects was fixed"
            assert python_accepts(after) is not False, f"CPython rejects the fixed file: {after!r}"
            if python_compiles(data):
                assert python_compiles(after), f"CPython cannot compile the fixed file: {after!r}"
            assert fix_job(FileJob(path, filename), OPTIONS, UNSAFE).diff == "", "a second fix changed the file"


def check_config(data: bytes, filename: str) -> None:
    """YAML and JSON: no exception; positions inside the text as read (BOM dropped)."""
    result = lint_bytes(data, filename, OPTIONS)
    lines = text_lines(data.decode("utf-8-sig", errors="replace"))
    for diagnostic in result.diagnostics:
        assert diagnostic.fix is None, "config findings carry no fix"
        check_diagnostic(diagnostic, lines, filename)


def _cell_texts(data: bytes) -> dict[int, str] | None:
    """Each code cell's source by number over all cells (as ruff numbers them), read here
    independently of wdlint's notebook front-end; None when it is not a notebook."""
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return None
    texts: dict[int, str] = {}
    for number, cell in enumerate(cells, start=1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source")
            if isinstance(source, list) and all(isinstance(line, str) for line in source):
                texts[number] = "".join(source)
            else:
                # nbformat allows one string; anything else is a cell without text, reported at 1:1
                texts[number] = source if isinstance(source, str) else ""
    return texts


def _check_notebook_diagnostics(diagnostics: Iterable[Diagnostic], data: bytes, filename: str) -> None:
    cells = _cell_texts(data)
    whole = text_lines(data.decode("utf-8-sig", errors="replace"))
    for diagnostic in diagnostics:
        if diagnostic.cell is None:
            check_diagnostic(diagnostic, whole, filename)
        else:
            assert cells is not None and diagnostic.cell in cells, f"cell {diagnostic.cell} is no code cell"
            check_diagnostic(diagnostic, text_lines(cells[diagnostic.cell]), filename)


def check_notebook(data: bytes, filename: str = "fuzz.ipynb") -> None:
    """No exception; positions inside their cell; fixing on disk keeps the JSON a notebook,
    every cell that parsed parses, and a second fix changes nothing."""
    from wdlint.frontends.notebook import kernel_source  # the kernel's view of a cell

    _check_notebook_diagnostics(lint_bytes(data, filename, OPTIONS).diagnostics, data, filename)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / filename
        path.write_bytes(data)
        fixed = fix_job(FileJob(path, filename), OPTIONS, UNSAFE)
        after = path.read_bytes()
        _check_notebook_diagnostics(fixed.diagnostics, after, filename)
        if after == data:
            return
        before_cells, after_cells = _cell_texts(data), _cell_texts(after)
        assert before_cells is not None and after_cells is not None, "the fixed notebook is not a notebook"
        assert before_cells.keys() == after_cells.keys(), "fixing changed the notebook's cells"
        for number, source in before_cells.items():
            runs, runs_after = kernel_source(source), kernel_source(after_cells[number])
            if runs is not None and python_parses(runs):
                assert runs_after is not None and python_parses(runs_after), f"cell {number} no longer parses"
        leftover = [d for d in fixed.diagnostics if applicable(d.fix, True)]
        assert not leftover, f"fixes of {[d.code for d in leftover]} are offered but never applied"
        assert fix_job(FileJob(path, filename), OPTIONS, UNSAFE).diff == "", "a second fix changed the notebook"


def run_cli(data: bytes, filename: str, *options: str) -> Result:
    arguments = ["check", "-", "--isolated", "--no-cache", "--select", "ALL", "--output-format", "json"]
    result = CliRunner().invoke(cli, [*arguments, "--stdin-filename", filename, *options], input=data)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1), f"exit {result.exit_code}: {result.stderr}"
    return result


def check_cli_fix(data: bytes, filename: str) -> None:
    """`wdlint - --fix --unsafe-fixes`: the fixed text on stdout, the report on stderr; the
    report is what a plain check of the fixed text reports, and fixing again changes nothing."""
    fixed = run_cli(data, filename, "--fix", "--unsafe-fixes")
    output = fixed.stdout_bytes
    if filename.endswith(".py") and python_parses(data.decode("utf-8", errors="replace")):
        assert python_parses(output.decode("utf-8", errors="replace")), "stdout does not parse"
    checked = run_cli(output, filename)
    assert json.loads(fixed.stderr) == json.loads(checked.stdout), "--fix reports other findings than a check of its output"
    assert run_cli(output, filename, "--fix", "--unsafe-fixes").stdout_bytes == output, "fixing stdin twice changed it"


# -- generated code ----------------------------------------------------------------------------

PREFIX = "import torch\nfrom torch import optim\nimport bitsandbytes as bnb\n"


def programs() -> st.SearchStrategy[str]:
    """A generated valid program before or after real optimizer code, so the generated code may
    rebind `torch`, `optim` or the snippet's names before or after their use."""
    import hypothesmith  # imports libcst: only where generated programs are wanted

    def join(parts: tuple[str, Snippet, bool]) -> str:
        source, snippet, before = parts
        return snippet.text + source if before else PREFIX + source + "\n" + snippet.text

    return st.tuples(hypothesmith.from_grammar(), st.sampled_from(PYTHON_SNIPPETS), st.booleans()).map(join)


def texts() -> st.SearchStrategy[str]:
    return st.text(max_size=200).map(lambda text: PREFIX + text)


_CLASSES = (
    "torch.optim.Adam", "optim.AdamW", "torch.optim.SGD", "torch.optim.Adagrad", "bnb.optim.Adam8bit",
    "torch.optim.NAdam", "torch.optim.Muon", "torch.optim.LBFGS",
)
_VALUES = ("0", "0.0", "1e-4", "wd", "args.wd", "None", "-1", "'x'", "True", "[]", "f()", "(0.9)", "*b")
_PARAMS = (
    "m.parameters()", "[{'params': a}, {'params': b, 'weight_decay': 0.0}]", "groups", "*a", "**k",
    "[p for p in m.parameters() if p.ndim > 1]", "[]", "{}", "()", "[*g]", "filter(None, x)", "(groups)",
)
_KEYWORDS = ("weight_decay", "lr", "decoupled_weight_decay", "params", "betas", "momentum", "foreach")


@st.composite
def optimizer_calls(draw: st.DrawFn) -> str:
    """One constructor call on line 4, its arguments drawn from what real calls pass."""
    values = st.sampled_from(_VALUES)
    keywords = draw(st.lists(st.tuples(st.sampled_from(_KEYWORDS), values), max_size=4, unique_by=lambda kv: kv[0]))
    arguments = [draw(st.sampled_from(_PARAMS)), *draw(st.lists(values, max_size=6)), *(f"{k}={v}" for k, v in keywords)]
    return f"{PREFIX}opt = {draw(st.sampled_from(_CLASSES))}({', '.join(arguments)})\n"


# -- the properties by name, for the tests and bench/fuzz.py ----------------------------------


def check_program(text: str) -> None:
    check_python(text, "generated.py")


def check_optimizer_call(source: str) -> None:
    for diagnostic in check_python(source):
        assert diagnostic.location.row == 4 or diagnostic.code == "WD001", "a finding off the call's line"


def check_snippet(snippet: Snippet) -> None:
    check_python(snippet.text, snippet.filename)


def check_file(file: tuple[bytes, str]) -> None:
    check_python_bytes(*file)


def check_config_snippet(snippet: Snippet) -> None:
    check_config(encoded(snippet.text), snippet.filename)


def check_notebook_snippet(snippet: Snippet) -> None:
    check_notebook(encoded(snippet.text), snippet.filename)


def check_stdin_snippet(snippet: Snippet) -> None:
    check_cli_fix(encoded(snippet.text), snippet.filename)


@dataclass(frozen=True)
class Property:
    strategy: Callable[[], st.SearchStrategy[Any]]
    check: Callable[[Any], object]


def _unmutated_or_mutated_configs() -> st.SearchStrategy[Snippet]:
    return st.sampled_from(CONFIG_SNIPPETS + NOTEBOOK_SNIPPETS) | config_mutations() | notebook_mutations()


# test_fuzz.py has one `test_<name>` per entry (a test checks that), with its bounded budget
PROPERTIES: dict[str, Property] = {
    "any_valid_program": Property(programs, check_program),
    "any_text": Property(texts, check_python),
    "any_optimizer_call": Property(optimizer_calls, check_optimizer_call),
    "mutated_optimizer_code": Property(python_mutations, check_snippet),
    "edited_optimizer_code": Property(lambda: python_mutations(SEMANTIC_MUTATIONS, max_mutations=4), check_snippet),
    "python_files_as_bytes": Property(python_bytes, check_file),
    "mutated_configs": Property(config_mutations, check_config_snippet),
    "generated_notebooks": Property(notebooks, check_notebook),
    "mutated_notebook_json": Property(notebook_mutations, check_notebook_snippet),
    "fixing_stdin": Property(lambda: python_mutations(SEMANTIC_MUTATIONS), check_stdin_snippet),
    "fixing_stdin_of_other_formats": Property(_unmutated_or_mutated_configs, check_stdin_snippet),
}
