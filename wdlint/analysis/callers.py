"""The calls of a function of the module: each one a context its body may be read in.

A helper that builds the optimizer (`def make_opt(net, kind="sgd", wd=0.0)`) is judged by what
its callers pass, not by its own defaults: `make_opt(net, "adam", wd=5e-4)` makes an Adam with
decay, and a knob every caller sets to 0 decays nothing. The callers are the calls of the
function's name in the same module (a notebook's cells are one module), found in the index's
table of calls by callee name, each checked to reach this very function.

A module-level function with parameters, of a module on disk, is also looked for in the other
files of its project: the project's scan (`analysis/project_scan.py`, once per process and root,
so a run stays linear) picks the few files whose imports may bring it (`from pkg.mod import
make_opt`, `import pkg.mod as m` with `m.make_opt(...)`), and the notebooks whose text names both
the module and the function; only those are parsed (`Project`; a notebook's code cells joined, as
its lint reads them), and each call of the name there is kept where the caller's import resolves
to this very function.
The caller's arguments are read in the caller's module; the message names its file and line.
The scanned directories and the picked files are recorded as dependencies of the result, so a
caller added or changed later makes a cached result stale. A function no call reaches, here or
in another file, keeps being read with its defaults.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable
from pathlib import Path

from wdlint.analysis import project_scan
from wdlint.analysis.env import Env
from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.scopes import BindingKind
from wdlint.analysis.syntax import expr_text
from wdlint.frontends.dependencies import Stamp, note_stamps
from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from wdlint.analysis.project import Project

MAX_CALLERS = 16  # contexts per function: past this, its defaults are read as well
_MAX_FILES = 20  # other files whose imports may bring the function, parsed per function
_SHOWN = 60  # a call shown longer than this is shortened to its function's name


class Caller(Record):
    """A call of the function around a place, and the place read as that call runs it."""

    call: ast.Call
    env: Env | None  # None: the call cannot be mapped (`*args`, `**kwargs`): defaults apply
    # the caller's place in another file, from the project's root: `train.py:4`, `nb.ipynb:cell 3:2`
    where: str | None = None

    def describe(self) -> str:
        shown = expr_text(self.call)
        if len(shown) > _SHOWN:
            shown = f"{expr_text(self.call.func)}(...)"
        place = f"line {self.call.lineno}" if self.where is None else self.where
        return f"called from {place} as `{shown}`"


def callers(env: Env) -> tuple[list[Caller], bool]:
    """The calls of the function whose body `env` reads in, each as a context at `env`'s place,
    and whether its defaults apply too (no call found, or too many to read each)."""
    scope = env.scope
    function = scope.node
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or env.frames:
        return [], True
    method = scope.parent is not None and scope.parent.is_class
    found: list[Caller] = []
    for call in env.index.calls_by_name.get(function.name, ()):
        where = env.at(env.index.scope_of[id(call)], call.lineno)
        if not _reaches(where, call, function, method):
            continue
        if len(found) == MAX_CALLERS:
            return found, True
        inlined = None if _unmappable(call) else where.inlined(function, call)
        found.append(Caller(call, None if inlined is None else inlined.at(scope, env.line)))
    in_file = _in_file(env)
    if in_file is not None:
        others = _other_files(env, *in_file, MAX_CALLERS + 1 - len(found))
        if len(found) + len(others) > MAX_CALLERS:
            return [*found, *others][:MAX_CALLERS], True
        found += others
    return found, not found


def expect_callers(envs: Iterable[Env]) -> None:
    """`callers` is about to be asked at each of `envs` (places of one module): the project's
    scan looks for the other files' calls of all their functions at once, in one search."""
    wanted: dict[Path, list[str]] = {}
    for env in envs:
        in_file = _in_file(env)
        if in_file is not None:
            wanted.setdefault(in_file[1], []).append(in_file[0].name)
    for path, names in wanted.items():
        scan = project_scan.scan(project_scan.project_root(path))
        scan.expect_importers(names, *_module_names(path))
        project_scan.expect_mentions((notebook for notebook, _ in scan.notebooks), names, _module_names(path))


def _in_file(env: Env) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, Path] | None:
    """The function whose body `env` reads in and the file of its module, where other files may
    call it: a module-level function with parameters, of a Python file of a project."""
    scope = env.scope
    function = scope.node
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or env.frames:
        return None
    if scope.parent is not env.index.module_scope or not _has_parameters(function):
        return None
    if env.project is None or env.index.path is None or env.index.path.suffix != ".py":
        return None
    path = Path(os.path.abspath(env.index.path))
    return (function, path) if path.is_file() else None


def _module_names(path: Path) -> tuple[str, str]:
    """(the module, its package) that an import of the file at `path` names: `from pkg.mod
    import f`, `import pkg.mod as m`, or `from pkg import f` re-exported."""
    module = path.parent.name if path.name == "__init__.py" else path.stem
    return module, path.parent.name


def _unmappable(call: ast.Call) -> bool:
    return any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)


