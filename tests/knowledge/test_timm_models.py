"""The timm table of `wdlint.knowledge.timm_models` against the real timm models.

Every architecture a family's patterns claim is built by `timm.create_model` on the `meta`
device, and its normalization weights (the `weight` of each module of a norm class: LayerNorm,
BatchNorm2d, timm's BatchNormAct2d, LayerNorm2d, GroupNorm, GlobalResponseNorm, ...) are
compared with the table both ways: each real norm weight ends with a listed name, and each
listed name ends a real one. A repeated block's index is written `0`
(`layers.3.blocks.5.norm1.weight` -> `layers.0.blocks.0.norm1.weight`); an index inside a
block of different layers is kept (`stem.1.weight`). An old name the patterns claim must map
to an architecture of the same family (timm builds that one for it).

`global_pool`: every value a family lists is built on its first architecture, and on every
architecture the first value of each listed group whose norms differ from the default ones
(ViT's `avg`, which moves the final norm after the pooling unless the architecture's own
arguments fix `fc_norm`). The keywords said to change no name are built on the first
architecture of each family.
"""

from __future__ import annotations

import functools
import gc
import re
from typing import Any

import pytest
import torch
from torch.overrides import TorchFunctionMode

from wdlint.knowledge.params import is_norm_class_name
from wdlint.knowledge.timm_models import (
    FACTORY_PARAMETERS,
    FAMILIES,
    NEUTRAL_KEYWORDS,
    TimmFamily,
    architecture,
    timm_family,
    timm_model,
)

timm = pytest.importorskip("timm")

# what each of NEUTRAL_KEYWORDS is built with (FACTORY_PARAMETERS are create_model's own)
NEUTRAL_VALUES: dict[str, Any] = {"num_classes": 0, "drop_rate": 0.1, "drop_path_rate": 0.1, "in_chans": 1, "img_size": 256}
# A value-only in-place op (and torch.nn.init's, made of them) does nothing to a meta tensor
# but run torch's Python reference of it, where most of a build's time went: skipped, the
# modules and their names are the same.
_VALUE_ONLY = frozenset({
    "uniform_", "normal_", "erfinv_", "mul_", "add_", "sub_", "div_", "clamp_", "clamp_min_", "clamp_max_", "zero_",
    "fill_", "copy_", "exp_", "log_", "sqrt_", "fmod_", "bernoulli_", "random_", "abs_", "neg_", "trunc_normal_",
    "constant_", "ones_", "zeros_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "orthogonal_",
})


