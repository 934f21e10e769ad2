"""libyaml composes a config only where its reading is the pure loader's (`frontends/yamlgate.py`).

Each construct the gate turns away is shown to be one where the two loaders really disagree (so
the test fails if libyaml ever stops disagreeing, and the gate can be widened), the configs
frameworks write pass it, and generated YAML-ish text holds the property the fast path rests
on: gate passes => libyaml raises or composes the pure loader's trees, and wdlint's answer
(sites, findings, errors and their positions) is the pure loader's.
"""

from __future__ import annotations

import textwrap
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.frontends.yaml_differential import disagreement, divergence
from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import LintOptions
from wdlint.frontends import yamlcfg
from wdlint.frontends.text import SourceError
from wdlint.frontends.yamlgate import compose

OPTIONS = LintOptions.from_selection(["ALL"])
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")


def _pure_reading(text: str) -> tuple[str, object]:
    with mock.patch.object(yamlcfg, "compose", return_value=None):
        return _reading(text)


def _reading(text: str) -> tuple[str, object]:
    try:
        return ("ok", repr(yamlcfg.parse_yaml(text)))
    except SourceError as error:
        return ("error", (str(error), error.position))


def _findings(data: bytes) -> list[object]:
    return list(lint_bytes(data, "config.yaml", OPTIONS).diagnostics)


# --- the constructs the gate turns away: the loaders disagree on each ---------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("lr: 0.1\t\n", id="tab after a plain scalar (libyaml takes it)"),
        pytest.param("betas: [0.9,\t0.99]\n", id="tab in a flow sequence"),
        pytest.param("x: |\t\n  a\n", id="tab after a block scalar header"),
        pytest.param("a: x\ufeff\n", id="byte order mark inside the text"),
        pytest.param("\ufeffa: 1\n", id="leading byte order mark (offsets shift)"),
        pytest.param("opt: !\n", id="lone non-specific tag on an empty value (null or string)"),
        pytest.param("opt: !.!r\n", id="tag handle the pure loader refuses"),
        pytest.param("optimizer: {'lr':!.!r 0.1}\n", id="refused tag handle after a JSON-like key"),
        pytest.param("betas: [!t, 0.9]\n", id="tag before a comma in a flow sequence (the pure loader keeps the comma)"),
        pytest.param("betas: [0.9?0.99]\n", id="question mark inside a flow collection"),
        pytest.param("data: ???\nbetas: [0.9?0.99]\n", id="question mark inside a flow collection, another outside"),
        pytest.param("[? ]\n", id="explicit key in a flow sequence"),
        pytest.param("optimizer: {lr: 1, weight_decay: }\n", id="empty value in a flow mapping"),
        pytest.param("x: >#\n", id="comment glued to a block scalar header"),
        pytest.param("a: ['x #y', ! ]\n", id="lone tag after a quoted hash (no comment)"),
        pytest.param("opt: ! # c !\n", id="lone tag before a comment that holds another"),
    ],
)
def test_refused_where_the_loaders_disagree(text: str) -> None:
    assert disagreement(text) is not None, "the loaders agree here now: the gate may take it"
    assert compose(text) is None


