"""Training shallow denoisers (torch): one entry point, :func:`train`.

Modes (``lam`` multiplies the hidden-weight penalty ``C = (1/2)(|A|^2 + |W|^2)``):

- ``"online"``: the paper's online training. Every step draws fresh noise,
  ``batch`` samples per clean point, and takes an Adam step on
  ``(1/(N B)) sum |h(x_n + eps) - x_n|^2 + lam C``.
- ``"offline"``: ``M`` noisy copies per clean point drawn once (or the given ``samples``);
  full-batch steps on ``(1/(N M)) sum_{n,m} |h(y_nm) - x_n|^2 + lam C``, by Adam
  (``optimizer="adam"``, ``steps`` steps) or by L-BFGS (``optimizer="lbfgs"``: ``steps`` rounds of
  up to ``inner`` iterations, curvature memory kept; on a fixed batch a quasi-Newton method
  reaches a stationary point in hundreds rather than tens of thousands of steps).
- ``"interpolate"``: minimise ``C`` subject to ``h(y_i) = x_{n(i)}`` exactly on constraint points
  (``M`` points in and on each ball of radius ``rho``, or ``M`` noisy samples if ``rho`` is None,
  or the given ``samples``; in d >= 3 pass about ``M = 50 d``: with the default 100 a regular
  tetrahedron missed the 1% target of ``benchmarks/training.py`` in one seed of three, with
  ``50 d`` none did) by an augmented Lagrangian: minimise
  ``C + <mu, r> + (beta/2)|r|^2``, ``r = h(Y) - T``, by L-BFGS (up to ``inner`` iterations), then
  ``mu += beta r``; ``steps`` such rounds. With ``grow_beta`` (default) ``beta`` is raised while
  the iteration stalls far from feasible; ``grow_beta=False`` keeps it fixed (better
  conditioned in high dimension). ``beta`` and ``steps`` may be equal-length sequences: stages
  run one after the other with fresh multipliers (e.g. ``beta=(100, 10), steps=(10, 20)``: a
  stiff penalty reaches interpolation, a softer one then lowers the cost). It reaches the
  min-cost interpolant of the constraint points far faster than small weight decay does.
- ``"expected"``: the online objective with the expectation over the noise taken exactly, no
  sampling: full-batch Adam steps on ``(1/N) sum_n E_eps |h(x_n + eps) - x_n|^2 + lam C``,
  evaluated in closed form by :func:`mnd.nets.gaussian.expected_denoising_loss` (Gaussian
  moments of ReLU units). Deterministic (``seed`` is unused); cost per step
  ``O(N K^2)`` for width ``K``. ``batch`` and ``M`` are ignored.
"""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch

from .._checks import as_finite_array, points_2d, positive_int, positive_scalar
from ..data import constraint_points, noisy_samples
from .gaussian import expected_denoising_loss
from .network import ShallowDenoiser
from ..show.progress import progress_bar
from .threads import torch_threads

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


