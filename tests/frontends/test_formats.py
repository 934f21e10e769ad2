"""The registry of file formats: one format per suffix, Python for any other name, and every
part of a run that depends on what a file is (lint, screening, fixes, cache) asks it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import wdlint
import wdlint.frontends.formats as registry
from wdlint.config import DEFAULT_INCLUDE
from wdlint.engine import runner
from wdlint.engine.cache import ResultCache
from wdlint.engine.jobs import FileJob, FileResult, FixRequest, LintOptions
from wdlint.engine.lint import lint_bytes
from wdlint.frontends.formats import FORMATS, PYTHON, default_includes, format_for
from wdlint.frontends.formats.deepspeed import DEEPSPEED_CONFIG
from wdlint.frontends.formats.notebook import NOTEBOOK
from wdlint.frontends.formats.python import PythonFormat
from wdlint.frontends.formats.yaml_config import YAML_CONFIG
from wdlint.frontends.text import SourceError

OPTIONS = LintOptions.from_selection()
MISTAKE = "import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n"


def test_every_suffix_names_one_format():
    suffixes = [suffix for form in FORMATS for suffix in form.suffixes]
    assert len(suffixes) == len(set(suffixes))
    for form in FORMATS:
        for suffix in form.suffixes:
            assert suffix == suffix.lower() and suffix.startswith(".")
            assert format_for(f"dir/file{suffix}") is form
            assert format_for(Path(f"FILE{suffix.upper()}")) is form


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("train.py", PYTHON),
        ("stubs.pyi", PYTHON),
        ("demo.ipynb", NOTEBOOK),
        ("conf/optim.yaml", YAML_CONFIG),
        ("conf/optim.YML", YAML_CONFIG),
        ("ds_config.json", DEEPSPEED_CONFIG),
        ("notes.ipynb/train", PYTHON),  # the suffix of the file, not of a directory
    ],
)
def test_the_formats_of_the_usual_files(name: str, expected: object):
    assert format_for(name) is expected


@pytest.mark.parametrize(
    "name", ["-", "", "bin/train", "run.sh", "train.py.orig", "setup.cfg", "Makefile", "..ipynb", "dir/.json"]
)
def test_python_is_the_format_of_any_other_name(name: str):
    assert format_for(name) is PYTHON


def test_the_default_includes_are_the_registered_suffixes():
    assert default_includes() == DEFAULT_INCLUDE
    assert {f"*{suffix}" for form in FORMATS for suffix in form.suffixes} == set(DEFAULT_INCLUDE)


class ToyFormat(PythonFormat):
    """Python behind a `TOY` header line, which the format reads as a comment; a `.toy` file
    without it is unreadable, and one that does not start with it is never parsed."""

    name = "toy"
    suffixes = (".toy",)

    def may_configure_optimizer(self, data: bytes) -> bool:
        return data.startswith(b"TOY\n")

    def unreadable(self, data: bytes) -> SourceError | None:
        return None if b"TOY" in data else SourceError("not a toy: no TOY header")

    def decode(self, data: bytes) -> str:
        return "#" + data.decode()

    def fixer(self) -> None:
        return None  # a toy is linted, never fixed


TOY = ToyFormat()


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> ToyFormat:
    monkeypatch.setattr(registry, "FORMATS", (*FORMATS, TOY))
    assert format_for("a.toy") is TOY and format_for("a.py") is PYTHON
    return TOY


def test_a_registered_format_is_what_lint_bytes_reads(toy: ToyFormat):
    data = f"TOY\n{MISTAKE}".encode()
    result = lint_bytes(data, "train.toy", OPTIONS)
    assert [d.code for d in result.diagnostics] == ["WD101", "WD201"]
    assert result.source == f"#TOY\n{MISTAKE}"  # its decode, not Python's
    assert lint_bytes(MISTAKE.encode(), "train.toy", OPTIONS).diagnostics == ()  # its prefilter
    assert [d.code for d in lint_bytes(MISTAKE.encode(), "train.py", OPTIONS).diagnostics] == ["WD101", "WD201"]


def test_a_registered_format_screens_its_files(toy: ToyFormat, tmp_path: Path):
    (tmp_path / "plain.toy").write_text("print('hello')\n")
    (tmp_path / "plain.py").write_text("print('hello')\n")
    (tmp_path / "train.toy").write_text(f"TOY\n{MISTAKE}")
    screened = runner._screen(FileJob(tmp_path / "plain.toy", "plain.toy"))
    assert isinstance(screened, FileResult)
    assert [d.message for d in screened.diagnostics] == ["not a toy: no TOY header"]
    plain = runner._screen(FileJob(tmp_path / "plain.py", "plain.py"))
    assert isinstance(plain, FileResult) and plain.diagnostics == ()
    assert isinstance(runner._screen(FileJob(tmp_path / "train.toy", "train.toy")), FileJob)


def test_a_format_without_a_fixer_is_linted_not_fixed(toy: ToyFormat, tmp_path: Path):
    for name, content in (("train.toy", f"TOY\n{MISTAKE}"), ("train.py", MISTAKE)):
        (tmp_path / name).write_text(content)
    request = FixRequest(unsafe=True, write=True)
    [toy_result, python_result] = runner.lint_jobs(
        [FileJob(tmp_path / "train.toy", "train.toy"), FileJob(tmp_path / "train.py", "train.py")], OPTIONS, 1, request
    )
    assert toy_result.fixed == () and {d.code for d in toy_result.diagnostics} == {"WD101", "WD201"}
    assert (tmp_path / "train.toy").read_text() == f"TOY\n{MISTAKE}"
    assert python_result.fixed and (tmp_path / "train.py").read_text() != MISTAKE


def test_the_cache_quotes_a_registered_format_as_it_decodes(toy: ToyFormat, tmp_path: Path):
    path = tmp_path / "train.toy"
    path.write_text(f"TOY\n{MISTAKE}")
    job = FileJob(path, "train.toy")
    [fresh] = runner.lint_cached([job], OPTIONS, 1, ResultCache(tmp_path / "cache", OPTIONS))
    [cached] = runner.lint_cached([job], OPTIONS, 1, ResultCache(tmp_path / "cache", OPTIONS))
    assert cached.diagnostics == fresh.diagnostics and cached.diagnostics
    assert cached.source == fresh.source == f"#TOY\n{MISTAKE}"


def test_the_registry_imports_no_parser_and_a_format_only_its_own():
    """Picking formats costs no parser; linting a DeepSpeed config loads neither YAML nor the
    notebook reader, and screening out a YAML file loads no YAML."""
    code = (
        "import sys\n"
        "from wdlint.frontends.formats import format_for\n"
        "heavy = ('yaml', 'libcst', 'wdlint.frontends.python', 'wdlint.frontends.notebook',\n"
        "         'wdlint.frontends.yamlcfg', 'wdlint.frontends.jsoncfg', 'wdlint.analysis.extract')\n"
        "loaded = lambda: sorted(m for m in sys.modules if m.startswith(heavy))\n"
        "print(loaded())\n"
        "assert not format_for('a.yaml').may_configure_optimizer(b'name: data\\n')\n"
        "print(loaded())\n"
        "from wdlint.engine.lint import lint_bytes\n"
        "from wdlint.engine.jobs import LintOptions\n"
        "data = b'{\"optimizer\": {\"type\": \"Adam\", \"params\": {\"weight_decay\": 0.01, \"adam_w_mode\": false}}}'\n"
        "print([d.code for d in lint_bytes(data, 'ds.json', LintOptions.from_selection()).diagnostics])\n"
        "print([m for m in loaded() if m.startswith(('yaml', 'wdlint.frontends.notebook', 'wdlint.frontends.yamlcfg'))])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(wdlint.__file__).parent.parent)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.splitlines() == ["[]", "[]", "['WD101']", "[]"]
