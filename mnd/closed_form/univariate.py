"""Proposition 1: the min-cost denoiser of univariate data.

For sorted points ``x_1 < ... < x_N`` with gaps ``D_n = x_{n+1} - x_n > 2 rho`` the min-cost
interpolant of the intervals ``[x_n - rho, x_n + rho]`` is constant on each interval and linear
between neighbouring intervals:

    h(y) = x_1 + sum_n D_n clip((y - x_n - rho) / (D_n - 2 rho), 0, 1),

a ramp sum with one ramp per gap and cost ``R = sum_n 2 D_n / (D_n - 2 rho)``.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_finite_array, positive_scalar
from ..ramps import RampSum


def _sorted_distinct_1d(x: object) -> np.ndarray:
    """Sorted copy of univariate clean points; checks count, shape and distinctness."""
    arr = as_finite_array(x, "x")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"univariate clean points must have shape (N,), got shape {arr.shape}")
    if arr.size < 2:
        raise ValueError(f"need at least two clean points, got {arr.size}")
    xs = np.sort(arr)
    dup = np.flatnonzero(np.diff(xs) == 0)
    if dup.size:
        raise ValueError(f"clean points must be distinct: x = {xs[dup[0]]:g} appears more than once")
    return xs


def univariate_intervals(x: object, lo: object, hi: object) -> RampSum:
    """Min-cost 1D interpolant that equals ``x_n`` on ``[lo_n, hi_n]`` (plateaus in order).

    ``f(y) = x_1 + sum_{n<N} (x_{n+1} - x_n) clip((y - hi_n) / (lo_{n+1} - hi_n))``, cost
    ``sum_n 2 |x_{n+1} - x_n| / (lo_{n+1} - hi_n)``. With ``lo = x - rho``, ``hi = x + rho`` this is
    Proposition 1; with the hull of each point's noisy samples it is the exact target of offline
    training in 1D. Points are sorted together with their intervals.
    """
    xa = as_finite_array(x, "x").reshape(-1)
    lo_a = as_finite_array(lo, "lo").reshape(-1)
    hi_a = as_finite_array(hi, "hi").reshape(-1)
    if not (xa.size == lo_a.size == hi_a.size):
        raise ValueError(f"x, lo, hi must have the same length, got {xa.size}, {lo_a.size}, {hi_a.size}")
    order = np.argsort(lo_a, kind="stable")
    xs, los, his = xa[order], lo_a[order], hi_a[order]
    if xs.size < 2:
        raise ValueError(f"need at least two clean points, got {xs.size}")
    if np.any(his < los):
        n = int(np.argmax(his < los))
        raise ValueError(f"interval {n} is empty: lo = {los[n]:g} > hi = {his[n]:g}")
    gaps = los[1:] - his[:-1]
    if np.any(gaps <= 0):
        n = int(np.argmax(gaps <= 0))
        raise ValueError(
            f"intervals overlap or touch: [{los[n]:g}, {his[n]:g}] and [{los[n + 1]:g}, {his[n + 1]:g}]"
        )
    jumps = np.diff(xs)
    keep = jumps != 0  # equal consecutive targets need no ramp
    return RampSum(
        c=[xs[0]],
        directions=np.ones((int(keep.sum()), 1)),
        outputs=jumps[keep][:, None],
        starts=his[:-1][keep],
        ends=los[1:][keep],
    )


def univariate(x: object, rho: float) -> RampSum:
    """Proposition 1: the unique min-cost denoiser of sorted points ``x_1 < ... < x_N`` in 1D.

    With gaps ``D_n = x_{n+1} - x_n > 2 rho``:
    ``f*(y) = x_1 + sum_{n<N} D_n clip((y - x_n - rho) / (D_n - 2 rho))``,
    flat at ``x_n`` on ``[x_n - rho, x_n + rho]``, constant beyond the ends, cost
    ``R = sum_n 2 D_n / (D_n - 2 rho)``. Unsorted distinct input is sorted.
    """
    xs = _sorted_distinct_1d(x)
    rho = positive_scalar(rho, "rho")
    gaps = np.diff(xs)
    n = int(np.argmin(gaps))
    if 2 * rho >= gaps[n]:
        raise ValueError(
            f"clean points closer than 2*rho: gap {gaps[n]:g} between x = {xs[n]:g} and "
            f"x = {xs[n + 1]:g}, but 2*rho = {2 * rho:g} (Proposition 1 needs 2*rho < every gap)"
        )
    return univariate_intervals(xs, xs - rho, xs + rho)


def univariate_cost(x: object, rho: float) -> float:
    """``R(f*) = sum_n 2 D_n / (D_n - 2 rho)``, computed directly from the gaps (Proposition 1)."""
    return univariate(x, rho).representation_cost()




def capped_radii(x_train: object, rho: float, kappa: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted points and per-side radii ``(x, r_minus, r_plus)`` with every radius at most ``rho``
    and at most ``kappa`` times the half-gap to the neighbour on that side (outer sides: ``rho``).

    Raises ``ValueError`` unless ``0 < kappa < 1``, ``rho > 0`` and the points are distinct
    (at least two).
    """
    x = as_finite_array(x_train, "x_train").reshape(-1)
    if x.size < 2:
        raise ValueError(f"need at least two training points, got {x.size}")
    x = np.sort(x)
    if np.any(np.diff(x) == 0):
        raise ValueError("training points must be distinct")
    rho = positive_scalar(rho, "rho")
    kappa = positive_scalar(kappa, "kappa")
    if kappa >= 1:
        raise ValueError(f"kappa must be < 1 (the ramp needs a positive length), got {kappa}")
    half = kappa * np.diff(x) / 2
    r_minus = np.minimum(rho, np.concatenate([[np.inf], half]))
    r_plus = np.minimum(rho, np.concatenate([half, [np.inf]]))
    return x, r_minus, r_plus


def capped_min_cost_denoiser(x_train: object, rho: float, kappa: float = 0.5) -> RampSum:
    """Min-cost 1D denoiser of the training points with radius ``rho``, capped where balls would
    overlap (module docstring). Equal to :func:`mnd.univariate` ``(x_train, rho)`` whenever
    ``2 rho <= kappa * min gap``; cost ``sum_n 2 D_n / (D_n - r_n^+ - r_{n+1}^-)``.
    """
    x, rm, rp = capped_radii(x_train, rho, kappa)
    return univariate_intervals(x, x - rm, x + rp)

