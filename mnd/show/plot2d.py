"""Two-dimensional pictures of denoisers: the displacement field ``h(y) - y``,
the data with their balls, and the hyperplanes (lines) where a ramp sum or a network bends."""

from __future__ import annotations

from typing import Callable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle

from .plotting import PALETTE
from ..ramps import RampSum
from ..relu_net import as_relu_net


def grid_2d(xlim: tuple[float, float], ylim: tuple[float, float], n: int = 25) -> np.ndarray:
    """``n x n`` grid points in the box, shape ``(n*n, 2)``."""
    gx, gy = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    return np.column_stack([gx.ravel(), gy.ravel()])


def vector_field(ax: plt.Axes, f: Callable[[np.ndarray], np.ndarray], xlim, ylim, n: int = 21,
                 color: str = "0.35") -> plt.Axes:
    """Quiver plot of the displacement ``h(y) - y`` on an ``n x n`` grid: where the denoiser moves
    each input. Arrows are scaled together so the longest spans 0.9 grid cells (directions and
    relative lengths are exact; absolute length is not)."""
    Y = grid_2d(xlim, ylim, n)
    D = np.asarray(f(Y)) - Y
    cell = min(np.ptp(xlim), np.ptp(ylim)) / (n - 1)
    longest = np.linalg.norm(D, axis=1).max()
    D = D * (0.9 * cell / longest) if longest > 0 else D
    ax.quiver(Y[:, 0], Y[:, 1], D[:, 0], D[:, 1], color=color, width=0.003,
              angles="xy", scale_units="xy", scale=1.0)
    return ax


def output_component(ax: plt.Axes, f: Callable[[np.ndarray], np.ndarray], xlim, ylim, direction,
                     n: int = 200, cmap: str = "cividis", label: str | None = None) -> plt.Axes:
    """Colour map of ``direction . h(y)``: flat regions show where the output is constant."""
    gx, gy = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    Y = np.column_stack([gx.ravel(), gy.ravel()])
    Z = (np.asarray(f(Y)) @ np.asarray(direction, float)).reshape(gx.shape)
    im = ax.pcolormesh(gx, gy, Z, cmap=cmap, shading="auto", rasterized=True)
    plt.colorbar(im, ax=ax, label=label or "output component")
    return ax


def data_and_balls(ax: plt.Axes, X: np.ndarray, rho: float | None = None) -> plt.Axes:
    """Clean points (black dots) and their balls of radius ``rho`` (yellow discs)."""
    X = np.asarray(X, float)
    if rho is not None:
        for i, x in enumerate(X):
            ax.add_patch(Circle(x[:2], rho, color=PALETTE["yellow"], alpha=0.5, lw=0,
                                label=r"balls $B(x_n,\rho)$" if i == 0 else None))
    ax.plot(X[:, 0], X[:, 1], "o", color="k", ms=5, zorder=5, label="clean points")
    return ax


def lines(ax: plt.Axes, normals: np.ndarray, offsets: np.ndarray, xlim, ylim, **kw) -> plt.Axes:
    """Draw the lines ``{y : n . y = o}`` clipped to the box (2D only)."""
    label = kw.pop("label", None)
    t = np.linspace(-1, 1, 2) * 4 * max(np.ptp(xlim), np.ptp(ylim))
    centre = np.array([np.mean(xlim), np.mean(ylim)])
    normals, offsets = np.asarray(normals, float), np.asarray(offsets, float)
    if normals.ndim != 2 or normals.shape[1] != 2 or offsets.shape != (normals.shape[0],):
        raise ValueError(f"need normals of shape (K, 2) and offsets of shape (K,), got {normals.shape}, {offsets.shape}")
    for i, (nv, o) in enumerate(zip(normals, offsets)):
        norm = np.linalg.norm(nv)
        nv, o = nv / norm, o / norm  # {n.y = o} = {(n/|n|).y = o/|n|}
        p0 = centre + (o - nv @ centre) * nv  # foot of the perpendicular from the box centre
        d = np.array([-nv[1], nv[0]])
        ax.plot(p0[0] + t * d[0], p0[1] + t * d[1], label=label if i == 0 else None, **kw)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    return ax


def ramp_bend_lines(ax: plt.Axes, ramps: RampSum, xlim, ylim, **kw) -> plt.Axes:
    """The bend lines ``u_j . y = s_j`` and ``u_j . y = e_j`` of a 2D ramp sum."""
    bh = ramps.bend_hyperplanes()
    kw = {"color": PALETTE["vermillion"], "lw": 1.5, "ls": "--", "label": "closed-form bend lines"} | kw
    return lines(ax, bh.normals, bh.offsets, xlim, ylim, **kw)


def network_bend_lines(ax: plt.Axes, net: object, xlim, ylim, rel_tol: float = 1e-2, **kw) -> plt.Axes:
    """Bend lines ``w_k . y + b_k = 0`` of the active units of a network (a ``ReluNet``, a trained
    ``ShallowDenoiser``, a certificate: cost above ``rel_tol`` of the largest), darker for costlier
    units."""
    net = as_relu_net(net)
    if net.d != 2:
        raise ValueError(f"bend lines are drawn for networks in d = 2, got d = {net.d}")
    cost = net.unit_costs()
    active = net.active(rel_tol)
    label = kw.pop("label", "trained units' bend lines")
    color = kw.pop("color", PALETTE["blue"])
    for i, k in enumerate(active[np.argsort(cost[active])]):
        alpha = 0.25 + 0.75 * cost[k] / cost.max()
        lines(ax, net.W[k:k + 1], -net.b[k:k + 1], xlim, ylim, color=color, alpha=alpha, lw=1.0,
              label=label if i == len(active) - 1 else None, **kw)
    return ax


def denoiser_panel(ax: plt.Axes, f: Callable[[np.ndarray], np.ndarray], X: np.ndarray, rho: float | None,
                   xlim, ylim, title: str = "", n_arrows: int = 19) -> plt.Axes:
    """Displacement field, data and balls on one square panel with labelled axes."""
    vector_field(ax, f, xlim, ylim, n=n_arrows)
    data_and_balls(ax, X, rho)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("$y_1$")
    ax.set_ylabel("$y_2$")
    ax.set_title(title)
    return ax
