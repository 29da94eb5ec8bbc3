"""Closed-form min-cost denoisers (numpy only), one module per result of the paper.

Each constructor validates its assumptions and returns a :class:`~mnd.ramps.RampSum`; a violated
assumption raises ``ValueError`` naming it. :func:`min_cost_denoiser` picks the one that applies.
"""

from __future__ import annotations

from .._checks import as_finite_array, points_nd, positive_scalar
from ..ramps import RampSum
from .rays import rays, rays_formula, rays_sampled
from .simplex import (
    equilateral_simplex, facet_normal_cost, facet_normal_simplex, facet_normals, fermat_weber,
    obtuse_simplex, obtuse_vertex, vertex_angles,
)
from .subspace import affine_basis, lift, subspace
from .univariate import (
    capped_min_cost_denoiser, capped_radii, univariate, univariate_cost, univariate_intervals,
)

__all__ = [
    "affine_basis", "capped_min_cost_denoiser", "capped_radii", "equilateral_simplex",
    "facet_normal_cost", "facet_normal_simplex", "facet_normals", "fermat_weber", "lift",
    "min_cost_denoiser", "obtuse_simplex", "obtuse_vertex", "rays", "rays_formula", "rays_sampled",
    "subspace", "univariate", "univariate_cost", "univariate_intervals", "vertex_angles",
]


def min_cost_denoiser(X: object, rho: float, tol: float = 1e-7) -> RampSum:
    """The closed-form min-cost denoiser that applies to ``X``, or ``ValueError`` listing what was
    tried and why each did not apply.

    Order: univariate (Proposition 1) for ``X`` of shape ``(N,)`` or ``(N, 1)``; subspace (affine rank below ``d``, which covers
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
        return g
    X = points_nd(arr)
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
