"""What a model built by PEFT trains, read from the config the code builds it with.

`get_peft_model(model, LoraConfig(task_type="SEQ_CLS", bias="all"))`: the adapters, every bias
and the model's classification head. The convention is `knowledge.adapters`; this module reads a
call against it: the config's class and its keywords where they are literal (a name is followed
to its assignment, and to the assignments other branches of an `if` make), the base model's
family for the head a task saves. Whatever cannot be read is recorded as such (`unread`), never
guessed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import UNRESOLVED, constant, mapping, qualified_name, strings
from wdlint.analysis.scopes import Binding, BindingKind, Scope
from wdlint.analysis.sites import Adapters
from wdlint.analysis.syntax import expr_text
from wdlint.knowledge.adapters import (
    AUTO_LOADER_PREFIX,
    BIAS_FREE_HEADS,
    BIASED_MODULES,
    BUILDER_BY_NAME,
    LOADER,
    METHOD_BY_CONFIG,
    MODULES_TO_SAVE,
    PEFT_ROOT,
    TASK_BY_NAME,
    TASK_TYPE,
    TRAINABLE_KEYWORD,
    TRAINABLE_POSITION,
    AdapterMethod,
    Task,
)
from wdlint.knowledge.models import KnownModel
from wdlint.records import Record, field

# reads the models a module expression may hold (the receivers' reading, passed in to keep
# this module below them)
BaseModels = Callable[[Env, ast.expr], tuple[KnownModel, ...]]

_MAX_BRANCHES = 8  # assignments in other branches of an `if` read for one config


class _Reading(Record):
    configs: list[str] = field(default_factory=list)
    undecayed: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    matrices: list[str] = field(default_factory=list)

    def adapters(self) -> Adapters:
        return Adapters(
            " or ".join(dict.fromkeys(self.configs)) or "?",
            tuple(dict.fromkeys(self.undecayed)),
            tuple(dict.fromkeys(self.unread)),
            tuple(dict.fromkeys(self.matrices)),
        )


def peft_adapters(env: Env, call: ast.Call, qualified: str, base_models: BaseModels) -> Adapters:
    """What the model `call` (a callable of PEFT, `qualified`) returns trains."""
    name = qualified.rpartition(".")[2]
    if isinstance(call.func, ast.Attribute) and call.func.attr == LOADER:
        owner = qualified.rpartition(".")[0].rpartition(".")[2]
        auto = owner.startswith(AUTO_LOADER_PREFIX)  # takes no model argument
        return _loaded(env, call, TRAINABLE_POSITION - 1 if auto else TRAINABLE_POSITION)
    builder = BUILDER_BY_NAME.get(name)
    if builder is None or builder.config_position is None:
        return Adapters(f"`{name}`", unread=(f"what `{name}` makes trainable",))
    config = _argument(call, builder.config_position, builder.config_keyword)
    base = _argument(call, 0, "model")
    if config is None:
        return Adapters(f"`{name}`", unread=("its config",))
    reading = _Reading()
    task = TASK_BY_NAME.get(builder.task) if builder.task is not None else None
    for there, built in _configs(env, config):
        if built is None:
            reading.configs.append(f"`{expr_text(config)}`")
            reading.unread.append(f"the config `{expr_text(config)}`")
        else:
            _read_config(there, built, task, lambda: base_models(env, base) if base is not None else (), reading)
    return reading.adapters()


def _loaded(env: Env, call: ast.Call, position: int) -> Adapters:
    """`PeftModel.from_pretrained(model, path)`: adapters loaded frozen, unless `is_trainable`
    (the keyword, or the argument at `position`)."""
    trainable = _argument(call, position, TRAINABLE_KEYWORD)
    if trainable is None and any(isinstance(a, ast.Starred) for a in call.args):
        return Adapters("a checkpoint's config", unread=("the arguments of `from_pretrained`",))
    if trainable is None:
        return Adapters("a checkpoint's config, loaded frozen")
    value = constant(env, trainable)
    if value is False:
        return Adapters("a checkpoint's config, loaded frozen")
    if value is UNRESOLVED:
        return Adapters("a checkpoint's config", unread=(f"`{TRAINABLE_KEYWORD}={expr_text(trainable)}`",))
    return Adapters("a checkpoint's config", unread=("the config saved with the checkpoint",))


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    given = next((k.value for k in call.keywords if k.arg == keyword), None)
    if given is not None:
        return given
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return call.args[position]
    return None


def _configs(env: Env, node: ast.expr) -> Iterator[tuple[Env, ast.Call | None]]:
    """The config calls an expression may hold: a call, or each assignment a name may see."""
    if isinstance(node, ast.Call):
        yield env, node
        return
    if not isinstance(node, ast.Name) or env.exhausted:
        yield env, None
        return
    found = env.lookup(node.id)
    if found is None:
        yield env, None
        return
    for binding in _reaching(found[0], found[1], node.id):
        value = binding.value
        if binding.kind is BindingKind.ASSIGN and isinstance(value, (ast.Call, ast.Name)):
            yield from _configs(env.deeper(found[1], binding.lineno), value)
        else:
            yield env, None


def _reaching(binding: Binding, scope: Scope, name: str) -> list[Binding]:
    """`binding` and the assignments of other branches of the `if`s around it that a use after
    them may see instead: `if a: c = X(...) elif b: c = Y(...) else: c = Z(...)`, or `c = X(...)`
    before `if a: c = Y(...)`."""
    found = [binding]
    position = scope.position(name, binding)
    if position is None or not binding.conditions:
        return found
    for earlier in reversed(scope.bindings[name][max(0, position - _MAX_BRANCHES) : position]):
        if all(_exclusive(earlier, later) for later in found):
            found.append(earlier)
        elif _encloses(earlier, binding):
            found.append(earlier)  # runs whenever the branches after it do not
            break
        else:
            break
    return found


def _exclusive(one: Binding, other: Binding) -> bool:
    """In opposite branches of one `if`: the same conditions up to a test one is under and the
    other is under the negation of."""
    for (test, positive), (other_test, other_positive) in zip(one.conditions, other.conditions):
        if test is not other_test:
            return False
        if positive != other_positive:
            return True
    return False


def _encloses(outer: Binding, inner: Binding) -> bool:
    """`outer` runs in every case `inner`'s `if` is reached: its conditions are a strict prefix."""
    size = len(outer.conditions)
    return size < len(inner.conditions) and all(
        a[0] is b[0] and a[1] == b[1] for a, b in zip(outer.conditions, inner.conditions[:size])
    )


