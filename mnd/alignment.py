"""How a trained network's units line up with a closed form's ramps (chapters 3-6).

A network's unit ``k`` bends on the hyperplane ``w_k . y + b_k = 0``; a ramp ``j`` of a closed
form bends on ``u_j . y = s_j`` and ``u_j . y = e_j``. Alignment compares the *lines* spanned by
``w_k`` and ``u_j`` (sign does not matter): the angle ``arccos |w_k . u_j| / |w_k|`` to the best
matching ramp, weighted by the unit's share of the representation cost ``|a_k||w_k|``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_finite_array
from .ramps import RampSum


@dataclass(frozen=True)
class Alignment:
    """Per active unit: angle (degrees) to the best-matching ramp direction, its index, and cost."""

    angles: np.ndarray
    matched: np.ndarray
    unit_costs: np.ndarray

    @property
    def weighted_mean(self) -> float:
        """Cost-weighted mean angle in degrees (0 = every unit along a closed-form direction)."""
        return float(np.sum(self.angles * self.unit_costs) / np.sum(self.unit_costs))

    @property
    def max_angle(self) -> float:
        """Largest angle (degrees) over active units."""
        return float(self.angles.max())

    def cost_per_ramp(self, n_ramps: int) -> np.ndarray:
        """Total unit cost matched to each ramp direction."""
        return np.bincount(self.matched, weights=self.unit_costs, minlength=n_ramps)


def line_angles(W: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Angles in degrees between the lines spanned by rows of ``W`` (K, d) and ``U`` (J, d): ``(K, J)``."""
    W = as_finite_array(W, "W")
    U = as_finite_array(U, "U")
    if W.ndim != 2 or U.ndim != 2 or W.shape[1] != U.shape[1]:
        raise ValueError(f"W and U must be (K, d) and (J, d) with the same d, got {W.shape}, {U.shape}")
    nw, nu = np.linalg.norm(W, axis=1), np.linalg.norm(U, axis=1)
    if np.any(nw == 0) or np.any(nu == 0):
        raise ValueError("directions must be non-zero vectors")
    cos = np.abs((W / nw[:, None]) @ (U / nu[:, None]).T)
    return np.degrees(np.arccos(np.clip(cos, 0.0, 1.0)))


def unit_alignment(W: np.ndarray, A: np.ndarray, directions: np.ndarray | RampSum, rel_tol: float = 1e-2) -> Alignment:
    """Alignment of the active units of ``h = A relu(W y + b) + ...`` with ``directions``.

    ``W``: ``(K, d)`` input weights, ``A``: ``(d, K)`` output weights; ``directions``: ``(J, d)`` or a
    ``RampSum`` (its ramp directions). A unit is active if its cost ``|a_k||w_k|`` exceeds
    ``rel_tol`` times the largest unit cost.
    """
    W = as_finite_array(W, "W")
    A = as_finite_array(A, "A")
    if A.shape != (W.shape[1], W.shape[0]):
        raise ValueError(f"A must have shape (d, K) = {(W.shape[1], W.shape[0])}, got {A.shape}")
    U = directions.directions if isinstance(directions, RampSum) else as_finite_array(directions, "directions")
    costs = np.linalg.norm(A, axis=0) * np.linalg.norm(W, axis=1)
    if costs.max() == 0:
        raise ValueError("the network has no active unit (all |a_k||w_k| = 0)")
    active = costs > rel_tol * costs.max()
    ang = line_angles(W[active], U)
    return Alignment(angles=ang.min(axis=1), matched=ang.argmin(axis=1), unit_costs=costs[active])
