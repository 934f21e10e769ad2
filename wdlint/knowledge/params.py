"""What wdlint knows about parameters: which are biases, norms, embeddings and heads.

Data only: the runtime audit classifies real modules and names with it, and the static rules
read the same names, so the two halves of wdlint can never disagree on what "should not be
decayed" means. The consensus (timm, nanoGPT, open_clip, Megatron, HF Trainer): weight matrices
are decayed; biases, normalization weights and every other 1-D param are not. Embeddings are a
real disagreement between recipes, so the default policy takes no side on them.
"""

from __future__ import annotations

from typing import Final

# Which module classes are normalization layers is `knowledge.naming.is_norm_class_name`, which
# the static rules use too; the audit applies it to a module's class and its base classes.

BIAS_NAME: Final = "bias"  # the last component of a bias's dotted name

# timm's and open_clip's hook: a model method returning names (or fnmatch patterns) of params
# that must not be decayed, relative to the model itself.
NO_DECAY_HOOK: Final = "no_weight_decay"

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

# Wrappers that hold the user's model in an attribute and prefix every param name with it.
# Matched by the class name (or a base class name), so no wrapper package is ever imported.
WRAPPER_ATTRIBUTES: Final[dict[str, str]] = {
    "DistributedDataParallel": "module",  # torch DDP
    "DataParallel": "module",
    "FullyShardedDataParallel": "module",  # FSDP1; its inner units add `_fsdp_wrapped_module.`
    "DeepSpeedEngine": "module",
    "OptimizedModule": "_orig_mod",  # torch.compile
}

# Name components that wrappers inside a model add (compiled or checkpointed submodules, FSDP1
# units); dropped wherever they appear so that names match the unwrapped model's.
WRAPPER_NAME_COMPONENTS: Final = frozenset(
    {"_orig_mod", "_fsdp_wrapped_module", "_checkpoint_wrapped_module"}
)

# The top-level prefix of the wrappers above, in names taken from an optimizer's `param_names`
# (recorded from whatever module `named_parameters()` was called on).
WRAPPER_NAME_PREFIX: Final = "module"
