"""PEFT's adapter methods as data: which params a model wrapped by PEFT trains.

`get_peft_model(model, config)` freezes every param of the base model
(`BaseTuner._mark_only_adapters_as_trainable`) and trains the adapters its config adds, plus
what a few options bring back: `bias="all"` (every bias of the model) or `"<method>_only"` (the
biases of the adapted layers), `modules_to_save` (whole modules, with their biases and norms),
and a classification `task_type`, which appends the model's head (`classifier`, `score`,
`qa_outputs`) to `modules_to_save`. Most adapters are matrices, embeddings or (n, 1) scales,
which the consensus decays; a few methods train biases or norms by design (LN tuning, BEFT,
P-tuning's encoder). Read from peft 0.21.2: `tuners/*/config.py` and `layer.py`,
`tuners/tuners_utils.py`, `peft_model.py` (`PeftModelFor*.__init__`), `mapping_func.py`.

Only what WD201 is about is listed: params that should not be decayed (biases, norms, modules
that hold them). 1-D adapter params that are neither (VeRA's lambdas, DoRA's magnitudes,
FourierFT's spectra, an adaption gate) are the adapters themselves and are not listed.
"""

from __future__ import annotations

from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Final

PEFT_ROOT: Final = "peft."  # qualified names of PEFT's own API start so


class Switch(Record):
    """A keyword of a config that makes params train that should not be decayed."""

    keyword: str
    trains: str  # what it makes trainable, as a message says it: "biases"
    values: tuple[object, ...] = ()  # the literal values that turn it on; () = any true value
    suffix: str = ""  # ... or a string that ends so (`bias="lora_only"`)

    def turned_on(self, value: object) -> bool:
        if self.values or self.suffix:
            return value in self.values or (bool(self.suffix) and isinstance(value, str) and value.endswith(self.suffix))
        return bool(value)


# `bias`: "none" (the default) trains no bias, "all" every bias of the model, "<method>_only"
# those of the layers it adapts (`BaseTuner._mark_only_adapters_as_trainable`)
BIAS: Final = Switch("bias", "biases", values=("all",), suffix="_only")


class AdapterMethod(Record):
    config: str  # the config class: "LoraConfig"
    adapters: str  # what its adapters are (documentation)
    always: str = ""  # params it always trains that should not be decayed, whatever its options
    # ... when those are matrices (BEFT's (1, n) biases), which a split by `ndim` keeps decayed:
    # the names that pick them out
    always_2d: str = ""
    switches: tuple[Switch, ...] = ()
    # it has `modules_to_save` (every `PeftConfig` tuner and `PromptLearningConfig`), to which a
    # classification task adds the model's head
    saves_modules: bool = True


METHODS: Final = (
    AdapterMethod(
        "LoraConfig",
        "low-rank matrices `lora_A`, `lora_B` (`lora_embedding_A/B` for embeddings); DoRA's 1-D magnitudes",
        switches=(BIAS, Switch("lora_bias", "the biases of `lora_B`")),
    ),
    AdapterMethod("AdaLoraConfig", "matrices `lora_A`, `lora_B` and (r, 1) singular values `lora_E`", switches=(BIAS,)),
    AdapterMethod("IA3Config", "(n, 1) and (1, n) scaling vectors `ia3_l`"),
    AdapterMethod("LoHaConfig", "Hadamard-product factors `hada_w1_a` ... (matrices, conv tensors)"),
    AdapterMethod("LoKrConfig", "Kronecker factors `lokr_w1` ... (matrices, conv tensors)"),
    AdapterMethod("OFTConfig", "orthogonal blocks `oft_R` (matrices)", switches=(BIAS,)),
    AdapterMethod("BOFTConfig", "butterfly blocks `boft_R` and (n, 1) scales `boft_s`", switches=(BIAS,)),
    AdapterMethod("HRAConfig", "Householder vectors `hra_u` (matrices)", switches=(BIAS,)),
    AdapterMethod("VeraConfig", "1-D scaling vectors `vera_lambda_b`, `vera_lambda_d`", switches=(BIAS,)),
    AdapterMethod("FourierFTConfig", "1-D spectral coefficients `fourierft_spectrum`", switches=(BIAS,)),
    AdapterMethod("VBLoRAConfig", "a vector bank and logits (matrices)", switches=(BIAS,)),
    AdapterMethod("PromptTuningConfig", "virtual-token embeddings"),
    AdapterMethod("MultitaskPromptTuningConfig", "virtual-token embeddings and task factors"),
    AdapterMethod(
        "PrefixTuningConfig",
        "prefix embeddings",
        switches=(Switch("prefix_projection", "the biases of the prefix projection MLP"),),
    ),
    AdapterMethod(
        "PromptEncoderConfig",
        "virtual-token embeddings and their encoder",
        # `PromptEncoder`: an MLP of `nn.Linear` with biases, or an LSTM with biases
        always="the biases of the prompt encoder's MLP or LSTM",
    ),
    AdapterMethod(
        "LNTuningConfig",
        "copies of the targeted layers",
        always="normalization layers, weights and biases",
    ),
    AdapterMethod("BeftConfig", "(1, n) bias vectors `beft_bias`", always="bias vectors `beft_bias`", always_2d="beft_bias"),
    AdapterMethod("TrainableTokensConfig", "rows of the embedding matrix", saves_modules=False),
    AdapterMethod("AdaptionPromptConfig", "adaption prompts and their 1-D gates", saves_modules=False),
)
METHOD_BY_CONFIG: Final = {method.config: method for method in METHODS}
MODULES_TO_SAVE: Final = "modules_to_save"
TASK_TYPE: Final = "task_type"


