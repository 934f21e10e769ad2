"""Norm parameter names of the model classes a file defines."""

from __future__ import annotations

import ast
import textwrap

import pytest

from wdlint.analysis.env import MAX_DEPTH
from wdlint.analysis.modules import ModelClasses


def norms(text: str, name: str) -> tuple[str, ...] | None:
    return ModelClasses(ast.parse(textwrap.dedent(text))).norm_parameters(name)


@pytest.mark.parametrize(
    ("body", "expected"),
    (
        pytest.param("self.norm = nn.LayerNorm(4)", ("norm.weight",), id="direct"),
        pytest.param("self.layers = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4))", ("layers.1.weight",), id="sequential"),
        pytest.param("self.layers = nn.Sequential(*[nn.GroupNorm(1, 4)])", ("layers.0.0.weight",), id="sequential of a star"),
        pytest.param("self.h = nn.ModuleDict({'ln': nn.RMSNorm(4)})", ("h.ln.weight",), id="module dict"),
        pytest.param("self.h = nn.ModuleDict(dict(ln=nn.LayerNorm(4)))", ("h.ln.weight",), id="module dict of dict()"),
        pytest.param("self.h = nn.ModuleList([nn.LayerNorm(4) for _ in range(3)])", ("h.0.weight",), id="module list"),
        pytest.param("self.fc = nn.Linear(4, 4)", (), id="no norms"),
    ),
)
def test_norm_parameters(body, expected):
    text = f"class Net(nn.Module):\n    def __init__(self):\n        {body}\n"
    assert norms(text, "Net") == expected


def test_submodules_of_classes_defined_here():
    text = """\
    class Block(nn.Module):
        def __init__(self):
            self.ln_1 = nn.LayerNorm(4)
    class Net(nn.Module):
        def __init__(self):
            self.blocks = [Block(), Block()]
    """
    assert norms(text, "Net") == ("blocks.0.ln_1.weight", "blocks.1.ln_1.weight")
    assert norms(text, "Missing") is None


def test_self_nesting_classes_stop_at_the_depth_limit():
    text = "class Net(nn.Module):\n    def __init__(self):\n        self.inner = Net()\n        self.ln = nn.LayerNorm(2)\n"
    found = norms(text, "Net")
    assert found is not None
    assert len(found) == MAX_DEPTH + 1  # ln.weight, inner.ln.weight, ... one per level followed
    assert found[0].startswith("inner.inner.")


def test_attribute_of_init():
    classes = ModelClasses(ast.parse("class Net:\n    def __init__(self):\n        self.fc = make()\n"))
    value = classes.attribute("Net", "fc")
    assert value is not None and ast.unparse(value) == "make()"
    assert classes.attribute("Net", "other") is None and classes.attribute("Other", "fc") is None
