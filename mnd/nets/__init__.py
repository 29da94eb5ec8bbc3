"""Training: the trainable network, its training, and the paper's training recipes.

- :class:`ShallowDenoiser` (:mod:`.network`): ``h(y) = A relu(W y + b) + V y + c``, convertible
  to and from :class:`mnd.ReluNet` exactly.
- :func:`train` (:mod:`.training`): the one training entry point (online, offline by Adam or
  L-BFGS, interpolation by an augmented Lagrangian, exact expected loss), and
  :func:`fit_interpolant`, the book's two-stage interpolation preset.
- :mod:`.gaussian`: differentiable Gaussian ReLU moments (the torch twin of :mod:`mnd.gaussian`).
- :mod:`.threads`: the thread policy (one torch thread for small networks, restored afterwards).
- :mod:`.paper`: the paper's training settings as plain data (also ``mnd.paper``); it is the one
  module here that does not import torch.

Names load on first use, so ``mnd.nets.paper`` does not import torch; everything else does.
"""

from __future__ import annotations

import importlib

_SUBMODULES = ("gaussian", "network", "paper", "threads", "training")
_NAMES = {"ShallowDenoiser": "network", "train": "training", "fit_interpolant": "training",
          "MODES": "training",
          "History": "training", "torch_threads": "threads"}

__all__ = sorted([*_NAMES, "gaussian", "paper", "threads", "training"])


def __getattr__(name: str):
    if name in _NAMES:
        value = getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
