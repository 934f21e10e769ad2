"""A fix's new code in the file's layout: broken as black and `ruff format` break a line that no
longer fits the project's line length, and imports added or removed in the file's style.

Every expected text here is what `ruff format` (quote style preserved) leaves as it is.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from wdlint.engine.fix import fix_text, python_parses
from wdlint.engine.lint import lint_text
from wdlint.engine.runner import LintOptions
from wdlint.fixes.style import line_length_for


def fixed(source: str, *select: str, unsafe: bool = True, path: Path | None = None) -> str:
    """`source` after `--fix` (`--unsafe-fixes`) with `select`, checked to parse and to leave
    nothing for a second run. WD201's split under SGD is WD207's (the same fix): selecting
    WD201 here selects both, as the layout is the point, not which code reports it."""
    if "WD201" in select:
        select = (*select, "WD207")
    options = LintOptions.from_selection(select or ("ALL",))
    source = textwrap.dedent(source)

    def lint(text: str) -> list:
        return lint_text(text, "train.py", options, path=path)

    outcome = fix_text(source, lint, unsafe)
    assert python_parses(outcome.text)
    assert fix_text(outcome.text, lint, unsafe).text == outcome.text, "a second run must find nothing to fix"
    return outcome.text


WD201_SPLIT = """\
    opt = torch.optim.AdamW(
        [
            {"params": [p for p in model.parameters() if p.ndim >= 2]},
            {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
        ],
        lr=3e-4,
        weight_decay=0.1,
    )
"""

LAYOUT = [
    pytest.param(
        """\
        import torch


        class Model:
            def configure_optimizers(self):
                if self.hparams.optimizer == "sgd":
                    return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9, weight_decay=5e-4)
        """,
        """\
        import torch


        class Model:
            def configure_optimizers(self):
                if self.hparams.optimizer == "sgd":
                    return torch.optim.SGD(
                        [
                            {"params": [p for p in self.parameters() if p.ndim >= 2]},
                            {
                                "params": [p for p in self.parameters() if p.ndim < 2],
                                "weight_decay": 0.0,
                            },
                        ],
                        lr=self.hparams.lr,
                        momentum=0.9,
                        weight_decay=5e-4,
                    )
        """,
        ("WD201",),
        id="WD201 split at the call's own indentation, a group that does not fit broken too",
    ),
    pytest.param(
        """\
        import torch

        optimizer = torch.optim.AdamW(
            model.parameters(),  # every parameter
            lr=args.lr,  # from the command line
            weight_decay=args.weight_decay,
        )
        """,
        """\
        import torch

        optimizer = torch.optim.AdamW(
            [
                {"params": [p for p in model.parameters() if p.ndim >= 2]},
                {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
            ],  # every parameter
            lr=args.lr,  # from the command line
            weight_decay=args.weight_decay,
        )
        """,
        ("WD201",),
        id="WD201 in a call written one argument per line: only that argument's line is broken",
    ),
    pytest.param(
        """\
        import torch

        optimizer = torch.optim.SGD(model.parameters(),  # all of them
                                    lr=0.1, weight_decay=5e-4)
        """,
        """\
        import torch

        optimizer = torch.optim.SGD(
            [
                {"params": [p for p in model.parameters() if p.ndim >= 2]},
                {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
            ],  # all of them
            lr=0.1,
            weight_decay=5e-4,
        )
        """,
        ("WD201",),
        id="WD201 in a hand-wrapped call: broken whole, its comment after the same argument",
    ),
    pytest.param(
        """\
        import torch

        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)  # noqa: WD101
        """,
        """\
        import torch

        optimizer = torch.optim.Adam(  # noqa: WD101
            [
                {"params": [p for p in model.parameters() if p.ndim >= 2]},
                {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
            ],
            lr=1e-3,
            weight_decay=1e-4,
        )
        """,
        ("WD101", "WD201"),
        id="the comment after the call stays on its first line, where its noqa keeps WD101 quiet",
    ),
    pytest.param(
        "import torch\n\n\ndef build(model):\n  if model:\n    return torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)\n",
        """\
        import torch


        def build(model):
          if model:
            return torch.optim.AdamW(
              [
                {"params": [p for p in model.parameters() if p.ndim >= 2]},
                {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
              ],
              lr=3e-4,
              weight_decay=0.1,
            )
        """,
        ("WD201",),
        id="a file indented by two spaces is continued by two",
    ),
    pytest.param(
        """\
        import torch.optim as optim


        def build(net):
            return optim.Adam(net.parameters(), lr=0.001, betas=(0.9, 0.999), weight_decay=0.0001)
        """,
        """\
        import torch.optim as optim


        def build(net):
            return optim.AdamW(
                net.parameters(), lr=0.001, betas=(0.9, 0.999), weight_decay=0.0001
            )
        """,
        ("WD101",),
        id="WD101 AdamW through the file's `optim`: a line too long already and made longer is broken",
    ),
    pytest.param(
        """\
        import torch

        optimizer = torch.optim.NAdam(model.parameters(), lr=args.lr, weight_decay=args.wd)
        """,
        """\
        import torch

        optimizer = torch.optim.NAdam(
            model.parameters(), lr=args.lr, weight_decay=args.wd, decoupled_weight_decay=True
        )
        """,
        ("WD101",),
        id="WD101 flag: the arguments on one line of their own when they fit there",
    ),
    pytest.param(
        """\
        import torch


        def make(model):
            return torch.optim.Adam(model.parameters(), 1e-3, (0.9, 0.999), 1e-8, 1e-4)
        """,
        """\
        import torch


        def make(model):
            return torch.optim.Adam(
                model.parameters(), 1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4
            )
        """,
        ("WD501",),
        id="WD501 keywords",
    ),
    pytest.param(
        """\
        import torch

        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=self.args.learning_rate, eps=1e-8)
        """,
        """\
        import torch

        self.optimizer = torch.optim.AdamW(
            self.model.parameters(), lr=self.args.learning_rate, eps=1e-8, weight_decay=0.01
        )
        """,
        ("WD104",),
        id="WD104 explicit default",
    ),
    pytest.param(
        """\
        import torch

        no_decay = ['bias', 'LayerNorm.weight']
        groups = [{'params': [p for n, p in model.named_parameters() if n not in no_decay], 'weight_decay': 0.01}]
        opt = torch.optim.AdamW(groups, lr=1e-3)
        """,
        """\
        import torch

        no_decay = ['bias', 'LayerNorm.weight']
        groups = [
            {
                'params': [
                    p
                    for n, p in model.named_parameters()
                    if not any(nd in n for nd in no_decay)
                ],
                'weight_decay': 0.01,
            }
        ]
        opt = torch.optim.AdamW(groups, lr=1e-3)
        """,
        ("WD203",),
        id="WD203 substring test: a comprehension that does not fit, one clause per line",
    ),
    pytest.param(
        """\
        import torch

        opt = torch.optim.Adam(model.parameters(), 1e-3, (0.9, 0.999), 1e-8, 1e-4)
        """,
        """\
        import torch

        opt = torch.optim.AdamW(
            [
                {"params": [p for p in model.parameters() if p.ndim >= 2]},
                {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
            ],
            1e-3,
            betas=(0.9, 0.999),
            eps=1e-8,
            weight_decay=1e-4,
        )
        """,
        ("ALL",),
        id="four fixes on one call, applied a pass each, laid out once more each time",
    ),
]


@pytest.mark.parametrize(("source", "expected", "select"), LAYOUT)
def test_layout(source: str, expected: str, select: tuple[str, ...]) -> None:
    assert fixed(source, *select) == textwrap.dedent(expected)


QUIET = [
    pytest.param(
        "import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)\n",
        "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)\n",
        ("WD101",),
        id="a line that still fits is edited in place",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)  # noqa: WD201 (kept as is)\n",
        "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)  # noqa: WD201 (kept as is)\n",
        ("WD101",),
        id="a tool's comment at the end does not count, as in ruff's E501 and formatter",
    ),
    pytest.param(
        "import torch\nopt = torch.optim.Adam(\n    model.parameters(),\n    lr=1e-3,\n    weight_decay=1e-4,\n)\n",
        "import torch\nopt = torch.optim.AdamW(\n    model.parameters(),\n    lr=1e-3,\n    weight_decay=1e-4,\n)\n",
        ("WD101",),
        id="a call already broken stays as it is",
    ),
]


def test_a_comment_that_makes_the_line_too_long_counts() -> None:
    # black counts it too; it moves to the call's first line
    source = "import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)  # see the papers\n"
    assert len(source.splitlines()[1]) == 88
    assert fixed(source, "WD101") == (
        "import torch\nopt = torch.optim.AdamW(  # see the papers\n    model.parameters(), lr=1e-3, weight_decay=1e-4\n)\n"
    )


ALIGNED = [
    pytest.param(
        """\
        import torch

        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr,
                                     weight_decay=args.wd)
        """,
        """\
        import torch

        optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr,
                                      weight_decay=args.wd)
        """,
        ("WD101",),
        id="WD101 continuation lines aligned with the bracket move with it",
    ),
    pytest.param(
        """\
        import torch
        from transformers import AdamW

        optimizer = AdamW(params,
                          lr=args.lr,
                          eps=1e-8
                          )
        """,
        """\
        import torch

        optimizer = torch.optim.AdamW(params,
                                      lr=args.lr,
                                      eps=1e-8, weight_decay=0.0
                                      )
        """,
        ("WD103",),
        id="WD103 an aligned call and its closing bracket move with the longer name",
    ),
    pytest.param(
        """\
        import torch

        optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate,
                                     weight_decay=args.weight_decay_for_the_whole_model_1234567)
        """,
        """\
        import torch

        optimizer = torch.optim.AdamW(
            model.parameters(),
            lr=args.learning_rate,
            weight_decay=args.weight_decay_for_the_whole_model_1234567,
        )
        """,
        ("WD101",),
        id="an aligned line moved past the line length: the call laid out again",
    ),
    pytest.param(
        """\
        import torch

        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr,
            weight_decay=args.wd)
        """,
        """\
        import torch

        optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr,
            weight_decay=args.wd)
        """,
        ("WD101",),
        id="a hanging indent is no alignment: it stays",
    ),
]


@pytest.mark.parametrize(("source", "expected", "select"), ALIGNED)
def test_aligned_continuation_lines(source: str, expected: str, select: tuple[str, ...]) -> None:
    assert fixed(source, *select) == textwrap.dedent(expected)


@pytest.mark.parametrize(("source", "expected", "select"), QUIET)
def test_no_new_layout(source: str, expected: str, select: tuple[str, ...]) -> None:
    assert fixed(source, *select) == expected


def test_an_argument_with_a_comment_inside_an_operand_stays_as_written() -> None:
    # a comment no formatter rule says where to move: that argument's lines are left alone
    source = "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=(base_lr  # scaled below\n    * 2), weight_decay=0.1)\n"
    assert fixed(source, "WD201") == textwrap.dedent(
        """\
        import torch
        opt = torch.optim.AdamW(
            [
                {"params": [p for p in model.parameters() if p.ndim >= 2]},
                {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
            ],
            lr=(base_lr  # scaled below
            * 2),
            weight_decay=0.1,
        )
        """
    )


GROUPS_AT_8 = """\
        [
            {"params": [p for p in model.parameters() if p.ndim >= 2]},
            {
                "params": [p for p in model.parameters() if p.ndim < 2],
                "weight_decay": 0.0,
            },
        ],
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "def build(model):\n    return model, torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)\n",
            "def build(model):\n    return model, torch.optim.AdamW(\n" + GROUPS_AT_8 + "        lr=1e-3,\n        weight_decay=0.01,\n    )\n",
            id="a returned tuple: split at its last bracket",
        ),
        pytest.param(
            "opt, sched = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1), None\n",
            "opt, sched = (\n    torch.optim.AdamW(\n" + GROUPS_AT_8 + "        lr=3e-4,\n        weight_decay=0.1,\n    ),\n    None,\n)\n",
            id="an assigned tuple: in parentheses, one element per line",
        ),
        pytest.param(
            "opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1) if adamw else None\n",
            "opt = (\n    torch.optim.AdamW(\n" + GROUPS_AT_8 + "        lr=3e-4,\n        weight_decay=0.1,\n    )\n    if adamw\n    else None\n)\n",
            id="a conditional: in parentheses, `if` and `else` on lines of their own",
        ),
        pytest.param(
            "make = lambda p: torch.optim.AdamW(p.parameters(), lr=args.learning_rate, weight_decay=0.1)\n",
            "make = lambda p: torch.optim.AdamW(\n    [\n"
            '        {"params": [p for p in p.parameters() if p.ndim >= 2]},\n'
            '        {"params": [p for p in p.parameters() if p.ndim < 2], "weight_decay": 0.0},\n'
            "    ],\n    lr=args.learning_rate,\n    weight_decay=0.1,\n)\n",
            id="a lambda: split at its body's last bracket",
        ),
    ],
)
def test_statements_that_do_not_end_with_the_call(source: str, expected: str) -> None:
    assert fixed("import torch\n" + source, "WD201") == "import torch\n" + expected


