"""A config's optimizer linked to the code that consumes it (wdlint/frontends/dialects/links.py,
wdlint/analysis/consumers.py, wdlint/knowledge/consumers.py): found while linting the config,
from the config. WD201 at the config's optimizer key where the consumer passes every param;
quiet where it passes groups or a selection, where no consumer is found, and where the
consumer builds its own optimizer."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from wdlint.analysis import project_scan
from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import LintOptions
from wdlint.frontends.dependencies import recording, unchanged

OPTIONS = LintOptions.from_selection(["ALL"])


@pytest.fixture(autouse=True)
def fresh_scans() -> Iterator[None]:
    project_scan.clear_scans()
    yield
    project_scan.clear_scans()


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def lint(path: Path) -> list[tuple[str, int, int, str]]:
    result = lint_bytes(path.read_bytes(), str(path), OPTIONS, path=path)
    return [(d.code, d.location.row, d.location.column, d.message) for d in result.diagnostics]


def codes(path: Path) -> list[tuple[str, int, int]]:
    return [(code, row, column) for code, row, column, _ in lint(path)]


# -- the config names the code: lightning-hydra-template -------------------------------------

MNIST_YAML = """
_target_: src.models.mnist_module.MNISTLitModule

optimizer:
  _target_: torch.optim.AdamW
  _partial_: true
  lr: 0.001
  weight_decay: 0.05

net:
  _target_: src.models.components.simple_dense_net.SimpleDenseNet
"""

MODULE = """
from lightning import LightningModule


class MNISTLitModule(LightningModule):
    def __init__(self, net, optimizer, scheduler=None):
        super().__init__()
        self.save_hyperparameters(logger=False)
        self.net = net

    def configure_optimizers(self):
        optimizer = self.hparams.optimizer(params=PARAMS)
        return {"optimizer": optimizer}
"""


def template(root: Path, params: str = "self.trainer.model.parameters()", module: str = MODULE) -> Path:
    write(
        root,
        {
            "pyproject.toml": "",
            "configs/model/mnist.yaml": MNIST_YAML,
            "src/models/mnist_module.py": module.replace("PARAMS", params),
        },
    )
    return root / "configs/model/mnist.yaml"


def test_template_every_param_is_reported_at_the_optimizer_key(tmp_path: Path) -> None:
    found = lint(template(tmp_path))
    assert [(c, r, col) for c, r, col, _ in found] == [("WD201", 3, 1)]
    message = found[0][3]
    assert "`self.trainer.model.parameters()` gives every parameter to `torch.optim.AdamW`" in message
    assert "`self.hparams.optimizer(params=...)` at src/models/mnist_module.py:11" in message


@pytest.mark.parametrize(
    "call",
    (
        'self.hparams["optimizer"](params=self.parameters())',
        "self.hparams.optimizer(self.parameters())",
    ),
)
def test_template_other_spellings_of_the_partial(tmp_path: Path, call: str) -> None:
    module = MODULE.replace("self.hparams.optimizer(params=PARAMS)", call)
    assert codes(template(tmp_path, module=module)) == [("WD201", 3, 1)]


def test_template_attribute_set_from_the_init_argument(tmp_path: Path) -> None:
    module = MODULE.replace("self.net = net", "self.optimizer_cfg = optimizer").replace(
        "self.hparams.optimizer(params=PARAMS)", "self.optimizer_cfg(self.parameters())"
    )
    assert codes(template(tmp_path, module=module)) == [("WD201", 3, 1)]


@pytest.mark.parametrize(
    "params",
    (
        pytest.param(
            '[{"params": [p for p in self.parameters() if p.ndim >= 2]},'
            ' {"params": [p for p in self.parameters() if p.ndim < 2], "weight_decay": 0.0}]',
            id="param groups",
        ),
        pytest.param("[p for p in self.parameters() if p.ndim >= 2]", id="filtered selection"),
        pytest.param("self.net.head.parameters() if False else get_groups(self)", id="unknown"),
    ),
)
def test_template_quiet_when_not_every_param(tmp_path: Path, params: str) -> None:
    assert codes(template(tmp_path, params)) == []


def test_template_quiet_without_the_module(tmp_path: Path) -> None:
    config = template(tmp_path)
    (tmp_path / "src/models/mnist_module.py").unlink()
    assert codes(config) == []


def test_template_quiet_when_the_class_does_not_call_the_partial(tmp_path: Path) -> None:
    module = MODULE.replace("self.hparams.optimizer(params=PARAMS)", "torch.optim.SGD(self.parameters(), lr=0.1)")
    assert codes(template(tmp_path, module=module)) == []


def test_template_quiet_without_decay(tmp_path: Path) -> None:
    config = template(tmp_path)
    config.write_text(MNIST_YAML.replace("weight_decay: 0.05", "weight_decay: 0.0"))
    assert codes(config) == []


def test_template_dependencies_are_recorded(tmp_path: Path) -> None:
    config = template(tmp_path)
    with recording() as stamps:
        lint(config)
    paths = {path for path, _, _ in stamps}
    assert str(tmp_path / "src/models/mnist_module.py") in paths
    # the module changes: the config's result is stale
    (tmp_path / "src/models/mnist_module.py").write_text("")
    module_stamp = next(s for s in stamps if s[0] == str(tmp_path / "src/models/mnist_module.py"))
    assert not unchanged(module_stamp)


# -- the code names the config: DeepSpeed -------------------------------------------------

DS_CONFIG = """
{
  "train_batch_size": 8,
  "optimizer": {"type": "AdamW", "params": {"lr": 1e-4, "weight_decay": 0.01}}
}
"""

DS_TRAIN = """
import argparse
import deepspeed

