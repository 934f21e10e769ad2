"""OpenMMLab model components, by the registry type an mm config's `model` names, and the biases
each holds outside its norm layers: what a `paramwise_cfg` with `norm_decay_mult=0` and no
`bias_decay_mult` still decays.

Read in the sources of mmpretrain 1.2.0 and mmdet 3.3.0 (the ecosystem check's wheels). mmcv's
`ConvModule(bias="auto")` has a bias exactly when it has no norm layer; `build_conv_layer(...,
bias=False)` has none. Only components whose facts were read are listed: any other type is
unknown, and a message about it names nothing it cannot know.
"""

from __future__ import annotations

from enum import Enum

from wdlint.records import Record

TYPE_CHECKING = False  # `typing` is for type checkers: the hook never imports it (docs/architecture.md)
if TYPE_CHECKING:
    from typing import Final


class Biases(Enum):
    NONE = "none"  # no bias outside its norm layers (or no parameter at all)
    CLASSIFIER = "classifier"  # only its output layer's: a classifier's bias
    SOME = "some"  # biases in its hidden layers


class Component(Record):
    biases: Biases
    # the facts hold only while each key is absent or holds one of these values; any other
    # value (a DCN, a plugin, a deploy-mode reparametrization, another arch) leaves it unknown
    holds_while: tuple[tuple[str, tuple[object, ...]], ...] = ()
    reference: str = ""

    def applies(self, options: dict[str, object]) -> bool:
        return all(options.get(key, values[0]) in values for key, values in self.holds_while)


_RESNET: Final = Component(
    Biases.NONE,
    holds_while=(("dcn", (None,)), ("plugins", (None,))),  # mmdet's: a DCN's offset conv has a bias
    reference="mmpretrain/models/backbones/resnet.py, mmdet/models/backbones/resnet.py: build_conv_layer(..., bias=False)",
)

MM_COMPONENTS: Final[dict[str, Component]] = {
    "ResNet": _RESNET,
    "ResNetV1c": _RESNET,
    "ResNetV1d": _RESNET,
    "MobileOne": Component(
        Biases.NONE,
        # s4 adds SE layers (ConvModules without norm: biased); deploy mode fuses conv and BN
        # into biased convs
        holds_while=(("arch", ("s0", "s1", "s2", "s3")), ("deploy", (False,))),
        reference="mmpretrain/models/backbones/mobileone.py: create_conv_bn(..., bias=False), arch_zoo num_se_blocks",
    ),
    "GlobalAveragePooling": Component(Biases.NONE, reference="mmpretrain/models/necks/gap.py: pooling only"),
    "LinearClsHead": Component(Biases.CLASSIFIER, reference="mmpretrain/models/heads/linear_head.py: self.fc"),
    "FPN": Component(
        Biases.SOME,  # its lateral and output convolutions'
        holds_while=(("norm_cfg", (None,)),),  # ConvModule(bias="auto") without a norm
        reference="mmdet/models/necks/fpn.py: ConvModule(..., norm_cfg=norm_cfg)",
    ),
    "RPNHead": Component(
        Biases.SOME,  # its convolutions'
        reference="mmdet/models/dense_heads/rpn_head.py: nn.Conv2d rpn_conv, rpn_cls, rpn_reg",
    ),
}

# Entries of an mm `model` dict that are no module with parameters of its own: the training and
# test settings, the initialization, and the data preprocessor (normalization and batch
# augmentation, no trainable parameter in the OpenMMLab preprocessors)
MM_MODEL_SETTINGS: Final = frozenset({"train_cfg", "test_cfg", "init_cfg", "data_preprocessor"})
