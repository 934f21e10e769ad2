"""How models name their normalization layers, and the no-decay name lists people write.

Data for the static name-filter rules (WD202, WD203); lookups only.
"""

from __future__ import annotations

from typing import Final

# torch.nn normalization classes whose names do not contain "Norm"
_NORM_CLASSES_WITHOUT_NORM: Final = frozenset({"LocalResponseNorm"})


def is_norm_class_name(name: str) -> bool:
    """`nn.LayerNorm`, `LlamaRMSNorm`, `T5LayerNorm`, `BatchNorm2d`, `GroupNorm`, `LayerNorm2d`."""
    return "Norm" in name or name in _NORM_CLASSES_WITHOUT_NORM


# Families of norm parameter names, with the models that use them: a name filter must match at
# least one example of each family to exclude those norms from decay.
NORM_NAME_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "`ln_1`, `ln_2`, `ln_f` (GPT-2, nanoGPT)": ("h.0.ln_1.weight", "h.0.ln_2.weight", "ln_f.weight"),
    "`input_layernorm`, `post_attention_layernorm`, `norm` (Llama, Mistral, Qwen)": (
        "layers.0.input_layernorm.weight",
        "layers.0.post_attention_layernorm.weight",
        "norm.weight",
    ),
    "`layer_norm`, `final_layer_norm` (T5)": ("block.0.layer.0.layer_norm.weight", "final_layer_norm.weight"),
    "`norm1`, `norm2` (ViT, timm)": ("blocks.0.norm1.weight", "blocks.0.norm2.weight"),
    "`bn1`, `bn2` (ResNet)": ("layer1.0.bn1.weight", "bn1.weight"),
}

# Entries of the classic BERT-era no-decay list: substrings, never whole parameter names. A
# list containing one of these is a list of fragments.
NO_DECAY_FRAGMENTS: Final = frozenset(
    {"bias", "LayerNorm.weight", "LayerNorm.bias", "layer_norm.weight", "layer_norm.bias", "norm", "ln"}
)

# Calls that wrap a model so that `named_parameters()` gains a prefix and the model's own
# attributes (`no_weight_decay()`) are no longer on the object: qualified name -> the prefix.
MODEL_WRAPPERS: Final[dict[str, str]] = {
    "torch.nn.parallel.DistributedDataParallel": "module.",
    "torch.nn.parallel.distributed.DistributedDataParallel": "module.",
    "torch.nn.DataParallel": "module.",
    "torch.nn.parallel.DataParallel": "module.",
    "torch.compile": "_orig_mod.",
    "torch.distributed.fsdp.FullyShardedDataParallel": "_fsdp_wrapped_module.",
    "torch.distributed.fsdp.fully_sharded_data_parallel.FullyShardedDataParallel": "_fsdp_wrapped_module.",
    "deepspeed.initialize": "module.",
}
# `accelerator.prepare(model)` wraps in DDP/FSDP depending on the launch: a method name, since
# the Accelerator object is created at run time
WRAPPING_METHODS: Final = frozenset({"prepare", "prepare_model"})

# Architectures whose norms are named `LayerNorm` (BERT's naming): the classic no-decay list is
# right for checkpoints of these, matched as substrings of the checkpoint's name.
LAYERNORM_NAMED_ARCHITECTURES: Final = (
    "bert", "roberta", "electra", "albert", "deberta", "camembert", "ernie", "layoutlm",
    "mpnet", "convbert", "funnel", "longformer", "bigbird", "rembert", "splinter", "xlm-r",
)
# ... except these, whose names contain one of the above but whose norms are named otherwise
OTHER_NORM_NAMING: Final = ("distilbert",)


def uses_layernorm_naming(checkpoint: str) -> bool:
    name = checkpoint.lower().rsplit("/", 1)[-1]
    if any(other in name for other in OTHER_NORM_NAMING):
        return False
    return any(architecture in name for architecture in LAYERNORM_NAMED_ARCHITECTURES)