parser = argparse.ArgumentParser()
parser.add_argument("--deepspeed_config", default="config/ds_config.json")
args = parser.parse_args()
model = Net()
engine, _, _, _ = deepspeed.initialize(args=args, model=model, model_parameters=PARAMS)
"""


def deepspeed(root: Path, train: str = DS_TRAIN, params: str = "model.parameters()") -> Path:
    write(root, {"config/ds_config.json": DS_CONFIG, "train.py": train.replace("PARAMS", params)})
    return root / "config/ds_config.json"


def test_deepspeed_args_default_names_the_config(tmp_path: Path) -> None:
    found = lint(deepspeed(tmp_path))
    assert [(c, r, col) for c, r, col, _ in found] == [("WD201", 3, 3)]
    assert "`deepspeed.initialize(model_parameters=...)` at train.py:8" in found[0][3]


@pytest.mark.parametrize("keyword", ("config", "config_params"))
def test_deepspeed_config_keyword(tmp_path: Path, keyword: str) -> None:
    train = DS_TRAIN.replace("args=args,", f'{keyword}="config/ds_config.json",')
    assert codes(deepspeed(tmp_path, train)) == [("WD201", 3, 3)]


@pytest.mark.parametrize(
    "params",
    (
        pytest.param("[p for p in model.parameters() if p.requires_grad]", id="every trainable: reported"),
    ),
)
def test_deepspeed_trainable_params_are_every_param(tmp_path: Path, params: str) -> None:
    assert codes(deepspeed(tmp_path, params=params)) == [("WD201", 3, 3)]


@pytest.mark.parametrize(
    ("train", "params"),
    (
        pytest.param(DS_TRAIN, "get_optimizer_grouped_parameters(model)", id="helper groups: unknown"),
        pytest.param(
            DS_TRAIN,
            '[{"params": [p for n, p in model.named_parameters() if "bias" not in n]},'
            ' {"params": [p for n, p in model.named_parameters() if "bias" in n], "weight_decay": 0.0}]',
            id="param groups",
        ),
        pytest.param(DS_TRAIN.replace("model=model,", "model=model, optimizer=opt,"), "model.parameters()", id="client optimizer"),
        pytest.param(DS_TRAIN.replace("config/ds_config.json", "config/other.json"), "model.parameters()", id="another config"),
        pytest.param(DS_TRAIN.replace(', default="config/ds_config.json"', ""), "model.parameters()", id="config from the command line"),
    ),
)
def test_deepspeed_quiet(tmp_path: Path, train: str, params: str) -> None:
    assert codes(deepspeed(tmp_path, train, params)) == []


def test_deepspeed_scan_is_a_dependency_also_from_the_memo(tmp_path: Path) -> None:
    config = deepspeed(tmp_path)
    write(tmp_path, {"config/ds_other.json": DS_CONFIG})
    with recording() as first:
        lint(config)
    with recording() as second:  # the scan is served from the memo: its stamps still count
        lint(tmp_path / "config/ds_other.json")
    for stamps in (first, second):
        paths = {path for path, _, _ in stamps}
        assert str(tmp_path / "train.py") in paths
        assert str(tmp_path) in paths  # a consumer added later changes the directory


# -- the code names the config: Hydra and registries -----------------------------------------

HYDRA_YAML = """
optimizer:
  _target_: torch.optim.AdamW
  lr: 0.001
  weight_decay: 0.1
