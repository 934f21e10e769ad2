"""The evaluator: names, constants, strings and dict keys read in a frozen environment."""

from __future__ import annotations

import ast

import pytest

from wdlint.analysis.env import MAX_DEPTH
from wdlint.analysis.evaluate import UNRESOLVED, constant, mapping, qualified_name, resolve_value, strings
from wdlint.analysis.scopes import BindingKind
from wdlint.analysis.sites import ValueKind


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param("from torch import optim\nprobe = optim.AdamW", "torch.optim.AdamW", id="from import"),
        pytest.param("import torch.optim as o\nprobe = o.SGD", "torch.optim.SGD", id="import as"),
        pytest.param("import torch\nAdam = torch.optim.Adam\nprobe = Adam", "torch.optim.Adam", id="alias assigned"),
        pytest.param("from torch.optim import *\nprobe = AdamW", "torch.optim.AdamW", id="star import of a known root"),
        pytest.param("from mylib import *\nprobe = AdamW", None, id="star import of an unknown root"),
        pytest.param("probe = AdamW", None, id="unbound"),
        pytest.param("import torch\ndef f(torch):\n    probe = torch.optim.Adam", None, id="shadowed by a parameter"),
    ),
)
def test_qualified_name(snippet, text, expected):
    env, node = snippet(text).probe()
    assert qualified_name(env, node) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param("probe = 1e-4", 1e-4, id="literal"),
        pytest.param("WD = 0.05\nprobe = WD", 0.05, id="name"),
        pytest.param("probe = -2 * 0.5 + 3 / 4 - 1", -1.25, id="arithmetic"),
        pytest.param('probe = float("1e-2")', 0.01, id="float of a string"),
        pytest.param('def float(x): return 0\nprobe = float("1e-2")', UNRESOLVED, id="float not the builtin"),
        pytest.param("probe = 9 ** 9 ** 9", UNRESOLVED, id="exponent too large"),
        pytest.param("probe = 10.0 ** 30", UNRESOLVED, id="magnitude too large"),
        pytest.param("probe = 1 / 0", UNRESOLVED, id="division by zero"),
        pytest.param("probe = True", True, id="bool"),
        pytest.param("probe = None", None, id="none"),
        pytest.param("probe = b'x'", UNRESOLVED, id="bytes"),
        pytest.param("x = 1\nx = x + 1\nprobe = x", 2, id="reads the binding before"),
        pytest.param("CFG = {'wd': 0.1}\nprobe = CFG['wd']", 0.1, id="dict entry"),
        pytest.param("CFG = {'wd': 0.1}\nCFG['wd'] = 0.2\nprobe = CFG['wd']", 0.2, id="dict entry set later"),
        pytest.param("CFG = {}\nCFG.update(wd=0.3)\nprobe = CFG['wd']", 0.3, id="dict updated"),
        pytest.param("CFG = {'wd': 0.1}\nCFG.pop('wd')\nprobe = CFG['wd']", UNRESOLVED, id="dict changed unknowably"),
        pytest.param("def f(wd=0.01):\n    probe = wd", 0.01, id="parameter default"),
    ),
)
def test_constant(snippet, text, expected):
    env, node = snippet(text).probe()
    found = constant(env, node)
    assert found is expected if expected is UNRESOLVED or expected is None or isinstance(expected, bool) else found == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(
            """\
            import argparse
            parser = argparse.ArgumentParser()
            parser.add_argument("--weight-decay", type=float, default=5e-4)
            args = parser.parse_args()
            probe = args.weight_decay
            """,
            5e-4,
            id="default",
        ),
        pytest.param(
            """\
            import argparse
            parser = argparse.ArgumentParser()
            parser.add_argument("--no-decay", action="store_true")
            args = parser.parse_known_args()[0]
            probe = args.no_decay
            """,
            False,
            id="store_true",
        ),
        pytest.param(
            """\
            import argparse
            def get_args():
                parser = argparse.ArgumentParser()
                parser.add_argument("-w", "--wd", dest="decay", default=0.1)
                return parser.parse_args()
            args = get_args()
            probe = args.decay
            """,
            0.1,
            id="dest, through a function returning the parsed args",
        ),
        pytest.param(
            """\
            import argparse
            parser = argparse.ArgumentParser()
            parser.add_argument("--wd", default=0.1)
            def main(args):
                probe = args.wd
            """,
            0.1,
            id="a parameter may carry them",
        ),
        pytest.param(
            """\
            parser.add_argument("--wd", default=0.1)
            config = load()
            probe = config.wd
            """,
            UNRESOLVED,
            id="not parsed arguments",
        ),
    ),
)
def test_argparse_options(snippet, text, expected):
    env, node = snippet(text).probe()
    assert constant(env, node) == expected if expected is not UNRESOLVED else constant(env, node) is UNRESOLVED


