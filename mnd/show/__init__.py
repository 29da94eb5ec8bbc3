"""Showing results: matplotlib figures (1D, 2D, digit images), the one table type, widgets
(static image sliders on the site, live controls in a kernel) and progress bars.
numpy + matplotlib + ipywidgets; submodules load on first use, so ``mnd.show.progress`` (used
by the trainer) does not import matplotlib."""

from __future__ import annotations

import importlib

_SUBMODULES = ("images", "plot2d", "plotting", "progress", "tables", "widgets")
_NAMES = {"PALETTE": "plotting", "style": "plotting", "Table": "tables"}

__all__ = sorted([*_SUBMODULES, *_NAMES])


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _NAMES:
        return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
