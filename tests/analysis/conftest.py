"""Snippets of real code read by the analysis: `probe = <expr>` marks what a test evaluates."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from wdlint.analysis.env import Env
from wdlint.analysis.index import ModuleIndex, WalkListener
from wdlint.analysis.project import Project
from wdlint.analysis.scopes import Scope
from wdlint.frontends.python import PythonSource, parse_python


@dataclass
class Snippet:
    source: PythonSource
    index: ModuleIndex
    project: Project | None = None

    def probe(self, name: str = "probe") -> tuple[Env, ast.expr]:
        """The last `probe = <expr>` of the snippet, and the environment it is read in."""
        assigns = [
            node
            for node in ast.walk(self.source.tree)
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        ]
        assert assigns, f"no `{name} = ...` in the snippet"
        statement = max(assigns, key=lambda node: node.lineno)
        return self.env_at(statement.lineno), statement.value

    def env_at(self, line: int) -> Env:
        """The environment of a statement on `line`: the innermost function around it, or the module."""
        scope: Scope = self.index.module_scope
        innermost = 0
        for node in ast.walk(self.source.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno < line <= (node.end_lineno or 0):
                if node.lineno > innermost:
                    innermost, scope = node.lineno, self.index.function_scopes[id(node)]
        return Env(self.index, scope, line, self.project)

    def function(self, name: str) -> ast.FunctionDef:
        return next(n for n in ast.walk(self.source.tree) if isinstance(n, ast.FunctionDef) and n.name == name)


def read(text: str, path: Path | None = None, listeners: tuple[WalkListener, ...] = ()) -> Snippet:
    source = parse_python(textwrap.dedent(text), str(path or "snippet.py"))
    project = Project() if path is not None else None
    return Snippet(source, ModuleIndex.build(source.tree, path, listeners), project)


@pytest.fixture
def snippet() -> Callable[..., Snippet]:
    """`snippet(text)`: the dedented text parsed and indexed (with a project when given a path)."""
    return read


@pytest.fixture
def helper_project(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """`helper_project(optim)`: a project (a `pyproject.toml`, a package `pkg`) whose
    `pkg/optim.py` is `optim`, with the per-process project scans forgotten before and after."""
    from wdlint.analysis import project_scan

    def make(optim: str) -> Path:
        (tmp_path / "pyproject.toml").write_text("")
        (tmp_path / "pkg").mkdir()
        (tmp_path / "pkg" / "__init__.py").write_text("")
        (tmp_path / "pkg" / "optim.py").write_text(optim)
        return tmp_path

    project_scan.clear_scans()
    yield make
    project_scan.clear_scans()
