"""Benchmarks: speed to the min-cost denoiser, chapter execution, widget frames.

    python benchmarks/bench.py            # full run (make bench): paper budgets, 3 repetitions
    python benchmarks/bench.py --smoke    # seconds-long run for CI (tiny budgets, 1 repetition)

Training cases. The *baseline* is the paper's recipe in plain PyTorch (``mnd.nets.train`` modes
``online``/``offline`` are plain Adam loops): (a) four equally spaced points in [-5, 5] at low
noise, online, lambda = 1e-5, 100K iterations; (b) an obtuse and an equilateral triangle, offline,
M = 100 samples per point, lambda = 1e-5, 20K full-batch epochs. At the end of its budget we
measure the baseline's sup error against the closed form on the balls and on a grid, and its cost
gap |R(net)/R(closed form) - 1|. The *recommended* trainer (``mode="interpolate"``) then runs until
it is at least as good on all three; its wall time to get there (evaluation included) is compared
with the baseline's wall time. Each side is the median of ``--reps`` repetitions, measured in the
same run. Results are printed as a table and written as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

import mnd
from mnd import data, metrics
from mnd.nets import ShallowDenoiser, train

ROOT = Path(__file__).resolve().parents[1]
TRIANGLES = {
    "obtuse_triangle": np.array([[0.0, 0.0], [1.3, 0.0], [1.3 * np.cos(2 * np.pi / 3), 1.3 * np.sin(2 * np.pi / 3)]]),
    "equilateral_triangle": np.array([[np.cos(a), np.sin(a)] for a in 2 * np.pi * np.arange(3) / 3 + np.pi / 2]),
}


def case_specs(smoke: bool) -> list[dict]:
    """The three training cases. Baseline budgets, width, learning rate and batch are the paper's
    Figure-1 recipe as recorded in :data:`mnd.paper.FIGURE1` (online 100K iterations;
    20K full-batch epochs, the paper's offline budget, for the triangles of Figure 2 with M = 100),
    at low noise; ``smoke`` shrinks the budgets to seconds."""
    paper = mnd.paper.FIGURE1
    x1 = data.equispaced(paper["n_points"], paper["low"], paper["high"])
    sigma1 = 0.3
    specs = [dict(name="1d_figure1_low_noise", X=x1, sigma=sigma1, rho=2 * sigma1, mode="online", lam=paper["lam"],
                  steps=300 if smoke else paper["online_steps"], lr=paper["lr"], batch=paper["online_batch"],
                  width=paper["width"])]
    for name, X in TRIANGLES.items():
        sigma = 0.05
        Y, T = data.noisy_samples(X, sigma, 100, seed=0)
        rho = float(np.max(np.linalg.norm(Y - T, axis=1)))  # radius that holds the offline samples
        specs.append(dict(name=name, X=X, sigma=sigma, rho=rho, mode="offline", lam=paper["lam"],
                          steps=200 if smoke else paper["offline_steps"], lr=paper["lr"], M=100, width=paper["width"]))
    return specs


def measure(net: ShallowDenoiser, target, X: np.ndarray, rho: float) -> dict:
    """Sup errors vs the closed form on the balls and on a grid, and the cost gap."""
    scalar = X.ndim == 1
    balls, _ = metrics.ball_points(X, rho, m=200, seed=7)
    if scalar:
        grid = np.linspace(X.min() - 2, X.max() + 2, 2001)
    else:
        lo, hi = X.min(0) - 0.5, X.max(0) + 0.5
        g = np.meshgrid(*[np.linspace(a, b, 60) for a, b in zip(lo, hi)])
        grid = np.column_stack([v.ravel() for v in g])
    return dict(
        err_balls=metrics.sup_error(net.denoise, target, balls),
        err_grid=metrics.sup_error(net.denoise, target, grid),
        gap=abs(net.representation_cost() / target.representation_cost() - 1),
    )


def run_baseline(spec: dict, seed: int) -> dict:
    X, d = spec["X"], 1 if spec["X"].ndim == 1 else spec["X"].shape[1]
    target = mnd.min_cost_denoiser(X, spec["rho"])
    net = ShallowDenoiser(d, spec["width"], x_clean=X, seed=seed)
    t0 = time.perf_counter()
    train(net, X, spec["sigma"], mode=spec["mode"], lam=spec["lam"], steps=spec["steps"], lr=spec["lr"],
          batch=spec.get("batch", 32), M=spec.get("M", 100), seed=seed, progress=False)
    seconds = time.perf_counter() - t0
    return dict(seconds=seconds, **measure(net, target, X, spec["rho"]))


def run_recommended(spec: dict, goal: dict, seed: int, max_outer: int = 200) -> dict:
    """``mode="interpolate"`` until err_balls, err_grid and gap are all <= the baseline's."""
    X, d = spec["X"], 1 if spec["X"].ndim == 1 else spec["X"].shape[1]
    target = mnd.min_cost_denoiser(X, spec["rho"])
    net = ShallowDenoiser(d, 32, x_clean=X, seed=seed)
    state = {"reached": False, "at": None}
    t0 = time.perf_counter()

    def check(step, n, hist):
        m = measure(n, target, X, spec["rho"])
        if all(m[k] <= goal[k] for k in ("err_balls", "err_grid", "gap")):
            state.update(reached=True, at=time.perf_counter() - t0, **m)
            return True
        return False

    train(net, X, mode="interpolate", rho=spec["rho"], M=60, steps=max_outer, inner=20, seed=seed,
          progress=False, callback=check)
    seconds = state["at"] if state["reached"] else time.perf_counter() - t0
    return dict(seconds=seconds, reached=state["reached"], **measure(net, target, X, spec["rho"]))


def training_benchmarks(smoke: bool, reps: int) -> list[dict]:
    rows = []
    for spec in case_specs(smoke):
        base = [run_baseline(spec, seed) for seed in range(reps)]
        goal = {k: statistics.median(b[k] for b in base) for k in ("err_balls", "err_grid", "gap")}
        rec = [run_recommended(spec, goal, seed) for seed in range(reps)]
        tb, tr = statistics.median(b["seconds"] for b in base), statistics.median(r["seconds"] for r in rec)
        rows.append(dict(case=spec["name"], baseline_recipe=f"{spec['mode']}, lam={spec['lam']:g}, {spec['steps']} steps",
                         rho=spec["rho"], baseline_seconds=tb, recommended_seconds=tr, ratio=tb / tr,
                         reached=all(r["reached"] for r in rec), goal=goal,
                         recommended_final={k: statistics.median(r[k] for r in rec) for k in goal}))
        print(f"  {spec['name']}: baseline {tb:.1f} s, recommended {tr:.2f} s, ratio {tb / tr:.1f}", flush=True)
    return rows


def chapter_benchmarks() -> tuple[list[dict], list[dict]]:
    """Execute every chapter of _toc.yml with nbclient; time each, and log widget frame times."""
    import jupytext
    import nbformat
    import yaml
    from nbclient import NotebookClient

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]) for c in part["chapters"]]
    rows, frames = [], []
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "frames.jsonl"
        os.environ["MND_FRAME_LOG"] = str(log)
        for f in files:
            path = ROOT / f"{f}.md"
            if not path.exists():
                continue
            nb = jupytext.read(path)
            t0 = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
            rows.append(dict(chapter=f, seconds=time.perf_counter() - t0))
            if log.exists():
                for line in log.read_text().splitlines():
                    frames.append(dict(chapter=f, **json.loads(line)))
                log.unlink()
            print(f"  {f}: {rows[-1]['seconds']:.1f} s", flush=True)
        del os.environ["MND_FRAME_LOG"]
    return rows, frames


