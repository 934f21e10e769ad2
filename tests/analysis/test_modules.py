"""Norm parameter names of the model classes a file defines."""

from __future__ import annotations

import ast
import textwrap

import pytest

from wdlint.analysis.env import MAX_DEPTH
from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.modules import ModelClasses


def norms(text: str, name: str) -> tuple[str, ...] | None:
    return ModelClasses(ModuleIndex.build(ast.parse(textwrap.dedent(text)))).norm_parameters(name)


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
    classes = ModelClasses(ModuleIndex.build(ast.parse("class Net:\n    def __init__(self):\n        self.fc = make()\n")))
    value = classes.attribute("Net", "fc")
    assert value is not None and ast.unparse(value) == "make()"
    assert classes.attribute("Net", "other") is None and classes.attribute("Other", "fc") is None


def plain(text: str, expression: str) -> bool:
    classes = ModelClasses(ModuleIndex.build(ast.parse(textwrap.dedent(text))))
    return classes.plain(ast.parse(expression, mode="eval").body)


PLAIN_CLASSES = """\
import torch.nn as nn

class Proj(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.d = d
        self.fc = nn.Linear(d, d, bias=False)
        self.drop = nn.Dropout(0.1)

class Norm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.proj = Proj(d)
        self.ln = nn.LayerNorm(d)

class Scale(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.g = nn.Parameter(torch.ones(d))

class Built(nn.Module):
    def __init__(self, d):
        super().__init__()
        self._build(d)

class Loops(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = Loops()
"""


@pytest.mark.parametrize(
    ("expression", "expected"),
    (
        pytest.param("nn.Linear(4, 4, bias=False)", True, id="linear without bias"),
        pytest.param("nn.Linear(4, 4, False)", True, id="linear, bias positional"),
        pytest.param("nn.Conv2d(3, 8, 3, bias=False)", True, id="conv without bias"),
        pytest.param("nn.Linear(4, 4)", False, id="linear with its bias"),
        pytest.param("nn.Linear(4, 4, bias=use_bias)", False, id="bias unknown"),
        pytest.param("nn.Sequential(nn.Dropout(0.1), nn.Embedding(10, 4), nn.GELU())", True, id="sequential of plain"),
        pytest.param("nn.Sequential(nn.Linear(4, 4, bias=False), nn.LayerNorm(4))", False, id="a norm inside"),
        pytest.param("Proj(4)", True, id="class of plain layers"),
        pytest.param("Norm(4)", False, id="class holding a norm"),
        pytest.param("Scale(4)", False, id="a parameter of its own"),
        pytest.param("Built(4)", False, id="layers built out of sight"),
        pytest.param("Loops()", False, id="holds itself"),
        pytest.param("timm.create_model('resnet50')", False, id="unknown"),
    ),
)
def test_plain_modules_hold_no_bias_and_no_norm(expression, expected):
    assert plain(PLAIN_CLASSES, expression) is expected
