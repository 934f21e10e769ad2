import textwrap

import pytest

CODE = "WD202"

GROUPS = """\
groups = [
    {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.1},
    {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
]
opt = torch.optim.AdamW(groups)
"""

GPT = """\
import torch
from torch import nn

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(8)
        self.attn = nn.Linear(8, 8)

class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.h = nn.ModuleList([Block() for _ in range(4)])
        self.ln_f = nn.LayerNorm(8)

model = GPT()
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            'import torch\nno_decay = ["bias", "LayerNorm.weight"]\n' + GROUPS, [(2, 12)], id="bert list, model unknown"
        ),
        pytest.param('import torch\nno_decay = ["bias"]\n' + GROUPS, [(2, 12)], id="bias only"),
        pytest.param(GPT + 'no_decay = ["bias", "LayerNorm.weight"]\n' + GROUPS, [(17, 12)], id="visible gpt"),
        pytest.param(GPT + 'no_decay = ["bias", "ln_f"]\n' + GROUPS, [(17, 12)], id="visible gpt, ln_1 missed"),
        pytest.param(
            'import torch\nfrom transformers import AutoModel\nmodel = AutoModel.from_pretrained("gpt2")\n'
            'no_decay = ["bias", "LayerNorm.weight"]\n' + GROUPS,
            [(4, 12)],
            id="gpt2 checkpoint",
        ),
        pytest.param(
            """\
import torch
no_decay = ["bias", "LayerNorm.weight"]
decay, skip = [], []
for n, p in model.named_parameters():
    if any(nd in n for nd in no_decay):
        skip.append(p)
    else:
        decay.append(p)
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": skip, "weight_decay": 0.0}])
""",
            [(2, 12)],
            id="lists built in a loop",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param('import torch\nno_decay = ["bias", "norm", "ln"]\n' + GROUPS, id="covers the families"),
        pytest.param(GPT + 'no_decay = ["bias", "ln_"]\n' + GROUPS, id="visible gpt, all norms matched"),
        pytest.param(
            'import torch\nfrom transformers import AutoModel\nmodel = AutoModel.from_pretrained("bert-base-uncased")\n'
            'no_decay = ["bias", "LayerNorm.weight"]\n' + GROUPS,
            id="bert checkpoint",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([p for p in model.parameters() if p.ndim >= 2])\n", id="ndim"
        ),
        pytest.param('import torch\n' + GROUPS, id="list unknown"),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


def test_message_names_the_missed_parameters():
    import wdlint

    source = GPT + 'no_decay = ["bias", "LayerNorm.weight"]\n' + GROUPS
    [d] = wdlint.lint_source(textwrap.dedent(source), select=[CODE])
    assert "`h.0.ln_1.weight`, `ln_f.weight` are decayed" in d.message


def test_quiet_when_the_filter_also_tests_ndim(findings):
    """timm's param_groups_weight_decay: `ndim <= 1 or name.endswith(".bias")` (regression)."""
    source = """\
import torch
decay, no_decay = [], []
for name, param in model.named_parameters():
    if param.ndim <= 1 or name.endswith(".bias"):
        no_decay.append(param)
    else:
        decay.append(param)
opt = torch.optim.AdamW([{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": 0.05}])
"""
    assert findings(source, CODE) == []
