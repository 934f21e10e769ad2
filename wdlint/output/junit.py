"""JUnit XML, which most CI services show as a test report: a testsuite per file with findings,
a failing testcase per finding. A clean run is an empty `testsuites` document."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path

from wdlint.diagnostics import Diagnostic
from wdlint.output.ci import in_file_lines, report_path


def junit(diagnostics: Sequence[Diagnostic], root: Path) -> str:
    count = str(len(diagnostics))
    suites = ET.Element("testsuites", name="wdlint", tests=count, failures=count, errors="0")
    # diagnostics arrive sorted by file, so each file's are adjacent
    for filename, group in groupby(diagnostics, key=lambda d: d.filename):
        found = list(group)
        path, n = report_path(filename, root), str(len(found))
        suite = ET.SubElement(suites, "testsuite", name=path, tests=n, failures=n, errors="0")
        for diagnostic in found:
            position = _position(diagnostic)
            case = ET.SubElement(suite, "testcase", name=f"{diagnostic.code} at {position}", classname=path)
            case.set("file", path)
            if in_file_lines(diagnostic):
                case.set("line", str(diagnostic.location.row))
            failure = ET.SubElement(case, "failure", type=diagnostic.code, message=diagnostic.message)
            failure.text = f"{path}:{position}: {diagnostic.code} {diagnostic.message}"
    ET.indent(suites, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _position(diagnostic: Diagnostic) -> str:
    cell = "" if in_file_lines(diagnostic) else f"cell {diagnostic.cell}:"
    return f"{cell}{diagnostic.location.row}:{diagnostic.location.column}"
