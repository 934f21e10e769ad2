"""The static side's cost is linear (DESIGN.md §5, issue 14): in the number of optimizers, of
nested functions, of notebook cells, of lines and of `elif` branches, and flat per line however deep the code
nests. Counted, as the audit's scaling test counts (tests/runtime/test_audit_scaling.py), in
lines of Python executed, which unlike a clock are the same on every machine: a generated file
of size N and one of size 4N, whose counts may differ by at most 4.5 times."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from wdlint.engine.jobs import LintOptions
from wdlint.engine.lint import lint_bytes

OPTIONS = LintOptions.from_selection(["ALL"])


def _lines_run(filename: str, data: bytes) -> tuple[int, int]:
    """(lines of Python executed to lint the file, findings)."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return trace

    sys.settrace(trace)
    try:
        result = lint_bytes(data, filename, OPTIONS)
    finally:
        sys.settrace(None)
    return count, len(result.diagnostics)


def _optimizers(n: int) -> str:
    """A script that builds n optimizers, each with its own param groups (a dict in the call)."""
    lines = ["import torch", "from torch import nn", "", "model = nn.Linear(4, 4)"]
    for i in range(n):
        lines += [
            f"opt_{i} = torch.optim.Adam(",
            f'    [{{"params": model.parameters(), "weight_decay": {i % 3} * 1e-4}}], lr=1e-3, weight_decay=0.01',
            ")",
        ]
    return "\n".join(lines) + "\n"


def _nested_functions(n: int) -> str:
    """n functions, each defined inside the one before, the innermost building the optimizer
    with the options of every level."""
    lines = ["import torch", ""]
    for depth in range(n):
        indent = "    " * depth
        lines += [f"{indent}def level_{depth}(model, wd_{depth}={depth} * 1e-5):", f"{indent}    lr_{depth} = 1e-3"]
    indent = "    " * n
    lines.append(f"{indent}return torch.optim.Adam(model.parameters(), lr=lr_{n - 1}, weight_decay=wd_{n - 1})")
    return "\n".join(lines) + "\n"


def _notebook(cells: int) -> str:
    """A notebook of `cells` code cells, each building an optimizer, between markdown cells."""
    sources = ["import torch\n", "model = torch.nn.Linear(4, 4)\n"]
    sources += [f"opt_{i} = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)\n" for i in range(cells)]
    notebook_cells: list[dict[str, Any]] = []
    for source in sources:
        notebook_cells.append({"cell_type": "markdown", "metadata": {}, "source": ["A step.\n"]})
        notebook_cells.append(
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": [source]}
        )
    return json.dumps({"cells": notebook_cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def _elif_chain(n: int) -> str:
    """An optimizer chosen by a command-line option in a chain of n `if`/`elif` branches: the
    k-th branch runs under all k tests before it."""
    lines = [
        "import argparse", "import torch", "from torch import nn", "",
        "parser = argparse.ArgumentParser()", 'parser.add_argument("--opt", default="o0")',
        "args = parser.parse_args()", "model = nn.Linear(4, 4)",
    ]
    for i in range(n):
        lines += [
            f'{"if" if i == 0 else "elif"} args.opt == "o{i}":',
            f"    optimizer = torch.optim.Adam(model.parameters(), lr={i + 1}e-4, weight_decay=1e-4)",
        ]
    return "\n".join(lines) + "\n"


def _long_script(lines: int) -> str:
    """A training script of about `lines` lines: one optimizer, and a long loop body."""
    head = [
        "import argparse", "import torch", "from torch import nn", "",
        "parser = argparse.ArgumentParser()", 'parser.add_argument("--wd", type=float, default=0.05)',
        "args = parser.parse_args()", "model = nn.Sequential(nn.Linear(8, 8), nn.LayerNorm(8))",
        "optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=args.wd)", "",
        "def train(batches):", "    total = 0.0",
    ]
    body = []
    for i in range(lines - len(head)):
        body.append(f"    x_{i} = model(batches[{i % 7}]).sum() * {i} + total" if i % 2 == 0 else f"    total = total + x_{i - 1}.item()")
    return "\n".join(head + body) + "\n"


CASES: dict[str, tuple[str, Callable[[int], str], int]] = {
    # name: (file name, generator, N)
    "optimizers": ("train.py", _optimizers, 60),
    "nested functions": ("train.py", _nested_functions, 12),
    "notebook cells": ("train.ipynb", _notebook, 60),
    "lines": ("train.py", _long_script, 1_000),
    "elif branches": ("train.py", _elif_chain, 30),
}


@pytest.mark.parametrize("case", list(CASES))
def test_cost_is_linear(case: str) -> None:
    filename, generate, n = CASES[case]
    _lines_run(filename, generate(2).encode())  # the first lint imports the analysis: not counted
    (small, small_found), (large, large_found) = (
        _lines_run(filename, generate(size).encode()) for size in (n, 4 * n)
    )
    assert small_found > 0 and large_found >= small_found, (small_found, large_found)  # the files are linted
    assert large <= 4.5 * small, (small, large, large / small)


def _nested_blocks(depth: int, statements: int) -> str:
    """`statements` lines of a training step, inside `depth` nested blocks (ifs and loops)."""
    lines = ["import torch", "model = torch.nn.Linear(4, 4)", "optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)"]
    lines.append("def step(batches, flags):")
    indent = "    "
    for level in range(depth):
        lines.append(f"{indent}{f'if flags[{level}]:' if level % 2 == 0 else 'for batch in batches:'}")
        indent += "    "
    for i in range(statements):
        lines.append(f"{indent}loss_{i} = model(batches[{i % 5}]).pow(2).sum() + optimizer.param_groups[0]['lr']")
    return "\n".join(lines) + "\n"


def test_work_per_line_is_flat_in_nesting() -> None:
    """The same statements one block deep and eight blocks deep cost about the same per line:
    nothing walks a subtree again for each level around it."""
    _lines_run("step.py", _nested_blocks(1, 4).encode())
    shallow, _ = _lines_run("step.py", _nested_blocks(1, 400).encode())
    deep, _ = _lines_run("step.py", _nested_blocks(8, 400).encode())
    assert deep <= 1.2 * shallow, (shallow, deep, deep / shallow)
