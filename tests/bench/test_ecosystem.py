"""bench/ecosystem.py's logic on a tiny fake cache: no network, no real projects."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ecosystem", REPO / "bench" / "ecosystem.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ecosystem"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


eco = _load()
COMMIT = "0123456789abcdef0123456789abcdef01234567"
DECAYED = "import torch\n\nopt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)\n"


def test_expectations_round_trip(tmp_path: Path) -> None:
    entries = [
        eco.Expectation("p", "a/b.py", "WD201", 3, "TP", 'quotes " and \\ and é'),
        eco.Expectation("p", "n.ipynb#cell2", "WD001", 1, "FP", "tags"),
        eco.Expectation("p", "c.py", "WD207", 2, "TP-convention", "SGD over a CNN"),
        eco.Expectation("a", "x.yaml", "WD101", 7),
    ]
    path = tmp_path / "expected.toml"
    path.write_text(eco.dump_expected(entries))
    loaded = eco.load_expected(path)
    assert loaded == sorted(entries, key=lambda e: e.key)
    path.write_text(eco.dump_expected([eco.Expectation("p", "a.py", "WD201", 1, "maybe")]))
    with pytest.raises(ValueError, match="verdict"):
        eco.load_expected(path)


def test_compare_and_update() -> None:
    expected = [
        eco.Expectation("p", "a.py", "WD201", 3, "TP", "kept"),
        eco.Expectation("p", "gone.py", "WD101", 1, "FP", "lost"),
        eco.Expectation("q", "other.py", "WD201", 2, "TP", "not run"),
    ]
    found = [("p", "a.py", "WD201", 3), ("p", "new.py", "WD103", 9)]
    new, lost = eco.compare(found, [e for e in expected if e.project == "p"])
    assert new == [("p", "new.py", "WD103", 9)]
    assert [e.path for e in lost] == ["gone.py"]
    after = {e.key: e for e in eco.updated(found, expected, ["p"])}
    assert after[("p", "a.py", "WD201", 3)].reason == "kept"
    assert after[("p", "new.py", "WD103", 9)].verdict == "?"  # never assumed TP
    assert ("p", "gone.py", "WD101", 1) not in after
    assert after[("q", "other.py", "WD201", 2)].reason == "not run"


def test_verdict_totals_split_the_default_rules_from_the_reviewed_opt_in_ones() -> None:
    found = [("p", "a.py", "WD201", 1), ("p", "a.py", "WD207", 2), ("p", "b.py", "WD207", 3), ("p", "c.py", "WD101", 4)]
    verdicts = {found[0]: "TP", found[1]: "TP-convention", found[2]: "FP"}
    assert eco.REVIEWED_OPT_IN == ("WD207",)
    assert eco.verdict_totals(found, verdicts) == [
        "default rules: 2 findings, TP 1, TP-convention 0, FP 0, ? 1",
        "opt-in WD207: 2 findings, TP 0, TP-convention 1, FP 1, ? 0",
    ]


def test_projects_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "projects.toml"
    path.write_text(f'[[project]]\nname = "x"\nsource = "github:o/x"\ncommit = "{COMMIT}"\nkind = "research"\n'
                    'paths = ["src"]\n\n[[project]]\nname = "y"\nsource = "pypi:y==1.0"\nkind = "framework"\n')
    x, y = eco.load_projects(path)
    assert x.paths == ("src",) and y.dist == "wheel"
    assert x.tree(tmp_path) == tmp_path / "github" / f"o+x@{COMMIT[:12]}"
    assert y.tree(tmp_path) == tmp_path / "pypi" / "y-1.0-wheel"
    with pytest.raises(ValueError, match="kind"):
        eco.Project("z", "pypi:z==1", "homework")
    with pytest.raises(ValueError, match="commit"):
        eco.Project("z", "github:o/z", "research")


def test_present_rows() -> None:
    lines = [
        "opt = optim.SGD(params, lr=0.1)",  # 1
        "opt = AdamW(model.parameters())",  # 2
        "class AdamW(Optimizer):",  # 3: a definition, not a construction
        "optimizer: AdamW",  # 4
        "optimizer:",  # 5: a block
        "  _target_: torch.optim.Adam",  # 6
        "opt: !new:torch.optim.Adam",  # 7
        '  "optimizer": {',  # 8
        "optimizer = dict(type='SGD', lr=0.02)",  # 9
        "optimizer.step()",  # 10: not one
        "args = TrainingArguments(output_dir='x')",  # 11
        "optimizer: null",  # 12: not one
    ]
    text = "\n".join(lines)
    assert eco.present_rows(text, ".yaml") == [1, 2, 4, 5, 6, 7, 8, 9, 11]
    assert eco.present_rows(text, ".py") == [1, 2, 8, 9, 11]  # no YAML keys in Python


def test_extracted_sites(tmp_path: Path) -> None:
    (tmp_path / "two.py").write_text(DECAYED + "opt2 = torch.optim.SGD(model.parameters(), lr=0.1)\n")
    (tmp_path / "none.py").write_text("print('no optimizer here')\n")
    (tmp_path / "broken.py").write_text("import torch\nopt = torch.optim.AdamW(\n")
    assert eco.extracted_sites(tmp_path / "two.py") == 2
    assert eco.extracted_sites(tmp_path / "none.py") == 0
    assert eco.extracted_sites(tmp_path / "broken.py") == 0
    cover = eco.coverage(tmp_path, [Path("two.py"), Path("none.py")])
    assert (cover.files, cover.present, cover.extracted, cover.silent) == (1, 2, 2, [])


def test_extract_git(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "train.py").write_text(DECAYED)
    (work / "notes.txt").write_text("not linted\n")
    (work / "big.json").write_text("0" * eco.MAX_BLOB)  # left out, as the snapshots leave it
    (work / "sub").mkdir()
    (work / "sub" / "cfg.yaml").write_text("optimizer: AdamW\n")

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(work), *args], check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    commit = git("rev-parse", "HEAD").strip()
    dest = tmp_path / "tree"
    assert eco.extract_git(work / ".git", commit, dest) == 2
    assert (dest / "train.py").read_text() == DECAYED
    assert (dest / "sub" / "cfg.yaml").exists() and not (dest / "notes.txt").exists()


def test_main_on_a_fake_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    projects = tmp_path / "projects.toml"
    projects.write_text(f'[[project]]\nname = "fake"\nsource = "github:o/fake"\ncommit = "{COMMIT}"\nkind = "research"\n')
    tree = cache / "github" / f"o+fake@{COMMIT[:12]}"
    tree.mkdir(parents=True)
    (tree / "train.py").write_text(DECAYED)
    expected = tmp_path / "expected.toml"
    args = ["--cache", str(cache), "--projects", str(projects), "--expected", str(expected)]

    assert eco.main([*args, "--update"]) == 1  # a new finding
    out = capsys.readouterr().out
    assert "NEW   fake/train.py:3 WD201" in out
    assert "coverage: 1 constructions present in 1 files of 1 projects, 1 optimizer sites extracted" in out
    [entry] = eco.load_expected(expected)
    assert (entry.key, entry.verdict) == (("fake", "train.py", "WD201", 3), "?")

    assert eco.main(args) == 0  # as expected
    out = capsys.readouterr().out
    assert "0 new, 0 lost, 1 unreviewed" in out
    assert "default rules: 1 findings, TP 0, TP-convention 0, FP 0, ? 1" in out

    (tree / "sgd.py").write_text("import torch\n\nopt = torch.optim.SGD(model.parameters(), lr=0.1, weight_decay=1e-4)\n")
    assert eco.main(args) == 1  # WD207 is opt-in, and the check runs it
    assert "NEW   fake/sgd.py:3 WD207" in capsys.readouterr().out
    (tree / "sgd.py").unlink()

    (tree / "train.py").write_text("import torch\n\nopt = torch.optim.Adagrad(model.parameters(), lr=1e-3)\n")
    assert eco.main(args) == 1  # the finding is gone, and the construction is still seen
    out = capsys.readouterr().out
    assert "LOST  fake/train.py:3 WD201" in out
    assert "1 optimizer sites extracted" in out


def test_cache_inside_the_repository_is_refused() -> None:
    with pytest.raises(SystemExit):
        eco.main(["--cache", str(REPO / "bench" / "cache")])
