"""The dual certificate: a lower bound on the min cost from the conic program's multipliers.

The multipliers ``Lambda`` of the interpolation constraints give, for any direction ``w``, the
"price" of a unit on the best touching hyperplane; if no unit of any direction is priced above 1,
``sum_i Lambda_i . t_i`` is a lower bound on the cost of *every* interpolating network. The
supremum over the sphere of directions is bounded by branch and bound over cells of the circle
(2D) or of an octahedral subdivision of the sphere (3D).
"""

from __future__ import annotations

import numpy as np

from .._checks import as_finite_array, positive_int, positive_scalar
from .dictionary import _cut_margin


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
    X = as_finite_array(X, "X")
    if X.ndim != 2 or X.shape[1] not in (2, 3) or X.shape[0] < 2:
        raise ValueError(f"X must have shape (N, 2) or (N, 3) with N >= 2, got shape {X.shape}")
    rho = positive_scalar(rho, "rho")
    Y, T, Lam = (as_finite_array(v, n) for v, n in ((Y, "Y"), (T, "T"), (Lam, "Lam")))
    if not (Y.shape == T.shape == Lam.shape and Y.ndim == 2 and Y.shape[1] == X.shape[1]):
        raise ValueError(f"Y, T and Lam must all have shape (n, {X.shape[1]}), got {Y.shape}, {T.shape}, "
                         f"{Lam.shape}")
    rtol = positive_scalar(rtol, "rtol")
    max_cells = positive_int(max_cells, "max_cells")
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


