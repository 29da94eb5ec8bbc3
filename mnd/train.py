"""Training shallow denoisers (torch; chapter 1, section "Training").

Modes (``lam`` multiplies the hidden-weight penalty ``C = (1/2)(|A|^2 + |W|^2)``):

- ``"online"``: the paper's practical update rule. Every step draws fresh noise,
  ``batch`` samples per clean point, and takes an Adam step on
  ``(1/(N B)) sum |h(x_n + eps) - x_n|^2 + lam C``.
- ``"offline"``: ``M`` noisy copies per clean point drawn once; full-batch Adam steps on
  ``(1/(N M)) sum_{n,m} |h(y_nm) - x_n|^2 + lam C``.
- ``"interpolate"``: minimise ``C`` subject to ``h(y_i) = x_{n(i)}`` exactly on constraint points
  (``M`` points in and on each ball of radius ``rho``, or the offline samples if ``rho`` is None)
  by an augmented Lagrangian with L-BFGS inner solves (design notes, training.md). It reaches the
  min-cost interpolant of the constraint points far faster than small weight decay does.
- ``"expected"``: the online objective with the expectation over the noise taken exactly, no
  sampling: full-batch Adam steps on ``(1/N) sum_n E_eps |h(x_n + eps) - x_n|^2 + lam C``,
  evaluated in closed form by :func:`mnd.gaussian_torch.expected_denoising_loss` (Gaussian
  moments of ReLU units, appendix A1). Deterministic (``seed`` is unused); cost per step
  ``O(N K^2)`` for width ``K``. ``batch`` and ``M`` are ignored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from ._checks import as_finite_array, points_2d, positive_scalar
from .data import noisy_samples, sample_ball
from .gaussian_torch import expected_denoising_loss
from .nets import ShallowDenoiser

MODES = ("online", "offline", "interpolate", "expected")


@dataclass
class History:
    """What :func:`train` recorded: objective and representation cost at logged steps."""

    mode: str
    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    residual: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def as_arrays(self) -> dict[str, np.ndarray]:
        """The logged series as numpy arrays."""
        return {k: np.asarray(getattr(self, k)) for k in ("step", "loss", "cost", "residual")}


def constraint_points(
    x_clean: np.ndarray, sigma: float | None = None, rho: float | None = None, M: int = 100, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Points ``y_i`` and targets ``x_{n(i)}``, shape ``(N M, d)``: ``M`` points in each ball
    ``B(x_n, rho)`` (boundary points included) if ``rho`` is given, else ``M`` noisy samples."""
    X = points_2d(x_clean, "x_clean")
    if rho is not None:
        rho = positive_scalar(rho, "rho")
        Y = np.concatenate([sample_ball(x, rho, M, seed=seed + i) for i, x in enumerate(X)])
        return Y, np.repeat(X, M, axis=0)
    if sigma is None:
        raise ValueError("give rho (ball constraints) or sigma (noisy-sample constraints)")
    return noisy_samples(X, sigma, M, seed=seed)


def _progress(total: int, desc: str, enabled: bool):
    return tqdm(total=total, desc=desc, disable=not enabled, mininterval=0.5, leave=True)


