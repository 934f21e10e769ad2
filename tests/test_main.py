"""`wdlint.__main__`: a plain `wdlint check` command line parsed without click, to the very
parameters click would make, and what a single-file run imports (counted, not timed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wdlint
from wdlint import check as check_command
from wdlint.__main__ import _FLAGS, _MULTIPLE, _VALUES, check_arguments, parse_check
from wdlint.cli import check as click_check
from wdlint.cli import cli

REPO = Path(wdlint.__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


class _Reached(Exception):
    """The click application got as far as running `check`, with these parameters."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self.options = options


def _click_parse(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any] | None:
    """The parameters the click application hands `check` for `argv`, or None when it does
    not run `check` (help, version, another command, a usage error)."""

    def reached(**options: Any) -> None:
        raise _Reached(options)

    with monkeypatch.context() as patch:
        patch.setattr(check_command, "check", reached)
        try:
            cli.main(args=list(argv), prog_name="wdlint", standalone_mode=False)
        except _Reached as stop:
            return stop.options
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            return None
    return None


def _fast_parse(argv: list[str]) -> dict[str, Any] | None:
    arguments = check_arguments(argv)
    return None if arguments is None else parse_check(arguments)


def test_the_fast_parser_knows_exactly_check_s_options():
    """Every option of the click command is in the table, as the same kind and parameter: an
    option added to one and not the other fails here."""
    known: dict[str, tuple[str, str]] = {}
    for name, dest in _FLAGS.items():
        known[name] = ("flag", dest)
    for name, dest in _MULTIPLE.items():
        known[name] = ("multiple", dest)
    for name, (dest, _) in _VALUES.items():
        known[name] = ("value", dest)
    declared: dict[str, tuple[str, str]] = {}
    for param in click_check.params:
        if not isinstance(param, click.Option):
            assert param.name == "paths"
            continue
        kind = "flag" if param.is_flag else "multiple" if param.multiple else "value"
        assert param.name is not None
        for name in (*param.opts, *param.secondary_opts):
            declared[name] = (kind, param.name)
    assert known == declared


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FIXTURES / "cnn_sgd.py", tmp_path / "train.py")
    (tmp_path / "plain.py").write_text("print('hello')\n")
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


COMMON = [
    [],
    ["train.py"],
    ["check", "--force-exclude", "train.py", "plain.py"],
    ["check", "--force-exclude", "--fix", "train.py"],
    ["--isolated", "--no-cache", "-j", "2", "."],
    ["check", "--output-format", "json", "--select", "WD1,WD2", "--ignore=WD201", "train.py"],
    ["check", "-ofindings.txt", "--cache-dir", "cache", "-j4", "--", "-", "train.py"],
    ["check", "--statistics", "--exit-zero", "--target-torch-version", "2.7", "--config", "wdlint.toml", "./src"],
]


@pytest.mark.parametrize("argv", COMMON, ids=[" ".join(a) or "(nothing)" for a in COMMON])
def test_common_command_lines_take_the_fast_path_to_click_s_parameters(tree, monkeypatch, argv):
    fast = _fast_parse(argv)
    assert fast is not None
    assert fast == _click_parse(argv, monkeypatch)


@pytest.mark.parametrize(
    "argv",
    [
        ["src"],  # a word: a command's name, as far as this parser knows
        ["rule", "WD101"],
        ["--help"],
        ["check", "-h"],
        ["--version"],
        ["check", "--bogus"],
        ["check", "--fix=yes"],
        ["check", "--select"],
        ["check", "--output-format", "JSON"],
        ["check", "-j", "0"],
        ["check", "-j", "four"],
        ["check", "--output-file", "src"],  # a directory
        ["check", "--cache-dir", "plain.py"],  # a file
    ],
)
def test_what_the_fast_path_leaves_to_click(tree, argv):
    assert _fast_parse(argv) is None


