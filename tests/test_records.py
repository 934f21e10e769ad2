"""`Record` behaves as the frozen dataclass it replaces: each behaviour checked against one, with
the generic `__init__` and with the one compiled for a class made often enough."""

from __future__ import annotations

import dataclasses
import pickle
from functools import cached_property

import pytest

from wdlint import records
from wdlint.records import FrozenRecordError, Record, field


class Point(Record, order=True):
    row: int
    column: int = 1


@dataclasses.dataclass(frozen=True, order=True)
class PointDC:
    row: int
    column: int = 1


class Labelled(Record):
    name: str
    tags: list[str] = field(default_factory=list)
    note: str | None = field(default=None, compare=False)

    @cached_property
    def shout(self) -> str:
        return self.name.upper()


class Node(Record, eq=False):
    label: str


@pytest.mark.parametrize(
    ("args", "kwargs"), [((3,), {}), ((3, 4), {}), ((), {"row": 3}), ((3,), {"column": 4}), ((), {"column": 4, "row": 3})]
)
def test_built_as_a_dataclass_is_built(args, kwargs):
    record, reference = Point(*args, **kwargs), PointDC(*args, **kwargs)
    assert (record.row, record.column) == (reference.row, reference.column)
    assert repr(record) == repr(reference).replace("PointDC", "Point")
    assert hash(record) == hash(reference)  # the same hash: sets of records iterate alike


@pytest.mark.parametrize(
    ("args", "kwargs"), [((), {}), ((1, 2, 3), {}), ((1,), {"row": 2}), ((1,), {"width": 2}), ((), {"column": 2})]
)
def test_a_call_a_dataclass_refuses_is_refused(args, kwargs):
    with pytest.raises(TypeError):
        PointDC(*args, **kwargs)
    with pytest.raises(TypeError):
        Point(*args, **kwargs)


def test_equality_hash_and_order_are_the_fields_in_order():
    assert Point(1, 2) == Point(1, 2) and hash(Point(1, 2)) == hash(Point(1, 2))
    assert Point(1, 2) != Point(2, 1)
    assert Point(1, 2) != (1, 2)  # not a tuple, and not another class with the same values
    assert sorted([Point(2, 1), Point(1, 5), Point(1, 2)]) == [Point(1, 2), Point(1, 5), Point(2, 1)]
    assert Point(1, 2) <= Point(1, 2) < Point(1, 3) and Point(2, 0) > Point(1, 9) >= Point(1, 9)
    with pytest.raises(TypeError):
        _ = Labelled("a") < Labelled("b")  # type: ignore[operator]  # unordered unless asked


def test_a_field_left_out_of_comparison_and_a_fresh_default_each_time():
    first, second = Labelled("a", note="one"), Labelled("a", note="two")
    assert first == second
    assert hash(Labelled("a", None, "one")) == hash(Labelled("a", None, "two")) == hash(("a", None))  # type: ignore[arg-type]
    assert first.tags == [] and first.tags is not second.tags
    assert Labelled("a", ["x"]) != Labelled("a", ["y"])


def test_eq_false_is_identity():
    node = Node("x")
    assert node == node and node != Node("x")
    assert len({node, Node("x")}) == 2


def test_frozen_and_replaced():
    point = Point(1, 2)
    with pytest.raises(FrozenRecordError):
        point.row = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.column  # type: ignore[misc]
    moved = point._replace(column=7)
    assert (moved, point) == (Point(1, 7), Point(1, 2))
    with pytest.raises(TypeError):
        point._replace(width=3)


def test_cached_properties_pickling_and_copies():
    labelled = Labelled("a", ["x"])
    assert labelled.shout == "A"
    assert labelled._replace(name="b").shout == "B"  # a copy computes its own
    restored = pickle.loads(pickle.dumps(Point(3, 4)))
    assert restored == Point(3, 4) and type(restored) is Point


def test_a_field_without_default_after_one_with_is_refused():
    with pytest.raises(TypeError):

        class Wrong(Record):
            first: int = 0
            second: int


class Kept(Record):
    __slots__ = ("name", "size")  # kept by the thousand: no __dict__

    name: str
    size: int


def test_a_record_with_slots_has_no_dict_and_behaves_the_same():
    kept = Kept("a", size=2)
    assert not hasattr(kept, "__dict__")
    assert (kept.name, kept.size) == ("a", 2) and repr(kept) == "Kept(name='a', size=2)"
    assert kept == Kept("a", 2) and hash(kept) == hash(("a", 2)) and kept._replace(size=3) == Kept("a", 3)
    with pytest.raises(FrozenRecordError):
        kept.size = 4  # type: ignore[misc]


class Memo(Record):
    name: str
    seen: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


def test_a_field_left_out_of_the_repr():
    assert repr(Memo("a", {"x": 1})) == "Memo(name='a')"


@pytest.fixture(autouse=True, params=["generic", "compiled"])
def init(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: the classes above as first made, then with their compiled `__init__`."""
    if request.param == "compiled":
        for cls in (Point, Labelled, Node, Kept, Memo):
            monkeypatch.setattr(cls, "__init__", records._compiled_init(cls))
    return str(request.param)


def test_a_class_made_often_gets_its_own_compiled_init_and_a_subclass_keeps_the_generic(init: str) -> None:
    class Often(Record):
        name: str
        size: int = 0

    class Wider(Often):
        extra: tuple[int, ...] = ()

    made = [Often(str(i)) for i in range(records._COMPILED_AFTER)]
    assert Often.__init__ is not Record.__init__ and Wider.__init__ is Record.__init__
    assert Often("x", size=2) == Often("x", 2) and made[-1] == Often(str(records._COMPILED_AFTER - 1), 0)
    assert Wider("y", 1, (2,)).extra == (2,)  # the parent's compiled `__init__` knows no `extra`
    with pytest.raises(TypeError):
        Often("x", 1, 2)  # type: ignore[call-arg]


def test_a_field_may_be_named_self() -> None:
    class Odd(Record):
        self: int
        other: int = 0

    Odd.__init__ = records._compiled_init(Odd)  # type: ignore[method-assign]  # compiles
    assert Odd(1, other=2).self == 1 and Odd(self=3).other == 0
