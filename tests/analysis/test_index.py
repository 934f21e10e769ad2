"""The module index (one walk, then only read) and the scopes it fills."""

from __future__ import annotations

import ast

import pytest

from wdlint.analysis.index import ModuleIndex
from wdlint.analysis.scopes import BindingKind


def test_a_use_sees_the_binding_before_it_and_inner_scopes_the_last(snippet):
    read = snippet("x = 1\nx = f(x)\ndef g():\n    return x\nx = 3\n")
    module = read.index.module_scope
    before = module.lookup("x", 2)
    assert before is not None and before[0].lineno == 1
    inner = read.index.function_scopes[id(read.function("g"))]
    found = inner.lookup("x", 4)
    assert found is not None and (found[0].lineno, found[1]) == (5, module)
    assert module.lookup("y", 9) is None
    assert module.next_binding_line("x", 2) == 5


def test_methods_do_not_see_their_class_body(snippet):
    read = snippet("lr = 1\nclass T:\n    lr = 2\n    def f(self):\n        return lr\n")
    found = read.index.function_scopes[id(read.function("f"))].lookup("lr", 5)
    assert found is not None and found[0].lineno == 1


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    (
        pytest.param("import torch.optim", "torch", BindingKind.IMPORT, id="import"),
        pytest.param("a, b = make()", "a", BindingKind.UNPACKED, id="unpacked call"),
        pytest.param("a, b = 1, 2", "b", BindingKind.ASSIGN, id="unpacked display"),
        pytest.param("for a in xs: pass", "a", BindingKind.OTHER, id="loop target"),
        pytest.param("def a(): pass", "a", BindingKind.DEFINITION, id="function"),
        pytest.param("if (a := 3): pass", "a", BindingKind.ASSIGN, id="walrus"),
        pytest.param("a = 1\na -= 1", "a", BindingKind.OTHER, id="augmented"),
        pytest.param("[a for a in xs]", "a", None, id="comprehension variables stay unbound"),
    ),
)
def test_binding_kinds(snippet, text, name, kind):
    found = snippet(text).index.module_scope.lookup(name, 100)
    assert (found[0].kind if found else None) is kind


def test_mutations_between_a_binding_and_a_use(snippet):
    text = """\
    groups = []
    for n, p in model.named_parameters():
        if p.ndim < 2:
            continue
        if "bias" in n:
            groups.append(p)
    groups += extra
    use(groups)
    groups.clear()
    """
    read = snippet(text)
    scope = read.index.module_scope
    binding = scope.binding_before("groups", 2)
    assert binding is not None
    changes = list(scope.mutations_between("groups", binding, scope, 8))
    assert [(c.how, c.lineno) for c in changes] == [("append", 6), ("extend", 7)]
    append = changes[0]
    assert isinstance(append.loop, ast.For)
    # inside the loop: under `"bias" in n`, and after the guard that skipped 1-D params
    assert [(ast.unparse(test), positive) for test, positive in append.conditions] == [
        ("p.ndim < 2", False),
        ("'bias' in n", True),
    ]
    other = snippet("def f(): pass").index.module_scope
    assert len(list(scope.mutations_between("groups", binding, other, 8))) == 3  # from another scope: every later change


def test_calls_with_their_scope_conditions_and_assigned_names(snippet):
    read = snippet("if args.opt == 'sgd':\n    opt = SGD(ps)\nelse:\n    opt = Adam(ps)\n")
    sgd, adam = read.index.calls
    assert read.index.assigned_to[id(sgd)] == "opt"
    assert read.index.conditions_of[id(adam)][0][1] is False
    assert read.index.scope_of[id(sgd)] is read.index.module_scope


def test_argparse_options_and_args_factories(snippet):
    text = """\
    def get_args():
        p.add_argument("--weight-decay", default=0.1)
        p.add_argument("-b", action="store_true")
        p.add_argument("epochs")
        return p.parse_args()
    """
    index = snippet(text).index
    assert sorted(index.argparse) == ["b", "epochs", "weight_decay"]
    assert index.argparse["b"].action == "store_true"
    assert index.args_factories == frozenset({"get_args"})


def test_the_index_is_frozen(snippet):
    index = snippet("x = 1").index
    with pytest.raises(AttributeError):
        index.path = None  # type: ignore[misc]
    with pytest.raises(AttributeError):
        index.module_scope.parent = None  # type: ignore[misc]


def test_long_sums_are_walked_without_recursion():
    tree = ast.parse("x = " + " + ".join(["a"] * 900) + " + f(y)\n")
    index = ModuleIndex.build(tree)
    assert len(index.calls) == 1


class _Recorder:
    """Every event of the walk, in order."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def block_entered(self, node: ast.AST) -> None:
        self.events.append(f"enter {type(node).__name__}")

    def block_left(self, node: ast.AST) -> None:
        self.events.append(f"leave {type(node).__name__}")

    def assigned(self, node: ast.AST) -> None:
        self.events.append(f"assigned line {node.lineno}")  # type: ignore[attr-defined]

    def kept(self, value: ast.Call) -> None:
        self.events.append(f"kept {ast.unparse(value)}")


def test_listeners_hear_the_one_walk(snippet):
    text = """\
    with torch.no_grad():
        for p in ps:
            total += p.norm()
    loss = f(x) + g(y) * 2
    def h():
        return k()
    z: int = m()
    print(n())
    """
    recorder = _Recorder()
    snippet(text, listeners=(recorder,))
    assert recorder.events == [
        "enter With",
        "enter For",
        "assigned line 3",
        "kept p.norm()",
        "leave For",
        "leave With",
        "assigned line 4",
        "kept f(x)",
        "kept g(y)",
        "kept k()",
        "kept m()",
    ]


def test_what_the_model_readers_ask_of_the_walk():
    index = ModuleIndex.build(
        ast.parse(
            "model.head.fc = nn.Linear(4, 2)\n"  # head assigned into; layer head of model replaced
            "net.blocks[0].norm = nn.Identity()\n"  # blocks assigned into (not norm, the target itself)
            "model.num_classes = 10\n"  # a constant set: neither
            "del model.pool\n"
            "x.b: int\n"  # no value: assigned into nothing, replaces no layer
            "setattr(model, 'pre_logits', nn.Identity())\n"
            "def f():\n"
            "    a, b = TABLE[key]\n"
            "    c = TABLE[key]\n"
        )
    )
    assert index.assigned_into == {"head", "blocks"}
    assert {name: sorted(layers) for name, layers in index.layer_assignments.items()} == {
        "model": [(1, "head"), (4, "pool"), (6, "pre_logits")],
        "net": [(2, "blocks")],
    }
    assert list(index.unpackings) == [8]
