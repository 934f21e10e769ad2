"""The calls of a function of the module: each one a context its body may be read in.

A helper that builds the optimizer (`def make_opt(net, kind="sgd", wd=0.0)`) is judged by what
its callers pass, not by its own defaults: `make_opt(net, "adam", wd=5e-4)` makes an Adam with
decay, and a knob every caller sets to 0 decays nothing. The callers are the calls of the
function's name in the same module (a notebook's cells are one module), found in the index's
table of calls by callee name, each checked to reach this very function. Calls from other
files are not looked for: that would read every file of the project for each file linted, and
a cached result could not know when a new caller appears; a function no call in its module
reaches keeps being read with its defaults.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from wdlint.analysis.env import Env
from wdlint.analysis.scopes import BindingKind
from wdlint.analysis.syntax import expr_text

MAX_CALLERS = 16  # contexts per function: past this, its defaults are read as well
_SHOWN = 60  # a call shown longer than this is shortened to its function's name


@dataclass(frozen=True)
class Caller:
    """A call of the function around a place, and the place read as that call runs it."""

    call: ast.Call
    env: Env | None  # None: the call cannot be mapped (`*args`, `**kwargs`): defaults apply

    def describe(self) -> str:
        shown = expr_text(self.call)
        if len(shown) > _SHOWN:
            shown = f"{expr_text(self.call.func)}(...)"
        return f"called from line {self.call.lineno} as `{shown}`"


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
        unmappable = any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)
        inlined = None if unmappable else where.inlined(function, call)
        found.append(Caller(call, None if inlined is None else inlined.at(scope, env.line)))
    return found, not found


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
