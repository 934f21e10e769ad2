"""The OptimizerSite IR: what the extraction knows about one optimizer construction.

Every front-end produces these and every static rule reads them, so a rule never needs to
re-read the syntax tree for what a site already knows.
"""

from __future__ import annotations

from enum import Enum

from wdlint.diagnostics import Span
from wdlint.knowledge.optimizers import OptimizerSpec
from wdlint.records import Record


class ValueKind(Enum):
    LITERAL = "literal"  # resolved to a constant written in the code
    DEFAULT = "default"  # not given: the class default applies
    UNKNOWN = "unknown"  # given, but not resolvable statically


class Value(Record):
    kind: ValueKind
    constant: float | bool | str | None = None  # LITERAL/DEFAULT; for UNKNOWN see `hidden`
    expr: str = ""  # the source expression, for messages
    # UNKNOWN only: the value may not be given at all (it could hide in an unresolved
    # `**kwargs`), in which case `constant` holds the class default that would apply.
    hidden: bool = False
    # LITERAL only: where the value is written when that is not where it is used, for messages:
    # "line 40", "the default of `--wd`, line 12", "from `conf/base.py:3`", "the default of ultralytics"
    origin: str | None = None

    @classmethod
    def literal(cls, constant: float | bool | str | None, expr: str, origin: str | None = None) -> Value:
        return cls(ValueKind.LITERAL, constant, expr, origin=origin)

    @classmethod
    def default(cls, constant: float | bool | str | None) -> Value:
        return cls(ValueKind.DEFAULT, constant, repr(constant))

    @classmethod
    def unknown(cls, expr: str) -> Value:
        return cls(ValueKind.UNKNOWN, None, expr)

    @classmethod
    def maybe_hidden(cls, expr: str, fallback: float | bool | str | None) -> Value:
        return cls(ValueKind.UNKNOWN, fallback, expr, hidden=True)

    @property
    def is_known(self) -> bool:
        return self.kind is not ValueKind.UNKNOWN

    @property
    def _is_zero(self) -> bool:
        number = isinstance(self.constant, (int, float)) and not isinstance(self.constant, bool)
        return number and self.constant == 0

    @property
    def provably_zero(self) -> bool:
        return self.is_known and self._is_zero

    @property
    def may_decay(self) -> bool:
        """Whether this weight_decay should be read as "the user decays here".

        An expression we cannot resolve counts (the user wrote a decay knob); a value that may
        only hide in `**kwargs` counts as its class default.
        """
        if self.kind is ValueKind.UNKNOWN and not self.hidden:
            return True
        return not self._is_zero and self.constant is not None

    def describe(self) -> str:
        """How a message shows this value: `0.1`, `0.01 (the class default)`, `` `args.wd` = 0.1
        (the default of `--wd`, line 12)``, `` `**kwargs` (unknown here)``."""
        if self.kind is ValueKind.DEFAULT:
            return f"{self.constant!r} (the class default)"
        where = f" ({self.origin})" if self.origin else ""
        if self.kind is ValueKind.LITERAL and self.expr and self.expr != repr(self.constant):
            return f"`{self.expr}` = {self.constant!r}{where}"
        if self.kind is ValueKind.LITERAL:
            return f"{self.constant!r}{where}"
        return f"`{self.expr}`" + (" (unknown here)" if self.hidden else "")

    def shown(self, key: str = "weight_decay", besides: str | None = None) -> str:
        """The option and its value as a message says it: `weight_decay=0.1`; a value that can
        only come through an unresolved `**kwargs` is not printed as if the splat were it:
        ``weight_decay from `**self.hparams` (unknown here)``, with the class default that
        applies when the splat holds none. `besides`: a place the message names already (the
        class's), not repeated."""
        if self.kind is ValueKind.UNKNOWN and self.hidden:
            fallback = f"; {self.constant!r}, the class default, if it holds none" if self.may_decay else ""
            return f"{key} from `{self.expr}` (unknown here{fallback})"
        if besides is not None and self.origin == besides:
            return f"{key}={self._replace(origin=None).describe()}"
        return f"{key}={self.describe()}"


class Selector(Enum):
    """What a param selection filters on."""

    NDIM = "ndim"  # p.ndim, p.dim(), p.shape, len(p.shape)
    NAME = "name"  # the parameter's name
    OTHER = "other"


