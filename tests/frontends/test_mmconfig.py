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