def train(
    net: ShallowDenoiser,
    x_clean: np.ndarray,
    sigma: float | None = None,
    mode: str = "online",
    lam: float = 1e-5,
    steps: int = 2000,
    lr: float = 1e-3,
    batch: int = 32,
    M: int = 100,
    rho: float | None = None,
    seed: int = 0,
    log_every: int | None = None,
    inner: int = 50,
    beta: float = 10.0,
    progress: bool = True,
    callback: Callable[[int, ShallowDenoiser, "History"], bool] | None = None,
) -> History:
    """Train ``net`` in place on clean points ``x_clean`` (``(N,)`` or ``(N, d)``); see module doc.

    ``steps`` counts Adam steps (online, offline, expected) or augmented-Lagrangian outer iterations
    (interpolate, each with up to ``inner`` L-BFGS iterations). Seeded by ``seed``. Returns the
    :class:`History`; ``residual`` is the largest constraint violation (interpolate only).
    ``callback(step, net, history)`` runs at every logged step; returning True stops training.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    X = points_2d(x_clean, "x_clean")
    if X.shape[1] != net.d:
        raise ValueError(f"x_clean has dimension {X.shape[1]} but the network has d = {net.d}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if lam < 0:
        raise ValueError(f"lam must be >= 0, got {lam}")
    if mode in ("online", "offline", "expected") or rho is None:
        sigma = positive_scalar(sigma, "sigma") if sigma is not None else None
        if sigma is None:
            raise ValueError(f"mode {mode!r} needs sigma (the noise level)")
    dtype = net.W.dtype
    log_every = log_every or max(1, steps // 200)
    hist = History(mode=mode)
    t0 = time.perf_counter()
    if mode == "interpolate":
        _interpolate(net, X, sigma, rho, M, seed, steps, inner, beta, hist, progress, callback)
    else:
        gen = torch.Generator().manual_seed(seed)
        Xt = torch.as_tensor(X, dtype=dtype)
        if mode == "offline":
            Y, T = noisy_samples(X, sigma, M, seed=seed)
            Yt, Tt = torch.as_tensor(Y, dtype=dtype), torch.as_tensor(T, dtype=dtype)
        else:
            Tt = Xt.repeat_interleave(batch, dim=0)
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        with _progress(steps, f"{mode} training", progress) as bar:
            for it in range(1, steps + 1):
                if mode == "online":
                    Yt = Tt + sigma * torch.randn(Tt.shape, generator=gen, dtype=dtype)
                opt.zero_grad(set_to_none=True)
                if mode == "expected":
                    fit = expected_denoising_loss(net.W, net.b, net.A, net.V, net.c, Xt, sigma)
                else:
                    fit = (net(Yt) - Tt).pow(2).sum(1).mean()
                loss = fit + lam * net.penalty()
                loss.backward()
                opt.step()
                if it % log_every == 0 or it == steps:
                    hist.step.append(it)
                    hist.loss.append(loss.item())
                    hist.cost.append(net.representation_cost())
                    bar.update(it - bar.n)
                    bar.set_postfix(loss=f"{loss.item():.3g}", cost=f"{hist.cost[-1]:.4g}", refresh=False)
                    if callback is not None and callback(it, net, hist):
                        break
    hist.seconds = time.perf_counter() - t0
    return hist


def _interpolate(net, X, sigma, rho, M, seed, outer, inner, beta, hist, progress, callback) -> None:
    """``mode="interpolate"``: constraint points, then :func:`augmented_lagrangian`."""
    Y, T = constraint_points(X, sigma=sigma, rho=rho, M=M, seed=seed)
    augmented_lagrangian(net, Y, T, outer=outer, inner=inner, beta=beta, progress=progress,
                         callback=callback, hist=hist)


def augmented_lagrangian(
    net: ShallowDenoiser,
    Y: np.ndarray,
    T: np.ndarray,
    outer: int = 30,
    inner: int = 50,
    beta: float = 10.0,
    grow_beta: bool = True,
    progress: bool = True,
    callback: Callable[[int, ShallowDenoiser, "History"], bool] | None = None,
    hist: History | None = None,
) -> History:
    """Min-cost network with ``h(y_i) = t_i`` on given points (rows of ``Y``, ``T``: ``(n, d)``), in place.

    Minimises ``C + <mu, r> + (beta/2)|r|^2``, ``r = h(Y) - T``, by L-BFGS (strong Wolfe line search,
    up to ``inner`` iterations) over the parameters that require grad, then ``mu += beta r``;
    ``outer`` such rounds. Logs the penalty ``C`` (``loss``), the representation cost and the largest
    violation ``max |r|`` (``residual``) after every round; ``callback`` returning True stops.

    With ``grow_beta`` (the default of ``mode="interpolate"``): while the largest residual exceeds
    5% of the targets' spread and a round does not shrink it by 10%, ``beta`` is multiplied by 4 (up
    to ``1e3``), so the iteration cannot stall far from feasible. Near feasibility ``beta`` stays
    put: a larger one only makes the inner problem ill-conditioned and slows the cost down.
    """
    Y = as_finite_array(Y, "Y")
    T = as_finite_array(T, "T")
    if Y.ndim != 2 or Y.shape != T.shape or Y.shape[1] != net.d:
        raise ValueError(f"Y and T must both have shape (n, {net.d}), got {Y.shape} and {T.shape}")
    for v, name in ((outer, "outer"), (inner, "inner")):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    beta = positive_scalar(beta, "beta")
    hist = hist if hist is not None else History(mode="interpolate")
    t0 = time.perf_counter()
    prev_res = np.inf
    dtype = net.W.dtype
    Yt, Tt = torch.as_tensor(Y, dtype=dtype), torch.as_tensor(T, dtype=dtype)
    scale = float(np.max(np.linalg.norm(T - T.mean(0), axis=1))) or 1.0
    mu = torch.zeros_like(Tt)
    opt = torch.optim.LBFGS(
        [p for p in net.parameters() if p.requires_grad], lr=1.0, max_iter=inner, history_size=50,
        tolerance_grad=1e-10, tolerance_change=1e-14, line_search_fn="strong_wolfe",
    )

    def closure():
        opt.zero_grad(set_to_none=True)
        r = net(Yt) - Tt
        obj = net.penalty() + (mu * r).sum() + 0.5 * beta * r.pow(2).sum()  # beta read at call time
        obj.backward()
        return obj

    with _progress(outer, "interpolate (augmented Lagrangian)", progress) as bar:
        for it in range(1, outer + 1):
            opt.step(closure)
            with torch.no_grad():
                r = net(Yt) - Tt
                mu += beta * r
                res = float(r.abs().max())
            if grow_beta and res > 0.9 * prev_res and res > 0.05 * scale:
                beta = min(4.0 * beta, 1e3)
            prev_res = res
            hist.step.append(it)
            hist.loss.append(net.penalty().item())
            hist.cost.append(net.representation_cost())
            hist.residual.append(res)
            bar.update(1)
            bar.set_postfix(residual=f"{res:.2g}", cost=f"{hist.cost[-1]:.4g}", refresh=False)
            if callback is not None and callback(it, net, hist):
                break
    hist.seconds = time.perf_counter() - t0
    return hist
