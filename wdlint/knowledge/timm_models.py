"""timm's model families, by the architecture names `timm.create_model` takes, and the names of
their normalization weights.

Data only, read like `knowledge.models` (the transformers families): each norm name is the end
of real parameter names of every model the family covers, with `0` for the index of a
repeated block (`blocks.0.norm1.weight`) and the real index inside a block made of different
layers (ConvNeXt's `stem.1.weight`, ResNet's `downsample.1.weight`), so that a substring or
suffix test that catches the name catches every such parameter. A family covers the
architecture names its patterns match whole (`resnet50`; a pretrained tag such as
`.a1_in1k` and an `hf-hub:timm/` prefix are taken off first), old names timm still maps to
them included (`tf_efficientnet_b0_ns`). `tests/knowledge/test_timm_models.py` builds every
architecture each pattern matches on the `meta` device, with every keyword said here not to
change the names and every `global_pool` listed, and checks the names both ways.
"""

from __future__ import annotations

import re
from functools import cache

from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Final

# where `create_model` is defined and re-exported
FACTORIES: Final = frozenset({
    "timm.create_model",
    "timm.models.create_model",
    "timm.models._factory.create_model",
    "timm.models.factory.create_model",
})
# `create_model(model_name, pretrained, pretrained_cfg, ...)`: the parameters after the name,
# in order; none of them changes which layers the model has
FACTORY_PARAMETERS: Final = (
    "pretrained", "pretrained_cfg", "pretrained_cfg_overlay", "checkpoint_path", "cache_dir", "scriptable",
    "exportable", "no_jit",
)
# keywords passed on to the model class that change no layer's name (the head's size, dropout,
# the input's channels and size); any other (`features_only`, `norm_layer`, `fc_norm`...) may
NEUTRAL_KEYWORDS: Final = frozenset({
    *FACTORY_PARAMETERS, "num_classes", "drop_rate", "drop_path_rate", "in_chans", "img_size",
})
POOL_KEYWORD: Final = "global_pool"
# the decorator that adds a project's own architectures to timm's registry, under any name
REGISTERING: Final = "register_model"
# the sources of `create_model("hf-hub:timm/resnet50.a1_in1k")` whose names are timm's own
HUB_PREFIXES: Final = ("hf-hub:timm/", "hf_hub:timm/")


class TimmFamily(Record):
    name: str  # as messages show it: "ViT"
    norms: tuple[str, ...]  # norm weights with the family's default pooling
    models: tuple[str, ...]  # regular expressions of architecture names, matched whole
    # `global_pool=` values that keep `norms`, and those that give others: (values, norms); the
    # norms of any other value are unknown
    same_pools: tuple[str, ...] = ()
    other_pools: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()

    def norm_params(self, pool: str | None) -> tuple[str, ...] | None:
        """The norms with `global_pool=pool` (None: not given); None when that pool's are not known."""
        if pool is None or pool in self.same_pools:
            return self.norms
        return next((norms for values, norms in self.other_pools if pool in values), None)


class TimmModel(Record):
    family: TimmFamily
    architecture: str  # `vit_base_patch16_224`
    norm_params: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"timm `{self.architecture}`"


_BLOCKS = ("blocks.0.norm1.weight", "blocks.0.norm2.weight")
_VIT = (*_BLOCKS, "norm.weight")
_VIT_POOLS = ("", "token")
# ViT moves its final norm after the pooling (`fc_norm`) when it averages the tokens
_AVERAGING = ("avg", "avgmax", "max")
_CNN_POOLS = ("", "avg", "max", "avgmax", "catavgmax")  # SelectAdaptivePool2d's: no params
_CONVNEXT = ("stem.1.weight", "downsample.0.weight", "blocks.0.norm.weight", "head.norm.weight")
_RESNET = ("bn1.weight", "bn2.weight")
_DEEP_STEM = ("conv1.1.weight", "conv1.4.weight")  # ResNet-D: three convolutions, two norms between
_SIZES = "(?:tiny|small|base|large|huge|giant|gigantic)"
_RESNET_DEPTHS = "(?:26|50|101|152|200)"

