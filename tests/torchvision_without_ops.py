"""`import torchvision` where its compiled ops do not load: its Python parts, without them.

The only torchvision built for the CPU torch the tests pin (`torchvision==0.28.0` for
`torch==2.13.0`) is a CUDA build: its `_C` extension links against torch's CUDA libraries and
does not load. torchvision means to work on without it (`extension._has_ops()` is then False,
and `_meta_registrations.register_meta` registers the meta kernels of an op only when the ops
are there), but one registration in that module, `register_fake("torchvision::nms")`, lacks the
check, so `import torchvision` raises `RuntimeError: operator torchvision::nms does not exist`.
Whatever imports torchvision then fails: timm (its norm layers import
`torchvision.ops.misc.FrozenBatchNorm2d`), lightning through torchmetrics, transformers' image
utilities.

`install()` puts a finder in front of the import system that answers for that one module, and
only while torchvision's ops are absent: it gives an empty module in its place, which is what
`register_meta` makes of it without the ops. Every other module is torchvision's own, so timm's
model classes are built from the real timm and torchvision code. Where the ops load (a matching
build), the finder steps aside and the real module registers its kernels.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType

FAKE_KERNELS = "torchvision._meta_registrations"


class _NoKernelsWithoutOps(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != FAKE_KERNELS:
            return None
        # torchvision/__init__.py imports `.extension` (which tries to load `_C`) first
        extension = sys.modules.get("torchvision.extension")
        if extension is None or extension._has_ops():
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default: an empty module

    def exec_module(self, module: ModuleType) -> None:
        module.__doc__ = "torchvision's meta kernels: none, as its compiled ops did not load"


def install() -> None:
    """Put the finder first on `sys.meta_path` (once); it costs nothing until torchvision is
    imported."""
    if not any(isinstance(finder, _NoKernelsWithoutOps) for finder in sys.meta_path):
        sys.meta_path.insert(0, _NoKernelsWithoutOps())
