"""A shallow ReLU network with a linear skip connection, in numpy.

    h(y) = sum_k a_k [w_k . y + b_k]_+ + V y + c = A relu(W y + b) + V y + c

with ``W: (K, d)`` (rows ``w_k``), ``b: (K,)``, ``A: (d, K)`` (columns ``a_k``), ``V: (d, d)``,
``c: (d,)``. Weight decay acts on the hidden-layer weights only,
``C = (1/2) sum_k (|a_k|^2 + |w_k|^2)``. The rescaling ``(a_k, w_k, b_k) -> (a_k/g, g w_k, g b_k)``
leaves ``h`` unchanged and ``C >= sum_k |a_k||w_k|``, with equality when every unit is balanced
(``|a_k| = |w_k|``); so the representation cost of the network is ``R = sum_k |a_k||w_k|``.

This is the one numpy type for "a network": a ramp sum converts to it exactly
(:meth:`mnd.RampSum.to_relu_net`), a trained torch network converts to it
(``ShallowDenoiser.to_relu_net``), the conic-program certificate returns one, and alignment,
plots and Gaussian moments take one (:func:`as_relu_net` accepts any of these).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_finite_array, as_points, check_rel_tol, in_chunks, row_norms


@dataclass(frozen=True)
class BendHyperplanes:
    """Hyperplanes ``{y : normal . y = offset}`` (unit normals) where units bend.

    ``unit`` gives, for each hyperplane, the index of the unit (or ramp) it belongs to; ``kind``
    is ``"unit"`` for a network's unit, ``"start"``/``"end"`` for the two ends of a ramp.
    """

    normals: np.ndarray
    offsets: np.ndarray
    unit: np.ndarray
    kind: np.ndarray


class ReluNet:
    """``h(y) = A relu(W y + b) + V y + c`` (module docstring). ``V`` defaults to 0, ``c`` to 0.

    Calling it follows the package's shape convention: ``(n, d)`` in, ``(n, d)`` out; for
    ``d = 1`` a flat ``(n,)`` array in gives ``(n,)`` out.
    """

    def __init__(self, W: object, b: object, A: object, V: object | None = None,
                 c: object | None = None) -> None:
        W = as_finite_array(W, "W")
        if W.ndim != 2 or W.shape[1] == 0:
            raise ValueError(f"W must have shape (K, d) with d >= 1, got shape {W.shape}")
        K, d = W.shape
        b = as_finite_array(b, "b")
        A = as_finite_array(A, "A")
        V = np.zeros((d, d)) if V is None else as_finite_array(V, "V")
        c = np.zeros(d) if c is None else as_finite_array(c, "c")
        for arr, name, shape in ((b, "b", (K,)), (A, "A", (d, K)), (V, "V", (d, d)), (c, "c", (d,))):
            if arr.shape != shape:
                raise ValueError(
                    f"{name} must have shape {shape} for W of shape {W.shape} (K = {K} units in "
                    f"d = {d}), got shape {arr.shape}")
        self.W, self.b, self.A, self.V, self.c = W, b, A, V, c

    @property
    def d(self) -> int:
        """Input (and output) dimension."""
        return self.W.shape[1]

    @property
    def width(self) -> int:
        """Number of hidden units ``K``."""
        return self.W.shape[0]

    def __call__(self, y: object) -> np.ndarray:
        """Evaluate ``h`` on a batch (shape convention of the class docstring)."""
        Y, flat = as_points(y, self.d, "y")
        out = in_chunks(lambda Yi: np.maximum(Yi @ self.W.T + self.b, 0.0) @ self.A.T + Yi @ self.V.T
                        + self.c, Y, self.width)
        return out[:, 0] if flat else out

    def unit_costs(self) -> np.ndarray:
        """``|a_k| |w_k|`` for every unit, shape ``(K,)``."""
        return row_norms(self.A, axis=0) * row_norms(self.W, axis=1)

    def representation_cost(self) -> float:
        """``R = sum_k |a_k| |w_k|`` (the weight-decay penalty of the balanced network)."""
        return float(self.unit_costs().sum())

    def penalty(self) -> float:
        """``C = (1/2)(|A|_F^2 + |W|_F^2)``; equals :meth:`representation_cost` when balanced."""
        return 0.5 * float(np.sum(self.A ** 2) + np.sum(self.W ** 2))

    def balanced(self) -> "ReluNet":
        """The same function with every unit rescaled so that ``|a_k| = |w_k|`` (``C = R``)."""
        na, nw = np.linalg.norm(self.A, axis=0), np.linalg.norm(self.W, axis=1)
        ok = (na > 0) & (nw > 0)
        g = np.where(ok, np.sqrt(na / np.where(ok, nw, 1.0)), 1.0)
        return ReluNet(self.W * g[:, None], self.b * g, self.A / g, self.V, self.c)

    def active(self, rel_tol: float = 1e-2) -> np.ndarray:
        """Indices of units whose cost ``|a_k||w_k|`` exceeds ``rel_tol`` times the largest."""
        rel_tol = check_rel_tol(rel_tol)
        uc = self.unit_costs()
        if uc.size == 0 or uc.max() == 0:
            return np.zeros(0, int)
        return np.flatnonzero(uc > rel_tol * uc.max())

    def units(self, index: object) -> "ReluNet":
        """The network restricted to the units ``index`` (same ``V`` and ``c``)."""
        k = np.asarray(index, dtype=int).reshape(-1)
        return ReluNet(self.W[k], self.b[k], self.A[:, k], self.V, self.c)

    def bend_hyperplanes(self, rel_tol: float = 0.0) -> BendHyperplanes:
        """Hyperplanes ``w_k . y + b_k = 0`` (normalised) of the units with non-zero cost above
        ``rel_tol`` times the largest: where ``h`` bends."""
        k = self.active(rel_tol) if rel_tol > 0 else np.flatnonzero(self.unit_costs() > 0)
        nw = np.linalg.norm(self.W[k], axis=1)
        return BendHyperplanes(normals=self.W[k] / nw[:, None], offsets=-self.b[k] / nw,
                               unit=k, kind=np.array(["unit"] * len(k)))

    def to_relu_net(self) -> "ReluNet":
        """Itself (so every network-like object answers ``to_relu_net``)."""
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}(d={self.d}, width={self.width}, cost={self.representation_cost():.6g})"


def as_relu_net(net: object, name: str = "net") -> ReluNet:
    """A :class:`ReluNet` from a ``ReluNet``, a ``RampSum``, a torch ``ShallowDenoiser`` or anything
    else with a ``to_relu_net()`` method; ``TypeError`` otherwise."""
    if isinstance(net, ReluNet):
        return net
    convert = getattr(net, "to_relu_net", None)
    if convert is None:
        raise TypeError(
            f"{name} must be a network (ReluNet, RampSum or ShallowDenoiser), got {type(net).__name__}")
    return convert()
