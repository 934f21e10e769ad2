"""`--output-format junit`: a testsuite per file, a failing testcase per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ci_examples import ALL, FIXED, ROOT

from wdlint.output.junit import junit


def test_exact_document():
    assert junit([FIXED], ROOT) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="wdlint" tests="1" failures="1" errors="0">\n'
        '  <testsuite name="src/train.py" tests="1" failures="1" errors="0">\n'
        '    <testcase name="WD201 at 2:24" classname="src/train.py" file="src/train.py" line="2">\n'
        '      <failure type="WD201" message="`m.parameters()` decays 100% of params, biases: too">'
        "src/train.py:2:24: WD201 `m.parameters()` decays 100% of params, biases: too</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n"
    )


def test_suites_per_file_and_escaping():
    root = ET.fromstring(junit(ALL, ROOT).encode())  # the declaration included
    assert (root.get("tests"), root.get("failures")) == ("5", "5")
    assert [(s.get("name"), s.get("tests")) for s in root] == [
        ("nb.ipynb", "1"),
        ("src/a,b.py", "1"),
        ("src/train.py", "3"),
    ]
    cell_case = root[0][0]
    assert cell_case.get("name") == "WD101 at cell 3:1:7"
    assert cell_case.get("line") is None  # a cell's row is not a line of the .ipynb file
    failure = root[1][0][0]
    assert failure.get("message") == "invalid syntax\nat the end"


def test_a_clean_run_is_a_valid_empty_document():
    text = junit([], ROOT)
    assert text == '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="wdlint" tests="0" failures="0" errors="0" />\n'
    assert ET.fromstring(text.encode()).tag == "testsuites"
