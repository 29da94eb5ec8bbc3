"""Sums of clipped ramps: the one closed-form type of the book.

Every min-cost denoiser in the paper has the form (design README, section 2)

    h(y) = c + sum_j v_j * clip((u_j . y - s_j) / (e_j - s_j), 0, 1)

with unit directions ``u_j``, output vectors ``v_j`` and ramp offsets ``s_j < e_j``.
One ramp is exactly two ReLU units, so its representation cost is ``2 |v_j| / (e_j - s_j)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_finite_array


@dataclass(frozen=True)
class BendHyperplanes:
    """Hyperplanes ``{y : normal . y = offset}`` where the units of a ramp sum bend.

    ``ramp`` gives, for each hyperplane, the index of the ramp it belongs to, and
    ``kind`` is ``"start"`` (ramp leaves 0) or ``"end"`` (ramp reaches 1).
    """

    normals: np.ndarray
    offsets: np.ndarray
    ramp: np.ndarray
    kind: np.ndarray


class RampSum:
    """``h(y) = c + sum_j v_j clip((u_j . y - s_j) / (e_j - s_j), 0, 1)``.

    Parameters
    ----------
    c : shape ``(d,)`` (or a scalar for ``d = 1``): the value far on the "start" side.
    directions : ``(J, d)`` unit vectors ``u_j`` (normalised here if not unit).
    outputs : ``(J, d)`` vectors ``v_j``.
    starts, ends : ``(J,)`` offsets with ``starts < ends``.
    scalar : if true (the default for ``d = 1``), ``__call__`` takes and returns shape ``(n,)``.
    """

    def __init__(
        self,
        c: np.ndarray | float,
        directions: np.ndarray,
        outputs: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        scalar: bool | None = None,
    ) -> None:
        c = np.atleast_1d(as_finite_array(c, "c"))
        if c.ndim != 1:
            raise ValueError(f"c must be a vector of shape (d,), got shape {c.shape}")
        d = c.shape[0]
        u = as_finite_array(directions, "directions").reshape(-1, d) if np.size(directions) else np.zeros((0, d))
        v = as_finite_array(outputs, "outputs").reshape(-1, d) if np.size(outputs) else np.zeros((0, d))
        s = np.atleast_1d(as_finite_array(starts, "starts")).astype(float)
        e = np.atleast_1d(as_finite_array(ends, "ends")).astype(float)
        J = u.shape[0]
        if v.shape[0] != J or s.shape != (J,) or e.shape != (J,):
            raise ValueError(
                f"inconsistent ramp counts: {J} directions, {v.shape[0]} outputs, "
                f"{s.size} starts, {e.size} ends"
            )
        norms = np.linalg.norm(u, axis=1)
        if np.any(norms == 0):
            raise ValueError("ramp directions must be non-zero vectors")
        if np.any(e <= s):
            j = int(np.argmax(e <= s))
            raise ValueError(f"ramp {j} has end {e[j]} <= start {s[j]}; each ramp needs start < end")
        self.c = c.astype(float)
        self.directions = u / norms[:, None]
        # Rescaling u by 1/|u| rescales the offsets too, so the function is unchanged.
        self.starts = s / norms
        self.ends = e / norms
        self.outputs = v.astype(float)
        self.d = d
        self.scalar = (d == 1) if scalar is None else bool(scalar)
        if self.scalar and d != 1:
            raise ValueError("scalar=True needs d = 1")

    @property
    def n_ramps(self) -> int:
        """Number of ramps ``J`` (the equivalent network has ``2 J`` ReLU units)."""
        return self.directions.shape[0]

    def _as_points(self, y: np.ndarray) -> np.ndarray:
        y = as_finite_array(y, "y")
        if self.scalar:
            if y.ndim > 1:
                raise ValueError(f"a 1D ramp sum takes points of shape (n,), got shape {y.shape}")
            return np.atleast_1d(y).reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != self.d:
            raise ValueError(f"expected points of shape (n, {self.d}), got shape {y.shape}")
        return y

    def ramp_values(self, y: np.ndarray) -> np.ndarray:
        """``clip((u_j . y - s_j)/(e_j - s_j), 0, 1)`` for every point and ramp, shape ``(n, J)``."""
        Y = self._as_points(y)
        t = Y @ self.directions.T
        return np.clip((t - self.starts) / (self.ends - self.starts), 0.0, 1.0)

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """Evaluate ``h`` on a batch: ``(n,)`` in and out for 1D, ``(n, d)`` otherwise."""
        out = self.c + self.ramp_values(y) @ self.outputs
        return out[:, 0] if self.scalar else out

    def slopes(self) -> np.ndarray:
        """Ramp slopes ``|v_j| / (e_j - s_j)``: the gain of each ramp along ``u_j``."""
        return np.linalg.norm(self.outputs, axis=1) / (self.ends - self.starts)

    def representation_cost(self) -> float:
        """``R = sum_j 2 |v_j| / (e_j - s_j)`` (two balanced ReLU units per ramp)."""
        return float(2.0 * np.sum(self.slopes()))

    def bend_hyperplanes(self) -> BendHyperplanes:
        """The ``2 J`` hyperplanes ``u_j . y = s_j`` and ``u_j . y = e_j`` where ``h`` bends."""
        J = self.n_ramps
        return BendHyperplanes(
            normals=np.concatenate([self.directions, self.directions]),
            offsets=np.concatenate([self.starts, self.ends]),
            ramp=np.concatenate([np.arange(J), np.arange(J)]),
            kind=np.array(["start"] * J + ["end"] * J),
        )

    def relu_units(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Balanced ReLU units ``(W, b, A)`` with ``h(y) = A relu(W y + b) + c``.

        ``clip((t - s)/(e - s)) = ([t - s]_+ - [t - e]_+)/(e - s)``; each unit is scaled so that
        ``|a_k| = |w_k|``, giving cost ``|a_k||w_k| = |v|/(e - s)`` per unit.
        """
        gain = self.slopes()
        vhat = self.outputs / np.where(gain > 0, np.linalg.norm(self.outputs, axis=1), 1.0)[:, None]
        g = np.sqrt(gain)  # |w_k| = |a_k| = sqrt(|v|/(e-s))
        W = np.concatenate([self.directions * g[:, None], self.directions * g[:, None]])
        b = np.concatenate([-self.starts * g, -self.ends * g])
        A = np.concatenate([vhat * g[:, None], -vhat * g[:, None]]).T
        return W, b, A

    def __repr__(self) -> str:
        return f"RampSum(d={self.d}, ramps={self.n_ramps}, cost={self.representation_cost():.6g})"
