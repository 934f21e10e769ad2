import pytest

CODE = "WD201"


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)\n",
            [(2, 25)],
            id="adamw explicit",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=3e-4)\n", [(2, 25)], id="adamw default counts"
        ),
        pytest.param(
            "import torch\nopt = torch.optim.RMSprop(net.parameters(), lr=1e-3, weight_decay=1e-5)\n", [(2, 27)], id="rmsprop"
        ),
        pytest.param(
            "import torch\nclass M:\n    def configure_optimizers(self):\n        return torch.optim.AdamW(self.parameters(), lr=1e-3)\n",
            [(4, 34)],
            id="self.parameters",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(filter(lambda p: p.requires_grad, model.parameters()), weight_decay=0.05)\n",
            [(2, 25)],
            id="filter requires_grad",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(list(model.parameters()), weight_decay=0.05)\n", [(2, 25)], id="list"
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], weight_decay=0.05)\n",
            [(2, 25)],
            id="comprehension over trainable params",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([p for _, p in model.named_parameters()], weight_decay=0.05)\n",
            [(2, 25)],
            id="comprehension over named params",
        ),
        pytest.param(
            "import itertools, torch\nopt = torch.optim.AdamW(itertools.chain(enc.parameters(), dec.parameters()), weight_decay=0.05)\n",
            [(2, 25)],
            id="itertools.chain",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(list(enc.parameters()) + list(dec.parameters()), weight_decay=0.05)\n",
            [(2, 25)],
            id="sum of lists",
        ),
        pytest.param(
            "import torch\nparams = model.parameters()\nopt = torch.optim.AdamW(params, weight_decay=0.05)\n",
            [(3, 25)],
            id="through a variable",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': model.parameters(), 'weight_decay': 0.1}], lr=1e-3)\n",
            [(2, 37)],
            id="flat params in a group",
        ),
        pytest.param(
            "import torch\ndef f(m, wd):\n    return torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=wd)\n",
            [(3, 30)],
            id="unknown decay counts",
        ),
    ),
)
def test_fires(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param("import torch\nopt = torch.optim.AdamW(model.parameters(), weight_decay=0.0)\n", id="zero decay"),
        pytest.param("import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3)\n", id="adam default zero"),
        pytest.param("import torch\nopt = torch.optim.Adam(model.parameters(), **kwargs)\n", id="adam maybe kwargs"),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([p for p in model.parameters() if p.ndim >= 2], weight_decay=0.1)\n",
            id="ndim selection",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([p for n, p in model.named_parameters() if 'bias' not in n], weight_decay=0.1)\n",
            id="name selection",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW(model.parameters(recurse=False), weight_decay=0.1)\n",
            id="non-recursive",
        ),
        pytest.param(
            """\
import torch
decay = [p for p in model.parameters() if p.dim() >= 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
groups = [{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}]
opt = torch.optim.AdamW(groups, lr=3e-4)
""",
            id="nanogpt groups",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([{'params': model.parameters(), 'weight_decay': 0.0}])\n",
            id="flat group without decay",
        ),
        pytest.param("import torch\nopt = torch.optim.AdamW(params, weight_decay=0.1)\n", id="unknown params"),
        pytest.param("import torch\nopt = torch.optim.Muon(model.parameters())\n", id="muon is WD206's"),
        pytest.param(
            "import torch\nopt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)\n",
            id="sgd is WD207's",
        ),
        pytest.param("import torch\nopt = torch.optim.LBFGS(model.parameters())\n", id="takes no decay"),
        pytest.param(
            "import torch\nfrom transformers import AdamW\nopt = AdamW(model.parameters(), lr=2e-5)\n",
            id="transformers adamw default zero",
        ),
    ),
)
def test_quiet(findings, source):
    assert findings(source, CODE) == []


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(
            "import torch\ndecay = []\nfor p in model.parameters():\n    if p.ndim < 2:\n        continue\n    decay.append(p)\n"
            "opt = torch.optim.AdamW(decay, lr=1e-3, weight_decay=0.05)\n",
            id="continue guard selects by ndim (regression)",
        ),
        pytest.param(
            "import torch\nopt = torch.optim.AdamW([p for p in model.parameters() if p not in skip], lr=1e-3, weight_decay=0.05)\n",
            id="membership of the param in a set selects (regression)",
        ),
    ),
)
def test_quiet_regressions(findings, source):
    assert findings(source, CODE) == []