class _SkipValueOps(TorchFunctionMode):
    def __torch_function__(self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        tensor = args[0] if args else kwargs.get("tensor")  # torch.nn.init's pass it by keyword
        if getattr(func, "__name__", "") in _VALUE_ONLY and isinstance(tensor, torch.Tensor) and tensor.is_meta:
            return tensor
        return func(*args, **kwargs)


def _build(name: str, **kwargs: Any) -> torch.nn.Module:
    gc.disable()  # a build makes thousands of objects and no garbage: a quarter of its time went to collections
    try:
        with torch.device("meta"), _SkipValueOps():
            return timm.create_model(name, **kwargs)
    finally:
        gc.enable()


def _representative(model: torch.nn.Module) -> dict[str, str]:
    """Module name -> the name with `0` for the index of each repeated block: a numbered child of
    a container whose children are all of one class (ViT's `blocks`, ResNet's `layer1`)."""
    renamed = {"": ""}
    for prefix, module in model.named_modules():
        children = list(module.named_children())
        repeated = len({type(child) for _, child in children}) == 1
        for name, _ in children:
            part = "0" if repeated and name.isdigit() else name
            renamed[f"{prefix}.{name}" if prefix else name] = f"{renamed[prefix]}.{part}" if prefix else part
    return renamed


def _is_norm(module: torch.nn.Module) -> bool:
    return any(is_norm_class_name(cls.__name__) for cls in type(module).__mro__)


def _norm_weights(model: torch.nn.Module) -> set[str]:
    renamed = _representative(model)
    return {
        f"{renamed[prefix]}.weight"
        for prefix, module in model.named_modules()
        if prefix and _is_norm(module) and isinstance(module._parameters.get("weight"), torch.nn.Parameter)
    }


def _ends(name: str, pattern: str) -> bool:
    return name == pattern or name.endswith(f".{pattern}")


def _pooled(name: str, pool: str) -> torch.nn.Module | None:
    """The model built with `global_pool=pool`; None when its class refuses that pooling (an
    assertion: DeiT's distilled head reads the class token), as the user's call would fail."""
    try:
        return _build(name, global_pool=pool)
    except AssertionError:
        return None


def _check(what: str, model: torch.nn.Module | None, listed: tuple[str, ...]) -> None:
    if model is None:
        return
    real = _norm_weights(model)
    assert real, what
    unlisted = sorted(n for n in real if not any(_ends(n, pattern) for pattern in listed))
    assert not unlisted, f"{what}: norm weights missing from the table: {unlisted}"
    absent = [pattern for pattern in listed if not any(_ends(n, pattern) for n in real)]
    assert not absent, f"{what}: listed names it does not have: {absent} (it has {sorted(real)})"


@functools.cache
def _deprecated() -> dict[str, str | None]:
    """timm's old names -> the `architecture.tag` it builds for them (None: removed)."""
    return dict(timm.models.get_deprecated_models())


@functools.cache
def _names() -> tuple[str, ...]:
    return tuple(sorted(set(timm.list_models()) | set(_deprecated())))


def _claimed(family: TimmFamily) -> list[str]:
    return [name for name in _names() if timm_family(name) is family]


@pytest.mark.timm_models
@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.name)
def test_norm_names_match_the_real_models(family: TimmFamily) -> None:
    claimed = _claimed(family)
    for pattern in family.models:
        assert any(re.fullmatch(pattern, name) for name in claimed), f"{pattern} claims no timm model"
    current = [name for name in claimed if name not in _deprecated()]
    changing = [values[0] for values, _ in family.other_pools]
    for name in current:
        _check(name, _build(name), family.norms)
        for pool in changing:
            _check(f"{name} global_pool={pool!r}", _pooled(name, pool), family.norm_params(pool) or ())
    for name in claimed:
        if name in _deprecated():
            target = _deprecated()[name]
            assert target is not None and timm_family(target.split(".")[0]) is family, f"{name} -> {target}"


@pytest.mark.timm_models
@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.name)
def test_pools_and_neutral_keywords_on_the_first_model(family: TimmFamily) -> None:
    name = next(name for name in _claimed(family) if name not in _deprecated())
    for values, norms in ((family.same_pools, family.norms), *family.other_pools):
        for pool in values:
            _check(f"{name} global_pool={pool!r}", _pooled(name, pool), norms)
    assert set(NEUTRAL_VALUES) == NEUTRAL_KEYWORDS - set(FACTORY_PARAMETERS)
    keywords = dict(NEUTRAL_VALUES)
    while keywords:
        try:
            model = _build(name, **keywords)
        except TypeError as error:  # not an argument of this model class (DenseNet's `drop_path_rate`)
            refused = [k for k in keywords if f"'{k}'" in str(error)]
            assert refused, error
            del keywords[refused[0]]  # a call that passes it fails: nothing is built to mistake
            continue
        _check(f"{name} {keywords}", model, family.norms)
        break


def test_no_name_is_claimed_twice() -> None:
    for name in _names():
        families = {family.name for family in FAMILIES for pattern in family.models if re.fullmatch(pattern, name)}
        assert len(families) <= 1, f"{name}: {families}"


@pytest.mark.parametrize(
    ("model_name", "expected"),
    (
        ("vit_base_patch16_224", "vit_base_patch16_224"),
        ("vit_base_patch16_224.augreg2_in21k_ft_in1k", "vit_base_patch16_224"),
        ("hf-hub:timm/resnet50.a1_in1k", "resnet50"),
        ("hf_hub:timm/convnext_tiny.fb_in22k", "convnext_tiny"),
        ("hf-hub:someone/my-finetuned-vit", None),
        ("local-dir:/models/vit", None),
        ("", None),
    ),
)
def test_architecture_names(model_name: str, expected: str | None) -> None:
    assert architecture(model_name) == expected


