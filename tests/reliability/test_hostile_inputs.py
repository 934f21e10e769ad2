"""Hostile and broken inputs: each gets a diagnostic or an error line, in bounded time and
memory, and every other file is still linted (DESIGN.md §6)."""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wdlint.engine.runner import FileJob, FileResult, LintOptions, lint_jobs

ALL = LintOptions.from_selection(["ALL"])
MISTAKE = "import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=0.1)  # café\n"
FOUND = [("WD101", 2, 7), ("WD201", 2, 24)]  # what MISTAKE gets, wherever it is readable

# Billion laughs: nine aliases deep, 9**9 strings if expanded; the optimizer is beside it.
YAML_BOMB = "\n".join(
    [
        'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)),
        "optimizer: {_target_: torch.optim.Adam, weight_decay: 0.1, lol: *a8}",
        "",
    ]
)
DEEPSPEED = '{"optimizer": {"type": "Adam", "params": {"weight_decay": %s}}%s'


def _random_bytes(size: int, low: int = 0) -> bytes:
    generator = random.Random(size)
    return bytes(generator.randrange(low, 256) for _ in range(size))


def _notebook(*cells: object, **top: object) -> bytes:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, **top}).encode()


def _code_cell(source: object) -> dict[str, object]:
    return {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}


# name -> (content, what it gets: the findings, or the WD001 message's start)
Expected = list[tuple[str, int, int]] | str
CASES: dict[str, tuple[bytes, Expected]] = {
    "binary.py": (_random_bytes(4096), "not Python source: the file holds NUL bytes"),
    "binary_without_nul.py": (_random_bytes(4096, low=0x80), "cannot decode"),
    "nul_in_comment.py": (MISTAKE.replace("café", "caf\0").encode(), "SyntaxError: source code string cannot contain null bytes"),
    "utf16_bom.py": (MISTAKE.encode("utf-16"), "not Python source: the file holds NUL bytes"),
    "utf16_declared.py": (("# -*- coding: utf-16 -*-\n" + MISTAKE).encode("utf-16"), "not Python source"),
    "utf16_le.py": (MISTAKE.encode("utf-16-le"), "not Python source"),
    "utf32.py": (MISTAKE.encode("utf-32"), "not Python source"),
    "latin1.py": (MISTAKE.encode("latin-1"), "cannot decode as utf-8"),
    "latin1_no_optimizer.py": ("x = 'café'\n".encode("latin-1"), "cannot decode as utf-8"),
    "latin1_declared.py": (
        ("# -*- coding: latin-1 -*-\n" + MISTAKE).encode("latin-1"),
        [("WD101", 3, 7), ("WD201", 3, 24)],
    ),
    "unknown_encoding.py": (b"# -*- coding: klingon -*-\n" + MISTAKE.encode(), "cannot decode"),
    "bom.py": (b"\xef\xbb\xbf" + MISTAKE.encode(), FOUND),
    "bom_and_other_cookie.py": (b"\xef\xbb\xbf# coding: latin-1\n" + MISTAKE.encode(), "cannot decode"),
    "crlf.py": (MISTAKE.replace("\n", "\r\n").encode(), FOUND),
    "cr.py": (MISTAKE.replace("\n", "\r").encode(), FOUND),
    "mixed_endings.py": (b"import torch\r\nx = 1\r" + MISTAKE.split("\n")[1].encode() + b"\n", [("WD101", 3, 7), ("WD201", 3, 24)]),
    "empty.py": (b"", []),
    "only_a_bom.py": (b"\xef\xbb\xbf", []),
    "python2.py": (b"import torch\nprint 'lr'\nopt = torch.optim.Adam(m.parameters(), weight_decay=0.1)\n", "SyntaxError"),
    "truncated.py": (MISTAKE.encode()[:50], "SyntaxError"),
    "deep_parentheses.py": (
        MISTAKE.replace("0.1", "(" * 100_000 + "0.1" + ")" * 100_000).encode(),
        "SyntaxError: too many nested parentheses",
    ),
    # the parser takes 900 nested additions; walking them again would pass the recursion limit
    "deep_sum.py": (MISTAKE.replace("0.1", "+".join(["0.1"] * 900)).encode(), "cannot analyse: an expression is nested"),
    "deeper_sum.py": (MISTAKE.replace("0.1", "+".join(["0.1"] * 50_000)).encode(), "cannot parse: maximum recursion depth"),
    "deep_unary.py": (MISTAKE.replace("0.1", "-" * 100_000 + "0.1").encode(), "cannot parse: the parser ran out of memory"),
    "deep_lists.py": (
        ("import torch\ngroups = " + "[" * 180 + "]" * 180 + "\nopt = torch.optim.Adam(groups, weight_decay=0.1)\n").encode(),
        [("WD101", 3, 7)],
    ),
    "long_chain.py": (
        ("import torch\nwd0 = 0.1\n" + "".join(f"wd{i + 1} = wd{i}\n" for i in range(5000))
         + "opt = torch.optim.Adam(m.parameters(), weight_decay=wd5000)\n").encode(),
        [("WD101", 5003, 7), ("WD201", 5003, 24)],
    ),
    "invalid_json.ipynb": (b'{"cells": [', "invalid notebook JSON"),
    "not_a_notebook.ipynb": (b'{"metadata": {}}', 'not a Jupyter notebook (nbformat 4): no "cells" list'),
    "cells_not_a_list.ipynb": (b'{"cells": {"0": "import torch"}}', "not a Jupyter notebook"),
    "cell_without_source.ipynb": (_notebook({"cell_type": "code"}), "malformed cell 1: `source` is not text"),
    # the other cells are still linted
    "cell_source_not_text.ipynb": (_notebook(_code_cell(42), _code_cell(MISTAKE)), [("WD001", 1, 1), *FOUND]),
    "cell_line_not_text.ipynb": (
        _notebook(_code_cell(["import torch\n", 42]), _code_cell(MISTAKE)), [("WD001", 1, 1), *FOUND]
    ),
    "notebook_not_utf8.ipynb": (_notebook(_code_cell(MISTAKE)).replace(b"caf\\u00e9", b"caf\xe9"), "cannot decode as UTF-8"),
    "truncated.ipynb": (_notebook(_code_cell(MISTAKE))[:60], "invalid notebook JSON"),
    "yaml_bomb.yaml": (YAML_BOMB.encode(), [("WD101", 10, 23)]),
    "yaml_deep.yaml": (
        ("optimizer: {_target_: torch.optim.Adam, x: " + "[" * 5000 + "]" * 5000 + "}\n").encode(),
        "invalid YAML: nested too deeply",
    ),
    # YAML's own python tags stay refused: no safe loader reads them, so the file is not a
    # config any framework loads safely
    "yaml_python_tag.yaml": (
        b'optimizer: {_target_: torch.optim.AdamW, lr: !!python/object/apply:os.system ["echo pwned"]}\n',
        "the YAML tag `tag:yaml.org,2002:python/object/apply:os.system` is refused by the safe loader",
    ),
    # an application's tags (HyperPyYAML's `!apply:`, `!new:`, `!name:`) are valid YAML: read as
    # tagged data, nothing applied or constructed (the audit-hook tests watch for any exec)
    "hyperpyyaml_apply.yaml": (
        b'__run: !apply:os.system ["echo pwned"]\nmodel: !new:os.system ["echo pwned"]\n'
        b"opt_class: !name:torch.optim.Adam\n    weight_decay: 0.1\n",
        [("WD201", 3, 1), ("WD101", 3, 12)],
    ),
    # a string that claims to run on (for a gigabyte, says the key) and ends with the file
    "ds_string_claim.json": (
        (DEEPSPEED % ("0.1", ', "one_gigabyte": "')).encode() + b"x" * 1000,
        "invalid JSON: Unterminated string",
    ),
    "ds_huge_integer.json": ((DEEPSPEED % ("1" * 100_000, "}")).encode(), "invalid JSON: Exceeds the limit (4300 digits)"),
    # read as the float inf in one step, not digit by digit; not a number wdlint judges
    "ds_huge_exponent.json": ((DEEPSPEED % ("1e999999999", "}")).encode(), []),
    "ds_deep.json": (
        (DEEPSPEED % ("0.1", ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}")).encode(),
        "invalid JSON: nested too deeply",
    ),
}


def _lint(tmp_path: Path, name: str, data: bytes, options: LintOptions = ALL) -> FileResult:
    path = tmp_path / name
    path.write_bytes(data)
    [result] = lint_jobs([FileJob(path, name)], options, 1)
    return result


def _check(result: FileResult, expected: Expected) -> None:
    if isinstance(expected, str):
        assert [d.code for d in result.diagnostics] == ["WD001"], result.diagnostics
        assert result.diagnostics[0].message.startswith(expected), result.diagnostics[0].message
    else:
        assert [(d.code, d.location.row, d.location.column) for d in result.diagnostics] == expected


@pytest.mark.parametrize(("name", "case"), CASES.items(), ids=list(CASES))
def test_hostile_input_gets_a_diagnostic(tmp_path: Path, name: str, case: tuple[bytes, Expected]) -> None:
    data, expected = case
    _check(_lint(tmp_path, name, data), expected)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # 20 MB, generated: a data table, then one optimizer
        ("generated.py", "import torch\n" + "".join(f"t{i} = [{i}.0] * 9\n" for i in range(1_200_000)) + MISTAKE),
        ("generated.yaml", "optimizer: {_target_: torch.optim.Adam, weight_decay: 0.1}\n" + "x: 1.0\n" * 2_900_000),
        ("generated.ipynb", _notebook(*[_code_cell(MISTAKE + "x = 1\n" * 4000)] * 900).decode()),
    ],
    ids=["python", "yaml", "notebook"],
)
def test_a_20_mb_file_is_reported_not_parsed(tmp_path: Path, name: str, data: str) -> None:
    assert len(data) > 20_000_000
    result = _lint(tmp_path, name, data.encode())
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "WD001"
    assert "over the `max-file-size` of 4,194,304" in diagnostic.message


