"""Lint third-party trees with every default rule and print the findings per tree and rule,
for the precision review (read every finding; a false positive is a bug).

    python bench/findings.py [NAME ...] [--show]

NAMEs are PyPI packages, fetched by bench/corpora.py (default: its four). `--show` also prints
every finding in the concise format.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
from pathlib import Path

from corpora import DEFAULT, corpus

REPO = Path(__file__).resolve().parent.parent  # so that `python -m wdlint` runs this checkout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=list(DEFAULT))
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    rows = []
    for name in args.names:
        path = corpus(name)
        done = subprocess.run(
            [sys.executable, "-m", "wdlint", "--isolated", "--output-format", "json", str(path.resolve())],
            capture_output=True, text=True, check=False, cwd=REPO,
        )
        if done.returncode not in (0, 1):
            sys.exit(f"wdlint failed on {name}: {done.stderr.strip()}")
        findings = json.loads(done.stdout)
        rows.append((name, collections.Counter(f["code"] for f in findings)))
        if args.show:
            for f in findings:
                print(f"{f['filename']}:{f['location']['row']}:{f['location']['column']}: {f['code']} {f['message']}")
    codes = sorted({code for _, counts in rows for code in counts})
    print("| tree | " + " | ".join(codes) + " | total |")
    print("|---|" + "---|" * (len(codes) + 1))
    for name, counts in rows:
        cells = " | ".join(str(counts.get(code, 0)) for code in codes)
        print(f"| {name} | {cells} | {sum(counts.values())} |")


if __name__ == "__main__":
    main()
