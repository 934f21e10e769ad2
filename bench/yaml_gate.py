"""Every real YAML file at hand, read by libyaml and by PyYAML's pure loader: does the gate hold?

    python bench/yaml_gate.py [ROOT ...]

Roots default to the ecosystem cache (`bench/ecosystem.py`'s projects), the wheels unpacked in
bench/corpora.py's corpora and this repository's tests and fixtures. For every `.yaml` / `.yml` file that
decodes as UTF-8, where `wdlint/frontends/yamlgate.py`'s gate passes, libyaml must compose the
pure loader's node trees or raise (`tests/frontends/yaml_differential.py`), and
`parse_yaml` must give the same answer (sites, comments, links, or the same error at the same
position) on the fast path as on the pure loader alone. Prints how many files the gate passes
(all of them, and those the prefilter passes, which are the ones wdlint parses), how long each
path takes on those (median of 3, the gate counted in the fast path), and every file
that breaks the property; exits 1 if any does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
# the differential comparison lives beside the tests that run it on generated text
sys.path.insert(0, str(REPO / "tests" / "frontends"))

from yaml_differential import divergence  # noqa: E402  (found through the path set above)

from wdlint.engine.prefilter import may_configure_in_config  # noqa: E402
from wdlint.frontends import yamlcfg  # noqa: E402
from wdlint.frontends.text import SourceError  # noqa: E402
from wdlint.frontends.yamlgate import compose  # noqa: E402


def default_roots() -> list[Path]:
    sys.path.insert(0, str(REPO / "bench"))
    import corpora
    import ecosystem

    return [ecosystem.default_cache(), corpora.CORPORA_DIR, REPO / "tests", REPO / "fixtures"]


def yaml_files(roots: list[Path]) -> Iterator[tuple[Path, bytes, str]]:
    seen: set[Path] = set()
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.suffix not in (".yaml", ".yml") or not path.is_file() or path.resolve() in seen:
                continue
            seen.add(path.resolve())
            data = path.read_bytes()
            try:
                yield path, data, data.decode("utf-8-sig")
            except UnicodeDecodeError:
                continue


def reading(text: str) -> tuple[str, object]:
    try:
        return ("ok", repr(yamlcfg.parse_yaml(text)))
    except SourceError as error:
        return ("error", (str(error), error.position))


def pure_reading(text: str) -> tuple[str, object]:
    with mock.patch.object(yamlcfg, "compose", return_value=None):
        return reading(text)


def timed(read: Callable[[str], object], texts: list[str]) -> float:
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            read(text)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("roots", nargs="*", type=Path)
    args = parser.parse_args(argv)
    roots = args.roots or default_roots()
    files = passed = candidates = candidates_passed = 0
    broken: list[str] = []
    parsed: list[str] = []  # the texts wdlint parses: the prefilter passes them
    for path, data, text in yaml_files(roots):
        files += 1
        candidate = may_configure_in_config(data)
        candidates += candidate
        if candidate:
            parsed.append(text)
        if compose(text) is None:
            continue
        passed += 1
        candidates_passed += candidate
        diverged = divergence(text)
        if diverged is not None:
            broken.append(f"{path}: trees differ (pure loader, libyaml): {str(diverged)[:300]}")
        elif reading(text) != pure_reading(text):
            broken.append(f"{path}: parse_yaml differs")
    print(f"{files} YAML files: the gate passes {passed} ({passed / max(files, 1):.0%})")
    print(f"{candidates} pass the prefilter: the gate passes {candidates_passed} ({candidates_passed / max(candidates, 1):.0%})")
    pure = timed(pure_reading, parsed)
    fast = timed(reading, parsed)
    gate = timed(compose, parsed)
    size = sum(len(text) for text in parsed) / 1e6
    print(f"parse_yaml over those {len(parsed)} ({size:.1f} M characters), median of 3: pure loader {pure:.3f} s, "
          f"fast path {fast:.3f} s ({pure / fast:.1f}x; of it the gate and libyaml's composing {gate:.3f} s)")
    for line in broken:
        print(line)
    print(f"{len(broken)} files where the fast path's reading is not the pure loader's")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
