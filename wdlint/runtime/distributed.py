"""Which process this is under torch.distributed: the audit reports on rank 0 only by default."""

from __future__ import annotations

import torch


def rank() -> int:
    distributed = torch.distributed
    if distributed.is_available() and distributed.is_initialized():
        return distributed.get_rank()
    return 0
