"""YAML configs: Hydra, torchtune and LightningCLI optimizers, read with the safe loader only."""

from __future__ import annotations

import textwrap

import pytest

from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import LintOptions

OPTIONS = LintOptions.from_selection()


def lint(text: str, *, select: list[str] | None = None, name: str = "config.yaml") -> list[tuple[str, int, int]]:
    options = LintOptions.from_selection(select) if select else OPTIONS
    result = lint_bytes(textwrap.dedent(text).encode(), name, options)
    return [(d.code, d.location.row, d.location.column) for d in result.diagnostics]


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(
            """
            optimizer:
              _target_: torch.optim.Adam
              _partial_: true
              lr: 0.001
              weight_decay: 1e-4
            """,
            [("WD101", 3, 13)],
            id="hydra _target_ with _partial_",
        ),
        pytest.param(
            """
            optimizer:
              _target_: torch.optim.Adam
              weight_decay: 0.0
            """,
            [],
            id="hydra without decay",
        ),
        pytest.param(
            """
            optimizer:
              _component_: torch.optim.adam.Adam
              weight_decay: 0.01
            """,
            [("WD101", 3, 16)],
            id="torchtune _component_, module path",
        ),
        pytest.param(
            """
            optimizer:
              class_path: torch.optim.RMSprop
              init_args:
                lr: 0.01
                weight_decay: 1.0e-5
            """,
            [("WD102", 3, 15)],
            id="lightningcli class_path and init_args",
        ),
        pytest.param(
            """
            optimizer:
              class_path: Adam
              init_args: {weight_decay: 0.01}
            """,
            [("WD101", 3, 15)],
            id="lightningcli short class name",
        ),
        pytest.param(
            """
            optimizer:
              class_path: torch.optim.Adam
              weight_decay: 0.01
            """,
            [],
            id="lightningcli reads init_args only",
        ),
        pytest.param("optimizer: Adam\n", [], id="lightningcli shorthand, no decay"),
        pytest.param(
            """
            optimizer:
              _target_: torch.optim.NAdam
              weight_decay: 0.01
              decoupled_weight_decay: true
            """,
            [],
            id="decoupled flag in the same mapping",
        ),
        pytest.param(
            """
            optimizer:
              _target_: torch.optim.NAdam
              weight_decay: 0.01
              decoupled_weight_decay: ${decoupled}
            """,
            [],
            id="flag we cannot resolve",
        ),
        pytest.param(
            """
            optimizer:
              _target_: torch.optim.Adam
              weight_decay: ${optim.wd}
            """,
            [("WD101", 3, 13)],
            id="interpolated decay may decay",
        ),
        pytest.param(
            """
            optimizer:
              _target_: bitsandbytes.optim.PagedAdam8bit
              weight_decay: 0.01
            """,
            [],
            id="bitsandbytes adam is decoupled",
        ),
        pytest.param(
            """
            optimizer:
              _target_: transformers.AdamW
              lr: 2e-5
            """,
            [("WD103", 3, 13)],
            id="removed transformers class",
        ),
        pytest.param(
            """
            optimizer:
              _target_: torch.optim.Adam
              _args_: [0.001, [0.9, 0.999], 1e-8]
            """,
            [],
            id="hydra positional _args_ without decay",
        ),
        pytest.param(
            """
            optimizer:
              _target_: my_project.optim.Adam
              weight_decay: 0.01
            scheduler:
              _target_: torch.optim.lr_scheduler.StepLR
              weight_decay: 0.01
            optim: Adam
            """,
            [],
            id="not optimizers",
        ),
        pytest.param(
            """
            optimizers:
              - _target_: torch.optim.SGD
                weight_decay: 1e-4
              - {_target_: torch.optim.Adagrad, weight_decay: 1e-4}
            """,
            [("WD102", 5, 16)],
            id="in a sequence, flow style",
        ),
        pytest.param(
            """
            optimizer:
              _target_: torch.optim.Adam
              weight_decay: 0.1
              weight_decay: 0.0
            """,
            [],
            id="duplicate keys: the last wins",
        ),
        pytest.param(
            """
            optimizer: {_target_: torch.optim.Adam, weight_decay: 1e-4}
            ---
            optimizer: {_target_: torch.optim.Adagrad, weight_decay: 1e-4}
            """,
            [("WD101", 2, 23), ("WD102", 4, 23)],
            id="multi-document",
        ),
        pytest.param(
            """
            base: &adam
              _target_: torch.optim.Adam
              weight_decay: 1e-4
            first: *adam
            second: *adam
            """,
            [("WD101", 3, 13)],
            id="an alias is the node it names: reported once",
        ),
        pytest.param(
            """
            defaults: &defaults
              _target_: torch.optim.Adam
              lr: 1e-3
            optimizer:
              <<: *defaults
              weight_decay: 1e-4
            quiet:
              <<: [*defaults]
              weight_decay: 0
            """,
            [("WD101", 5, 1)],
            id="merge keys",
        ),
        pytest.param(
            """
            a: &a {weight_decay: 1e-4}
            b: &b {weight_decay: 0.0}
            optimizer:
              <<: [*b, *a]
              _target_: torch.optim.Adam
            """,
            [],
            id="in a merge list the first mapping wins",
        ),
        pytest.param("recursive: &r [*r]\noptimizer: AdamW\n", [], id="recursive alias"),
        pytest.param("# weight_decay\n", [], id="only a comment"),
        pytest.param("", [], id="empty"),
    ),
)
def test_forms(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert lint(text) == expected


def test_shorthand_relies_on_the_default() -> None:
    assert lint("optimizer: AdamW\n", select=["WD104"]) == [("WD104", 1, 12)]
    assert lint("optimizer:\n  class_path: AdamW\n", select=["WD104"]) == [("WD104", 2, 15)]


def test_yml_suffix() -> None:
    text = "optimizer: {_target_: torch.optim.Adam, weight_decay: 1e-4}\n"
    assert lint(text, name="config.yml") == [("WD101", 1, 23)]


@pytest.mark.parametrize(
    ("text", "expected"),
    (
        pytest.param(
            "optimizer:  # noqa: WD101\n  _target_: torch.optim.Adam\n  weight_decay: 1e-4\n",
            [],
            id="on the key holding the optimizer",
        ),
        pytest.param(
            "optimizer:\n  _target_: torch.optim.Adam  # NOQA\n  weight_decay: 1e-4\n", [], id="on the class"
        ),
        pytest.param(
            "optimizer:\n  _target_: torch.optim.Adam  # noqa: WD102\n  weight_decay: 1e-4\n",
            [("WD101", 2, 13)],
            id="another code",
        ),
        pytest.param(
            "optimizer:\n  _target_: torch.optim.Adam\n  weight_decay: 1e-4\nnote: 'see # noqa'\n",
            [("WD101", 2, 13)],
            id="inside a string is not a comment",
        ),
        pytest.param(
            "optimizer:\n  _target_: torch.optim.Adam\n  weight_decay: 1e-4\nnote: |\n  # noqa\n",
            [("WD101", 2, 13)],
            id="inside a block scalar is not a comment",
        ),
        pytest.param(
            "# wdlint: noqa: WD101\noptimizer:\n  _target_: torch.optim.Adam\n  weight_decay: 1e-4\n",
            [],
            id="file level",
        ),
    ),
)
def test_noqa(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert lint(text) == expected


@pytest.mark.parametrize(
    ("data", "expected", "fragment"),
    (
        pytest.param(
            b"optimizer: !!python/object/apply:os.system ['echo pwned']\nweight_decay: 1\n",
            ("WD001", 1, 12),
            "python/object/apply:os.system",
            id="python tag",
        ),
        pytest.param(
            b"optimizer:\n\t_target_: torch.optim.Adam\n\tweight_decay: 1\n", ("WD001", 2, 1), "'\\t'", id="tabs"
        ),
        pytest.param(b"AdamW_decay_: !!int abc\n", ("WD001", 1, 15), "abc", id="a scalar the safe loader crashes on"),
        pytest.param(b"weight_decay: !!float \n", ("WD001", 1, 15), "invalid YAML scalar", id="an empty float"),
        pytest.param(b"weight_decay: !!bool ''\n", ("WD001", 1, 15), "invalid YAML scalar", id="an empty bool"),
        pytest.param(
            b"weight_decay: !!timestamp ''\n", ("WD001", 1, 15), "invalid YAML scalar", id="an empty timestamp"
        ),
        pytest.param(b"AdamW_decay_: [1, 2\n", ("WD001", 2, 1), "invalid YAML", id="unclosed flow"),
        pytest.param(b"AdamW_decay_: 1\x00\n", ("WD001", 1, 16), "unacceptable character", id="nul"),
        pytest.param(b"AdamW_decay_: \xff\n", ("WD001", 1, 1), "UTF-8", id="not UTF-8"),
        pytest.param(b"a: <<\nAdamW_decay_: 1\n", ("WD001", 1, 4), "merge", id="merge tag as a value"),
        pytest.param(b"<<: 1\nAdamW_decay_: 1\n", ("WD001", 1, 5), "merge key", id="merge of a scalar"),
        pytest.param(b"AdamW_decay_: " + b"[" * 2000 + b"]" * 2000 + b"\n", ("WD001", 1, 1), "deeply", id="deep"),
    ),
)
def test_bad_yaml_is_a_parse_error(data: bytes, expected: tuple[str, int, int], fragment: str) -> None:
    [diagnostic] = lint_bytes(data, "config.yaml", OPTIONS).diagnostics
    assert (diagnostic.code, diagnostic.location.row, diagnostic.location.column) == expected
    assert fragment in diagnostic.message


def test_an_application_tag_is_data_not_a_parse_error() -> None:
    """`!include` is not YAML's: a file using it is valid YAML, read as tagged data (nothing
    included, nothing constructed); the tagged value is unknown, so nothing is named here."""
    assert lint("optimizer: !include adam.yaml\nweight_decay: 1\n") == []


def test_yaml_without_vocabulary_is_not_parsed() -> None:
    assert lint("key: !!python/object:os.system x\n") == []


def test_a_plain_value_shaped_like_a_bad_date_is_text_not_an_error() -> None:
    text = "d: 2001-02-30\noptimizer:\n  _target_: torch.optim.Adam\n  weight_decay: 0.1\n"
    assert [code for code, _, _ in lint(text)] == ["WD101"]
