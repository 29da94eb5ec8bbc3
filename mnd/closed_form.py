"""Closed-form min-cost denoisers (numpy only). Each constructor validates its assumptions
and returns a :class:`~mnd.ramps.RampSum`; a violated assumption raises ``ValueError`` naming it.

Book sections: chapter 2 (univariate, Proposition 1), 3 (subspace), 4 (rays), 5 (simplices).
"""

from __future__ import annotations

import numpy as np

from ._checks import as_finite_array, positive_scalar
from .ramps import RampSum


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
    training in 1D (design notes, training.md). Points are sorted together with their intervals.
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


# ---------------------------------------------------------------------------------------------
# Multivariate closed forms (chapters 3-5). Every one is a ramp sum in the ambient space.
# ---------------------------------------------------------------------------------------------

def _points_nd(X: object, name: str = "X") -> np.ndarray:
    arr = as_finite_array(X, name)
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise ValueError(f"{name} must have shape (N, d) with N >= 2, got shape {arr.shape}")
    return arr


def _check_separation(X: np.ndarray, rho: float) -> None:
    """Balls ``B(x_n, rho)`` must be disjoint: every pairwise distance > 2 rho."""
    dist = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)
    np.fill_diagonal(dist, np.inf)
    i, j = np.unravel_index(np.argmin(dist), dist.shape)
    if dist[i, j] == 0:
        raise ValueError(f"clean points must be distinct: points {min(i, j)} and {max(i, j)} coincide")
    if dist[i, j] <= 2 * rho:
        raise ValueError(
            f"clean points closer than 2*rho: points {min(i, j)} and {max(i, j)} are {dist[i, j]:g} apart, "
            f"2*rho = {2 * rho:g}"
        )


