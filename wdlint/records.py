"""`Record`: the base of the immutable value types the engine and the analysis pass around.

A subclass declares its fields as a frozen dataclass does (annotations in order, a class
attribute of the same name is the default) and behaves as one: built by position or keyword,
equal to and hashed as the tuple of its fields in order (a frozen dataclass's `__eq__` and
`__hash__`), shown as `Name(field=value, ...)`, copied with changes by `_replace`, and an
assignment to it raises. What differs is the cost of defining it: `@dataclass(frozen=True)`
compiles six methods for every class when its module is imported (about 3.4 million
instructions a class; `typing.NamedTuple` compiles each string annotation, about 1 million),
and a one-file pre-commit run imports about eighty such classes, more than the interpreter's
own start-up costs. Here the methods are written once; defining a record reads its
annotations' names, nothing is compiled. Only a class made often enough (`_COMPILED_AFTER`)
gets an `__init__` compiled for its fields, then. `typing.dataclass_transform` tells type
checkers.

A record whose class names its fields in `__slots__` has no `__dict__` (for records kept by
the thousand), and so no defaults and no cached properties. A record is no dataclass to the
`dataclasses` functions: copy one with `_replace`, never `dataclasses.replace` (which mypy,
told that records are dataclass-like, lets through).
"""

from __future__ import annotations

import operator
from collections.abc import Callable

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)

if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar, overload

    from typing_extensions import Self, dataclass_transform

    _T = TypeVar("_T")
else:

    def dataclass_transform(**_: object) -> Any:  # only type checkers read it (and 3.10 has none)
        return lambda cls: cls


class FrozenRecordError(AttributeError):
    """An assignment to a field of a record (`dataclasses.FrozenInstanceError`'s role)."""


class _Field:
    """What `field(...)` declares: a default made anew for each record, or a field left out of
    equality and hash."""

    def __init__(self, default: object, make: Callable[[], object] | None, compare: bool, shown: bool) -> None:
        self.default, self.make, self.compare, self.shown = default, make, compare, shown


_NO_DEFAULT: Any = object()


if TYPE_CHECKING:

    @overload
    def field(*, default: _T, compare: bool = True, repr: bool = True) -> _T: ...
    @overload
    def field(*, default_factory: Callable[[], _T], compare: bool = True, repr: bool = True) -> _T: ...


def field(
    *, default: Any = _NO_DEFAULT, default_factory: Callable[[], Any] | None = None, compare: bool = True, repr: bool = True
) -> Any:
    """`dataclasses.field`'s `default`, `default_factory`, `compare` and `repr`."""
    return _Field(default, default_factory, compare, repr)


def _order(compare: Callable[[Any, Any], Any]) -> Callable[[Record, object], Any]:
    def method(self: Record, other: object) -> Any:  # NotImplemented for another class
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return bool(compare(self._key(), other._key()))

    return method


