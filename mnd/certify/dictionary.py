"""Dictionaries of ReLU units for the conic program: grids of directions, constraint points on
the balls, and the units whose hyperplanes touch the balls (tangent) or sit on a grid of offsets.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_finite_array, points_2d, positive_int, positive_scalar


# ---------------------------------------------------------------------------------------------
# Grids of directions and constraint points
# ---------------------------------------------------------------------------------------------

def direction_grid(d: int, n: int) -> np.ndarray:
    """``n`` unit vectors spread over the circle (``d = 2``: angles ``(j + 1/2) 2 pi / n``) or the
    sphere (``d = 3``: Fibonacci lattice). Shape ``(n, d)``."""
    n = positive_int(n, "n")
    if isinstance(d, bool) or d not in (2, 3):
        raise ValueError(f"direction grids exist for d = 2 or 3 only: d must be 2 or 3, got {d!r}")
    if d == 2:
        phi = 2 * np.pi * (np.arange(n) + 0.5) / n
        return np.column_stack([np.cos(phi), np.sin(phi)])
    if d == 3:
        k = np.arange(n) + 0.5
        z = 1 - 2 * k / n
        r = np.sqrt(np.maximum(0.0, 1 - z * z))
        phi = np.pi * (1 + 5**0.5) * k
        return np.column_stack([r * np.cos(phi), r * np.sin(phi), z])
    raise ValueError(f"direction grids exist for d = 2 or 3, got d = {d}")


def _sphere_points(d: int, m: int) -> np.ndarray:
    """``m`` points on the unit circle / sphere (equally spaced angles / Fibonacci lattice)."""
    return direction_grid(d, m)


def tangent_points(X: np.ndarray, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Each ball's centre and the ``2 d`` points ``x_n +- rho e_i``: ``2 d + 1`` affinely spanning
    points per ball, enough when every unit is affine on every ball. Returns points and targets."""
    X = points_2d(X, "X")
    rho = positive_scalar(rho, "rho")
    N, d = X.shape
    P = np.concatenate([np.zeros((1, d)), rho * np.eye(d), -rho * np.eye(d)])
    return (X[:, None, :] + P[None]).reshape(-1, d), np.repeat(X, len(P), axis=0)


def sampled_points(X: np.ndarray, rho: float, n_boundary: int, n_interior: int) -> tuple[np.ndarray, np.ndarray]:
    """``n_boundary`` points on each sphere, its centre and ``n_interior`` points at radius
    ``rho / 2`` (deterministic grids). Returns points and targets."""
    N, d = X.shape
    parts = [rho * _sphere_points(d, n_boundary), np.zeros((1, d))]
    if n_interior:
        parts.append(0.5 * rho * _sphere_points(d, n_interior))
    P = np.concatenate(parts)
    return (X[:, None, :] + P[None]).reshape(-1, d), np.repeat(X, len(P), axis=0)


# ---------------------------------------------------------------------------------------------
# Dictionaries
# ---------------------------------------------------------------------------------------------

def _cut_margin(X: np.ndarray, rho: float, Wd: np.ndarray, n: int, s: float) -> np.ndarray:
    """For the hyperplane ``w . y = w . x_n + s rho`` (touching ball n): ``|w.(x_m - x_n) - s rho| - rho``
    per direction and ball ``m != n``, shape ``(G, N - 1)``: negative where it cuts ball ``m``."""
    D = np.delete(X, n, axis=0) - X[n]
    return np.abs(Wd @ D.T - s * rho) - rho


