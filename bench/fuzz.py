"""The fuzz properties of tests/reliability/test_fuzz.py, run for minutes instead of seconds.

    python bench/fuzz.py [--seconds 60] [--examples 20000] [--only NAME ...] [--seed N] [--shrink]

Each property of `fuzz_strategies.PROPERTIES` generates examples until it has run `--examples`
of them or `--seconds` have passed. Unlike the test, a run does not stop at the first failure:
each failure is classified (exception type, first line of the message with numbers blanked, the
function that raised), counted, and the smallest input of its class kept, so a frequent bug
does not hide a rare one. `--shrink` then asks hypothesis for a minimal input of each class.
Prints one row per property (examples, failing examples, classes of failure, seconds, examples
per second) and each class with its smallest input; exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import traceback
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, find, given, seed, settings
from hypothesis.errors import NoSuchExample, Unsatisfiable

REPO = Path(__file__).resolve().parent.parent
# the properties live beside the tests that run them briefly
sys.path.insert(0, str(REPO / "tests" / "reliability"))

from fuzz_strategies import PROPERTIES, Property  # noqa: E402  (found through the path set above)

# the longest a batch runs before the clock is checked again
_BATCH_SECONDS = 20.0


@dataclass
class FailureClass:
    key: str
    count: int = 0
    smallest: Any = None
    size: int = 0
    trace: str = ""


@dataclass
class Report:
    name: str
    examples: int = 0
    failing: int = 0
    seconds: float = 0.0
    exhausted: bool = False
    classes: dict[str, FailureClass] = field(default_factory=dict)

    def record(self, error: Exception, value: Any) -> None:
        self.failing += 1
        key = classify(error)
        found = self.classes.setdefault(key, FailureClass(key))
        found.count += 1
        size = len(repr(value))
        if found.smallest is None or size < found.size:
            found.smallest, found.size = value, size
            found.trace = "".join(traceback.format_exception(error, limit=-4))


def classify(error: BaseException) -> str:
    """What tells one bug from another: the kind, the message's first line without its
    numbers (rows, columns, offsets), and the innermost function that raised."""
    message = str(error).split("\n", 1)[0]
    message = re.sub(r"\b\d+\b", "N", message)[:160]
    frames = traceback.extract_tb(error.__traceback__)
    where = frames[-1].name if frames else "?"
    return f"{type(error).__name__}: {message} (in {where})"


def _settings(examples: int, phases: Sequence[Phase]) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def run(name: str, prop: Property, seconds: float, examples: int, base_seed: int) -> Report:
    report = Report(name)
    strategy = prop.strategy()

    def body(value: Any) -> None:
        report.examples += 1
        try:
            prop.check(value)
        except Exception as error:  # noqa: BLE001  (every failure is recorded, none stops the run)
            report.record(error, value)

    start = time.monotonic()
    batch, number = 20, 0
    while report.examples < examples and time.monotonic() - start < seconds:
        wanted = min(batch, examples - report.examples)
        before, batch_start = report.examples, time.monotonic()
        test = seed(base_seed + number)(_settings(wanted, [Phase.generate])(given(strategy)(body)))
        try:
            test()
        except Unsatisfiable:
            pass
        except Exception as error:  # noqa: BLE001  (a strategy's own bug: recorded, the run goes on)
            report.record(error, f"<while generating: {type(error).__name__}>")
        number += 1
        ran = report.examples - before
        if ran < wanted // 2:
            report.exhausted = True  # hypothesis ran out of distinct inputs
            break
        rate = ran / max(time.monotonic() - batch_start, 1e-3)
        left = seconds - (time.monotonic() - start)
        batch = max(10, int(rate * min(_BATCH_SECONDS, max(left, 0.0))))
    report.seconds = time.monotonic() - start
    return report


def shrink(prop: Property, found: FailureClass) -> None:
    """A minimal input of the class, when hypothesis can find the class again."""

    def fails_so(value: Any) -> bool:
        try:
            prop.check(value)
        except Exception as error:  # noqa: BLE001  (the class decides, whatever was raised)
            return classify(error) == found.key
        return False

    try:
        found.smallest = find(prop.strategy(), fails_so, settings=_settings(2000, [Phase.generate, Phase.shrink]))
    except (NoSuchExample, Unsatisfiable):
        return
    found.size = len(repr(found.smallest))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="per property (default: 60)")
    parser.add_argument("--examples", type=int, default=20000, help="per property, at most (default: 20000)")
    parser.add_argument("--only", nargs="+", choices=sorted(PROPERTIES), help="these properties only")
    parser.add_argument("--seed", type=int, default=0, help="the first batch's seed (default: 0)")
    parser.add_argument("--shrink", action="store_true", help="find a minimal input of each failure class")
    parser.add_argument("--full", action="store_true", help="print whole inputs and tracebacks")
    arguments = parser.parse_args(argv)
    # hypothesmith compiles what it generates, which warns about calls like `1()`
    warnings.simplefilter("ignore", SyntaxWarning)

    reports = []
    for name in arguments.only or PROPERTIES:
        report = run(name, PROPERTIES[name], arguments.seconds, arguments.examples, arguments.seed)
        if arguments.shrink:
            for found in report.classes.values():
                shrink(PROPERTIES[name], found)
        reports.append(report)
        note = " (inputs exhausted)" if report.exhausted else ""
        print(
            f"{name:32} {report.examples:7d} examples {report.failing:6d} failing {len(report.classes):3d} classes"
            f" {report.seconds:7.1f} s {report.examples / max(report.seconds, 1e-9):8.1f}/s{note}",
            flush=True,
        )

    total = sum(r.examples for r in reports)
    failing = sum(r.failing for r in reports)
    seconds = sum(r.seconds for r in reports)
    print(f"{'total':32} {total:7d} examples {failing:6d} failing {sum(len(r.classes) for r in reports):3d} classes {seconds:7.1f} s")
    limit = None if arguments.full else 800
    for report in reports:
        for found in sorted(report.classes.values(), key=lambda f: -f.count):
            print(f"\n## {report.name}: {found.count} x {found.key}")
            print(f"smallest input: {repr(found.smallest)[:limit]}")
            if arguments.full:
                print(found.trace)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
