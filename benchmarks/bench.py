"""Benchmarks: threads, training speed, scale, chapter execution, widget frames, the book build.

    python benchmarks/bench.py            # full run (make bench): every part, 3 repetitions
    python benchmarks/bench.py --smoke    # seconds-long run for CI (tiny budgets, 1 repetition)
    python benchmarks/bench.py --parts threads,training

Parts: ``threads`` (the paper's recipe with mnd's thread policy and with torch's default, one core
kept busy), ``training`` (``training.py``: the trainer's time to the 1% target and the recipe's
level after a fixed budget, six cases), ``scale`` (``scale.py``: time and memory against N),
``chapters`` (each chapter executed on its own, and the time per widget frame) and ``build`` (a
cold book build in a fresh clone). Results are printed and written as JSON. No test asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

import mnd
import scale
import training
from mnd import data
from mnd.nets import ShallowDenoiser, train

ROOT = Path(__file__).resolve().parents[1]


def chapter_benchmarks() -> tuple[list[dict], list[dict]]:
    """Execute every chapter of _toc.yml with nbclient; time each, and log widget frame times."""
    import jupytext
    import nbformat
    import yaml
    from nbclient import NotebookClient

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())

    def entries(items):
        for item in items:
            yield item["file"]
            yield from entries(item.get("sections", []))

    files = list(entries(c for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}])
                         for c in part["chapters"]))
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
    ap.add_argument("--parts", default="threads,training,scale,chapters,build",
                    help="comma-separated subset of threads,training,scale,chapters,build "
                         "(full mode only)")
    args = ap.parse_args()
    reps = 1 if args.smoke else args.reps
    # torch runs on mnd's thread policy (train(threads=None): one thread) unless a row says otherwise
    result = dict(machine=dict(platform=platform.platform(), cpus=os.cpu_count(), python=platform.python_version(),
                               torch=torch.__version__), smoke=args.smoke, reps=reps)
    parts = {"threads", "training", "scale"} if args.smoke else set(args.parts.split(","))
    if "threads" in parts:
        print("threads: the Figure-1 recipe with the thread policy and with torch's default, one core busy")
        result["threads"] = threads_benchmark(args.smoke)
    if "training" in parts:
        print("training: the trainer to the 1% target; the paper's recipe after a fixed budget")
        result["training"] = training.run(reps=reps, steps=300 if args.smoke else 10_000)
    if "scale" in parts:
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
    if result.get("training"):
        print(training.table(result["training"]))
    if "threads" in result:
        t = result["threads"]
        print(f"threads ({t['steps']} online steps, one core busy): {t['policy']} {t['policy_seconds']:.1f} s, "
              f"{t['default']} {t['default_seconds']:.1f} s, ratio {t['ratio']:.1f}")
    for r in result.get("chapters", []):
        print(f"chapter {r['chapter']:32s} {r['seconds']:8.1f} s")
    for r in result.get("widget_frames", []):
        print(f"widget  {r['chapter']:20s} {r['name'][:28]:28s} {1000 * r['seconds_per_frame']:8.0f} ms/frame")
    if "book_build_seconds" in result:
        print(f"book build (cold, every chapter executed): {result['book_build_seconds']:.0f} s")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