_ORDERINGS = (("__lt__", operator.lt), ("__le__", operator.le), ("__gt__", operator.gt), ("__ge__", operator.ge))


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Record:
    _fields: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]] = ()
    _hidden: ClassVar[frozenset[str]] = frozenset()  # left out of the repr
    _slotted: ClassVar[bool] = False
    _defaults: ClassVar[dict[str, Any]] = {}
    _factories: ClassVar[dict[str, Callable[[], object]]] = {}

    __slots__ = ()

    def __init_subclass__(cls, *, eq: bool = True, order: bool = False, **kwargs: Any) -> None:
        """`eq=False`: equal only to itself, hashed by identity; `order=True`: ordered as the
        tuples of the compared fields (a dataclass's `eq` and `order`)."""
        super().__init_subclass__(**kwargs)
        fields, compared = list(cls._fields), list(cls._compared)
        defaults, factories = dict(cls._defaults), dict(cls._factories)
        # this class's own annotations, unevaluated (inspect, which get_annotations needs, is a dear import)
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            declared = cls.__dict__.get(name, _NO_DEFAULT)
            options = declared if isinstance(declared, _Field) else _Field(declared, None, compare=True, shown=True)
            if options.make is None and options.default is not _NO_DEFAULT:
                defaults[name] = options.default
                setattr(cls, name, options.default)
            elif options.make is not None:
                factories[name] = options.make
            elif defaults or factories:
                raise TypeError(f"{cls.__name__}: non-default field {name!r} follows a default field")
            if name not in fields:
                fields.append(name)
            if options.compare and name not in compared:
                compared.append(name)
            elif not options.compare and name in compared:
                compared.remove(name)
            if not options.shown:
                cls._hidden = cls._hidden | {name}
        cls._fields, cls._compared = tuple(fields), tuple(compared)
        # `__slots__` naming the fields: no `__dict__` (a record kept by the thousand), no defaults
        cls._slotted = "__slots__" in cls.__dict__
        cls._defaults, cls._factories = defaults, factories
        if "__init__" not in cls.__dict__:
            # its own until it is made often enough to compile one: a parent's compiled
            # `__init__` binds the parent's fields
            cls.__init__ = Record.__init__  # type: ignore[method-assign]
        if not eq:
            cls.__eq__ = object.__eq__  # type: ignore[method-assign]
            cls.__hash__ = object.__hash__  # type: ignore[method-assign]
        if order:
            for method, compare in _ORDERINGS:
                setattr(cls, method, _order(compare))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        made = _MADE[cls] = _MADE.get(cls, 0) + 1
        if made == _COMPILED_AFTER and cls.__init__ is Record.__init__:
            cls.__init__ = _compiled_init(cls)  # type: ignore[method-assign]
        fields = self._fields
        if kwargs or len(args) != len(fields):
            args = self._bind(args, kwargs)
        if self._slotted:
            for name, value in zip(fields, args):
                object.__setattr__(self, name, value)
        else:
            object.__setattr__(self, "__dict__", dict(zip(fields, args)))

    @classmethod
    def _bind(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
        """Every field's value, in order, from a call with keywords or defaults left out."""
        if len(args) > len(cls._fields):
            raise TypeError(f"{cls.__name__}() takes {len(cls._fields)} arguments, {len(args)} were given")
        values = list(args)
        for name in cls._fields[len(args) :]:
            if name in kwargs:
                values.append(kwargs.pop(name))
            elif name in cls._defaults:
                values.append(cls._defaults[name])
            elif name in cls._factories:
                values.append(cls._factories[name]())
            else:
                raise TypeError(f"{cls.__name__}() is missing the argument {name!r}")
        if kwargs:
            raise TypeError(f"{cls.__name__}() got an unexpected or repeated argument {next(iter(kwargs))!r}")
        return tuple(values)

    def _key(self) -> tuple[Any, ...]:
        """The compared fields' values, in order: what equality, hash and order read."""
        return tuple([getattr(self, name) for name in self._compared])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields if name not in self._hidden)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenRecordError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field {name!r}")

    def _replace(self, **changes: Any) -> Self:
        """A copy with `changes` to some fields (`dataclasses.replace`)."""
        return type(self)(**{**{name: getattr(self, name) for name in self._fields}, **changes})


# A class made this many times gets an `__init__` compiled for its fields, as a dataclass's is:
# the generic one binds its arguments in Python each time (1.2 to 1.8 us a record against 0.6),
# and the few classes made by the ten thousand (bindings, places, positions) are most of the
# records a run makes. A class made less often never pays the compilation (about 0.1 ms).
_COMPILED_AFTER = 64
_MADE: dict[type, int] = {}
_MISSING: Any = object()  # a factory's field left out of the call


def _compiled_init(cls: type[Record]) -> Callable[..., None]:
    """`cls.__init__` as a dataclass writes it: the fields as parameters in order (a default
    as the parameter's default, a factory called when left out), the values stored at once.
    The text is ours, made from the class's field names; nothing a user wrote is run."""
    names = cls._fields
    assert not any(name.startswith("_record_") for name in names), names  # the names below
    scope: dict[str, Any] = {"_record_set": object.__setattr__, "_record_missing": _MISSING}
    parameters, lines = [], []
    for number, name in enumerate(names):
        if name in cls._defaults:
            scope[f"_record_d{number}"] = cls._defaults[name]
            parameters.append(f"{name}=_record_d{number}")
        elif name in cls._factories:
            scope[f"_record_f{number}"] = cls._factories[name]
            parameters.append(f"{name}=_record_missing")
            lines += [f"if {name} is _record_missing:", f"    {name} = _record_f{number}()"]
        else:
            parameters.append(name)
    if cls._slotted:
        lines += [f"_record_set(_record_self, {name!r}, {name})" for name in names]
    else:
        lines.append("_record_set(_record_self, '__dict__', {" + ", ".join(f"{name!r}: {name}" for name in names) + "})")
    body = "".join(f"    {line}\n" for line in lines or ["pass"])
    source = f"def __init__(_record_self, {', '.join(parameters)}):\n" + body
    exec(compile(source, f"<record {cls.__qualname__}>", "exec"), scope)
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init
