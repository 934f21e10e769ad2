"""The PEFT table of `wdlint.knowledge.adapters` against what it describes.

The heads a classification task saves are built from transformers on the `meta` device; the
configs are read (never imported) from PEFT's own source, the package the test extra installs
(found, not imported).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import warnings
from pathlib import Path

import pytest
from test_models import SMALL, TRANSFORMERS_FAMILIES, _classes

from wdlint.knowledge.adapters import ADDED_IN_PEFT_0_22, BIAS, BIAS_FREE_HEADS, METHODS, TASKS, Task
from wdlint.knowledge.models import ModelFamily
from wdlint.knowledge.params import is_norm_class_name


def _peft_source() -> Path:
    spec = importlib.util.find_spec("peft")  # a top-level package is found without running it
    assert spec is not None and spec.origin is not None, 'PEFT is part of the test extra: pip install -e ".[test]"'
    return Path(spec.origin).parent


PEFT_SOURCE = _peft_source()


def _saved_heads_hold_a_bias_or_norm(model: object, task: Task) -> bool:
    """What PEFT's `_set_trainable` saves for the task (every module whose name ends with one of
    its names) holds a bias or a norm."""
    saved = [
        module
        for name, module in model.named_modules()  # type: ignore[attr-defined]
        if any(name.endswith(head) for head in task.modules)
    ]
    return any(
        is_norm_class_name(type(inner).__name__) or any(n.endswith("bias") for n, _ in inner.named_parameters(recurse=False))
        for module in saved
        for inner in module.modules()
    )


@pytest.mark.parametrize("family", TRANSFORMERS_FAMILIES, ids=lambda family: family.name)
def test_task_heads_match_the_real_models(family: ModelFamily) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    for task in TASKS:
        for model_type, class_name, suffix in _classes(family):
            if suffix != task.head:
                continue
            config = transformers.AutoConfig.for_model(model_type, **SMALL)
            with warnings.catch_warnings(), torch.device("meta"):
                warnings.simplefilter("ignore")
                model = getattr(transformers, class_name)(config)
            listed_free = (family.name, suffix) in BIAS_FREE_HEADS
            assert _saved_heads_hold_a_bias_or_norm(model, task) != listed_free, (class_name, task.name)


def test_bias_free_heads_name_known_families_and_heads() -> None:
    names = {family.name for family in TRANSFORMERS_FAMILIES}
    heads = {task.head for task in TASKS}
    assert all(family in names and head in heads for family, head in BIAS_FREE_HEADS)


def _peft_classes() -> dict[str, ast.ClassDef]:
    return _parse_peft()


@functools.cache
def _parse_peft() -> dict[str, ast.ClassDef]:
    """The classes of PEFT's configs and models (the files that define them)."""
    classes = {}
    paths = [*PEFT_SOURCE.rglob("config.py"), PEFT_SOURCE / "tuners" / "lycoris_utils.py", PEFT_SOURCE / "peft_model.py"]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, node)
    return classes


def _fields(classes: dict[str, ast.ClassDef], name: str) -> dict[str, ast.expr | None]:
    """A dataclass's fields through its bases: name -> the `field(default=...)` or plain default."""
    node = classes[name]
    found: dict[str, ast.expr | None] = {}
    for base in node.bases:
        if isinstance(base, ast.Name) and base.id in classes:
            found.update(_fields(classes, base.id))
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            value = statement.value
            if isinstance(value, ast.Call):
                value = next((k.value for k in value.keywords if k.arg == "default"), None)
            found[statement.target.id] = value
    return found


@pytest.mark.parametrize("method", METHODS, ids=lambda method: method.config)
def test_methods_match_peft_configs(method) -> None:
    classes = _peft_classes()
    fields = _fields(classes, method.config)
    assert ("modules_to_save" in fields) == method.saves_modules
    bias = fields.get("bias")
    has_bias_switch = BIAS in method.switches
    assert (isinstance(bias, ast.Constant) and bias.value == "none") == has_bias_switch
    for switch in method.switches:
        assert switch.keyword in fields, switch.keyword
        default = fields[switch.keyword]
        value = default.value if isinstance(default, ast.Constant) else None
        assert not switch.turned_on(value), f"{switch.keyword} is on by default"


def _strings(node: ast.expr | None) -> tuple[str, ...] | None:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    return tuple(element.value for element in node.elts if isinstance(element, ast.Constant))


@functools.cache
def _peft_model_names() -> dict[str, tuple[str, ...]]:
    """peft_model.py's module-level sequences of strings (`CLASSIFIER_MODULE_NAMES`, 0.22)."""
    tree = ast.parse((PEFT_SOURCE / "peft_model.py").read_text(encoding="utf-8"))
    return {
        target.id: names
        for node in tree.body
        if isinstance(node, ast.Assign) and (names := _strings(node.value)) is not None
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _saved_by(model_class: ast.ClassDef) -> list[tuple[str, ...]]:
    """The names a PEFT model class adds to `modules_to_save`: before PEFT 0.22 a local list
    `classifier_module_names = [...]` it extends the config's with; since, the names it hands
    `_add_modules_to_save(peft_config, ...)`, a local list or a module-level constant."""
    local = {
        target.id: names
        for node in ast.walk(model_class)
        if isinstance(node, ast.Assign) and (names := _strings(node.value)) is not None
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.endswith("module_names")
    }
    handed = [
        node.args[1]
        for node in ast.walk(model_class)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_add_modules_to_save"
        and len(node.args) == 2
    ]
    if not handed:
        return list(local.values())
    known = {**_peft_model_names(), **local}
    return [known.get(arg.id, ()) if isinstance(arg, ast.Name) else _strings(arg) or () for arg in handed]


@pytest.mark.parametrize("task", TASKS, ids=lambda task: task.name)
def test_tasks_match_peft_models(task: Task) -> None:
    names = _saved_by(_peft_classes()[task.model_class])
    # the table follows the newest PEFT; an older one lacks what was added since
    since = "_add_modules_to_save" in (PEFT_SOURCE / "peft_model.py").read_text(encoding="utf-8")
    expected = task.modules if since else tuple(m for m in task.modules if m not in ADDED_IN_PEFT_0_22)
    assert names and all(found == expected for found in names), (names, expected)
