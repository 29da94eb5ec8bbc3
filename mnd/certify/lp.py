"""The 1D rho-ball problem as a linear program, independent of the closed forms.

``univariate_lp`` solves the 1D rho-ball problem

    minimise  integral |f''|   subject to  f = x_n on [x_n - rho, x_n + rho], n = 1..N

over continuous piecewise-linear ``f`` with knots on a grid, as a linear program (HiGHS).
With the free linear skip term, ``integral |f''|`` is the representation cost of ``f``
(Savarese et al. 2019); for a piecewise-linear ``f`` it is the total variation of its slope,
``sum_i |s_i - s_{i-1}|``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .._checks import as_finite_array, points_1d, positive_scalar



@dataclass(frozen=True)
class LPSolution:
    """Grid function found by :func:`univariate_lp`; call it to interpolate linearly."""

    grid: np.ndarray
    values: np.ndarray
    cost: float
    status: str

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """Piecewise-linear interpolation, extended linearly beyond the grid (cost-free)."""
        y = np.asarray(y, dtype=float)
        g, v = self.grid, self.values
        out = np.interp(y, g, v)
        left, right = y < g[0], y > g[-1]
        out[left] = v[0] + (y[left] - g[0]) * (v[1] - v[0]) / (g[1] - g[0])
        out[right] = v[-1] + (y[right] - g[-1]) * (v[-1] - v[-2]) / (g[-1] - g[-2])
        return out


def univariate_lp(
    x: object,
    rho: float,
    spacing: float = 0.01,
    pad: float | None = None,
    include_ball_ends: bool = True,
) -> LPSolution:
    """Solve the 1D rho-ball problem as an LP on a grid of step ``spacing``.

    Variables: values ``f_i`` on grid nodes ``t_0 < ... < t_G`` and ``z_i >= |s_i - s_{i-1}|``,
    ``s_i = (f_{i+1} - f_i)/(t_{i+1} - t_i)``; objective ``sum_i z_i``; ``f_i = x_n`` for every node
    in ``[x_n - rho, x_n + rho]``. The grid spans the balls plus ``pad`` (default ``rho + spacing``)
    each side. With ``include_ball_ends`` the ball endpoints are grid nodes; otherwise the grid is
    uniform and the optimum is accurate to ``O(spacing)``.

    Raises ``ValueError`` if the balls of two different points overlap (the LP is infeasible).
    """
    xa = points_1d(x, "x", 2)
    rho = positive_scalar(rho, "rho")
    spacing = positive_scalar(spacing, "spacing")
    if xa.size < 2:
        raise ValueError(f"need at least two clean points, got {xa.size}")
    if np.unique(xa).size != xa.size:
        raise ValueError("clean points must be distinct")
    pad = rho + spacing if pad is None else positive_scalar(pad, "pad")
    lo, hi = xa.min() - rho - pad, xa.max() + rho + pad
    n_nodes = int(np.ceil((hi - lo) / spacing)) + 1
    if n_nodes > 2_000_000:
        raise ValueError(f"grid of {n_nodes} nodes is too fine; increase spacing")
    grid = np.linspace(lo, hi, n_nodes)
    if include_ball_ends:
        ends = np.concatenate([xa - rho, xa + rho])
        # Drop uniform nodes within spacing/4 of a ball end (tiny cells make the LP ill-posed).
        near = np.min(np.abs(grid[:, None] - ends[None, :]), axis=1) < spacing / 4
        grid = np.unique(np.concatenate([grid[~near], ends]))
    G = grid.size
    # Fixed values on the balls (via variable bounds).
    fixed = np.full(G, np.nan)
    for xn in xa:
        inside = (grid >= xn - rho - 1e-12) & (grid <= xn + rho + 1e-12)
        clash = inside & ~np.isnan(fixed) & (fixed != xn)
        if np.any(clash):
            raise ValueError(
                f"balls of radius rho = {rho:g} overlap (clean points closer than 2*rho); "
                "no function can interpolate them"
            )
        if inside.sum() < 2:
            raise ValueError(
                f"grid spacing {spacing:g} too coarse: the ball around x = {xn:g} (rho = {rho:g}) "
                "holds fewer than two grid nodes; use spacing < rho or include_ball_ends=True"
            )
        fixed[inside] = xn
    # Slope-change operator D (G-2 x G): (D f)_i = s_{i+1} - s_i.
    inv_h = 1.0 / np.diff(grid)
    rows = np.repeat(np.arange(G - 2), 3)
    cols = (np.arange(G - 2)[:, None] + np.arange(3)).ravel()
    vals = np.stack([inv_h[:-1], -inv_h[:-1] - inv_h[1:], inv_h[1:]], axis=1).ravel()
    D = sp.csr_matrix((vals, (rows, cols)), shape=(G - 2, G))
    eye = sp.identity(G - 2, format="csr")
    A_ub = sp.vstack([sp.hstack([D, -eye]), sp.hstack([-D, -eye])], format="csr")
    b_ub = np.zeros(2 * (G - 2))
    cost = np.concatenate([np.zeros(G), np.ones(G - 2)])
    lower = np.concatenate([np.where(np.isnan(fixed), -np.inf, fixed), np.zeros(G - 2)])
    upper = np.concatenate([np.where(np.isnan(fixed), np.inf, fixed), np.full(G - 2, np.inf)])
    bounds = np.stack([lower, upper], axis=1)
    res = linprog(cost, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"LP solver failed: {res.message}")
    return LPSolution(grid=grid, values=res.x[:G], cost=float(res.fun), status=res.message)
