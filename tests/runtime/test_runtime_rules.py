"""The rules the audit reports: every runtime rule has a check, and the runtime-only rules'
documented examples, run for real, fire and their "use instead" stays quiet."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from wdlint.rules import all_rules  # noqa: E402
from wdlint.rules.base import Reported  # noqa: E402
from wdlint.runtime.audit import runtime_checks  # noqa: E402

RUNTIME_ONLY = [r for r in all_rules() if r.runtime and not r.static]


def test_every_runtime_rule_has_a_check() -> None:
    assert set(runtime_checks()) == {r.code for r in all_rules() if r.runtime}


def test_runtime_only_rules() -> None:
    assert [r.code for r in RUNTIME_ONLY] == ["WD601", "WD602", "WD603", "WD604"]
    assert all(r.check is None and r.static_check is Reported.RUNTIME_ONLY for r in RUNTIME_ONLY)
    assert [r.code for r in RUNTIME_ONLY if not r.default_on] == ["WD604"]


@pytest.mark.filterwarnings("ignore::UserWarning")  # nn.TransformerEncoderLayer's nested-tensor note
@pytest.mark.parametrize("rule", RUNTIME_ONLY, ids=lambda r: r.code)
def test_documented_example_fires_and_use_instead_is_quiet(rule: object) -> None:
    for source, fires in ((rule.example, True), (rule.use_instead, False)):  # type: ignore[attr-defined]
        namespace: dict[str, object] = {}
        exec(compile(source, f"<{rule.code}>", "exec"), namespace)  # type: ignore[attr-defined]
        codes = {f.code for f in namespace["report"].findings}  # type: ignore[attr-defined]
        assert (rule.code in codes) is fires, (source, codes)  # type: ignore[attr-defined]
        if not fires:
            assert not codes, codes