TOKENS = st.sampled_from(
    [
        *_FLAGS, *_MULTIPLE, *_VALUES, "-h", "--help", "--version", "--bogus", "-x", "--fix=1", "--select=WD1",
        "--jobs=3", "-j4", "-jx", "-oout.txt", "-o=out.txt", "--output-format=concise", "--", "-", "",
        "WD1", "wd201", "ALL", "XYZ", "WD1,WD2", "json", "full", "JSON", "4", "0", "-1", " 2", "x", "2.7",
        "train.py", "plain.py", "missing.py", "src", "./src", "check", "rule", "clean", "audit",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(argv=st.lists(TOKENS, max_size=6))
def test_the_fast_path_never_disagrees_with_click(tree, monkeypatch, argv):
    """Where the fast parser answers, click runs `check` with the same parameters; where click
    refuses the command line, the fast parser leaves it to click."""
    fast = _fast_parse(argv)
    if fast is not None:
        assert fast == _click_parse(argv, monkeypatch)


def _run(command: list[str], cwd: Path, stdin: str = "") -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(command, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, done.stderr


def test_a_profiled_check_ends_normally_so_the_profile_is_written(tree):
    """The fast exit skips the interpreter's teardown, but not a profiler's report."""
    _run([sys.executable, "-m", "cProfile", "-o", "run.prof", "-m", "wdlint", "check", "--no-cache", "train.py"], tree)
    assert (tree / "run.prof").stat().st_size > 0  # (cProfile swallows the exit status)


@pytest.mark.parametrize(
    "args",
    [
        ["--no-cache", "train.py", "plain.py", "missing.py"],
        ["check", "--no-cache", "--output-format", "json", "train.py"],
        ["check", "--no-cache", "--statistics", "."],
        ["check", "--no-cache", "--select", "XYZ", "train.py"],  # refused by check: click says so
        ["check", "--no-cache", "--stdin-filename", "train.py", "-"],
        ["check", "--no-cache", "--diff", "train.py"],
    ],
)
def test_the_command_prints_what_the_click_application_prints(tree, args):
    stdin = (tree / "train.py").read_text()
    fast = _run([sys.executable, "-m", "wdlint", *args], tree, stdin)
    through_click = _run([sys.executable, "-c", "from wdlint.cli import main; main()", *args], tree, stdin)
    assert fast == through_click
    assert fast[1] or fast[2]


SINGLE_FILE_RUN = """
import sys
sys.argv = ["wdlint", "check", "--force-exclude", *sys.argv[1:]]
from wdlint.__main__ import main
try:
    main()
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""

# Never what one file through the hook needs: the command-line framework, a concrete syntax
# tree, worker processes, the other formats' parsers and reporters, the runtime audit, fixes;
# nor `typing`, which only type checkers read (a third of the interpreter's own start-up).
NEVER = (
    "click", "libcst", "yaml", "multiprocessing", "concurrent", "tempfile", "hashlib", "difflib", "tomllib", "typing",
    "wdlint.cli", "wdlint.frontends.notebook", "wdlint.frontends.yamlcfg", "wdlint.runtime", "wdlint.integrations",
    "wdlint.engine.fix", "wdlint.engine.add_noqa", "wdlint.rules.catalog",
    "wdlint.output.json", "wdlint.output.sarif", "wdlint.output.github", "wdlint.output.gitlab",
    "wdlint.output.junit", "wdlint.output.ci",
)


def _modules_of_a_run(directory: Path, *args: str) -> list[str]:
    _, out, err = _run([sys.executable, "-c", SINGLE_FILE_RUN, *args], directory)
    assert "Traceback" not in err, err
    return out.split("\n")[-2].split()


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


# What a training script's content shows it does not need: the readers of configs (an mmengine
# config's top-level variables, a dict to read as a config: the config tree, the dialects,
# DeepSpeed's reader, the config links and their project scan), PEFT's and timm's readers (a
# call naming the library), the tokenizer (a file without a noqa comment), and what defining
# classes by compiling their methods costs (dataclasses, and inspect, which it and pkgutil import).
DEFERRED = (
    "dataclasses", "inspect", "pkgutil", "tokenize",
    "wdlint.frontends.mmconfig", "wdlint.frontends.config_sites", "wdlint.frontends.dialects",
    "wdlint.frontends.jsoncfg", "wdlint.analysis.adapters", "wdlint.analysis.timm_calls",
)


def test_one_training_script_through_the_hook_imports_only_what_it_needs(tree):
    modules = _modules_of_a_run(tree, "--isolated", "train.py")
    assert "wdlint.analysis.extract" in modules  # it was linted
    assert _loaded(modules, NEVER) == []
    assert _loaded(modules, DEFERRED) == []
    # Counted, so that a new import on this path is a decision: the analysis, the rules and
    # the engine, one module each (WD207, SGD's half of WD201, is one more rule; `wdlint.files`,
    # the reading the runner shares with the project scan; `scan_answers`, the project scan's
    # answers the cache keeps).
    assert len([m for m in modules if m.startswith("wdlint")]) <= 84


@pytest.mark.parametrize(
    ("source", "needed"),
    [
        # an mmengine config: its reader, and the config tree it builds
        ("optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05))\n",
         ("wdlint.frontends.mmconfig", "wdlint.frontends.config_sites")),
        # a DeepSpeed config written as a dict in a script: the dialects and DeepSpeed's reader
        ("import deepspeed\n"
         'ds_config = {"optimizer": {"type": "Adam", "params": {"weight_decay": 0.01, "adam_w_mode": False}}}\n'
         "engine, optimizer, _, _ = deepspeed.initialize(model=model, model_parameters=model.parameters(), config=ds_config)\n",
         ("wdlint.frontends.dialects", "wdlint.frontends.jsoncfg", "wdlint.frontends.mmconfig")),
        # a PEFT model and a timm model: their libraries' readers
        ("import torch, peft\nmodel = peft.get_peft_model(base, cfg)\n"
         "opt = torch.optim.AdamW(model.parameters(), weight_decay=0.1)\n", ("wdlint.analysis.adapters",)),
        ("import torch, timm\nmodel = timm.create_model('resnet50')\n"
         "opt = torch.optim.AdamW(model.parameters(), weight_decay=0.1)\n", ("wdlint.analysis.timm_calls",)),
    ],
    ids=["mm config", "deepspeed dict", "peft", "timm"],
)
def test_a_file_that_needs_a_deferred_reader_imports_it(tree, source, needed):
    (tree / "config.py").write_text(source)
    modules = _modules_of_a_run(tree, "--isolated", "--no-cache", "config.py")
    assert set(needed) <= set(modules)
    assert _loaded(modules, ("dataclasses", "inspect")) == []  # the readers' classes are records


def test_a_file_the_prefilter_screens_out_loads_no_rule_and_no_analysis(tree):
    modules = _modules_of_a_run(tree, "--isolated", "plain.py")
    heavy = ("wdlint.analysis", "wdlint.rules.base", "wdlint.rules.wd", "wdlint.knowledge", "wdlint.engine.lint")
    assert _loaded(modules, NEVER + heavy) == []
    assert len([m for m in modules if m.startswith("wdlint")]) <= 27  # with `wdlint.files`, the reading
