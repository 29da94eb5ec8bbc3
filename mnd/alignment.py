"""How a network's units line up with the data: with a closed form's ramps, with the data's
edges, and with the span of the edges.

A network's unit ``k`` bends on the hyperplane ``w_k . y + b_k = 0``; a ramp ``j`` of a closed
form bends on ``u_j . y = s_j`` and ``u_j . y = e_j``. Alignment compares the *lines* spanned by
``w_k`` and ``u_j`` (sign does not matter): the angle ``arccos |w_k . u_j| / |w_k|`` to the best
matching ramp, weighted by the unit's share of the representation cost ``|a_k||w_k|``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import beta

from ._checks import as_finite_array, check_rel_tol, tolerance
from .ramps import RampSum
from .relu_net import as_relu_net


@dataclass(frozen=True)
class Alignment:
    """Per active unit: angle (degrees) to the best-matching ramp direction, its index, and cost."""

    angles: np.ndarray
    matched: np.ndarray
    unit_costs: np.ndarray
    n_directions: int

    @property
    def weighted_mean(self) -> float:
        """Cost-weighted mean angle in degrees (0 = every unit along a closed-form direction)."""
        return float(np.sum(self.angles * self.unit_costs) / np.sum(self.unit_costs))

    @property
    def max_angle(self) -> float:
        """Largest angle (degrees) over active units."""
        return float(self.angles.max())

    def cost_per_direction(self) -> np.ndarray:
        """Total unit cost matched to each direction, shape ``(J,)``."""
        return np.bincount(self.matched, weights=self.unit_costs, minlength=self.n_directions)


def line_angles(W: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Angles in degrees between the lines spanned by rows of ``W`` (K, d) and ``U`` (J, d): ``(K, J)``."""
    W = as_finite_array(W, "W")
    U = as_finite_array(U, "U")
    if W.ndim != 2 or U.ndim != 2 or W.shape[1] != U.shape[1]:
        raise ValueError(f"W and U must be (K, d) and (J, d) with the same d, got {W.shape}, {U.shape}")
    if U.shape[0] == 0:
        raise ValueError("U must hold at least one direction to measure angles to, got shape "
                         f"{U.shape}")
    nw, nu = np.linalg.norm(W, axis=1), np.linalg.norm(U, axis=1)
    if np.any(nw == 0) or np.any(nu == 0):
        raise ValueError("directions must be non-zero vectors")
    cos = np.abs((W / nw[:, None]) @ (U / nu[:, None]).T)
    return np.degrees(np.arccos(np.clip(cos, 0.0, 1.0)))


def unit_alignment(net: object, directions: np.ndarray | RampSum, rel_tol: float = 1e-2) -> Alignment:
    """Alignment of the active units of a network with ``directions``.

    ``net``: a :class:`~mnd.ReluNet` or anything with ``to_relu_net`` (a trained
    ``ShallowDenoiser``, a certificate). ``directions``: ``(J, d)`` or a ``RampSum`` (its ramp
    directions). A unit is active if its cost ``|a_k||w_k|`` exceeds ``rel_tol`` times the largest.
    """
    net = as_relu_net(net)
    rel_tol = check_rel_tol(rel_tol)
    U = directions.directions if isinstance(directions, RampSum) else as_finite_array(directions, "directions")
    if U.ndim != 2 or U.shape[1] != net.d or U.shape[0] == 0:
        raise ValueError(f"directions must have shape (J, {net.d}) with J >= 1 for a network in "
                         f"d = {net.d}, got {U.shape}")
    costs = net.unit_costs()
    if costs.size == 0 or costs.max() == 0:
        raise ValueError("the network has no active unit (all |a_k||w_k| = 0)")
    active = net.active(rel_tol)
    ang = line_angles(net.W[active], U)
    return Alignment(angles=ang.min(axis=1), matched=ang.argmin(axis=1), unit_costs=costs[active],
                     n_directions=U.shape[0])


