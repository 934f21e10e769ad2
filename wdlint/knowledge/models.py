"""Known model families and the names of their normalization weights.

Data only. A name filter (`no_decay = ["bias", "LayerNorm.weight"]`) over a model whose class or
checkpoint is known is compared with these names: each is the end of a real parameter name of
the family's models, one layer of each kind (index `0`), so that a substring or suffix test that
catches the pattern catches every such parameter. `tests/knowledge/test_models.py` builds every
transformers family listed here on the `meta` device and checks the names both ways. timm's
families, by the architecture names `timm.create_model` takes, are in `knowledge.timm_models`.
"""

from __future__ import annotations

from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Final, Protocol
else:
    Protocol = object  # what a class subclassing it needs at run time


class ModelFamily(Record):
    name: str  # as messages show it: "GPT-2"
    norms: tuple[str, ...]  # norm weights of the base model, as name endings
    # transformers: class-name prefixes (`GPT2` of `GPT2LMHeadModel`) and the `model_type`s the
    # test builds; heads that add norms of their own: (class suffix, name endings)
    classes: tuple[str, ...] = ()
    model_types: tuple[str, ...] = ()
    heads: tuple[tuple[str, tuple[str, ...]], ...] = ()
    checkpoints: tuple[str, ...] = ()  # checkpoint name prefixes, lower case, after the `org/`

    def norm_params(self, head: str | None) -> tuple[str, ...]:
        """The norm weights of the model with the head of class suffix `head` (`ForMaskedLM`)."""
        extra = next((names for suffix, names in self.heads if suffix == head), ())
        return self.norms + extra


_BERT_NORMS = ("embeddings.LayerNorm.weight", "attention.output.LayerNorm.weight", "layer.0.output.LayerNorm.weight")
_MLM_TRANSFORM = ("cls.predictions.transform.LayerNorm.weight",)

FAMILIES: Final = (
    ModelFamily(
        "BERT",
        _BERT_NORMS,
        classes=("Bert",),
        model_types=("bert",),
        heads=(("ForMaskedLM", _MLM_TRANSFORM), ("LMHeadModel", _MLM_TRANSFORM), ("ForPreTraining", _MLM_TRANSFORM)),
        checkpoints=("bert-", "bert_"),
    ),
    ModelFamily(
        "RoBERTa",
        _BERT_NORMS,
        classes=("Roberta", "XLMRoberta", "Camembert"),
        model_types=("roberta", "xlm-roberta", "camembert"),
        heads=(("ForMaskedLM", ("lm_head.layer_norm.weight",)), ("ForCausalLM", ("lm_head.layer_norm.weight",))),
        checkpoints=("roberta-", "xlm-roberta-", "camembert-", "distilroberta-"),
    ),
    ModelFamily(
        "ELECTRA",
        _BERT_NORMS,
        classes=("Electra",),
        model_types=("electra",),
        heads=(
            ("ForMaskedLM", ("generator_predictions.LayerNorm.weight",)),
            ("ForCausalLM", ("generator_predictions.LayerNorm.weight",)),
        ),
        checkpoints=("electra-",),
    ),
    ModelFamily(
        "DeBERTa",
        _BERT_NORMS,
        classes=("Deberta", "DebertaV2"),
        model_types=("deberta", "deberta-v2"),
        heads=(("ForMaskedLM", _MLM_TRANSFORM),),
        checkpoints=("deberta-",),
    ),
    ModelFamily(
        "ALBERT",
        ("embeddings.LayerNorm.weight", "attention.LayerNorm.weight", "full_layer_layer_norm.weight"),
        classes=("Albert",),
        model_types=("albert",),
        heads=(("ForMaskedLM", ("predictions.LayerNorm.weight",)), ("ForPreTraining", ("predictions.LayerNorm.weight",))),
        checkpoints=("albert-",),
    ),
    ModelFamily(
        "DistilBERT",
        ("embeddings.LayerNorm.weight", "layer.0.sa_layer_norm.weight", "layer.0.output_layer_norm.weight"),
        classes=("DistilBert",),
        model_types=("distilbert",),
        heads=(("ForMaskedLM", ("vocab_layer_norm.weight",)),),
        checkpoints=("distilbert-",),
    ),
    ModelFamily(
        "GPT-2",
        ("h.0.ln_1.weight", "h.0.ln_2.weight", "ln_f.weight"),
        classes=("GPT2",),
        model_types=("gpt2",),
        checkpoints=("gpt2", "distilgpt2"),
    ),
    ModelFamily(
        "Llama",
        ("layers.0.input_layernorm.weight", "layers.0.post_attention_layernorm.weight", "norm.weight"),
        classes=("Llama", "Mistral", "Qwen2"),
        model_types=("llama", "mistral", "qwen2"),
        checkpoints=("llama-", "meta-llama-", "mistral-", "qwen2-", "qwen2.5-"),
    ),
    ModelFamily(
        "T5",
        ("block.0.layer.0.layer_norm.weight", "final_layer_norm.weight"),
        classes=("T5",),
        model_types=("t5",),
        checkpoints=("t5-", "flan-t5-"),
    ),
    ModelFamily(
        "BART",
        (
            "layernorm_embedding.weight",
            "layers.0.self_attn_layer_norm.weight",
            "layers.0.encoder_attn_layer_norm.weight",
            "layers.0.final_layer_norm.weight",
        ),
        classes=("Bart",),
        model_types=("bart",),
        checkpoints=("bart-",),
    ),
    ModelFamily(
        "OPT",
        ("layers.0.self_attn_layer_norm.weight", "layers.0.final_layer_norm.weight", "decoder.final_layer_norm.weight"),
        classes=("OPT",),
        model_types=("opt",),
        checkpoints=("opt-",),
    ),
    ModelFamily(
        "transformers' ViT",
        ("layers.0.layernorm_before.weight", "layers.0.layernorm_after.weight", "layernorm.weight"),
        classes=("ViT",),
        model_types=("vit",),
        checkpoints=("vit-",),
    ),
    ModelFamily(
        "XLNet",
        ("ff.layer_norm.weight", "rel_attn.layer_norm.weight"),
        classes=("XLNet",),
        model_types=("xlnet",),
        heads=(("ForQuestionAnswering", ("end_logits.LayerNorm.weight",)),),
        checkpoints=("xlnet-",),
    ),
)

