"""A trained network against a closed form, in four numbers (chapters 3-5).

For clean points ``X``, radius ``rho``, a closed form ``h*`` (a :class:`~mnd.ramps.RampSum`) and a
trained network ``h`` (a :class:`~mnd.nets.ShallowDenoiser`):

- ball error ``max |h(y) - x_n|`` over points ``y`` in and on the balls ``B(x_n, rho)``
  (:func:`mnd.metrics.interpolation_error`; 0 for an exact interpolant);
- grid error ``max |h(y) - h*(y)|`` (and the RMS) on a grid over the data's bounding box widened
  by ``margin``: function-space distance where the data live;
- cost gap ``R(h) / R(h*)`` with ``R(h) = sum_k |a_k||w_k|`` (:func:`mnd.metrics.cost_gap`);
- alignment: the cost-weighted mean angle between the lines of the active units' ``w_k`` and the
  closed form's ramp directions (:func:`mnd.alignment.unit_alignment`).

:func:`fit_interpolant` trains a network toward the min-cost interpolant of the balls with
:func:`mnd.train.train` (``mode="interpolate"``), in two calls: a stiff penalty first (beta = 100,
which reliably reaches interpolation), then the default penalty (beta = 10, fresh multipliers),
which lowers the cost while keeping the constraints.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import tables
from ._checks import points_2d, positive_scalar
from .alignment import unit_alignment
from .metrics import cost_gap, interpolation_error
from .ramps import RampSum


@dataclass(frozen=True)
class Comparison:
    """The four numbers of the module docstring (angles in degrees) and the training time."""

    ball_error: float
    grid_sup: float
    grid_rms: float
    cost_gap: float
    alignment: float
    max_angle: float
    seconds: float = float("nan")
    sampled_gap: float = float("nan")

    def within(self, ball: float, grid: float, gap: float, angle: float) -> bool:
        """True if ball error <= ``ball``, grid RMS <= ``grid``, weighted mean angle <= ``angle``
        and the cost is right: ``cost_gap <= 1 + gap`` and ``|sampled_gap - 1| <= gap`` when the
        sampled target is known, else ``|cost_gap - 1| <= gap``."""
        cost_ok = self.cost_gap <= 1 + gap and abs(
            (self.cost_gap if np.isnan(self.sampled_gap) else self.sampled_gap) - 1) <= gap
        return bool(self.ball_error <= ball and self.grid_rms <= grid and cost_ok and self.alignment <= angle)


def box_grid(X: np.ndarray, margin: float = 0.5, n: int = 41, max_points: int = 20_000) -> np.ndarray:
    """Grid over the bounding box of ``X`` widened by ``margin`` on every side: ``n`` points per
    axis (fewer in high dimension, so that the grid has at most ``max_points`` points)."""
    X = points_2d(X, "X")
    d = X.shape[1]
    n = max(2, min(n, int(max_points ** (1.0 / d))))
    axes = [np.linspace(lo - margin, hi + margin, n) for lo, hi in zip(X.min(0), X.max(0))]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, d)


def compare(net, h: RampSum, X: np.ndarray, rho: float, margin: float = 0.5, n: int = 41,
            m: int = 200, seed: int = 12345, seconds: float = float("nan"),
            sampled: RampSum | None = None) -> Comparison:
    """Compare a network (anything with ``denoise``, ``numpy_weights`` and
    ``representation_cost``) with the closed form ``h`` on data ``X`` with radius ``rho``.

    The ball error uses ``m`` points per ball drawn with ``seed`` (not the training points); the
    grid is :func:`box_grid` ``(X, margin, n)``. If ``sampled`` is given (the closed form of the
    network's own constraint points, e.g. :func:`mnd.closed_form.rays_sampled`), ``sampled_gap``
    is ``R(net) / R(sampled)``.
    """
    X = points_2d(X, "X")
    rho = positive_scalar(rho, "rho")
    G = box_grid(X, margin, n)
    diff = np.linalg.norm(net.denoise(G) - h(G), axis=1)
    w = net.numpy_weights()
    al = unit_alignment(w["W"], w["A"], h)
    return Comparison(
        ball_error=interpolation_error(net.denoise, X, rho, m=m, seed=seed),
        grid_sup=float(diff.max()),
        grid_rms=float(np.sqrt(np.mean(diff ** 2))),
        cost_gap=cost_gap(net.representation_cost(), h.representation_cost()),
        alignment=al.weighted_mean,
        max_angle=al.max_angle,
        seconds=seconds,
        sampled_gap=float("nan") if sampled is None else cost_gap(net.representation_cost(), sampled.representation_cost()),
    )


_COLUMNS = ["ball err", "grid sup", "grid RMS", "cost gap", "gap/samp", "mean deg", "max deg", "train s"]


def _cells(c: Comparison) -> list[str]:
    sampled = "–" if np.isnan(c.sampled_gap) else f"{c.sampled_gap:.3f}"  # no sampled target given
    return [f"{c.ball_error:.3f}", f"{c.grid_sup:.3f}", f"{c.grid_rms:.3f}", f"{c.cost_gap:.3f}",
            sampled, f"{c.alignment:.2f}", f"{c.max_angle:.1f}", f"{c.seconds:.1f}"]


def Table(rows: dict[str, Comparison]) -> tables.Table:
    """Comparisons as a :class:`mnd.tables.Table`, one row per labelled network."""
    return tables.Table([{"network": k, **dict(zip(_COLUMNS, _cells(c)))} for k, c in rows.items()])


def fit_interpolant(X: np.ndarray, rho: float, width: int = 64, M: int = 60, seed: int = 0,
                    steps: tuple[int, int] = (10, 20), inner: int = 50):
    """Train a :class:`~mnd.nets.ShallowDenoiser` of the given ``width`` toward the min-cost
    interpolant of the balls ``B(x_n, rho)`` (``M`` constraint points per ball) with
    :func:`mnd.train.train` in ``mode="interpolate"``: ``steps[0]`` outer iterations at beta = 100,
    then ``steps[1]`` at beta = 10. Returns ``(net, seconds)``. Needs torch.
    """
    from .nets import ShallowDenoiser
    from .train import train

    X = points_2d(X, "X")
    net = ShallowDenoiser(X.shape[1], width, x_clean=X, seed=seed)
    t0 = time.perf_counter()
    kw = dict(mode="interpolate", rho=rho, M=M, inner=inner, seed=seed, progress=False)
    train(net, X, steps=steps[0], beta=100.0, **kw)
    train(net, X, steps=steps[1], beta=10.0, **kw)
    return net, time.perf_counter() - t0
