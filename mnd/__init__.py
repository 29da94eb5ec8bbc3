"""mnd: minimum-norm shallow denoisers, companion code to Zeno et al., NeurIPS 2023.

The one idea: every closed-form min-cost denoiser is a sum of clipped ramps,
``h(y) = c + sum_j v_j clip((u_j . y - s_j) / (e_j - s_j), 0, 1)`` (:class:`RampSum`), and one ramp
is two balanced ReLU units of cost ``2 |v_j| / (e_j - s_j)``, so a ramp sum *is* a network (:class:`ReluNet`).

Shape convention: a denoiser in ``R^d`` maps ``(n, d)`` to ``(n, d)``; for ``d = 1`` it also takes
``(n,)`` and then returns ``(n,)``. Metrics check shapes and refuse mismatched dimensions.

Layout: ``closed_form`` (one module per result), ``certify`` (independent LP / conic solvers),
``mmse`` (eMMSE), ``data``, ``metrics``, ``alignment``, ``noise_radius``, ``gaussian`` (ReLU
moments), ``flows`` (score and probability flows driven by a denoiser), ``show`` (plots, tables,
widgets) and ``nets`` (training: ``ShallowDenoiser``, ``train`` and the paper's recipes,
``mnd.paper`` = ``mnd.nets.paper``). Submodules load on first use; importing ``mnd`` never
imports torch.
"""

from __future__ import annotations

import importlib
from typing import Any

from .closed_form import (
    capped_min_cost_denoiser, equilateral_simplex, facet_normal_simplex, min_cost_denoiser,
    obtuse_simplex, rays, subspace, univariate, univariate_cost, univariate_intervals,
)
from .mmse import emmse
from .ramps import RampSum
from .relu_net import ReluNet, as_relu_net

_SUBMODULES = (
    "alignment", "certify", "closed_form", "data", "flows", "gaussian", "metrics", "mmse", "nets",
    "noise_radius", "ramps", "relu_net", "show",
)
#: names kept for modules that live in a subpackage: ``mnd.paper`` is ``mnd.nets.paper`` (the
#: paper's training recipes; torch-free)
_ALIASES = {"paper": "mnd.nets.paper"}

__all__ = [
    "RampSum", "ReluNet", "as_relu_net", "capped_min_cost_denoiser", "emmse", "equilateral_simplex",
    "facet_normal_simplex", "min_cost_denoiser", "obtuse_simplex", "rays", "subspace", "univariate",
    "univariate_cost", "univariate_intervals", *_SUBMODULES, *_ALIASES,
]
__version__ = "0.2.0"


def __getattr__(name: str) -> Any:
    """Load a submodule on first access: ``import mnd; mnd.metrics.sup_error`` works."""
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _ALIASES:
        return importlib.import_module(_ALIASES[name])
    raise AttributeError(f"module 'mnd' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES) | set(_ALIASES))
