"""What a `params` argument is, read by ParamClassifier from small training scripts."""

from __future__ import annotations

import pytest

from wdlint.analysis.params import ParamClassifier
from wdlint.analysis.receivers import ModuleIdentifier
from wdlint.analysis.sites import NameMatch, ParamSource, Selector, SourceKind


def classify(snippet, text: str, **kwargs) -> ParamSource:
    read = snippet(text, **kwargs)
    env, node = read.probe()
    return ParamClassifier(read.source, ModuleIdentifier(env.index)).classify(env, node)


@pytest.mark.parametrize(
    ("text", "kind"),
    (
        pytest.param("probe = model.parameters()", SourceKind.FLAT, id="parameters"),
        pytest.param("probe = list(model.named_parameters())", SourceKind.FLAT, id="through list"),
        pytest.param("probe = model.parameters(recurse=False)", SourceKind.SUBSET, id="not recursive"),
        pytest.param("probe = [p for p in model.parameters() if p.requires_grad]", SourceKind.FLAT, id="trainable"),
        pytest.param("probe = filter(lambda p: p.requires_grad, model.parameters())", SourceKind.FLAT, id="filter"),
        pytest.param("probe = [p for p in model.parameters() if p.ndim >= 2]", SourceKind.SUBSET, id="by ndim"),
        pytest.param("import itertools\nprobe = itertools.chain(a.parameters(), b.parameters())", SourceKind.FLAT, id="chain"),
        pytest.param("probe = [{'params': model.parameters()}]", SourceKind.GROUPS, id="groups"),
        pytest.param("probe = get_params()", SourceKind.UNKNOWN, id="unknown call"),
        pytest.param("probe = []", SourceKind.UNKNOWN, id="empty, filled by nobody"),
    ),
)
def test_kinds(snippet, text, kind):
    assert classify(snippet, text).kind is kind


def test_named_parameters_dict_read_back_by_its_own_keys(snippet):
    text = "pd = {n: p for n, p in model.named_parameters()}\nprobe = [pd[n] for n in pd.keys()]"
    assert classify(snippet, text).kind is SourceKind.FLAT


def test_groups_with_their_decay_and_name_tests(snippet):
    text = """\
    NO_DECAY = ["bias", "LayerNorm.weight"]
    WD = 0.01
    probe = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in NO_DECAY)], "weight_decay": WD},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in NO_DECAY)], "weight_decay": 0.0},
    ]
    """
    found = classify(snippet, text)
    assert found.kind is SourceKind.GROUPS and found.complete
    decays = [group.weight_decay.constant for group in found.groups if group.weight_decay is not None]
    assert decays == [0.01, 0.0]
    first = found.groups[0].params
    # `any(...)` is a call: the selection is by name and by something else as well
    assert first is not None and first.kind is SourceKind.SUBSET
    assert first.selects == frozenset({Selector.NAME, Selector.OTHER})
    (test,) = first.name_tests
    assert (test.match, test.fragments, test.collection) == (NameMatch.SUBSTRING, ("bias", "LayerNorm.weight"), "NO_DECAY")
    assert first.receiver is not None and first.receiver.expr == "model"


def test_groups_grown_in_a_loop_of_appends(snippet):
    text = """\
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if name.endswith(".bias"):
            no_decay.append(param)
        else:
            decay.append(param)
    probe = decay
    """
    found = classify(snippet, text)
    assert found.kind is SourceKind.SUBSET
    assert [test.match for test in found.name_tests] == [NameMatch.SUFFIX]


def test_groups_appended_after_the_list(snippet):
    text = """\
    groups = [{"params": head.parameters(), "weight_decay": 0.0}]
    groups.append({"params": body.parameters()})
    probe = groups
    """
    found = classify(snippet, text)
    assert found.kind is SourceKind.GROUPS and len(found.groups) == 2


def test_membership_test_names_its_subject(snippet):
    text = "skip = {'bias'}\nprobe = [p for n, p in model.named_parameters() if n not in skip]"
    (test,) = classify(snippet, text).name_tests
    assert (test.match, test.subject, test.negated, test.fragments) == (NameMatch.MEMBERSHIP, "n", True, ("bias",))