"""

HYDRA_APP = """
import hydra
from hydra.utils import instantiate


@hydra.main(config_path="conf", config_name="train")
def main(cfg):
    model = instantiate(cfg.model)
    optimizer = instantiate(cfg.optimizer, PARAMS)
"""


def hydra_app(root: Path, app: str = HYDRA_APP, params: str = "model.parameters()") -> Path:
    write(root, {".git/HEAD": "", "conf/train.yaml": HYDRA_YAML, "app/main.py": app.replace("PARAMS", params)})
    return root / "conf/train.yaml"


def test_hydra_main_and_instantiate(tmp_path: Path) -> None:
    found = lint(hydra_app(tmp_path))
    assert [(c, r, col) for c, r, col, _ in found] == [("WD201", 1, 1)]
    assert "`instantiate(...)` at app/main.py:8" in found[0][3]


def test_hydra_params_keyword(tmp_path: Path) -> None:
    assert codes(hydra_app(tmp_path, params="params=model.parameters()")) == [("WD201", 1, 1)]


@pytest.mark.parametrize(
    ("app", "params"),
    (
        pytest.param(HYDRA_APP, "[p for p in model.parameters() if p.ndim >= 2]", id="filtered selection"),
        pytest.param(HYDRA_APP.replace('config_name="train"', 'config_name="eval"'), "model.parameters()", id="another config"),
        pytest.param(HYDRA_APP.replace("cfg.optimizer", "cfg.other"), "model.parameters()", id="another section"),
    ),
)
def test_hydra_quiet(tmp_path: Path, app: str, params: str) -> None:
    assert codes(hydra_app(tmp_path, app, params)) == []


REGISTRY_YAML = """
optim:
  name: adamw
  lr: 0.001
  weight_decay: 0.05
"""

REGISTRY_APP = """
import yaml
from mylib import create_optimizer

