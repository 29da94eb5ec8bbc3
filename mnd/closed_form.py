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


def affine_basis(X: object, tol: float = 1e-7) -> tuple[np.ndarray, np.ndarray]:
    """Centroid ``xbar`` and orthonormal basis ``U`` (``d x r``) of the affine span of the rows of X.

    The rank ``r`` counts singular values of ``X - xbar`` above ``tol`` times the largest
    (relative tolerance, so the result does not depend on the data's scale): points within a
    relative distance of about ``tol`` of a line count as collinear (default 1e-7: rounding
    errors, or coordinates typed to seven digits, do not make collinear data two-dimensional;
    the lifted closed form then interpolates up to that deviation).
    """
    X = _points_nd(X)
    tol = positive_scalar(tol, "tol")
    xbar = X.mean(axis=0)
    _, s, Vt = np.linalg.svd(X - xbar, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        raise ValueError("all clean points coincide")
    r = int(np.sum(s > tol * s[0]))
    return xbar, Vt[:r].T


def lift(g: RampSum, xbar: np.ndarray, U: np.ndarray) -> RampSum:
    """``h(y) = xbar + U g(U^T (y - xbar))`` as a ramp sum in ``R^d`` (section "Subspace").

    A ramp of ``g`` with direction ``e`` and offsets ``s, t`` becomes direction ``U e`` with
    offsets ``s + (U e).xbar``, ``t + (U e).xbar`` and output ``U v``. ``U`` (``d x r``) must have
    orthonormal columns, so ``|U e| = 1``, ``|U v| = |v|`` and the cost is unchanged. The result
    takes points of shape ``(n, d)``, also for ``d = 1``.
    """
    xbar = as_finite_array(xbar, "xbar").reshape(-1)
    U = as_finite_array(U, "U")
    if U.ndim != 2 or U.shape != (xbar.size, g.d):
        raise ValueError(f"U must have shape (d, r) = ({xbar.size}, {g.d}), got {U.shape}")
    if not np.allclose(U.T @ U, np.eye(g.d), atol=1e-8):
        raise ValueError("the columns of U must be orthonormal")
    dirs = g.directions @ U.T
    shift = dirs @ xbar
    return RampSum(xbar + U @ g.c, dirs, g.outputs @ U.T, g.starts + shift, g.ends + shift, scalar=False)


def subspace(X: object, rho: float, tol: float = 1e-7) -> RampSum:
    """Min-cost denoiser of data in an affine subspace ``x_n = xbar + U z_n`` of dimension ``r < d``.

    ``h*(y) = xbar + U g*(U^T (y - xbar))`` with ``g*`` the min-cost denoiser of the ``z_n`` in
    ``R^r``: for ``r = 1`` (collinear data) Proposition 1 along the line,
    ``h*(y) = xbar + u f*(u . (y - xbar))``; for ``r > 1`` whichever closed form of
    :func:`min_cost_denoiser` applies to the projected points (rays or a simplex inside the
    subspace). The rank is found by SVD with relative tolerance ``tol`` (:func:`affine_basis`).
    Raises ``ValueError`` if the data span all of ``R^d`` (``d > 1``), if two points are closer
    than ``2 rho``, or if no closed form is known for the projected configuration.
    """
    X = _points_nd(X)
    rho = positive_scalar(rho, "rho")
    xbar, U = affine_basis(X, tol)
    r, d = U.shape[1], X.shape[1]
    Z = (X - xbar) @ U
    if r == 1:
        try:
            g = univariate(Z[:, 0], rho)
        except ValueError as exc:
            raise ValueError(f"collinear data, along their line: {exc}") from exc
        return lift(g, xbar, U)
    if r >= d:
        raise ValueError(
            f"the data span all of R^{d} (affine rank {r}); the subspace reduction needs rank < d"
        )
    try:
        g = min_cost_denoiser(Z, rho, tol=tol)
    except ValueError as exc:
        raise ValueError(
            f"no closed form is known for these {X.shape[0]} points in a {r}-dimensional affine "
            f"subspace of R^{d}: {exc}"
        ) from exc
    return lift(g, xbar, U)


def _group_rays(V: np.ndarray, angle_tol: float) -> tuple[list[np.ndarray], np.ndarray]:
    """Group non-zero vectors (offsets from the apex) into rays.

    Vectors are visited by increasing length; each joins the first ray whose direction is within
    ``angle_tol`` radians of its own (angle computed as ``2 arcsin(|u - u'|/2)``, accurate for
    small angles), else starts a new ray. Rays are then numbered by their first member in the
    order of ``V``; each ray's direction is the least-squares fit (top singular vector) of its
    members. Returns the member indices of each ray (sorted by length) and the unit directions.
    """
    t = np.linalg.norm(V, axis=1)
    Uv = V / t[:, None]
    groups: list[list[int]] = []
    for i in np.argsort(t, kind="stable"):
        for g in groups:
            if 2 * np.arcsin(min(1.0, np.linalg.norm(Uv[i] - Uv[g[0]]) / 2)) < angle_tol:
                g.append(int(i))
                break
        else:
            groups.append([int(i)])
    groups.sort(key=min)
    dirs = []
    for g in groups:
        _, _, Vt = np.linalg.svd(V[g], full_matrices=False)
        u = Vt[0] if Vt[0] @ Uv[g[0]] > 0 else -Vt[0]
        dirs.append(u / np.linalg.norm(u))
    return [np.array(g) for g in groups], np.array(dirs)


def _fmt_angle(angle: float) -> str:
    """Degrees with one decimal, more when one decimal would round an acute angle to 90."""
    return f"{angle:.1f}" if angle < 89.95 else f"{angle:.6f}"


def _ray_structure(
    X: np.ndarray, apex: object, angle_tol: float, check_angles: bool
) -> tuple[int, list[np.ndarray], np.ndarray, list[np.ndarray]]:
    """Apex index, members of each ray (indices into ``X``, by distance), unit directions ``(J, d)``
    and offsets ``t`` of the members along their ray. Checks the apex index, distinctness from
    the apex and (if ``check_angles``) that every pair of rays meets at >= 90 degrees."""
    N = X.shape[0]
    if isinstance(apex, bool) or not isinstance(apex, (int, np.integer)) or not -N <= apex < N:
        raise ValueError(f"apex must be an index of a clean point (-{N}..{N - 1}), got {apex!r}")
    apex = int(apex) % N
    x0 = X[apex]
    others = np.delete(np.arange(N), apex)
    V = X[others] - x0
    zero = np.flatnonzero(np.linalg.norm(V, axis=1) == 0)
    if zero.size:
        raise ValueError(
            f"clean points must be distinct: point {others[zero[0]]} coincides with the apex (point {apex})"
        )
    groups, U = _group_rays(V, angle_tol)
    members = [others[g] for g in groups]

    def pts(j: int) -> str:
        return "point " + str(members[j][0]) if len(members[j]) == 1 else "points " + ", ".join(map(str, members[j]))

    if check_angles and len(U) > 1:
        cos = U @ U.T
        np.fill_diagonal(cos, -np.inf)
        i, j = sorted(np.unravel_index(np.argmax(cos), cos.shape))
        if cos[i, j] > np.sin(angle_tol):
            angle = float(np.degrees(np.arccos(np.clip(cos[i, j], -1, 1))))
            hint = (f"; if they are meant to be one ray, raise angle_tol above {np.radians(angle):.1e} radians"
                    if angle < 1.0 else "")
            raise ValueError(
                f"rays {i} and {j} meet at {_fmt_angle(angle)} degrees; the closed form needs at least 90 "
                f"(ray {i} holds {pts(i)}, ray {j} holds {pts(j)}; apex = point {apex}){hint}"
            )
    offsets = [V[g] @ U[j] for j, g in enumerate(groups)]  # increasing: g is sorted by distance
    return apex, members, U, offsets


def rays(
    X: object, rho: float, apex: int = 0, angle_tol: float = 1e-6, check_angles: bool = True
) -> RampSum:
    """Min-cost denoiser of points on rays from the apex ``x_0 = X[apex]`` meeting at >= 90 degrees.

    ``h*(y) = x_0 + sum_j u_j f_j(u_j . (y - x_0))`` with ``f_j`` the Proposition 1 denoiser of the
    offsets ``{0, t_j1, t_j2, ...}`` of the points on ray ``j``; cost ``sum_j R(f_j)``.

    Tolerance: two points belong to the same ray when their directions from the apex differ by
    less than ``angle_tol`` radians (default 1e-6); a pair of rays passes the angle check when it
    meets at no less than ``90 degrees - angle_tol`` (so right angles computed in floating point
    pass). ``apex`` may be negative (Python indexing). Points may come in any order; rays are
    numbered by their first point in the order of ``X``.

    Checks, each with its own message: ``apex`` is an index of ``X``; no point equals another;
    every pair of rays meets at 90 degrees or more (skipped if ``check_angles`` is false, see
    :func:`rays_formula`); consecutive points along each ray, the apex included, are more than
    ``2 rho`` apart; points on different rays are more than ``2 rho`` apart.
    """
    X = _points_nd(X)
    rho = positive_scalar(rho, "rho")
    angle_tol = positive_scalar(angle_tol, "angle_tol")
    N = X.shape[0]
    apex, members, U, offsets = _ray_structure(X, apex, angle_tol, check_angles)
    x0 = X[apex]
    ramps = []
    for j, t in enumerate(offsets):
        knots = np.concatenate([[0.0], t])
        gaps = np.diff(knots)
        k = int(np.argmin(gaps))
        if gaps[k] <= 2 * rho:
            chain = np.concatenate([[apex], members[j]])
            a, b = chain[k], chain[k + 1]
            if gaps[k] == 0:
                raise ValueError(f"clean points must be distinct: points {a} and {b} coincide")
            raise ValueError(
                f"clean points closer than 2*rho along ray {j}: points {a} and {b} are {gaps[k]:g} "
                f"apart along the ray, 2*rho = {2 * rho:g}"
            )
        ramps.append(lift(univariate(knots, rho), x0, U[j][:, None]))
    ray_of = np.full(N, -1)
    for j, m in enumerate(members):
        ray_of[m] = j
    dist = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)
    dist[ray_of[:, None] == ray_of[None, :]] = np.inf  # same ray (and the apex) checked above
    dist[apex, :] = dist[:, apex] = np.inf
    a, b = np.unravel_index(np.argmin(dist), dist.shape)
    if dist[a, b] <= 2 * rho:
        a, b = min(a, b), max(a, b)
        raise ValueError(
            f"clean points on different rays closer than 2*rho: point {a} (ray {ray_of[a]}) and point "
            f"{b} (ray {ray_of[b]}) are {dist[a, b]:g} apart, 2*rho = {2 * rho:g}"
        )
    return _concat_ramps(x0, ramps)


