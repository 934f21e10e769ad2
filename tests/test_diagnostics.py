import copy
import pickle

import pytest

from wdlint.diagnostics import Position, Span, position_at
from wdlint.frontends.text import line_starts
from wdlint.records import FrozenRecordError

TEXT = "optimizer:\n  type: AdamW\r\n  weight_decay: 0.05\n"
STARTS = line_starts(TEXT)


def test_position_at_counts_rows_and_columns_from_one():
    assert [position_at(STARTS, offset) for offset in (0, 11, 13, len(TEXT))] == [
        Position(1, 1), Position(2, 1), Position(2, 3), Position(4, 1)
    ]


@pytest.mark.parametrize(("start", "end"), ((0, 10), (13, 24), (26, len(TEXT)), (5, 5)))
def test_a_span_at_offsets_is_the_span_of_its_positions(start: int, end: int):
    placed = Span(position_at(STARTS, start), position_at(STARTS, end))
    deferred = Span.at_offsets(STARTS, start, end)
    assert deferred == placed and placed == Span.at_offsets(STARTS, start, end)
    assert hash(Span.at_offsets(STARTS, start, end)) == hash(placed)
    assert repr(Span.at_offsets(STARTS, start, end)) == repr(placed)
    assert (deferred.start, deferred.end) == (placed.start, placed.end)
    assert deferred._replace(end=Position(9, 9)) == Span(placed.start, Position(9, 9))


def test_a_span_at_offsets_is_placed_once_and_then_holds_only_its_positions():
    span = Span.at_offsets(STARTS, 13, 24)
    assert "start" not in vars(span)
    assert span.end == Position(2, 14)
    assert vars(span) == {"start": Position(2, 3), "end": Position(2, 14)}


def test_a_span_at_offsets_is_pickled_and_copied_without_the_texts_rows():
    for made in (Span.at_offsets(STARTS, 13, 24), Span(Position(2, 3), Position(2, 14))):
        for again in (pickle.loads(pickle.dumps(made)), copy.copy(made), copy.deepcopy(made)):
            assert again == Span(Position(2, 3), Position(2, 14))
            assert vars(again) == {"start": Position(2, 3), "end": Position(2, 14)}


def test_a_span_at_offsets_has_no_other_attribute_and_stays_frozen():
    span = Span.at_offsets(STARTS, 0, 10)
    with pytest.raises(AttributeError, match="'Span' object has no attribute 'row'"):
        span.row  # noqa: B018
    assert not hasattr(Span(Position(1, 1), Position(1, 2)), "_offsets")
    with pytest.raises(FrozenRecordError):
        span.start = Position(1, 1)  # type: ignore[misc]
