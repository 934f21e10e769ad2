"""No input crashes the linter: generated programs and generated optimizer calls."""

from __future__ import annotations

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wdlint

# hypothesmith compiles what it generates, which warns about calls like `1()`
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

PREFIX = "import torch\nfrom torch import optim\nimport bitsandbytes as bnb\n"
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@SLOW
@given(hypothesmith.from_grammar())
def test_any_valid_program(source: str) -> None:
    for diagnostic in wdlint.lint_source(PREFIX + source, select=["ALL"]):
        assert diagnostic.location.row >= 1 and diagnostic.location.column >= 1


@SLOW
@given(st.text(max_size=200))
def test_any_text(source: str) -> None:
    wdlint.lint_source(PREFIX + source, select=["ALL"])


_classes = st.sampled_from(
    ["torch.optim.Adam", "optim.AdamW", "torch.optim.SGD", "torch.optim.Adagrad", "bnb.optim.Adam8bit",
     "torch.optim.NAdam", "torch.optim.Muon", "torch.optim.LBFGS"]
)
_values = st.sampled_from(["0", "0.0", "1e-4", "wd", "args.wd", "None", "-1", "'x'", "True", "[]", "f()"])
_params = st.sampled_from(
    ["m.parameters()", "[{'params': a}, {'params': b, 'weight_decay': 0.0}]", "groups", "*a", "**k",
     "[p for p in m.parameters() if p.ndim > 1]", "[]", "{}", "()", "[*g]", "filter(None, x)"]
)
_keywords = st.lists(
    st.tuples(st.sampled_from(["weight_decay", "lr", "decoupled_weight_decay", "params", "betas"]), _values),
    max_size=4,
    unique_by=lambda kv: kv[0],
)


@SLOW
@given(_classes, _params, st.lists(_values, max_size=6), _keywords)
def test_any_optimizer_call(cls: str, params: str, positional: list[str], keywords: list[tuple[str, str]]) -> None:
    arguments = [params, *positional, *(f"{k}={v}" for k, v in keywords)]
    source = f"{PREFIX}opt = {cls}({', '.join(arguments)})\n"
    for diagnostic in wdlint.lint_source(source, select=["ALL"]):
        assert diagnostic.location.row == 4 or diagnostic.code == "WD001"
