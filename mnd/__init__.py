"""mnd: minimum-norm shallow denoisers (companion code to Zeno et al., NeurIPS 2023).

Importing ``mnd`` does not import torch: the closed forms, eMMSE, solvers, metrics, plotting and
widgets are numpy/matplotlib only. Networks and training live in ``mnd.nets`` and ``mnd.train``.
"""

from .closed_form import (
    equilateral_simplex, min_cost_denoiser, obtuse_simplex, rays, subspace, univariate, univariate_cost,
    univariate_intervals,
)
from .emmse import emmse
from .ramps import RampSum

__all__ = [
    "RampSum", "emmse", "equilateral_simplex", "min_cost_denoiser", "obtuse_simplex", "rays", "subspace",
    "univariate", "univariate_cost", "univariate_intervals",
]
__version__ = "0.1.0"
