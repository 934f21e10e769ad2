"""The OptimizerSite IR: what the extraction resolves, and what it leaves unknown."""

import textwrap

import pytest

from wdlint.analysis.extract import extract_sites
from wdlint.analysis.sites import OptimizerSite, SourceKind, ValueKind
from wdlint.frontends.python import parse_python


def sites(source: str) -> list[OptimizerSite]:
    return extract_sites(parse_python(textwrap.dedent(source), "t.py"))


def site(source: str) -> OptimizerSite:
    [only] = sites(source)
    return only


@pytest.mark.parametrize(
    ("source", "qualified"),
    (
        ("import torch\ntorch.optim.Adam(p)", "torch.optim.Adam"),
        ("import torch.optim\ntorch.optim.SGD(p)", "torch.optim.SGD"),
        ("import torch.optim as optim\noptim.AdamW(p)", "torch.optim.AdamW"),
        ("from torch import optim as o\no.RMSprop(p)", "torch.optim.RMSprop"),
        ("from torch.optim.adam import Adam\nAdam(p)", "torch.optim.adam.Adam"),
        ("import bitsandbytes as bnb\nbnb.optim.AdamW8bit(p)", "bitsandbytes.optim.AdamW8bit"),
        ("from torch.optim import AdamW\nOpt = AdamW\nOpt(p)", "torch.optim.AdamW"),
        ("from deepspeed.ops.adam import DeepSpeedCPUAdam\nDeepSpeedCPUAdam(p)", "deepspeed.ops.adam.DeepSpeedCPUAdam"),
    ),
)
def test_qualified_names(source, qualified):
    assert site(source).qualified_name == qualified


@pytest.mark.parametrize(
    "source",
    (
        "Adam(p)",
        "class Adam: pass\nAdam(p)",
        "import torch\ntorch.optim.Optimizer(p)",
        "import torch\ntorch.optim.lr_scheduler.StepLR(opt, 10)",
        "from torch.optim import Adam\ndef f(Adam):\n    return Adam(p)",
        "import torch\nAdam = make()\nAdam(p)",
    ),
)
def test_not_an_optimizer(source):
    assert sites(source) == []


@pytest.mark.parametrize(
    ("source", "kind", "constant"),
    (
        ("import torch\ntorch.optim.Adam(p, weight_decay=1e-4)", ValueKind.LITERAL, 1e-4),
        ("import torch\ntorch.optim.Adam(p, weight_decay=-0.0)", ValueKind.LITERAL, -0.0),
        ("import torch\ntorch.optim.Adam(p, weight_decay=1 / 1000)", ValueKind.LITERAL, 0.001),
        ("import torch\ntorch.optim.Adam(p, weight_decay=float('1e-4'))", ValueKind.LITERAL, 1e-4),
        ("import torch\ntorch.optim.Adam(p)", ValueKind.DEFAULT, 0.0),
        ("import torch\ntorch.optim.AdamW(p)", ValueKind.DEFAULT, 0.01),
        ("import torch\ntorch.optim.Muon(p)", ValueKind.DEFAULT, 0.1),
        ("import torch\nWD = 0.05\ntorch.optim.Adam(p, weight_decay=WD)", ValueKind.LITERAL, 0.05),
        ("import torch\nA = 0.05\nB = A\ntorch.optim.Adam(p, weight_decay=B)", ValueKind.LITERAL, 0.05),
        ("import torch\ntorch.optim.SGD(p, 0.1, 0.9, 0, 5e-4)", ValueKind.LITERAL, 5e-4),
        ("import torch\ntorch.optim.Adagrad(p, 0.1, 0, 5e-4)", ValueKind.LITERAL, 5e-4),
        ("import torch\ntorch.optim.Muon(p, 0.02, 0.05)", ValueKind.LITERAL, 0.05),
        ("import torch\ncfg = {'weight_decay': 0.3}\ntorch.optim.Adam(p, weight_decay=cfg['weight_decay'])", ValueKind.LITERAL, 0.3),
        ("import torch\nkw = dict(lr=1, weight_decay=0.2)\ntorch.optim.Adam(p, **kw)", ValueKind.LITERAL, 0.2),
        ("import torch\nkw = dict(fused=True) if f else dict()\ntorch.optim.Adam(p, **kw)", ValueKind.DEFAULT, 0.0),
        (
            """\
            import argparse, torch
            parser = argparse.ArgumentParser()
            parser.add_argument("--weight-decay", "--wd", type=float, default=0.1)
            args = parser.parse_args()
            torch.optim.AdamW(p, weight_decay=args.weight_decay)
            """,
            ValueKind.LITERAL,
            0.1,
        ),
        (
            """\
            import argparse, torch
            parser = argparse.ArgumentParser()
            parser.add_argument("--decay", dest="wd", type=float, default=0.0)
            args, _ = parser.parse_known_args()
            def build(args):
                return torch.optim.AdamW(p, weight_decay=args.wd)
            """,
            ValueKind.LITERAL,
            0.0,
        ),
        (
            """\
            import torch
            def build(p, weight_decay=1e-2):
                return torch.optim.Adam(p, weight_decay=weight_decay)
            """,
            ValueKind.LITERAL,
            1e-2,
        ),
    ),
)
def test_weight_decay_values(source, kind, constant):
    value = site(source).weight_decay
    assert (value.kind, value.constant) == (kind, constant)