def test_line_endings_of_the_file() -> None:
    source = "import torch\r\n\r\nopt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)\r\n"
    expected = "import torch\n\n" + textwrap.dedent(WD201_SPLIT)
    assert fixed(source, "WD201") == expected.replace("\n", "\r\n")


# -- the line length


def _project(tmp_path: Path, pyproject: str | None, below: str | None = None) -> Path:
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    folder = tmp_path / "src"
    folder.mkdir()
    if below is not None:
        (folder / "pyproject.toml").write_text(below)
    return folder / "train.py"


LONG_WD501 = "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, (0.9, 0.99), 1e-8, 0.0)\n"
ONE_LINE = "import torch\nopt = torch.optim.Adam(m.parameters(), 1e-3, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0)\n"
BROKEN = (
    "import torch\nopt = torch.optim.Adam(\n    m.parameters(), 1e-3, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.0\n)\n"
)


@pytest.mark.parametrize(
    ("pyproject", "below", "length", "expected"),
    [
        pytest.param(None, None, 88, BROKEN, id="no configuration: 88"),
        pytest.param("[tool.ruff]\nline-length = 120\n", None, 120, ONE_LINE, id="ruff's line-length"),
        pytest.param("[tool.black]\nline-length = 100\n", None, 100, ONE_LINE, id="black's line-length"),
        pytest.param("[tool.ruff]\nline-length = 120\n", "[project]\nname = 'sub'\n", 120, ONE_LINE, id="a nearer pyproject without a formatter is passed over"),
        pytest.param("[tool.ruff]\nline-length = 120\n", "[tool.black]\n", 88, BROKEN, id="a nearer black table without a length: black's default"),
        pytest.param("[tool.ruff]\nline-length = 'long'\n", None, 88, BROKEN, id="a length that is no number: the default"),
    ],
)
def test_the_project_line_length(tmp_path: Path, pyproject: str | None, below: str | None, length: int, expected: str) -> None:
    path = _project(tmp_path, pyproject, below)
    assert line_length_for(path) == length
    assert fixed(LONG_WD501, "WD501", path=path) == expected


