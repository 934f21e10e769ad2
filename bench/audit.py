"""What `wdlint.audit` costs on a Llama-2-70B-shaped model built on `meta` (no memory).

    python bench/audit.py [--repeat N]

The model is our own (80 layers, hidden 8192, MLP 28672, 64 heads with 8 key/value heads,
vocab 32000, RMSNorm, untied head: 723 parameter tensors, 69B parameters). It reports the
median wall time of `audit` over N runs and its peak Python memory (tracemalloc, beyond what
building the model took), for an optimizer with correct groups and for a flat AdamW that
decays everything (the report then names 161 params); then the same at 20, 40 and 80 layers,
to show that the cost grows with the number of parameter tensors, not their elements.
Targets (DESIGN.md §5): under 50 ms and 50 MiB.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable

import torch
from torch import nn

import wdlint


class RMSNorm(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int, kv_heads: int) -> None:
        super().__init__()
        kv_dim = dim // heads * kv_heads
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.k_proj = nn.Linear(dim, kv_dim, bias=False)
        self.v_proj = nn.Linear(dim, kv_dim, bias=False)
        self.o_proj = nn.Linear(dim, dim, bias=False)


class MLP(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)


class DecoderLayer(nn.Module):
    def __init__(self, dim: int, hidden: int, heads: int, kv_heads: int) -> None:
        super().__init__()
        self.input_layernorm = RMSNorm(dim)
        self.self_attn = Attention(dim, heads, kv_heads)
        self.post_attention_layernorm = RMSNorm(dim)
        self.mlp = MLP(dim, hidden)


class Llama(nn.Module):
    def __init__(
        self, layers: int = 80, dim: int = 8192, hidden: int = 28672, heads: int = 64,
        kv_heads: int = 8, vocab: int = 32000,
    ) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(DecoderLayer(dim, hidden, heads, kv_heads) for _ in range(layers))
        self.norm = RMSNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)


def _median_ms(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _peak_mib(step: Callable[[], object]) -> float:
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    start = time.perf_counter()
    with torch.device("meta"):
        model = Llama()
    build_s = time.perf_counter() - start
    tensors = sum(1 for _ in model.parameters())
    elements = sum(p.numel() for p in model.parameters())
    print(f"Llama-2-70B shape on meta: {tensors} param tensors, {elements / 1e9:.1f}B params, built in {build_s:.2f} s")

    grouped = torch.optim.AdamW(wdlint.param_groups(model, weight_decay=0.1), lr=1e-4)
    flat = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.1)
    cases = {
        "correct groups": lambda: wdlint.audit(model, grouped),
        "flat AdamW": lambda: wdlint.audit(model, flat),
        "flat AdamW + table": lambda: str(wdlint.audit(model, flat)),
    }
    wdlint.audit(model, grouped)  # first call imports the runtime modules: not the audit's cost
    print(f"{'case':<22}{'median ms':>10}{'peak MiB':>10}")
    for name, step in cases.items():
        print(f"{name:<22}{_median_ms(step, args.repeat):>10.2f}{_peak_mib(step):>10.2f}")

    print("\nlinearity (correct groups)")
    print(f"{'layers':>6}{'tensors':>9}{'median ms':>11}{'us/tensor':>11}")
    for layers in (20, 40, 80):
        with torch.device("meta"):
            sized = Llama(layers=layers)
        optimizer = torch.optim.AdamW(wdlint.param_groups(sized, weight_decay=0.1), lr=1e-4)
        count = sum(1 for _ in sized.parameters())
        ms = _median_ms(lambda sized=sized, optimizer=optimizer: wdlint.audit(sized, optimizer), args.repeat)
        print(f"{layers:>6}{count:>9}{ms:>11.2f}{ms * 1000 / count:>11.1f}")


if __name__ == "__main__":
    main()