# "real-world recall": a branch the command line selects, a helper judged by its callers

ARGPARSE_SCRIPT = """\
import argparse
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--optimizer", default="sgd", choices=["sgd", "adamw"])
parser.add_argument("--weight-decay", type=float, default={wd})
args = parser.parse_args()
model = build_model()
if args.optimizer == "sgd":
    optimizer = torch.optim.SGD(param_groups(model), lr=0.1, weight_decay=args.weight_decay)
elif args.optimizer == "adamw":
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=args.weight_decay)
elif args.optimizer == "lamb":
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=args.weight_decay)
"""

HELPER_SCRIPT = """\
import torch


def make_optimizer(model, lr, weight_decay=0.0):
    return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)


model = Net()
{calls}
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(ARGPARSE_SCRIPT.format(wd="0.05"), [(12, 35)], id="elif on an option defaulting to another branch"),
        pytest.param(
            HELPER_SCRIPT.format(calls="opt = make_optimizer(model, 1e-3, weight_decay=0.05)"),
            [(5, 30)],
            id="a caller gives the decay",
        ),
        pytest.param(
            HELPER_SCRIPT.format(calls="a = make_optimizer(model, 1e-3)\nb = make_optimizer(model, 1e-4, 0.1)"),
            [(5, 30)],
            id="one caller of two gives the decay",
        ),
    ),
)
def test_fires_for_options_and_callers(findings, source, expected):
    assert findings(source, CODE) == [(CODE, row, col) for row, col in expected]


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(ARGPARSE_SCRIPT.format(wd="0.05").replace("if args.optimizer ==", "if False and args.optimizer =="), id="if False"),
        pytest.param(ARGPARSE_SCRIPT.format(wd="0.0"), id="the decay's default is 0: values are read as defaults"),
        pytest.param(HELPER_SCRIPT.format(calls="opt = make_optimizer(model, 1e-3)"), id="default never overridden"),
        pytest.param(
            HELPER_SCRIPT.format(calls="a = make_optimizer(model, 1e-3, weight_decay=0)\nb = make_optimizer(model, 1e-4, 0.0)"),
            id="every caller sets zero",
        ),
    ),
)
def test_quiet_for_options_and_callers(findings, source):
    assert findings(source, CODE) == []


# modules that provably hold no bias and no norm, seen through wrappers and accessors

SPEEDRUN = """\
import torch
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP

class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(wte=nn.Embedding(config.vocab_size, config.n_embd)))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.score = nn.Linear(config.n_embd, 2)

model = GPT(GPTConfig(vocab_size=50304, n_layer=12, n_head=12, n_embd=768))
model = model.cuda()
model = torch.compile(model)
model = DDP(model, device_ids=[ddp_local_rank])
raw_model = model.module # always contains the "raw" unwrapped model
optimizer1 = torch.optim.AdamW(raw_model.{head}.parameters(), lr=3e-4, betas=(0.9, 0.95), weight_decay=0.1, fused=True)
"""

TEXTUAL_INVERSION = """\
import torch

def training_function(text_encoder, vae, unet):
    optimizer = torch.optim.AdamW(
        text_encoder.get_input_embeddings().parameters(),  # only optimize the embeddings
        lr=learning_rate,
    )
"""


@pytest.mark.parametrize(
    "source",
    (
        pytest.param(SPEEDRUN.format(head="lm_head"), id="a bias-free head inside DDP and torch.compile"),
        pytest.param(TEXTUAL_INVERSION, id="textual inversion: the token embeddings only"),
    ),
)
def test_quiet_for_modules_without_bias_or_norm(findings, source):
    assert findings(source, CODE) == []


def test_fires_for_a_head_with_a_bias_inside_wrappers(findings):
    assert findings(SPEEDRUN.format(head="score"), CODE) == [(CODE, 17, 32)]