class NameMatch(Enum):
    """How a filter tests a parameter's name."""

    SUBSTRING = "substring"  # "bias" in n, any(nd in n for nd in no_decay)
    MEMBERSHIP = "membership"  # n in no_decay: equality with one of several strings
    PREFIX = "prefix"  # n.startswith(...)
    SUFFIX = "suffix"  # n.endswith(...)
    EQUALITY = "equality"  # n == "..."


class NameTest(Record):
    match: NameMatch
    span: Span  # the test as written
    expr: str
    fragments: tuple[str, ...] | None = None  # the strings the name is tested against, if known
    fragments_span: Span | None = None  # where a list of those strings is written
    collection: str | None = None  # the list's name, e.g. "no_decay"
    subject: str | None = None  # MEMBERSHIP: the name variable tested, e.g. "n"
    negated: bool = False  # `not in`, `!=` (MEMBERSHIP, SUBSTRING: `"head" not in n`)


class Adapters(Record):
    """What a model built by PEFT trains: its adapters, and what its config adds to them."""

    config: str  # the config as the code builds it: "LoraConfig", "a checkpoint's config"
    # what it trains that should not be decayed ("biases (`bias='all'`)", "the `classifier`
    # head, whole (task SEQ_CLS)"); empty when it trains nothing but adapters, as far as read
    undecayed: tuple[str, ...] = ()
    # what could not be read (a keyword's value, a config that is not a literal PEFT config):
    # then more may train than `undecayed` says
    unread: tuple[str, ...] = ()
    # names of 2-D params among `undecayed` (BEFT's `beft_bias`): a split by `ndim` misses them
    matrices: tuple[str, ...] = ()

    @property
    def only_adapters(self) -> bool:
        """It provably trains nothing but adapter weights (matrices, embeddings, scales)."""
        return not self.undecayed and not self.unread


class Receiver(Record):
    """The module whose parameters are iterated: `model` in `model.named_parameters()`."""

    expr: str
    # one representative name per norm parameter, when the module's class is defined in the
    # project or is a known model ("h.0.ln_1.weight", "ln_f.weight"); None when not known
    norm_params: tuple[str, ...] | None = None
    wrapped_by: str | None = None  # "DistributedDataParallel", "torch.compile", ...
    checkpoint: str | None = None  # the pretrained checkpoint it was loaded from, if known
    # the family of `knowledge.models` its class or checkpoint names ("GPT-2"); its norm
    # parameters are then that family's (`norm_params`)
    model: str | None = None
    plain: bool = False  # it provably holds no bias and no norm weight (`nn.Linear(.., bias=False)`)
    adapters: Adapters | None = None  # built by PEFT (`get_peft_model`): what it trains


class SourceKind(Enum):
    FLAT = "flat"  # every param of a module, in one iterable: m.parameters() and friends
    GROUPS = "groups"  # a list of param-group dicts
    SUBSET = "subset"  # selected params (by ndim, name, an explicit list)
    UNKNOWN = "unknown"


class Key(Record):
    """An option name as written in the code or config, with where it is written."""

    name: str
    span: Span


class ParamGroup(Record):
    span: Span
    params: ParamSource | None  # None when the group has no visible "params" entry
    weight_decay: Value | None  # None: the key is absent and the constructor's value applies
    keys: tuple[Key, ...]  # the literal keys the group sets
    complete: bool = True  # False when the dict also spreads something unresolved (**x)

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)

    @property
    def sets_weight_decay(self) -> bool:
        return self.weight_decay is not None


class ParamSource(Record):
    kind: SourceKind
    span: Span
    expr: str
    groups: tuple[ParamGroup, ...] = ()
    # GROUPS only: False when the list may hold more groups than we saw (comprehensions,
    # extend() with unknown values, appends in loops)
    complete: bool = True
    # SUBSET only: what the selection looks at (Selector values), and how it tests names
    selects: frozenset[Selector] = frozenset()
    name_tests: tuple[NameTest, ...] = ()
    receiver: Receiver | None = None  # FLAT/SUBSET: the module whose parameters these are
    # FLAT: how to exclude biases and norms where that is not a param-group split (configs)
    remedy: str | None = None
    # FLAT from a config that excludes one of them: which are decayed ("biases"); None: both
    decayed: str | None = None
    # the expression may be written twice (a fix splits it into two comprehensions over it):
    # it builds a fresh iterable each time (a name may hold a one-shot generator), and holds no
    # walrus, yield or await (which a comprehension's iterable cannot)
    repeatable: bool = False
    named: bool = False  # it yields `(name, param)` pairs: `m.named_parameters()`
    # SUBSET only: the selection tests nothing but the params' names (`"backbone" in n`), so
    # which of them are biases or norms depends on those names alone (`name_tests`)
    by_names_only: bool = False
    # FLAT only, for messages: where a name that holds them was bound ("line 40:
    # `list(m.parameters())`"), and the named iterable of the one module they are all of
    # ("m.named_parameters()"), which a remedy can split by name
    origin: str | None = None
    named_as: str | None = None


class Penalty(Record):
    """`sum(p.pow(2).sum() for p in model.parameters())`: L2 written into the loss by hand."""

    span: Span
    expr: str  # the module whose parameters are penalized, e.g. "model"


class Argument(Record):
    """An argument as written at the call."""

    span: Span
    expr: str
    keyword: str | None  # None for a positional argument
    index: int | None  # position for positional arguments (params is 0); None for keywords and after `*args`
    # the parameter it binds: its keyword, or the signature's name at its position; None for
    # `*args`, after it, and past the signature's end
    binds: str | None = None
    starred: bool = False  # `*args` itself


class OptimizerSite(Record):
    spec: OptimizerSpec
    qualified_name: str  # as resolved from the imports, e.g. "torch.optim.adam.Adam"
    written_name: str  # as the code spells the class, e.g. "optim.Adam"
    span: Span  # the whole call
    func_span: Span  # the callee expression
    weight_decay: Value  # the constructor's effective value (given, or the class default)
    decoupled: Value  # the decoupled flag's effective value (spec default when absent)
    params: ParamSource
    arguments: tuple[Argument, ...] = ()
    # constructor-level options that the optimizer ignores (a DeepSpeed `adam_w_mode` placed
    # beside `"type"` instead of inside `"params"`)
    ignored_keys: tuple[Key, ...] = ()
    # the condition under which this class is the one constructed, when the code chooses it
    # from an option we cannot resolve: "`args.optimizer` is 'adam'"
    choice: str | None = None
    # explicit L2 penalties over a module's parameters anywhere in the same file
    l2_penalties: tuple[Penalty, ...] = ()
    # where the class is named when not at the site, for messages: an mmengine base's
    # "from `../_base_/schedule.py:2`"
    class_origin: str | None = None

    @property
    def shown_class(self) -> str:
        """The class as a message names it: `` `SGD` ``, `` `SGD` (from `_base_/schedule.py:2`) ``."""
        return f"`{self.written_name}`" + (f" ({self.class_origin})" if self.class_origin else "")

    def argument(self, name: str) -> Argument | None:
        """The argument that binds `name`: its keyword, else its position (a call giving both,
        a TypeError, is read by its keyword, as the extraction reads the value)."""
        bound = [argument for argument in self.arguments if argument.binds == name]
        return next((a for a in bound if a.keyword is not None), bound[0] if bound else None)

    def effective_decays(self) -> list[tuple[ParamGroup | None, Value]]:
        """The weight_decay each part of the params gets: per group, or the constructor's."""
        if self.params.kind is not SourceKind.GROUPS:
            return [(None, self.weight_decay)]
        return [
            (group, group.weight_decay if group.weight_decay is not None else self.weight_decay)
            for group in self.params.groups
        ]

    def param_sources(self) -> list[ParamSource]:
        """The params as given, and each group's params: where name filters and receivers live."""
        return [self.params, *(group.params for group in self.params.groups if group.params is not None)]

    def first_decay(self) -> Value | None:
        """The first weight_decay that may decay some params (constructor's or a group's)."""
        return next((value for _, value in self.effective_decays() if value.may_decay), None)

    @property
    def is_decoupled(self) -> bool | None:
        """True/False when known; None when the flag is an expression we cannot resolve.

        A flag that could only hide in an unresolved `**kwargs` counts as not given.
        """
        if not self.decoupled.is_known and not self.decoupled.hidden:
            return None
        return bool(self.decoupled.constant)