def tangent_units(X: np.ndarray, rho: float, Wd: np.ndarray, tol: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """Units ``[w . y + b]_+`` whose hyperplane touches a ball and cuts none, for each direction of
    ``Wd``; units that vanish on every ball or are affine on every ball are left out (they add
    nothing that ``V``, ``c`` cannot). Returns ``W (K, d)``, ``b (K,)``."""
    N = X.shape[0]
    proj = Wd @ X.T  # (G, N)
    scale = tol * max(1.0, float(np.abs(X).max()), rho)
    Ws, bs = [], []
    for n in range(N):
        for s in (1.0, -1.0):
            t = proj[:, n] + s * rho
            ok = np.all(_cut_margin(X, rho, Wd, n, s) >= -scale, axis=1)
            # ball m lies on the positive side if w.x_m - rho >= t; trivial if all or none do
            above = (proj - rho >= t[:, None] - scale).sum(axis=1)
            ok &= (above > 0) & (above < N)
            Ws.append(Wd[ok])
            bs.append(-t[ok])
    W, b = np.concatenate(Ws), np.concatenate(bs)
    # A hyperplane touching two balls appears twice: keep one copy.
    key = np.round(np.column_stack([W, b]) / (1e3 * scale), 0)
    _, first = np.unique(key, axis=0, return_index=True)
    first = np.sort(first)
    return W[first], b[first]


def multitangent_directions(X: np.ndarray, rho: float) -> np.ndarray:
    """Unit directions ``w`` whose hyperplanes ``w . y = t`` touch ``d`` balls at once (``N >= d``).

    For balls ``n`` in a subset of size ``d`` and sides ``s_n = +-1``, solve
    ``w . x_n + s_n rho = t`` for all ``n`` with ``|w| = 1``: ``d - 1`` linear equations
    ``w . (x_n - x_0) = (s_0 - s_n) rho`` leave a line of solutions, which meets the sphere in at
    most two points. In 2D these are the outer and inner common tangents of every pair of balls.
    Why they matter: along the other directions the dual function of the certificate is smooth
    where it peaks, so a grid finds its maxima; where a touching hyperplane starts to cut a second
    ball it may peak at a corner (the regular simplex's optimal directions are of this kind), and
    no grid hits a corner exactly. Returns ``(M, d)`` (possibly empty).
    """
    from itertools import combinations, product

    N, d = X.shape
    out = []
    if N < d:
        return np.zeros((0, d))
    for S in combinations(range(N), d):
        P = X[list(S)]
        E = P[1:] - P[0]  # (d - 1, d)
        _, sv, Vt = np.linalg.svd(E)
        if sv.size and sv[-1] <= 1e-12 * sv[0]:
            continue
        null = Vt[-1]
        for signs in product((1.0, -1.0), repeat=d):
            rhs = (signs[0] - np.array(signs[1:])) * rho
            wp = np.linalg.lstsq(E, rhs, rcond=None)[0] if d > 1 else np.zeros(d)
            wp = wp - (wp @ null) * null
            r2 = 1.0 - wp @ wp
            if r2 < 0:
                continue
            for sgn in (1.0, -1.0):
                out.append(wp + sgn * np.sqrt(r2) * null)
    if not out:
        return np.zeros((0, d))
    W = np.array(out)
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    _, first = np.unique(np.round(W, 12), axis=0, return_index=True)  # equal sides repeat
    return W[np.sort(first)]


def grid_units(Y: np.ndarray, Wd: np.ndarray, n_offsets: int) -> tuple[np.ndarray, np.ndarray]:
    """``n_offsets`` equally spaced kinks per direction strictly inside the range of ``w . y_i``
    over the constraint points. Returns ``W (K, d)``, ``b (K,)``."""
    proj = Y @ Wd.T  # (n, G)
    lo, hi = proj.min(axis=0), proj.max(axis=0)
    frac = (np.arange(n_offsets) + 0.5) / n_offsets
    t = lo[:, None] + (hi - lo)[:, None] * frac[None, :]  # (G, n_offsets)
    return np.repeat(Wd, n_offsets, axis=0), -t.ravel()


def _normalise_units(units: object, d: int) -> tuple[np.ndarray, np.ndarray]:
    """``extra_units`` (a network: ReluNet, RampSum, ...; or a tuple ``(W, b)``) as unit-norm
    ``(W, b)``: ``[w.y + b]_+ = |w| [w.y/|w| + b/|w|]_+``."""
    if hasattr(units, "to_relu_net"):
        net = units.to_relu_net()
        units = (net.W, net.b)
    if not isinstance(units, (tuple, list)) or len(units) not in (2, 3):
        raise TypeError("extra_units must be a network (ReluNet, RampSum) or a tuple (W, b)")
    W = as_finite_array(units[0], "extra_units W")
    b = as_finite_array(units[1], "extra_units b").reshape(-1)
    if W.ndim != 2 or W.shape[1] != d or b.shape != (W.shape[0],):
        raise ValueError(f"extra_units W must have shape (K, {d}) and b shape (K,), got {W.shape} and {b.shape}")
    nw = np.linalg.norm(W, axis=1)
    if np.any(nw == 0):
        raise ValueError("extra_units: every unit needs a non-zero direction w")
    return W / nw[:, None], b / nw