def _concat_ramps(c: np.ndarray, ramps: list[RampSum]) -> RampSum:
    """One ramp sum with constant ``c`` and all the ramps of ``ramps`` (their constants ignored)."""
    return RampSum(
        c,
        np.concatenate([r.directions for r in ramps]),
        np.concatenate([r.outputs for r in ramps]),
        np.concatenate([r.starts for r in ramps]),
        np.concatenate([r.ends for r in ramps]),
        scalar=False,
    )


def rays_formula(X: object, rho: float, apex: int = 0, angle_tol: float = 1e-6) -> RampSum:
    """The rays formula of :func:`rays` applied without the angle check (for acute rays too).

    ``h(y) = x_0 + sum_j u_j f_j(u_j . (y - x_0))`` is a ramp sum of cost ``sum_j R(f_j)`` for any
    angles, but when two rays meet below 90 degrees it no longer interpolates: near a point at
    offset ``t`` on ray ``i`` the ramp of ray ``j`` sees ``u_j . (y - x_0)`` up to
    ``t cos(angle) + rho > rho`` and leaves its flat part. Chapter 4 plots that error.
    """
    return rays(X, rho, apex=apex, angle_tol=angle_tol, check_angles=False)


def rays_sampled(
    X: object, Y: object, T: object, apex: int = 0, angle_tol: float = 1e-6
) -> RampSum:
    """The rays form fitted to finitely many constraint points ``y_i -> T_i`` instead of whole balls.

    Among functions ``h(y) = x_0 + sum_j u_j f_j(u_j . (y - x_0))`` whose ray-``j`` part vanishes
    on the constraint points of the apex and of the other rays, the cheapest with ``h(y_i) = T_i``
    is, ray by ray, the 1D interpolant with per-point intervals (:func:`univariate_intervals`):
    ``f_j`` equals ``t_jk`` on the hull ``[min, max]`` of ``u_j . (y_i - x_0)`` over the constraint
    points of the ``k``-th point of ray ``j``, 0 on the hull of all other constraint points, and
    is a straight ramp in between. With ``M`` points sampled in each ball the hulls are shorter
    than ``[t - rho, t + rho]``, so this costs less than :func:`rays`; it is the fair target for a
    network trained on those samples (``mnd.train.constraint_points``). Collinear data are one or
    two rays from an end or inner point. Each row of ``T`` must be a row of ``X``.
    """
    X = _points_nd(X)
    Y = as_finite_array(Y, "Y")
    T = as_finite_array(T, "T")
    angle_tol = positive_scalar(angle_tol, "angle_tol")
    if Y.ndim != 2 or Y.shape != T.shape or Y.shape[1] != X.shape[1]:
        raise ValueError(f"Y and T must both have shape (n, {X.shape[1]}), got {Y.shape} and {T.shape}")
    match = np.linalg.norm(T[:, None, :] - X[None, :, :], axis=-1)
    owner = np.argmin(match, axis=1)
    bad = np.flatnonzero(match[np.arange(len(T)), owner] > 1e-9 * (1 + np.abs(X).max()))
    if bad.size:
        raise ValueError(f"target T[{bad[0]}] is not one of the clean points")
    missing = np.setdiff1d(np.arange(X.shape[0]), owner)
    if missing.size:
        raise ValueError(f"clean point {missing[0]} has no constraint point")
    apex, members, U, offsets = _ray_structure(X, apex, angle_tol, check_angles=True)
    x0 = X[apex]
    ramps = []
    for j, (m, t) in enumerate(zip(members, offsets)):
        s = (Y - x0) @ U[j]
        rest = ~np.isin(owner, m)
        lo = [s[rest].min()] + [s[owner == k].min() for k in m]
        hi = [s[rest].max()] + [s[owner == k].max() for k in m]
        try:
            g = univariate_intervals(np.concatenate([[0.0], t]), lo, hi)
        except ValueError as exc:
            raise ValueError(f"constraint points along ray {j}: {exc}") from exc
        ramps.append(lift(g, x0, U[j][:, None]))
    return _concat_ramps(x0, ramps)