def affine_basis(X: object, tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """Centroid ``xbar`` and orthonormal basis ``U`` (``d x r``) of the affine span of the rows of X.

    The rank ``r`` counts singular values of ``X - xbar`` above ``tol`` times the largest
    (relative tolerance, so the result does not depend on the data's scale).
    """
    X = _points_nd(X)
    xbar = X.mean(axis=0)
    _, s, Vt = np.linalg.svd(X - xbar, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        raise ValueError("all clean points coincide")
    r = int(np.sum(s > tol * s[0]))
    return xbar, Vt[:r].T


def lift(g: RampSum, xbar: np.ndarray, U: np.ndarray) -> RampSum:
    """``h(y) = xbar + U g(U^T (y - xbar))`` as a ramp sum in ``R^d`` (section "Subspace").

    A ramp of ``g`` with direction ``e`` and offsets ``s, t`` becomes direction ``U e`` with
    offsets ``s + (U e).xbar``, ``t + (U e).xbar`` and output ``U v``.
    """
    dirs = g.directions @ U.T
    shift = dirs @ xbar
    return RampSum(xbar + U @ g.c, dirs, g.outputs @ U.T, g.starts + shift, g.ends + shift)


def subspace(X: object, rho: float, tol: float = 1e-9) -> RampSum:
    """Min-cost denoiser of data in an affine subspace ``x_n = xbar + U z_n`` of dimension ``r < d``.

    ``h*(y) = xbar + U g*(U^T (y - xbar))`` with ``g*`` the min-cost denoiser of the ``z_n`` in
    ``R^r``: for ``r = 1`` Proposition 1 along the line; for ``r > 1`` whichever closed form of
    :func:`min_cost_denoiser` applies to the projected points. The rank is found by SVD with
    relative tolerance ``tol``. Raises ``ValueError`` if the data span all of ``R^d`` or no closed
    form is known for the projected configuration.
    """
    X = _points_nd(X)
    rho = positive_scalar(rho, "rho")
    xbar, U = affine_basis(X, tol)
    r, d = U.shape[1], X.shape[1]
    Z = (X - xbar) @ U
    if r == 1:
        return lift(univariate(Z[:, 0], rho), xbar, U)
    if r >= d:
        raise ValueError(f"the data span all of R^{d} (affine rank {r}); the subspace reduction needs rank < d")
    try:
        g = min_cost_denoiser(Z, rho, tol=tol)
    except ValueError as exc:
        raise ValueError(f"no closed form is known for these {X.shape[0]} points in a {r}-dimensional subspace: {exc}") from exc
    return lift(g, xbar, U)


def _group_rays(V: np.ndarray, angle_tol: float) -> tuple[list[np.ndarray], np.ndarray]:
    """Group nonzero vectors by direction (angle below ``angle_tol`` radians). Returns the member
    indices of each ray and the ray directions (of each ray's nearest member)."""
    t = np.linalg.norm(V, axis=1)
    U = V / t[:, None]
    groups: list[list[int]] = []
    dirs: list[np.ndarray] = []
    for i in np.argsort(t):
        for g, u in zip(groups, dirs):
            if np.arccos(np.clip(U[i] @ u, -1, 1)) < angle_tol:
                g.append(i)
                break
        else:
            groups.append([i])
            dirs.append(U[i])
    return [np.array(g) for g in groups], np.array(dirs)


def rays(X: object, rho: float, apex: int = 0, angle_tol: float = 1e-6) -> RampSum:
    """Min-cost denoiser of points on rays from the apex ``x_0 = X[apex]`` meeting at >= 90 degrees.

    ``h*(y) = x_0 + sum_j u_j f_j(u_j . (y - x_0))`` with ``f_j`` the Proposition 1 denoiser of the
    offsets ``{0, t_j1, t_j2, ...}`` of the points on ray ``j``. Points are grouped into rays when
    their directions from the apex differ by less than ``angle_tol`` radians (default 1e-6).
    Checks: the apex is a valid index, no other point equals it, every pair of rays meets at 90
    degrees or more (up to ``angle_tol``), points along each ray and across rays are more than
    ``2 rho`` apart.
    """
    X = _points_nd(X)
    rho = positive_scalar(rho, "rho")
    N = X.shape[0]
    if isinstance(apex, bool) or not isinstance(apex, (int, np.integer)) or not -N <= apex < N:
        raise ValueError(f"apex must be an index of a clean point (0..{N - 1}), got {apex!r}")
    apex = int(apex) % N
    x0 = X[apex]
    others = np.delete(np.arange(N), apex)
    V = X[others] - x0
    if np.any(np.linalg.norm(V, axis=1) == 0):
        raise ValueError("clean points must be distinct: a point coincides with the apex")
    groups, U = _group_rays(V, angle_tol)
    cos = U @ U.T
    for i in range(len(U)):
        for j in range(i + 1, len(U)):
            angle = np.degrees(np.arccos(np.clip(cos[i, j], -1, 1)))
            if angle < 90 - np.degrees(angle_tol):
                raise ValueError(
                    f"rays {i} and {j} meet at {angle:.1f} degrees; the closed form needs at least 90"
                )
    ramps = []
    for j, members in enumerate(groups):
        t = V[members] @ U[j]
        offsets = np.concatenate([[0.0], np.sort(t)])
        gaps = np.diff(offsets)
        if np.min(gaps) <= 2 * rho:
            k = int(np.argmin(gaps))
            raise ValueError(
                f"clean points closer than 2*rho along ray {j}: offsets {offsets[k]:g} and "
                f"{offsets[k + 1]:g} from the apex are {gaps[k]:g} apart, 2*rho = {2 * rho:g}"
            )
        f = univariate(offsets, rho)
        ramps.append(lift(f, x0, U[j][:, None]))
    _check_separation(X, rho)
    c = x0
    return RampSum(
        c,
        np.concatenate([r.directions for r in ramps]),
        np.concatenate([r.outputs for r in ramps]),
        np.concatenate([r.starts for r in ramps]),
        np.concatenate([r.ends for r in ramps]),
    )


def _check_affinely_independent(X: np.ndarray, tol: float) -> None:
    N, d = X.shape
    if N - 1 > d:
        raise ValueError(f"{N} points in R^{d} cannot be affinely independent (a simplex needs N <= d + 1)")
    E = X[1:] - X[0]
    s = np.linalg.svd(E, compute_uv=False)
    if s[-1] <= tol * s[0]:
        raise ValueError(
            f"degenerate simplex: the points are affinely dependent (smallest/largest singular value "
            f"of the edges {s[-1] / s[0]:.2e})"
        )


def obtuse_vertex(X: object, angle_tol: float = 1e-6) -> int | None:
    """Index of the vertex where every pair of edges meets at >= 90 degrees, or None. Unique if it
    exists (two such vertices would give a triangle with two non-acute angles)."""
    X = _points_nd(X)
    for a in range(X.shape[0]):
        E = np.delete(X, a, axis=0) - X[a]
        E = E / np.linalg.norm(E, axis=1, keepdims=True)
        G = E @ E.T
        np.fill_diagonal(G, -1.0)
        if G.max() <= np.sin(angle_tol):
            return a
    return None


def obtuse_simplex(X: object, rho: float, apex: int | None = None, tol: float = 1e-9) -> RampSum:
    """Min-cost denoiser of a simplex with a vertex ``x_0`` where all edge pairs meet at >= 90 degrees.

    ``h*(y) = x_0 + sum_n (x_n - x_0) clip((u_n.(y - x_0) - rho) / (L_n - 2 rho))``,
    ``L_n = |x_n - x_0|``, ``u_n = (x_n - x_0)/L_n``; cost ``sum_n 2 L_n/(L_n - 2 rho)``. The rays
    case with one point per ray. ``apex=None`` finds the vertex.
    """
    X = _points_nd(X)
    rho = positive_scalar(rho, "rho")
    _check_affinely_independent(X, tol)
    if apex is None:
        apex = obtuse_vertex(X)
        if apex is None:
            raise ValueError(
                "no obtuse vertex: no vertex where every pair of edges meets at 90 degrees or more "
                "(smallest angle between two edges at each vertex: "
                f"{', '.join(f'{a:.1f}' for a in _vertex_min_angles(X))} degrees)"
            )
    return rays(X, rho, apex=apex)


def _vertex_min_angles(X: np.ndarray) -> list[float]:
    out = []
    for a in range(X.shape[0]):
        E = np.delete(X, a, axis=0) - X[a]
        E = E / np.linalg.norm(E, axis=1, keepdims=True)
        G = E @ E.T
        np.fill_diagonal(G, -1.0)
        out.append(float(np.degrees(np.arccos(np.clip(G.max(), -1, 1)))))
    return out


def equilateral_simplex(X: object, rho: float, tol: float = 1e-6) -> RampSum:
    """Min-cost denoiser of a regular simplex (all edges equal up to relative ``tol``).

    With centroid ``xbar``, circumradius ``Rc`` and ``v_n = (x_n - xbar)/Rc``:
    ``h*(y) = xbar + sum_n (x_n - xbar) clip((v_n.(y - xbar) + Rc/(N-1) - rho) / (N Rc/(N-1) - 2 rho))``,
    cost ``2 N Rc / (N Rc/(N-1) - 2 rho)``. Needs ``2 rho < N Rc/(N-1)``. Bend hyperplanes are
    orthogonal to ``v_n``, i.e. parallel to the face opposite each vertex.
    """
    X = _points_nd(X)
    rho = positive_scalar(rho, "rho")
    N = X.shape[0]
    if N < 3:
        raise ValueError("an equilateral simplex needs N >= 3 points (N = 2 is the univariate case)")
    _check_affinely_independent(X, 1e-9)
    dist = np.linalg.norm(X[:, None] - X[None], axis=-1)[np.triu_indices(N, 1)]
    if dist.max() > (1 + tol) * dist.min():
        raise ValueError(
            f"unequal edges: longest/shortest = {dist.max() / dist.min():.6g} exceeds 1 + tol = {1 + tol:.9g}"
        )
    xbar = X.mean(axis=0)
    radii = np.linalg.norm(X - xbar, axis=1)
    Rc = radii.mean()
    width = N * Rc / (N - 1) - 2 * rho
    if width <= 0:
        raise ValueError(
            f"rho too large: the equilateral closed form needs 2*rho < N*Rc/(N-1) = {N * Rc / (N - 1):g}, "
            f"got 2*rho = {2 * rho:g}"
        )
    _check_separation(X, rho)
    V = (X - xbar) / radii[:, None]
    starts = V @ xbar - Rc / (N - 1) + rho
    return RampSum(xbar, V, X - xbar, starts, starts + width)


def min_cost_denoiser(X: object, rho: float, tol: float = 1e-9) -> RampSum:
    """The closed-form min-cost denoiser that applies to ``X``, or ``ValueError`` listing what was
    tried and why each did not apply. Order: univariate (``X`` of shape ``(N,)`` or ``d = 1``),
    subspace (affine rank below ``d``), obtuse simplex, equilateral simplex, rays (every apex)."""
    arr = as_finite_array(X, "X")
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1):
        return univariate(arr.reshape(-1), rho)
    X = _points_nd(arr)
    rho = positive_scalar(rho, "rho")
    reasons = []
    xbar, U = affine_basis(X, tol)
    if U.shape[1] < X.shape[1]:
        try:
            return subspace(X, rho, tol)
        except ValueError as exc:
            reasons.append(f"subspace: {exc}")
    else:
        reasons.append(f"subspace: the data span all of R^{X.shape[1]}")
    for name, build in (("obtuse simplex", lambda: obtuse_simplex(X, rho, tol=tol)),
                        ("equilateral simplex", lambda: equilateral_simplex(X, rho))):
        try:
            return build()
        except ValueError as exc:
            reasons.append(f"{name}: {exc}")
    ray_reasons = []
    for a in range(X.shape[0]):
        try:
            return rays(X, rho, apex=a)
        except ValueError as exc:
            ray_reasons.append(f"apex {a}: {exc}")
    reasons.append("rays: " + "; ".join(ray_reasons))
    raise ValueError("no closed form applies to these points. Tried " + " | ".join(reasons))
