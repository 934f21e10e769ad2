"""What a module expression holds: `model` in `model.named_parameters()`.

Its class when that is defined in the linted file (to list its norm parameters), the wrapper
around it (DDP, `torch.compile`, `accelerator.prepare`), the checkpoint it was loaded from, or
the known model it is (a transformers class, a timm architecture): the names of its norm
weights, less those of a layer the code replaces (`model.head = nn.Linear(...)`).
"""

from __future__ import annotations

import ast

from wdlint.analysis.env import Env
from wdlint.analysis.evaluate import constant, mapping, qualified_name
from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.modules import KnownCalls, ModelClasses
from wdlint.analysis.scopes import Binding, BindingKind, Scope
from wdlint.analysis.sites import Adapters, Receiver
from wdlint.analysis.syntax import expr_text
from wdlint.knowledge.adapters import PEFT_ROOT
from wdlint.knowledge.models import (
    Known,
    KnownModel,
    auto_head,
    checkpoint_family,
    transformers_class,
)
from wdlint.knowledge.params import (
    ATTRIBUTE_FORWARDING_WRAPPERS,
    EMBEDDING_ACCESSORS,
    MODEL_WRAPPERS,
    PREPARED_MODEL_ATTRIBUTE,
    UNWRAPPING_METHODS,
    WRAPPED_MODEL_ATTRIBUTE,
    WRAPPING_METHODS,
)
from wdlint.knowledge.timm_models import FACTORIES as TIMM_FACTORIES
from wdlint.records import Record


