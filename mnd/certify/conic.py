"""The dictionary conic program: an independent min-cost solver in ``d = 2, 3``.

It solves the rho-ball problem

    minimise  R(h)  subject to  h(y) = x_n  for all y in B(x_n, rho),  n = 1..N,

over networks ``h(y) = sum_k a_k [w_k . y + b_k]_+ + V y + c`` whose units come from a fixed
*dictionary* of unit-norm directions ``w_k`` and offsets ``b_k``. With ``|w_k| = 1`` the
representation cost is ``sum_k |a_k|`` (:mod:`mnd.relu_net`), so the problem is a second-order
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
Measured (``tests/test_certify.py``): with the defaults in 2D the bracket
``[lower_bound, cost]`` is about ``1e-5`` wide relative (``cert_rtol``) and holds both closed
forms, with ``cost`` within about ``1e-7`` of them; in 3D (certificate off by default) ``cost``
reaches the regular tetrahedron's and an obtuse simplex's closed forms to about ``1e-6``.
"""

from __future__ import annotations

import numbers
import time

import numpy as np

from .._checks import as_finite_array, positive_scalar
from ..relu_net import ReluNet
from .dictionary import (
    _normalise_units, direction_grid, grid_units, multitangent_directions, sampled_points, tangent_points,
    tangent_units,
)
from .dual import _Certifier, _project_dual, certify_dual

OFFSETS = ("tangent", "grid")


class DictionarySolution(ReluNet):
    """Optimum of :func:`dictionary_min_cost`: a :class:`~mnd.ReluNet`
    ``h(y) = A relu(W y + b) + V y + c`` with the solver's record.

    ``W`` holds unit-norm directions (rows), so ``unit_costs() = |a_k|`` and ``cost = sum_k |a_k|``
    (the representation cost of the network, up to the solver's tolerance). Units with
    ``|a_k| <= 1e-9 * cost`` are dropped (the change to ``h`` is below the solver's tolerance).
    ``lower_bound`` is the dual certificate (``None`` unless ``offsets="tangent"`` and ``certify``).
    ``extra`` marks units that came from ``extra_units``; ``residual`` is the largest violation of
    the interpolation constraints at ``points`` (targets ``targets``).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, A: np.ndarray, V: np.ndarray, c: np.ndarray, *,
                 cost: float, status: str, lower_bound: float | None, extra: np.ndarray, residual: float,
                 points: np.ndarray, targets: np.ndarray, n_units: int, seconds: float,
                 settings: dict | None = None) -> None:
        super().__init__(W, b, A, V, c)
        self.cost, self.status, self.lower_bound = cost, status, lower_bound
        self.extra, self.residual = np.asarray(extra, bool), residual
        self.points, self.targets = points, targets
        self.n_units, self.seconds = n_units, seconds
        self.settings = dict(settings or {})

    @property
    def extra_cost(self) -> float:
        """Part of the cost carried by units from ``extra_units``."""
        return float(self.unit_costs()[self.extra].sum())

    @property
    def gap(self) -> float | None:
        """Relative width of the certified bracket, ``(cost - lower_bound) / cost``."""
        return None if self.lower_bound is None else (self.cost - self.lower_bound) / self.cost

    def direction_costs(self, angle_tol: float = 2.0) -> list[tuple[np.ndarray, float]]:
        """Active units grouped by direction (within ``angle_tol`` degrees, sign kept): a list of
        ``(unit direction, total cost)``, costliest first. Several units often share a direction
        (a ramp is two units; the solver may also split it)."""
        uc = self.unit_costs()
        k = self.active(1e-3)
        order = k[np.argsort(-uc[k])]
        groups: list[list] = []
        cos_tol = np.cos(np.radians(angle_tol))
        for i in order:
            for g in groups:
                if self.W[i] @ g[0] >= cos_tol:
                    g[1] += uc[i]
                    break
            else:
                groups.append([self.W[i].copy(), float(uc[i])])
        return [(g[0], g[1]) for g in groups]


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
    extra_units : a network (e.g. a closed form's ``RampSum``) or ``(W, b)``: units added to the
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
        W[keep], b[keep], A_all[:, keep], Vt.T.copy(), c.copy(),
        cost=cost, status=status, lower_bound=lower, extra=is_extra[keep],
        residual=residual, points=Y, targets=T, n_units=K, seconds=time.perf_counter() - t_start,
        settings=dict(offsets=offsets, n_directions=n_directions,
                      n_offsets=n_offsets if offsets == "grid" else None,
                      n_boundary=n_boundary if offsets == "grid" else None,
                      n_interior=n_interior if offsets == "grid" else None,
                      multitangent=bool(multitangent) and offsets == "tangent",
                      added_directions=added, rounds=history, solver_seconds=solver_seconds,
                      certify_seconds=cert_seconds),
    )