# ---------------------------------------------------------------------------------------------
# Edges
#
# Which edge of the data a direction follows.
#
# The edges of clean points ``x_0, ..., x_{N-1}`` are the ``N (N - 1) / 2`` difference vectors
# ``e_ij = x_j - x_i`` (``i < j``). A unit's input weight ``w_k`` (or output weight ``a_k``) is matched
# to the edge whose *line* it is closest to, by the angle
#
#     theta_k = min_{i<j} arccos( |w_k . e_ij| / (|w_k| |e_ij|) )   (degrees, sign ignored).
#
# The closed forms predict ``theta_k = 0`` for the edges leaving an obtuse vertex; for larger data
# sets no closed form is claimed and the histogram of matched edges is what is measured.

@dataclass(frozen=True)
class EdgeMatch:
    """Per row: the best-matching edge ``(i, j)``, its index in :func:`edge_vectors` order, the angle."""

    pairs: np.ndarray
    index: np.ndarray
    angles: np.ndarray


def edge_vectors(X: object) -> tuple[np.ndarray, np.ndarray]:
    """All edges ``x_j - x_i`` for ``i < j`` in lexicographic order: ``(pairs (E, 2), vectors (E, d))``."""
    X = as_finite_array(X, "X")
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"X must have shape (N, d) with N >= 2, got shape {X.shape}")
    i, j = np.triu_indices(X.shape[0], 1)
    E = X[j] - X[i]
    if np.any(np.linalg.norm(E, axis=1) == 0):
        k = int(np.argmin(np.linalg.norm(E, axis=1)))
        raise ValueError(f"points {i[k]} and {j[k]} coincide: their edge has no direction")
    return np.column_stack([i, j]), E


def best_edges(V: object, X: object) -> EdgeMatch:
    """Match every row of ``V`` (``(K, d)``) to the edge of ``X`` whose line is closest in angle."""
    pairs, E = edge_vectors(X)
    Vm = np.atleast_2d(as_finite_array(V, "V"))
    if Vm.ndim != 2 or Vm.shape[1] != E.shape[1]:
        raise ValueError(f"V must have shape (K, d) = (K, {E.shape[1]}) for points X in d = {E.shape[1]}, "
                         f"got V of shape {np.shape(V)} and X of shape {np.shape(X)}")
    ang = line_angles(Vm, E)
    idx = ang.argmin(axis=1)
    return EdgeMatch(pairs=pairs[idx], index=idx, angles=ang[np.arange(len(idx)), idx])


# ---------------------------------------------------------------------------------------------
# The span of the edges
#
# How much of a vector lies in the span of the data's edges.
#
# For clean points ``x_0, ..., x_{N-1}`` in ``R^d`` the *edge span* is the linear span of the edge
# vectors ``x_i - x_0`` (equivalently of ``x_i - xbar``), of dimension ``r <= N - 1``. With ``P`` the
# orthogonal projection onto it, the *span fraction* of a non-zero vector ``v`` is
#
#     f(v) = |P v|^2 / |v|^2  in [0, 1],
#
# the share of its squared length inside the span (``sqrt(f)`` is the cosine of the angle between
# ``v`` and the span). The min-cost denoiser of data in an affine subspace has every input weight
# ``w_k`` and output weight ``a_k`` in the edge span (``f = 1``). For a direction drawn uniformly on
# the sphere ``S^{d-1}``, ``f`` follows a ``Beta(r/2, (d - r)/2)`` law with mean ``r / d``: the baseline
# that says how much alignment chance alone would give.

def edge_basis(X: object, tol: float = 1e-9) -> np.ndarray:
    """Orthonormal basis ``(d, r)`` of the span of the edges ``x_i - x_0`` of the rows of ``X``.

    ``r`` counts singular values of the edge matrix above ``tol`` times the largest (relative, so
    the result does not depend on the data's scale). Needs ``N >= 2`` distinct points.
    """
    X = as_finite_array(X, "X")
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"X must have shape (N, d) with N >= 2, got shape {X.shape}")
    tol = tolerance(tol, "tol")
    E = X[1:] - X[0]
    _, s, Vt = np.linalg.svd(E, full_matrices=False)
    if s[0] == 0:
        raise ValueError("all points coincide: the edge span is {0}")
    r = int(np.sum(s > tol * s[0]))
    return Vt[:r].T