# --- the configs frameworks write pass the gate ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            """
            optimizer:
              _target_: torch.optim.AdamW
              lr: 3e-4
              betas: [0.9, 0.95]
              weight_decay: 0.1  # the GPT-3 value
            """,
            id="Hydra",
        ),
        pytest.param(
            """
            model:
              train_ds:
                manifest_filepath: ???
                batch_size: 32
              optim:
                name: adamw
                lr: 0.001
                weight_decay: 1e-3
            """,
            id="NeMo with Hydra's mandatory value",
        ),
        pytest.param(
            """
            lr: 0.001
            model: !new:torch.nn.Linear
                in_features: 10
                out_features: 2
            opt_class: !name:torch.optim.Adam
                lr: !ref <lr>
                weight_decay: 0.0001
            modules:
                model: !ref <model>
            """,
            id="SpeechBrain HyperPyYAML tags",
        ),
        pytest.param(
            """
            defaults: &defaults
              lr: 0.01
              weight_decay: 0.05
            optimizer:
              <<: *defaults
              class_path: torch.optim.SGD
            """,
            id="anchors and merges",
        ),
        pytest.param(
            """
            # 学习率与权重衰减 (comment in Chinese) 😀
            optimizer: {type: AdamW, lr: 0.0002, weight_decay: 0.05, betas: [0.9, 0.999]}
            description: "café"
            """,
            id="non-ASCII text before a flow mapping",
        ),
        pytest.param(
            """
            model:
              # Important ! Set the prompt format for inference
              prompt_format: canary  # or ! another one
              optim:
                name: adamw
                betas: [0.9, # momentum ! see the paper
                        0.98]
                weight_decay: 1e-3
            """,
            id="NeMo with a ! in comments",
        ),
        pytest.param(
            """
            trainer:
              max_epochs: 10
            ---
            optimizer:
              class_path: AdamW
              init_args: {lr: 1.0e-3}
            notes: |
              a block scalar # with a hash
              on two lines
            """,
            id="documents and a block scalar",
        ),
    ],
)
def test_framework_configs_take_the_fast_path(text: str) -> None:
    text = textwrap.dedent(text)
    assert compose(text) is not None
    assert divergence(text) is None
    assert _reading(text) == _pure_reading(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: 'x #y !z'\n", id="in a quoted string"),
        pytest.param("a: |\n  text # with ! in a block\n", id="in a block scalar"),
        pytest.param("a: x #y !z\n  continued\n", id="in a comment, then a plain scalar goes on"),
    ],
)
def test_a_bang_after_a_hash_inside_a_scalar_is_no_comment(text: str) -> None:
    """A `!` after a `#` that libyaml composed inside a scalar (or that ends no scalar the pure
    loader ends) takes the pure loader, whatever the two would make of it."""
    assert compose(text) is None or divergence(text) is None
    assert _reading(text) == _pure_reading(text)


def test_without_libyaml_the_pure_loader_reads_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "optimizer:\n  _target_: torch.optim.AdamW\n  lr: 0.1\n"
    reading = _reading(text)
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    assert compose(text) is None
    assert _reading(text) == reading


def test_findings_after_non_ascii_text_are_where_the_pure_loader_puts_them() -> None:
    # libyaml counts offsets in characters, as the pure loader does (not in UTF-8 bytes)
    data = "# 权重衰减 😀😀\nx: \"é\"\noptimizer:\n  _target_: torch.optim.AdamW\n  lr: 0.1\n".encode()
    found = _findings(data)
    assert found
    with mock.patch.object(yamlcfg, "compose", return_value=None):
        assert _findings(data) == found


# --- errors stay the pure loader's --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("optimizer: {_target_: torch.optim.Adam, lr: !!binary 'not base64 %'}\n", id="constructor error"),
        pytest.param("optimizer: {_target_: torch.optim.Adam, lr: !!python/name:os.system }\n", id="refused tag"),
        pytest.param("a: [1, 2\nb: 3\n", id="unclosed flow sequence"),
        pytest.param("%FOO bar\n---\na: 1\n", id="directive libyaml refuses, the pure loader takes"),
        pytest.param("a: {b: 1}}\n", id="stray bracket"),
    ],
)
def test_errors_are_the_pure_loaders(text: str) -> None:
    assert _reading(text) == _pure_reading(text)


@pytest.mark.parametrize("depth", [50, 250, 330, 400, 500, 700, 999, 1200])
def test_nesting_near_the_recursion_limits_reads_as_the_pure_loader_reads_it(depth: int) -> None:
    # libyaml nests 1,000 levels; the pure composer and the converter run out of Python stack
    # earlier, at different depths: the fast path must fail (and read again) wherever they do
    text = "optimizer: {_target_: torch.optim.Adam, weight_decay: 0.1, x: " + "[" * depth + "]" * depth + "}\n"
    assert _reading(text) == _pure_reading(text)
    block = "".join(f"{' ' * level}k{level}:\n" for level in range(depth)) + " " * depth + "v: 1\n"
    assert _reading(block) == _pure_reading(block)


# --- generated text -----------------------------------------------------------------------------

_FRAGMENTS = (
    "a", "b", ": ", ":", "- ", "-", "[", "]", "{", "}", ",", ", ", "?", "? ", "???", " ", "  ", "\t", "\n", "\n",
    "\n  ", "\r\n", "\r", "#", " # c", "!", "!!str ", "!!int ", "!!float ", "!foo ", "!a!b ", "!<x> ", "!x]", "!ref <a>",
    "!new:torch.optim.Adam", "&x ", "*x", "&x", "*x:", "<<: *x", "'", '"', "|", ">", "|-", ">+", "|2", ">#", "---",
    "...", "%YAML 1.1\n", "%TAG ! tag:x,1:\n", "%FOO x\n", "\ufeff", "é", "😀", "中", "\x85", "\u2028", "\u00a0",
    "\x00", "\ufffe", "~", "0.1", "1e-4", "\\", "\\n", '"\\u00e9"', "'x''y'", "@", "`", "%", "=", "x y", "{a: 1}",
    "[1, 2]", "{a: }", "{a:}", "[a: b]", "{a, b}", "{\"a\":1}", "- - a", "\n- ", "\n  a: ", "a: b: c", "http://x",
    "weight_decay: 0.1", "_target_: torch.optim.AdamW", " # c !", " # a ! b", "# !x] ", "'a #b' ", "#!",
)
_soup = st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map("".join)

_scalars = st.sampled_from(
    ["a", "0.1", "1e-4", "torch.optim.AdamW", "AdamW", "'q x'", '"d\\u00e9 \\t"', "~", "", "???", "é", "😀 x", "a:b",
     "-1", "null", "true", "2001-02-30", "a?b", "x#y", "|\n  block\n  text", ">-\n  folded", "'multi\n  line'"]
)
_properties = st.sampled_from(["", "", "", "&a ", "&b ", "*a", "!ref ", "!new:torch.optim.Adam ", "!!str ", "!!float ",
                               "!", "!x] ", "!.!r ", "! "])
_keys = st.sampled_from(["optimizer", "_target_", "lr", "weight_decay", "class_path", "init_args", "<<", "? k", "a b",
                         "'q'", "é", "name", "type"])


def _block(draw: st.DrawFn, depth: int, indent: int) -> str:
    pad = " " * indent
    if depth == 0 or draw(st.booleans()):
        return draw(_properties) + draw(_scalars) if draw(st.booleans()) else _flow(draw, depth)
    if draw(st.booleans()):
        items = [f"{pad}- {_block(draw, depth - 1, indent + 2)}" for _ in range(draw(st.integers(1, 3)))]
    else:
        items = [f"{pad}{draw(_keys)}:{draw(st.sampled_from([' ', '  ', '']))}{_block(draw, depth - 1, indent + 2)}"
                 for _ in range(draw(st.integers(1, 3)))]
    return draw(_properties) + "\n" + "\n".join(items)


def _flow(draw: st.DrawFn, depth: int) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(_properties) + draw(_scalars).replace("\n", " ")
    separator = draw(st.sampled_from([", ", ",", " ,", ",\n  ", ", # c\n ", ", # c ! d\n "]))
    if draw(st.booleans()):
        return "[" + separator.join(_flow(draw, depth - 1) for _ in range(draw(st.integers(0, 3)))) + "]"
    entries = (f"{draw(_keys)}:{draw(st.sampled_from([' ', '']))}{_flow(draw, depth - 1)}" for _ in range(draw(st.integers(0, 3))))
    return "{" + separator.join(entries) + "}"


@st.composite
def _documents(draw: st.DrawFn) -> str:
    """Block and flow collections of config-like keys and values, with properties, comments and
    markers, then line breaks of one kind, and a fragment or two spliced in anywhere."""
    documents = [_block(draw, 3, 0) for _ in range(draw(st.integers(1, 2)))]
    text = draw(st.sampled_from(["", "---\n", "--- ", "%YAML 1.1\n---\n", "\ufeff"])) + "\n---\n".join(documents)
    text += draw(st.sampled_from(["\n", "", "\n...\n", "\n# end", "\n# end ! x", "  # ! x\n"]))
    text = text.replace("\n", draw(st.sampled_from(["\n", "\n", "\r\n", "\r", "\x85"])))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(_FRAGMENTS)) + text[at:]
    return text


@FUZZ
@given(_soup | _documents())
def test_gate_passes_only_where_libyaml_composes_the_pure_trees(text: str) -> None:
    assert divergence(text) is None


@FUZZ
@given(_documents())
def test_gate_passes_only_where_the_reading_is_the_pure_loaders(text: str) -> None:
    assert _reading(text) == _pure_reading(text)