FAMILIES: Final = (
    TimmFamily(
        "ViT",
        _VIT,
        models=(
            rf"vit_{_SIZES}_patch(?:8|14|16|32)_(?:224|384)(?:_in21k)?",
            rf"vit_{_SIZES}_patch14_(?:reg4_)?dinov2",
            r"deit_(?:tiny|small|base)_(?:distilled_)?patch16_(?:224|384)",
            r"deit3_(?:small|medium|base|large|huge)_patch(?:14|16)_(?:224|384)(?:_in21ft1k)?",
        ),
        same_pools=_VIT_POOLS,
        other_pools=((_AVERAGING, (*_BLOCKS, "fc_norm.weight")),),
    ),
    TimmFamily(
        "ViT (CLIP)",
        ("norm_pre.weight", *_VIT),
        models=(r"vit_(?:medium|base|large|huge|giant|gigantic)_patch(?:14|16|32)_clip_(?:quickgelu_)?\d+",),
        same_pools=_VIT_POOLS,
        other_pools=((_AVERAGING, ("norm_pre.weight", *_BLOCKS, "fc_norm.weight")),),
    ),
    TimmFamily(
        "BEiT",
        (*_BLOCKS, "fc_norm.weight"),
        models=(r"beit(?:v2)?_(?:base|large)_patch16_(?:224|384|512)(?:_in22k)?",),
        same_pools=("avg",),
        other_pools=((_VIT_POOLS, _VIT),),
    ),
    TimmFamily(
        "Swin",
        ("patch_embed.norm.weight", *_BLOCKS, "downsample.norm.weight", "norm.weight"),
        models=(
            r"swin_(?:tiny|small|base|large)_patch4_window(?:7|12)_(?:224|384)(?:_in22k)?",
            r"swinv2_(?:tiny|small|base|large)_window\d+(?:to\d+)?_\d+(?:to\d+)?(?:_22k|_22kft1k)?",
        ),
        same_pools=("", "avg"),
    ),
    TimmFamily(
        "ConvNeXt",
        _CONVNEXT,
        models=(
            r"convnext_(?:atto|femto|pico|nano|tiny|small|base|large|xlarge|xxlarge)",
            r"convnext_(?:tiny|small|base|large|xlarge)_(?:384_)?in22(?:ft1)?k",
        ),
        same_pools=_CNN_POOLS,
    ),
    TimmFamily(
        "ConvNeXt V2",
        (*_CONVNEXT, "mlp.grn.weight"),
        models=(r"convnextv2_(?:atto|femto|pico|nano|tiny|small|base|large|huge)",),
        same_pools=_CNN_POOLS,
    ),
    TimmFamily(
        "ResNet",
        (*_RESNET, "downsample.1.weight"),
        models=(r"(?:se)?resnet(?:18|34)",),
        same_pools=_CNN_POOLS,
    ),
    TimmFamily(
        "ResNet (bottleneck)",
        (*_RESNET, "bn3.weight", "downsample.1.weight"),
        models=(
            rf"(?:se)?resnet{_RESNET_DEPTHS}",
            r"(?:se)?resnext(?:50|101)_(?:32|64)x\d+d",
            r"wide_resnet(?:50|101)_2",
        ),
        same_pools=_CNN_POOLS,
    ),
    TimmFamily(
        "ResNet-D",
        (*_DEEP_STEM, *_RESNET, "downsample.2.weight"),
        models=(r"resnet(?:18|34)d",),
        same_pools=_CNN_POOLS,
    ),
    TimmFamily(
        "ResNet-D (bottleneck)",
        (*_DEEP_STEM, *_RESNET, "bn3.weight", "downsample.2.weight"),
        models=(rf"resnet{_RESNET_DEPTHS}d", r"resnext50d_32x4d"),
        same_pools=_CNN_POOLS,
    ),
    TimmFamily(
        "EfficientNet",
        (*_RESNET, "bn3.weight"),
        models=(
            r"(?:tf_)?efficientnet_b[0-8]",
            r"tf_efficientnet_b[0-8]_(?:ap|ns)",
            r"(?:tf_)?efficientnet_lite[0-4]",
            r"efficientnetv2_(?:rw_)?(?:t|s|m|l|xl)",
            r"tf_efficientnetv2_(?:b[0-3]|s|m|l|xl)(?:_in21k|_in21ft1k)?",
        ),
        same_pools=_CNN_POOLS,
    ),
    TimmFamily(
        "MobileNetV3",
        (*_RESNET, "bn3.weight"),
        models=(r"(?:tf_)?mobilenetv3_(?:large|small)_(?:075|100)",),
        same_pools=_CNN_POOLS,
    ),
    TimmFamily(
        "RegNet",
        ("stem.bn.weight", "conv1.bn.weight", "conv2.bn.weight", "conv3.bn.weight", "downsample.bn.weight"),
        models=(r"regnet[xy]_(?:002|004|006|008|016|032|040|064|080|120|160|320)",),
        same_pools=_CNN_POOLS,
    ),
    TimmFamily("MLP-Mixer", _VIT, models=(r"mixer_(?:s|b|l)(?:16|32)_224(?:_in21k)?",), same_pools=("", "avg")),
    TimmFamily(
        "DenseNet",
        (
            "norm0.weight", "norm1.weight", "norm2.weight", "transition1.norm.weight", "transition2.norm.weight",
            "transition3.norm.weight", "norm5.weight",
        ),
        models=(r"densenet(?:121|161|169|201)",),
        same_pools=_CNN_POOLS,
    ),
    TimmFamily("Inception-v3", ("bn.weight",), models=(r"inception_v3",), same_pools=_CNN_POOLS),
)


@cache  # compiled when a timm architecture is first looked up, not by every run that imports this
def _patterns() -> tuple[tuple[re.Pattern[str], TimmFamily], ...]:
    return tuple((re.compile(pattern), family) for family in FAMILIES for pattern in family.models)


def architecture(model_name: str) -> str | None:
    """`hf-hub:timm/vit_base_patch16_224.augreg_in21k` -> `vit_base_patch16_224`; None for a
    hub repository of another owner or a local folder, whose config names the architecture."""
    for prefix in HUB_PREFIXES:
        if model_name.startswith(prefix):
            model_name = model_name[len(prefix):]
            break
    if ":" in model_name or "/" in model_name or "\\" in model_name:
        return None
    return model_name.split(".", 1)[0] or None


def timm_family(name: str) -> TimmFamily | None:
    """The family whose patterns match the architecture `name` whole."""
    return next((family for pattern, family in _patterns() if pattern.fullmatch(name)), None)


def timm_model(model_name: str, pool: str | None = None) -> TimmModel | None:
    """What `create_model(model_name, global_pool=pool)` builds, when its norms are known."""
    name = architecture(model_name)
    family = timm_family(name) if name is not None else None
    norms = family.norm_params(pool) if family is not None else None
    return TimmModel(family, name, norms) if family is not None and name is not None and norms is not None else None