def test_choosing_reads_no_parameter_default(snippet):
    env, node = snippet("def build(name='adamw'):\n    probe = name").probe()
    assert constant(env, node) == "adamw"
    assert constant(env.choosing_a_branch(), node) is UNRESOLVED
    assert constant(env, node) == "adamw"  # the environment it came from is unchanged


def test_one_depth_limit_stops_long_chains(snippet):
    chain = "\n".join(f"v{i + 1} = v{i}" for i in range(MAX_DEPTH + 2))
    read = snippet(f"v0 = 1.0\n{chain}\nshort = v3\nprobe = v{MAX_DEPTH + 2}")
    env, node = read.probe()
    assert constant(env, node) is UNRESOLVED
    short_env, short = read.probe("short")
    assert constant(short_env, short) == 1.0
    deep = env
    for _ in range(MAX_DEPTH):
        deep = deep.deeper()
    assert constant(deep, ast.Constant(1.0)) == 1.0  # at the limit a literal still reads
    assert constant(deep.deeper(), ast.Constant(1.0)) is UNRESOLVED


def test_self_referential_names_end(snippet):
    env, node = snippet("def f():\n    a = b\n    b = a\n    probe = a").probe()
    assert constant(env, node) is UNRESOLVED


@pytest.mark.parametrize(
    ("text", "expected", "local"),
    (
        pytest.param('probe = ["bias", "LayerNorm.weight"]', ("bias", "LayerNorm.weight"), True, id="list"),
        pytest.param('probe = "bias"', ("bias",), True, id="one string"),
        pytest.param('NO_DECAY = ("bias",)\nprobe = NO_DECAY', ("bias",), True, id="through a name"),
        pytest.param('NO_DECAY = ["bias"]\nNO_DECAY.append("norm")\nprobe = NO_DECAY', None, None, id="grown"),
        pytest.param('probe = ["bias", name]', None, None, id="not all strings"),
    ),
)
def test_strings(snippet, text, expected, local):
    env, node = snippet(text).probe()
    found = strings(env, node)
    assert (found.values, found.local) == (expected, local) if expected is not None else found is None


def test_strings_imported_from_the_project_are_not_local(tmp_path, snippet):
    (tmp_path / "names.py").write_text('NO_DECAY = ["bias", "norm"]\n')
    env, node = snippet("from names import NO_DECAY\nprobe = NO_DECAY", path=tmp_path / "train.py").probe()
    found = strings(env, node)
    assert found is not None and (found.values, found.local) == (("bias", "norm"), False)


def test_imported_constant_needs_the_project(tmp_path, snippet):
    (tmp_path / "config.py").write_text("WEIGHT_DECAY = 0.05\n")
    text = "import config\nfrom config import WEIGHT_DECAY\nprobe = config.WEIGHT_DECAY + WEIGHT_DECAY"
    env, node = snippet(text, path=tmp_path / "train.py").probe()
    assert constant(env, node) == 0.1
    without, node = snippet(text).probe()
    assert constant(without, node) is UNRESOLVED