def _check_affinely_independent(X: np.ndarray, tol: float) -> None:
    """``ValueError`` unless the rows of ``X`` are the vertices of a non-degenerate simplex: at most
    ``d + 1`` points whose edges ``x_n - x_0`` have smallest/largest singular value above ``tol``."""
    N, d = X.shape
    if N - 1 > d:
        raise ValueError(f"{N} points in R^{d} cannot be affinely independent (a simplex needs N <= d + 1)")
    E = X[1:] - X[0]
    s = np.linalg.svd(E, compute_uv=False)
    if s[0] == 0:
        raise ValueError("degenerate simplex: all points coincide (the points are affinely dependent)")
    if s[-1] <= tol * s[0]:
        raise ValueError(
            f"degenerate simplex: the points are affinely dependent (smallest/largest singular value "
            f"of the edges {s[-1] / s[0]:.2e})"
        )


def obtuse_vertex(X: object, angle_tol: float = 1e-6) -> int | None:
    """Index of the vertex where every pair of edges meets at >= 90 degrees (up to ``angle_tol``
    radians), or None. Unique if it exists (two such vertices would give a triangle with two
    non-acute angles). Two points are trivially "obtuse" at either end (returns 0)."""
    X = _points_nd(X)
    _check_distinct(X)
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
    case with one point per ray (:func:`rays`). ``apex=None`` finds the vertex (:func:`obtuse_vertex`).

    Raises ``ValueError`` for: affinely dependent points (relative tolerance ``tol``, see
    :func:`_check_affinely_independent`), no obtuse vertex (message lists the smallest edge angle
    at each vertex), a given ``apex`` that is not an index or not obtuse, and ``rho`` too large
    (an edge at the apex no longer than ``2 rho``).
    """
    X = _points_nd(X)
    rho = positive_scalar(rho, "rho")
    _check_affinely_independent(X, tol)
    N = X.shape[0]
    if apex is None:
        apex = obtuse_vertex(X)
        if apex is None:
            raise ValueError(
                "no obtuse vertex: no vertex where every pair of edges meets at 90 degrees or more "
                "(smallest angle between two edges at each vertex: "
                f"{', '.join(f'{a:.1f}' for a in _vertex_min_angles(X))} degrees)"
            )
    else:
        if isinstance(apex, bool) or not isinstance(apex, (int, np.integer)) or not -N <= apex < N:
            raise ValueError(f"apex must be an index of a clean point (-{N}..{N - 1}), got {apex!r}")
        apex = int(apex) % N
        angle = _vertex_min_angles(X)[apex]
        if angle < 90 - np.degrees(1e-6):
            raise ValueError(
                f"point {apex} is not an obtuse vertex: two of its edges meet at {angle:.1f} degrees "
                "(the closed form needs every pair of edges at the apex to meet at 90 degrees or more)"
            )
    L = np.linalg.norm(np.delete(X, apex, axis=0) - X[apex], axis=1)
    n = int(np.argmin(L))
    if L[n] <= 2 * rho:
        other = int(np.delete(np.arange(N), apex)[n])
        raise ValueError(
            f"rho too large: the edge from the apex (point {apex}) to point {other} has length "
            f"{L[n]:g}, but the obtuse closed form needs every edge at the apex longer than 2*rho = {2 * rho:g}"
        )
    return rays(X, rho, apex=apex)


def _check_distinct(X: np.ndarray) -> None:
    """``ValueError`` if two rows of ``X`` coincide."""
    dist = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)
    np.fill_diagonal(dist, np.inf)
    if np.any(dist == 0):
        i, j = np.unravel_index(np.argmin(dist), dist.shape)
        raise ValueError(f"clean points must be distinct: points {min(i, j)} and {max(i, j)} coincide")


def _vertex_min_angles(X: np.ndarray) -> list[float]:
    """Smallest angle (degrees) between two edges at each vertex (180 when a vertex has one edge)."""
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

    Raises ``ValueError`` for: fewer than 3 points, affinely dependent points, unequal edges
    (longest/shortest above ``1 + tol``; within the tolerance the formula interpolates up to an
    error of order ``tol`` times the edge), and ``rho`` too large (``2 rho >= N Rc/(N-1)``).

    Minimality holds only for ``rho`` below a threshold under that limit. The dictionary conic
    program (:func:`mnd.optimal.dictionary_min_cost`, chapter 5) finds exactly interpolating
    networks of lower cost once ``rho`` exceeds a value between ``0.6612 Rc`` and ``0.6614 Rc`` for
    the triangle (limit ``0.75 Rc``) and between ``0.620 Rc`` and ``0.625 Rc`` for the regular
    tetrahedron (limit ``0.667 Rc``); below those values its
    certified lower bound matches this formula. The function then still returns the formula (a
    valid interpolant) but warns (``UserWarning``) that it is not the minimiser. For ``N >= 5``
    no threshold has been measured.
    """
    X = _points_nd(X)
    rho = positive_scalar(rho, "rho")
    tol = positive_scalar(tol, "tol")
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
    measured = {3: 0.6612, 4: 0.620}  # largest rho / Rc where the conic program agrees (chapter 5)
    if N in measured and rho > measured[N] * Rc:
        import warnings

        warnings.warn(
            f"rho = {rho:g} is {rho / Rc:.4f} times the circumradius: the equilateral formula still "
            f"interpolates, but above about {measured[N]} Rc it is not the minimiser (the conic "
            "program of chapter 5 finds cheaper interpolants)",
            UserWarning,
            stacklevel=2,
        )
    V = (X - xbar) / radii[:, None]
    starts = V @ xbar - Rc / (N - 1) + rho
    return RampSum(xbar, V, X - xbar, starts, starts + width)


def min_cost_denoiser(X: object, rho: float, tol: float = 1e-7) -> RampSum:
    """The closed-form min-cost denoiser that applies to ``X``, or ``ValueError`` listing what was
    tried and why each did not apply.

    Order: univariate (Proposition 1) for ``X`` of shape ``(N,)`` (returns a scalar ramp sum) or
    ``(N, 1)`` (takes points of shape ``(n, 1)``); subspace (affine rank below ``d``, which covers
    collinear data and rays or simplices inside a subspace); obtuse simplex; equilateral simplex;
    rays (each point tried as the apex).
    """
    arr = as_finite_array(X, "X")
    rho = positive_scalar(rho, "rho")
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1):
        try:
            g = univariate(arr.reshape(-1), rho)
        except ValueError as exc:
            raise ValueError(f"no closed form applies to these points. Tried univariate (Proposition 1): {exc}") from exc
        return g if arr.ndim == 1 else RampSum(g.c, g.directions, g.outputs, g.starts, g.ends, scalar=False)
    X = _points_nd(arr)
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
