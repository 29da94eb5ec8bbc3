"""Score flow and probability flow driven by a denoiser (numpy; any denoiser, a batch of starts).

A denoiser ``h_sigma`` at noise level ``sigma`` gives the score
``s(y) = (h_sigma(y) - y) / sigma^2`` (Tweedie). The variance-exploding probability flow,
``sigma_t^2 = t``, runs ``dy/dt = -(1/2) d(sigma_t^2)/dt s_t(y) = -(h_t(y) - y) / (2 t)`` from
``t = T`` down to 0. With the log-noise time ``r = -log sigma_t`` (``dr/dt = -1/(2t)``) it becomes

    dy/dr = h_{rho(r)}(y) - y,    rho(r) = alpha e^{-r},    r from -log sigma_T upward,

when the denoiser at noise level ``sigma`` is the min-cost denoiser of radius
``rho = alpha sigma``.
The score flow is the same equation at one fixed denoiser, ``dy/dr = h(y) - y``; its Euler steps
of length 1 are the fixed-point iteration ``y <- h(y)``.

Integrator: Dormand-Prince 5(4) (the embedded Runge-Kutta pair of ``ode45``) with adaptive
steps that land exactly on the saved times. A step is accepted when, for every coordinate, the
larger of two local error estimates is below ``atol + rtol |y|``: the embedded estimate (5th
minus 4th order) and the defect of the method's continuous extension at mid-step. A closed-form
denoiser (or a ReLU network) is piecewise linear, so the field has bends, and across a bend the
embedded estimate alone can vanish by accident; the defect does not. The score flow does not
depend on ``r``, so every start keeps its own step size; the probability flow does, so its
starts share one. With the default tolerances (``rtol = 1e-9``, ``atol = 1e-11``) the paths agree
with the exact solutions of :func:`orthogonal_score_flow` and :func:`orthogonal_probability_flow`,
and with runs at 100 times tighter tolerances, to better than ``1e-6`` (tested; typically
``1e-8``).

For orthogonal data ``{x_0, x_1, ..., x_k}`` (edges ``x_n - x_0`` mutually orthogonal) the
min-cost denoiser is the obtuse-simplex ramp sum, the flows separate into one equation per edge
and are solved exactly here; the hyperbox ``{x_0 + sum_n tau_n (x_n - x_0) : tau_n in [0, 1]}``
and its vertices (subset sums) classify where a flow ends (:func:`classify_endpoints`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._checks import as_finite_array, points_nd, positive_int, positive_scalar
from .metrics import as_denoiser
from .ramps import RampSum

Denoiser = Callable[[np.ndarray], np.ndarray]

#: end-point classes of :func:`classify_endpoints`, in this order
LABELS = ("training", "virtual", "boundary", "other")

# Dormand-Prince 5(4): nodes, stages, 5th-order weights and (5th - 4th)-order error weights
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
_A = [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
]
_E = np.array([71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40])
# continuous extension (Shampine): y(r + t h) = y + h sum_i k_i (P_i . [t, t^2, t^3, t^4])
_P = np.array([
    [1.0, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
    [0.0, 0.0, 0.0, 0.0],
    [0.0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
    [0.0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
    [0.0, 127303824393 / 49829197408, -318862633887 / 49829197408,
     701980252875 / 199316789632],
    [0.0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
    [0.0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423],
])
_MID = _P @ np.array([0.5, 0.25, 0.125, 0.0625])  # weights of the state at t = 1/2
_DMID = _P @ np.array([1.0, 1.0, 0.75, 0.5])  # weights of its derivative at t = 1/2


@dataclass
class FlowResult:
    """States of a batch of flows at the saved times.

    ``r``: ``(m,)`` saved times (log-noise time ``-log sigma`` for the probability flow, flow time
    for the score flow, iteration count for :func:`fixed_point_iteration`); ``paths``:
    ``(m, n, d)`` the ``n`` states at each saved time; ``rho``: ``(m,)`` the radius of the denoiser
    used at each saved time (probability flow) or ``None``; counts of field evaluations, accepted
    and rejected steps.
    """

    r: np.ndarray
    paths: np.ndarray
    rho: np.ndarray | None = None
    n_evals: int = 0
    n_steps: int = 0
    n_rejected: int = 0

    @property
    def ends(self) -> np.ndarray:
        """``(n, d)``: the states at the last saved time."""
        return self.paths[-1]

    @property
    def starts(self) -> np.ndarray:
        """``(n, d)``: the starting points."""
        return self.paths[0]

    @property
    def sigma(self) -> np.ndarray:
        """``(m,)``: the noise level ``e^{-r}`` at each saved time (probability flow)."""
        return np.exp(-self.r)


# --------------------------------------------------------------------------------------------
# validation


def _starts(y0: object) -> np.ndarray:
    Y = as_finite_array(y0, "y0")
    if Y.ndim != 2 or Y.shape[0] == 0:
        raise ValueError(f"y0 must have shape (n, d) with n >= 1 (a batch of starting points), "
                         f"got shape {Y.shape}")
    return Y


def _tolerances(rtol: object, atol: object) -> tuple[float, float]:
    rtol = positive_scalar(rtol, "rtol")
    atol = positive_scalar(atol, "atol")
    if rtol >= 1e-2:
        raise ValueError(f"rtol must be < 1e-2 (a relative error per step), got {rtol}")
    return rtol, atol


def _checked(h: Denoiser, Y: np.ndarray, name: str, where: str) -> np.ndarray:
    out = np.asarray(h(Y), dtype=float)
    if out.shape != Y.shape:
        raise ValueError(f"{name} returned shape {out.shape} for points of shape {Y.shape}; a "
                         f"denoiser must map (n, d) to (n, d)")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} returned non-finite values {where}")
    return out


def _frame(X: object, apex: object, orthogonal: bool, name: str = "X",
           angle_tol: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """Apex ``x_0`` and the edges ``E`` (``(k, d)``, rows ``x_n - x_0`` in the order of ``X``).

    Checks: ``X`` is ``(N, d)`` with ``2 <= N <= d + 1``; ``apex`` indexes it; the edges are
    linearly independent (a parallelepiped, the hyperbox); with ``orthogonal``, every two edges
    meet at 90 degrees up to ``angle_tol`` radians (orthogonal data)."""
    X = points_nd(X, name)
    N, d = X.shape
    if isinstance(apex, bool) or not isinstance(apex, (int, np.integer)) or not -N <= apex < N:
        raise ValueError(f"apex must be an index of a clean point (-{N}..{N - 1}), got {apex!r}")
    apex = int(apex) % N
    if N - 1 > d:
        raise ValueError(f"{name}: {N} points in R^{d} cannot have linearly independent edges from "
                         f"the apex (the hyperbox needs N <= d + 1)")
    x0 = X[apex]
    E = np.delete(X, apex, axis=0) - x0
    L = np.linalg.norm(E, axis=1)
    if np.any(L == 0):
        raise ValueError(f"{name}: clean points must be distinct (a point coincides with the apex)")
    s = np.linalg.svd(E / L[:, None], compute_uv=False)
    if s[-1] <= 1e-9:
        raise ValueError(f"{name}: the edges from the apex are linearly dependent (the hyperbox "
                         f"of the data is degenerate)")
    if orthogonal and E.shape[0] > 1:
        U = E / L[:, None]
        G = np.abs(U @ U.T)
        np.fill_diagonal(G, 0.0)
        i, j = np.unravel_index(np.argmax(G), G.shape)
        if G[i, j] > np.sin(angle_tol):
            deg = np.degrees(np.arccos(np.clip((U[i] @ U[j]), -1, 1)))
            raise ValueError(f"{name} is not orthogonal data: the edges from the apex to points "
                             f"{_point(i, apex)} and {_point(j, apex)} meet at {deg:.4f} degrees, "
                             f"not 90")
    return x0, E


def _point(edge: int, apex: int) -> int:
    """Index in ``X`` of the point at the end of edge ``edge``."""
    return int(edge + (edge >= apex))


# --------------------------------------------------------------------------------------------
# the integrator


def _try_step(field: Callable[[np.ndarray, np.ndarray], np.ndarray], r: np.ndarray,
              y0: np.ndarray, k1: np.ndarray, step: np.ndarray, rtol: float, atol: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Dormand-Prince 5(4) step for each row of ``y0`` (its own time ``r`` and ``step``).

    Returns the 5th-order solution, the field there (first stage of the next step) and, per
    row, the error norm ``max_i |e_i| / (atol + rtol max(|y0_i|, |y_i|))``. The error ``e`` is
    the larger of the embedded estimate (5th minus 4th order) and the defect of the continuous
    extension at mid-step, ``step (u'(1/2) - f(u(1/2)))``: the embedded estimate alone can
    vanish by accident when the step crosses a bend of a piecewise-linear field, the defect
    does not (one extra evaluation per step).
    """
    h = step[:, None]
    k = [k1] + [None] * 6
    for s in range(1, 7):
        ys = y0 + h * sum(a * k[j] for j, a in enumerate(_A[s]) if a != 0.0)
        k[s] = field(r + _C[s] * step, ys)
    err = np.abs(h * sum(e * k[j] for j, e in enumerate(_E) if e != 0.0))
    mid = y0 + h * sum(w * k[j] for j, w in enumerate(_MID) if w != 0.0)
    slope = sum(w * k[j] for j, w in enumerate(_DMID) if w != 0.0)
    err = np.maximum(err, np.abs(h * (slope - field(r + 0.5 * step, mid))))
    scale = atol + rtol * np.maximum(np.abs(y0), np.abs(ys))
    return ys, k[6], np.max(err / scale, axis=1)


