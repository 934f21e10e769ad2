"""The command line, in-process through click's runner, and once through the console script."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wdlint.cli import cli

MISTAKE = "import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n"
CLEAN = "import torch\nopt = torch.optim.Adam(m.parameters(), lr=1e-3)\n"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(MISTAKE)
    (tmp_path / "src" / "clean.py").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_command_is_check(project):
    default, explicit = run("src"), run("check", "src")
    assert default.exit_code == explicit.exit_code == 1
    assert default.output == explicit.output


def test_concise_output_and_summary(project):
    result = run("--output-format", "concise", "src")
    assert result.output.splitlines() == [
        "src/train.py:2:7: WD101 `torch.optim.Adam` with weight_decay=0.0001 is L2 regularization "
        "through Adam's adaptive step, not decoupled weight decay; use `torch.optim.AdamW` "
        "(or `decoupled_weight_decay=True`) and re-tune the value",
        "src/train.py:2:24: WD201 `m.parameters()` gives every parameter to `torch.optim.Adam` "
        "with weight_decay=0.0001, so biases and normalization weights are decayed too; put the "
        'params of `m.named_parameters()` with `p.ndim < 2 or name.endswith(".bias")` in a group with '
        "weight_decay=0.0 (the name test also catches biases that are not 1-D)",
        "Found 2 errors.",
        "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option).",
    ]


def test_full_output_shows_the_source(project):
    result = run("src")
    assert "2 | opt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)" in result.output
    assert "^^^^^^^^^^^^^^ WD201" in result.output


def test_clean_tree_exits_zero(project):
    result = run("src/clean.py")
    assert (result.exit_code, result.output) == (0, "All checks passed!\n")


def test_tree_without_python_files(tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("Adam weight_decay")
    monkeypatch.chdir(tmp_path)
    result = run(".")
    assert (result.exit_code, result.output) == (0, "All checks passed!\n")


def test_missing_path_is_exit_2_and_the_rest_is_still_linted(project):
    result = run("--output-format", "concise", "nope.py", "src")
    assert result.exit_code == 2
    assert "nope.py: No such file or directory" in result.stderr
    assert "src/train.py:2:7: WD101" in result.stdout


@pytest.mark.parametrize(
    ("args", "codes"),
    (
        ((), ["WD101", "WD201"]),
        (("--select", "WD1"), ["WD101"]),
        (("--select", "wd2"), ["WD201"]),
        (("--ignore", "WD101"), ["WD201"]),
        (("--ignore", "WD1,WD2"), []),
        (("--select", "ALL", "--ignore", "WD2"), ["WD101"]),
        (("--select", "WD101", "--ignore", "WD1"), ["WD101"]),
        (("--extend-select", "WD104"), ["WD101", "WD201"]),
    ),
)
def test_selection(project, args, codes):
    result = run("--output-format", "json", *args, "src")
    assert [d["code"] for d in json.loads(result.output)] == codes


def test_opt_in_rule_by_extend_select(project):
    (project / "src" / "adamw.py").write_text("import torch\nopt = torch.optim.AdamW(groups)\n")
    assert run("src/adamw.py").exit_code == 0
    result = run("--extend-select", "WD104", "--output-format", "json", "src/adamw.py")
    assert [d["code"] for d in json.loads(result.output)] == ["WD104"]


def test_unknown_code_is_a_usage_error(project):
    result = run("--select", "WD9", "src")
    assert result.exit_code == 2
    assert "WD9" in result.output


def test_json_has_ruffs_keys(project):
    [first, _] = json.loads(run("--output-format", "json", "src").output)
    assert set(first) == {
        "code", "name", "message", "filename", "location", "end_location", "fix", "noqa_row", "cell", "url",
    }
    assert first["location"] == {"row": 2, "column": 7}
    assert first["end_location"] == {"row": 2, "column": 23}
    assert (first["filename"], first["noqa_row"]) == ("src/train.py", 2)
    assert first["fix"]["applicability"] == "unsafe"
    assert first["fix"]["edits"] == [
        {"content": "AdamW", "location": {"row": 2, "column": 19}, "end_location": {"row": 2, "column": 23}}
    ]


def test_json_lines(project):
    lines = run("--output-format", "json-lines", "src").output.splitlines()
    assert [json.loads(line)["code"] for line in lines] == ["WD101", "WD201"]


def test_exit_zero(project):
    result = run("--exit-zero", "src")
    assert result.exit_code == 0
    assert "Found 2 errors." in result.output


def test_statistics(project):
    result = run("--statistics", "src")
    assert result.output == "1\tWD101\tadam-coupled-decay\n1\tWD201\tdecay-on-bias-and-norm\n"
    assert result.exit_code == 1


def test_stdin(project):
    result = run("--output-format", "concise", "--stdin-filename", "pkg/train.py", "-", input=MISTAKE)
    assert result.exit_code == 1
    assert result.output.startswith("pkg/train.py:2:7: WD101")
    assert run("-", input=CLEAN).exit_code == 0


def test_stdin_default_name(project):
    assert run("--output-format", "concise", "-", input=MISTAKE).output.startswith("-:2:7: WD101")


def test_config_in_pyproject(project):
    (project / "pyproject.toml").write_text('[tool.wdlint]\nignore = ["WD201"]\n')
    result = run("--output-format", "json", "src")
    assert [d["code"] for d in json.loads(result.output)] == ["WD101"]
    isolated = run("--isolated", "--output-format", "json", "src")
    assert [d["code"] for d in json.loads(isolated.output)] == ["WD101", "WD201"]


def test_explicit_config_file(project):
    (project / "custom.toml").write_text('select = ["WD2"]\n')
    result = run("--config", "custom.toml", "--output-format", "json", "src")
    assert [d["code"] for d in json.loads(result.output)] == ["WD201"]


def test_bad_config_key_is_exit_2_naming_file_and_key(project):
    (project / "pyproject.toml").write_text('[tool.wdlint]\nselct = ["WD1"]\n')
    result = run("src")
    assert result.exit_code == 2
    assert "pyproject.toml" in result.stderr and "selct" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_code_in_config_is_exit_2(project):
    (project / "pyproject.toml").write_text('[tool.wdlint]\nignore = ["WD999"]\n')
    result = run("src")
    assert result.exit_code == 2
    assert "WD999" in result.stderr


def test_per_file_ignores(project):
    (project / "pyproject.toml").write_text('[tool.wdlint.per-file-ignores]\n"src/train.py" = ["WD1"]\n')
    result = run("--output-format", "json", "src")
    assert [d["code"] for d in json.loads(result.output)] == ["WD201"]


def test_target_torch_version(project):
    result = run("--target-torch-version", "2.6", "--output-format", "json", "src")
    message = json.loads(result.output)[0]["message"]
    assert "decoupled_weight_decay" not in message
    assert run("--target-torch-version", "two", "src").exit_code == 2


def test_force_exclude(project):
    (project / "pyproject.toml").write_text('[tool.wdlint]\nextend-exclude = ["src/train.py"]\n')
    assert run("src/train.py").exit_code == 1  # named explicitly: linted
    assert run("--force-exclude", "src/train.py").exit_code == 0
    assert run("src").exit_code == 0


def test_output_is_sorted_and_identical_across_runs_and_jobs(tmp_path, monkeypatch):
    for i in range(40):
        (tmp_path / f"m{i:02}.py").write_text(MISTAKE if i % 3 else CLEAN)
    monkeypatch.chdir(tmp_path)
    serial = run("--jobs", "1", "--output-format", "concise", ".")
    parallel = run("--jobs", "2", "--output-format", "concise", ".")
    assert serial.output == parallel.output == run("--output-format", "concise", ".").output
    lines = serial.output.splitlines()[:-2]
    keys = [(path, int(row), int(column)) for path, row, column, _ in (line.split(":", 3) for line in lines)]
    assert keys == sorted(keys)
    assert len(lines) == 2 * 26


def test_parse_error_does_not_stop_the_others(project):
    (project / "src" / "broken.py").write_text("import torch\nopt = torch.optim.Adam(\n")
    result = run("--output-format", "concise", "src")
    assert result.exit_code == 1
    assert "src/broken.py:3:1: WD001 SyntaxError" in result.output or "src/broken.py:2:" in result.output
    assert "src/train.py:2:7: WD101" in result.output


def test_rule_page():
    result = run("rule", "WD201")
    assert result.exit_code == 0
    assert result.output.startswith("# decay-on-bias-and-norm (WD201)")
    assert "## Why is this bad?" in result.output


def test_rule_all_as_json():
    payload = json.loads(run("rule", "--all", "--output-format", "json").output)
    assert [r["code"] for r in payload][:3] == ["WD001", "WD101", "WD102"]
    assert {"code", "name", "summary", "default", "fix", "explanation"} <= set(payload[0])


def test_unknown_rule():
    assert run("rule", "WD999").exit_code == 2
    assert run("rule").exit_code == 2


def test_version():
    from wdlint import __version__

    assert run("--version").output.strip() == f"wdlint, version {__version__}"


def test_console_script(project):
    script = Path(sys.executable).parent / "wdlint"
    if not script.exists():
        pytest.skip("wdlint is not installed in this environment (pip install -e .)")
    done = subprocess.run(
        [str(script), "--output-format", "concise", "src"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert done.stdout.startswith("src/train.py:2:7: WD101")


def test_module_entry_point(project):
    import wdlint

    env = {**os.environ, "PYTHONPATH": str(Path(wdlint.__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "wdlint", "--output-format", "concise", "src/clean.py"],
        capture_output=True, text=True, check=False, env=env,
    )
    assert (done.returncode, done.stdout) == (0, "All checks passed!\n")


@pytest.mark.parametrize("args", [["--version"], ["--isolated", "--no-cache", "-j", "1", "."]])
def test_runs_that_parse_nothing_import_nothing_heavy(tmp_path, args):
    """`--version`, and a run whose files all fail the prefilter, import no parser or analysis."""
    import wdlint

    (tmp_path / "plain.py").write_text("print('hello')\n")
    code = (
        "import sys\nfrom wdlint.cli import main\n"
        f"sys.argv = ['wdlint', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('libcst', 'yaml', 'wdlint.engine.lint', 'wdlint.analysis.index', 'wdlint.analysis.extract',\n"
        "         'wdlint.frontends.python', 'wdlint.frontends.notebook', 'wdlint.frontends.yamlcfg',\n"
        "         'pygls', 'lsprotocol', 'wdlint.server')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(wdlint.__file__).parent.parent)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


FIXABLE = """\
from torch.optim import Adam
from transformers import AdamW