def _has_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    arguments = function.args
    return bool(arguments.posonlyargs or arguments.args or arguments.kwonlyargs)


def _other_files(env: Env, function: ast.FunctionDef | ast.AsyncFunctionDef, path: Path, limit: int) -> list[Caller]:
    """The calls of `function`, of the file at `path`, in other files of the project that import
    it, at most `limit`."""
    project = env.project
    assert project is not None  # `_in_file`
    # each site of the function asks in turn: the files are searched and parsed for the first
    calls, stamps = project.last_search((function, path), lambda: _calls_elsewhere(project, function, path))
    note_stamps(stamps)
    found: list[Caller] = []
    for call, index, place in calls[:limit]:
        if _unmappable(call):
            found.append(Caller(call, None, place))
            continue
        where = Env.of_module(index, project).at(index.scope_of[id(call)], call.lineno)
        # the function's body read with its module's index, the arguments where they are written
        inlined = where.in_module(env.index).inlined(function, call)
        found.append(Caller(call, None if inlined is None else inlined.at(env.scope, env.line), place))
    return found


# a call of a function in another file: the call, its module's index, and where it is written
# as its message names it (`train.py:4`). No environment: one holds the project, which keeps
# the search (a cycle, which the cyclic collector would have to find).
_CallElsewhere = tuple[ast.Call, ModuleIndex, str]


def _calls_elsewhere(
    project: Project, function: ast.FunctionDef | ast.AsyncFunctionDef, path: Path
) -> tuple[list[_CallElsewhere], tuple[Stamp, ...]]:
    """The first `MAX_CALLERS + 1` calls of `function` (more than any site reads) in the files
    of the project that may import it, and the stamps of the directories and files searched."""
    root = project_scan.project_root(path)
    scan = project_scan.scan(root)
    module, package = _module_names(path)
    picked = scan.importers(function.name, module, package, besides=path)[:_MAX_FILES]
    notebooks = [
        (notebook, stamp)
        for notebook, stamp in scan.notebooks
        if project_scan.mentions(notebook, function.name)
        and (project_scan.mentions(notebook, module) or project_scan.mentions(notebook, package))
    ][: _MAX_FILES - len(picked)]
    stamps = (*scan.directories, *(f.stamp for f in picked), *(stamp for _, stamp in notebooks))
    found: list[_CallElsewhere] = []
    for caller_path in [f.path for f in picked] + [notebook for notebook, _ in notebooks]:
        index = project.module(caller_path)
        if index is None:
            continue
        reading = Env.of_module(index, project)
        shown = os.path.relpath(caller_path, root).replace(os.sep, "/")
        for call in index.calls_by_name.get(function.name, ()):
            where = reading.at(index.scope_of[id(call)], call.lineno)
            if not _imports_it(where, call, function, path):
                continue
            if len(found) > MAX_CALLERS:
                return found, stamps
            found.append((call, index, f"{shown}:{project.place(caller_path, call.lineno)}"))
    return found, stamps


def _imports_it(env: Env, call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, path: Path) -> bool:
    """Whether the called name is an import of `function` of the module at `path`."""
    target = _imported_target(env, call.func)
    imported = env.resolve_import(target) if target is not None else None
    for _ in range(3):  # a package may re-export it: `from .mod import make_opt` in `__init__.py`
        if imported is None or imported.index.path is None or env.project is None:
            return False
        binding = imported.binding
        if binding.kind is BindingKind.DEFINITION:
            found = binding.function
            return (
                found is not None
                and (found.name, found.lineno) == (function.name, function.lineno)
                and os.path.abspath(imported.index.path) == str(path)
            )
        if binding.kind is not BindingKind.IMPORT:
            return False
        imported = env.project.resolve(imported.index.path, binding.target)
    return False


def _imported_target(env: Env, func: ast.expr) -> str | None:
    """The qualified name an imported callee writes: `make_opt` -> "pkg.mod.make_opt",
    `m.make_opt` -> "pkg.mod.make_opt" under `import pkg.mod as m`."""
    attributes: list[str] = []
    while isinstance(func, ast.Attribute):
        attributes.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return None
    found = env.lookup(func.id)
    if found is None or found[0].kind is not BindingKind.IMPORT:
        return None
    return ".".join([found[0].target, *reversed(attributes)])


def _reaches(env: Env, call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> bool:
    """`make_opt(...)` naming this function where it is written, or `self.build(...)` of a method."""
    if isinstance(call.func, ast.Name) and not method:
        found = env.lookup(call.func.id)
        return found is not None and found[0].kind is BindingKind.DEFINITION and found[0].function is function
    if isinstance(call.func, ast.Attribute) and method:
        return isinstance(call.func.value, ast.Name) and call.func.value.id in ("self", "cls")
    return False


def takes_a_parameter(env: Env, call: ast.Call) -> bool:
    """Whether the called object is a parameter of the function around: `def build(cls): cls(...)`."""
    if not isinstance(call.func, ast.Name):
        return False
    found = env.lookup(call.func.id)
    return found is not None and found[0].kind is BindingKind.PARAM