def _new_step(step: np.ndarray, norm: np.ndarray, after_reject: np.ndarray) -> np.ndarray:
    """Next step after an accepted one: ``0.9 norm^(-1/5)`` times, at most 5 (at most 1 right
    after a rejection)."""
    with np.errstate(divide="ignore"):
        grow = np.where(norm == 0, 5.0, np.minimum(5.0, 0.9 * norm ** -0.2))
    return step * np.where(after_reject, np.minimum(grow, 1.0), grow)


def _integrate(field: Callable[[np.ndarray, np.ndarray], np.ndarray], Y0: np.ndarray,
               r0: float, r1: float, n_save: int, rtol: float, atol: float, max_steps: int,
               shared: bool) -> tuple[np.ndarray, np.ndarray, int, int, int]:
    """Integrate ``dy/dr = field(r, y)`` (rows of ``y``, their times ``r``) from ``r0`` to ``r1``,
    landing on ``n_save`` equally spaced times. ``shared``: one step size for the batch (needed
    when the field depends on ``r``: every row is then at the same time); otherwise each row
    keeps its own time and step, and each stage evaluates the field once on the rows still
    running. Returns (times, states, field evaluations of the batch, accepted steps, rejected
    steps), steps summed over the rows unless shared."""
    times = np.linspace(r0, r1, n_save)
    n = Y0.shape[0]
    out = np.empty((n_save,) + Y0.shape)
    out[0] = Y0
    y, r = Y0.copy(), np.full(n, r0)
    nxt = np.ones(n, dtype=int)  # index of the next saved time of each row
    k1 = field(r, y)
    scale = atol + rtol * np.abs(y)
    d0, d1 = np.max(np.abs(y) / scale, axis=1), np.max(np.abs(k1) / scale, axis=1)
    h = np.where((d0 > 1e-5) & (d1 > 1e-5), 0.01 * d0 / np.maximum(d1, 1e-300), 1e-4)
    h = np.full(n, h.min()) if shared else h
    h = np.minimum(h, r1 - r0)
    after_reject = np.zeros(n, dtype=bool)
    evals, steps, rejected, rounds = 1, 0, 0, 0
    while np.any(nxt < n_save):
        rounds += 1
        if rounds > max_steps:
            raise RuntimeError(f"the flow needed more than max_steps = {max_steps} steps "
                               f"(reached r = {r.min():.6g} of {r1:.6g}); raise max_steps or rtol")
        idx = np.flatnonzero(nxt < n_save)
        target = times[nxt[idx]]
        step = np.minimum(h[idx], target - r[idx])
        last = step >= target - r[idx]
        ys, k7, norm = _try_step(field, r[idx], y[idx], k1[idx], step, rtol, atol)
        evals += 7
        if shared:
            norm = np.full(idx.size, norm.max())
        ok = norm <= 1.0
        a, st, lst = idx[ok], step[ok], last[ok]
        r[a] = np.where(lst, target[ok], r[a] + st)
        y[a], k1[a] = ys[ok], k7[ok]
        grown = _new_step(st, norm[ok], after_reject[a])
        h[a] = np.where(~lst | (grown < st), grown, np.maximum(h[a], grown))
        after_reject[a] = False
        saved = a[lst]
        out[nxt[saved], saved] = y[saved]
        nxt[saved] += 1
        b = idx[~ok]
        h[b] = step[~ok] * np.maximum(0.2, 0.9 * norm[~ok] ** -0.2)
        after_reject[b] = True
        steps += 1 if shared and ok.any() else int(ok.sum())
        rejected += 1 if shared and not ok.any() else int((~ok).sum())
    return times, out, evals, steps, rejected