def test_a_short_line_length_breaks_more(tmp_path: Path) -> None:
    path = _project(tmp_path, "[tool.ruff]\nline-length = 60\n")
    assert fixed(LONG_WD501, "WD501", path=path) == (
        "import torch\nopt = torch.optim.Adam(\n    m.parameters(),\n    1e-3,\n    betas=(0.9, 0.99),\n"
        "    eps=1e-8,\n    weight_decay=0.0,\n)\n"
    )


def test_a_changed_line_length_is_read_again(tmp_path: Path) -> None:
    path = _project(tmp_path, "[tool.ruff]\nline-length = 120\n")
    assert line_length_for(path) == 120
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 79\n")
    assert line_length_for(path) == 79


# -- imports in the file's style

IMPORTS = [
    pytest.param(
        "from torch.optim import SGD, Adam, lr_scheduler\n\nopt = Adam(params, lr=1e-3, weight_decay=1e-4)\nassert issubclass(Adam, object)\n",
        "from torch.optim import SGD, Adam, AdamW, lr_scheduler\n\nopt = AdamW(params, lr=1e-3, weight_decay=1e-4)\nassert issubclass(Adam, object)\n",
        ("WD101",),
        id="WD101 AdamW joins the import of Adam in its order (isort's: constants, classes, functions); Adam, used again, stays",
    ),
    pytest.param(
        "from torch.optim import lr_scheduler, Adam\n\nopt = Adam(params, lr=1e-3, weight_decay=1e-4)\nsched = lr_scheduler.StepLR(opt, 10)\n",
        "from torch.optim import lr_scheduler, AdamW\n\nopt = AdamW(params, lr=1e-3, weight_decay=1e-4)\nsched = lr_scheduler.StepLR(opt, 10)\n",
        ("WD101",),
        id="WD101 names in no order: AdamW last; Adam, its only use gone, removed",
    ),
    pytest.param(
        "from torch.optim import Adam as TorchAdam, SGD\n\nopt = TorchAdam(params, lr=1e-3, weight_decay=1e-4)\n",
        "from torch.optim import AdamW, SGD\n\nopt = AdamW(params, lr=1e-3, weight_decay=1e-4)\n",
        ("WD101",),
        id="WD101 an aliased Adam used once: its alias goes with it",
    ),
    pytest.param(
        "from torch.optim import (\n    SGD,\n    Adam,\n    lr_scheduler,\n)\n\nopt = Adam(params, lr=1e-3, weight_decay=1e-4)\nother = Adam\n",
        "from torch.optim import (\n    SGD,\n    Adam,\n    AdamW,\n    lr_scheduler,\n)\n\nopt = AdamW(params, lr=1e-3, weight_decay=1e-4)\nother = Adam\n",
        ("WD101",),
        id="WD101 an import written one name per line gets one more line",
    ),
    pytest.param(
        "from torch.optim import Adam, SGD, RMSprop, Adagrad, Adadelta, Adamax, ASGD, LBFGS, Rprop\n\n"
        "opt = Adam(params, lr=1e-3, weight_decay=1e-4)\nx = [SGD, RMSprop, Adagrad, Adadelta, Adamax, ASGD, LBFGS, Rprop, Adam]\n",
        "from torch.optim import (\n    Adam,\n    SGD,\n    RMSprop,\n    Adagrad,\n    Adadelta,\n    Adamax,\n    ASGD,\n    LBFGS,\n"
        "    Rprop,\n    AdamW,\n)\n\nopt = AdamW(params, lr=1e-3, weight_decay=1e-4)\n"
        "x = [SGD, RMSprop, Adagrad, Adadelta, Adamax, ASGD, LBFGS, Rprop, Adam]\n",
        ("WD101",),
        id="WD101 an import that no longer fits is broken as black breaks imports",
    ),
    pytest.param(
        "from torch.optim import Adam\nfrom transformers import AdamW\n\nopt = Adam(params, lr=1e-3, weight_decay=1e-4)\nold = AdamW(params)\n",
        "import torch\nfrom torch.optim import AdamW\n\nopt = AdamW(params, lr=1e-3, weight_decay=1e-4)\nold = torch.optim.AdamW(params, weight_decay=0.0)\n",
        ("WD101", "WD103"),
        id="WD101 waits while AdamW is transformers': WD103 frees the name first",
    ),
    pytest.param(
        "import torch as th\nfrom transformers import AdamW, get_linear_schedule_with_warmup\n\n"
        "optimizer = AdamW(model.parameters(), lr=args.learning_rate, eps=args.adam_epsilon)\n",
        "import torch as th\nfrom transformers import get_linear_schedule_with_warmup\n\n"
        "optimizer = th.optim.AdamW(\n    model.parameters(), lr=args.learning_rate, eps=args.adam_epsilon, weight_decay=0.0\n)\n",
        ("WD103",),
        id="WD103 torch under the file's alias; AdamW out of the transformers import",
    ),
    pytest.param(
        '"""Fine-tune."""\n\nimport os\n\nimport numpy as np\nimport torch.nn as nn\nfrom transformers import AdamW\n\noptimizer = AdamW(model.parameters(), lr=2e-5)\n',
        '"""Fine-tune."""\n\nimport os\n\nimport numpy as np\nimport torch\nimport torch.nn as nn\n\noptimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.0)\n',
        ("WD103",),
        id="WD103 import torch right before the file's first torch import",
    ),
    pytest.param(
        "from torch import optim\nfrom transformers import (\n    AdamW,\n    get_scheduler,\n)\n\noptimizer = AdamW(model.parameters(), lr=2e-5)\n",
        "from torch import optim\nfrom transformers import (\n    get_scheduler,\n)\n\noptimizer = optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.0)\n",
        ("WD103",),
        id="WD103 through `from torch import optim`; a name out of an import written one per line",
    ),
    pytest.param(
        "#!/usr/bin/env python\n# Copyright\nfrom transformers import AdamW\nopt = AdamW(params)\n",
        "#!/usr/bin/env python\n# Copyright\nimport torch\n\nopt = torch.optim.AdamW(params, weight_decay=0.0)\n",
        ("WD103",),
        id="WD103 a new import after the file's opening comments, a blank line before the code",
    ),
]


