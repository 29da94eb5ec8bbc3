"""Simplices: the obtuse simplex (rays from the obtuse vertex), the regular simplex (ramps normal
to the facets), and, for acute triangles, the family of facet-normal ramp sums ``h_c`` with two
members: the authors' orthocentric formula (centre at the orthocentre; from the code of the
paper's experiments, ``yanivbl6/triangles_denoiser``, ``mnist.py``) and the book's cheaper
candidate (centre at a weighted Fermat-Weber point). Neither is proved minimal.
"""

from __future__ import annotations

import numpy as np

import warnings

from .._checks import as_finite_array, check_distinct, check_separation, points_nd, positive_int, positive_scalar, tolerance
from ..ramps import RampSum
from .rays import rays
from .subspace import affine_basis


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
    X = points_nd(X)
    angle_tol = tolerance(angle_tol, "angle_tol")
    check_distinct(X)
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
    X = points_nd(X)
    rho = positive_scalar(rho, "rho")
    tol = tolerance(tol, "tol")
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
    program (:func:`mnd.certify.dictionary_min_cost`) finds exactly interpolating
    networks of lower cost once ``rho`` exceeds a value between ``0.6612 Rc`` and ``0.6614 Rc`` for
    the triangle (limit ``0.75 Rc``) and between ``0.620 Rc`` and ``0.625 Rc`` for the regular
    tetrahedron (limit ``0.667 Rc``); below those values its
    certified lower bound matches this formula. The function then still returns the formula (a
    valid interpolant) but warns (``UserWarning``) that it is not the minimiser. For ``N >= 5``
    no threshold has been measured.
    """
    X = points_nd(X)
    rho = positive_scalar(rho, "rho")
    tol = tolerance(tol, "tol")
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
    check_separation(X, rho)
    measured = {3: 0.6612, 4: 0.620}  # largest rho / Rc where the conic program agrees
    if N in measured and rho > measured[N] * Rc:

        warnings.warn(
            f"rho = {rho:g} is {rho / Rc:.4f} times the circumradius: the equilateral formula still "
            f"interpolates, but above about {measured[N]} Rc it is not the minimiser (the conic "
            "program mnd.certify.dictionary_min_cost finds cheaper interpolants)",
            UserWarning,
            stacklevel=2,
        )
    V = (X - xbar) / radii[:, None]
    starts = V @ xbar - Rc / (N - 1) + rho
    return RampSum(xbar, V, X - xbar, starts, starts + width)




def vertex_angles(X: object) -> np.ndarray:
    """Interior angles (degrees) of triangles: ``X`` of shape ``(3, d)`` gives ``(3,)`` (the angle
    at each vertex), a batch ``(T, 3, d)`` gives ``(T, 3)``.
    ``angle_k = arccos((x_i - x_k) . (x_j - x_k) / (|x_i - x_k| |x_j - x_k|))``."""
    P = as_finite_array(X, "X")
    if P.ndim not in (2, 3) or P.shape[-2] != 3:
        raise ValueError(f"X must have shape (3, d) or (T, 3, d) (triangles), got shape {P.shape}")
    out = np.empty(P.shape[:-1])
    for k in range(3):
        i, j = (k + 1) % 3, (k + 2) % 3
        a, b = P[..., i, :] - P[..., k, :], P[..., j, :] - P[..., k, :]
        na, nb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
        if np.any(na == 0) or np.any(nb == 0):
            raise ValueError("X has a degenerate triangle: two of its vertices coincide")
        cos = np.sum(a * b, axis=-1) / (na * nb)
        out[..., k] = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return out


# ---------------------------------------------------------------------------------------------
# Acute simplices: a candidate, not a theorem.
#
# Facet-normal ramps: an interpolant of any simplex, and a *candidate* for acute ones.
#
# Let ``x_0, ..., x_{N-1}`` be affinely independent (``N <= d + 1``). For each vertex ``k`` let
# ``n_k`` be the unit normal of the facet opposite ``x_k`` (taken inside the affine hull of the
# points), pointing toward ``x_k``, and ``H_k`` the height of ``x_k`` above that facet. For any
# centre ``c``
#
#     h_c(y) = c + sum_k (x_k - c) clip((n_k . (y - x_j(k)) - rho) / (H_k - 2 rho)),
#
# with ``x_j(k)`` any vertex of the facet opposite ``k``, interpolates every ball once every
# ``H_k > 2 rho``: on ball ``k`` its own ramp is at 1 (``n_k . (y - x_j) >= H_k - rho``) and every
# other ramp is at 0 (ball ``k`` lies on their facets, ``n_m . (y - x_j) <= rho``), so
# ``h_c = c + (x_k - c) = x_k``. Its cost is
#
#     R(c) = sum_k 2 |x_k - c| / (H_k - 2 rho),
#
# smallest at the weighted geometric median (Fermat-Weber point) of the vertices with weights
# ``2 / (H_k - 2 rho)``. For a regular simplex that point is the centroid and ``h_c`` is the
# equilateral closed form (bend hyperplanes parallel to the facets). For an acute triangle the
# conic program (:mod:`mnd.certify`) finds the same cost and directions; that this is the minimum
# for every acute triangle, or in higher dimension, is **not** proved here: it is a candidate.


def fermat_weber(P: object, weights: object, tol: float = 1e-13, max_iter: int = 100_000) -> np.ndarray:
    """Minimiser of ``sum_k w_k |p_k - c|`` over ``c`` (weights > 0).

    If some point ``p_m`` satisfies ``|sum_{k != m} w_k (p_k - p_m)/|p_k - p_m|| <= w_m`` it is the
    minimiser (the subgradient condition at a vertex); otherwise Weiszfeld's iteration from the
    weighted mean converges to the interior minimiser.
    """
    P = as_finite_array(P, "P")
    w = as_finite_array(weights, "weights")
    tol = tolerance(tol, "tol")
    max_iter = positive_int(max_iter, "max_iter")
    if P.ndim != 2 or w.shape != (P.shape[0],):
        raise ValueError(f"P must be (N, d) and weights (N,), got {P.shape} and {w.shape}")
    if np.any(w <= 0):
        raise ValueError("weights must be > 0")
    for m in range(P.shape[0]):
        D = np.delete(P, m, axis=0) - P[m]
        r = np.linalg.norm(D, axis=1)
        if np.any(r == 0):
            raise ValueError("points must be distinct")
        pull = (np.delete(w, m)[:, None] * D / r[:, None]).sum(axis=0)
        if np.linalg.norm(pull) <= w[m]:
            return P[m].copy()
    c = (w[:, None] * P).sum(axis=0) / w.sum()
    scale = np.abs(P).max() + 1.0
    for _ in range(max_iter):
        r = np.maximum(np.linalg.norm(P - c, axis=1), 1e-300)
        c_new = (w[:, None] / r[:, None] * P).sum(axis=0) / (w / r).sum()
        if np.linalg.norm(c_new - c) <= tol * scale:
            return c_new
        c = c_new
    return c


def facet_normals(X: object) -> tuple[np.ndarray, np.ndarray]:
    """Unit normals ``n_k`` (rows, in the affine hull, pointing toward ``x_k``) of the facets
    opposite each vertex, and the heights ``H_k``. ``X``: ``(N, d)`` affinely independent."""
    X = points_nd(X)
    _check_affinely_independent(X, 1e-9)
    xbar, U = affine_basis(X)
    Z = (X - xbar) @ U  # (N, r) with r = N - 1
    N, r = Z.shape
    normals, heights = np.empty((N, X.shape[1])), np.empty(N)
    for k in range(N):
        F = np.delete(Z, k, axis=0)
        if r == 1:
            m = np.ones(1)
        else:
            _, _, Vt = np.linalg.svd(F[1:] - F[0])
            m = Vt[-1]
        h = m @ (Z[k] - F[0])
        if h < 0:
            m, h = -m, -h
        normals[k], heights[k] = U @ m, h
    return normals, heights


def orthocenter(X: object) -> np.ndarray:
    """The orthocentre of a triangle ``X`` (shape ``(3, d)``, ``d >= 2``): the point ``c`` of its
    plane with ``(c - x_i) . (x_j - x_k) = 0`` for every vertex ``i`` (the altitudes meet there).
    Inside the triangle exactly when the triangle is acute."""
    X = points_nd(X)
    if X.shape[0] != 3:
        raise ValueError(f"the orthocentre is defined here for triangles: X must have 3 rows, got {X.shape[0]}")
    _check_affinely_independent(X, 1e-9)
    xbar, U = affine_basis(X)
    Z = (X - xbar) @ U                                  # (3, 2): the triangle in its plane
    A = np.array([Z[1] - Z[2], Z[0] - Z[2]])
    rhs = np.array([(Z[1] - Z[2]) @ Z[0], (Z[0] - Z[2]) @ Z[1]])
    return xbar + U @ np.linalg.solve(A, rhs)


def facet_normal_simplex(X: object, rho: float, centre: object | str | None = None) -> RampSum:
    """The facet-normal ramp sum ``h_c`` of the comment above as a :class:`RampSum`.

    ``centre``: ``None`` or ``"fermat-weber"`` for the cheapest centre (:func:`fermat_weber` with
    weights ``2 / (H_k - 2 rho)``, the book's candidate), ``"orthocenter"`` for a triangle's
    orthocentre (the authors' formula, :func:`orthocentric_triangle`), or a point. Ramps whose
    output ``x_k - c`` vanishes (centre at a vertex) are left out. Raises ``ValueError`` for
    affinely dependent points, ``rho <= 0`` or a height ``H_k <= 2 rho`` (rho too large: the
    ramp toward ``x_k`` would need negative width).
    """
    X = points_nd(X)
    rho = positive_scalar(rho, "rho")
    normals, H = facet_normals(X)
    k = int(np.argmin(H))
    if H[k] <= 2 * rho:
        raise ValueError(
            f"rho too large: vertex {k} is {H[k]:g} above the opposite facet, but the facet-normal "
            f"ramps need every height > 2*rho = {2 * rho:g}"
        )
    width = H - 2 * rho
    if centre is None or (isinstance(centre, str) and centre == "fermat-weber"):
        c = fermat_weber(X, 2.0 / width)
    elif isinstance(centre, str) and centre == "orthocenter":
        c = orthocenter(X)
    elif isinstance(centre, str):
        raise ValueError(f"centre must be 'fermat-weber', 'orthocenter' or a point, got {centre!r}")
    else:
        c = as_finite_array(centre, "centre")
        if c.shape != (X.shape[1],):
            raise ValueError(f"centre must have shape ({X.shape[1]},) (a point in the space of X), "
                             f"got {c.shape}")
    N = X.shape[0]
    base = np.array([X[(j + 1) % N] for j in range(N)])  # a vertex of the facet opposite j
    starts = np.einsum("kd,kd->k", normals, base) + rho
    outputs = X - c
    keep = np.linalg.norm(outputs, axis=1) > 0
    return RampSum(c, normals[keep], outputs[keep], starts[keep], (starts + width)[keep])


def facet_normal_cost(X: object, rho: float, centre: object | str | None = None) -> float:
    """``R(c) = sum_k 2 |x_k - c| / (H_k - 2 rho)`` (cheapest centre by default; ``centre`` as in
    :func:`facet_normal_simplex`)."""
    return facet_normal_simplex(X, rho, centre).representation_cost()


def orthocentric_triangle(X: object, rho: float, angle_tol: float = 1e-9) -> RampSum:
    """The authors' min-cost denoiser candidate for an acute triangle (the code of the paper's
    experiments, ``yanivbl6/triangles_denoiser``, file ``mnist.py``), as a :class:`RampSum`:

        f(y) = x0 + sum_i u_i s_i ([t_i - a_i]_+ - [t_i - b_i]_+),   t_i = u_i . (y - x0),

    with ``x0`` the orthocentre, ``u_i = (x_i - x0)/|x_i - x0|`` (the altitude through ``x_i``),
    ``a_i = u_i . (x_j - x0) + rho`` (any ``j != i``), ``b_i = |x_i - x0| - rho`` and
    ``s_i = |x_i - x0| / (b_i - a_i)``: the member ``centre="orthocenter"`` of
    :func:`facet_normal_simplex`. Its bend lines are parallel to the edges; its cost is
    ``sum_i 2 |x_i - x0| / (H_i - 2 rho)`` with ``H_i`` the altitude from ``x_i``.

    Raises ``ValueError`` if ``X`` is not a triangle, not acute (then the orthocentre lies outside:
    use :func:`obtuse_simplex`), its balls overlap (clean points closer than ``2*rho``), or a ball
    reaches the ramp of the opposite edge (an altitude ``H_i <= 2*rho``).
    """
    X = points_nd(X)
    rho = positive_scalar(rho, "rho")
    angle_tol = tolerance(angle_tol, "angle_tol")
    if X.shape[0] != 3:
        raise ValueError(f"orthocentric_triangle needs a triangle: X must have 3 rows, got {X.shape[0]}")
    _check_affinely_independent(X, 1e-9)
    angles = vertex_angles(X)
    k = int(np.argmax(angles))
    if angles[k] >= 90.0 - angle_tol:
        raise ValueError(f"triangle not acute: the angle at vertex {k} is {angles[k]:.6g} degrees "
                         f"(>= 90); its orthocentre is not inside. Use obtuse_simplex")
    check_separation(X, rho)
    _, H = facet_normals(X)
    i = int(np.argmin(H))
    if H[i] <= 2 * rho:
        raise ValueError(f"ball of vertex {i} reaches the ramp of its opposite edge: the altitude "
                         f"from vertex {i} is {H[i]:g} <= 2*rho = {2 * rho:g}")
    return facet_normal_simplex(X, rho, centre="orthocenter")