# --------------------------------------------------------------------------------------------
# the two flows and the fixed-point iteration


def score_flow(h: object, y0: object, r_max: float, n_save: int = 101, rtol: float = 1e-9,
               atol: float = 1e-11, max_steps: int = 200_000) -> FlowResult:
    """The score flow of one denoiser, ``dy/dr = h(y) - y = sigma^2 s(y)``, for ``r`` in
    ``[0, r_max]``, from every row of ``y0`` (``(n, d)``) at once.

    ``h``: any denoiser mapping ``(n, d)`` to ``(n, d)`` (a ``RampSum``, eMMSE, a ``ReluNet``, or an
    object with ``denoise`` such as a trained ``ShallowDenoiser``). Integrated by Dormand-Prince
    5(4) (module doc) with a step size per start; ``paths`` holds the states at ``n_save``
    equally spaced times; ``n_steps`` and ``n_rejected`` are summed over the starts, and
    ``max_steps`` bounds the number of rounds of steps.
    """
    Y = _starts(y0)
    f = as_denoiser(h, "h")
    r_max = positive_scalar(r_max, "r_max")
    n_save = positive_int(n_save, "n_save", 2)
    rtol, atol = _tolerances(rtol, atol)
    max_steps = positive_int(max_steps, "max_steps")

    def field(r: np.ndarray, y: np.ndarray) -> np.ndarray:
        return _checked(f, y, "h", "along the score flow") - y

    times, paths, ev, st, rej = _integrate(field, Y, 0.0, r_max, n_save, rtol, atol,
                                           max_steps, shared=False)
    return FlowResult(times, paths, None, ev, st, rej)


