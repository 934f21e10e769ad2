"""End to end: `wdlint check` over fixtures/ reports exactly the findings listed here.

Rows are 1-based lines of the reported node: WD101 and WD103 the line where the optimizer call
starts, WD201 the line of the params argument, WD301 the line of the group dict that omits
weight_decay, WD501 the line of the first positional argument after lr.
fixtures/README.md explains each case; keep the two in step.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

EXPECTED: dict[str, list[tuple[str, int]]] = {
    "gpt_pretrain.py": [
        ("WD201", 80),  # AdamW(model.parameters(), weight_decay=args.weight_decay)
    ],
    "cnn_sgd.py": [
        ("WD201", 61),  # optim.SGD(net.parameters(), ..., weight_decay=5e-4)
        ("WD101", 78),  # optim.Adam(...) with a positional weight_decay of 1e-4
        ("WD201", 79),  # net.fc.parameters(): the head's bias is decayed
        ("WD501", 79),  # (0.9, 0.999), 1e-8, 1e-4 passed positionally after lr
    ],
    "lightning_module.py": [
        ("WD101", 46),  # torch.optim.Adam(..., weight_decay=1e-5)
        ("WD201", 46),  # self.parameters()
    ],
    "hf_finetune.py": [
        ("WD301", 49),  # the "decay" group omits weight_decay and Adam's own is 0
        ("WD103", 73),  # transformers.AdamW(model.parameters(), lr=2e-5)
    ],
    "nanogpt_correct.py": [],
    "quiet_cases.py": [],
}


def _run() -> tuple[int, list[dict[str, object]]]:
    from wdlint.cli import cli  # imported here so a broken CLI fails these tests, not collection

    result = CliRunner().invoke(
        cli, ["check", "--isolated", "--output-format", "json", str(FIXTURES)]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def test_every_fixture_has_expectations() -> None:
    assert {p.name for p in FIXTURES.glob("*.py")} == set(EXPECTED)


def test_fixture_findings() -> None:
    exit_code, diagnostics = _run()
    found = Counter(
        (Path(str(d["filename"])).name, str(d["code"]), int(d["location"]["row"]))  # type: ignore[index]
        for d in diagnostics
    )
    expected = Counter(
        (name, code, row) for name, findings in EXPECTED.items() for code, row in findings
    )
    assert sorted(found.elements()) == sorted(expected.elements())
    assert exit_code == 1
