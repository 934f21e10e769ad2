"""mmengine / mmcv Python configs, merged over their local `_base_` files, never executed."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

import wdlint
from wdlint.engine.runner import FileJob, LintOptions, lint_job

# WD207 (opt-in) is SGD's half of WD201: most of these configs are SGD's, as mm configs are
OPTIONS = LintOptions.from_selection(extend_select=["WD207"])
SGD = "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4){})\n"


def lint(source: str) -> list[tuple[str, int, int]]:
    diagnostics = wdlint.lint_source(textwrap.dedent(source), "config.py", extend_select=["WD207"])
    return [(d.code, d.location.row, d.location.column) for d in diagnostics]


@pytest.mark.parametrize(
    ("source", "expected"),
    (
        pytest.param(SGD.format(""), [("WD207", 1, 22)], id="no paramwise_cfg"),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0)"), [], id="norms and biases"
        ),
        pytest.param(SGD.format(", paramwise_cfg=dict(flat_decay_mult=0.0)"), [], id="every 1-D param"),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(norm_decay_mult=0.0)"), [("WD207", 1, 22)], id="norms only"
        ),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(norm_decay_mult=0.0, flat_decay_mult=0)"),
            [],
            id="biases through flat_decay_mult",
        ),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(bias_decay_mult=1.0, norm_decay_mult=0, flat_decay_mult=0.0)"),
            [("WD207", 1, 22)],
            id="an explicit bias mult comes before flat",
        ),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(custom_keys={'.bias': dict(decay_mult=0.0)})"),
            [("WD207", 1, 22)],
            id="custom_keys that zero biases leave norms decayed",
        ),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(custom_keys={'bias': dict(decay_mult=0), 'norm': dict(decay_mult=0.)})"),
            [],
            id="custom_keys that zero norms and biases",
        ),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(custom_keys={'pos_embed': dict(decay_mult=0.), 'cls_token': dict(decay_mult=0.)})"),
            [("WD207", 1, 22)],
            id="custom_keys that zero a few names leave norms and biases decayed",
        ),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(norm_decay_mult=0.0, custom_keys={'.bn': dict(decay_mult=0), 'bias': dict(decay_mult=D)})"),
            [],
            id="a custom key's decay_mult we cannot resolve",
        ),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, custom_keys={'backbone': dict(lr_mult=0.1)})"),
            [],
            id="a custom key that decays what it matches, norms included: which are not known",
        ),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10.)})"),
            [("WD207", 1, 22)],
            id="custom_keys that only change the lr",
        ),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(custom_keys=KEYS)"),
            [],
            id="custom_keys we cannot read",
        ),
        pytest.param(
            SGD.format(", paramwise_cfg=dict(norm_decay_mult=NORM, bias_decay_mult=0.0)"),
            [],
            id="a mult we cannot resolve",
        ),
        pytest.param(
            SGD.format(", constructor='LearningRateDecayOptimWrapperConstructor'"),
            [],
            id="a custom constructor groups params its own way",
        ),
        pytest.param(
            "optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.0))\n",
            [],
            id="no decay",
        ),
        pytest.param(
            "optim_wrapper = dict(\n    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4))\n",
            [("WD201", 2, 5), ("WD101", 2, 25)],
            id="coupled adam",
        ),
        pytest.param(
            """
            from torch.optim import AdamW
            wd = 0.05
            optim_wrapper = dict(optimizer=dict(type=AdamW, lr=1e-3, weight_decay=wd * 2))
            """,
            [("WD201", 4, 22)],
            id="an imported class and a module constant",
        ),
        pytest.param(
            """
            optimizer = dict(type='AdamW', lr=1e-3, weight_decay=0.05)
            optim_wrapper = dict(optimizer=optimizer, paramwise_cfg=dict(norm_decay_mult=0.0))
            """,
            [("WD201", 3, 22)],
            id="a variable holding the optimizer: one site",
        ),
        pytest.param(
            """
            optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)
            optimizer_config = dict(grad_clip=None)
            """,
            [("WD207", 2, 13)],
            id="mmcv 1.x",
        ),
        pytest.param(
            """
            optimizer = dict(
                type='AdamW', lr=1e-4, weight_decay=0.05,
                paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
            """,
            [],
            id="mmcv 1.x paramwise_cfg inside the optimizer",
        ),
        pytest.param(
            """
            optim_wrapper = dict(
                constructor='MultiOptimWrapperConstructor',
                generator=dict(optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-4)),
                discriminator=dict(
                    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.01),
                    paramwise_cfg=dict(flat_decay_mult=0.0)))
            """,
            [("WD201", 4, 20), ("WD101", 4, 40)],
            id="one wrapper per sub-module",
        ),
        pytest.param(
            "optim_wrapper = dict(optimizer=dict(type='PagedAdamW8bit', weight_decay=0.01), paramwise_cfg=dict(flat_decay_mult=0.))\n",
            [],
            id="a bitsandbytes registry name",
        ),
        pytest.param(
            "optim_wrapper = dict(optimizer=dict(type='adamw', weight_decay=0.01))\n", [], id="names are exact"
        ),
        pytest.param(
            "optim_wrapper = dict(optimizer=dict(type='LARS', weight_decay=0.01))\n", [], id="not in the registry table"
        ),
        pytest.param(
            """
            optim_wrapper = dict(optimizer=dict(type='SGD', weight_decay=1e-4))
            optim_wrapper.update(paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
            """,
            [],
            id="changed in place: not followed",
        ),
        pytest.param(
            "optim_wrapper = dict(optimizer=dict(type='SGD', weight_decay=1e-4), **extra)\n",
            [],
            id="a spread we cannot read",
        ),
        pytest.param(
            "optim_wrapper = dict(  # noqa: WD207\n    optimizer=dict(type='SGD', weight_decay=1e-4))\n",
            [("WD207", 2, 5)],
            id="noqa on another line",
        ),
        pytest.param(
            "optim_wrapper = dict(\n    optimizer=dict(type='SGD', weight_decay=1e-4))  # noqa: WD207\n",
            [],
            id="noqa",
        ),
        pytest.param(
            """
            import torch
            optimizer = torch.optim.AdamW(model.parameters(), weight_decay=0.0)
            optimizer = dict(type='Adam')
            """,
            [],
            id="a training script",
        ),
    ),
)
def test_configs(source: str, expected: list[tuple[str, int, int]]) -> None:
    assert lint(source) == expected


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def lint_file(path: Path) -> list[tuple[str, int, int]]:
    result = lint_job(FileJob(path, path.name), OPTIONS)
    return [(d.code, d.location.row, d.location.column) for d in result.diagnostics]


SCHEDULE = """
    optim_wrapper = dict(
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
        paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
"""


@pytest.mark.parametrize(
    ("child", "expected"),
    (
        pytest.param(
            "_base_ = ['../_base_/schedule.py']\noptim_wrapper = dict(optimizer=dict(lr=1e-4))\n",
            [],
            id="merged: the base's paramwise_cfg stays",
        ),
        pytest.param(
            "_base_ = '../_base_/schedule.py'\noptim_wrapper = dict(optimizer=dict(type='Adam'))\n",
            [("WD101", 2, 42)],
            id="merged: the base's weight_decay with the child's class",
        ),
        pytest.param(
            "_base_ = ['../_base_/schedule.py']\noptim_wrapper = dict(_delete_=True, optimizer=dict(type='AdamW', weight_decay=0.1))\n",
            [("WD201", 2, 37)],
            id="_delete_ drops the base's dict",
        ),
        pytest.param(
            "_base_ = ['../_base_/schedule.py']\noptim_wrapper = dict(paramwise_cfg=dict(norm_decay_mult=1.0))\n",
            [("WD201", 2, 17)],
            id="only the wrapper is written here: reported at it",
        ),
        pytest.param(
            "_base_ = ['../_base_/schedule.py']\nlr = 1e-4\n",
            [],
            id="nothing of the optimizer written here",
        ),
        pytest.param(
            "_base_ = ['../_base_/missing.py']\noptim_wrapper = dict(optimizer=dict(type='SGD', weight_decay=1e-4))\n",
            [],
            id="a base that is not there may hold paramwise_cfg",
        ),
        pytest.param(
            "_base_ = ['mmdet::_base_/schedule.py']\noptim_wrapper = dict(optimizer=dict(type='Adam'))\n",
            [],
            id="a package base: its weight_decay may apply",
        ),
        pytest.param(
            "_base_ = ['../_base_/schedule.yaml']\noptim_wrapper = dict(optimizer=dict(type='SGD', weight_decay=1e-4))\n",
            [],
            id="a base in another format",
        ),
        pytest.param(
            "_base_ = ['./child.py']\noptim_wrapper = dict(optimizer=dict(type='SGD', weight_decay=1e-4))\n",
            [],
            id="a base that is the file itself: a cycle, not followed",
        ),
    ),
)
def test_base_files(tmp_path: Path, child: str, expected: list[tuple[str, int, int]]) -> None:
    write(tmp_path, {"_base_/schedule.py": SCHEDULE, "configs/child.py": child})
    assert lint_file(tmp_path / "configs" / "child.py") == expected


def test_bases_of_bases(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.py": "_base_ = ['sub/b.py']\noptim_wrapper = dict(optimizer=dict(lr=0.1))\n",
            "sub/b.py": "_base_ = ['../c.py']\n",
            "c.py": "optim_wrapper = dict(optimizer=dict(type='SGD', weight_decay=1e-4))\n",
            "broken.py": "_base_ = ['c.py', 'syntax.py']\noptim_wrapper = dict(optimizer=dict(lr=1))\n",
            "syntax.py": "optim_wrapper = dict(\n",
            "x.py": "_base_ = ['y.py']\noptim_wrapper = dict(optimizer=dict(type='SGD', weight_decay=1))\n",
            "y.py": "_base_ = ['x.py']\n",
        },
    )
    assert lint_file(tmp_path / "a.py") == [("WD207", 2, 22)]
    assert lint_file(tmp_path / "broken.py") == []  # a base that does not parse may hold anything
    assert lint_file(tmp_path / "x.py") == []  # mmengine fails on a cycle; we follow none


def test_a_child_that_only_sets_clip_grad_is_not_reported(tmp_path: Path) -> None:
    (tmp_path / "base.py").write_text("optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', weight_decay=0.05))\n")
    (tmp_path / "child.py").write_text("_base_ = ['./base.py']\noptim_wrapper = dict(clip_grad=dict(max_norm=1.0))\n")
    result = lint_job(FileJob(tmp_path / "child.py", "child.py"), LintOptions.from_selection())
    assert result.diagnostics == ()


CONFIG_WITH_CODE = """\
from torch.optim import AdamW
WD = 0.05
optim_wrapper = dict(optimizer=dict(type=AdamW, lr=1e-3, weight_decay=WD))
import torch
opt = torch.optim.Adam(model.parameters(), weight_decay=WD)
"""


def test_one_walk_serves_the_code_and_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`analyse_module` reads both from one index of the file."""
    from wdlint.analysis.extract import analyse_module, extract_module
    from wdlint.analysis.index import ModuleIndex
    from wdlint.analysis.project import Project
    from wdlint.frontends.python import parse_python

    write(tmp_path, {"_base_/schedule.py": SCHEDULE, "configs/child.py": "_base_ = ['../_base_/schedule.py']\n" + CONFIG_WITH_CODE})
    path = tmp_path / "configs" / "child.py"
    source = parse_python(path.read_text(), str(path))
    built: list[object] = []
    build = ModuleIndex.build

    def counted(tree: ast.Module, *args: object, **kwargs: object) -> ModuleIndex:
        built.append(tree)
        return build(tree, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ModuleIndex, "build", staticmethod(counted))
    analysis = analyse_module(source, path, Project())
    assert built.count(source.tree) == 1  # the base file has an index of its own
    assert [site.spec.name for site in analysis.config_sites] == ["torch.optim.AdamW"]
    assert [site.spec.name for site in analysis.sites] == ["torch.optim.Adam"]
    sites, facts = extract_module(source, path, Project())
    assert analysis.sites == sites
    assert analysis.facts.binds_module("torch", "torch") == facts.binds_module("torch", "torch")
    assert built.count(source.tree) == 2


def test_config_names_are_not_followed_into_the_project(tmp_path: Path) -> None:
    """mmengine reads a config's own names: an import of a project module stays unresolved."""
    write(
        tmp_path,
        {
            "settings.py": "WD = 0.0\n",
            "config.py": "from settings import WD\noptim_wrapper = dict(optimizer=dict(type='SGD', weight_decay=WD))\n",
        },
    )
    from wdlint.analysis.extract import analyse_module
    from wdlint.analysis.project import Project
    from wdlint.analysis.sites import ValueKind
    from wdlint.frontends.python import parse_python

    path = tmp_path / "config.py"
    (site,) = analyse_module(parse_python(path.read_text(), str(path)), path, Project()).config_sites
    assert site.weight_decay.kind is ValueKind.UNKNOWN


@pytest.mark.parametrize(
    ("paramwise", "says"),
    (
        pytest.param(
            "dict(norm_decay_mult=0.)",
            "`paramwise_cfg without bias_decay_mult=0` gives every parameter to `SGD` with weight_decay=0.0001, "
            "so biases are decayed too; set `bias_decay_mult=0.0` in paramwise_cfg",
            id="norms excluded",
        ),
        pytest.param(
            "dict(bias_decay_mult=0.)",
            "`paramwise_cfg without norm_decay_mult=0` gives every parameter to `SGD` with weight_decay=0.0001, "
            "so normalization weights are decayed too; set `norm_decay_mult=0.0` in paramwise_cfg",
            id="biases excluded",
        ),
        pytest.param(
            "dict(custom_keys={'norm': dict(decay_mult=0.), 'absolute_pos_embed': dict(decay_mult=0.)})",
            "`paramwise_cfg without bias_decay_mult=0` gives every parameter to `SGD` with weight_decay=0.0001, "
            "so biases are decayed too; set `bias_decay_mult=0.0` in paramwise_cfg",
            id="norms excluded by name",
        ),
        pytest.param(
            "dict(custom_keys={'pos_embed': dict(decay_mult=0.)})",
            "`paramwise_cfg whose custom_keys zero neither norms nor biases` gives every parameter to `SGD` with "
            "weight_decay=0.0001, so biases and normalization weights are decayed too; "
            "set `paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0)`",
            id="neither",
        ),
        pytest.param(
            "dict(custom_keys={'backbone': dict(lr_mult=0.1, decay_mult=1.0)})",
            "`paramwise_cfg whose custom_keys zero neither norms nor biases` gives every parameter to `SGD` with "
            "weight_decay=0.0001, so biases and normalization weights are decayed too; "
            "set `paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0)`; "
            "params a custom key matches get only that key's decay_mult",
            id="a key that decays what it matches",
        ),
    ),
)
def test_the_message_names_only_what_is_decayed(paramwise: str, says: str) -> None:
    source = SGD.format(f", paramwise_cfg={paramwise}")
    (diagnostic,) = wdlint.lint_source(source, "config.py", extend_select=["WD207"])
    assert diagnostic.message == says


# -- what a partial paramwise_cfg leaves decayed, by the model's components --------------------

CLASSIFIER = """
model = dict(
    type='ImageClassifier',
    backbone=dict(type='{backbone}', {options}),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(type='LinearClsHead', num_classes=1000, in_channels=2048))
"""
DETECTOR = """
norm_cfg = dict(type='GN', num_groups=32, requires_grad=True)
model = dict(
    type='FasterRCNN',
    data_preprocessor=dict(type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53]),
    backbone=dict(type='ResNet', depth=50, norm_cfg=norm_cfg),
    neck=dict(type='FPN', in_channels=[256, 512, 1024, 2048], out_channels=256{neck}),
    rpn_head=dict(type='RPNHead', in_channels=256, feat_channels=256),
    roi_head=dict(type='StandardRoIHead'),
    train_cfg=dict(rpn=dict(assigner=dict(type='MaxIoUAssigner'))))
"""
NORMS_ONLY = "optim_wrapper = dict(paramwise_cfg=dict(norm_decay_mult=0.))\n"


@pytest.mark.parametrize(
    ("model", "says"),
    (
        pytest.param(
            DETECTOR.format(neck=""),
            "so biases, among them those of `neck` (FPN) and `rpn_head` (RPNHead), are decayed too",
            id="detector: the components known to hold biases, others unknown",
        ),
        pytest.param(
            DETECTOR.format(neck=", norm_cfg=norm_cfg"),
            "so biases, among them those of `rpn_head` (RPNHead), are decayed too",
            id="an FPN with norms has no conv bias: not named",
        ),
        pytest.param(
            CLASSIFIER.format(backbone="MobileOne", options="arch='s4'"),
            "so biases are decayed too",
            id="MobileOne s4 has SE layers: unknown, nothing named",
        ),
        pytest.param(
            CLASSIFIER.format(backbone="ResNet", options="depth=50, dcn=dict(type='DCNv2', deform_groups=1)"),
            "so biases are decayed too",
            id="a ResNet with DCN: unknown",
        ),
    ),
)
def test_which_biases_a_partial_paramwise_cfg_leaves(tmp_path: Path, model: str, says: str) -> None:
    write(tmp_path, {"_base_/model.py": model, "configs/c.py": "_base_ = ['../_base_/model.py']\n" + SGD.format(", paramwise_cfg=dict(norm_decay_mult=0.)")})
    result = lint_job(FileJob(tmp_path / "configs" / "c.py", "c.py"), OPTIONS)
    [diagnostic] = result.diagnostics
    assert diagnostic.message == (
        "`paramwise_cfg without bias_decay_mult=0` gives every parameter to `SGD` with weight_decay=0.0001, "
        f"{says}; set `bias_decay_mult=0.0` in paramwise_cfg"
    )


@pytest.mark.parametrize(
    ("backbone", "options"),
    (
        pytest.param("MobileOne", "arch='s0'", id="MobileOne s0: BN after every conv"),
        pytest.param("ResNetV1d", "depth=50", id="ResNet: convolutions without bias"),
    ),
)
def test_quiet_when_only_the_classifier_keeps_its_bias(tmp_path: Path, backbone: str, options: str) -> None:
    # mmpretrain's mobileone-s0_8xb32_in1k.py: norm_decay_mult=0 leaves only the head's fc.bias
    write(
        tmp_path,
        {
            "_base_/models/classifier.py": CLASSIFIER.format(backbone=backbone, options=options),
            "_base_/schedules/sgd.py": SGD.format(""),
            "configs/c.py": "_base_ = ['../_base_/models/classifier.py', '../_base_/schedules/sgd.py']\n" + NORMS_ONLY,
        },
    )
    assert lint_file(tmp_path / "configs" / "c.py") == []
    # the same with biases of the backbone's own left: reported
    with_head = CLASSIFIER.format(backbone=backbone, options=options).replace("LinearClsHead", "StackedLinearClsHead")
    (tmp_path / "_base_" / "models" / "classifier.py").write_text(with_head)
    assert lint_file(tmp_path / "configs" / "c.py") == [("WD207", 2, 17)]


def test_a_wrapper_per_submodule_is_not_judged_by_the_whole_model(tmp_path: Path) -> None:
    config = CLASSIFIER.format(backbone="ResNet", options="depth=50") + (
        "optim_wrapper = dict(constructor='MultiOptimWrapperConstructor',\n"
        "    generator=dict(optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-4),\n"
        "        paramwise_cfg=dict(norm_decay_mult=0.)))\n"
    )
    write(tmp_path, {"c.py": config})
    assert ("WD201", 8, 20) in lint_file(tmp_path / "c.py")


def test_a_base_names_the_class_the_decay_and_the_paramwise_cfg_it_gives(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "_base_/schedule.py": "optim_wrapper = dict(\n    optimizer=dict(type='AdamW', lr=1e-3,\n        weight_decay=0.05),\n"
            "    paramwise_cfg=dict(norm_decay_mult=0.))\n",
            "_base_/one_line.py": "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, weight_decay=1e-4))\n",
            "configs/a.py": "_base_ = ['../_base_/schedule.py']\noptim_wrapper = dict(optimizer=dict(lr=1e-4))\n",
            "configs/b.py": "_base_ = ['../_base_/one_line.py']\noptim_wrapper = dict(optimizer=dict(lr=0.01))\n",
        },
    )
    [a] = lint_job(FileJob(tmp_path / "configs" / "a.py", "a.py"), OPTIONS).diagnostics
    assert a.message == (
        "`paramwise_cfg of ../_base_/schedule.py:4 without bias_decay_mult=0` gives every parameter to `AdamW` "
        "(from `../_base_/schedule.py:2`) with weight_decay=0.05 (from `../_base_/schedule.py:3`), so biases are "
        "decayed too; set `bias_decay_mult=0.0` in paramwise_cfg"
    )
    [b] = lint_job(FileJob(tmp_path / "configs" / "b.py", "b.py"), OPTIONS).diagnostics
    assert b.message.startswith(  # one place for both: named once
        "`optim_wrapper without paramwise_cfg` gives every parameter to `SGD` (from `../_base_/one_line.py:1`) "
        "with weight_decay=0.0001, so biases and normalization weights are decayed too"
    )


def test_a_base_named_from_several_folders_is_parsed_once_and_worded_from_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Configs in sibling folders, and one deeper, name the same base: it is parsed once (while
    it is unchanged), and each config's message names it from the config's own folder."""
    import os
    import time

    from wdlint.frontends import mmconfig

    child = "_base_ = ['{up}_base_/schedule.py']\noptim_wrapper = dict(optimizer=dict(lr=1e-4))\n"
    write(
        tmp_path,
        {
            "_base_/schedule.py": "optim_wrapper = dict(optimizer=dict(type='AdamW', weight_decay=0.05))\n",
            "configs/a/a.py": child.format(up="../../"),
            "configs/b/b.py": child.format(up="../../"),
            "configs/c/deeper/c.py": child.format(up="../../../"),
        },
    )
    base = tmp_path / "_base_" / "schedule.py"
    past = time.time() - 60  # not written within the clock's tick: its stamp is trusted
    os.utime(base, (past, past))
    parsed: list[str] = []
    real = mmconfig.parse_python
    monkeypatch.setattr(mmconfig, "parse_python", lambda text, name: parsed.append(name) or real(text, name))
    monkeypatch.setattr(mmconfig, "_PARSED", {})

    def message(*parts: str) -> str:
        [finding] = lint_job(FileJob(tmp_path.joinpath("configs", *parts), parts[-1]), OPTIONS).diagnostics
        return finding.message

    assert "(from `../../_base_/schedule.py:1`)" in message("a", "a.py")
    assert "(from `../../_base_/schedule.py:1`)" in message("b", "b.py")
    assert "(from `../../../_base_/schedule.py:1`)" in message("c", "deeper", "c.py")
    assert parsed == [str(base.resolve())]

    base.write_text("optim_wrapper = dict(optimizer=dict(type='SGD', weight_decay=0.01))\n")
    os.utime(base, (past + 1, past + 1))
    assert "`SGD` (from `../../_base_/schedule.py:1`) with weight_decay=0.01" in message("a", "a.py")
    assert parsed == [str(base.resolve())] * 2  # changed: read again
