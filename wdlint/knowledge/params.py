"""What wdlint knows about parameters: which are biases, norms, embeddings and heads.

Data only: the runtime audit classifies real modules and names with it, and the static rules
read the same names, so the two halves of wdlint can never disagree on what "should not be
decayed" means. The consensus (timm, nanoGPT, open_clip, Megatron, HF Trainer): weight matrices
are decayed; biases, normalization weights and every other 1-D param are not. Embeddings are a
real disagreement between recipes, so the default policy takes no side on them.
"""

from __future__ import annotations

from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Final


def is_norm_class_name(name: str) -> bool:
    """`nn.LayerNorm`, `LlamaRMSNorm`, `T5LayerNorm`, `BatchNorm2d`, `GroupNorm`, `LayerNorm2d`.

    The audit applies it to a module's class and its base classes, the static rules to the
    classes a model's `__init__` constructs.
    """
    return "Norm" in name


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


BIAS_NAME: Final = "bias"  # the last component of a bias's dotted name

# What a name test that picks out biases or normalization weights (or weights apart from
# biases) tests for: `bias`, `LayerNorm`, `ln_f`, `bn1`, `norm`, `gamma`, `.weight`. A param
# group selected by names none of which contains one of these (`backbone`, `head.`) holds every
# bias and norm of the part of the model it selects.
NO_DECAY_NAME_MARKS: Final = ("bias", "norm", "ln", "bn", "gamma", "beta", "weight")


def marks_no_decay(fragment: str) -> bool:
    lower = fragment.lower()
    return any(mark in lower for mark in NO_DECAY_NAME_MARKS)


# Names of sub-modules that a param group selected by name (`"backbone" in n`) holds whole: a
# fragment made of these names selects layers, with their biases and norms; any other fragment
# (`frod_lambda_l`, `logit_scale`) may name a single param.
SUBMODULE_NAMES: Final = frozenset({
    "backbone", "encoder", "decoder", "neck", "transformer", "pooler", "visual", "vision_model", "text_model",
    "vision_tower", "language_model", "mm_projector", "projector", "model", "bert", "roberta", "vit", "blocks",
    "layers", "layer", "features", "stem", "heads", "classifiers", "discriminator", "generator", "unet",
    "text_encoder", "image_encoder", "mask_decoder", "prompt_encoder", "input_proj", "module",
})


def names_submodule(fragment: str) -> bool:
    """`backbone`, `module.encoder.`, `classifier`, `layers.11`: a fragment that names layers."""
    parts = [part for part in fragment.split(".") if part]
    known = SUBMODULE_NAMES | HEAD_NAMES
    return bool(parts) and all(part in known or part.isdigit() for part in parts)


def names_bert_style(fragment: str) -> bool:
    """A fragment of BERT's classic no-decay list: a bias, or a norm named `LayerNorm`; a list of
    only these misses every norm named otherwise (`ln_1`, `norm`, `RMSNorm`)."""
    return fragment == BIAS_NAME or fragment.endswith(f".{BIAS_NAME}") or "LayerNorm" in fragment


# timm's and open_clip's hook: a model method returning names (or fnmatch patterns) of params
# that must not be decayed, relative to the model itself.
NO_DECAY_HOOK: Final = "no_weight_decay"
# Swin's companion hook: name fragments, matched as substrings (`relative_position_bias_table`)
NO_DECAY_KEYWORDS_HOOK: Final = "no_weight_decay_keywords"

# A module whose class (or a base class) name ends with one of these owns embedding tables:
# nn.Embedding, nn.EmbeddingBag, Megatron's VocabParallelEmbedding, ...
EMBEDDING_CLASS_SUFFIXES: Final = ("Embedding", "EmbeddingBag")

# Fragments of the attribute name of an embedding-like param (`pos_embed`, `cls_token`) or of
# the module that owns it (`wte.weight`, `embed_tokens.weight`, `tok_embeddings.weight`).
# Matched against those two names only: `patch_embed.proj.weight` is a convolution.
EMBEDDING_NAME_FRAGMENTS: Final = (
    "embed",
    "wte",
    "wpe",
    "tok_emb",
    "pos_emb",
    "cls_token",
    "class_token",
    "dist_token",
    "reg_token",
    "mask_token",
)

