"""`--output-format gitlab`: GitLab Code Quality JSON with line-independent fingerprints."""

from __future__ import annotations

import json

from ci_examples import ALL, FIXED, ROOT, TWICE

from wdlint.diagnostics import Position
from wdlint.output.gitlab import fingerprint, gitlab


def test_issues():
    issues = json.loads(gitlab(ALL, ROOT))
    assert issues[0] == {
        "description": "WD101: cell 3:1:7: Adam with L2",
        "check_name": "WD101",
        "fingerprint": fingerprint("WD101", "nb.ipynb", "Adam with L2", 0),
        "severity": "major",
        "location": {"path": "nb.ipynb", "lines": {"begin": 1}},
    }
    assert issues[1]["severity"] == "critical"  # WD001: the file was not checked
    assert issues[2] == {
        "description": "WD201: `m.parameters()` decays 100% of params, biases: too",
        "check_name": "WD201",
        "fingerprint": "bffb8b7670b39264da675a0539ea654d68b0182d7143f9d99c0a0ffcc7289bf0",
        "severity": "major",
        "location": {"path": "src/train.py", "lines": {"begin": 2}},
    }


def test_exact_text():
    assert gitlab([FIXED], ROOT) == (
        "[\n"
        "  {\n"
        '    "description": "WD201: `m.parameters()` decays 100% of params, biases: too",\n'
        '    "check_name": "WD201",\n'
        '    "fingerprint": "bffb8b7670b39264da675a0539ea654d68b0182d7143f9d99c0a0ffcc7289bf0",\n'
        '    "severity": "major",\n'
        '    "location": {\n'
        '      "path": "src/train.py",\n'
        '      "lines": {\n'
        '        "begin": 2\n'
        "      }\n"
        "    }\n"
        "  }\n"
        "]\n"
    )
    assert gitlab([], ROOT) == "[]\n"


def test_fingerprints_ignore_the_line_and_tell_identical_findings_apart():
    first, second = (issue["fingerprint"] for issue in json.loads(gitlab(TWICE, ROOT)))
    assert first != second
    moved = [d._replace(location=Position(d.location.row + 10, 5)) for d in TWICE]
    assert [issue["fingerprint"] for issue in json.loads(gitlab(moved, ROOT))] == [first, second]
    assert first == fingerprint("WD501", "src/train.py", "by position", 0)


def test_absolute_paths_under_the_run_directory_are_made_relative():
    inside = FIXED._replace(filename="/repo/src/train.py")
    assert json.loads(gitlab([inside], ROOT))[0]["location"]["path"] == "src/train.py"
