from __future__ import annotations

from collections.abc import Iterator

from wdlint.analysis.sites import NameMatch, NameTest, OptimizerSite, ParamSource, Selector
from wdlint.diagnostics import Position
from wdlint.knowledge.params import NORM_NAME_FAMILIES, names_bert_style, uses_layernorm_naming
from wdlint.rules.base import Finding, Rule, RuleContext


def _excluded(name: str, tests: list[NameTest]) -> bool:
    """Whether any of the filter's name tests catches `name`."""
    for test in tests:
        fragments = test.fragments or ()
        if test.match is NameMatch.SUBSTRING and any(f in name for f in fragments):
            return True
        if test.match is NameMatch.SUFFIX and any(name.endswith(f) for f in fragments):
            return True
    return False


def _bert_style_only(fragments: tuple[str, ...]) -> bool:
    return bool(fragments) and all(names_bert_style(f) for f in fragments)


def _finding(source: ParamSource, tests: list[NameTest]) -> Finding | None:
    anchor = next((t for t in tests if t.fragments_span is not None), tests[0])
    span = anchor.fragments_span or anchor.span
    shown = f"`{anchor.collection}`" if anchor.collection else f"`{anchor.expr}`"
    receiver = source.receiver
    if receiver is not None and receiver.norm_params is not None:
        missed = [name for name in receiver.norm_params if not _excluded(name, tests)]
        if not missed:
            return None
        listed = ", ".join(f"`{name}`" for name in missed[:4]) + (" ..." if len(missed) > 4 else "")
        verb = "is" if len(missed) == 1 else "are"
        model = f" ({receiver.model})" if receiver.model else ""
        return Finding(
            f"the no-decay names {shown} miss the normalization weights of `{receiver.expr}`{model}: "
            f"{listed} {verb} decayed; match them (e.g. by `p.ndim < 2`)",
            span,
        )
    fragments = tuple(f for t in tests for f in t.fragments or ())
    if not _bert_style_only(fragments):
        return None
    if receiver is not None and receiver.checkpoint and uses_layernorm_naming(receiver.checkpoint):
        return None  # the list was written for exactly this kind of model
    missed_families = [
        family for family, examples in NORM_NAME_FAMILIES.items() if not any(_excluded(e, tests) for e in examples)
    ]
    if not missed_families:
        return None
    return Finding(
        f"the no-decay names {shown} only match BERT-style `LayerNorm` names: the norms of most "
        f"other models are decayed, e.g. {'; '.join(missed_families[:3])}; exclude by `p.ndim < 2` instead",
        span,
    )


def check(site: OptimizerSite, context: RuleContext) -> Iterator[Finding]:
    sources = site.param_sources()
    reported: set[str] = set()  # the decay and the no-decay group test the same list
    for source in sources:
        if Selector.NDIM in source.selects:
            continue  # `p.ndim < 2 or ...` already catches every norm gain, whatever its name
        tests = [
            t for t in source.name_tests
            if t.match in (NameMatch.SUBSTRING, NameMatch.SUFFIX) and t.fragments is not None
        ]
        finding = _finding(source, tests) if tests else None
        if finding is not None and finding.message not in reported:
            reported.add(finding.message)
            yield finding


RULE = Rule(
    code="WD202",
    name="fragile-no-decay-names",
    summary="A no-decay name list that misses common norm naming (`ln_f`, `norm`, `layer_norm`)",
    what_it_does="""
Checks name-based no-decay filters (`any(nd in n for nd in no_decay)`). Where the model is known,
it reports exactly which normalization weights the names miss, and is quiet where they match them
all: a class defined in the project, a transformers class (`BertForSequenceClassification`,
`GPT2LMHeadModel.from_pretrained(...)`), an `AutoModel*` class loading a checkpoint whose name is
known, a CLI option's default included (`gpt2`, `roberta-base`, `meta-llama/Llama-2-7b-hf`), or a
timm architecture, also as a layer of a class of the project
(`timm.create_model("vit_base_patch16_224", pretrained=True, num_classes=10)`, its name a constant
or a CLI default; `global_pool="avg"` moves ViT's final norm to `fc_norm`; a keyword that may
rename layers, such as `features_only=True`, leaves the model unknown, and so does an architecture
the project registers itself). A layer replaced afterwards (`model.head = nn.Linear(...)`) takes
its norms with it. The transformers families (BERT, RoBERTa, ELECTRA, DeBERTa, ALBERT, DistilBERT,
GPT-2, Llama, T5, BART, OPT, ViT, XLNet) and the timm ones (ViT, DeiT, CLIP ViT, BEiT, Swin,
ConvNeXt, ResNet, ResNeXt, ResNet-D, EfficientNet, MobileNetV3, RegNet, MLP-Mixer, DenseNet,
Inception-v3) and their norm names are checked against the real models. Elsewhere it reports only
lists that cannot match the norms of most models: the classic `["bias", "LayerNorm.weight"]` of
BERT-era scripts, which matches no norm of GPT-2 (`ln_1`, `ln_f`), Llama (`input_layernorm`,
`norm`), T5 (`layer_norm`), ViT (`norm1`) or ResNet (`bn1`).
""",
    why_is_this_bad="""
The list was written for BERT, whose norms are named `LayerNorm`. Copied into a script for another
model it silently excludes only the biases, and every norm gain is decayed towards zero. Selecting
by shape (`p.ndim < 2`) catches biases and every norm gain whatever they are called.
""",
    known_problems="""
A layer of a class of the project built by an unknown model (`self.backbone =
timm.create_model(name)` with `name` a parameter, a transformers class, a layer something is
later assigned into) is left out of the class's names, so only its other norms are compared.
The names of a known model are the ends of its real names (`bn1.weight` for every
`layer1.0.bn1.weight`), so a fragment that spans what comes before them is not matched as the
real names would match it.
""",
    example="""
import torch

no_decay = ["bias", "LayerNorm.weight"]
groups = [
    {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.1},
    {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
]
optimizer = torch.optim.AdamW(groups, lr=3e-4)
""",
    use_instead="""
import torch

groups = [
    {"params": [p for p in model.parameters() if p.ndim >= 2], "weight_decay": 0.1},
    {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
]
optimizer = torch.optim.AdamW(groups, lr=3e-4)
""",
    example_findings=(Position(3, 12),),
    static_check=check,
)
