"""Training speed on six cases the book does not tune for: the trainer against the paper's recipe.

Per case (clean points, radius rho, closed form h* = ``mnd.min_cost_denoiser(X, rho)``):

* **gap** = |R(net) / R(h*) - 1| (representation costs) and **err** = largest |net(y) - h*(y)| over
  100 fresh points in and on each ball, divided by the data's diameter.
* **Trainer** (``train(mode="interpolate")``, width 64, the default 50 L-BFGS iterations per round,
  50 d constraint points per ball): wall time to the 1% target (gap <= 0.01 and err <= 0.01), and
  wall time to the recipe's final level (gap and err both at most the recipe's).
* **Recipe** (the paper's, in plain PyTorch): 1D online as in Figure 1 (``mnd.paper.FIGURE1``:
  width 256, Adam 1e-3, batch 128 per point, weight decay 1e-5, sigma = rho / 2); otherwise offline
  as in Figure 2 (``mnd.paper.FIGURE2``: M = 100 samples per point, sigma = 0.3 rho, width 64, Adam
  1e-2, initial scale 0.3, weight decay 1e-5). A fixed budget of ``steps`` Adam steps; its gap and
  err at the end are its *final level*, and the time it needs to reach that level is the first
  checkpoint (every ``steps / 20``) where both are at most their final values.
* **ratio** = the recipe's time to its final level / the trainer's time to the same level.

Times are wall time of ``mnd.nets.train`` on mnd's thread policy (one thread), the checks'
own time not counted (they run in the training callback and are subtracted). Each number is the
median over ``reps`` seeds.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import mnd
from mnd import metrics
from mnd.nets import ShallowDenoiser, train

TOL = 0.01


def cases() -> dict[str, tuple[np.ndarray, float]]:
    """Six cases: (clean points, rho)."""
    t = 2 * np.pi / 3
    tetra = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float) / np.sqrt(3)
    obtuse3 = np.array([[0, 0, 0], [1.2, 0, 0], [-0.5, 1.0, 0], [-0.4, -0.3, 1.1]], float)
    apex = np.radians(125)
    return {
        "1d_six_irregular": (np.array([-3.1, -1.7, -0.2, 0.6, 2.2, 3.5]), 0.2),
        "obtuse_triangle_125deg": (np.array([[0, 0], [1.3, 0], [1.3 * np.cos(apex), 1.3 * np.sin(apex)]]), 0.2),
        "equilateral_triangle": (np.array([[np.cos(a), np.sin(a)] for a in t * np.arange(3) + np.pi / 2]), 0.2),
        "obtuse_simplex_3d": (obtuse3, 0.15),
        "regular_tetrahedron": (tetra, 0.15),
        "collinear_3d": (np.outer(np.array([-2.0, -0.7, 0.4, 1.9]), np.array([1, 2, 2]) / 3.0), 0.2),
    }


class Scorer:
    """gap and err (see the module doc) of a network against the closed form of ``(X, rho)``."""

    def __init__(self, X: np.ndarray, rho: float) -> None:
        self.target = mnd.min_cost_denoiser(X, rho)
        self.cost = self.target.representation_cost()
        pts = X.reshape(len(X), -1)
        self.diam = max(np.linalg.norm(p - q) for p in pts for q in pts)
        self.balls, _ = metrics.ball_points(X, rho, m=100, seed=7)

    def __call__(self, net: ShallowDenoiser) -> tuple[float, float]:
        gap = abs(net.representation_cost() / self.cost - 1)
        return gap, metrics.sup_error(net.denoise, self.target, self.balls) / self.diam


class Clock:
    """Wall time since start, minus the time spent in :meth:`check` calls."""

    def __init__(self) -> None:
        self.t0, self.excluded = time.perf_counter(), 0.0

    def now(self) -> float:
        return time.perf_counter() - self.t0 - self.excluded

    def check(self, fn, *args):
        c0 = time.perf_counter()
        out = fn(*args)
        self.excluded += time.perf_counter() - c0
        return out


def run_recipe(X: np.ndarray, rho: float, seed: int, steps: int) -> dict:
    """The paper's recipe for ``steps`` Adam steps; its final level and the time it first reached it."""
    score, d = Scorer(X, rho), 1 if X.ndim == 1 else X.shape[1]
    if d == 1:
        p = mnd.paper.FIGURE1
        net = ShallowDenoiser(1, p["width"], x_clean=X, seed=seed)
        kw = dict(sigma=rho / 2, mode="online", lr=p["lr"], batch=p["online_batch"])
    else:
        p = mnd.paper.FIGURE2
        net = ShallowDenoiser(d, p["width"], x_clean=X, init_scale=p["init_scale"], seed=seed)
        kw = dict(sigma=0.3 * rho, mode="offline", lr=p["lr"], M=p["M"])
    trace = []
    clock = Clock()

    def callback(step, n, hist) -> bool:
        trace.append((clock.now(), *clock.check(score, n)))
        return False

    train(net, X, lam=p["lam"], steps=steps, seed=seed, log_every=max(1, steps // 20), progress=False, **kw,
          callback=callback)
    seconds = clock.now()
    gap, err = clock.check(score, net)
    trace.append((seconds, gap, err))
    reach = next(t for t, g, e in trace if g <= gap and e <= err)
    return dict(seconds=seconds, gap=gap, err=err, seconds_to_final=reach)


def run_trainer(X: np.ndarray, rho: float, seed: int, level: tuple[float, float], budget: float = 30.0,
                width: int = 64) -> dict:
    """``train(mode="interpolate")`` until the 1% target and the recipe's ``level`` are both met
    (or ``budget`` seconds): the time to each, and the final gap and err."""
    score, d = Scorer(X, rho), 1 if X.ndim == 1 else X.shape[1]
    net = ShallowDenoiser(d, width, x_clean=X, seed=seed)
    at = {"target": None, "level": None}
    last = {}
    clock = Clock()

    def callback(step, n, hist):
        gap, err = clock.check(score, n)
        last.update(gap=gap, err=err)
        now = clock.now()
        if at["target"] is None and gap <= TOL and err <= TOL:
            at["target"] = now
        if at["level"] is None and gap <= level[0] and err <= level[1]:
            at["level"] = now
        return None not in at.values() or now > budget

    train(net, X, mode="interpolate", rho=rho, M=50 * d, steps=400, seed=seed, log_every=1, progress=False,
          callback=callback)
    return dict(seconds_to_target=at["target"], seconds_to_level=at["level"], **last)


def _median(values) -> float:
    """Median, a run that never got there counting as infinitely slow."""
    return statistics.median(float("inf") if v is None else v for v in values)


def run(reps: int = 3, steps: int = 10_000, names: list[str] | None = None) -> list[dict]:
    """One row per case (see the module doc); prints each row as it is measured."""
    rows = []
    for name, (X, rho) in cases().items():
        if names is not None and name not in names:
            continue
        recipe = [run_recipe(X, rho, seed, steps) for seed in range(reps)]
        level = (statistics.median(r["gap"] for r in recipe), statistics.median(r["err"] for r in recipe))
        trainer = [run_trainer(X, rho, seed, level) for seed in range(reps)]
        row = dict(case=name, rho=rho, reps=reps, recipe_steps=steps,
                   target_seconds=_median(r["seconds_to_target"] for r in trainer),
                   target_reached=sum(r["seconds_to_target"] is not None for r in trainer),
                   recipe_seconds=statistics.median(r["seconds"] for r in recipe),
                   recipe_gap=level[0], recipe_err=level[1],
                   recipe_seconds_to_final=statistics.median(r["seconds_to_final"] for r in recipe),
                   trainer_seconds_to_recipe_level=_median(r["seconds_to_level"] for r in trainer))
        row["ratio"] = row["recipe_seconds_to_final"] / row["trainer_seconds_to_recipe_level"]
        rows.append(row)
        print(f"  {name:24s} trainer to 1%: {row['target_seconds']:5.2f} s ({row['target_reached']}/{reps}); "
              f"recipe after {steps} steps ({row['recipe_seconds']:.1f} s): gap {row['recipe_gap']:.3f}, "
              f"err {row['recipe_err']:.4f}; ratio {row['ratio']:.1f}", flush=True)
    return rows


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table (the one in benchmarks/README.md)."""
    out = ["| case | trainer: time to 1% | recipe: steps, s | recipe: gap / err | recipe: s to its level "
           "| trainer: s to that level | ratio |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['case']} | {r['target_seconds']:.2f} s ({r['target_reached']}/{r['reps']}) "
                   f"| {r['recipe_steps']:,}, {r['recipe_seconds']:.1f} | {r['recipe_gap']:.3f} / {r['recipe_err']:.4f} "
                   f"| {r['recipe_seconds_to_final']:.1f} | {r['trainer_seconds_to_recipe_level']:.2f} "
                   f"| {r['ratio']:.{0 if r['ratio'] >= 10 else 1}f} |")
    return "\n".join(out)


if __name__ == "__main__":
    print(table(run()))
