"""Matplotlib style (colour-blind-safe Okabe-Ito palette) and pictures of 1D denoisers."""

from __future__ import annotations

from typing import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np

from ..ramps import RampSum

#: Okabe-Ito colours, safe for the common forms of colour blindness.
PALETTE = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
CYCLE = [PALETTE[k] for k in ("blue", "vermillion", "green", "orange", "purple", "sky", "black")]


#: Figures are drawn at this many pixels per inch as displayed (CSS px); the book's text column
#: is about 690 px wide at a 1280 px window, so a figure up to 6.8 in wide is shown unshrunk.
DISPLAY_DPI = 100
#: Raster figures are stored at this multiple of their displayed size (sharp on high-DPI screens).
PIXEL_RATIO = 2


def style() -> None:
    """Set the book's matplotlib defaults: Okabe-Ito palette, text no smaller than 9 pt (ticks
    and legends 10 pt, labels 11 pt at :data:`DISPLAY_DPI`), light grid; in IPython, figures are
    shown as PNGs at :data:`PIXEL_RATIO` times their displayed size ("retina")."""
    plt.rcParams.update({
        "axes.prop_cycle": plt.cycler(color=CYCLE), "figure.dpi": DISPLAY_DPI,
        "savefig.dpi": DISPLAY_DPI * PIXEL_RATIO, "figure.figsize": (6.4, 4.0),
        "font.size": 11, "axes.titlesize": 11, "axes.labelsize": 11, "legend.fontsize": 10,
        "xtick.labelsize": 10, "ytick.labelsize": 10, "legend.title_fontsize": 10,
        "figure.titlesize": 12, "axes.grid": True, "grid.alpha": 0.3,
        "axes.spines.top": False, "axes.spines.right": False, "figure.constrained_layout.use": True,
    })
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # plain Python: nothing to configure
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def plot_1d(
    ax: plt.Axes,
    grid: np.ndarray,
    curves: Mapping[str, np.ndarray],
    x_clean: np.ndarray | None = None,
    rho: float | None = None,
    identity: bool = True,
    styles: Mapping[str, dict] | None = None,
) -> plt.Axes:
    """Plot 1D denoisers ``y -> h(y)`` on ``grid``: one line per entry of ``curves``, the identity
    (dotted), the clean points as dots at ``(x_n, x_n)`` and, if ``rho`` is given, the balls
    ``[x_n - rho, x_n + rho]`` shaded."""
    styles = styles or {}
    if identity:
        ax.plot(grid, grid, ":", color="0.5", lw=1, label="identity $h(y)=y$")
    if x_clean is not None and rho is not None:
        for i, xn in enumerate(np.ravel(x_clean)):
            ax.axvspan(xn - rho, xn + rho, color=PALETTE["yellow"], alpha=0.35, lw=0,
                       label=r"balls $[x_n-\rho, x_n+\rho]$" if i == 0 else None)
    for label, values in curves.items():
        ax.plot(grid, values, label=label, **styles.get(label, {}))
    if x_clean is not None:
        xc = np.ravel(x_clean)
        ax.plot(xc, xc, "o", color="k", ms=5, zorder=5, label="clean points $x_n$")
    ax.set_xlabel("noisy input $y$")
    ax.set_ylabel("denoiser output $h(y)$")
    return ax


def mark_ramps_1d(ax: plt.Axes, ramps: RampSum, alpha: float = 0.15) -> plt.Axes:
    """Shade each ramp interval ``[s_j, e_j]`` of a 1D ramp sum (where the denoiser rises)."""
    if ramps.d != 1:
        raise ValueError("mark_ramps_1d needs a 1D ramp sum")
    for j, (s, e) in enumerate(zip(ramps.starts * ramps.directions[:, 0], ramps.ends * ramps.directions[:, 0])):
        ax.axvspan(min(s, e), max(s, e), color=PALETTE["sky"], alpha=alpha, lw=0,
                   label="ramps" if j == 0 else None)
    return ax


def caption_note(fig: plt.Figure, text: str) -> None:
    """A small note under the axes (for settings such as sigma, lambda, seeds)."""
    fig.text(0.5, -0.02, text, ha="center", va="top", fontsize=9, color="0.3")


def line_profile(
    ax: plt.Axes,
    f: Callable[[np.ndarray], np.ndarray],
    origin: np.ndarray,
    direction: np.ndarray,
    s: np.ndarray,
    shift: np.ndarray | None = None,
    part: str = "along",
    **kw,
) -> plt.Axes:
    """Plot a denoiser ``f: (n, d) -> (n, d)`` along the line ``y(s) = origin + s u + shift``,
    ``u = direction / |direction|``, against ``s``.

    ``part="along"`` plots the output's coordinate along the line, ``u . (f(y(s)) - origin)``;
    ``part="across"`` plots the length of its orthogonal part,
    ``|(I - u u^T)(f(y(s)) - origin)|``. ``shift`` (default 0) moves the line off ``origin``, e.g.
    by a multiple of a normal vector; ``kw`` go to ``ax.plot``.
    """
    if part not in ("along", "across"):
        raise ValueError(f"part must be 'along' or 'across', got {part!r}")
    o = np.asarray(origin, float).reshape(-1)
    u = np.asarray(direction, float).reshape(-1)
    if u.shape != o.shape or not np.all(np.isfinite(u)) or np.linalg.norm(u) == 0:
        raise ValueError(f"direction must be a non-zero vector of shape {o.shape}, got {np.shape(direction)}")
    u = u / np.linalg.norm(u)
    s = np.asarray(s, float).reshape(-1)
    shift = np.zeros_like(o) if shift is None else np.asarray(shift, float).reshape(o.shape)
    out = np.asarray(f(o + shift + np.outer(s, u)), float).reshape(s.size, o.size) - o
    along = out @ u
    values = along if part == "along" else np.linalg.norm(out - np.outer(along, u), axis=1)
    ax.plot(s, values, **kw)
    return ax
