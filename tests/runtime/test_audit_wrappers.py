"""Wrapped models: DDP, torch.compile, FSDP2 and FSDP1 (gloo on CPU, world size 1), name
prefixes in `param_names`, and tied weights."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")
from audit_models import build, split_by_ndim  # noqa: E402
from torch import nn  # noqa: E402

import wdlint  # noqa: E402

# importing torch._dynamo (torch.compile) and FSDP warns about torch.jit; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated:DeprecationWarning")

dist = torch.distributed
needs_gloo = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()), reason="torch.distributed with gloo"
)


def found(report: wdlint.AuditReport) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for finding in report.findings:
        result.setdefault(finding.code, set()).update(finding.params)
    return result


@pytest.fixture(scope="module")
def process_group(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    store = Path(tmp_path_factory.mktemp("gloo")) / "store"
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def norm_and_bias_names(model: nn.Module) -> set[str]:
    return {n for n, p in model.named_parameters() if p.ndim < 2}


@needs_gloo
def test_ddp_names_are_the_unwrapped_models(process_group: None) -> None:
    model = build("gpt")
    ddp = nn.parallel.DistributedDataParallel(model)
    assert next(n for n, _ in ddp.named_parameters()).startswith("module.")
    report = wdlint.audit(ddp, torch.optim.AdamW(ddp.parameters(), lr=1e-3))
    assert found(report) == {"WD201": norm_and_bias_names(model)}
    assert wdlint.audit(ddp, torch.optim.AdamW(wdlint.param_groups(ddp, 0.1), lr=1e-3), select=["ALL"]).ok


@needs_gloo
def test_ddp_of_a_compiled_model_keeps_the_no_weight_decay_hook(process_group: None) -> None:
    model = build("vit")
    wrapped = nn.parallel.DistributedDataParallel(torch.compile(model))
    assert next(n for n, _ in wrapped.named_parameters()).startswith("module._orig_mod.")
    report = wdlint.audit(wrapped, torch.optim.AdamW(split_by_ndim(wrapped, 0.05)))
    exempt = {"pos_embed", "cls_token", "rel_pos_table"}
    # timm's create_optimizer_v2 over the wrapper: `hasattr(model, "no_weight_decay")` is False
    assert found(report) == {"WD201": exempt, "WD205": exempt}
    assert "wrapped by `DistributedDataParallel`" in str(report)


@needs_gloo
def test_groups_named_after_the_wrapper(process_group: None) -> None:
    model = build("vit")
    ddp = nn.parallel.DistributedDataParallel(model)
    skip = model.no_weight_decay()
    named = list(ddp.named_parameters())  # `module.pos_embed`: never in `skip`
    groups = [
        {"params": [(n, p) for n, p in named if n not in skip and p.ndim >= 2], "weight_decay": 0.05},
        {"params": [(n, p) for n, p in named if n in skip or p.ndim < 2], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups)
    assert optimizer.param_groups[0]["param_names"][0].startswith("module.")
    # The model tells which names its hook exempts; the recorded names show the prefix.
    exempt = {"pos_embed", "cls_token", "rel_pos_table"}
    assert found(wdlint.audit(model, optimizer)) == {"WD201": exempt, "WD205": exempt}
    assert "built from a wrapped model's names" in str(wdlint.audit(model, optimizer))


def test_compiled_model_and_compiled_submodules() -> None:
    model = build("resnet")
    model.blocks[0] = torch.compile(model.blocks[0])  # `blocks.0._orig_mod.conv1.weight`
    compiled = torch.compile(model)
    report = wdlint.audit(compiled, torch.optim.AdamW(compiled.parameters(), lr=1e-3, weight_decay=0.05))
    names = found(report)["WD201"]
    assert "blocks.0.bn1.weight" in names and "bn.weight" in names
    assert not any("_orig_mod" in n for n in names)


@needs_gloo
def test_fsdp2_fully_shard(process_group: None) -> None:
    from torch.distributed.fsdp import fully_shard

    model = build("gpt")
    expected = norm_and_bias_names(model)
    for block in model.h:
        fully_shard(block)
    fully_shard(model)
    assert type(next(model.parameters())).__name__ == "DTensor"
    assert found(wdlint.audit(model, torch.optim.AdamW(model.parameters(), lr=1e-3))) == {"WD201": expected}
    assert wdlint.audit(model, torch.optim.AdamW(wdlint.param_groups(model, 0.1), lr=1e-3)).ok


@needs_gloo
def test_fsdp1_flat_parameters_are_seen_through(process_group: None) -> None:
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FSDP1 is deprecated in favour of fully_shard
        inner = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))
        model = FSDP(nn.Sequential(FSDP(inner, device_id=torch.device("cpu")), nn.Linear(4, 2)), device_id=torch.device("cpu"))
    assert [n for n, _ in model.named_parameters()][0].endswith("_flat_param")
    report = wdlint.audit(model, torch.optim.AdamW(model.parameters(), lr=1e-3))
    # A flat parameter holds decayed and exempt params together: the exempt ones are reported.
    assert found(report) == {"WD201": {"0.0.bias", "0.1.weight", "0.1.bias", "1.bias"}}


def test_fsdp1_sharded_views_get_their_true_shapes() -> None:
    # With use_orig_params=True on several ranks, FSDP1 exposes 1-D shards; the unit's handle
    # keeps the true shapes. A world of one cannot shard, so the handle is stood in for here.
    model = nn.Sequential(nn.Linear(4, 4, bias=False), nn.Linear(4, 4, bias=False))
    shard = nn.Parameter(torch.zeros(8))
    model[0].weight = shard
    model.__dict__["_handle"] = SimpleNamespace(flat_param=SimpleNamespace(_params=[shard], _shapes=[torch.Size([4, 4])]))
    groups = [{"params": [shard], "weight_decay": 0.0}, {"params": [model[1].weight], "weight_decay": 0.1}]
    report = wdlint.audit(model, torch.optim.AdamW(groups))
    assert found(report) == {"WD602": {"0.weight"}}
    assert report.details["0.weight"].shape == (4, 4)


def test_tied_weights_count_once_and_as_the_embedding() -> None:
    model = build("gpt")
    names = [n for n, _ in model.named_parameters(remove_duplicate=False)]
    assert "lm_head.weight" in names and "wte.weight" in names
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and n != "wte.weight"]
    rest = [model.wte.weight, *(p for p in model.parameters() if p.ndim < 2)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}])
    assert wdlint.audit(model, optimizer, select=["ALL"]).ok  # an embedding: either way is fine


def test_param_names_of_a_ddp_model_without_a_model() -> None:
    linear = nn.Linear(4, 4)
    named = [(f"module.encoder.{n}", p) for n, p in linear.named_parameters()]
    report = wdlint.audit(None, torch.optim.AdamW(named, lr=1e-3))
    assert found(report) == {"WD201": {"encoder.bias"}}


def test_wrapper_names_grouped_right_are_quiet() -> None:
    """WD205's negative without a process group: names recorded with DDP's `module.` prefix,
    the groups split by shape, not by those names."""
    linear = nn.Linear(4, 4)
    named = [(f"module.{n}", p) for n, p in linear.named_parameters()]
    groups = [
        {"params": [(n, p) for n, p in named if p.ndim >= 2], "weight_decay": 0.1},
        {"params": [(n, p) for n, p in named if p.ndim < 2], "weight_decay": 0.0},
    ]
    assert wdlint.audit(None, torch.optim.AdamW(groups), select=["ALL"]).ok


def test_params_the_model_does_not_register() -> None:
    model = nn.Linear(4, 4)
    temperature = nn.Parameter(torch.ones(()))
    optimizer = torch.optim.AdamW([*model.parameters(), temperature], lr=1e-3)
    report = wdlint.audit(model, optimizer)
    assert found(report) == {"WD201": {"bias", "group0[2]"}}
    assert report.details["group0[2]"].shape == ()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_model() -> None:
    model = build("gpt", "cuda")
    assert found(wdlint.audit(model, torch.optim.AdamW(model.parameters()))) == {"WD201": norm_and_bias_names(model)}


def test_deepspeed_zero3_partitioned_params_keep_their_shape() -> None:
    model = nn.Linear(4, 4, bias=False)
    partitioned = nn.Parameter(torch.empty(0))  # what ZeRO-3 leaves on each rank
    partitioned.ds_shape = torch.Size([4, 4])  # type: ignore[attr-defined]
    model.weight = partitioned
    decayed = wdlint.audit(model, torch.optim.AdamW([partitioned], weight_decay=0.1))
    assert decayed.ok  # a decayed matrix, not a decayed 1-D param
    undecayed = wdlint.audit(model, torch.optim.AdamW([partitioned], weight_decay=0.0), select=["WD303"])
    assert found(undecayed) == {"WD303": {"weight"}}
    assert undecayed.details["weight"].shape == (4, 4)


def test_an_optimizer_over_copies_is_an_error() -> None:
    model = nn.Linear(4, 4)
    flat_copy = nn.Parameter(torch.zeros(20))  # as DeepSpeed ZeRO's inner optimizer holds
    with pytest.raises(ValueError, match="holds none of the model's params"):
        wdlint.audit(model, torch.optim.AdamW([flat_copy]))