class ModuleIdentifier:
    """Reads module expressions of one file, whose classes it knows."""

    def __init__(self, index: ModuleIndex) -> None:
        self.model_classes = ModelClasses(index)
        self.index = index

    def _unpacked(self, name: str, lineno: int) -> tuple[int, ast.expr] | None:
        """`a, name, c = TABLE[key]` (or `= call(...)`) on line `lineno`: the position of `name`
        and the value unpacked."""
        for assign in self.index.unpackings.get(lineno, ()):
            for target in assign.targets:
                if isinstance(target, (ast.Tuple, ast.List)):
                    for position, element in enumerate(target.elts):
                        if isinstance(element, ast.Name) and element.id == name:
                            return position, assign.value
        return None

    def receiver(self, env: Env, node: ast.expr) -> Receiver:
        identity = self._identify_module(env, node)
        norms = self._norm_parameters(env, identity.class_name) if identity.class_name else None
        model = None
        if norms is None and identity.known:  # a class of the project comes first
            norms = tuple(dict.fromkeys(name for known in identity.known for name in known.norm_params))
            names = list(dict.fromkeys(known.name for known in identity.known))
            model = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        return Receiver(
            expr_text(node), norms, identity.wrapped_by, identity.checkpoint, model, identity.plain, identity.adapters
        )

    def _norm_parameters(self, env: Env, class_name: str) -> tuple[str, ...] | None:
        """Norm parameter names of a class defined in this file or imported from the project."""
        local = self.model_classes.norm_parameters(class_name, _known_calls(Env.of_module(env.index, env.project)))
        if local is not None:
            return local
        found = env.lookup(class_name)
        imported = env.imported(found[0]) if found is not None else None
        if imported is None:
            return None
        name = found[0].target.rpartition(".")[2] if found is not None else class_name
        known = _known_calls(Env.of_module(imported.index, env.project))
        return ModelClasses(imported.index).norm_parameters(name, known)

    def _identify_module(self, env: Env, node: ast.expr) -> _Identity:
        """What we know of the model a module expression holds: its class, wrapper, checkpoint."""
        if env.exhausted:
            return _Identity()
        scope = env.scope
        if isinstance(node, ast.Name) and node.id == "self":
            name = _enclosing_class(scope)
            return _Identity(class_name=name, plain=name is not None and self.model_classes.plain_class(name))
        if isinstance(node, ast.Attribute):  # `self.head`, `model.backbone`, `ddp_model.module`
            owner = self._identify_module(env.deeper(), node.value)
            if owner.inner is not None and node.attr == _model_attribute(owner.wrapped_by):
                return owner.inner
            while owner.inner is not None and owner.wrapped_by in ATTRIBUTE_FORWARDING_WRAPPERS:
                owner = owner.inner  # `compiled.lm_head` is the compiled model's
            value = self.model_classes.attribute(owner.class_name, node.attr) if owner.class_name else None
            value = _strip_moves(value) if value is not None else None
            return self._constructed(env, value) if isinstance(value, ast.Call) else _Identity()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EMBEDDING_ACCESSORS:
            # `text_encoder.get_input_embeddings()`: the token embedding table, one 2-D weight
            return _Identity(plain=not node.args and not node.keywords)
        if isinstance(node, ast.Call):  # `GPT(config).parameters()`, `accelerator.unwrap_model(model)`
            called = _strip_moves(node)
            if isinstance(called, ast.Call):
                return self._constructed(env, called)
            return self._identify_module(env.deeper(), called)
        if not isinstance(node, ast.Name):
            return _Identity()
        found = env.lookup(node.id)
        if found is None or found[0].value is None:
            return _Identity()
        binding, defining = found
        value = _strip_moves(binding.value) if binding.value is not None else None
        if binding.kind is BindingKind.ASSIGN and isinstance(value, (ast.Name, ast.Attribute)):
            return self._identify_module(env.deeper(defining, binding.lineno), value)
        if not isinstance(value, ast.Call):
            return _Identity()
        there = env.at(defining, binding.lineno)
        wrapper = self._wrapper(there, value)
        if wrapper is not None:
            # from an enclosing scope we only know the name's last binding, not the one in force
            # when the function runs (it may group before the script wraps the model)
            if defining is not scope:
                return _Identity()
            # a wrapper's parameters are its model's: a PEFT model still trains its adapters only
            wrapped = self._wrapped(value, binding, node.id)
            inner = self._identify_module(there.deeper(), wrapped) if wrapped is not None else _Identity()
            return _Identity(wrapped_by=wrapper, adapters=inner.adapters, inner=inner)
        if binding.kind is BindingKind.UNPACKED:
            return _Identity()
        identity = self._constructed(there, value)
        return self._with_replacements(identity, node.id, binding.lineno) if identity.known else identity

    def _with_replacements(self, identity: _Identity, name: str, lineno: int) -> _Identity:
        """The known model after the code replaced or removed layers of it, anywhere after it was
        made (`model.head = nn.Linear(...)`, `model.norm = nn.Identity()`, `model.head.fc = ...`):
        the norms listed under a layer assigned into are gone. An attribute that heads no listed
        name is no layer of them (`model.config.pad_token_id = ...`), or a stage whose norms are
        listed by their ends and live on in the other stages."""
        layers = {attribute for line, attribute in self.index.layer_assignments.get(name, ()) if line > lineno}
        if not layers:
            return identity
        known: list[Known] = []
        for model in identity.known:
            kept = tuple(n for n in model.norm_params if n.split(".", 1)[0] not in layers)
            known.append(model if len(kept) == len(model.norm_params) else _Replaced(model.name, kept))
        return identity._replace(known=tuple(known))

    def _wrapped(self, call: ast.Call, binding: Binding, name: str) -> ast.expr | None:
        """The module a wrapping call wraps: `DDP(model)`, and in
        `model, opt = accelerator.prepare(model, opt)` the argument where `model` is unpacked."""
        position = 0
        if binding.kind is BindingKind.UNPACKED:
            unpacked = self._unpacked(name, binding.lineno)
            if unpacked is None or unpacked[1] is not call:
                return None
            position = unpacked[0]
        if position >= len(call.args) or any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return None
        return call.args[position]

    def _constructed(self, env: Env, value: ast.Call) -> _Identity:
        """The model a call returns: a class constructed or loaded, a PEFT model, or what a
        function of the file returns."""
        returned = self._returned(env, value)
        if returned is not None:
            return returned
        if isinstance(value.func, ast.Attribute) and value.func.attr in UNWRAPPING_METHODS and len(value.args) == 1:
            wrapped = self._identify_module(env.deeper(), value.args[0])  # `accelerator.unwrap_model(model)`
            return wrapped.inner if wrapped.inner is not None else wrapped
        qualified = qualified_name(env, value.func) or ""
        # PEFT's and timm's readers are imported for a call that names their library
        if qualified.startswith(PEFT_ROOT):
            from wdlint.analysis.adapters import peft_adapters

            return _Identity(adapters=peft_adapters(env, value, qualified, self._known_models))
        if qualified in TIMM_FACTORIES:
            from wdlint.analysis.timm_calls import created_model

            timm = created_model(env, value)
            return _Identity(known=(timm,) if timm is not None else ())
        if isinstance(value.func, ast.Attribute) and value.func.attr == "from_pretrained":
            checkpoint = self._checkpoint(env, value)
            return _Identity(checkpoint=checkpoint, known=self._pretrained(env, value.func.value, checkpoint))
        class_name = _constructed_class(value)
        known = transformers_class(class_name) if class_name and qualified.startswith("transformers.") else None
        return _Identity(class_name=class_name, known=(known,) if known else (), plain=self.model_classes.plain(value))

    def _returned(self, env: Env, call: ast.Call) -> _Identity | None:
        """`model = build_model(cfg)`: the model the function's one `return` gives, read with
        the call's arguments; None when the callee is not a function of this file."""
        found = env.lookup(call.func.id) if isinstance(call.func, ast.Name) else None
        function = found[0].function if found is not None else None
        if function is None or env.exhausted:
            return None
        returns = env.index.returns.get(id(function), [])
        body = env.inlined(function, call) if len(returns) == 1 else None
        if body is None or returns[0].value is None:
            return _Identity()
        there = body.deeper(line=returns[0].lineno)
        value = _strip_moves(returns[0].value)
        if isinstance(value, ast.Call):
            return self._constructed(there, value)
        return self._identify_module(there, value)

    def _known_models(self, env: Env, node: ast.expr) -> tuple[KnownModel, ...]:
        """The transformers models (their families and heads) a module expression may be."""
        return tuple(k for k in self._identify_module(env.deeper(), node).known if isinstance(k, KnownModel))

    def _pretrained(self, env: Env, loader: ast.expr, checkpoint: str | None) -> tuple[Known, ...]:
        """The models `loader.from_pretrained(checkpoint)` may load: a transformers class names
        its family and head (`GPT2LMHeadModel`); an `AutoModel*` its head, and the checkpoint
        the family; a class picked from a table (`_, model_class, _ = MODEL_CLASSES[key]`) the
        entry its key (a CLI option's default) picks, else each entry's."""
        if isinstance(loader, ast.Name) and not env.exhausted:
            found = env.lookup(loader.id)
            if found is not None and found[0].kind is BindingKind.ASSIGN and isinstance(found[0].value, ast.Subscript):
                return _table(env.deeper(found[1], found[0].lineno), found[0].value, None)
            unpacked = self._unpacked(loader.id, found[0].lineno) if found is not None else None
            if found is not None and unpacked is not None and isinstance(unpacked[1], ast.Subscript):
                return _table(env.deeper(found[1], found[0].lineno), unpacked[1], unpacked[0])
        known = _transformers_model(env, loader, checkpoint)
        return (known,) if known is not None else ()

    def _checkpoint(self, env: Env, call: ast.Call) -> str | None:
        """The checkpoint name given to `from_pretrained`, when it is a known string: a CLI
        option's default counts."""
        keyword = next((k.value for k in call.keywords if k.arg == "pretrained_model_name_or_path"), None)
        node = call.args[0] if call.args else keyword
        value = constant(env, node) if node is not None else None
        return value if isinstance(value, str) else None

    def _wrapper(self, env: Env, call: ast.Call) -> str | None:
        qualified = qualified_name(env, call.func)
        if qualified in MODEL_WRAPPERS:
            return qualified
        if isinstance(call.func, ast.Attribute) and call.func.attr in WRAPPING_METHODS:
            return expr_text(call.func)
        return None


