"""Drawing image-shaped vectors (digits, weights, directions) as square images.

Digits are drawn in grey (ink dark); weight vectors and directions, which have signs, are drawn
with a diverging colour-blind-safe map (``PuOr``: orange positive, purple negative) on a
symmetric scale, so the same colour means the same signed value within one image.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .._checks import as_finite_array

SIDE = 8  #: the digits are SIDE x SIDE images


def as_image(v: object) -> np.ndarray:
    """A vector of length 64 as the ``8 x 8`` image it encodes (row by row)."""
    v = as_finite_array(v, "v").reshape(-1)
    if v.size != SIDE * SIDE:
        raise ValueError(f"expected a vector of length {SIDE * SIDE}, got {v.size}")
    return v.reshape(SIDE, SIDE)


def _bare(ax: plt.Axes, title: str) -> plt.Axes:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(title, fontsize=9)
    return ax


def draw_digit(ax: plt.Axes, x: object, title: str = "", vmin: float = 0.0, vmax: float = 1.0) -> plt.Axes:
    """A clean or noisy digit in grey, ink dark, on the fixed scale ``[vmin, vmax]`` (pixels
    outside it are clipped to its ends)."""
    ax.imshow(as_image(x), cmap="gray_r", vmin=vmin, vmax=vmax, interpolation="nearest")
    return _bare(ax, title)


def draw_direction(ax: plt.Axes, v: object, title: str = "") -> plt.Axes:
    """A signed vector (a weight or a direction) with a symmetric diverging scale."""
    img = as_image(v)
    m = float(np.abs(img).max()) or 1.0
    ax.imshow(img, cmap="PuOr_r", vmin=-m, vmax=m, interpolation="nearest")
    return _bare(ax, title)


def orient(V: object, U: object) -> np.ndarray:
    """Flip the sign of each row ``v`` of ``V`` so that ``v . u >= 0`` for the matching row of ``U``
    (lines have no sign; this makes a trained unit and its predicted direction look alike)."""
    V = np.atleast_2d(as_finite_array(V, "V"))
    U = np.atleast_2d(as_finite_array(U, "U"))
    if U.shape != V.shape:
        raise ValueError(f"V and U must have the same shape, got {V.shape} and {U.shape}")
    s = np.sign(np.sum(V * U, axis=1))
    return V * np.where(s == 0, 1.0, s)[:, None]


def digit_row(axes: Sequence[plt.Axes], X: object, titles: Sequence[str] | None = None) -> None:
    """Draw the rows of ``X`` as digits into ``axes`` (one each)."""
    X = np.atleast_2d(as_finite_array(X, "X"))
    titles = titles if titles is not None else [""] * len(X)
    for ax, x, t in zip(axes, X, titles):
        draw_digit(ax, x, t)


def direction_row(axes: Sequence[plt.Axes], V: object, titles: Sequence[str] | None = None,
                  reference: object | None = None) -> None:
    """Draw the rows of ``V`` as signed images (:func:`draw_direction`) into ``axes``, one each.

    With ``reference`` (same shape as ``V``) each row ``v`` is first flipped so that
    ``v . u >= 0`` for its row ``u`` of ``reference`` (:func:`orient`). Axes beyond the rows of
    ``V`` are hidden.
    """
    V = np.atleast_2d(as_finite_array(V, "V"))
    if reference is not None:
        V = orient(V, reference)
    if len(axes) < len(V):
        raise ValueError(f"{len(V)} rows of V but only {len(axes)} axes")
    titles = list(titles) if titles is not None else [""] * len(V)
    if len(titles) != len(V):
        raise ValueError(f"{len(V)} rows of V but {len(titles)} titles")
    for ax, v, t in zip(axes, V, titles):
        draw_direction(ax, v, t)
    for ax in list(axes)[len(V):]:
        ax.axis("off")