def span_fraction(V: object, basis: object) -> np.ndarray:
    """``|P v|^2 / |v|^2`` for every row ``v`` of ``V`` (``(K, d)``, or one vector ``(d,)``).

    ``basis``: ``(d, r)`` with orthonormal columns (e.g. from :func:`edge_basis`). Returns ``(K,)``
    (a float for a single vector). Zero rows raise ``ValueError``.
    """
    single = np.ndim(V) == 1
    V = np.atleast_2d(as_finite_array(V, "V"))
    B = as_finite_array(basis, "basis")
    if B.ndim != 2 or V.ndim != 2 or B.shape[0] != V.shape[1]:
        raise ValueError(f"V must be (K, d) and basis (d, r) with the same d, got {V.shape} and {B.shape}")
    if not np.allclose(B.T @ B, np.eye(B.shape[1]), atol=1e-8):
        raise ValueError("basis must have orthonormal columns")
    norms2 = np.sum(V**2, axis=1)
    if np.any(norms2 == 0):
        raise ValueError("span fraction is undefined for a zero vector")
    frac = np.clip(np.sum((V @ B) ** 2, axis=1) / norms2, 0.0, 1.0)
    return float(frac[0]) if single else frac


def weighted_span_fraction(V: object, basis: object, weights: object) -> float:
    """``sum_k c_k f(v_k) / sum_k c_k``: the span fraction averaged with weights ``c_k >= 0`` (for a
    network, each unit's share ``|a_k||w_k|`` of the representation cost)."""
    f = np.atleast_1d(span_fraction(V, basis))
    c = as_finite_array(weights, "weights")
    if c.shape != f.shape or np.any(c < 0) or c.sum() == 0:
        raise ValueError("weights must be non-negative, one per row of V, and not all zero")
    return float(np.sum(c * f) / c.sum())


def random_fraction_mean(r: int, d: int) -> float:
    """``E f(v) = r / d`` for ``v`` uniform on the sphere in ``R^d`` and a subspace of dimension ``r``."""
    _check_dims(r, d)
    return r / d


def random_fraction_quantile(q: float | np.ndarray, r: int, d: int) -> float | np.ndarray:
    """Quantile ``q`` of ``f(v)`` for a uniformly random direction: ``Beta(r/2, (d - r)/2)``.

    ``f = (g_1^2 + .. + g_r^2) / (g_1^2 + .. + g_d^2)`` for Gaussian ``g``, a ratio of independent
    chi-squares, hence the Beta law. For ``r = d`` every direction lies in the span (``f = 1``).
    """
    _check_dims(r, d)
    q = as_finite_array(q, "q")
    if np.any((q < 0) | (q > 1)):
        raise ValueError(f"quantile levels q must lie in [0, 1], got {q}")
    out = np.ones_like(q) if r == d else beta.ppf(q, r / 2, (d - r) / 2)
    return float(out) if out.ndim == 0 else out