def _read_config(
    env: Env, call: ast.Call, implied: Task | None, base: Callable[[], tuple[KnownModel, ...]], reading: _Reading
) -> None:
    qualified = qualified_name(env, call.func) or ""
    name = qualified.rpartition(".")[2]
    method = METHOD_BY_CONFIG.get(name) if qualified.startswith(PEFT_ROOT) else None
    if method is None:
        reading.configs.append(f"`{expr_text(call.func)}(...)`")
        reading.unread.append(f"what `{expr_text(call.func)}` makes trainable")
        return
    reading.configs.append(f"`{name}`")
    keywords = _keywords(env, call, reading)
    if call.args:
        reading.unread.append(f"the positional arguments of `{name}`")
    if method.always:
        reading.undecayed.append(f"{method.always} (`{name}`)")
    if method.always_2d:
        reading.matrices.append(method.always_2d)
    for switch in method.switches:
        given = keywords.get(switch.keyword)
        if given is None:
            continue
        there, node = given
        value = constant(there, node)
        if value is UNRESOLVED:
            reading.unread.append(f"`{switch.keyword}={expr_text(node)}`")
        elif switch.turned_on(value):
            reading.undecayed.append(f"{switch.trains} (`{name}({switch.keyword}={value!r})`)")
    if method.saves_modules:
        _read_saved(keywords.get(MODULES_TO_SAVE), reading)
        _read_task(method, keywords.get(TASK_TYPE), implied, base, reading)


def _keywords(env: Env, call: ast.Call, reading: _Reading) -> dict[str, tuple[Env, ast.expr]]:
    """The config's keywords, each with where it is read; a `**mapping` we can read counts."""
    found: dict[str, tuple[Env, ast.expr]] = {}
    for keyword in call.keywords:
        if keyword.arg is not None:
            found[keyword.arg] = (env, keyword.value)
            continue
        spread = mapping(env.deeper(), keyword.value)
        if spread is None:
            reading.unread.append(f"`**{expr_text(keyword.value)}`")
            continue
        there = env.deeper(spread.scope, spread.lineno)
        found.update({key: (there, value) for key, value in spread.entries.items()})
    return found


def _read_saved(given: tuple[Env, ast.expr] | None, reading: _Reading) -> None:
    """`modules_to_save=["classifier"]`: those modules train whole, biases and norms included."""
    if given is None or constant(*given) is None:
        return
    names = strings(*given)
    if names is None:
        reading.unread.append(f"`{MODULES_TO_SAVE}={expr_text(given[1])}`")
        return
    for module in names.values:
        if module.rpartition(".")[2] in BIASED_MODULES:
            reading.undecayed.append(f"the `{module}` module, whole (`{MODULES_TO_SAVE}`)")
        else:
            reading.unread.append(f"what the `{module}` module holds (`{MODULES_TO_SAVE}`)")


def _read_task(
    method: AdapterMethod,
    given: tuple[Env, ast.expr] | None,
    implied: Task | None,
    base: Callable[[], tuple[KnownModel, ...]],
    reading: _Reading,
) -> None:
    """A classification task saves the model's head whole: it holds a bias unless the model's
    family is known to have a bias-free one (`score`) or none that PEFT's names match."""
    task = implied
    if given is not None and task is None:
        value = constant(*given)
        if value is UNRESOLVED:  # `TaskType.SEQ_CLS`: the enum member's name is its value
            qualified = qualified_name(*given) or ""
            value = qualified.rpartition(".")[2] if qualified.startswith(PEFT_ROOT) else UNRESOLVED
        if value is UNRESOLVED:
            reading.unread.append(f"`{TASK_TYPE}={expr_text(given[1])}`")
            return
        task = TASK_BY_NAME.get(value) if isinstance(value, str) else None
    if task is None:
        return
    heads = " or ".join(f"`{module}`" for module in task.modules)
    models = base()
    if not models or any(model.head != task.head for model in models):
        reading.unread.append(f"whether the model's head ({heads}) holds a bias")
        return
    free = [(model.family.name, model.head) in BIAS_FREE_HEADS for model in models]
    if all(free):
        return
    if any(free):
        reading.unread.append(f"whether the model's head ({heads}) holds a bias")
        return
    family = " or ".join(dict.fromkeys(model.family.name for model in models))
    reading.undecayed.append(f"the {family} head ({heads}), whole (`{method.config}({TASK_TYPE}={task.name!r})`)")