@pytest.mark.parametrize(
    ("source", "expr", "hidden"),
    (
        ("import torch\ntorch.optim.Adam(p, weight_decay=cfg.wd)", "cfg.wd", False),
        ("import torch\ndef f(wd):\n    torch.optim.Adam(p, weight_decay=wd)", "wd", False),
        ("import torch\ntorch.optim.Adam(p, weight_decay=self.hparams.weight_decay)", "self.hparams.weight_decay", False),
        ("import torch\ntorch.optim.Adam(p, **opt_kwargs)", "**opt_kwargs", True),
        ("import torch\nkw = dict(weight_decay=0.1) if a else dict(weight_decay=0.0)\ntorch.optim.Adam(p, **kw)", "dict(weight_decay=0.1) if a else dict(weight_decay=0.0)", False),
        ("import torch\nWD = 0.1\nWD = compute()\ntorch.optim.Adam(p, weight_decay=WD)", "WD", False),
    ),
)
def test_weight_decay_left_unknown(source, expr, hidden):
    value = site(source).weight_decay
    assert value.kind is ValueKind.UNKNOWN
    assert (value.expr, value.hidden) == (expr, hidden)


@pytest.mark.parametrize(
    ("source", "kind", "constant"),
    (
        ("kw = dict(lr=1e-3)\nkw['weight_decay'] = 0.0\n", ValueKind.LITERAL, 0.0),
        ("kw = {}\nkw.update(weight_decay=0.05)\n", ValueKind.LITERAL, 0.05),
        ("kw = {}\nkw.update({'weight_decay': 0.05})\n", ValueKind.LITERAL, 0.05),
        ("kw = {'weight_decay': 0.1}\nkw.pop('weight_decay')\n", ValueKind.UNKNOWN, 0.01),
        ("kw = {'weight_decay': 0.1}\nkw.update(other)\n", ValueKind.UNKNOWN, 0.01),
        ("kw = {'weight_decay': 0.1}\ndel kw['weight_decay']\n", ValueKind.UNKNOWN, 0.01),
    ),
)
def test_kwargs_dict_changed_in_place(source, kind, constant):
    value = site(f"import torch\n{source}torch.optim.AdamW(p, **kw)\n").weight_decay
    assert (value.kind, value.constant) == (kind, constant)


def test_kwargs_changed_after_the_call_do_not_count():
    source = "import torch\nkw = {}\ntorch.optim.AdamW(p, **kw)\nkw['weight_decay'] = 0.0\n"
    assert site(source).weight_decay.kind is ValueKind.DEFAULT


def test_groups_list_changed_other_than_by_growth_is_unknown():
    source = "import torch\ngroups = [{'params': a}]\ngroups.pop()\ntorch.optim.AdamW(groups)\n"
    assert site(source).params.kind is SourceKind.UNKNOWN


def test_same_scope_takes_the_binding_before_the_call():
    source = "import torch\nWD = 0.1\ntorch.optim.Adam(p, weight_decay=WD)\nWD = 0.0\n"
    assert site(source).weight_decay.constant == 0.1


def test_function_sees_the_last_module_binding():
    source = "import torch\nWD = 0.1\ndef f():\n    torch.optim.Adam(p, weight_decay=WD)\nWD = 0.0\n"
    assert site(source).weight_decay.constant == 0.0


def test_methods_do_not_see_class_attributes():
    source = """\
    import torch
    WD = 0.1
    class Module:
        WD = 0.0
        def configure(self):
            return torch.optim.Adam(p, weight_decay=WD)
    """
    assert site(source).weight_decay.constant == 0.1


def test_decoupled_flag():
    assert site("import torch\ntorch.optim.Adam(p)").is_decoupled is False
    assert site("import torch\ntorch.optim.AdamW(p)").is_decoupled is True
    assert site("import torch\ntorch.optim.Adam(p, decoupled_weight_decay=True)").is_decoupled is True
    assert site("import torch\ntorch.optim.NAdam(p, 1, (0.9, 0.9), 1e-8, 0.1, 0.004, True)").is_decoupled is True
    assert site("import torch\ntorch.optim.Adam(p, decoupled_weight_decay=x)").is_decoupled is None
    assert site("from apex.optimizers import FusedAdam\nFusedAdam(p, adam_w_mode=False)").is_decoupled is False