def probability_flow(h_at_rho: Callable[[float], object], y0: object, sigma_T: float,
                     alpha: float, sigma_end: float | None = None, n_save: int = 101,
                     rtol: float = 1e-9, atol: float = 1e-11, max_steps: int = 200_000
                     ) -> FlowResult:
    """The variance-exploding probability flow with min-cost denoisers of radius ``alpha sigma``.

    ``dy/dt = -(h_t(y) - y) / (2t)`` from ``t = T = sigma_T^2`` down to ``t = sigma_end^2``; in the
    log-noise time ``r = -log sigma``,

        ``dy/dr = h_{rho(r)}(y) - y``,  ``rho(r) = alpha e^{-r}``,  ``r`` from ``-log sigma_T``
        to ``-log sigma_end``.

    ``h_at_rho(rho)`` returns the denoiser of radius ``rho`` (a ``RampSum`` family from
    :func:`ramp_family`, or e.g. ``lambda rho: mnd.emmse(X, rho / alpha)``). ``sigma_end``
    defaults to ``1e-8 sigma_T`` (18.4 units of ``r``: the flow has stopped moving). Integrated
    by Dormand-Prince 5(4) (module doc), one step size for all starts; ``rho`` holds ``rho(r)``
    at the saved times.
    Raises ``ValueError`` if ``h_at_rho`` refuses the largest radius ``alpha sigma_T``.
    """
    Y = _starts(y0)
    if not callable(h_at_rho):
        raise TypeError(f"h_at_rho must be a callable rho -> denoiser, got "
                        f"{type(h_at_rho).__name__}")
    sigma_T = positive_scalar(sigma_T, "sigma_T")
    alpha = positive_scalar(alpha, "alpha")
    sigma_end = 1e-8 * sigma_T if sigma_end is None else positive_scalar(sigma_end, "sigma_end")
    if sigma_end >= sigma_T:
        raise ValueError(f"sigma_end must be < sigma_T (the flow runs from high to low noise), "
                         f"got sigma_end = {sigma_end:g}, sigma_T = {sigma_T:g}")
    n_save = positive_int(n_save, "n_save", 2)
    rtol, atol = _tolerances(rtol, atol)
    max_steps = positive_int(max_steps, "max_steps")
    try:
        as_denoiser(h_at_rho(alpha * sigma_T), "h_at_rho(rho)")
    except ValueError as exc:
        raise ValueError(f"rho = alpha * sigma_T = {alpha * sigma_T:g} is out of range for "
                         f"h_at_rho: {exc}") from exc

    def field(r: np.ndarray, y: np.ndarray) -> np.ndarray:
        rho = alpha * np.exp(-r[0])  # one time for the whole batch (shared steps)
        f = as_denoiser(h_at_rho(rho), "h_at_rho(rho)")
        return _checked(f, y, "h_at_rho(rho)", f"at rho = {rho:.6g}") - y

    r0, r1 = -np.log(sigma_T), -np.log(sigma_end)
    times, paths, ev, st, rej = _integrate(field, Y, r0, r1, n_save, rtol, atol, max_steps,
                                           shared=True)
    return FlowResult(times, paths, alpha * np.exp(-times), ev, st, rej)


