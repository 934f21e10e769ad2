import pytest

CODE = "WD203"

HEAD = 'import torch\nno_decay = ["bias", "LayerNorm.weight"]\n'


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            HEAD + 'opt = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if n not in no_decay]}])\n',
            [(3, 80)],
            id="not in",
        ),
        pytest.param(
            HEAD + "decay = []\nfor n, p in model.named_parameters():\n    if n in no_decay:\n        continue\n"
            "    decay.append(p)\nopt = torch.optim.AdamW([{'params': decay}])\n",
            [(5, 8)],
            id="a continue guard",
        ),
        pytest.param(
            HEAD + "decay = []\nfor n, p in model.named_parameters():\n    if n not in no_decay:\n        decay.append(p)\n"
            "opt = torch.optim.AdamW([{'params': decay}])\n",
            [(5, 8)],
            id="loop",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(
            HEAD + 'opt = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)]}])\n',
            id="substring",
        ),
        pytest.param(
            'import torch\nskip = {"pos_embed", "cls_token"}\nopt = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if n in skip]}])\n',
            id="whole names",
        ),
        pytest.param(
            'import torch\nopt = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if n in names]}])\n',
            id="unknown names",
        ),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []
