"""Clean points on rays that leave one apex at pairwise obtuse (>= 90 degree) angles.

With the apex ``x_0`` and the points of each ray ordered outward, the min-cost denoiser is the
apex plus, along each ray, the univariate closed form of that ray's points (Proposition 1 in
the ray's coordinate): a sum of ramps aligned with the rays.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_finite_array, points_nd, positive_scalar, tolerance
from ..ramps import RampSum
from .subspace import lift
from .univariate import univariate, univariate_intervals


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
    leaders = np.empty((0, V.shape[1]))  # the first member's direction of each ray
    chord = 2 * np.sin(min(angle_tol, np.pi) / 2)  # angle < angle_tol  <=>  |u - u'| < chord
    for i in np.argsort(t, kind="stable"):
        near = np.flatnonzero(np.linalg.norm(leaders - Uv[i], axis=1) < chord)
        if near.size:
            groups[near[0]].append(int(i))
        else:
            groups.append([int(i)])
            leaders = np.vstack([leaders, Uv[i]])
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
    X = points_nd(X)
    rho = positive_scalar(rho, "rho")
    angle_tol = tolerance(angle_tol, "angle_tol")
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
    from scipy.spatial import cKDTree

    # pairs within 2 rho (a k-d tree: memory grows with the close pairs, not with N^2); pairs on
    # one ray, and pairs with the apex, were checked along the rays above
    close = np.array(sorted(cKDTree(X).query_pairs(2 * rho)), dtype=int).reshape(-1, 2)
    close = close[(ray_of[close[:, 0]] != ray_of[close[:, 1]]) & (close != apex).all(axis=1)]
    if close.size:
        d = np.linalg.norm(X[close[:, 0]] - X[close[:, 1]], axis=1)
        a, b = close[int(np.argmin(d))]
        raise ValueError(
            f"clean points on different rays closer than 2*rho: point {a} (ray {ray_of[a]}) and point "
            f"{b} (ray {ray_of[b]}) are {d.min():g} apart, 2*rho = {2 * rho:g}"
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
    )


def rays_formula(X: object, rho: float, apex: int = 0, angle_tol: float = 1e-6) -> RampSum:
    """The rays formula of :func:`rays` applied without the angle check (for acute rays too).

    ``h(y) = x_0 + sum_j u_j f_j(u_j . (y - x_0))`` is a ramp sum of cost ``sum_j R(f_j)`` for any
    angles, but when two rays meet below 90 degrees it no longer interpolates: near a point at
    offset ``t`` on ray ``i`` the ramp of ray ``j`` sees ``u_j . (y - x_0)`` up to
    ``t cos(angle) + rho > rho`` and leaves its flat part.
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
    network trained on those samples (``mnd.data.constraint_points``). Collinear data are one or
    two rays from an end or inner point. Each row of ``T`` must be a row of ``X``.
    """
    X = points_nd(X)
    Y = as_finite_array(Y, "Y")
    T = as_finite_array(T, "T")
    angle_tol = tolerance(angle_tol, "angle_tol")
    if Y.ndim != 2 or Y.shape != T.shape or Y.shape[1] != X.shape[1]:
        raise ValueError(f"Y and T must both have shape (n, {X.shape[1]}) (the dimension of X, shape "
                         f"{X.shape}), got {Y.shape} and {T.shape}")
    from scipy.spatial import cKDTree

    dist, owner = cKDTree(X).query(T)
    bad = np.flatnonzero(dist > 1e-9 * (1 + np.abs(X).max()))
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


