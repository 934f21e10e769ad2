from pathlib import Path

import pytest

from wdlint.engine.prefilter import may_contain_optimizer
from wdlint.engine.runner import FileJob, LintOptions, lint_job, lint_jobs

OPTIONS = LintOptions.from_selection()
MISTAKE = b"import torch\nopt = torch.optim.Adam(m.parameters(), weight_decay=1e-4)\n"


def test_unreadable_file_is_a_parse_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "locked.py"
    path.write_bytes(MISTAKE)

    def refuse(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("wdlint.engine.runner.open", refuse, raising=False)  # found before the builtin
    [diagnostic] = lint_job(FileJob(path, "locked.py"), OPTIONS).diagnostics
    assert (diagnostic.code, diagnostic.message) == ("WD001", "cannot read file: Permission denied")


def test_a_directory_named_as_a_file_is_a_parse_error(tmp_path: Path):
    [diagnostic] = lint_job(FileJob(tmp_path, "somedir"), OPTIONS).diagnostics
    assert diagnostic.code == "WD001"


def test_per_file_ignores_apply_to_the_job(tmp_path: Path):
    path = tmp_path / "train.py"
    path.write_bytes(MISTAKE)
    result = lint_job(FileJob(path, "train.py", ignore=("WD1",)), OPTIONS)
    assert [d.code for d in result.diagnostics] == ["WD201"]
    assert result.source is not None
    assert lint_job(FileJob(path, "train.py", ignore=("WD",)), OPTIONS).source is None


def test_results_keep_job_order_with_workers(tmp_path: Path):
    jobs = []
    for i in range(20):
        path = tmp_path / f"f{i}.py"
        path.write_bytes(MISTAKE if i % 2 else b"x = 1\n")
        jobs.append(FileJob(path, f"f{i}.py"))
    serial = lint_jobs(jobs, OPTIONS, processes=1)
    parallel = lint_jobs(jobs, OPTIONS, processes=2)
    assert serial == parallel
    assert [r.display for r in parallel] == [j.display for j in jobs]


@pytest.mark.parametrize(
    ("data", "kept"),
    (
        (b"import torch\nopt = torch.optim.AdamW(p)\n", True),
        (b"from bitsandbytes.optim import PagedAdamW8bit\n", True),
        (b"cfg = {'weight_decay': 0.1}\n", False),  # names no optimizer: nothing to construct
        (b"for g in opt.param_groups: pass\n", False),
        (b"from transformers import AdamW\n", True),
        (b"optim_wrapper = dict(optimizer=dict(lr=0.1))\n", True),
        (b"import numpy as np\nprint(np.zeros(3))\n", False),
        (b"", False),
    ),
)
def test_prefilter(data: bytes, kept: bool):
    assert may_contain_optimizer(data) is kept


def test_prefilter_keeps_every_positive_example():
    """Nothing the rules report is lost to the prefilter: fixtures and documented examples."""
    from wdlint.rules import all_rules

    fixtures = Path(__file__).parent.parent.parent / "fixtures"
    examples = [rule.example.encode() for rule in all_rules() if rule.static and rule.code != "WD001"]
    files = [p.read_bytes() for p in fixtures.rglob("*") if p.suffix in (".py", ".ipynb", ".yaml", ".yml")]
    assert examples and files
    for data in [*examples, *files]:
        if b"optimizer" in data or b"optim" in data or b"Adam" in data:
            assert may_contain_optimizer(data), data[:80]