def _on_thread_policy(fn: Callable) -> Callable:
    """Run ``fn`` inside :func:`torch_threads` with its ``threads`` keyword (default policy)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with torch_threads(kwargs.get("threads")):
            return fn(*args, **kwargs)
    return wrapper


@_on_thread_policy
def train(
    net: ShallowDenoiser,
    x_clean: np.ndarray,
    sigma: float | None = None,
    mode: str = "online",
    lam: float = 1e-5,
    steps: int | Sequence[int] = 2000,
    lr: float = 1e-3,
    batch: int = 32,
    M: int = 100,
    rho: float | None = None,
    seed: int = 0,
    log_every: int | None = None,
    inner: int = 50,
    beta: float | Sequence[float] = 10.0,
    grow_beta: bool = True,
    optimizer: str = "adam",
    samples: tuple[np.ndarray, np.ndarray] | None = None,
    progress: bool | None = None,
    callback: Callable[[int, ShallowDenoiser, "History"], bool] | None = None,
    threads: int | None = None,
) -> History:
    """Train ``net`` in place on clean points ``x_clean`` (``(N,)`` or ``(N, d)``); see module doc.

    ``steps`` counts Adam steps (online, offline, expected), L-BFGS rounds (offline with
    ``optimizer="lbfgs"``) or augmented-Lagrangian rounds (interpolate), each L-BFGS call with up
    to ``inner`` iterations. ``samples = (Y, T)`` (rows: points and their clean targets) replaces
    the drawn samples of offline and interpolate training. Seeded by ``seed``. Returns the
    :class:`History`; ``residual`` is the largest constraint violation (interpolate) or the data
    term (offline L-BFGS). ``callback(step, net, history)`` runs at every logged step; returning
    True stops training. A run that ends with a non-finite loss or parameters raises
    ``FloatingPointError``. ``threads``: torch threads for this call (default one, or
    ``$MND_TORCH_THREADS``; the caller's setting is restored afterwards, see :mod:`.threads`).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if optimizer not in ("adam", "lbfgs"):
        raise ValueError(f"optimizer must be 'adam' or 'lbfgs', got {optimizer!r}")
    if optimizer == "lbfgs" and mode != "offline":
        raise ValueError("optimizer='lbfgs' applies to mode='offline' (interpolate always uses L-BFGS)")
    X = points_2d(x_clean, "x_clean")
    if X.shape[1] != net.d:
        raise ValueError(f"x_clean has dimension {X.shape[1]} but the network has d = {net.d}")
    stages = _stages(steps, beta, mode)
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.integer, np.floating)):
        raise TypeError(f"lam must be a real number, got {type(lam).__name__}")
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"lam must be finite and >= 0, got {lam}")
    lr = positive_scalar(lr, "lr")
    batch = positive_int(batch, "batch")
    M = positive_int(M, "M")
    inner = positive_int(inner, "inner")
    if rho is not None:
        rho = positive_scalar(rho, "rho")
    if samples is not None and mode not in ("offline", "interpolate"):
        raise ValueError(f"samples apply to mode 'offline' or 'interpolate', not {mode!r}")
    if mode in ("online", "offline", "expected") or (rho is None and samples is None):
        if sigma is None and samples is None:
            raise ValueError(f"mode {mode!r} needs sigma (the noise level)" + (
                ", or rho (ball constraints) or samples" if mode == "interpolate" else ""))
        sigma = positive_scalar(sigma, "sigma") if sigma is not None else None
    dtype, device = net.W.dtype, net.W.device   # data follow the network's dtype and device
    total = sum(n for n, _ in stages)
    log_every = log_every or max(1, total // 200)
    hist = History(mode=mode)
    t0 = time.perf_counter()
    if mode == "interpolate":
        Y, T = samples if samples is not None else constraint_points(X, sigma=sigma, rho=rho, M=M, seed=seed)
        Y, T = _check_samples(Y, T, net.d)
        if rho is not None and samples is None:
            _check_disjoint(X, rho)
        stopped = False
        for n, b in stages:
            stopped = _augmented_lagrangian(net, Y, T, n, inner, b, grow_beta, progress, callback, hist)
            if stopped:
                break
        spread = float(np.ptp(np.asarray(T, float))) or 1.0
        if not stopped and hist.residual and np.isfinite(hist.residual[-1]) and hist.residual[-1] > 0.05 * spread:
            warnings.warn(f"interpolation not reached: largest constraint violation {hist.residual[-1]:.3g} "
                          f"is above 5% of the targets' spread {spread:.3g} after {hist.step[-1]} rounds "
                          "(give more steps or a larger beta)", RuntimeWarning, stacklevel=2)
    elif mode == "offline" and optimizer == "lbfgs":
        Y, T = samples if samples is not None else noisy_samples(X, sigma, M, seed=seed)
        Y, T = _check_samples(Y, T, net.d)
        _offline_lbfgs(net, Y, T, lam, total, inner, hist)
    else:
        gen = torch.Generator().manual_seed(seed)
        Xt = torch.as_tensor(X, dtype=dtype, device=device)
        if mode == "offline":
            Y, T = samples if samples is not None else noisy_samples(X, sigma, M, seed=seed)
            Y, T = _check_samples(Y, T, net.d)
            Yt, Tt = (torch.as_tensor(Y, dtype=dtype, device=device),
                      torch.as_tensor(T, dtype=dtype, device=device))
        else:
            Tt = Xt.repeat_interleave(batch, dim=0)
        if mode == "expected":
            _check_expected_memory(X.shape[0], net.width, net.d)
        opt = torch.optim.Adam(net.parameters(), lr=lr)
        with progress_bar(total=total, desc=f"{mode} training", progress=progress) as bar:
            for it in range(1, total + 1):
                if mode == "online":
                    noise = torch.randn(Tt.shape, generator=gen, dtype=torch.float64)
                    Yt = Tt + sigma * noise.to(dtype=dtype, device=device)
                opt.zero_grad(set_to_none=True)
                if mode == "expected":
                    fit = expected_denoising_loss(net.W, net.b, net.A, net.V, net.c, Xt, sigma)
                else:
                    fit = (net(Yt) - Tt).pow(2).sum(1).mean()
                loss = fit + lam * net.penalty()
                loss.backward()
                opt.step()
                if it % log_every == 0 or it == total:
                    hist.step.append(it)
                    hist.loss.append(loss.item())
                    hist.cost.append(net.representation_cost())
                    bar.update(it - bar.n)
                    bar.set_postfix(loss=f"{loss.item():.3g}", cost=f"{hist.cost[-1]:.4g}", refresh=False)
                    if not np.isfinite(hist.loss[-1]):
                        break
                    if callback is not None and callback(it, net, hist):
                        break
    hist.seconds = time.perf_counter() - t0
    _check_finite(net, hist)
    return hist


def fit_interpolant(
    x_clean: np.ndarray,
    rho: float,
    M: int = 60,
    width: int = 64,
    seed: int = 0,
    steps: Sequence[int] = (10, 20),
    beta: Sequence[float] = (100.0, 10.0),
) -> tuple[ShallowDenoiser, History]:
    """The constrained trainer for the min-cost interpolant: a ``width`` network of least weight
    penalty ``C`` with ``h(y) = x_n`` at ``M`` points in and on each ball ``B(x_n, rho)``.

    ``ShallowDenoiser(d, width, x_clean, seed=seed)`` trained by :func:`train` with
    ``mode="interpolate"`` in two stages (default: 10 rounds at penalty weight 100 to reach the
    constraints, then 20 at 10). Returns the network and its :class:`History`.
    """
    X = points_2d(x_clean, "x_clean")
    net = ShallowDenoiser(X.shape[1], width, x_clean=X, seed=seed)
    hist = train(net, X, mode="interpolate", rho=rho, M=M, steps=steps, beta=beta, seed=seed)
    return net, hist


def _stages(steps: object, beta: object, mode: str) -> list[tuple[int, float]]:
    """``[(steps, beta), ...]``: one stage, or several when ``steps``/``beta`` are sequences."""
    multi = isinstance(steps, (tuple, list)) or isinstance(beta, (tuple, list))
    if not multi:
        return [(positive_int(steps, "steps"), positive_scalar(beta, "beta"))]
    if mode != "interpolate":
        raise ValueError(f"sequences of steps/beta (stages) apply to mode='interpolate', not {mode!r}")
    steps_l = list(steps) if isinstance(steps, (tuple, list)) else None
    beta_l = list(beta) if isinstance(beta, (tuple, list)) else None
    if steps_l is None or beta_l is None or len(steps_l) != len(beta_l) or not steps_l:
        raise ValueError(f"stages need steps and beta as sequences of one length, got {steps!r}, {beta!r}")
    return [(positive_int(n, "steps"), positive_scalar(b, "beta")) for n, b in zip(steps_l, beta_l)]


def _check_samples(Y: object, T: object, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples and targets as ``(n, d)`` arrays (flat ``(n,)`` accepted for ``d = 1``)."""
    Y, T = as_finite_array(Y, "samples Y"), as_finite_array(T, "samples T")
    if Y.ndim == 1 and d == 1:
        Y, T = Y[:, None], T.reshape(-1, 1)
    if Y.ndim != 2 or Y.shape != T.shape or Y.shape[1] != d or Y.shape[0] == 0:
        raise ValueError(f"samples (Y, T) must both have shape (n, {d}) with n >= 1, got "
                         f"{np.shape(Y)} and {np.shape(T)}")
    return Y, T


def _check_disjoint(X: np.ndarray, rho: float) -> None:
    """Interpolation of the balls needs them disjoint (an interpolant cannot take two values)."""
    if X.shape[0] < 2:
        return
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(X).query(X, k=2)
    i = int(np.argmin(dist[:, 1]))
    if dist[i, 1] <= 2 * rho:
        raise ValueError(f"clean points closer than 2*rho: point {i} is {dist[i, 1]:g} from its nearest "
                         f"neighbour, 2*rho = {2 * rho:g}; the balls overlap and no network interpolates them")


def _check_expected_memory(N: int, K: int, d: int, limit_gib: float = 4.0) -> None:
    """``mode="expected"`` builds ``(N, K, K)`` covariance tensors with autograd: about
    ``12 * 8 N K^2`` bytes. Refuse before allocating beyond ``limit_gib``."""
    need = 12 * 8 * N * K * K / 2**30
    if need > limit_gib:
        raise ValueError(f"mode='expected' needs about {need:.1f} GiB for N = {N} points and width {K} "
                         f"(memory grows like N K^2); the limit is {limit_gib} GiB: use fewer points, a "
                         "narrower network, or mode='online'")


def _check_finite(net: ShallowDenoiser, hist: History) -> None:
    bad = [name for name, p in net.named_parameters() if not torch.isfinite(p).all()]
    if bad or (hist.loss and not np.isfinite(hist.loss[-1])):
        raise FloatingPointError(
            f"training diverged: non-finite {'parameters ' + ', '.join(bad) if bad else 'loss'} "
            f"after {hist.step[-1] if hist.step else 0} steps (lower lr, check the data)")


def _offline_lbfgs(net: ShallowDenoiser, Y: np.ndarray, T: np.ndarray, lam: float, rounds: int,
                   iters: int, hist: History) -> None:
    """Offline loss by L-BFGS: ``rounds`` calls of up to ``iters`` iterations (memory kept)."""
    dtype = net.W.dtype
    Yt = torch.as_tensor(np.asarray(Y, float).reshape(-1, net.d), dtype=dtype, device=net.W.device)
    Tt = torch.as_tensor(np.asarray(T, float).reshape(-1, net.d), dtype=dtype, device=net.W.device)
    opt = _lbfgs([p for p in net.parameters() if p.requires_grad], iters, 1e-12, 1e-15)

    def closure() -> torch.Tensor:
        opt.zero_grad(set_to_none=True)
        loss = (net(Yt) - Tt).pow(2).sum(1).mean() + lam * net.penalty()
        loss.backward()
        return loss

    for r in range(1, rounds + 1):
        opt.step(closure)
        with torch.no_grad():
            fit = float((net(Yt) - Tt).pow(2).sum(1).mean())
            pen = float(net.penalty())
        hist.step.append(r)
        hist.loss.append(fit + lam * pen)
        hist.cost.append(net.representation_cost())
        hist.residual.append(fit)


def _lbfgs(params: list, iters: int, tol_grad: float, tol_change: float) -> torch.optim.LBFGS:
    return torch.optim.LBFGS(params, lr=1.0, max_iter=iters, history_size=50, tolerance_grad=tol_grad,
                             tolerance_change=tol_change, line_search_fn="strong_wolfe")


def _augmented_lagrangian(net: ShallowDenoiser, Y: np.ndarray, T: np.ndarray, outer: int, inner: int,
                          beta: float, grow_beta: bool, progress: bool | None, callback, hist: History) -> bool:
    """Rounds of L-BFGS on ``C + <mu, r> + (beta/2)|r|^2``, then ``mu += beta r`` (module doc).

    With ``grow_beta``: while the largest residual exceeds 5% of the targets' spread and a round
    does not shrink it by 10%, ``beta`` is multiplied by 4 (up to ``1e3``), so the iteration
    cannot stall far from feasible. Near feasibility ``beta`` stays put: a larger one only makes
    the inner problem ill-conditioned and slows the cost down. Returns True if ``callback`` stopped it.
    """
    Y = np.asarray(Y, float).reshape(-1, net.d)
    T = np.asarray(T, float).reshape(-1, net.d)
    prev_res = np.inf
    dtype, device = net.W.dtype, net.W.device
    Yt = torch.as_tensor(Y, dtype=dtype, device=device)
    Tt = torch.as_tensor(T, dtype=dtype, device=device)
    scale = float(np.max(np.linalg.norm(T - T.mean(0), axis=1))) or 1.0
    mu = torch.zeros_like(Tt)
    opt = _lbfgs([p for p in net.parameters() if p.requires_grad], inner, 1e-10, 1e-14)
    start = hist.step[-1] if hist.step else 0

    def closure():
        opt.zero_grad(set_to_none=True)
        r = net(Yt) - Tt
        obj = net.penalty() + (mu * r).sum() + 0.5 * beta * r.pow(2).sum()  # beta read at call time
        obj.backward()
        return obj

    with progress_bar(total=outer, desc="interpolate (augmented Lagrangian)", progress=progress) as bar:
        for it in range(1, outer + 1):
            opt.step(closure)
            with torch.no_grad():
                r = net(Yt) - Tt
                mu += beta * r
                res = float(r.abs().max())
            if grow_beta and res > 0.9 * prev_res and res > 0.05 * scale:
                beta = min(4.0 * beta, 1e3)
            prev_res = res
            hist.step.append(start + it)
            hist.loss.append(net.penalty().item())
            hist.cost.append(net.representation_cost())
            hist.residual.append(res)
            bar.update(1)
            bar.set_postfix(residual=f"{res:.2g}", cost=f"{hist.cost[-1]:.4g}", refresh=False)
            if not np.isfinite(res):
                break
            if callback is not None and callback(start + it, net, hist):
                return True
    return False
