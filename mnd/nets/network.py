"""The trainable (torch) shallow ReLU denoiser with a linear skip connection.

    h(y) = sum_k a_k [w_k . y + b_k]_+ + V y + c = A relu(W y + b) + V y + c

Weight decay acts on the hidden-layer weights only: ``C = (1/2) sum_k (|a_k|^2 + |w_k|^2)``.
Since ``(a, w, b) -> (a/g, g w, g b)`` leaves ``h`` unchanged and ``C >= sum_k |a_k||w_k|`` with
equality for balanced units (``|a_k| = |w_k|``), the representation cost of the network is
``R = sum_k |a_k||w_k|``. Its numpy twin is :class:`mnd.ReluNet`: :meth:`ShallowDenoiser.to_relu_net`
and :meth:`ShallowDenoiser.from_relu_net` convert both ways, exactly.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .._checks import as_points, points_2d, positive_scalar
from ..ramps import RampSum
from ..relu_net import ReluNet, as_relu_net
from .threads import torch_threads


class ShallowDenoiser(nn.Module):
    """``h(y) = A relu(W y + b) + V y + c`` with ``W: (width, d)``, ``A: (d, width)``.

    Initialisation (seeded): unit directions ``w_k`` uniform on the sphere, scaled by
    ``init_scale``; if ``x_clean`` is given, each unit's kink passes through a random point of the
    data's bounding box (so kinks cover the data), else ``b = 0``; ``A`` is small Gaussian, and
    ``V = 0``, ``c = 0``.
    """

    def __init__(
        self,
        d: int,
        width: int,
        x_clean: np.ndarray | None = None,
        init_scale: float = 1.0,
        seed: int = 0,
        dtype: torch.dtype = torch.float64,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
            raise ValueError(f"d must be a positive integer, got {d!r}")
        if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
            raise ValueError(f"width must be a positive integer, got {width!r}")
        init_scale = positive_scalar(init_scale, "init_scale")
        self.d, self.width = int(d), int(width)
        gen = torch.Generator().manual_seed(seed)
        f64 = torch.float64   # drawn in float64 and cast: the same network in every dtype
        w = torch.randn(width, d, generator=gen, dtype=f64).to(dtype)
        w = init_scale * w / w.norm(dim=1, keepdim=True)
        if x_clean is not None:
            Xn = points_2d(x_clean, "x_clean")
            if Xn.shape[1] != d:
                raise ValueError(f"x_clean must have shape (N, {d}) for d = {d}, got shape {np.shape(x_clean)}")
            X = torch.as_tensor(Xn, dtype=dtype)
            lo, hi = X.min(0).values, X.max(0).values
            p = lo + (hi - lo) * torch.rand(width, d, generator=gen, dtype=f64).to(dtype)
            b = -(w * p).sum(1)
        else:
            b = torch.zeros(width, dtype=dtype)
        self.W = nn.Parameter(w)
        self.b = nn.Parameter(b)
        self.A = nn.Parameter((0.1 * torch.randn(d, width, generator=gen, dtype=f64) / np.sqrt(width)).to(dtype))
        self.V = nn.Parameter(torch.zeros(d, d, dtype=dtype))
        self.c = nn.Parameter(torch.zeros(d, dtype=dtype))
        if device is not None:      # drawn on the CPU (same numbers on every device), then moved
            self.to(torch.device(device))

    def extra_repr(self) -> str:
        return f"d={self.d}, width={self.width}, dtype={self.W.dtype}, device={self.W.device}"

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        """Batch ``(n, d) -> (n, d)``."""
        if not isinstance(y, torch.Tensor):
            raise TypeError(f"a ShallowDenoiser is called on torch tensors, got {type(y).__name__}; "
                            "for numpy arrays use net.denoise(y)")
        if y.dtype != self.W.dtype:
            raise TypeError(f"input dtype {y.dtype} does not match the network's {self.W.dtype}; "
                            f"convert with y.to({self.W.dtype})")
        return torch.relu(y @ self.W.T + self.b) @ self.A.T + y @ self.V.T + self.c

    def denoise(self, y: np.ndarray) -> np.ndarray:
        """Numpy in, numpy out: ``(n, d) -> (n, d)``; for ``d = 1`` also ``(n,) -> (n,)`` (on the
        thread policy of :mod:`mnd.nets.threads`)."""
        Y, flat = as_points(y, self.d, "y")
        with torch.no_grad(), torch_threads():
            out = self(torch.as_tensor(Y, dtype=self.W.dtype, device=self.W.device)).cpu().numpy()
        return out[:, 0] if flat else out

    def penalty(self) -> torch.Tensor:
        """Weight-decay term ``C = (1/2)(|A|_F^2 + |W|_F^2)`` (differentiable)."""
        return 0.5 * (self.A.pow(2).sum() + self.W.pow(2).sum())

    def unit_costs(self) -> torch.Tensor:
        """``|a_k| |w_k|`` for every unit, shape ``(width,)``."""
        return self.A.detach().norm(dim=0) * self.W.detach().norm(dim=1)

    def representation_cost(self) -> float:
        """``R = sum_k |a_k| |w_k|``: the penalty of the balanced network, a lower bound for ``C``."""
        return float(self.unit_costs().sum())

    @torch.no_grad()
    def balance_(self) -> "ShallowDenoiser":
        """Rescale each unit so ``|a_k| = |w_k|`` (``h`` unchanged, ``C`` drops to ``R``). In place."""
        na, nw = self.A.norm(dim=0), self.W.norm(dim=1)
        ok = (na > 0) & (nw > 0)
        g = torch.where(ok, torch.sqrt(na / torch.where(ok, nw, 1.0)), torch.ones_like(na))
        self.W.mul_(g[:, None])
        self.b.mul_(g)
        self.A.div_(g[None, :])
        return self

    def active_units(self, rel_tol: float = 1e-3) -> np.ndarray:
        """Indices of units whose cost ``|a_k||w_k|`` exceeds ``rel_tol`` times the largest."""
        costs = self.unit_costs()
        return torch.nonzero(costs > rel_tol * costs.max()).flatten().cpu().numpy()

    @classmethod
    def from_relu_net(cls, net: ReluNet | RampSum, dtype: torch.dtype = torch.float64) -> "ShallowDenoiser":
        """The torch network with exactly the weights of ``net`` (a :class:`~mnd.ReluNet`, or
        anything with ``to_relu_net``, such as a :class:`~mnd.RampSum`): same function and cost."""
        net = as_relu_net(net)
        out = cls(net.d, max(net.width, 1), dtype=dtype)
        with torch.no_grad():
            for name in ("W", "b", "A", "V", "c"):
                p = getattr(out, name)
                p.zero_()
                value = torch.as_tensor(getattr(net, name), dtype=dtype)
                if name == "A":
                    p[:, :net.width] = value
                elif name in ("W", "b"):
                    p[:net.width] = value
                else:
                    p.copy_(value)
        return out

    @classmethod
    def from_ramps(cls, ramps: RampSum, dtype: torch.dtype = torch.float64) -> "ShallowDenoiser":
        """The exact network of a ramp sum: ``2 J`` balanced units, ``V = 0``, same function and cost."""
        return cls.from_relu_net(ramps.to_relu_net(), dtype=dtype)

    def to_relu_net(self) -> ReluNet:
        """The current weights as a numpy :class:`~mnd.ReluNet` (copies, float64)."""
        w = {k: v.detach().double().cpu().numpy().copy() for k, v in self.named_parameters()}
        return ReluNet(w["W"], w["b"], w["A"], w["V"], w["c"])