def test_a_helper_is_inlined_with_the_call_arguments(snippet):
    text = """\
    def param_groups(module, wd):
        return [{"params": module.parameters(), "weight_decay": wd}]
    probe = param_groups(net, 0.05)
    """
    found = classify(snippet, text)
    assert found.kind is SourceKind.GROUPS
    (group,) = found.groups
    assert group.weight_decay is not None and group.weight_decay.constant == 0.05
    # the module is the call's `net`, though its text is the helper's own
    assert group.params is not None and group.params.kind is SourceKind.FLAT
    assert group.params.receiver is not None and group.params.receiver.expr == "module"


def test_a_recursive_helper_ends(snippet):
    text = "def groups(m):\n    return groups(m)\nprobe = groups(net)"
    assert classify(snippet, text).kind is SourceKind.UNKNOWN


def test_a_helper_of_another_project_file_is_reported_at_the_call(tmp_path, snippet):
    (tmp_path / "helpers.py").write_text(
        "def groups(m):\n    return [{'params': m.parameters(), 'weight_decay': 0.0}]\n"
    )
    found = classify(snippet, "from helpers import groups\nprobe = groups(model)", path=tmp_path / "train.py")
    assert found.kind is SourceKind.GROUPS
    (group,) = found.groups
    assert group.span == found.span  # positions of the other file are mapped to the call


@pytest.mark.parametrize(
    ("condition", "expected"),
    (
        pytest.param("'backbone' in n", True, id="substring"),
        pytest.param("'backbone' not in n and p.requires_grad", True, id="negated, trainable"),
        pytest.param("n.startswith('head.') or any(k in n for k in keys)", True, id="prefix or any"),
        pytest.param("'backbone' in n and p.ndim >= 2", False, id="and by shape"),
        pytest.param("'backbone' in n and p not in skip", False, id="and by identity"),
        pytest.param("is_head(n)", False, id="a helper"),
    ),
)
def test_selections_by_names_only(snippet, condition, expected):
    source = classify(snippet, f"probe = [p for n, p in model.named_parameters() if {condition}]")
    assert source.kind is SourceKind.SUBSET
    assert source.by_names_only is expected


MEGATRON_GROUPS = """\
wd_no_scale_lr, no_wd_no_scale_lr = [], []
for module in modules:
    for name, param in module.named_parameters():
        if not param.requires_grad:
            continue
        if no_weight_decay_cond is not None:
            no_wd = no_weight_decay_cond(name, param)
        else:
            # do not regularize biases nor Norm parameters
            no_wd = name.endswith(".bias") or len(param.shape) == 1
        if not no_wd:
            wd_no_scale_lr.append(param)
        else:
            no_wd_no_scale_lr.append(param)
"""


@pytest.mark.parametrize("group", ("wd_no_scale_lr", "no_wd_no_scale_lr"))
def test_a_loop_selects_through_the_names_it_assigns(snippet, group):
    source = classify(snippet, MEGATRON_GROUPS + f"probe = {group}")
    assert source.kind is SourceKind.SUBSET
    assert Selector.NDIM in source.selects and not source.by_names_only
    assert [test.fragments for test in source.name_tests] == [(".bias",)]


@pytest.mark.parametrize(
    ("assigned", "expected"),
    (
        pytest.param("is_head = name.startswith('head.')", True, id="by name"),
        pytest.param("is_head = name.startswith('head.')\n    pick = is_head or 'fc' in name", True, id="through two names"),
        pytest.param("is_head = name.startswith('head.') and param.ndim > 1", False, id="and by shape"),
    ),
)
def test_names_a_loop_assigns_are_read_as_their_values(snippet, assigned, expected):
    tested = "pick" if "pick" in assigned else "is_head"
    text = f"head = []\nfor name, param in model.named_parameters():\n    {assigned}\n    if {tested}:\n        head.append(param)\nprobe = head"
    source = classify(snippet, text)
    assert source.kind is SourceKind.SUBSET
    assert source.by_names_only is expected
