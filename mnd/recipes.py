"""Training recipes for chapter 2 (torch), with fast defaults and the paper's settings.

Three experiments, each a frozen settings object plus a function that runs it:

- the paper's Figure 1 (:class:`Figure1Settings`, :func:`train_figure1`): four clean points equally
  spaced in ``[-5, 5]``, ``sigma = 1.5``, ``lambda = 1e-5``, one network trained online, one
  offline, and the eMMSE denoiser. :data:`FIGURE1_PAPER` holds the paper's settings (online 100K
  iterations; offline ``M = 9000`` samples per point, 20K full-batch epochs); :data:`FIGURE1_FAST`
  runs in seconds on two CPU cores. The width, learning rate and online batch are not given in the
  sources available to the book; the values here are our choices. ``benchmarks/`` uses
  :data:`FIGURE1_PAPER` as the baseline recipe.
- the low-noise sweep (:class:`LowNoiseSettings`, :func:`train_low_noise`): online and offline
  networks at ``sigma = 0.3`` for a decreasing sequence of ``lambda``, plus the augmented-Lagrangian
  reference, compared with Proposition 1 by :func:`low_noise_rows`.
- networks for the generalisation experiment (:class:`GeneralisationNetSettings`,
  :func:`train_at_sigmas`).

The environment variable ``MND_PAPER_SETTINGS=1`` makes :func:`figure1_settings` and
:func:`low_noise_settings` return the long settings (``0`` or unset: the fast ones).
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from . import data
from ._checks import positive_scalar
from .closed_form import univariate, univariate_intervals
from .emmse import emmse
from .nets import ShallowDenoiser
from .radius import fit_radius, online_radius, sample_hulls
from .ramps import RampSum
from .train import History, train

ENV_FLAG = "MND_PAPER_SETTINGS"


def use_paper_settings(env: Mapping[str, str] | None = None) -> bool:
    """True if ``MND_PAPER_SETTINGS`` is ``1``/``true``/``yes``; False if unset, empty or
    ``0``/``false``/``no``; any other value raises ``ValueError``."""
    env = os.environ if env is None else env
    value = str(env.get(ENV_FLAG, "")).strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValueError(f"{ENV_FLAG} must be 0 or 1 (or true/false, yes/no), got {value!r}")


def _check_int(value: object, name: str, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_lam(lam: object, name: str = "lam") -> None:
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.floating)) or not np.isfinite(lam) or lam < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {lam!r}")


class _Settings:
    """Dict-style access for the settings dataclasses: ``s["sigma"]``, ``s.as_dict()``."""

    def __getitem__(self, key: str):
        if key not in self.as_dict():
            raise KeyError(key)
        return getattr(self, key)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)  # type: ignore[arg-type]

    def replace(self, **changes):
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


# ---------------------------------------------------------------------------------------------
# Figure 1


@dataclass(frozen=True)
class Figure1Settings(_Settings):
    """Settings of the Figure-1 experiment (see module docstring).

    ``online_steps`` Adam steps with ``online_batch`` fresh noise draws per clean point each;
    ``offline_steps`` full-batch Adam steps (epochs) on ``offline_M`` fixed samples per point.
    """

    name: str = "fast"
    n_points: int = 4
    low: float = -5.0
    high: float = 5.0
    sigma: float = 1.5
    lam: float = 1e-5
    width: int = 64
    lr: float = 3e-3
    online_steps: int = 3000
    online_batch: int = 128
    offline_M: int = 1000
    offline_steps: int = 3000
    init_seed: int = 0
    train_seed: int = 1

    def __post_init__(self) -> None:
        _check_int(self.n_points, "n_points", 2)
        for k in ("width", "online_steps", "online_batch", "offline_M", "offline_steps"):
            _check_int(getattr(self, k), k)
        positive_scalar(self.sigma, "sigma")
        positive_scalar(self.lr, "lr")
        _check_lam(self.lam)
        if not (np.isfinite(self.low) and np.isfinite(self.high)) or self.high <= self.low:
            raise ValueError(f"need finite low < high, got low = {self.low}, high = {self.high}")


#: Runs in a few seconds on two CPU cores (the chapter's default).
FIGURE1_FAST = Figure1Settings()
#: The paper's settings: online 100K iterations; offline M = 9000, 20K epochs (width, lr, batch ours).
FIGURE1_PAPER = Figure1Settings(
    name="paper", width=256, lr=1e-3, online_steps=100_000, online_batch=128, offline_M=9000, offline_steps=20_000,
)


def figure1_settings(paper: bool | None = None) -> Figure1Settings:
    """:data:`FIGURE1_PAPER` if ``paper`` (default: :func:`use_paper_settings`), else :data:`FIGURE1_FAST`."""
    return FIGURE1_PAPER if (use_paper_settings() if paper is None else paper) else FIGURE1_FAST


@dataclass
class Figure1Result:
    """The three Figure-1 denoisers (callables on ``(n,)`` arrays) and the training records."""

    settings: Figure1Settings
    x_clean: np.ndarray
    online: ShallowDenoiser
    offline: ShallowDenoiser
    emmse: Callable[[np.ndarray], np.ndarray]
    histories: dict[str, History] = field(default_factory=dict)

    def denoisers(self) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
        """``{"online": ..., "offline": ..., "eMMSE": ...}`` as numpy callables."""
        return {"online": self.online.denoise, "offline": self.offline.denoise, "eMMSE": self.emmse}


def train_figure1(settings: Figure1Settings = FIGURE1_FAST, progress: bool = False) -> Figure1Result:
    """Train the online and offline networks of Figure 1 (same initialisation, seeded) and build eMMSE."""
    if not isinstance(settings, Figure1Settings):
        raise ValueError(f"settings must be a Figure1Settings, got {type(settings).__name__}")
    s = settings
    x = data.equispaced(s.n_points, s.low, s.high)
    nets, hists = {}, {}
    for mode, kw in (
        ("online", dict(steps=s.online_steps, batch=s.online_batch)),
        ("offline", dict(steps=s.offline_steps, M=s.offline_M)),
    ):
        net = ShallowDenoiser(1, s.width, x_clean=x, seed=s.init_seed)
        hists[mode] = train(net, x, s.sigma, mode=mode, lam=s.lam, lr=s.lr, seed=s.train_seed, progress=progress, **kw)
        nets[mode] = net
    return Figure1Result(s, x, nets["online"], nets["offline"], emmse(x, s.sigma), hists)


# ---------------------------------------------------------------------------------------------
# Low-noise sweep: trained networks against Proposition 1


@dataclass(frozen=True)
class LowNoiseSettings(_Settings):
    """Online and offline training at low noise for each ``lam`` in ``lams`` (decreasing), plus
    the augmented-Lagrangian fit (``mode="interpolate"``) of the offline samples as a reference."""

    name: str = "fast"
    n_points: int = 4
    low: float = -5.0
    high: float = 5.0
    sigma: float = 0.3
    lams: tuple[float, ...] = (1e-3, 1e-4, 1e-5)
    width: int = 64
    lr: float = 1e-2
    steps: int = 8000
    batch: int = 64
    M: int = 200
    interpolate_steps: int = 40
    init_seed: int = 0
    train_seed: int = 1

    def __post_init__(self) -> None:
        _check_int(self.n_points, "n_points", 2)
        for k in ("width", "steps", "batch", "M", "interpolate_steps"):
            _check_int(getattr(self, k), k)
        positive_scalar(self.sigma, "sigma")
        positive_scalar(self.lr, "lr")
        if len(self.lams) == 0:
            raise ValueError("lams must contain at least one weight-decay value")
        for lam in self.lams:
            _check_lam(lam, "every lam")
        if not (np.isfinite(self.low) and np.isfinite(self.high)) or self.high <= self.low:
            raise ValueError(f"need finite low < high, got low = {self.low}, high = {self.high}")
        gap = (self.high - self.low) / (self.n_points - 1)
        if 6 * self.sigma >= gap:
            raise ValueError(
                f"not a low-noise setting: 6 sigma = {6 * self.sigma:g} must be below the gap {gap:g} "
                "(the noisy clouds of neighbouring points would overlap)"
            )


LOW_NOISE_FAST = LowNoiseSettings()
#: Longer runs (the paper's 100K online iterations for every network), for benchmarks.
LOW_NOISE_PAPER = LowNoiseSettings(name="paper", steps=100_000, lr=1e-3, width=256)


def low_noise_settings(paper: bool | None = None) -> LowNoiseSettings:
    """:data:`LOW_NOISE_PAPER` if ``paper`` (default: :func:`use_paper_settings`), else :data:`LOW_NOISE_FAST`."""
    return LOW_NOISE_PAPER if (use_paper_settings() if paper is None else paper) else LOW_NOISE_FAST


@dataclass
class TrainedRun:
    """One trained network with its mode, weight decay and training record."""

    mode: str
    lam: float
    net: ShallowDenoiser
    history: History


@dataclass
class LowNoiseResult:
    """Everything :func:`train_low_noise` produced; ``hull_target`` is the exact target of offline
    training (Proposition 1 on the per-point sample hulls ``[lo_n, hi_n]``)."""

    settings: LowNoiseSettings
    x_clean: np.ndarray
    samples: tuple[np.ndarray, np.ndarray]
    lo: np.ndarray
    hi: np.ndarray
    hull_target: RampSum
    runs: list[TrainedRun]
    seconds: float = 0.0


def train_low_noise(settings: LowNoiseSettings = LOW_NOISE_FAST, progress: bool = False) -> LowNoiseResult:
    """Train every network of the low-noise sweep (seeded; all start from the same initialisation).

    The offline networks and the interpolate reference use the same ``M`` samples per point
    (``mnd.data.noisy_samples(x, sigma, M, seed=train_seed)``).
    """
    if not isinstance(settings, LowNoiseSettings):
        raise ValueError(f"settings must be a LowNoiseSettings, got {type(settings).__name__}")
    s = settings
    t0 = time.perf_counter()
    x = data.equispaced(s.n_points, s.low, s.high)
    Y, T = data.noisy_samples(x, s.sigma, s.M, seed=s.train_seed)
    lo, hi = sample_hulls(Y, T, x)
    runs = []
    for lam in s.lams:
        for mode, kw in (("online", dict(batch=s.batch)), ("offline", dict(M=s.M))):
            net = ShallowDenoiser(1, s.width, x_clean=x, seed=s.init_seed)
            hist = train(net, x, s.sigma, mode=mode, lam=lam, steps=s.steps, lr=s.lr, seed=s.train_seed,
                         progress=progress, **kw)
            runs.append(TrainedRun(mode, float(lam), net, hist))
    net = ShallowDenoiser(1, s.width, x_clean=x, seed=s.init_seed)
    hist = train(net, x, s.sigma, mode="interpolate", M=s.M, steps=s.interpolate_steps, seed=s.train_seed,
                 progress=progress)
    runs.append(TrainedRun("interpolate", 0.0, net, hist))
    return LowNoiseResult(s, x, (Y, T), lo, hi, univariate_intervals(x, lo, hi), runs, time.perf_counter() - t0)


def low_noise_target(result: LowNoiseResult, run: TrainedRun) -> tuple[str, RampSum, float]:
    """The closed form a run should approach, a label, and its radius in units of sigma.

    Offline and interpolate: the sample-hull target (radius: mean half-width of the hulls).
    Online: ``f*_rho`` with ``rho = online_radius(x, sigma, lam)``; for ``lam = 0`` (not trained
    here) this is undefined.
    """
    s = result.settings
    if run.mode in ("offline", "interpolate"):
        x = result.x_clean
        r = float(np.mean(np.concatenate([x - result.lo, result.hi - x])))
        return "sample hulls", result.hull_target, r / s.sigma
    rho = online_radius(result.x_clean, s.sigma, run.lam)
    return "f*(rho_lambda)", univariate(result.x_clean, rho), rho / s.sigma


def low_noise_rows(result: LowNoiseResult, grid: np.ndarray | None = None) -> list[dict[str, object]]:
    """One row per run, keys ``mode, lambda, target, rho/sigma`` (the target's radius),
    ``fitted rho/sigma`` (:func:`mnd.radius.fit_radius` of the network), ``R(target)`` (the
    minimum cost), ``R(net)`` (``sum |a_k||w_k|``), ``ratio`` (``R(net)/R(target)``), and
    ``sup err``, ``RMS err`` of ``net - target`` on ``grid`` (default: 1401 points on the data
    range widened by 2). ``lambda`` is ``"none"`` for the interpolate run."""
    x = result.x_clean
    sigma = result.settings.sigma
    if grid is None:
        grid = np.linspace(x.min() - 2, x.max() + 2, 1401)
    rows = []
    for run in result.runs:
        label, target, r_sigma = low_noise_target(result, run)
        diff = run.net.denoise(grid) - target(grid)
        R_net, R_min = run.net.representation_cost(), target.representation_cost()
        rows.append({
            "mode": run.mode, "lambda": run.lam if run.mode != "interpolate" else "none",
            "target": label, "rho/sigma": r_sigma,
            "fitted rho/sigma": fit_radius(run.net.denoise, x, grid) / sigma,
            "R(target)": R_min, "R(net)": R_net, "ratio": R_net / R_min,
            "sup err": float(np.max(np.abs(diff))), "RMS err": float(np.sqrt(np.mean(diff**2))),
        })
    return rows


# ---------------------------------------------------------------------------------------------
# Networks for the generalisation experiment


@dataclass(frozen=True)
class GeneralisationNetSettings(_Settings):
    """Online networks trained at a few noise levels on the same training points."""

    sigmas: tuple[float, ...] = (0.05, 0.2, 0.6, 1.5)
    lam: float = 1e-5
    width: int = 64
    lr: float = 1e-2
    steps: int = 3000
    batch: int = 16
    init_seed: int = 0
    train_seed: int = 1

    def __post_init__(self) -> None:
        if len(self.sigmas) == 0:
            raise ValueError("sigmas must contain at least one noise level")
        for s in self.sigmas:
            positive_scalar(s, "every sigma")
        for k in ("width", "steps", "batch"):
            _check_int(getattr(self, k), k)
        positive_scalar(self.lr, "lr")
        _check_lam(self.lam)


GENERALISATION_FAST = GeneralisationNetSettings()


def train_at_sigmas(x_train: np.ndarray, settings: GeneralisationNetSettings = GENERALISATION_FAST,
                    progress: bool = False) -> dict[float, TrainedRun]:
    """One online network per noise level in ``settings.sigmas`` (same initialisation, seeded)."""
    if not isinstance(settings, GeneralisationNetSettings):
        raise ValueError(f"settings must be a GeneralisationNetSettings, got {type(settings).__name__}")
    s = settings
    x = np.asarray(x_train, dtype=float).reshape(-1)
    out = {}
    for sigma in s.sigmas:
        net = ShallowDenoiser(1, s.width, x_clean=x, seed=s.init_seed)
        hist = train(net, x, sigma, mode="online", lam=s.lam, steps=s.steps, lr=s.lr, batch=s.batch,
                     seed=s.train_seed, progress=progress)
        out[float(sigma)] = TrainedRun("online", s.lam, net, hist)
    return out