cfg = yaml.safe_load(open("config.yaml"))
model = build(cfg)
optimizer = create_optimizer(PARAMS, cfg["optim"])
"""


def test_registry_over_a_yaml_section(tmp_path: Path) -> None:
    write(tmp_path, {"config.yaml": REGISTRY_YAML, "train.py": REGISTRY_APP.replace("PARAMS", "model.parameters()")})
    found = lint(tmp_path / "config.yaml")
    assert [(c, r, col) for c, r, col, _ in found] == [("WD201", 1, 1)]
    assert "`create_optimizer(...)` at train.py:6" in found[0][3]


def test_registry_quiet_for_param_groups(tmp_path: Path) -> None:
    write(tmp_path, {"config.yaml": REGISTRY_YAML, "train.py": REGISTRY_APP.replace("PARAMS", "param_groups(model)")})
    assert codes(tmp_path / "config.yaml") == []


def test_quiet_when_no_code_names_the_config(tmp_path: Path) -> None:
    write(tmp_path, {"config.yaml": REGISTRY_YAML, "train.py": REGISTRY_APP.replace("config.yaml", "other.yaml")})
    assert codes(tmp_path / "config.yaml") == []


def test_not_on_disk_is_today_behaviour() -> None:
    result = lint_bytes(textwrap.dedent(HYDRA_YAML).encode(), "train.yaml", OPTIONS)
    assert [d.code for d in result.diagnostics] == []


def test_a_convention_that_groups_params_itself_is_not_overridden(tmp_path: Path) -> None:
    """NeMo with `optim_param_groups` groups the params: a script naming the file changes nothing."""
    nemo = """
    model:
      optim_param_groups: {encoder: {lr: 0.1}}
      optim:
        name: adamw
        lr: 0.001
        weight_decay: 0.01
    """
    app = """
    from mylib import create_optimizer
    cfg = load("config.yaml")
    optimizer = create_optimizer(model.parameters(), cfg.optim)
    """
    write(tmp_path, {"config.yaml": nemo, "train.py": app})
    assert [c for c, _, _ in codes(tmp_path / "config.yaml")] == []


def test_generic_section_linked_by_a_factory(tmp_path: Path) -> None:
    """The same factory over a config no convention claims: every param, reported."""
    app = """
    from mylib import create_optimizer
    cfg = load("config.yaml")
    optimizer = create_optimizer(model.parameters(), cfg.optim)
    """
    write(tmp_path, {"config.yaml": REGISTRY_YAML, "train.py": app})
    assert codes(tmp_path / "config.yaml") == [("WD201", 1, 1)]


def test_a_relative_path_finds_the_same_consumer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deepspeed(tmp_path)
    monkeypatch.chdir(tmp_path / "config")
    result = lint_bytes(Path("ds_config.json").read_bytes(), "ds_config.json", OPTIONS, path=Path("ds_config.json"))
    assert [(d.code, d.location.row) for d in result.diagnostics] == [("WD201", 3)]


def test_a_consumer_too_deep_to_read_leaves_the_params_unknown(tmp_path: Path) -> None:
    config = deepspeed(tmp_path)
    deep = "+".join(["1"] * 20000)
    (tmp_path / "train.py").write_text(textwrap.dedent(DS_TRAIN).replace("PARAMS", "model.parameters()") + f"x = {deep}\n")
    assert codes(config) == []  # the module is not read; never a WD001 of the config


def test_the_cache_sees_a_consumer_added_later(tmp_path: Path) -> None:
    """The config's cached result depends on the scanned directories: adding the consumer
    makes it stale (each CLI run is a new process: the scan memo is forgotten between runs)."""
    import os

    from wdlint.engine import runner
    from wdlint.engine.cache import ResultCache
    from wdlint.engine.jobs import FileJob

    options = LintOptions.from_selection()
    write(tmp_path, {"config/ds_config.json": DS_CONFIG})
    past = 1_600_000_000
    for path in (tmp_path / "config/ds_config.json", tmp_path / "config", tmp_path):
        os.utime(path, (past, past))
    seen: list[str] = []

    def run() -> list[str]:
        project_scan.clear_scans()
        job = FileJob(tmp_path / "config/ds_config.json", "config/ds_config.json")
        cache = ResultCache(tmp_path.parent / f"{tmp_path.name}-cache", options)
        looked_up = cache.lookup(job)
        seen.append("hit" if not isinstance(looked_up, FileJob) else "miss")
        [result] = runner.lint_cached([job], options, 1, ResultCache(tmp_path.parent / f"{tmp_path.name}-cache", options))
        return [d.code for d in result.diagnostics]

    assert run() == []
    assert run() == [] and seen[-1] == "hit"
    (tmp_path / "train.py").write_text(textwrap.dedent(DS_TRAIN).replace("PARAMS", "model.parameters()"))
    os.utime(tmp_path / "train.py", (past, past))
    os.utime(tmp_path, (past + 60, past + 60))  # as adding the file did, not too recent to trust
    assert run() == ["WD201"] and seen[-1] == "miss"