def test_the_size_limit_counts_a_notebook_s_code_not_its_outputs(tmp_path: Path) -> None:
    image = {"output_type": "display_data", "data": {"image/png": "iVBOR" * 5_000_000}, "metadata": {}}
    cell = {**_code_cell(MISTAKE), "outputs": [image]}
    result = _lint(tmp_path, "plots.ipynb", _notebook(cell))
    assert [(d.code, d.cell) for d in result.diagnostics] == [("WD101", 1), ("WD201", 1)]


def test_a_20_mb_file_without_an_optimizer_is_not_read_as_code(tmp_path: Path) -> None:
    result = _lint(tmp_path, "table.py", b"x = [1.0] * 9\n" * 1_500_000)
    assert result.diagnostics == ()


def test_the_size_limit_is_a_setting(tmp_path: Path) -> None:
    source = MISTAKE.encode()
    small = LintOptions.from_selection(["ALL"], max_file_size=len(MISTAKE) - 1)  # characters, not bytes
    [diagnostic] = _lint(tmp_path, "a.py", source, small).diagnostics
    assert f"holds {len(MISTAKE)} characters, over the `max-file-size` of {len(MISTAKE) - 1}" in diagnostic.message
    unlimited = LintOptions.from_selection(["ALL"], max_file_size=0)
    expected = [(code, row, column) for row in range(2, 6001, 2) for code, _, column in FOUND]
    _check(_lint(tmp_path, "b.py", source * 3000, unlimited), expected)


