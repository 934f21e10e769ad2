"""Framework helpers that build the optimizer or its groups: LitGPT's instantiate_torch_optimizer,
asteroid's make_optimizer, torchvision's set_weight_decay (knowledge/helpers.py)."""

from __future__ import annotations

import textwrap

import pytest

import wdlint


def findings(source: str, **options: object) -> list[tuple[str, int]]:
    return [(d.code, d.location.row) for d in wdlint.lint_source(textwrap.dedent(source), **options)]


def messages(source: str) -> dict[str, str]:
    return {d.code: d.message for d in wdlint.lint_source(textwrap.dedent(source))}


LITGPT_PRETRAIN = """\
import lightning as L
from litgpt.utils import instantiate_torch_optimizer


def fit(fabric, model, optimizer):
    ...


def setup(model, optimizer="AdamW"):
    fabric = L.Fabric()
    fabric.launch(main, model, optimizer)


def main(fabric: L.Fabric, model, optimizer):
    optimizer = instantiate_torch_optimizer(optimizer, model.parameters())
    optimizer = fabric.setup_optimizers(optimizer)
    fit(fabric, model, optimizer)
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(LITGPT_PRETRAIN, [], id="pretrain.py: a config value, no guess"),
        pytest.param(
            "from litgpt.utils import instantiate_torch_optimizer\n"
            "optimizer = instantiate_torch_optimizer('Adam', model.parameters(), lr=3e-4, weight_decay=0.1)\n",
            [("WD101", 2), ("WD201", 2)],
            id="a torch name: coupled Adam over every parameter",
        ),
        pytest.param(
            "from litgpt.utils import instantiate_torch_optimizer\n"
            "optimizer = instantiate_torch_optimizer('AdamW', model.parameters(), lr=3e-4, weight_decay=0.0)\n",
            [],
            id="no decay",
        ),
        pytest.param(
            "from litgpt.utils import instantiate_torch_optimizer\n"
            "groups = [{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}]\n"
            "optimizer = instantiate_torch_optimizer('torch.optim.AdamW', groups, lr=3e-4)\n",
            [],
            id="a dotted path over param groups",
        ),
        pytest.param(
            "from litgpt.utils import instantiate_torch_optimizer\n"
            "opt = {'class_path': 'torch.optim.Adam', 'init_args': {'lr': 3e-4, 'weight_decay': 0.02}}\n"
            "optimizer = instantiate_torch_optimizer(opt, model.parameters())\n",
            [("WD101", 3), ("WD201", 3)],
            id="class_path and init_args",
        ),
        pytest.param(
            "from litgpt.utils import instantiate_torch_optimizer\n"
            "opt = {'class_path': 'torch.optim.Adam', 'init_args': {'lr': 3e-4, 'weight_decay': 0.02}}\n"
            "optimizer = instantiate_torch_optimizer(opt, model.parameters(), weight_decay=0.0)\n",
            [],
            id="keyword arguments update init_args",
        ),
        pytest.param(
            "from litgpt.utils import instantiate_torch_optimizer\n"
            "optimizer = instantiate_torch_optimizer('MyOptimizer', model.parameters(), weight_decay=0.1)\n",
            [],
            id="a class torch.optim does not have",
        ),
    ),
)
def test_litgpt(source: str, expected: list[tuple[str, int]]) -> None:
    assert findings(source) == expected


ASTEROID_TRAIN = """\
import yaml
from asteroid.engine.optimizers import make_optimizer

with open("local/conf.yml") as f:
    conf = yaml.safe_load(f)