@pytest.mark.parametrize(("source", "expected", "select"), IMPORTS)
def test_imports(source: str, expected: str, select: tuple[str, ...]) -> None:
    assert fixed(source, *select) == expected


def test_no_fix_when_adamw_is_another_class_here() -> None:
    source = "from torch.optim import Adam\n\n\nclass AdamW:\n    pass\n\n\nopt = Adam(params, lr=1e-3, weight_decay=1e-4)\n"
    assert fixed(source, "WD101") == source


def test_text_of_no_file_takes_the_default_whatever_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the API's text is no file of the project the process runs in (this repository sets 120)
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 120\n")
    monkeypatch.chdir(tmp_path)
    assert fixed(LONG_WD501, "WD501") == BROKEN


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--stdin-filename", "src/train.py"], BROKEN, id="the project --stdin-filename names: 88"),
        pytest.param(["--stdin-filename", "train.py"], ONE_LINE, id="the working directory's project: 120"),
        pytest.param([], ONE_LINE, id="no name: the working directory's"),
    ],
)
def test_standard_input_takes_the_line_length_of_the_project_it_claims(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    from click.testing import CliRunner

    from wdlint.cli import cli

    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 120\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "pyproject.toml").write_text("[tool.black]\nline-length = 88\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--isolated", "--select", "WD501", "--fix", *args, "-"], input=LONG_WD501)
    assert result.stdout == expected
