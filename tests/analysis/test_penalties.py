"""Hand-written L2 penalties, found by listening to the index's walk."""

from __future__ import annotations

import pytest

from wdlint.analysis.penalties import L2Penalties


def penalties(snippet, text: str) -> list[tuple[int, int, str]]:
    listener = L2Penalties()
    read = snippet(text, listeners=(listener,))
    return [(p.span.start.row, p.span.start.column, p.expr) for p in listener.found(read.source)]


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param("loss = ce + 1e-4 * sum(p.pow(2).sum() for p in model.parameters())", [(1, 23, "model")], id="sum in arithmetic"),
        pytest.param("l2 = sum([(w ** 2).sum() for w in net.parameters()])", [(1, 10, "net")], id="list comprehension kept"),
        pytest.param("def reg(m):\n    return sum(torch.square(p).sum() for p in m.parameters())", [(2, 15, "m")], id="returned"),
        pytest.param(
            "reg = 0\nfor name, param in model.named_parameters():\n    reg = reg + torch.norm(param)",
            [(2, 1, "model")],
            id="loop accumulating a norm",
        ),
        pytest.param(
            "for p in list(model.parameters()):\n    for i in range(3):\n        if p.ndim > 1:\n            reg += p.norm(2)",
            [(1, 1, "model")],
            id="accumulated in a nested block",
        ),
        pytest.param(
            "for p in a.parameters():\n    for q in b.parameters():\n        reg += p.square() + q.pow(2)",
            [(1, 1, "a"), (2, 5, "b")],
            id="nested loops, each over its own variable",
        ),
    ),
)
def test_fires(snippet, text, expected):
    assert penalties(snippet, text) == expected


@pytest.mark.parametrize(
    "text",
    (
        pytest.param("with torch.no_grad():\n    norm = sum(p.pow(2).sum() for p in model.parameters())", id="no_grad"),
        pytest.param(
            "with torch.inference_mode():\n    def f():\n        for p in m.parameters():\n            r += p ** 2", id="inference mode"
        ),
        pytest.param("print(sum(p.pow(2).sum() for p in model.parameters()))", id="passed on"),
        pytest.param("n = torch.sqrt(sum(p.pow(2).sum() for p in model.parameters()))", id="inside another call"),
        pytest.param("l1 = sum(p.norm(1) for p in model.parameters())", id="L1 norm"),
        pytest.param("l1 = sum(torch.norm(p, p=1) for p in model.parameters())", id="L1 norm by keyword"),
        pytest.param("c = sum(p.pow(3).sum() for p in model.parameters())", id="cube"),
        pytest.param("g = sum(p.grad.norm() for p in model.parameters())", id="gradient norm"),
        pytest.param("s = sum(x ** 2 for x in values)", id="not parameters"),
        pytest.param("for p in m.parameters():\n    total = p ** 2", id="not accumulated"),
        pytest.param("for p in m.parameters():\n    reg += q ** 2", id="another variable squared"),
        pytest.param("async def f():\n    async for p in m.parameters():\n        reg += p ** 2", id="async for"),
    ),
)
def test_quiet(snippet, text):
    assert penalties(snippet, text) == []


def test_a_loop_left_inside_no_grad_still_counts_what_it_accumulates(snippet):
    text = "for p in m.parameters():\n    with torch.no_grad():\n        pass\n    reg += p.pow(2)"
    assert penalties(snippet, text) == [(1, 1, "m")]
