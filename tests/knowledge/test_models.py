"""The norm-name table of `wdlint.knowledge.models` against the real transformers models.

Every model class of every family (`<prefix><head>` for each head transformers defines) is built
from a one-layer config on the `meta` device (no memory, no download), and its normalization
weights are compared with the table both ways: each real norm weight ends with a listed name,
and each listed name ends a real one.
"""

from __future__ import annotations

import re
import warnings

import pytest

from wdlint.knowledge.models import (
    FAMILIES,
    HEAD_SUFFIXES,
    ModelFamily,
    auto_head,
    checkpoint_family,
    transformers_class,
)
from wdlint.knowledge.params import is_norm_class_name

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

SMALL = dict(
    num_hidden_layers=1, n_layer=1, num_layers=1, num_decoder_layers=1, encoder_layers=1, decoder_layers=1,
    hidden_size=32, intermediate_size=64, num_attention_heads=2, num_key_value_heads=2, n_embd=32, n_head=2,
    d_model=32, d_ff=64, d_kv=16, num_heads=2, encoder_attention_heads=2, decoder_attention_heads=2, ffn_dim=64,
    encoder_ffn_dim=64, decoder_ffn_dim=64, vocab_size=100, n_layers=1, word_embed_proj_dim=32, embedding_size=32,
)

TRANSFORMERS_FAMILIES = [family for family in FAMILIES if family.model_types]


def _norm_weights(model: object) -> set[str]:
    """The model's norm weights, layer indices written `0`."""
    return {
        re.sub(r"\.\d+\.", ".0.", name)
        for prefix, module in model.named_modules()  # type: ignore[attr-defined]
        if is_norm_class_name(type(module).__name__)
        for name, _ in module.named_parameters(prefix=prefix, recurse=False)
        if name.endswith("weight")
    }


def _ends(name: str, pattern: str) -> bool:
    return name == pattern or name.endswith(f".{pattern}")


def _classes(family: ModelFamily) -> list[tuple[str, str, str]]:
    """(model_type, class name, head) of every class transformers defines for the family."""
    assert len(family.classes) == len(family.model_types), family.name
    return [
        (model_type, prefix + suffix, suffix)
        for prefix, model_type in zip(family.classes, family.model_types)
        for suffix in HEAD_SUFFIXES
        if hasattr(transformers, prefix + suffix)
    ]


@pytest.mark.parametrize("family", TRANSFORMERS_FAMILIES, ids=lambda family: family.name)
def test_norm_names_match_the_real_models(family: ModelFamily) -> None:
    classes = _classes(family)
    assert any(suffix == "Model" for _, _, suffix in classes), "the base model must be among them"
    for model_type, class_name, suffix in classes:
        config = transformers.AutoConfig.for_model(model_type, **SMALL)
        with warnings.catch_warnings(), torch.device("meta"):
            warnings.simplefilter("ignore")
            model = getattr(transformers, class_name)(config)
        real = _norm_weights(model)
        listed = family.norm_params(suffix)
        assert real, class_name
        unlisted = sorted(name for name in real if not any(_ends(name, pattern) for pattern in listed))
        assert not unlisted, f"{class_name}: norm weights missing from the table: {unlisted}"
        absent = [pattern for pattern in listed if not any(_ends(name, pattern) for name in real)]
        assert not absent, f"{class_name}: listed names it does not have: {absent} (it has {sorted(real)})"
        known = transformers_class(class_name)
        assert known is not None and known.family is family and known.head == suffix


@pytest.mark.parametrize(
    ("checkpoint", "family"),
    (
        ("bert-base-uncased", "BERT"),
        ("google-bert/bert-large-cased", "BERT"),
        ("roberta-base", "RoBERTa"),
        ("FacebookAI/xlm-roberta-large", "RoBERTa"),
        ("distilroberta-base", "RoBERTa"),
        ("distilbert-base-uncased", "DistilBERT"),
        ("albert-base-v2", "ALBERT"),
        ("gpt2", "GPT-2"),
        ("openai-community/gpt2-medium", "GPT-2"),
        ("distilgpt2", "GPT-2"),
        ("meta-llama/Llama-2-7b-hf", "Llama"),
        ("meta-llama/Meta-Llama-3-8B", "Llama"),
        ("Qwen/Qwen2.5-0.5B", "Llama"),
        ("t5-small", "T5"),
        ("google/flan-t5-base", "T5"),
        ("facebook/bart-large", "BART"),
        ("facebook/opt-350m", "OPT"),
        ("xlnet-base-cased", "XLNet"),
        ("google/vit-base-patch16-224", "transformers' ViT"),
        ("microsoft/deberta-v3-base", "DeBERTa"),
        ("google/electra-small-discriminator", "ELECTRA"),
    ),
)
def test_checkpoint_names_pick_their_family(checkpoint: str, family: str) -> None:
    found = checkpoint_family(checkpoint)
    assert found is not None and found.name == family


@pytest.mark.parametrize(
    "checkpoint", ("Qwen/Qwen2-VL-7B-Instruct", "EleutherAI/gpt-neo-125m", "my-org/my-model", "./output", "mistralai/Mixtral-8x7B-v0.1")
)
def test_unknown_checkpoints_have_no_family(checkpoint: str) -> None:
    assert checkpoint_family(checkpoint) is None


def test_auto_classes_name_their_head() -> None:
    assert auto_head("AutoModel") == "Model"
    assert auto_head("AutoModelForMaskedLM") == "ForMaskedLM"
    assert auto_head("AutoModelForCausalLM") == "ForCausalLM"
    assert auto_head("AutoTokenizer") is None
    assert transformers_class("Qwen2VLForConditionalGeneration") is None
    assert transformers_class("BertTokenizer") is None