class _Identity(Record):
    class_name: str | None = None  # defined in this file
    wrapped_by: str | None = None
    checkpoint: str | None = None  # `from_pretrained("bert-base-cased")`
    # the known models it may be: one, or each a table's entries may pick
    known: tuple[Known, ...] = ()
    plain: bool = False  # provably without a bias or a norm weight
    adapters: Adapters | None = None  # `get_peft_model(...)`: what it trains
    inner: _Identity | None = None  # a wrapper's: the model it wraps


def _model_attribute(wrapped_by: str | None) -> str | None:
    """Where a wrapper keeps the model: `module` of DDP and of what `accelerator.prepare` builds."""
    if wrapped_by is None:
        return None
    return WRAPPED_MODEL_ATTRIBUTE.get(wrapped_by, PREPARED_MODEL_ATTRIBUTE)


def _known_calls(module: Env) -> KnownCalls:
    """The norms of the known model a call in a class of `module` builds: a timm architecture.
    Its arguments are read where the call is, a parameter of `__init__` as unknown (the class
    may be built with any value), a command-line option as any of its values."""

    def norms(call: ast.Call) -> tuple[str, ...] | None:
        scope = module.index.scope_of.get(id(call))
        if scope is None or qualified_name(module, call.func) not in TIMM_FACTORIES:
            return None
        from wdlint.analysis.timm_calls import created_model

        built = created_model(module.at(scope, call.lineno).choosing_a_branch(), call)
        return built.norm_params if built is not None else None

    return norms


