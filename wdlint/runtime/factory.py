"""`wdlint audit TARGET`: import the user's factory and build the model and its optimizers.

Every way this can fail is a `TargetError` with a one-line message: the user's import error or
exception is theirs to read, not a traceback through wdlint.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import torch
from torch import nn

from wdlint.runtime.optimizers import unwrap_optimizer

DEVICE = re.compile(r"meta|cpu|cuda(:\d+)?")
_USAGE = "expected `package.module:factory` or `path/to/file.py:factory`"
_RESULT = 'expected (model, optimizer) or {"model": ..., "optimizer": ...}'


class TargetError(Exception):
    """TARGET cannot be imported, called or used; the message is one line."""


def target_path(target: str) -> Path | None:
    """The file a `path/to/file.py:factory` target names; None for a module target."""
    location = target.rpartition(":")[0]
    if location.endswith(".py") or "/" in location or os.sep in location:
        return Path(location)
    return None


def build(target: str, device: str) -> tuple[nn.Module, list[torch.optim.Optimizer]]:
    factory = _load(target)
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise TargetError(f"--device {device}: CUDA is not available on this machine")
    kwargs = {"device": device} if _takes_device(factory) else {}
    saved_argv = sys.argv
    # a factory that parses arguments sees none, not wdlint's own
    sys.argv = [target]
    try:
        # The default device too, so that a factory without a `device` parameter still
        # builds on `meta` (no memory) unless it places tensors itself.
        with torch.device(device):
            result = factory(**kwargs)
    except (Exception, SystemExit) as error:  # noqa: BLE001  the user's code: report it, do not crash or exit
        raise TargetError(f"`{target}` raised {_one_line(error)}") from None
    finally:
        sys.argv = saved_argv
    return _unpack(target, result)


def _load(target: str) -> Callable[..., object]:
    location, _, attribute = target.rpartition(":")
    if not location or not attribute:
        raise TargetError(f"{_USAGE}, got `{target}`")
    path = target_path(target)
    try:
        module = _import_file(path) if path is not None else _import_module(location)
    except TargetError:
        raise
    except (Exception, SystemExit) as error:  # noqa: BLE001  a script that calls sys.exit() on import too
        raise TargetError(f"cannot import `{location}`: {_one_line(error)}") from None
    found: object = module
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise TargetError(f"`{location}` has no attribute `{attribute}`")
        found = getattr(found, part)
    if not callable(found):
        raise TargetError(f"`{target}` is not callable")
    return found


def _import_module(name: str) -> object:
    # As `python -m` does: the current directory is importable.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    return importlib.import_module(name)


def _import_file(path: Path) -> object:
    if not path.is_file():
        raise TargetError(f"{path}: No such file")
    # As `python path/to/file.py` does: the file's directory is importable (sibling modules).
    directory = str(path.resolve().parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    name = path.stem if path.stem not in sys.modules else f"_wdlint_target_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TargetError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look their module up here
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _takes_device(factory: Callable[..., object]) -> bool:
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # builtins and C callables without a signature
        return False
    return any(p.name == "device" or p.kind is p.VAR_KEYWORD for p in parameters)


def _unpack(target: str, result: object) -> tuple[nn.Module, list[torch.optim.Optimizer]]:
    if isinstance(result, Mapping):
        model = result.get("model")
        optimizer = result.get("optimizer", result.get("optimizers"))
    elif isinstance(result, (tuple, list)) and len(result) == 2:
        model, optimizer = result
    else:
        raise TargetError(f"`{target}` returned {type(result).__name__}: {_RESULT}")
    if not isinstance(model, nn.Module):
        raise TargetError(f"`{target}` returned a model of type {type(model).__name__}: {_RESULT}")
    try:
        optimizers = [
            unwrap_optimizer(o) for o in (optimizer if isinstance(optimizer, (list, tuple)) else [optimizer])
        ]
    except TypeError as error:
        raise TargetError(f"`{target}` returned {error}: {_RESULT}") from None
    return model, optimizers


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
