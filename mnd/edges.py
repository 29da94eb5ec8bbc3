"""Which edge of the data a direction follows (chapter 6).

The edges of clean points ``x_0, ..., x_{N-1}`` are the ``N (N - 1) / 2`` difference vectors
``e_ij = x_j - x_i`` (``i < j``). A unit's input weight ``w_k`` (or output weight ``a_k``) is matched
to the edge whose *line* it is closest to, by the angle

    theta_k = min_{i<j} arccos( |w_k . e_ij| / (|w_k| |e_ij|) )   (degrees, sign ignored).

The closed forms predict ``theta_k = 0`` for the edges leaving an obtuse vertex; for larger data
sets no closed form is claimed and the histogram of matched edges is what is measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_finite_array
from .alignment import line_angles


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
    ang = line_angles(np.atleast_2d(as_finite_array(V, "V")), E)
    idx = ang.argmin(axis=1)
    return EdgeMatch(pairs=pairs[idx], index=idx, angles=ang[np.arange(len(idx)), idx])
