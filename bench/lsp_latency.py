"""What a diagnostic costs in the editor: `wdlint server` on a 1,000-line training script.

    python bench/lsp_latency.py [--repeat N] [--lines N]

The server runs as an editor runs it (`python -m wdlint server --debounce 0`, over stdio),
driven by pygls's own client. The script is opened, then changed N times, each change turning
one `Adam(` into `AdamW(` or back, so every change changes the findings. Reported, as median
and 90th percentile:

- change -> diagnostics: from sending `textDocument/didChange` to receiving its
  `textDocument/publishDiagnostics`, with no debounce: the work a change costs after the
  editor's pause (an editor adds the debounce, 200 ms by default, before it). Goal (issue 16):
  under 50 ms.
- the lint alone: the same text linted in this process the way the server lints it (settings,
  format, rules, the conversion to the protocol), without the transport;
- code actions: a request at the finding (its fix, and the noqa comment, which is verified by
  a lint of the commented text) -> the response;
- hover on the finding -> the rule page;
- `ast.parse` of the same text, the floor of any lint of it: on a shared machine the absolute
  figures move with the load, their ratio to this one much less.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.workspace.position_codec import PositionCodec

ROOT = Path(__file__).resolve().parent.parent

HEADER = '''"""A training script: a model, data, helpers and a loop, as research code writes them."""

import argparse
import math
import os

import torch
import torch.nn.functional as F
from torch import nn


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--weight-decay", type=float, default=0.1)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    return parser.parse_args()


args = parse_args()
'''

BLOCK = '''

class Block{n}(nn.Module):
    def __init__(self, dim=256, hidden=1024):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x):
        h = self.norm(x)
        h = self.fc2(self.dropout(F.gelu(self.fc1(h))))
        return x + h


def schedule{n}(step, warmup=100, total=10_000):
    if step < warmup:
        return step / max(1, warmup)
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


def evaluate{n}(model, batches):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for x, y in batches:
            loss = F.mse_loss(model(x), y)
            total += loss.item() * x.shape[0]
            count += x.shape[0]
    model.train()
    return total / max(count, 1)
'''

OPTIMIZER = '''

def make_optimizer{n}(model):
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    groups = [
        {{"params": decay, "weight_decay": args.weight_decay}},
        {{"params": no_decay, "weight_decay": 0.0}},
    ]
    return torch.optim.{cls}(groups, lr=args.lr, betas=(0.9, 0.95))
'''

LOOP = '''

def train(model, batches, optimizer):
    for epoch in range(args.epochs):
        for step, (x, y) in enumerate(batches):
            loss = F.mse_loss(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        print(epoch, evaluate0(model, batches))


if __name__ == "__main__":
    model = nn.Sequential(*[Block0() for _ in range(4)])
    batches = [(torch.randn(8, 256), torch.randn(8, 256)) for _ in range(4)]
    train(model, batches, make_optimizer0(model))
'''


def script(lines: int, adam_first: bool) -> str:
    """A training script of about `lines` lines with one optimizer per 8 blocks; the first
    one is `Adam` (WD101) or `AdamW`."""
    parts = [HEADER]
    n = 0
    while sum(part.count("\n") for part in parts) + LOOP.count("\n") < lines:
        parts.append(BLOCK.format(n=n))
        if n % 8 == 0:
            cls = ("Adam" if adam_first else "AdamW") if n == 0 else "AdamW"
            parts.append(OPTIMIZER.format(n=n, cls=cls))
        n += 1
    parts.append(LOOP)
    return "".join(parts)


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    return f"{name:<34} median {statistics.median(ms):7.2f} ms   p90 {p90:7.2f} ms   (n={len(ms)})"


async def through_the_server(texts: tuple[str, str], repeat: int, folder: Path) -> dict[str, list[float]]:
    client = LanguageClient("wdlint-bench", "1")
    published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    await client.start_io(sys.executable, "-m", "wdlint", "server", "--debounce", "0", env=env)
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=folder.as_uri()))
    client.initialized(types.InitializedParams())
    path = folder / "train.py"
    path.write_text(texts[0])
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, texts[0])))
    first = await published.get()
    wd101 = next(d for d in first.diagnostics if d.code == "WD101")
    times: dict[str, list[float]] = {"change -> diagnostics": [], "code actions at the finding": [], "hover on the finding": []}
    for i in range(repeat):
        text = texts[(i + 1) % 2]
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(i + 2, uri), [types.TextDocumentContentChangeWholeDocument(text)]
            )
        )
        got = await published.get()
        times["change -> diagnostics"].append(time.perf_counter() - started)
        assert got.version == i + 2 and any(d.code == "WD101" for d in got.diagnostics) == (text == texts[0])
    # the text is texts[repeat % 2]; leave it with its finding for the requests
    if repeat % 2 == 1:
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(repeat + 2, uri), [types.TextDocumentContentChangeWholeDocument(texts[0])]
            )
        )
        await published.get()
    for _ in range(repeat):
        started = time.perf_counter()
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(types.TextDocumentIdentifier(uri), wd101.range, types.CodeActionContext([wd101]))
        )
        times["code actions at the finding"].append(time.perf_counter() - started)
        assert actions
        started = time.perf_counter()
        hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), wd101.range.start))
        times["hover on the finding"].append(time.perf_counter() - started)
        assert hover is not None
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return times


def in_process(texts: tuple[str, str], repeat: int, folder: Path) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from wdlint.frontends.formats import PYTHON
    from wdlint.server.documents import Linter
    from wdlint.server.subjects import Subject

    linter = Linter(folder)
    codec = PositionCodec()
    path = folder / "train.py"
    times = []
    for i in range(repeat + 1):
        text = texts[i % 2]
        started = time.perf_counter()
        lint = linter.lint_for(path, path.as_posix(), PYTHON)
        assert lint is not None
        subject = Subject.document(lint, path.as_uri(), i, text)
        subject.placed(lint(text), codec)
        if i:  # the first pays for the imports, as the server's first lint does
            times.append(time.perf_counter() - started)
    return times


def parse_only(text: str, repeat: int) -> list[float]:
    import ast

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        ast.parse(text)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--lines", type=int, default=1000)
    options = parser.parse_args()
    texts = (script(options.lines, True), script(options.lines, False))
    print(f"script: {texts[0].count(chr(10))} lines, {len(texts[0])} characters")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        server = asyncio.run(through_the_server(texts, options.repeat, folder))
        alone = in_process(texts, options.repeat, folder)
        parse = parse_only(texts[0], options.repeat)
    for name, seconds in server.items():
        print(summary(name, seconds))
    print(summary("the lint alone (in process)", alone))
    print(summary("ast.parse of the text (reference)", parse))
    ratio = statistics.median(server["change -> diagnostics"]) / statistics.median(parse)
    print(f"change -> diagnostics / ast.parse: {ratio:.1f}x")


if __name__ == "__main__":
    main()