@pytest.mark.parametrize(
    ("params", "kind"),
    (
        ("m.parameters()", SourceKind.FLAT),
        ("m.named_parameters()", SourceKind.FLAT),
        ("self.model.parameters()", SourceKind.FLAT),
        ("list(m.parameters())", SourceKind.FLAT),
        ("filter(lambda p: p.requires_grad, m.parameters())", SourceKind.FLAT),
        ("(p for p in m.parameters() if p.requires_grad)", SourceKind.FLAT),
        ("itertools.chain(a.parameters(), b.parameters())", SourceKind.FLAT),
        ("filter(lambda p: p.ndim > 1, m.parameters())", SourceKind.SUBSET),
        ("[p for p in m.parameters() if p.ndim >= 2]", SourceKind.SUBSET),
        ("[p for n, p in m.named_parameters() if 'bias' in n]", SourceKind.SUBSET),
        ("[m.weight, m.bias]", SourceKind.SUBSET),
        ("[{'params': a}, dict(params=b, weight_decay=0.0)]", SourceKind.GROUPS),
        ("[{'params': p, 'lr': lr} for p in blocks]", SourceKind.GROUPS),
        ("get_groups(m)", SourceKind.UNKNOWN),
        ("params", SourceKind.UNKNOWN),
        ("[*groups]", SourceKind.UNKNOWN),
    ),
)
def test_param_source_kinds(params, kind):
    assert site(f"import itertools, torch\ntorch.optim.AdamW({params})").params.kind is kind


def test_groups_keep_their_own_decay_and_keys():
    source = """\
    import torch
    groups = [{"params": a, "weight_decay": 0.1, "lr": 1e-3}, {"params": b}]
    groups.append({"params": c, "weight_decay": 0.0})
    torch.optim.SGD(groups, lr=0.1)
    """
    found = site(source)
    assert found.params.kind is SourceKind.GROUPS
    assert [g.key_names for g in found.params.groups] == [("params", "weight_decay", "lr"), ("params",), ("params", "weight_decay")]
    decays = [(v.kind, v.constant) for _, v in found.effective_decays()]
    assert decays == [(ValueKind.LITERAL, 0.1), (ValueKind.DEFAULT, 0.0), (ValueKind.LITERAL, 0.0)]


def test_unpacked_empty_lists_then_appends_of_params_stay_unknown():
    source = """\
    import torch
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if p.ndim < 2 else decay).append(p)
    torch.optim.AdamW(decay, weight_decay=0.1)
    """
    assert site(source).params.kind is SourceKind.UNKNOWN


def test_positions_are_one_based_characters():
    source = "import torch\nname = 'ü'; opt = torch.optim.Adam(p)\n"
    found = site(source)
    assert (found.span.start.row, found.span.start.column) == (2, 19)


@pytest.mark.parametrize(
    ("lines", "kind"),
    (
        ("pd = {pn: p for pn, p in self.named_parameters()}\nparams = [p for n, p in pd.items()]", SourceKind.FLAT),
        ("pd = {pn: p for pn, p in self.named_parameters()}\npd = {pn: p for pn, p in pd.items() if p.requires_grad}\nparams = [p for n, p in pd.items() if p.dim() >= 2]", SourceKind.SUBSET),
        ("pd = dict(model.named_parameters())\nparams = list(pd.values())", SourceKind.FLAT),
        ("pd = {pn: p for pn, p in model.named_parameters()}\nparams = [pd[pn] for pn in sorted(list(decay))]", SourceKind.SUBSET),
        ("pd = {pn: p for pn, p in model.named_parameters()}\nparams = [pd[pn] for pn in pd.keys()]", SourceKind.FLAT),
        ("params = [pd[pn] for pn in names]", SourceKind.UNKNOWN),
    ),
)
def test_parameters_through_a_dict_of_names(lines, kind):
    source = "import torch\n" + lines + "\ntorch.optim.AdamW(params)\n"
    assert site(source).params.kind is kind


def test_mingpt_grouping_is_quiet():
    source = """\
    import torch
    def configure_optimizers(model, train_config):
        decay, no_decay = set(), set()
        for mn, m in model.named_modules():
            for pn, p in m.named_parameters():
                fpn = '%s.%s' % (mn, pn) if mn else pn
                if pn.endswith('bias'):
                    no_decay.add(fpn)
                elif pn.endswith('weight') and isinstance(m, (torch.nn.Linear,)):
                    decay.add(fpn)
                else:
                    no_decay.add(fpn)
        param_dict = {pn: p for pn, p in model.named_parameters()}
        optim_groups = [
            {"params": [param_dict[pn] for pn in sorted(list(decay))], "weight_decay": train_config.weight_decay},
            {"params": [param_dict[pn] for pn in sorted(list(no_decay))], "weight_decay": 0.0},
        ]
        return torch.optim.AdamW(optim_groups, lr=train_config.learning_rate, betas=train_config.betas)
    """
    import wdlint

    assert wdlint.lint_source(textwrap.dedent(source), select=["ALL"]) == []
