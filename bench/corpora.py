"""Download and unpack third-party source trees to lint: the corpora of the benchmarks and of
the precision review.

    python bench/corpora.py [NAME ...]        # default: transformers timm pytorch-lightning accelerate

Each package's wheel is fetched with `pip download --no-deps` and unpacked into
`~/.cache/wdlint-bench/corpora/<name>/` (`$WDLINT_CORPORA/<name>/` when set). A corpus already
unpacked is kept.

The corpora lie outside any checkout, as an unpacked wheel does: a tree under this repository
(they used to be in `bench/corpora/`) has the repository for its project root, so a helper's
callers were looked for among this repository's files and every other corpus unpacked beside
it, and a run's cost hung on which others had been fetched.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CORPORA_DIR = Path(os.environ.get("WDLINT_CORPORA") or Path.home() / ".cache" / "wdlint-bench" / "corpora")
# `python -m wdlint`, run inside a linted tree: the tree's own modules (torch's `random.py`, a
# `logging.py`) must not shadow the standard library, so the working directory is kept off
# sys.path (`-P`, 3.11+)
RUN_WDLINT = (
    ("-P", "-m", "wdlint")
    if sys.version_info >= (3, 11)
    else ("-c", "import runpy, sys; del sys.path[0]; runpy.run_module('wdlint', run_name='__main__')")
)
DEFAULT = ("transformers", "timm", "pytorch-lightning", "accelerate")


def corpus(name: str) -> Path:
    """The unpacked tree of package `name`, downloading it first if needed."""
    target = CORPORA_DIR / name
    if target.is_dir() and any(target.iterdir()):
        return target
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--dest", download, name],
            check=True,
        )
        [wheel] = Path(download).glob("*.whl")
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
        (target / "WHEEL_NAME").write_text(wheel.name + "\n")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=list(DEFAULT))
    for name in parser.parse_args().names:
        path = corpus(name)
        files = sum(1 for _ in path.rglob("*.py"))
        print(f"{name}: {path} ({(path / 'WHEEL_NAME').read_text().strip()}, {files} .py files)")


if __name__ == "__main__":
    main()
