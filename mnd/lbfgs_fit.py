"""Full-batch L-BFGS fits of a network to a fixed set of noisy samples (torch; chapter 6).

Two objectives on fixed samples ``y_i`` with targets ``t_i`` (the clean point of each sample):

- the paper's offline loss (:func:`train_offline_lbfgs`),

      L(theta) = (1/n) sum_i |h(y_i) - t_i|^2 + lam * (1/2) sum_k (|a_k|^2 + |w_k|^2),

  the same objective as ``mnd.train.train(mode="offline")``, minimised by L-BFGS instead of Adam
  (the batch is fixed, so a quasi-Newton method reaches a stationary point in hundreds rather
  than tens of thousands of steps);
- the min-cost interpolant of the samples (:func:`interpolate_samples`): minimise
  ``C = (1/2) sum_k (|a_k|^2 + |w_k|^2)`` subject to ``h(y_i) = t_i`` by an augmented Lagrangian
  ``C + <mu, r> + (beta/2)|r|^2``, ``r = h(Y) - T``, ``mu += beta r`` after each inner L-BFGS
  solve, with a **fixed** penalty ``beta`` (:func:`mnd.train.augmented_lagrangian` with
  ``grow_beta=False``): on the 64-dimensional digits of chapter 6 an aggressive growth of ``beta``
  made the inner problems ill-conditioned and training stalled at costs three times the closed
  form's, while the fixed ``beta = 10`` converged.

Parameters with ``requires_grad = False`` (for instance a frozen skip matrix ``V``) are left
untouched by both.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import torch

from ._checks import points_2d, positive_scalar
from .data import noisy_samples
from .nets import ShallowDenoiser
from .train import History, augmented_lagrangian


def _positive_int(v: object, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ValueError(f"{name} must be a positive integer, got {v!r}")
    return int(v)


def _lbfgs(params: list[torch.nn.Parameter], iters: int, tol_grad: float, tol_change: float) -> torch.optim.LBFGS:
    return torch.optim.LBFGS(
        params, lr=1.0, max_iter=iters, history_size=50,
        tolerance_grad=tol_grad, tolerance_change=tol_change, line_search_fn="strong_wolfe",
    )


def train_offline_lbfgs(
    net: ShallowDenoiser,
    x_clean: np.ndarray,
    sigma: float,
    lam: float,
    M: int = 100,
    seed: int = 0,
    rounds: int = 4,
    iters: int = 200,
) -> History:
    """Minimise the offline loss of ``net`` in place on ``M`` noisy samples per clean point
    (``mnd.data.noisy_samples(x_clean, sigma, M, seed)``): ``rounds`` L-BFGS calls of up to
    ``iters`` iterations each (the curvature memory is kept between rounds; a round is one
    logged step).

    Returns a :class:`mnd.train.History` (``mode="offline-lbfgs"``) with the loss and the
    representation cost after every round; ``residual`` holds the data term (mean squared error on
    the samples) so the fit and the penalty can be read separately.
    """
    X = points_2d(x_clean, "x_clean")
    if X.shape[1] != net.d:
        raise ValueError(f"x_clean has dimension {X.shape[1]} but the network has d = {net.d}")
    sigma = positive_scalar(sigma, "sigma")
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"lam must be finite and >= 0, got {lam}")
    rounds, iters, M = (_positive_int(v, n) for v, n in ((rounds, "rounds"), (iters, "iters"), (M, "M")))
    dtype = net.W.dtype
    Y, T = noisy_samples(X, sigma, M, seed=seed)
    Yt, Tt = torch.as_tensor(Y, dtype=dtype), torch.as_tensor(T, dtype=dtype)
    opt = _lbfgs([p for p in net.parameters() if p.requires_grad], iters, 1e-12, 1e-15)

    def closure() -> torch.Tensor:
        opt.zero_grad(set_to_none=True)
        loss = (net(Yt) - Tt).pow(2).sum(1).mean() + lam * net.penalty()
        loss.backward()
        return loss

    hist = History(mode="offline-lbfgs")
    t0 = time.perf_counter()
    for r in range(1, rounds + 1):
        opt.step(closure)
        with torch.no_grad():
            fit = float((net(Yt) - Tt).pow(2).sum(1).mean())
            pen = float(net.penalty())
        hist.step.append(r)
        hist.loss.append(fit + lam * pen)
        hist.cost.append(net.representation_cost())
        hist.residual.append(fit)
    hist.seconds = time.perf_counter() - t0
    return hist


def interpolate_samples(
    net: ShallowDenoiser,
    Y: np.ndarray,
    T: np.ndarray,
    outer: int = 80,
    inner: int = 50,
    beta: float = 10.0,
    callback: Callable[[int, ShallowDenoiser, History], bool] | None = None,
) -> History:
    """Min-cost network with ``h(y_i) = t_i`` on the given points, by the **fixed**-``beta``
    augmented Lagrangian: :func:`mnd.train.augmented_lagrangian` with ``grow_beta=False`` (see the
    module doc for why chapter 6 keeps ``beta`` fixed). In place; returns its History."""
    return augmented_lagrangian(net, Y, T, outer=outer, inner=inner, beta=beta, grow_beta=False,
                                progress=False, callback=callback)
