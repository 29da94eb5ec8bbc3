"""Data in an affine subspace: the min-cost denoiser projects out the orthogonal noise.

If the clean points span an affine subspace ``xbar + span(U)`` of dimension ``r < d`` (``U`` has
orthonormal columns), the min-cost denoiser is the ``r``-dimensional one lifted to ``R^d``:
``h(y) = xbar + U g(U^T (y - xbar))``. Every ramp of ``g`` becomes a ramp of ``h`` whose
direction lies in the subspace, with the same cost.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_finite_array, points_nd, positive_scalar, tolerance
from ..ramps import RampSum
from .univariate import univariate


def affine_basis(X: object, tol: float = 1e-7) -> tuple[np.ndarray, np.ndarray]:
    """Centroid ``xbar`` and orthonormal basis ``U`` (``d x r``) of the affine span of the rows of X.

    The rank ``r`` counts singular values of ``X - xbar`` above ``tol`` times the largest
    (relative tolerance, so the result does not depend on the data's scale): points within a
    relative distance of about ``tol`` of a line count as collinear (default 1e-7: rounding
    errors, or coordinates typed to seven digits, do not make collinear data two-dimensional;
    the lifted closed form then interpolates up to that deviation).
    """
    X = points_nd(X)
    tol = tolerance(tol, "tol")
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
    xbar = as_finite_array(xbar, "xbar")
    if xbar.ndim != 1 or xbar.size == 0:
        raise ValueError(f"xbar must be a point of shape (d,) with d >= 1, got shape {xbar.shape}")
    U = as_finite_array(U, "U")
    if U.ndim != 2 or U.shape != (xbar.size, g.d):
        raise ValueError(f"U must have shape (d, r) = ({xbar.size}, {g.d}), got {U.shape}")
    if not np.allclose(U.T @ U, np.eye(g.d), atol=1e-8):
        raise ValueError("the columns of U must be orthonormal")
    dirs = g.directions @ U.T
    shift = dirs @ xbar
    return RampSum(xbar + U @ g.c, dirs, g.outputs @ U.T, g.starts + shift, g.ends + shift)


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
    X = points_nd(X)
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
    from . import min_cost_denoiser  # the dispatcher, for the data inside the subspace

    try:
        g = min_cost_denoiser(Z, rho, tol=tol)
    except ValueError as exc:
        raise ValueError(
            f"no closed form is known for these {X.shape[0]} points in a {r}-dimensional affine "
            f"subspace of R^{d}: {exc}"
        ) from exc
    return lift(g, xbar, U)