def book_build_seconds() -> float:
    """Wall time of a cold book build in a fresh clone: fetching the vendored JavaScript
    (``_vendor/fetch.py``, as ``make book`` does) plus ``jupyter-book build -W -n --keep-going``
    with every chapter executed. Raises if the build fails."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["git", "clone", "-q", str(ROOT), tmp], check=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(Path(tmp) / "_vendor" / "fetch.py")], check=True, cwd=tmp,
                       stdout=subprocess.DEVNULL)
        subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", tmp, "-W", "-n", "--keep-going"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t0


def threads_benchmark(smoke: bool) -> dict:
    """The Figure-1 recipe (online, width from mnd.paper.FIGURE1) for a fixed number of steps with
    the thread policy (one thread, mnd's default) and with torch's default (one per core), while a
    second process keeps one core busy, as on a shared machine. Same run, same seeds."""
    paper = mnd.paper.FIGURE1
    x = data.equispaced(paper["n_points"], paper["low"], paper["high"])
    steps = 200 if smoke else 2000
    default = torch.get_num_threads() if torch.get_num_threads() > 1 else (os.cpu_count() or 1)
    configs = (("policy (1 thread)", 1), (f"torch default ({default} threads)", default))

    def run_once(n: int, k: int) -> float:
        net = ShallowDenoiser(1, paper["width"], x_clean=x, seed=0)
        t0 = time.perf_counter()
        train(net, x, paper["sigma"], mode="online", lam=paper["lam"], steps=k, lr=paper["lr"],
              batch=paper["online_batch"], seed=1, progress=False, threads=n)
        return time.perf_counter() - t0

    for _, n in configs:          # warm-up: first calls pay for torch's one-time set-up
        run_once(n, 20)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        times: dict[str, list[float]] = {label: [] for label, _ in configs}
        for _ in range(2):        # alternate the two, keep each one's best
            for label, n in configs:
                times[label].append(run_once(n, steps))
        out = {label: min(t) for label, t in times.items()}
    finally:
        busy.kill()
        busy.wait()
    (p_label, p_s), (d_label, d_s) = out.items()
    return dict(steps=steps, policy=p_label, policy_seconds=p_s, default=d_label, default_seconds=d_s,
                ratio=d_s / p_s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny budgets, one repetition, no chapters (CI)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "bench.json"))
    ap.add_argument("--parts", default="threads,target,training,scale,chapters,build",
                    help="comma-separated subset of threads,target,training,scale,chapters,build "
                         "(full mode only)")
    args = ap.parse_args()
    reps = 1 if args.smoke else args.reps
    # torch runs on mnd's thread policy (train(threads=None): one thread) unless a row says otherwise
    result = dict(machine=dict(platform=platform.platform(), cpus=os.cpu_count(), python=platform.python_version(),
                               torch=torch.__version__), smoke=args.smoke, reps=reps)
    parts = {"threads", "training", "scale"} if args.smoke else set(args.parts.split(","))
    result["training"] = []
    if "threads" in parts:
        print("threads: the Figure-1 recipe with the thread policy and with torch's default, one core busy")
        result["threads"] = threads_benchmark(args.smoke)
    if "training" in parts:
        print("training: time to the min-cost denoiser (baseline recipe vs recommended trainer)")
        result["training"] = training_benchmarks(args.smoke, reps)
    if "target" in parts:
        import target

        print("target: time to cost within 1% and ball error within 1% of the diameter (interpolate)")
        result["target"] = target.run(reps=reps)
    if "scale" in parts:
        import scale

        print("scale: time and peak memory against N (each case in a fresh process)")
        result["scale"] = scale.run(args.smoke)
    if "chapters" in parts:
        print("chapters: execution time and widget frames")
        result["chapters"], result["widget_frames"] = chapter_benchmarks()
    if "build" in parts:
        print("book: cold build")
        result["book_build_seconds"] = book_build_seconds()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=float))
    print()
    print(f"{'case':24s} {'baseline recipe':34s} {'baseline s':>10s} {'mnd s':>8s} {'ratio':>7s}  reached")
    for r in result["training"]:
        print(f"{r['case']:24s} {r['baseline_recipe']:34s} {r['baseline_seconds']:10.2f} "
              f"{r['recommended_seconds']:8.2f} {r['ratio']:7.1f}  {r['reached']}")
    if "threads" in result:
        t = result["threads"]
        print(f"threads ({t['steps']} online steps, one core busy): {t['policy']} {t['policy_seconds']:.1f} s, "
              f"{t['default']} {t['default_seconds']:.1f} s, ratio {t['ratio']:.1f}")
    for r in result.get("chapters", []):
        print(f"chapter {r['chapter']:32s} {r['seconds']:8.1f} s")
    for r in result.get("widget_frames", []):
        print(f"widget  {r['chapter']:20s} {r['name'][:28]:28s} {1000 * r['seconds_per_frame']:8.0f} ms/frame")
    if "book_build_seconds" in result:
        print(f"book build (cold, forced execution): {result['book_build_seconds']:.0f} s")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