model = ConvTasNet(**conf["filterbank"], **conf["masknet"])
{}
"""


@pytest.mark.parametrize(
    ("line", "expected"),
    (
        pytest.param('optimizer = make_optimizer(model.parameters(), **conf["optim"])', [], id="recipe: conf.yml names it"),
        pytest.param(
            'optimizer = make_optimizer(model.parameters(), lr=1e-3, optimizer="adam", weight_decay=1e-5)',
            [("WD101", 7), ("WD201", 7)],
            id="X-UMX: adam by name",
        ),
        pytest.param(
            "optimizer = make_optimizer(model.parameters(), lr=1e-3, weight_decay=1e-5)",
            [("WD101", 7), ("WD201", 7)],
            id="the default is adam",
        ),
        pytest.param(
            'optimizer = make_optimizer(model.parameters(), "AdamW", lr=1e-3, weight_decay=1e-5)',
            [("WD201", 7)],
            id="names are case-insensitive",
        ),
        pytest.param(
            'optimizer = make_optimizer(model.parameters(), optimizer="sgd", lr=1e-3)', [], id="sgd without decay"
        ),
        pytest.param(
            'optimizer = make_optimizer(model.parameters(), optimizer="ranger", weight_decay=1e-5)',
            [],
            id="a torch_optimizer class wdlint does not know",
        ),
    ),
)
def test_asteroid(line: str, expected: list[tuple[str, int]]) -> None:
    assert findings(ASTEROID_TRAIN.format(line)) == expected


def test_asteroid_message_names_the_helper() -> None:
    said = messages(ASTEROID_TRAIN.format('optimizer = make_optimizer(model.parameters(), optimizer="adam", weight_decay=1e-5)'))
    assert said["WD101"].startswith("`make_optimizer(optimizer='adam')` with weight_decay=1e-05 is L2 regularization")


TORCHVISION_TRAIN = """\
import argparse

import torch
import utils


def get_args_parser():
    parser = argparse.ArgumentParser(description="PyTorch Classification Training")
    parser.add_argument("--opt", default="sgd", type=str)
    parser.add_argument("--wd", "--weight-decay", default=1e-4, type=float, dest="weight_decay")
    parser.add_argument("--norm-weight-decay", default={norm}, type=float)
    parser.add_argument("--bias-weight-decay", default=None, type=float)
    return parser


def main(args):
    model = torchvision.models.get_model(args.model, weights=args.weights, num_classes=num_classes)
    custom_keys_weight_decay = []
    if args.bias_weight_decay is not None:
        custom_keys_weight_decay.append(("bias", args.bias_weight_decay))
    parameters = utils.set_weight_decay(
        model,
        args.weight_decay,
        norm_weight_decay=args.norm_weight_decay,
        custom_keys_weight_decay=custom_keys_weight_decay if len(custom_keys_weight_decay) > 0 else None,
    )
    opt_name = args.opt.lower()
    if opt_name.startswith("sgd"):
        optimizer = torch.optim.SGD(parameters, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    elif opt_name == "adamw":
        optimizer = torch.optim.AdamW(parameters, lr=args.lr, weight_decay=args.weight_decay)
    else:
        raise RuntimeError(f"Invalid optimizer {{args.opt}}. Only SGD and AdamW are supported.")


if __name__ == "__main__":
    args = get_args_parser().parse_args()
    main(args)
"""


def test_torchvision_train_decays_norms_by_default() -> None:
    said = messages(TORCHVISION_TRAIN.format(norm="None"))
    assert list(said) == ["WD201"]
    assert "so normalization weights are decayed too; pass `norm_weight_decay=0.0`" in said["WD201"]
    assert findings(TORCHVISION_TRAIN.format(norm="None")) == [("WD201", 21)]  # for the default `--opt sgd`


def test_torchvision_train_quiet_with_norm_weight_decay_zero() -> None:
    assert findings(TORCHVISION_TRAIN.format(norm="0.0")) == []


SET_WEIGHT_DECAY = "import torch\nfrom utils import set_weight_decay\nparams = {}\nopt = torch.optim.AdamW(params, lr=1e-3)\n"


@pytest.mark.parametrize(
    ("call", "expected", "says"),
    (
        pytest.param("set_weight_decay(model, 0.05, norm_weight_decay=None)", [("WD201", 3)], "biases and normalization weights", id="both"),
        pytest.param("set_weight_decay(model, 0.05, norm_weight_decay=0.0)", [("WD201", 3)], "so biases are", id="norms out"),
        pytest.param(
            'set_weight_decay(model, 0.05, norm_weight_decay=0.0, custom_keys_weight_decay=[("bias", 0.0)])',
            [],
            None,
            id="norms and biases out",
        ),
        pytest.param(
            'set_weight_decay(model, 0.0, norm_weight_decay=None)', [], None, id="no decay"
        ),
        pytest.param("set_weight_decay(model, 0.05, norm_weight_decay=NORM)", [], None, id="unknown norm decay"),
        pytest.param("set_weight_decay(model, skip_list, skip_keywords)", [], None, id="Swin's helper of that name"),
    ),
)
def test_set_weight_decay(call: str, expected: list[tuple[str, int]], says: str | None) -> None:
    source = SET_WEIGHT_DECAY.replace("params = {}", f"params = {call}")
    assert findings(source) == expected
    if says is not None:
        assert says in messages(source)["WD201"]
