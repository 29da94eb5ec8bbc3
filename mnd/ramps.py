"""Sums of clipped ramps: the one closed-form type of the book.

Every min-cost denoiser in the paper has the form

    h(y) = c + sum_j v_j * clip((u_j . y - s_j) / (e_j - s_j), 0, 1)

with unit directions ``u_j``, output vectors ``v_j`` and ramp offsets ``s_j < e_j``.
One ramp is exactly two balanced ReLU units,
``v clip((t - s)/(e - s)) = v ([t - s]_+ - [t - e]_+) / (e - s)``, so a ramp sum *is* a network
(:meth:`RampSum.to_relu_net`) and its representation cost is ``sum_j 2 |v_j| / (e_j - s_j)``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_finite_array, as_points, in_chunks, row_norms
from .relu_net import BendHyperplanes, ReluNet


class RampSum:
    """``h(y) = c + sum_j v_j clip((u_j . y - s_j) / (e_j - s_j), 0, 1)``.

    Parameters
    ----------
    c : shape ``(d,)`` (or a scalar for ``d = 1``): the value far on the "start" side.
    directions : ``(J, d)`` unit vectors ``u_j`` (normalised here if not unit).
    outputs : ``(J, d)`` vectors ``v_j``.
    starts, ends : ``(J,)`` offsets with ``starts < ends``.

    Shape convention: ``(n, d)`` in, ``(n, d)`` out; for ``d = 1`` also ``(n,)`` in, ``(n,)`` out.
    """

    def __init__(
        self,
        c: np.ndarray | float,
        directions: np.ndarray,
        outputs: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
    ) -> None:
        c = np.atleast_1d(as_finite_array(c, "c"))
        if c.ndim != 1:
            raise ValueError(f"c must be a vector of shape (d,), got shape {c.shape}")
        d = c.shape[0]
        u = as_finite_array(directions, "directions")
        v = as_finite_array(outputs, "outputs")
        if u.size == 0:
            u = u.reshape(0, d)
        if v.size == 0:
            v = v.reshape(0, d)
        if d == 1 and u.ndim == 1:
            u = u[:, None]
        if d == 1 and v.ndim == 1:
            v = v[:, None]
        s = np.atleast_1d(as_finite_array(starts, "starts")).astype(float)
        e = np.atleast_1d(as_finite_array(ends, "ends")).astype(float)
        if u.ndim != 2 or u.shape[1] != d:
            raise ValueError(f"directions must have shape (J, d) = (J, {d}) (one row per ramp; "
                             f"d from c), got shape {u.shape}")
        if v.ndim != 2 or v.shape[1] != d:
            raise ValueError(f"outputs must have shape (J, d) = (J, {d}) (one row per ramp; "
                             f"d from c), got shape {v.shape}")
        J = u.shape[0]
        if v.shape[0] != J or s.shape != (J,) or e.shape != (J,):
            raise ValueError(
                f"inconsistent ramp counts: {J} directions, {v.shape[0]} outputs, "
                f"{s.size} starts, {e.size} ends"
            )
        norms = np.linalg.norm(u, axis=1)
        if np.any(norms == 0):
            raise ValueError("ramp directions must be non-zero vectors")
        # Rescaling u by 1/|u| rescales the offsets too, so the function is unchanged.
        s, e = s / norms, e / norms
        if np.any(e <= s):
            j = int(np.argmax(e <= s))
            raise ValueError(f"ramp {j} has end {e[j]} <= start {s[j]}; each ramp needs start < end")
        self.c = c.astype(float)
        self.directions = u / norms[:, None]
        self.starts = s
        self.ends = e
        self.outputs = v.astype(float)
        self.d = d

    @property
    def n_ramps(self) -> int:
        """Number of ramps ``J`` (the equivalent network has ``2 J`` ReLU units)."""
        return self.directions.shape[0]

    def ramp_values(self, y: np.ndarray) -> np.ndarray:
        """``clip((u_j . y - s_j)/(e_j - s_j), 0, 1)`` for every point and ramp, shape ``(n, J)``."""
        Y, _ = as_points(y, self.d, "y")
        return np.clip((Y @ self.directions.T - self.starts) / (self.ends - self.starts), 0.0, 1.0)

    def __call__(self, y: np.ndarray) -> np.ndarray:
        """Evaluate ``h`` on a batch (shape convention above), in chunks of bounded memory."""
        Y, flat = as_points(y, self.d, "y")
        out = in_chunks(lambda Yi: self.c + self.ramp_values(Yi) @ self.outputs, Y, self.n_ramps)
        return out[:, 0] if flat else out

    def slopes(self) -> np.ndarray:
        """Ramp slopes ``|v_j| / (e_j - s_j)``: the gain of each ramp along ``u_j``."""
        return row_norms(self.outputs) / (self.ends - self.starts)

    def representation_cost(self) -> float:
        """``R = sum_j 2 |v_j| / (e_j - s_j)`` (two balanced ReLU units per ramp)."""
        return float(2.0 * np.sum(self.slopes()))

    def bend_hyperplanes(self) -> BendHyperplanes:
        """The ``2 J`` hyperplanes ``u_j . y = s_j`` and ``u_j . y = e_j`` where ``h`` bends."""
        J = self.n_ramps
        return BendHyperplanes(
            normals=np.concatenate([self.directions, self.directions]),
            offsets=np.concatenate([self.starts, self.ends]),
            unit=np.concatenate([np.arange(J), np.arange(J)]),
            kind=np.array(["start"] * J + ["end"] * J),
        )

    def to_relu_net(self) -> ReluNet:
        """The exact network: ``2 J`` balanced units, ``V = 0``, same ``c``; same function and cost.

        ``clip((t - s)/(e - s)) = ([t - s]_+ - [t - e]_+)/(e - s)``; each unit is scaled so that
        ``|a_k| = |w_k| = sqrt(|v|/(e - s))``, giving cost ``|v|/(e - s)`` per unit.
        """
        gain = self.slopes()
        vnorm = np.linalg.norm(self.outputs, axis=1)
        vhat = self.outputs / np.where(vnorm > 0, vnorm, 1.0)[:, None]
        g = np.sqrt(gain)
        W = np.concatenate([self.directions * g[:, None], self.directions * g[:, None]])
        b = np.concatenate([-self.starts * g, -self.ends * g])
        A = np.concatenate([vhat * g[:, None], -vhat * g[:, None]]).T
        return ReluNet(W, b, A.reshape(self.d, -1), None, self.c)

    def __repr__(self) -> str:
        return f"RampSum(d={self.d}, ramps={self.n_ramps}, cost={self.representation_cost():.6g})"
