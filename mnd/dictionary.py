"""The dictionary conic program: an independent min-cost solver in ``d = 2, 3`` (chapter 5).

It solves the rho-ball problem

    minimise  R(h)  subject to  h(y) = x_n  for all y in B(x_n, rho),  n = 1..N,

over networks ``h(y) = sum_k a_k [w_k . y + b_k]_+ + V y + c`` whose units come from a fixed
*dictionary* of unit-norm directions ``w_k`` and offsets ``b_k``. With ``|w_k| = 1`` the
representation cost is ``sum_k |a_k|`` (design notes, math.md), so the problem is a second-order
cone program in ``(a_k, V, c)``: minimise ``sum_k |a_k|_2`` subject to linear interpolation
constraints. It knows nothing of the closed forms; its units and the closed form's can be compared
afterwards, and the closed form's own units can be added to the dictionary (``extra_units``).

Two dictionaries (``offsets=``):

``"tangent"`` (default, exact up to the direction grid)
    For each grid direction ``w`` the offsets where the hyperplane ``w . y = t`` touches a ball,
    ``t = w . x_n +- rho``, keeping only hyperplanes that cut no open ball; the grid is joined by
    the finitely many directions whose hyperplanes touch ``d`` balls at once
    (:func:`multitangent_directions`). This loses nothing:
    (i) a unit whose hyperplane cuts a ball must have its kink cancelled there by units on the
    same hyperplane (``h`` is constant on the ball), and those units add up to an affine function,
    which ``V`` and ``c`` carry for free; (ii) between two touching positions the unit's values on
    all balls are linear in the offset, so an intermediate offset is a convex combination of the
    two touching units at the same cost. Every dictionary unit is therefore affine on every ball,
    and interpolating ``2 d + 1`` points of each ball (its centre and ``x_n +- rho e_i``) makes the
    network interpolate the *whole* ball exactly. The optimum is the minimum over networks whose
    directions lie on the grid: an **upper bound** on the true minimum cost, attained by a network
    that truly interpolates, which decreases to it as the grid refines. A direction tilted by
    ``alpha`` from an ideal one costs a relative ``O(alpha^2)`` when the ramp has slack at its
    other balls (obtuse vertex) but ``O(alpha)`` when two balls sit exactly at its start (regular
    simplex), so the grid is refined by column generation (``refine``, below).

``"grid"`` (the literal discretisation, for comparison)
    ``n_offsets`` equally spaced offsets per direction across the constraint points, and
    constraints only at ``n_boundary`` points on each sphere, the centre and ``n_interior`` points
    at radius ``rho/2``. Two errors of opposite sign: constraining only sampled points is a
    relaxation (a unit may cut a ball between samples), which pushes the optimum *below* the true
    minimum; a finite set of offsets is a restriction, which pushes it *above*.

The **dual certificate** (tangent dictionary): the solver's equality multipliers ``Lambda`` give,
after projection so that ``sum_i lambda_i = 0`` and ``sum_i lambda_i y_i^T = 0``, the bound

    R(h) >= |<Lambda, T>| / gamma,   gamma = sup over unit (w, t) of |sum_i lambda_i [w . y_i - t]_+|,

for every network ``h`` that interpolates the balls (weak duality; ``V`` and ``c`` drop out). By
(i) and (ii) the supremum may run over touching hyperplanes only, and over all directions of the
circle or sphere it is bounded rigorously by branch and bound with a Lipschitz constant. So
``lower_bound <= true minimum cost <= cost`` with no discretisation assumption: the gap
``cost - lower_bound`` is the measured discretisation error.

Accuracy knobs: ``n_directions`` (grid of the circle: angles ``(j + 1/2) 2 pi / n``; of the sphere:
a Fibonacci lattice), ``refine`` (rounds of column generation that add the directions the
multipliers price as violated), ``cert_rtol`` (how tightly ``gamma`` is bracketed; the certified
gap cannot be below it), solver tolerances (Clarabel's defaults, 1e-8, which also bound the
interpolation residual); in ``"grid"`` mode also ``n_offsets``, ``n_boundary``, ``n_interior``.
Measured (chapter 5, ``tests/test_dictionary.py``): with the defaults in 2D the bracket
``[lower_bound, cost]`` is about ``1e-5`` wide relative (``cert_rtol``) and holds both closed
forms, with ``cost`` within about ``1e-7`` of them; in 3D (certificate off by default) ``cost``
reaches the regular tetrahedron's and an obtuse simplex's closed forms to about ``1e-6``.
"""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_finite_array, positive_scalar