# the class-name endings of transformers model classes: a class named `<prefix><suffix>` of a
# family's prefix is one of its models (`Qwen2VLForConditionalGeneration` is not Qwen2's)
HEAD_SUFFIXES: Final = (
    "Model",
    "ForMaskedLM",
    "ForCausalLM",
    "LMHeadModel",
    "ForSequenceClassification",
    "ForTokenClassification",
    "ForQuestionAnswering",
    "ForQuestionAnsweringSimple",
    "ForMultipleChoice",
    "ForConditionalGeneration",
    "ForPreTraining",
    "ForImageClassification",
    "ForMaskedImageModeling",
    "DoubleHeadsModel",
    "ForNextSentencePrediction",
    "EncoderModel",
)
# checkpoints whose names start like a family's but whose models are something else
_OTHER_CHECKPOINTS: Final = ("-vl", "vision", "-moe")


class Known(Protocol):
    """A model whose norm weights are known: a transformers class, a timm architecture."""

    @property
    def name(self) -> str: ...  # as messages show it: "GPT-2", "timm `resnet50`"

    @property
    def norm_params(self) -> tuple[str, ...]: ...


class KnownModel(Record):
    family: ModelFamily
    head: str | None  # the class suffix (`ForMaskedLM`), when known

    @property
    def name(self) -> str:
        return self.family.name

    @property
    def norm_params(self) -> tuple[str, ...]:
        return self.family.norm_params(self.head)


def transformers_class(name: str) -> KnownModel | None:
    """`GPT2LMHeadModel` -> GPT-2 with the `LMHeadModel` head."""
    for suffix in sorted(HEAD_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            prefix = name[: -len(suffix)]
            family = next((f for f in FAMILIES if prefix in f.classes), None)
            return KnownModel(family, suffix) if family is not None else None
    return None


def auto_head(name: str) -> str | None:
    """The head an `AutoModel*` class builds: `AutoModelForMaskedLM` -> `ForMaskedLM`."""
    if name == "AutoModel":
        return "Model"
    rest = name[len("AutoModel"):]
    return rest if name.startswith("AutoModel") and rest in HEAD_SUFFIXES else None


def checkpoint_family(checkpoint: str) -> ModelFamily | None:
    """`openai-community/gpt2-medium` -> GPT-2; the longest matching prefix wins."""
    name = checkpoint.lower().rstrip("/").rsplit("/", 1)[-1]
    if any(other in name for other in _OTHER_CHECKPOINTS):
        return None
    found = [(len(p), f) for f in FAMILIES for p in f.checkpoints if name.startswith(p)]
    return max(found, key=lambda pair: pair[0])[1] if found else None

