"""Names imported from other files of the linted project, and helpers inlined at their call."""

import textwrap
from pathlib import Path

import pytest

import wdlint
from wdlint.engine.runner import FileJob, LintOptions, lint_job


def lint_file(root: Path, files: dict[str, str], target: str) -> list[tuple[str, int]]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    result = lint_job(FileJob(root / target, target), LintOptions.from_selection())
    return [(d.code, d.location.row) for d in result.diagnostics]


def test_relative_import_of_a_constant(tmp_path):
    files = {
        "pkg/__init__.py": "",
        "pkg/config.py": "WEIGHT_DECAY = 1e-4\n",
        "pkg/train.py": "import torch\nfrom .config import WEIGHT_DECAY\nopt = torch.optim.Adam(ps, weight_decay=WEIGHT_DECAY)\n",
    }
    assert lint_file(tmp_path, files, "pkg/train.py") == [("WD101", 3)]


def test_imported_zero_is_provably_zero(tmp_path):
    files = {
        "settings.py": "WD = 0.0\n",
        "train.py": "import torch\nfrom settings import WD\nopt = torch.optim.Adam(m.parameters(), weight_decay=WD)\n",
    }
    assert lint_file(tmp_path, files, "train.py") == []


def test_module_attribute(tmp_path):
    files = {
        "hparams.py": "WD = 5e-4\n",
        "train.py": "import torch\nimport hparams\nopt = torch.optim.RMSprop(ps, weight_decay=hparams.WD)\n",
    }
    assert lint_file(tmp_path, files, "train.py") == [("WD102", 3)]


def test_absolute_import_found_in_a_parent_directory(tmp_path):
    files = {
        "common/__init__.py": "",
        "common/consts.py": "DECAY = 0.1\n",
        "scripts/train.py": "import torch\nfrom common.consts import DECAY\nopt = torch.optim.Adamax(ps, weight_decay=DECAY)\n",
    }
    assert lint_file(tmp_path, files, "scripts/train.py") == [("WD101", 3)]


def test_imported_helper_returning_groups_reports_at_the_call(tmp_path):
    files = {
        "utils.py": """\
            def get_param_groups(model):
                return [
                    {"params": [p for p in model.parameters() if p.ndim >= 2]},
                    {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
                ]
            """,
        "train.py": "import torch\nfrom utils import get_param_groups\nopt = torch.optim.SGD(get_param_groups(model), lr=0.1)\n",
    }
    assert lint_file(tmp_path, files, "train.py") == [("WD301", 3)]


def test_missing_or_broken_modules_are_unknown(tmp_path):
    files = {
        "broken.py": "WD = (\n",
        "train.py": "import torch\nfrom broken import WD\nfrom missing import X\n"
        "opt = torch.optim.Adam(ps, weight_decay=WD)\nopt2 = torch.optim.Adam(ps, weight_decay=X)\n",
    }
    assert lint_file(tmp_path, files, "train.py") == [("WD101", 4), ("WD101", 5)]


def test_import_cycle(tmp_path):
    files = {
        "a.py": "from b import WD\n",
        "b.py": "from a import WD\n",
        "train.py": "import torch\nfrom a import WD\nopt = torch.optim.Adam(ps, weight_decay=WD)\n",
    }
    assert lint_file(tmp_path, files, "train.py") == [("WD101", 3)]


def test_torch_is_never_looked_up_on_disk(tmp_path):
    files = {"torch/optim.py": "Adam = None\n", "train.py": "import torch\nopt = torch.optim.Adam(ps, weight_decay=0.1)\n"}
    assert lint_file(tmp_path, files, "train.py") == [("WD101", 2)]


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            """\
            import torch
            def groups(model, wd):
                return [{"params": model.parameters(), "weight_decay": wd}]
            opt = torch.optim.AdamW(groups(net, 0.1))
            """,
            [("WD201", 3)],
            id="arguments flow into the helper",
        ),
        pytest.param(
            """\
            import torch
            def groups(model, wd):
                return [{"params": model.parameters(), "weight_decay": wd}]
            opt = torch.optim.AdamW(groups(net, 0.0))
            """,
            [],
            id="zero passed to the helper",
        ),
        pytest.param(
            """\
            import torch
            class Lit:
                def param_groups(self):
                    return [{"params": [p for p in self.parameters() if p.ndim >= 2]}, {"params": [p for p in self.parameters() if p.ndim < 2], "weight_decay": 0.0}]
                def configure_optimizers(self):
                    return torch.optim.Adam(self.param_groups(), lr=1e-3)
            """,
            [("WD301", 4)],
            id="method helper",
        ),
        pytest.param(
            """\
            import torch
            def groups(model):
                if model.tied:
                    return [{"params": model.parameters()}]
                return [{"params": model.parameters(), "weight_decay": 0.1}]
            opt = torch.optim.AdamW(groups(net))
            """,
            [],
            id="several returns stay unknown",
        ),
        pytest.param(
            """\
            import torch
            def groups(model):
                return groups(model)
            opt = torch.optim.AdamW(groups(net), weight_decay=0.1)
            """,
            [],
            id="recursion",
        ),
    ),
)
def test_helpers_in_the_same_file(source, expected):
    assert [(d.code, d.location.row) for d in wdlint.lint_source(textwrap.dedent(source))] == expected


def test_model_class_imported_from_the_project(tmp_path):
    files = {
        "model.py": """\
            from torch import nn
            class GPT(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.ln_f = nn.LayerNorm(8)
            """,
        "train.py": """\
            import torch
            from model import GPT
            model = GPT()
            no_decay = ["bias", "ln_f"]
            skip = ["bias"]
            good = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0}])
            bad = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if any(nd in n for nd in skip)], "weight_decay": 0.0}])
            """,
    }
    assert lint_file(tmp_path, files, "train.py") == [("WD202", 5)]