def _check_dims(r: int, d: int) -> None:
    for name, v in (("r", r), ("d", d)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {type(v).__name__}")
    if not 1 <= r <= d:
        raise ValueError(f"need 1 <= r <= d, got r = {r}, d = {d}")


# ---------------------------------------------------------------------------------------------
# Span and alignment of a network's units against clean points
#
# For a network ``h(y) = sum_k a_k [w_k . y + b_k]_+ + V y + c`` and clean points ``X`` (N, d), each
# active unit ``k`` (cost ``c_k = |a_k||w_k|`` above ``rel_tol`` times the largest) is described by
#
#     f(w_k) = |P w_k|^2 / |w_k|^2,   f(a_k) = |P a_k|^2 / |a_k|^2     (P: projection onto the edge span)
#     theta(w_k) = min_j angle(line w_k, line u_j),  theta(a_k) = min_j angle(line a_k, line v_j)
#     theta(P w_k) = min_j angle(line P w_k, line u_j)                 (the in-span part of w_k)
#
# with reference lines ``u_j`` (inputs) and ``v_j`` (outputs): a closed form's ramp directions and
# output vectors, or by default the edges ``x_j - x_i`` of ``X``. Averages use the weights ``c_k``.

@dataclass(frozen=True)
class SpanAlignment:
    """Per active unit (rows in the order of ``index``): weights, cost, span fractions, and the
    angle in degrees to (and index of) the nearest reference line; see :func:`span_alignment`."""

    index: np.ndarray
    unit_costs: np.ndarray
    W: np.ndarray
    A: np.ndarray
    span_w: np.ndarray
    span_a: np.ndarray
    angle_w: np.ndarray
    angle_a: np.ndarray
    angle_pw: np.ndarray
    match_w: np.ndarray
    match_a: np.ndarray

    def mean(self, field: str) -> float:
        """Cost-weighted mean ``sum_k c_k v_k / sum_k c_k`` of a per-unit field (``"span_w"``,
        ``"span_a"``, ``"angle_w"``, ``"angle_a"``, ``"angle_pw"``); ``nan`` entries are skipped."""
        if field not in ("span_w", "span_a", "angle_w", "angle_a", "angle_pw"):
            raise ValueError(f"field must be a span fraction or an angle, got {field!r}")
        v = getattr(self, field)
        ok = np.isfinite(v)
        return float(np.sum(self.unit_costs[ok] * v[ok]) / np.sum(self.unit_costs[ok]))


def _nearest_line(V: np.ndarray, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Angle (degrees) from each row of ``V`` to the nearest line of ``U``, and its index."""
    ang = line_angles(V, U)
    idx = ang.argmin(axis=1)
    return ang[np.arange(len(idx)), idx], idx


def span_alignment(net: object, X: object, inputs: object | None = None, outputs: object | None = None,
                   rel_tol: float = 1e-2) -> SpanAlignment:
    """Span fractions and alignment of the active units of ``net`` with clean points ``X``.

    ``net``: anything :func:`mnd.as_relu_net` accepts. ``X``: ``(N, d)`` clean points; ``P``
    projects onto the span of their edges (:func:`edge_basis`). ``inputs`` ``(J, d)``: the lines
    the input weights ``w_k`` (and their in-span parts ``P w_k``) are matched to; ``outputs``
    ``(J', d)``: the lines for the output weights ``a_k``. Defaults: the edges of ``X`` in
    :func:`edge_vectors` order for ``inputs``, and ``inputs`` for ``outputs``. A unit is active
    if ``|a_k||w_k| > rel_tol * max_k |a_k||w_k|`` (``rel_tol = 0``: every unit of non-zero cost).
    ``angle_pw`` is ``nan`` for a unit with ``P w_k = 0``.
    """
    net = as_relu_net(net)
    X = as_finite_array(X, "X")
    if X.ndim != 2 or X.shape[1] != net.d:
        raise ValueError(f"X must have shape (N, {net.d}) for a network in d = {net.d}, got {X.shape}")
    U_in = edge_vectors(X)[1] if inputs is None else np.atleast_2d(as_finite_array(inputs, "inputs"))
    U_out = U_in if outputs is None else np.atleast_2d(as_finite_array(outputs, "outputs"))
    for U, name in ((U_in, "inputs"), (U_out, "outputs")):
        if U.ndim != 2 or U.shape[1] != net.d:
            raise ValueError(f"{name} must have shape (J, {net.d}), got {U.shape}")
    active = net.active(rel_tol)
    if active.size == 0:
        raise ValueError("the network has no active unit (all |a_k||w_k| = 0)")
    B = edge_basis(X)
    W, A = net.W[active], net.A[:, active].T
    PW = (W @ B) @ B.T
    inside = np.linalg.norm(PW, axis=1) > 1e-12 * np.linalg.norm(W, axis=1)
    angle_pw = np.full(len(active), np.nan)
    if inside.any():
        angle_pw[inside] = _nearest_line(PW[inside], U_in)[0]
    angle_w, match_w = _nearest_line(W, U_in)
    angle_a, match_a = _nearest_line(A, U_out)
    return SpanAlignment(index=active, unit_costs=net.unit_costs()[active], W=W, A=A,
                         span_w=np.atleast_1d(span_fraction(W, B)), span_a=np.atleast_1d(span_fraction(A, B)),
                         angle_w=angle_w, angle_a=angle_a, angle_pw=angle_pw, match_w=match_w,
                         match_a=match_a)