OFFSETS = ("tangent", "grid")


@dataclass(frozen=True)
class DictionarySolution:
    """Optimum of :func:`dictionary_min_cost`: a network ``h(y) = A relu(W y + b) + V y + c``.

    ``W`` holds unit-norm directions (rows), so ``unit_costs = |a_k|`` and ``cost = sum_k |a_k|``
    (the representation cost of the network, up to the solver's tolerance). Units with
    ``|a_k| <= 1e-9 * cost`` are dropped (the change to ``h`` is below the solver's tolerance).
    ``lower_bound`` is the dual certificate (``None`` unless ``offsets="tangent"`` and ``certify``).
    ``extra`` marks units that came from ``extra_units``.
    """

    cost: float
    status: str
    lower_bound: float | None
    W: np.ndarray
    b: np.ndarray
    A: np.ndarray
    V: np.ndarray
    c: np.ndarray
    extra: np.ndarray
    residual: float
    points: np.ndarray
    targets: np.ndarray
    n_units: int
    seconds: float
    settings: dict = field(default_factory=dict)

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """Evaluate ``h`` on a batch ``(n, d)``."""
        Y = as_finite_array(y, "y")
        if Y.ndim != 2 or Y.shape[1] != self.W.shape[1]:
            raise ValueError(f"expected points of shape (n, {self.W.shape[1]}), got shape {Y.shape}")
        return np.maximum(Y @ self.W.T + self.b, 0.0) @ self.A.T + Y @ self.V.T + self.c

    @property
    def unit_costs(self) -> np.ndarray:
        """``|a_k| |w_k| = |a_k|`` for every kept unit."""
        return np.linalg.norm(self.A, axis=0)

    @property
    def extra_cost(self) -> float:
        """Part of the cost carried by units from ``extra_units``."""
        return float(self.unit_costs[self.extra].sum())

    @property
    def gap(self) -> float | None:
        """Relative width of the certified bracket, ``(cost - lower_bound) / cost``."""
        return None if self.lower_bound is None else (self.cost - self.lower_bound) / self.cost

    def active(self, rel_tol: float = 1e-2) -> np.ndarray:
        """Indices of units whose cost exceeds ``rel_tol`` times the largest unit cost."""
        uc = self.unit_costs
        return np.flatnonzero(uc > rel_tol * uc.max()) if uc.size else np.zeros(0, int)

    def relu_units(self, rel_tol: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(W, b, A)`` of the units above ``rel_tol`` (all kept units by default), as used by
        :mod:`mnd.alignment` and :func:`mnd.plot2d.network_bend_lines`."""
        k = self.active(rel_tol) if rel_tol > 0 else np.arange(self.W.shape[0])
        return self.W[k], self.b[k], self.A[:, k]

    def direction_costs(self, angle_tol: float = 2.0) -> list[tuple[np.ndarray, float]]:
        """Active units grouped by direction (within ``angle_tol`` degrees, sign kept): a list of
        ``(unit direction, total cost)``, costliest first. Several units often share a direction
        (a ramp is two units; the solver may also split it)."""
        k = self.active(1e-3)
        order = k[np.argsort(-self.unit_costs[k])]
        groups: list[list] = []
        cos_tol = np.cos(np.radians(angle_tol))
        for i in order:
            for g in groups:
                if self.W[i] @ g[0] >= cos_tol:
                    g[1] += self.unit_costs[i]
                    break
            else:
                groups.append([self.W[i].copy(), float(self.unit_costs[i])])
        return [(g[0], g[1]) for g in groups]


# ---------------------------------------------------------------------------------------------
# Grids of directions and constraint points
# ---------------------------------------------------------------------------------------------

def direction_grid(d: int, n: int) -> np.ndarray:
    """``n`` unit vectors spread over the circle (``d = 2``: angles ``(j + 1/2) 2 pi / n``) or the
    sphere (``d = 3``: Fibonacci lattice). Shape ``(n, d)``."""
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
    """``extra_units`` as unit-norm ``(W, b)``: ``[w.y + b]_+ = |w| [w.y/|w| + b/|w|]_+``."""
    if not isinstance(units, (tuple, list)) or len(units) not in (2, 3):
        raise ValueError("extra_units must be a tuple (W, b) or (W, b, A), e.g. RampSum.relu_units()")
    W = as_finite_array(units[0], "extra_units W")
    b = as_finite_array(units[1], "extra_units b").reshape(-1)
    if W.ndim != 2 or W.shape[1] != d or b.shape != (W.shape[0],):
        raise ValueError(f"extra_units W must have shape (K, {d}) and b shape (K,), got {W.shape} and {b.shape}")
    nw = np.linalg.norm(W, axis=1)
    if np.any(nw == 0):
        raise ValueError("extra_units: every unit needs a non-zero direction w")
    return W / nw[:, None], b / nw


# ---------------------------------------------------------------------------------------------
# The conic program
# ---------------------------------------------------------------------------------------------

def _solve_socp(F: np.ndarray, Y: np.ndarray, T: np.ndarray, solver_opts: dict):
    """``min sum_k |a_k|`` s.t. ``F a + Y V^T + 1 c^T = T`` (rows of ``a``: ``a_k``).

    The constraints are first reduced to an independent set (SVD of ``[F Y 1]``); redundant rows
    make the interior-point linear systems singular. Returns ``(theta, Lambda, status, seconds)``
    with ``theta = [a; V^T; c]`` and ``Lambda`` the multipliers of the original constraints.
    """
    import cvxpy as cp

    n, d = Y.shape
    K = F.shape[1]
    M = np.column_stack([F, Y, np.ones(n)])
    U, S, Vt = np.linalg.svd(M, full_matrices=False)
    r = int(np.sum(S > 1e-11 * S[0]))
    Ur = U[:, :r]
    miss = T - Ur @ (Ur.T @ T)
    if np.abs(miss).max() > 1e-8 * max(1.0, np.abs(T).max()):
        raise ValueError(
            "the dictionary cannot interpolate the constraint points (no combination of its units "
            "separates the balls); increase n_directions"
        )
    theta = cp.Variable((K + d + 1, d))
    con = (S[:r, None] * Vt[:r]) @ theta == Ur.T @ T
    prob = cp.Problem(cp.Minimize(cp.sum(cp.norm(theta[:K], 2, axis=1))), [con])
    t0 = time.perf_counter()
    try:
        prob.solve(solver="CLARABEL", **solver_opts)
    except cp.error.SolverError as exc:
        raise RuntimeError(f"the conic solver failed: {exc}") from exc
    seconds = time.perf_counter() - t0
    if theta.value is None:
        raise RuntimeError(f"the conic solver returned no solution (status {prob.status})")
    Lam = Ur @ np.asarray(con.dual_value).reshape(r, d)
    return np.asarray(theta.value), Lam, str(prob.status), seconds


# ---------------------------------------------------------------------------------------------
# Dual certificate
# ---------------------------------------------------------------------------------------------

def _project_dual(Lam: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Project each column of ``Lambda`` onto the orthogonal complement of ``span([Y, 1])``, so
    that ``V`` and ``c`` drop out of the weak-duality bound exactly."""
    Q, _ = np.linalg.qr(np.column_stack([Y, np.ones(len(Y))]))
    return Lam - Q @ (Q.T @ Lam)


class _Certifier:
    """Evaluates ``g_{n,s}(w) = |Lambda^T [ (Y - x_n) w - s rho ]_+|`` for touching hyperplanes
    (label ``(n, s)``: the hyperplane ``w . y = w . x_n + s rho`` touching ball ``n``)."""

    def __init__(self, X, rho, Y, Lam):
        self.X, self.rho, self.Y, self.Lam = X, rho, Y, Lam
        N = X.shape[0]
        self.lam_norm = np.linalg.norm(Lam, axis=1)
        self.labels = [(n, s) for n in range(N) for s in (1.0, -1.0)]
        self.Z = [Y - X[n] for n in range(N)]
        self.r = [np.linalg.norm(z, axis=1) for z in self.Z]
        # Lam_i (y_i - x_n)^T for each point (n_pts, d, d), summed over the always-active points
        self.outer = [Lam[:, :, None] * z[:, None, :] for z in self.Z]
        self.Dn = [np.linalg.norm(np.delete(X, n, axis=0) - X[n], axis=1) for n, _ in self.labels]

    def price(self, Wp: np.ndarray) -> np.ndarray:
        """``max_{n,s} g_{n,s}(w)`` over the touching hyperplanes that cut no ball, per direction."""
        out = np.zeros(Wp.shape[0])
        for n, s in self.labels:
            g = np.linalg.norm(self.Lam.T @ np.maximum(self.Z[n] @ Wp.T - s * self.rho, 0.0), axis=0)
            ok = np.all(_cut_margin(self.X, self.rho, Wp, n, s) >= 0, axis=1)
            out = np.maximum(out, np.where(ok, g, 0.0))
        return out

    def cell_bounds(self, corners: np.ndarray, delta: np.ndarray):
        """For cells with corner directions ``corners`` (C, k, d) and diameters ``delta`` (C,):
        an upper bound of ``g`` over every direction ``p`` in the cell and every touching hyperplane
        that cuts no ball at ``p``; the largest exact value at a corner where the hyperplane cuts
        no ball.

        Lipschitz constant on a cell: a point with ``(y_i - x_n).w - s rho >= |y_i - x_n| delta``
        at a corner is active on the whole cell, one with ``<= -|y_i - x_n| delta`` inactive; the
        active ones contribute the linear map ``sum_i lambda_i (y_i - x_n)^T`` (Frobenius norm),
        each remaining point ``|lambda_i| |y_i - x_n|``.
        """
        C, k, d = corners.shape
        flat = corners.reshape(-1, d)
        ub = np.zeros(C)
        best = 0.0
        for j, (n, s) in enumerate(self.labels):
            proj = self.Z[n] @ flat.T - s * self.rho  # (n_pts, C k)
            g = np.linalg.norm(self.Lam.T @ np.maximum(proj, 0.0), axis=0).reshape(C, k)
            margin = _cut_margin(self.X, self.rho, flat, n, s).reshape(C, k, -1)
            exact_ok = np.all(margin >= 0, axis=2)  # (C, k)
            if exact_ok.any():
                best = max(best, float(g[exact_ok].max()))
            # p in the cell with label j cutting no ball: each margin is |x_m - x_n|-Lipschitz in w
            possible = np.all(margin + self.Dn[j][None, None, :] * delta[:, None, None] >= 0, axis=(1, 2))
            if not possible.any():
                continue
            pr = proj.reshape(-1, C, k)
            slack = self.r[n][:, None] * delta[None, :]  # (n_pts, C)
            on = np.any(pr >= slack[:, :, None], axis=2)  # active on the whole cell
            off = np.any(pr <= -slack[:, :, None], axis=2)
            switch = ~on & ~off
            lin = np.einsum("ic,ide->cde", on.astype(float), self.outer[n])
            L = np.linalg.norm(lin.reshape(C, -1), axis=1) + (self.lam_norm * self.r[n]) @ switch
            bound = g.min(axis=1) + L * delta
            ub = np.maximum(ub, np.where(possible, bound, 0.0))
        return ub, best


def _cells_2d(n0: int):
    th = 2 * np.pi * np.arange(n0 + 1) / n0
    return np.column_stack([th[:-1], th[1:]])


def _corners_2d(cells):
    th = cells.reshape(-1)
    P = np.column_stack([np.cos(th), np.sin(th)]).reshape(len(cells), 2, 2)
    delta = 2 * np.sin((cells[:, 1] - cells[:, 0]) / 2)  # chord of the arc
    return P, delta


def _split_2d(cells):
    mid = cells.mean(axis=1)
    return np.concatenate([np.column_stack([cells[:, 0], mid]), np.column_stack([mid, cells[:, 1]])])


_FACES = np.array([[0, 1, 2], [1, 2, 0], [2, 0, 1]])


def _cells_3d(k0: int):
    """Cube-sphere cells: rows ``(face, u0, u1, v0, v1)``, face in 0..5 (axis, sign)."""
    e = np.linspace(-1, 1, k0 + 1)
    u0, v0 = np.meshgrid(e[:-1], e[:-1], indexing="ij")
    u1, v1 = u0 + 2 / k0, v0 + 2 / k0
    one = np.column_stack([u0.ravel(), u1.ravel(), v0.ravel(), v1.ravel()])
    return np.concatenate([np.column_stack([np.full(len(one), f), one]) for f in range(6)])


def _corners_3d(cells):
    f = cells[:, 0].astype(int)
    us = np.stack([cells[:, 1], cells[:, 2], cells[:, 1], cells[:, 2]], axis=1)
    vs = np.stack([cells[:, 3], cells[:, 3], cells[:, 4], cells[:, 4]], axis=1)
    axis, sign = f % 3, np.where(f < 3, 1.0, -1.0)
    P = np.empty((len(cells), 4, 3))
    perm = _FACES[axis]  # (C, 3): coordinate order (normal, u, v)
    rows = np.arange(len(cells))[:, None]
    for corner in range(4):
        vec = np.empty((len(cells), 3))
        vec[rows[:, 0], perm[:, 0]] = sign
        vec[rows[:, 0], perm[:, 1]] = us[:, corner]
        vec[rows[:, 0], perm[:, 2]] = vs[:, corner]
        P[:, corner] = vec / np.linalg.norm(vec, axis=1, keepdims=True)
    # The cell is geodesically convex (central projection of a square), so every point of it is
    # within the largest corner-to-corner chord of every corner.
    diff = np.linalg.norm(P[:, :, None, :] - P[:, None, :, :], axis=-1)
    return P, diff.reshape(len(cells), -1).max(axis=1)


def _split_3d(cells):
    f, u0, u1, v0, v1 = cells.T
    um, vm = (u0 + u1) / 2, (v0 + v1) / 2
    return np.concatenate([
        np.column_stack([f, u0, um, v0, vm]), np.column_stack([f, um, u1, v0, vm]),
        np.column_stack([f, u0, um, vm, v1]), np.column_stack([f, um, u1, vm, v1]),
    ])


def certify_dual(X: np.ndarray, rho: float, Y: np.ndarray, T: np.ndarray, Lam: np.ndarray,
                 rtol: float = 1e-4, max_cells: int = 1_000_000) -> tuple[float, float]:
    """Rigorous lower bound on the min cost from multipliers ``Lambda`` at the points ``Y``.

    ``Lambda`` is projected (``V``, ``c`` drop out), then ``gamma >= sup g`` is bracketed to
    relative ``rtol`` by branch and bound over cells of the circle / cube-sphere: a cell is split
    while its Lipschitz upper bound exceeds ``(1 + rtol)`` times the best value found. Returns
    ``(lower_bound, gamma)``. Valid for any ``Lambda``; tight when ``Lambda`` is near-optimal.
    If more than ``max_cells`` cells are needed, the bound is still valid but looser than ``rtol``.
    """
    d = X.shape[1]
    Lam = _project_dual(Lam, Y)
    value = abs(float(np.sum(Lam * T)))
    cert = _Certifier(X, rho, Y, Lam)
    if d == 2:
        cells, corners, split = _cells_2d(512), _corners_2d, _split_2d
    else:
        cells, corners, split = _cells_3d(12), _corners_3d, _split_3d
    best, evaluated, pending_max = 0.0, 0, 0.0
    for _ in range(80):
        P, delta = corners(cells)
        ub, b = cert.cell_bounds(P, delta)
        evaluated += len(cells)
        best = max(best, b)
        keep = ub > (1 + rtol) * best
        pending_max = float(ub[keep].max()) if keep.any() else 0.0
        if not keep.any() or evaluated > max_cells:
            break
        cells = split(cells[keep])
    gamma = max((1 + rtol) * best, pending_max)
    if gamma <= 0:
        return np.inf, 0.0
    return value / gamma, gamma


def _patches(centres: np.ndarray, radius: float) -> np.ndarray:
    """Directions within ``radius`` (radians) of each centre: 21 on an arc (2D), 81 on a tangent grid (3D)."""
    d = centres.shape[1]
    if len(centres) == 0:
        return np.zeros((0, d))
    if d == 2:
        phi = np.arctan2(centres[:, 1], centres[:, 0])[:, None] + radius * np.linspace(-1, 1, 21)[None, :]
        return np.column_stack([np.cos(phi.ravel()), np.sin(phi.ravel())])
    out = []
    t = radius * np.linspace(-1, 1, 9)
    for c in centres:
        e1 = np.cross(c, [1.0, 0, 0] if abs(c[0]) < 0.9 else [0, 1.0, 0])
        e1 /= np.linalg.norm(e1)
        e2 = np.cross(c, e1)
        P = c + t[:, None, None] * e1 + t[None, :, None] * e2
        out.append(P.reshape(-1, 3))
    P = np.concatenate(out)
    return P / np.linalg.norm(P, axis=1, keepdims=True)


def _pick_distinct(P: np.ndarray, g: np.ndarray, threshold: float, k: int, min_angle: float) -> np.ndarray:
    """Up to ``k`` directions with ``g > threshold``, largest first, pairwise ``min_angle`` apart."""
    chosen: list[np.ndarray] = []
    cos = np.cos(min_angle)
    for i in np.argsort(-g):
        if g[i] <= threshold or len(chosen) >= k:
            break
        if all(P[i] @ c < cos for c in chosen):
            chosen.append(P[i])
    return np.array(chosen).reshape(-1, P.shape[1])


# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------

def _check_int(x: object, name: str, lo: int, hi: int) -> int:
    if isinstance(x, bool) or not isinstance(x, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer, got {x!r}")
    if not lo <= int(x) <= hi:
        raise ValueError(f"{name} must be between {lo} and {hi}, got {x}")
    return int(x)


def dictionary_min_cost(
    X: object,
    rho: float,
    n_directions: int | None = None,
    offsets: str = "tangent",
    extra_units: tuple | None = None,
    n_offsets: int = 40,
    n_boundary: int = 32,
    n_interior: int = 8,
    certify: bool | None = None,
    cert_rtol: float = 1e-5,
    refine: int = 4,
    multitangent: bool = True,
    solver_opts: dict | None = None,
) -> DictionarySolution:
    """Minimum representation cost of a network interpolating the balls ``B(x_n, rho)``, ``d = 2, 3``,
    over a dictionary of ReLU units (module docstring): a second-order cone program solved with
    cvxpy and Clarabel.

    Parameters
    ----------
    X : ``(N, d)`` clean points, ``d`` = 2 or 3, pairwise more than ``2 rho`` apart.
    rho : ball radius.
    n_directions : directions of the grid (default 720 for ``d = 2``, 1000 for ``d = 3``).
    offsets : ``"tangent"`` (exact up to the direction grid, certified) or ``"grid"``.
    extra_units : ``(W, b)`` or ``(W, b, A)`` (e.g. ``RampSum.relu_units()``): units added to the
        dictionary, normalised to ``|w| = 1``; with ``offsets="tangent"`` each must cut no ball.
    n_offsets, n_boundary, n_interior : ``"grid"`` mode only (offsets per direction; constraint
        points on each sphere and at radius ``rho/2``; each ball's centre is always included).
    certify : compute the dual lower bound (``"tangent"`` only; default on for ``d = 2``, off for
        ``d = 3`` where the branch and bound over the sphere takes tens of seconds).
    cert_rtol : relative accuracy of the certificate's supremum.
    refine : at most this many extra rounds (``"tangent"`` only) of column generation: the
        multipliers price every touching unit on a direction grid 8 times finer (2D; 4 times in
        3D) and around the directions added last round (shrinking patches), the most violated
        directions are added and the program is solved again. ``refine=0`` keeps the plain grid.
    multitangent : add :func:`multitangent_directions` to the grid (``"tangent"`` only). Turning it
        off (with ``refine=0``) shows the error of a plain grid of directions.
    solver_opts : passed to ``cvxpy.Problem.solve`` (default: Clarabel on one thread).

    Returns a :class:`DictionarySolution`: ``cost`` (the optimum), ``lower_bound``, ``status``,
    the network (call it), its units, and the constraint points with their residual.
    """
    t_start = time.perf_counter()
    X = as_finite_array(X, "X")
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"X must have shape (N, d) with N >= 2 clean points, got shape {X.shape}")
    N, d = X.shape
    if d not in (2, 3):
        raise ValueError(f"the dictionary solver works in d = 2 or d = 3, got d = {d}")
    rho = positive_scalar(rho, "rho")
    dist = np.linalg.norm(X[:, None] - X[None], axis=-1)
    np.fill_diagonal(dist, np.inf)
    i, j = np.unravel_index(np.argmin(dist), dist.shape)
    if dist[i, j] <= 2 * rho:
        raise ValueError(
            f"balls overlap: points {min(i, j)} and {max(i, j)} are {dist[i, j]:g} apart but 2*rho = "
            f"{2 * rho:g} (the balls must be disjoint for an interpolant to exist)"
        )
    if offsets not in OFFSETS:
        raise ValueError(f"offsets must be one of {OFFSETS}, got {offsets!r}")
    if n_directions is None:
        n_directions = 720 if d == 2 else 1000
    n_directions = _check_int(n_directions, "n_directions", 8, 200_000)
    cert_rtol = positive_scalar(cert_rtol, "cert_rtol")
    opts = {"max_threads": 1} if solver_opts is None else dict(solver_opts)
    refine = _check_int(refine, "refine", 0, 100)
    certify = (d == 2) if certify is None else bool(certify)
    Wd = direction_grid(d, n_directions)
    if offsets == "tangent":
        Y, T = tangent_points(X, rho)
        if multitangent:
            Wd = np.concatenate([Wd, multitangent_directions(X, rho)])
    else:
        n_offsets = _check_int(n_offsets, "n_offsets", 1, 10_000)
        n_boundary = _check_int(n_boundary, "n_boundary", 2 * d, 100_000)
        n_interior = _check_int(n_interior, "n_interior", 0, 100_000)
        Y, T = sampled_points(X, rho, n_boundary, n_interior)
    We = be = None
    if extra_units is not None:
        We, be = _normalise_units(extra_units, d)
        if offsets == "tangent":
            scale = 1e-9 * max(1.0, float(np.abs(X).max()))
            depth = rho - np.abs(We @ X.T + be[:, None])  # > 0: the hyperplane cuts ball n
            if np.any(depth > scale):
                k, n = np.unravel_index(np.argmax(depth), depth.shape)
                raise ValueError(
                    f"extra unit {k} cuts the ball around point {n} (depth {depth[k, n]:.3g}); with "
                    "offsets='tangent' only units whose hyperplane cuts no open ball can be added "
                    "(others are never needed, see the module docstring)"
                )
    added = np.zeros((0, d))
    history = []
    solver_seconds = 0.0
    spacing = 2 * np.pi / n_directions if d == 2 else np.sqrt(4 * np.pi / n_directions)
    pricing = direction_grid(d, 8 * n_directions if d == 2 else 4 * n_directions)
    centres, radius = np.zeros((0, d)), spacing
    rounds = refine + 1 if offsets == "tangent" else 1
    for round_ in range(rounds):
        if offsets == "tangent":
            W, b = tangent_units(X, rho, np.concatenate([Wd, added]))
        else:
            W, b = grid_units(Y, Wd, n_offsets)
        is_extra = np.zeros(W.shape[0], bool)
        if We is not None:
            W, b = np.concatenate([W, We]), np.concatenate([b, be])
            is_extra = np.concatenate([is_extra, np.ones(len(We), bool)])
        F = np.maximum(Y @ W.T + b, 0.0)
        theta, Lam, status, seconds = _solve_socp(F, Y, T, opts)
        solver_seconds += seconds
        K = W.shape[0]
        norms = np.linalg.norm(theta[:K], axis=1)
        cost = float(norms.sum())
        if round_ == rounds - 1:
            history.append((K, cost, None))
            break
        # Column generation: price touching units on a finer set of directions (and around the
        # directions added last round); add the most violated ones and solve again.
        cert = _Certifier(X, rho, Y, _project_dual(Lam, Y))
        act = W[np.argsort(-norms)[: 4 * N]]  # directions of the costliest units
        P = np.concatenate([pricing, _patches(np.concatenate([centres, act]), radius)])
        g = cert.price(P)
        history.append((K, cost, float(g.max())))
        centres = _pick_distinct(P, g, 1 + 1e-6, 4 * N, radius / 8)
        if len(centres) == 0:
            break
        added = np.concatenate([added, centres])
        radius /= 4
    lower, cert_seconds = None, 0.0
    if certify and offsets == "tangent":
        t0 = time.perf_counter()
        lower, _ = certify_dual(X, rho, Y, T, Lam, rtol=cert_rtol)
        cert_seconds = time.perf_counter() - t0
    A_all, Vt, c = theta[:K].T, theta[K:K + d], theta[K + d]
    keep = norms > 1e-9 * max(cost, 1e-300)
    residual = float(np.abs(F[:, keep] @ A_all[:, keep].T + Y @ Vt + c - T).max())
    return DictionarySolution(
        cost=cost, status=status, lower_bound=lower,
        W=W[keep], b=b[keep], A=A_all[:, keep], V=Vt.T.copy(), c=c.copy(), extra=is_extra[keep],
        residual=residual, points=Y, targets=T, n_units=K, seconds=time.perf_counter() - t_start,
        settings=dict(offsets=offsets, n_directions=n_directions,
                      n_offsets=n_offsets if offsets == "grid" else None,
                      n_boundary=n_boundary if offsets == "grid" else None,
                      n_interior=n_interior if offsets == "grid" else None,
                      multitangent=bool(multitangent) and offsets == "tangent",
                      added_directions=added, rounds=history, solver_seconds=solver_seconds,
                      certify_seconds=cert_seconds),
    )
