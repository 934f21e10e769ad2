"""The code that consumes a config file's optimizer, read from a module of the project.

`frontends/dialects/links.py` finds the module from the config; this reads its calls: the
methods of a class that call the config's optimizer partial (`self.hparams.optimizer(params=...)`,
lightning-hydra-template), or the calls `knowledge/consumers.py` lists that build a config's
optimizer (`deepspeed.initialize(model_parameters=..., config="ds_config.json")`,
`hydra.utils.instantiate(cfg.optimizer, params)`), and classifies the params they pass as the
module's own optimizer calls are classified. Nothing is imported or run.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator

from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import constant, qualified_name
from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.params import AtCallSite, ParamClassifier
from wdlint.analysis.project import Project
from wdlint.analysis.receivers import ModuleIdentifier
from wdlint.analysis.sites import ParamSource
from wdlint.analysis.syntax import expr_text
from wdlint.diagnostics import Span
from wdlint.knowledge.consumers import CONSUMER_CALLS, HPARAMS_ATTRIBUTES, PARTIAL_CALL, ConsumerCall
from wdlint.records import Record


class Consumed(Record):
    """A call that hands the config's optimizer its params."""

    convention: ConsumerCall
    line: int  # of the call, in the consuming module
    call: str  # the call as written, shortened
    params: ParamSource  # placed at the config's optimizer (the span given)


class ConfigName(Record):
    """How code may name a config file: by its file name, or (Hydra) its stem."""

    file_name: str
    stem: str | None  # None: only the full name names it (a JSON file)

    def named_by(self, value: object) -> bool:
        if not isinstance(value, str) or not value:
            return False
        base = os.path.basename(value.replace("\\", "/"))
        return base == self.file_name or (self.stem is not None and base == self.stem)


def partial_calls(project: Project, module: os.PathLike[str], class_name: str, key: str, where: Span) -> list[Consumed]:
    """Calls in the methods of `class_name` of the module at `module` of its config's
    partial under `key`: `self.hparams.key(params=...)`, `self.hparams["key"](...)`,
    `self.key(...)` or `self.attr(...)` where `__init__` sets `self.attr = key`."""
    index = project.module(module)
    if index is None:
        return []
    cls = _class(index, class_name)
    if cls is None:
        return []
    attributes = {key, *_attributes_set_to(cls, key)}
    found = []
    for call in index.calls:
        scope = index.scope_of[id(call)]
        owner = scope.parent
        if owner is None or owner.node is not cls or not _calls_partial(call.func, key, attributes):
            continue
        params = _argument(call, PARTIAL_CALL.params)
        if params is None:
            continue
        env = Env.of_module(index, project).at(scope, call.lineno)
        found.append(_consumed(PARTIAL_CALL, index, env, call, params, where))
    return found


def config_calls(project: Project, module: os.PathLike[str], name: ConfigName, key: str, where: Span) -> list[Consumed]:
    """Calls in the module at `module` that build the optimizer under `key` of the config
    `name` names, over params they pass."""
    index = project.module(module)
    if index is None:
        return []
    found = []
    for call in index.calls:
        env = Env.of_module(index, project).at(index.scope_of[id(call)], call.lineno)
        convention = _convention(env, call)
        if convention is None or any(k.arg in convention.overriding for k in call.keywords):
            continue
        if not _names_config(env, call, convention, name, key):
            continue
        params = _argument(call, convention.params)
        if params is not None:
            found.append(_consumed(convention, index, env, call, params, where))
    return found


def _consumed(
    convention: ConsumerCall, index: ModuleIndex, env: Env, call: ast.Call, params: ast.expr, where: Span
) -> Consumed:
    source = ParamClassifier(AtCallSite(where), ModuleIdentifier(index)).classify(env, params)
    keyword = next((k.arg for k in call.keywords if k.value is params), None)
    shown = f"{keyword}=..." if keyword is not None else "..."
    return Consumed(convention, call.lineno, f"{expr_text(call.func, 50)}({shown})", source)


def _convention(env: Env, call: ast.Call) -> ConsumerCall | None:
    qualified = qualified_name(env, call.func)
    last = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
    for convention in CONSUMER_CALLS:
        if qualified in convention.callees or (convention.last_name and last in convention.callees):
            return convention
    return None


def _names_config(env: Env, call: ast.Call, convention: ConsumerCall, name: ConfigName, key: str) -> bool:
    """Whether the call's config argument is this config's file (DeepSpeed: a path, or the
    argparse default of `args`) or its section `key` (`cfg.optimizer`, `cfg["optim"]`)."""
    if convention.config is None:
        return False
    nodes = [n for n in (_argument(call, convention.config),) if n is not None]
    nodes += [k.value for k in call.keywords if k.arg in convention.config_aliases]
    if convention.args_option is not None and not nodes:
        args = _argument(call, ("args", 0))
        if args is not None:
            nodes.append(ast.Attribute(value=args, attr=convention.args_option, ctx=ast.Load()))
    for node in nodes:
        by_section = convention.args_option is None and _section_key(node) == key
        if by_section or name.named_by(constant(env, node)):
            return True
    return False


def _section_key(node: ast.expr) -> str | None:
    """`cfg.optimizer` -> "optimizer"; `cfg["optim"]` -> "optim"."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return None


def _argument(call: ast.Call, where: tuple[str, int | None]) -> ast.expr | None:
    keyword, position = where
    for k in call.keywords:
        if k.arg == keyword:
            return k.value
    if position is None or position >= len(call.args):
        return None
    if any(isinstance(arg, ast.Starred) for arg in call.args[: position + 1]):
        return None
    return call.args[position]


def _class(index: ModuleIndex, name: str) -> ast.ClassDef | None:
    tree = index.module_scope.node
    assert isinstance(tree, ast.Module)
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)


def _attributes_set_to(cls: ast.ClassDef, key: str) -> Iterator[str]:
    """`self.optimizer_cfg = optimizer` in a method of the class (its `__init__`)."""
    for node in ast.walk(cls):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id == key:
            for target in node.targets:
                if _is_self_attribute(target):
                    assert isinstance(target, ast.Attribute)
                    yield target.attr


def _calls_partial(func: ast.expr, key: str, attributes: set[str]) -> bool:
    if isinstance(func, ast.Attribute):
        holder = func.value
        if _is_self_attribute(holder) and isinstance(holder, ast.Attribute) and holder.attr in HPARAMS_ATTRIBUTES:
            return func.attr == key  # self.hparams.optimizer
        return isinstance(holder, ast.Name) and holder.id == "self" and func.attr in attributes
    if isinstance(func, ast.Subscript) and _is_self_attribute(func.value):
        holder = func.value
        assert isinstance(holder, ast.Attribute)
        return holder.attr in HPARAMS_ATTRIBUTES and _section_key(func) == key  # self.hparams["optimizer"]
    return False


def _is_self_attribute(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