@pytest.mark.parametrize(
    ("text", "keys"),
    (
        pytest.param("probe = {'lr': 1, **{'wd': 2}}", ["lr", "wd"], id="spread"),
        pytest.param("probe = dict(lr=1, wd=2)", ["lr", "wd"], id="dict call"),
        pytest.param("base = dict(lr=1)\nbase.update({'wd': 2})\nprobe = base", ["lr", "wd"], id="updated"),
        pytest.param("probe = {'lr': 1, **other}", None, id="unknown spread"),
        pytest.param("probe = {name: 1}", None, id="unknown key"),
    ),
)
def test_mapping_keys(snippet, text, keys):
    env, node = snippet(text).probe()
    found = mapping(env, node)
    assert (sorted(found.entries) if found is not None else None) == keys


def test_conditional_mapping_keeps_only_what_both_branches_agree_on(snippet):
    env, node = snippet("probe = {'lr': 1, 'wd': 0.1} if big else {'lr': 1, 'wd': 0.0}").probe()
    found = mapping(env, node)
    assert found is not None
    assert constant(env, found.entries["lr"]) == 1
    assert isinstance(found.entries["wd"], ast.IfExp)  # differs: resolves to unknown
    assert resolve_value(env, found.entries["wd"]).kind is ValueKind.UNKNOWN


def test_resolve_value(snippet):
    env, node = snippet("WD = 1e-4\nprobe = WD * 2").probe()
    value = resolve_value(env, node)
    assert (value.kind, value.constant, value.expr) == (ValueKind.LITERAL, 2e-4, "WD * 2")


# -- the environment --------------------------------------------------------------------


HELPER = """\
class Trainer:
    def groups(self, model, decay):
        return [model, decay]

def groups(model, decay=0.1):
    return decay

def again(n):
    return again(n)

x = groups(net, decay=0.5)
y = groups(*args)
"""


def test_inlining_binds_parameters_to_the_arguments_where_the_call_is(snippet):
    read = snippet(HELPER)
    calls = [c for c in read.index.calls if isinstance(c.func, ast.Name) and c.func.id == "groups"]
    caller = read.env_at(calls[0].lineno)
    body = caller.inlined(read.function("groups"), calls[0])
    assert body is not None and body.scope is read.index.function_scopes[id(read.function("groups"))]
    found = body.lookup("decay")
    assert found is not None
    binding, scope = found
    assert (binding.kind, scope) == (BindingKind.ASSIGN, caller.scope)
    assert constant(body, ast.Name("decay")) == 0.5
    # the environment inlined from is unchanged, and so is the index: the default again
    plain = read.env_at(read.function("groups").body[0].lineno)
    assert constant(plain, ast.Name("decay")) == 0.1
    assert body.inlined(read.function("groups"), calls[0]) is None  # already inlined: recursion
    assert caller.inlined(read.function("groups"), calls[1]) is None  # *args: not mapped


def test_inlining_a_method_skips_self(snippet):
    read = snippet(HELPER)
    trainer = read.source.tree.body[0]
    assert isinstance(trainer, ast.ClassDef)
    method = trainer.body[0]
    assert isinstance(method, ast.FunctionDef) and method.args.args[0].arg == "self"
    call = ast.parse("trainer.groups(net, 0.2)", mode="eval").body
    assert isinstance(call, ast.Call)
    body = read.env_at(11).inlined(method, call)
    assert body is not None
    assert constant(body, ast.Name("decay")) == 0.2


def test_environment_steps_return_new_environments(snippet):
    env, _ = snippet("probe = 1").probe()
    deeper = env.deeper()
    assert (env.depth, deeper.depth) == (0, 1)
    assert env.at(env.scope, 5).line == 5 and env.line == 1
    assert env.choosing_a_branch().choosing and not env.choosing
    with pytest.raises(AttributeError):
        env.depth = 3  # type: ignore[misc]