# Attribute names of the output head when it is a direct child of the model (`lm_head`,
# timm's `head` and `fc`, HF's `classifier` and `score`, Meta Llama's `output`). Muon's authors
# train the head with AdamW; deeper modules with these names (BERT's `attention.output`) are not
# heads.
HEAD_NAMES: Final = frozenset({"lm_head", "head", "output", "classifier", "score", "fc"})
# Head names that mean the head at any depth (`model.lm_head` in a wrapped checkpoint)
DEEP_HEAD_NAMES: Final = frozenset({"lm_head"})

class Wrapper(Record):
    """A wrapper that holds the user's model and renames its parameters."""

    class_name: str  # its class at run time (matched by name: no wrapper package is imported)
    attribute: str  # where it keeps the model
    constructors: tuple[str, ...]  # the qualified names code builds it with
    name_prefix: str  # what `named_parameters()` on the wrapper puts before each name
    # its `__getattr__` falls back to the model's attributes (`compiled.lm_head` is the model's)
    forwards_attributes: bool = False


WRAPPERS: Final = (
    Wrapper(
        "DistributedDataParallel",
        "module",
        ("torch.nn.parallel.DistributedDataParallel", "torch.nn.parallel.distributed.DistributedDataParallel"),
        "module.",
    ),
    Wrapper("DataParallel", "module", ("torch.nn.DataParallel", "torch.nn.parallel.DataParallel"), "module."),
    Wrapper(  # FSDP1; its inner units add `_fsdp_wrapped_module.` too
        "FullyShardedDataParallel",
        "module",
        (
            "torch.distributed.fsdp.FullyShardedDataParallel",
            "torch.distributed.fsdp.fully_sharded_data_parallel.FullyShardedDataParallel",
        ),
        "_fsdp_wrapped_module.",
        forwards_attributes=True,
    ),
    Wrapper("DeepSpeedEngine", "module", ("deepspeed.initialize",), "module."),
    Wrapper("OptimizedModule", "_orig_mod", ("torch.compile",), "_orig_mod.", forwards_attributes=True),  # torch.compile
)
# the audit: wrapper class name -> the attribute holding the model
WRAPPER_ATTRIBUTES: Final = {wrapper.class_name: wrapper.attribute for wrapper in WRAPPERS}
# the static rules: qualified constructor -> the prefix it adds
MODEL_WRAPPERS: Final = {name: wrapper.name_prefix for wrapper in WRAPPERS for name in wrapper.constructors}
# the static rules: the attribute where a wrapper a constructor builds keeps the model
# (`ddp_model.module`), and the wrappers that forward other attributes to it
WRAPPED_MODEL_ATTRIBUTE: Final = {name: wrapper.attribute for wrapper in WRAPPERS for name in wrapper.constructors}
ATTRIBUTE_FORWARDING_WRAPPERS: Final = frozenset(
    name for wrapper in WRAPPERS if wrapper.forwards_attributes for name in wrapper.constructors
)
# `accelerator.prepare(model)` wraps in DDP/FSDP depending on the launch: a method name, since
# the Accelerator object is created at run time; `accelerator.unwrap_model(model)` undoes it
WRAPPING_METHODS: Final = frozenset({"prepare", "prepare_model"})
PREPARED_MODEL_ATTRIBUTE: Final = "module"  # DDP's and FSDP's
UNWRAPPING_METHODS: Final = frozenset({"unwrap_model"})

# transformers' `PreTrainedModel.get_input_embeddings()`: "a torch module mapping vocabulary to
# hidden states", an embedding table whose only param is its 2-D weight (textual inversion
# trains just that). Vision models override it to return their patch embedding (a convolution,
# which may have a bias): optimizing only that is not a recipe anyone follows.
EMBEDDING_ACCESSORS: Final = frozenset({"get_input_embeddings"})

# Name components that wrappers inside a model add (compiled or checkpointed submodules, FSDP1
# units); dropped wherever they appear so that names match the unwrapped model's.
WRAPPER_NAME_COMPONENTS: Final = frozenset(
    {"_orig_mod", "_fsdp_wrapped_module", "_checkpoint_wrapped_module"}
)

# The top-level prefix of the wrappers above, in names taken from an optimizer's `param_names`
# (recorded from whatever module `named_parameters()` was called on).
WRAPPER_NAME_PREFIX: Final = "module"