def test_unreadable_file_in_a_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root reads a file of mode 000: refuse by hand

        real_open = os.open

        def refusing_open(file: Path, *args: Any) -> Any:
            if Path(file).name == "locked.py":
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args)

        monkeypatch.setattr("wdlint.engine.runner.os.open", refusing_open)
    (tmp_path / "locked.py").write_text(MISTAKE)
    (tmp_path / "locked.py").chmod(0)
    (tmp_path / "good.py").write_text(MISTAKE)
    try:
        results = lint_jobs([FileJob(tmp_path / n, n) for n in ("good.py", "locked.py")], ALL, 1)
    finally:
        (tmp_path / "locked.py").chmod(0o644)
    assert [(d.code, d.message) for d in results[1].diagnostics] == [("WD001", "cannot read file: Permission denied")]
    _check(results[0], FOUND)


def _limited(seconds: int, memory: int) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))

    return limit


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_the_whole_hostile_tree_through_the_command_line(tmp_path: Path) -> None:
    """Every case in one tree, with symlink loops and a directory named `x.py`, linted by one
    process held to 60 s of CPU and 1.5 GiB of address space: each case gets its line, the
    readable files their findings, and nothing is a traceback."""
    tree = tmp_path / "tree"
    tree.mkdir()
    for name, (data, _) in CASES.items():
        (tree / name).write_bytes(data)
    (tree / "generated.py").write_bytes(MISTAKE.encode() + b"x = 1\n" * 3_500_000)
    (tree / "loop_a").symlink_to("loop_b")
    (tree / "loop_b").symlink_to("loop_a")
    (tree / "itself").symlink_to(".")
    (tree / "x.py").mkdir()
    (tree / "x.py" / "inside.py").write_text(MISTAKE)
    process = subprocess.run(
        [sys.executable, "-m", "wdlint", "check", "--select", "ALL", "--isolated", "--no-cache",
         "--output-format", "json", str(tree), str(tree / "loop_a")],
        capture_output=True, text=True, timeout=300, preexec_fn=_limited(60, 3 << 29), cwd=tmp_path,
    )
    assert "Traceback" not in process.stderr
    assert process.stderr.splitlines() == [f"wdlint: error: {tree / 'loop_a'}: Too many levels of symbolic links"]
    assert process.returncode == 2  # a path given could not be read
    found: dict[str, list[tuple[str, int, int]]] = {}
    messages: dict[str, str] = {}
    for d in json.loads(process.stdout):
        name = os.path.relpath(d["filename"], tree)
        found.setdefault(name, []).append((d["code"], d["location"]["row"], d["location"]["column"]))
        messages.setdefault(name, d["message"])
    for name, (_, expected) in CASES.items():
        if isinstance(expected, str):
            assert [code for code, _, _ in found[name]] == ["WD001"], name
            assert messages[name].startswith(expected), (name, messages[name])
        else:
            assert found.get(name, []) == expected, name
    assert found["x.py/inside.py"] == FOUND
    assert "over the `max-file-size`" in messages["generated.py"]