class Task(Record):
    """A `task_type` whose PEFT model trains the base model's head whole."""

    name: str  # `TaskType.SEQ_CLS`'s value
    model_class: str  # the PEFT model class that implies it
    modules: tuple[str, ...]  # the names it appends to `modules_to_save`
    head: str  # the transformers head class suffix of the models it is meant for


# PEFT 0.22 saves DistilBERT's `pre_classifier` too (its `CLASSIFIER_MODULE_NAMES`); before,
# a classification task saved `classifier` and `score`
ADDED_IN_PEFT_0_22: Final = ("pre_classifier",)
_CLASSIFIERS: Final = ("classifier", "score", *ADDED_IN_PEFT_0_22)

TASKS: Final = (
    Task("SEQ_CLS", "PeftModelForSequenceClassification", _CLASSIFIERS, "ForSequenceClassification"),
    Task("TOKEN_CLS", "PeftModelForTokenClassification", _CLASSIFIERS, "ForTokenClassification"),
    Task("QUESTION_ANS", "PeftModelForQuestionAnswering", ("qa_outputs",), "ForQuestionAnswering"),
)
TASK_BY_NAME: Final = {task.name: task for task in TASKS}
TASK_BY_MODEL_CLASS: Final = {task.model_class: task for task in TASKS}

# (family of `knowledge.models`, head class suffix) whose head, as PEFT's task names find it,
# holds no bias and no norm: decoder models' `score = nn.Linear(..., bias=False)`, or no module
# those names match (T5's and BART's `classification_head`). Every other head of a listed
# family that a task names holds a bias. `tests/knowledge/test_adapters.py` builds them on `meta`.
BIAS_FREE_HEADS: Final = frozenset({
    ("GPT-2", "ForSequenceClassification"),
    ("Llama", "ForSequenceClassification"),
    ("OPT", "ForSequenceClassification"),
    ("T5", "ForSequenceClassification"),
    ("BART", "ForSequenceClassification"),
    ("XLNet", "ForSequenceClassification"),
    ("XLNet", "ForQuestionAnswering"),
})

# `modules_to_save` entries that hold a bias or a norm in every transformers model that has a
# module of that name (classification heads are `nn.Linear` with a bias, or dense layers
# with biases); any other name (`lm_head`, `embed_tokens`, `pooler`, ...) is not read.
BIASED_MODULES: Final = frozenset({"classifier", "qa_outputs", "pre_classifier"})


class Builder(Record):
    """A PEFT callable that returns a model whose adapters train."""

    name: str  # the last component of its qualified name: "get_peft_model"
    config_position: int | None  # where its config is passed (None: loaded from a checkpoint)
    config_keyword: str = "peft_config"
    task: str | None = None  # the task its class implies


BUILDERS: Final = (
    Builder("get_peft_model", 1),
    Builder("PeftModel", 1),
    Builder("PeftMixedModel", 1),
    *(Builder(task.model_class, 1, task=task.name) for task in TASKS),
)
BUILDER_BY_NAME: Final = {builder.name: builder for builder in BUILDERS}
# `PeftModel.from_pretrained(model, model_id, is_trainable=False)`, `AutoPeftModel*`: the
# adapters and their config come from a checkpoint, frozen unless `is_trainable=True`
LOADER: Final = "from_pretrained"
TRAINABLE_KEYWORD: Final = "is_trainable"
# its position: `PeftModel*.from_pretrained(model, model_id, adapter_name, is_trainable)`;
# `AutoPeftModel*.from_pretrained(model_id, adapter_name, is_trainable)` takes no model
TRAINABLE_POSITION: Final = 3
AUTO_LOADER_PREFIX: Final = "AutoPeftModel"
