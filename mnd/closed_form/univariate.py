"""Proposition 1: the min-cost denoiser of univariate data.

For sorted points ``x_1 < ... < x_N`` with gaps ``D_n = x_{n+1} - x_n > 2 rho`` the min-cost
interpolant of the intervals ``[x_n - rho, x_n + rho]`` is constant on each interval and linear
between neighbouring intervals:

    h(y) = x_1 + sum_n D_n clip((y - x_n - rho) / (D_n - 2 rho), 0, 1),

a ramp sum with one ramp per gap and cost ``R = sum_n 2 D_n / (D_n - 2 rho)``.
"""

from __future__ import annotations

import numpy as np

from .._checks import fraction, points_1d, positive_scalar
from ..ramps import RampSum


def _sorted_distinct_1d(x: object, name: str = "x") -> np.ndarray:
    """Sorted copy of univariate clean points; checks count, shape and distinctness."""
    xs = np.sort(points_1d(x, name, 2))
    dup = np.flatnonzero(xs[1:] == xs[:-1])
    if dup.size:
        raise ValueError(f"clean points must be distinct: x = {xs[dup[0]]:g} appears more than once")
    return xs


def _gaps(xs: np.ndarray, name: str = "x") -> np.ndarray:
    """Gaps of sorted points; ``ValueError`` if a gap overflows (points near +-1e308)."""
    with np.errstate(over="ignore"):
        gaps = np.diff(xs)
    if not np.all(np.isfinite(gaps)):
        raise ValueError(f"{name} spans more than the largest float: the gaps between points overflow")
    return gaps


def univariate_intervals(x: object, lo: object, hi: object) -> RampSum:
    """Min-cost 1D interpolant that equals ``x_n`` on ``[lo_n, hi_n]`` (plateaus in order).

    ``f(y) = x_1 + sum_{n<N} (x_{n+1} - x_n) clip((y - hi_n) / (lo_{n+1} - hi_n))``, cost
    ``sum_n 2 |x_{n+1} - x_n| / (lo_{n+1} - hi_n)``. With ``lo = x - rho``, ``hi = x + rho`` this is
    Proposition 1; with the hull of each point's noisy samples it is the exact target of offline
    training in 1D. Points are sorted together with their intervals.
    """
    xa = points_1d(x, "x", 2)
    lo_a = points_1d(lo, "lo", 2)
    hi_a = points_1d(hi, "hi", 2)
    if not (xa.size == lo_a.size == hi_a.size):
        raise ValueError(f"x, lo, hi must have the same length, got {xa.size}, {lo_a.size}, {hi_a.size}")
    order = np.argsort(lo_a, kind="stable")
    xs, los, his = xa[order], lo_a[order], hi_a[order]
    if xs.size < 2:
        raise ValueError(f"need at least two clean points, got {xs.size}")
    if np.any(his < los):
        n = int(np.argmax(his < los))
        raise ValueError(f"interval {n} is empty: lo = {los[n]:g} > hi = {his[n]:g}")
    _gaps(xs)
    with np.errstate(over="ignore"):
        gaps = los[1:] - his[:-1]
    if not np.all(np.isfinite(gaps)):
        raise ValueError("the intervals span more than the largest float: their gaps overflow")
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
    gaps = _gaps(xs)
    n = int(np.argmin(gaps))
    if 2 * rho >= gaps[n]:
        raise ValueError(
            f"clean points closer than 2*rho: gap {gaps[n]:g} between x = {xs[n]:g} and "
            f"x = {xs[n + 1]:g}, but 2*rho = {2 * rho:g} (Proposition 1 needs 2*rho < every gap)"
        )
    return univariate_intervals(xs, xs - rho, xs + rho)


def univariate_cost(x: object, rho: float) -> float:
    """``R(f*) = sum_n 2 D_n / (D_n - 2 rho) = sum_n 2 / (1 - 2 rho / D_n)`` (Proposition 1),
    computed from the gaps, so it is exact far from the origin (points at 1e16 whose ramp ends
    cannot be represented) and cannot overflow while the gaps are finite."""
    xs = _sorted_distinct_1d(x, "x")
    rho = positive_scalar(rho, "rho")
    gaps = _gaps(xs)
    if np.any(2 * rho >= gaps):
        n = int(np.argmin(gaps))
        raise ValueError(f"clean points closer than 2*rho: gap {gaps[n]:g}, 2*rho = {2 * rho:g}")
    return float(np.sum(2.0 / (1.0 - 2.0 * rho / gaps)))




def capped_radii(x_train: object, rho: float, kappa: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted points and per-side radii ``(x, r_minus, r_plus)`` with every radius at most ``rho``
    and at most ``kappa`` times the half-gap to the neighbour on that side (outer sides: ``rho``).

    Raises ``ValueError`` unless ``0 < kappa < 1``, ``rho > 0`` and the points are distinct
    (at least two).
    """
    x = np.sort(points_1d(x_train, "x_train", 2))
    if np.any(np.diff(x) == 0):
        raise ValueError("training points must be distinct")
    rho = positive_scalar(rho, "rho")
    kappa = fraction(kappa, "kappa", low_open=True)  # in (0, 1): the ramp needs a positive length
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