def fixed_point_iteration(h: object, y0: object, n_iter: int, n_save: int = 101) -> FlowResult:
    """``y_{k+1} = h(y_k)``, ``k = 0, ..., n_iter - 1``: the Euler method of step 1 for the score
    flow (``y + 1 (h(y) - y) = h(y)``). ``paths`` keeps ``min(n_save, n_iter + 1)`` iterates,
    equally spaced in ``k`` (the first and the last always); ``r`` holds their ``k``."""
    Y = _starts(y0)
    f = as_denoiser(h, "h")
    n_iter = positive_int(n_iter, "n_iter")
    n_save = positive_int(n_save, "n_save", 2)
    keep = np.unique(np.round(np.linspace(0, n_iter, min(n_save, n_iter + 1))).astype(int))
    out = np.empty((keep.size,) + Y.shape)
    out[0], j = Y, 1
    for k in range(1, n_iter + 1):
        Y = _checked(f, Y, "h", f"at iteration {k}")
        if j < keep.size and k == keep[j]:
            out[j], j = Y, j + 1
    return FlowResult(keep.astype(float), out, None, n_iter, n_iter, 0)


def ramp_family(h_ref: RampSum, rho_ref: float) -> Callable[[float], RampSum]:
    """The denoisers ``h_rho`` of a closed form at every radius, from one member
    ``h_ref = h_{rho_ref}``.

    In every closed form of the package a ramp runs from the edge of one ball to the edge of the
    next, ``clip((u.y - s_0 - rho) / (e_0 - s_0 - 2 rho))``: changing the radius moves each start
    by ``+(rho - rho_ref)`` and each end by ``-(rho - rho_ref)``,

        ``h_rho(y) = c + sum_j v_j clip((u_j.y - s_j - D) / (e_j - s_j - 2 D))``,
        ``D = rho - rho_ref``.

    Building ``h_rho`` this way costs one ``RampSum`` construction, without re-checking the data
    at every step of a flow. Raises ``ValueError`` for a ``rho`` at which a ramp would have no
    width (the balls would touch).
    """
    if not isinstance(h_ref, RampSum):
        raise TypeError(f"h_ref must be a RampSum (a closed form), got {type(h_ref).__name__}")
    rho_ref = positive_scalar(rho_ref, "rho_ref")
    width = h_ref.ends - h_ref.starts
    rho_max = rho_ref + 0.5 * width.min() if width.size else np.inf

    def h_at_rho(rho: float) -> RampSum:
        rho = positive_scalar(rho, "rho")
        if rho >= rho_max:
            raise ValueError(f"rho = {rho:g} is too large: a ramp would have no width (the balls "
                             f"touch at rho = {rho_max:g})")
        D = rho - rho_ref
        return RampSum(h_ref.c, h_ref.directions, h_ref.outputs, h_ref.starts + D, h_ref.ends - D)

    h_at_rho.rho_max = rho_max
    return h_at_rho


@dataclass
class StationaryPoints:
    """Stationary points ``y = h(y)`` of a ramp sum's score flow (:func:`stationary_points`).

    ``points``: ``(m, d)``; ``eigenvalues``: ``(m, d)`` of the Jacobian of ``h(y) - y`` there, by
    decreasing real part; ``stable``: ``(m,)`` every real part ``< 0``; ``patterns``: ``(m, J)``
    the part of each ramp, 0 (flat at 0), 1 (sloped) or 2 (flat at 1).
    """

    points: np.ndarray
    eigenvalues: np.ndarray
    stable: np.ndarray
    patterns: np.ndarray


