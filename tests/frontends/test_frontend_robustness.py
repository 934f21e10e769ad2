"""No notebook, YAML, JSON or mmengine config crashes the linter; positions stay in the file."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wdlint.engine.lint import lint_bytes
from wdlint.engine.runner import LintOptions

OPTIONS = LintOptions.from_selection(["ALL"])
SLOW = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))

_yaml_text = st.text(alphabet="ab_:-[]{}&*!<>#|%@\n\t '\"\\,.?=0123456789e", max_size=120)
_python_text = st.text(alphabet="abWD_=()[]{}%!?#'\"\\ \n\t:,.0123456789", max_size=120)
_json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=8) | st.sampled_from(["Adam", "auto"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["type", "params", "weight_decay", "adam_w_mode", "x"]), inner, max_size=4),
    max_leaves=12,
)


def _within(data: bytes, filename: str, rows: dict[int | None, int]) -> None:
    for diagnostic in lint_bytes(data, filename, OPTIONS).diagnostics:
        assert 1 <= diagnostic.location.row <= rows.get(diagnostic.cell, 10**6) + 1
        assert diagnostic.location.column >= 1


@SLOW
@given(_yaml_text)
def test_any_yaml(text: str) -> None:
    data = f"optimizer:\n  _target_: torch.optim.Adam\n{text}".encode()
    _within(data, "c.yaml", {None: data.count(b"\n") + 1})


# a section of a known type, so that findings (and their positions) come out of most examples
_deepspeed_sections = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Adam", "AdamW", "Adagrad", "SGD", "Lamb"]),
        "params": st.dictionaries(st.sampled_from(["weight_decay", "adam_w_mode", "lr", "betas"]), _json_values, max_size=4),
    },
    optional={"weight_decay": _json_values, "adam_w_mode": st.booleans()},
)


@SLOW
@given(_deepspeed_sections | _json_values)
def test_any_deepspeed_section(section: object) -> None:
    data = json.dumps({"optimizer": section, "type": 1}, indent=1).encode()
    _within(data, "ds.json", {None: data.count(b"\n") + 1})


@SLOW
@given(st.lists(_python_text, max_size=4))
def test_any_notebook_cells(sources: list[str]) -> None:
    cells = [
        {"cell_type": "code", "source": ["import torch\n", "WD = 1\n"]},
        *({"cell_type": "code", "source": source.splitlines(keepends=True)} for source in sources),
        {"cell_type": "code", "source": ["opt = torch.optim.Adam(m.parameters(), weight_decay=WD)\n"]},
    ]
    data = json.dumps({"cells": cells, "metadata": {}}).encode()
    rows: dict[int | None, int] = {
        number: max(len(source.splitlines()), 1) for number, source in enumerate(sources, start=2)
    }
    _within(data, "nb.ipynb", {**rows, 1: 2, len(cells): 1})


@SLOW
@given(_python_text, _python_text)
def test_any_mm_config(wrapper: str, paramwise: str) -> None:
    source = f"optim_wrapper = dict(optimizer=dict(type='SGD', weight_decay={wrapper}), paramwise_cfg={paramwise})\n"
    data = source.encode()
    _within(data, "config.py", {None: data.count(b"\n") + 1})