opt = Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
old = AdamW(model.parameters(), 1e-3, (0.9, 0.999))
"""


@pytest.mark.parametrize(
    ("args", "writes_edits"),
    [
        pytest.param([], False, id="full"),
        pytest.param(["--output-format", "concise", "--unsafe-fixes"], False, id="concise"),
        pytest.param(["--statistics"], False, id="statistics"),
        pytest.param(["--output-format", "github"], False, id="github"),
        pytest.param(["--output-format", "json"], True, id="json shows the edits"),
        pytest.param(["--output-format", "sarif"], True, id="sarif shows the edits"),
        pytest.param(["--diff", "--unsafe-fixes"], True, id="diff applies them"),
    ],
)
def test_libcst_is_imported_only_where_fixes_are_shown_or_applied(tmp_path, args, writes_edits):
    """A plain check of a file whose every finding has a fix (WD101, WD103, WD201, WD501) says
    which are fixable without writing a fix out: no libcst; the formats that show a fix's edits
    and the fixing runs lay them out with it."""
    import wdlint

    (tmp_path / "train.py").write_text(FIXABLE)
    code = (
        "import sys\nfrom wdlint.cli import main\n"
        f"sys.argv = ['wdlint', '--isolated', '--no-cache', '--select', 'ALL', *{args!r}, 'train.py']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    print(exit.code)\n"
        "print('libcst' in sys.modules, 'wdlint.fixes.layout' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(wdlint.__file__).parent.parent)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, check=True)
    *output, status, imported = done.stdout.strip().splitlines()
    assert status == "1" and output  # findings (or a diff) were printed
    assert imported == f"{writes_edits} {writes_edits}"


def test_a_cached_plain_check_does_not_serve_fixes_without_their_edits(tmp_path, monkeypatch):
    # a plain check's fixes carry no edits: the JSON output's run has cache entries of its own
    (tmp_path / "train.py").write_text(FIXABLE)
    monkeypatch.chdir(tmp_path)
    run("--isolated", "--unsafe-fixes", "train.py")
    found = json.loads(run("--isolated", "--output-format", "json", "train.py").stdout)
    edits = [d["fix"]["edits"] for d in found if d["fix"] is not None]
    assert edits and all(edits)
    again = json.loads(run("--isolated", "--output-format", "json", "train.py").stdout)
    assert again == found  # from the cache now


def test_the_line_length_is_a_dependency_of_cached_fixes(tmp_path, monkeypatch):
    (tmp_path / "train.py").write_text("import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, (0.9, 0.99), 1e-8, 0.0)\n")
    monkeypatch.chdir(tmp_path)

    def fix_text() -> str:
        [finding] = json.loads(run("--isolated", "--output-format", "json", "--select", "WD501", "train.py").stdout)
        return "".join(edit["content"] for edit in finding["fix"]["edits"])

    assert "\n" in fix_text()  # broken at 88
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 120\n")
    assert "\n" not in fix_text()  # one line at 120, the cached entry not reused


def test_checks_that_parse_import_no_language_server(project):
    """`wdlint check` of files that are linted never imports pygls: only `wdlint server` does."""
    import wdlint

    code = (
        "import sys\nfrom wdlint.cli import main\n"
        "sys.argv = ['wdlint', '--no-cache', '--output-format', 'concise', 'src/train.py']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pygls', 'lsprotocol', 'wdlint.server'))))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(wdlint.__file__).parent.parent)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project, env=env, check=True)
    assert "WD101" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_server_without_pygls_says_which_extra(tmp_path):
    import wdlint

    code = "import sys\nsys.modules['pygls'] = None\nfrom wdlint.cli import main\nsys.argv = ['wdlint', 'server']\nmain()\n"
    env = {**os.environ, "PYTHONPATH": str(Path(wdlint.__file__).parent.parent)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, check=False)
    assert done.returncode == 2
    assert 'pip install "wdlint[lsp]"' in done.stderr


def test_full_output_counts_rows_as_python_does(tmp_path, monkeypatch):
    (tmp_path / "ff.py").write_text("import torch\n\x0c\nx = 1  # page\x0cbreak\nopt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n")
    monkeypatch.chdir(tmp_path)
    result = run("--isolated", "--no-cache", "--select", "WD101", "ff.py")
    assert "4 | opt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)" in result.output


def test_max_file_size_from_the_config(project):
    (project / "wdlint.toml").write_text("max-file-size = 40\n")
    result = run("--no-cache", "--output-format", "concise", "src/train.py")
    assert result.output.startswith(
        f"src/train.py:1:1: WD001 not linted: the file holds {len(MISTAKE)} characters, over the `max-file-size` of 40\n"
    )
    (project / "wdlint.toml").write_text("max-file-size = 0\n")  # no limit
    assert "WD101" in run("--no-cache", "--output-format", "concise", "src/train.py").output


def test_the_config_is_parsed_once_across_runs_with_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second run reads the document the first kept in the cache's directory; `--no-cache`
    parses the file, and keeps nothing."""
    tomllib = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")
    from wdlint import config

    parses: list[str] = []
    real = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: parses.append(text) or real(text))
    (tmp_path / "pyproject.toml").write_text("[tool.wdlint]\nignore = ['WD101']\n")
    (tmp_path / "train.py").write_text("import torch\nopt = torch.optim.Adam(model.parameters(), weight_decay=1e-4)\n")
    monkeypatch.chdir(tmp_path)
    outputs, parsed = [], []
    # the first run makes the cache's directory after reading its settings: the second keeps them
    for flags in ((), (), (), ("--no-cache",)):
        config._LAST_PARSED.clear()  # as a new process starts
        outputs.append(run("check", *flags, "train.py").output)
        parsed.append(len(parses))
    assert len(set(outputs)) == 1
    assert "WD101" not in outputs[0]
    assert parsed == [1, 2, 2, 3]