def stationary_points(h: RampSum, tol: float = 1e-9, max_ramps: int = 12) -> StationaryPoints:
    """Every isolated stationary point of the score flow ``dy/dr = h(y) - y`` of a ramp sum.

    Give each ramp a part: flat at 0 (``F``), sloped (``M``) or flat at 1 (``S``). There ``h`` is
    affine, ``h(y) = c + sum_S v_j + sum_M v_j (u_j.y - s_j) / w_j`` (``w_j = e_j - s_j``), so
    ``y = h(y)`` is the linear system ``(I - B) y = c + sum_S v_j - sum_M v_j s_j / w_j`` with
    ``B = sum_M v_j u_j^T / w_j``. Its solution is kept when every ramp is in its assigned part
    (up to ``tol``); the Jacobian of the field is ``B - I``, and the point is stable when all of
    its eigenvalues have negative real part. All ``3^J`` parts are tried (``J <= max_ramps``);
    a singular system (a continuum of stationary points) is skipped; duplicates (a point on a
    bend, found from two parts) are kept once.
    """
    if not isinstance(h, RampSum):
        raise TypeError(f"h must be a RampSum (a closed form), got {type(h).__name__}")
    tol = positive_scalar(tol, "tol")
    max_ramps = positive_int(max_ramps, "max_ramps")
    J, d = h.n_ramps, h.d
    if J > max_ramps:
        raise ValueError(f"h has {J} ramps: 3^{J} parts to try exceeds the limit max_ramps = "
                         f"{max_ramps}")
    w = h.ends - h.starts
    G = h.outputs[:, :, None] * h.directions[:, None, :] / w[:, None, None]  # (J, d, d)
    found: list[tuple[np.ndarray, np.ndarray, tuple[int, ...]]] = []
    for pat in np.ndindex(*([3] * J)):
        p = np.array(pat, dtype=int)
        mid = p == 1
        B = G[mid].sum(axis=0) if mid.any() else np.zeros((d, d))
        shift = (h.outputs[mid] * (h.starts[mid] / w[mid])[:, None]).sum(axis=0)
        rhs = h.c + h.outputs[p == 2].sum(axis=0) - shift
        M = np.eye(d) - B
        if np.linalg.cond(M) > 1e12:
            continue
        y = np.linalg.solve(M, rhs)
        t = (h.directions @ y - h.starts) / w
        ok = np.where(p == 0, t <= tol,
                      np.where(p == 2, t >= 1 - tol, (t >= -tol) & (t <= 1 + tol)))
        if ok.all() and not any(np.abs(y - q).max() <= 1e3 * tol * (1 + np.abs(y).max())
                                for q, _, _ in found):
            ev = np.linalg.eigvals(B - np.eye(d))
            found.append((y, ev[np.argsort(-ev.real)], pat))
    if not found:
        return StationaryPoints(np.empty((0, d)), np.empty((0, d)), np.empty(0, bool),
                                np.empty((0, J), int))
    P = np.array([f[0] for f in found])
    E = np.array([f[1] for f in found])
    E = E.real if np.all(np.abs(E.imag) < 1e-12) else E
    return StationaryPoints(P, E, np.all(E.real < 0, axis=1), np.array([f[2] for f in found]))


# --------------------------------------------------------------------------------------------
# the hyperbox, and the exact flows for orthogonal data