def test_models_and_pools() -> None:
    vit = timm_model("vit_base_patch16_224.augreg_in21k")
    assert vit is not None and vit.family.name == "ViT" and vit.name == "timm `vit_base_patch16_224`"
    assert "norm.weight" in vit.norm_params and "fc_norm.weight" not in vit.norm_params
    pooled = timm_model("vit_base_patch16_224", "avg")
    assert pooled is not None and "fc_norm.weight" in pooled.norm_params and "norm.weight" not in pooled.norm_params
    assert timm_model("vit_base_patch16_224", "map") is None  # an attention-pool head with a norm of its own
    resnet = timm_model("resnet50", "catavgmax")
    assert resnet is not None and resnet.norm_params == timm_model("resnet50").norm_params  # type: ignore[union-attr]
    assert timm_model("vit_base_patch16_siglip_224") is None
    assert timm_model("my_resnet50") is None


SCRIPT = """\
import timm
import torch

model = timm.create_model({arguments})
no_decay = {no_decay!r}
groups = [
    {{"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.05}},
    {{"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0}},
]
optimizer = torch.optim.AdamW(groups, lr=1e-4)
"""


@pytest.mark.parametrize(
    ("name", "keywords", "no_decay"),
    (
        ("vit_base_patch16_224", {"num_classes": 10}, ["bias", "LayerNorm.weight"]),
        ("vit_base_patch16_224", {"global_pool": "avg"}, ["bias", "LayerNorm.weight"]),
        ("vit_base_patch16_224", {}, ["bias", "norm"]),
        ("deit_small_patch16_224", {"global_pool": "avg"}, ["bias", "norm"]),
        ("resnet50", {"num_classes": 5}, ["bias", "bn"]),
        ("resnet50", {}, ["bias", "bn", "downsample.1"]),
        ("resnet50d", {}, ["bias", "bn"]),
        ("convnext_tiny", {"drop_path_rate": 0.1}, ["bias", "norm"]),
        ("convnext_tiny", {}, ["bias", "norm", "stem.1", "downsample.0"]),
        ("convnextv2_tiny", {}, ["bias", "norm", "stem.1", "downsample.0"]),
        ("swin_base_patch4_window7_224", {}, ["bias", "norm1", "norm2"]),
        ("tf_efficientnet_b4", {}, ["bias", "bn1", "bn2"]),
        ("efficientnet_b0", {}, ["bias", "bn"]),
        ("regnety_032", {}, ["bias", ".bn."]),
        ("densenet121", {}, ["bias", "norm1", "norm2", "transition"]),
        ("mixer_b16_224", {}, ["bias", "LayerNorm.weight"]),
        ("beit_base_patch16_224", {}, ["bias", "norm1", "norm2"]),
        ("vit_base_patch16_clip_224", {}, ["bias", "norm1", "norm2", "norm.weight"]),
    ),
)
def test_wd202_names_what_the_real_model_decays(name: str, keywords: dict[str, Any], no_decay: list[str]) -> None:
    """The rule's verdict and names against the real model's parameters, filtered as the script
    filters them: a norm weight is decayed when no fragment is in its full name."""
    import wdlint

    arguments = ", ".join([repr(name), *(f"{k}={v!r}" for k, v in keywords.items())])
    [*found] = wdlint.lint_source(SCRIPT.format(arguments=arguments, no_decay=no_decay), select=["WD202"])
    reported = re.findall(r"`([\w.]+)`", found[0].message.split(":", 1)[1].split(" decayed")[0]) if found else []
    model = _build(name, **keywords)
    renamed = _representative(model)
    decayed = {
        f"{renamed[prefix]}.weight"
        for prefix, module in model.named_modules()
        if prefix and _is_norm(module) and isinstance(module._parameters.get("weight"), torch.nn.Parameter)
        and not any(fragment in f"{prefix}.weight" for fragment in no_decay)
    }
    assert len(reported) <= 4 and not (found and found[0].message.count("...")), "a case whose names all show"
    unreported = sorted(n for n in decayed if not any(_ends(n, pattern) for pattern in reported))
    assert not unreported, f"decayed, not reported: {unreported}"
    wrong = [pattern for pattern in reported if not any(_ends(n, pattern) for n in decayed)]
    assert not wrong, f"reported, not decayed: {wrong}"