def _transformers_model(env: Env, loader: ast.expr, checkpoint: str | None) -> KnownModel | None:
    qualified = qualified_name(env, loader) or ""
    name = qualified.rpartition(".")[2]
    if not qualified.startswith("transformers."):
        return None
    if name.startswith("AutoModel"):
        family = checkpoint_family(checkpoint) if checkpoint else None
        return KnownModel(family, auto_head(name)) if family is not None else None
    return transformers_class(name)


def _table(env: Env, node: ast.Subscript, position: int | None) -> tuple[Known, ...]:
    """`MODEL_CLASSES[key]` over `{"bert": (BertConfig, BertForSequenceClassification, ...)}`:
    the model class at `position` of the entry `key` picks, else of each entry (nothing unless
    every one is a model we know)."""
    found = mapping(env.deeper(), node.value)
    if found is None or not found.entries:
        return ()
    key = constant(env, node.slice)
    entries = [found.entries[key]] if isinstance(key, str) and key in found.entries else list(found.entries.values())
    there = env.deeper(found.scope, found.lineno)
    models = []
    for entry in entries:
        elements = entry.elts if isinstance(entry, (ast.Tuple, ast.List)) else [entry]
        if position is not None:
            elements = elements[position : position + 1]
        known = _transformers_model(there, elements[0], None) if len(elements) == 1 else None
        if known is None:
            return ()
        models.append(known)
    return tuple(models)


class _Replaced(Record):
    """A known model some of whose listed norms the code replaced."""

    name: str
    norm_params: tuple[str, ...]


_MOVES = frozenset({"to", "cuda", "cpu", "train", "eval", "float", "half", "bfloat16", "double", "requires_grad_"})


def _strip_moves(node: ast.expr) -> ast.expr:
    """`GPT(cfg).to(device).train()` -> `GPT(cfg)`: these return the module itself."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MOVES:
        node = node.func.value
    return node


def _constructed_class(value: ast.expr) -> str | None:
    value = _strip_moves(value)
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            return func.attr
    return None


def _enclosing_class(scope: Scope) -> str | None:
    current: Scope | None = scope
    while current is not None:
        if current.is_class and isinstance(current.node, ast.ClassDef):
            return current.node.name
        current = current.parent
    return None