def hyperbox_coordinates(X: object, y: object, apex: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates ``tau`` of points in the hyperbox frame of the data, and their distance to it.

    With edges ``E_n = x_n - x_0`` from the apex ``x_0 = X[apex]`` (linearly independent), ``tau``
    (``(n, k)``) is the least-squares solution of ``y - x_0 = sum_n tau_n E_n`` and the residual
    (``(n,)``) is ``|y - x_0 - sum_n tau_n E_n|``, the distance to the span of the edges. The
    hyperbox is ``tau in [0, 1]^k``; its vertices (``tau`` in ``{0, 1}^k``) are the subset sums.
    """
    x0, E = _frame(X, apex, orthogonal=False)
    Y = as_finite_array(y, "y")
    if Y.ndim != 2 or Y.shape[1] != E.shape[1]:
        raise ValueError(f"y must have shape (n, {E.shape[1]}) (the dimension of X), got {Y.shape}")
    Z = Y - x0
    tau = np.linalg.lstsq(E.T, Z.T, rcond=None)[0].T
    return tau, np.linalg.norm(Z - tau @ E, axis=1)


@dataclass
class Endpoints:
    """Where flows ended, relative to the hyperbox of the data (:func:`classify_endpoints`).

    ``labels``: ``(n,)`` one of :data:`LABELS`; ``subsets``: ``(n, k)`` booleans, the vertex
    ``x_0 + sum_{n in S} (x_n - x_0)`` nearest in each coordinate (``tau_n > 1/2``);
    ``vertex_distance``: ``(n,)`` distance to that vertex.
    """

    labels: np.ndarray
    subsets: np.ndarray
    vertex_distance: np.ndarray

    def fractions(self) -> dict[str, float]:
        """Share of the end points in each class of :data:`LABELS`."""
        return {lab: float(np.mean(self.labels == lab)) for lab in LABELS}


def classify_endpoints(X: object, ends: object, tol: float, apex: int = 0,
                       norm: float = 2) -> Endpoints:
    """Sort end points into training point / virtual point / hyperbox boundary / other.

    With ``tau`` and the residual from :func:`hyperbox_coordinates`, ``L_n = |x_n - x_0|`` and the
    vertex ``v = x_0 + sum_n [tau_n > 1/2] (x_n - x_0)``:

    - ``"training"``: ``|y - v| <= tol`` and ``v`` sums at most one edge (``v`` is a data point);
    - ``"virtual"``: ``|y - v| <= tol`` and ``v`` sums two or more edges (a virtual point);
    - ``"boundary"``: otherwise, within ``tol`` of the hyperbox,
      ``sqrt(sum_n (L_n dist(tau_n, [0, 1]))^2 + residual^2) <= tol``, and within ``tol`` of one of
      its faces, ``min_n L_n min(|tau_n|, |1 - tau_n|) <= tol``;
    - ``"other"``: everything else (inside the hyperbox away from its faces, or outside it).

    ``|y - v|`` is measured in the norm ``norm`` (2 or ``np.inf``); the box and face distances are
    Euclidean for orthogonal data (for other edges, distances along the edges). The data need
    linearly independent edges from the apex.
    """
    x0, E = _frame(X, apex, orthogonal=False)
    Y = as_finite_array(ends, "ends")
    if Y.ndim != 2 or Y.shape[1] != E.shape[1]:
        raise ValueError(f"ends must have shape (n, {E.shape[1]}) (the dimension of X), "
                         f"got {Y.shape}")
    tol = positive_scalar(tol, "tol")
    if norm not in (2, np.inf):
        raise ValueError(f"norm must be 2 or np.inf, got {norm!r}")
    tau, res = hyperbox_coordinates(X, Y, apex)
    L = np.linalg.norm(E, axis=1)
    S = tau > 0.5
    dist = np.linalg.norm(Y - (x0 + S @ E), ord=norm, axis=1)
    out_box = L * np.maximum(np.maximum(-tau, tau - 1.0), 0.0)
    box = np.sqrt(np.sum(out_box ** 2, axis=1) + res ** 2)
    face = np.min(L * np.minimum(np.abs(tau), np.abs(1.0 - tau)), axis=1)
    labels = np.full(Y.shape[0], "other", dtype=object)
    labels[(box <= tol) & (face <= tol)] = "boundary"
    near = dist <= tol
    labels[near] = np.where(S[near].sum(axis=1) <= 1, "training", "virtual")
    return Endpoints(labels.astype(str), S, dist)


def _orthogonal_parts(X: object, y0: object, apex: int) -> tuple[np.ndarray, ...]:
    """Apex, unit edges ``U`` (``(k, d)``), lengths ``L``, coordinates ``c = U (y0 - x0)``
    (``(n, k)``) and the part of ``y0 - x0`` orthogonal to the edges (``(n, d)``)."""
    x0, E = _frame(X, apex, orthogonal=True)
    Y = _starts(y0)
    if Y.shape[1] != E.shape[1]:
        raise ValueError(f"y0 must have shape (n, {E.shape[1]}) (the dimension of X), "
                         f"got {Y.shape}")
    L = np.linalg.norm(E, axis=1)
    U = E / L[:, None]
    c = (Y - x0) @ U.T
    return x0, U, L, c, (Y - x0) - c @ U


def _check_rho(rho: float, L: np.ndarray, name: str = "rho") -> None:
    if 2 * rho >= L.min():
        raise ValueError(f"{name} = {rho:g} is too large: the closed form needs 2 {name} < "
                         f"the shortest edge {L.min():g} (disjoint balls)")


def _times(r: object, name: str = "r", low: float = 0.0) -> np.ndarray:
    R = as_finite_array(r, name, allow_inf=True)
    if R.ndim > 1 or np.any(R < low):
        raise ValueError(f"{name} must be a scalar or a 1D array of times >= {low:g}, got "
                         f"shape {R.shape}" + (f", min {R.min():g}" if R.size else ""))
    return np.atleast_1d(R)


def orthogonal_score_flow(X: object, y0: object, rho: float, r: object, apex: int = 0
                          ) -> np.ndarray:
    """Exact score flow ``dy/dr = h*(y) - y`` of the min-cost denoiser of orthogonal data.

    In the coordinates ``tau_n = u_n.(y - x_0) / L_n`` with ``a_n = rho / L_n`` the flow separates:
    ``dtau/dr = -tau`` for ``tau <= a`` and ``1 - tau`` for ``tau >= 1 - a`` (flat parts of the
    ramp), ``dtau/dr = k (tau - 1/2)``, ``k = 2a / (1 - 2a)``, in between; the part orthogonal to
    the edges decays as ``e^{-r}``. So ``tau - 1/2`` grows as ``e^{k r}`` until ``tau`` reaches
    ``a`` or ``1 - a`` (at ``r_1 = log((1/2 - a) / |tau_0 - 1/2|) / k``), then decays to 0 or 1 as
    ``e^{-(r - r_1)}``. Returns ``(len(r), n, d)``; ``r = np.inf`` gives the limit, the vertex
    nearest the start (a coordinate at exactly ``1/2`` stays there).
    """
    x0, U, L, c, perp = _orthogonal_parts(X, y0, apex)
    rho = positive_scalar(rho, "rho")
    _check_rho(rho, L)
    R = _times(r)[:, None, None]
    a = rho / L
    tau0 = c / L
    z0 = tau0 - 0.5
    k = 2 * a / (1 - 2 * a)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        r1 = np.where(z0 == 0, np.inf, np.log((0.5 - a) / np.abs(z0)) / k)
        low = np.where(R <= r1, 0.5 + z0 * np.exp(k * R), a * np.exp(-(R - r1)))
        high = np.where(R <= r1, 0.5 + z0 * np.exp(k * R), 1 - a * np.exp(-(R - r1)))
        mid = np.where(z0 < 0, low, high)
        mid = np.where(z0 == 0, 0.5, mid)
        tau = np.where(tau0 <= a, tau0 * np.exp(-R), np.where(tau0 >= 1 - a,
                       1 - (1 - tau0) * np.exp(-R), mid))
        decay = np.exp(-R)
    return x0 + (tau * L) @ U + decay * perp


def orthogonal_probability_flow(X: object, y0: object, sigma_T: float, alpha: float, r: object,
                                apex: int = 0) -> np.ndarray:
    """Exact probability flow ``dy/dr = h_{rho(r)}(y) - y``, ``rho = alpha e^{-r}``, for
    orthogonal data.

    Start at ``r_0 = -log sigma_T`` with ``a_n = alpha sigma_T / L_n < 1/2`` and ``tau_n`` as in
    :func:`orthogonal_score_flow`. The ramps' flat parts shrink with the flow, so no coordinate
    ever changes part: with ``s = r - r_0`` and ``a_n(r) = a_n e^{-s}``,

    - ``tau_0 <= a``: ``tau = tau_0 e^{-s}`` (to 0);
    - ``tau_0 >= 1 - a``: ``1 - tau = (1 - tau_0) e^{-s}`` (to 1);
    - otherwise ``tau - 1/2 = (tau_0 - 1/2) (1 - 2 a(r)) / (1 - 2 a)``, which freezes at
      ``1/2 + (tau_0 - 1/2) / (1 - 2a)`` inside ``(0, 1)``.

    The orthogonal part decays as ``e^{-s}``. ``r``: times ``>= r_0`` (``np.inf`` for the limit).
    Returns ``(len(r), n, d)``.
    """
    x0, U, L, c, perp = _orthogonal_parts(X, y0, apex)
    sigma_T = positive_scalar(sigma_T, "sigma_T")
    alpha = positive_scalar(alpha, "alpha")
    _check_rho(alpha * sigma_T, L, "alpha * sigma_T")
    r0 = -np.log(sigma_T)
    S = _times(r, "r", low=r0)[:, None, None] - r0
    a = alpha * sigma_T / L
    tau0 = c / L
    decay = np.exp(-S)
    frozen = 0.5 + (tau0 - 0.5) * (1 - 2 * a * decay) / (1 - 2 * a)
    tau = np.where(tau0 <= a, tau0 * decay, np.where(tau0 >= 1 - a, 1 - (1 - tau0) * decay, frozen))
    return x0 + (tau * L) @ U + decay * perp


def critical_sigma(X: object, y0: object, alpha: float, apex: int = 0) -> np.ndarray:
    """The smallest ``sigma_T`` from which the probability flow of orthogonal data reaches a vertex.

    ``sigma*(y_0) = max_n min(c_n, L_n - c_n)_+ / alpha`` with ``c_n = u_n.(y_0 - x_0)``: every
    coordinate must start on a flat part of its ramp, within ``rho = alpha sigma_T`` of 0 or of
    ``L_n`` (or outside ``[0, L_n]``). ``T* = sigma*^2``; 0 for a start on a vertex.
    Returns ``(n,)``.
    """
    _, _, L, c, _ = _orthogonal_parts(X, y0, apex)
    alpha = positive_scalar(alpha, "alpha")
    return np.max(np.maximum(np.minimum(c, L - c), 0.0), axis=1) / alpha
