"""Item 1 of "real-world recall": code a command-line option selects is live whatever the
option's default; only code that can never run is dead."""

import textwrap

from snippets import CONVNEXT

import wdlint
from wdlint.analysis.extract import extract_sites
from wdlint.frontends.python import parse_python


def sites(source: str):
    return extract_sites(parse_python(textwrap.dedent(source), "train.py"))


DEIT = """\
import argparse
from timm.optim import create_optimizer


def get_args_parser():
    parser = argparse.ArgumentParser('training', add_help=False)
    parser.add_argument('--opt', default='adamw', type=str{choices})
    parser.add_argument('--weight-decay', type=float, default=0.05)
    return parser


def main(args):
    dataset_train, args.nb_classes = build_dataset(is_train=True, args=args)
    model = create_model(args.model)
    optimizer = create_optimizer(args, model)


if __name__ == '__main__':
    parser = argparse.ArgumentParser('training', parents=[get_args_parser()])
    main(parser.parse_args())
"""


def test_timm_factory_reads_an_option_of_a_parser_built_in_a_function():
    # `x, args.n = ...` binds x, not args: `args` is still main's parameter, the parsed options
    [site] = sites(DEIT.format(choices=""))
    assert site.written_name == "create_optimizer(opt='adamw')"
    assert site.weight_decay.constant == 0.05
    assert site.choice is None  # no choices: the default is read


def test_timm_factory_gives_each_of_the_options_choices():
    found = sites(DEIT.format(choices=", choices=['adamw', 'adam', 'sgd']"))
    assert [(s.written_name, s.choice) for s in found] == [
        ("create_optimizer(opt='adamw')", "`args.opt` is 'adamw'"),
        ("create_optimizer(opt='adam')", "`args.opt` is 'adam'"),
        ("create_optimizer(opt='sgd')", "`args.opt` is 'sgd'"),
    ]
    # timm groups the module's parameters itself; Adam's coupled decay is reported, for `--opt adam`
    [wd101] = wdlint.lint_source(DEIT.format(choices=", choices=['adamw', 'adam', 'sgd']"))
    assert wd101.code == "WD101" and wd101.message.endswith("(when `args.opt` is 'adam')")


def test_timm_factory_with_an_unknown_opt_builds_no_site():
    assert sites(DEIT.format(choices="").replace("create_optimizer(args, model)", "create_optimizer(cfg, model)")) == []


SCRIPT = """\
import argparse
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--opt", default="sgd", choices=["sgd", "adam"])
parser.add_argument("--wd", type=float, default=5e-4)
args = parser.parse_args()
net = Net()
if args.opt == "sgd":
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=args.wd)
elif args.opt == "adam":
    optimizer = torch.optim.Adam(net.parameters(), weight_decay=args.wd)
elif args.opt == "adamw":
    optimizer = torch.optim.AdamW(net.parameters(), weight_decay=args.wd)
"""


def test_a_branch_the_option_selects_is_reported_with_its_condition():
    found = {(d.code, d.location.row): d.message for d in wdlint.lint_source(SCRIPT, extend_select=["WD207"])}
    assert ("WD101", 12) in found
    assert found["WD101", 12].endswith("(when not `args.opt == 'sgd'` and `args.opt == 'adam'`)")
    assert found["WD207", 10].endswith("(when `args.opt == 'sgd'`)")
    assert not any(row == 14 for _, row in found)  # 'adamw' is not among the choices: dead


def test_without_choices_every_branch_may_run():
    unchosen = SCRIPT.replace(', choices=["sgd", "adam"]', "")
    rows = {d.location.row for d in wdlint.lint_source(unchosen, extend_select=["WD207"])}
    assert {10, 12, 14} <= rows


def test_if_false_and_constant_conditions_are_dead():
    source = SCRIPT.replace('args.opt == "adam"', "False").replace('args.opt == "sgd"', "DEBUG")
    source = source.replace("net = Net()", "DEBUG = False\nnet = Net()")
    rows = {d.location.row for d in wdlint.lint_source(source)}
    assert not rows & {11, 13}  # under `if DEBUG:` (never reassigned) and `elif False:`


def test_a_flag_selects_either_branch():
    source = """\
    import argparse, torch
    parser = argparse.ArgumentParser()
    parser.add_argument("--adam", action="store_true")
    args = parser.parse_args()
    if args.adam:
        opt = torch.optim.Adam(model.parameters(), weight_decay=1e-4)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=1e-4)
    """
    assert [s.spec.name for s in sites(source)] == ["torch.optim.Adam", "torch.optim.SGD"]




def test_a_binding_no_call_can_reach_is_not_what_the_name_holds():
    # ConvNeXt's optim_factory: `model.parameters()` only under `filter_bias_and_bn=False`,
    # which no call in sight passes: judged by the default, the groups are what is given
    assert [d.code for d in wdlint.lint_source(CONVNEXT)] == ["WD302"]  # the 0.0 no group uses

