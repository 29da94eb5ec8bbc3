"""How time and peak memory grow with N for the operations that used to grow faster than the work.

Each case runs in a fresh subprocess, so its peak resident memory (``VmHWM``) is its own; the
growth ratio divides its time by the time of the smallest N of the same case in the same run.

    python benchmarks/scale.py            # the full sizes (about 5 minutes: eMMSE at N = 10^4 is 3)
    python benchmarks/scale.py --smoke    # small sizes (seconds)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CASES = {
    # name: (code run with N and Q defined, full sizes, smoke sizes); Q = 10^6 queries (10^5 smoke)
    "min_cost_denoiser, generic cloud in R^3 (no closed form)": (
        "X = np.random.default_rng(0).normal(size=(N, 3)) * 10\n"
        "try:\n    mnd.min_cost_denoiser(X, 0.01)\nexcept ValueError:\n    pass",
        (50, 200, 400, 10_000), (50, 400)),
    "rays, N points on 3 orthogonal rays": (
        "t = np.arange(1, N // 3 + 1) * 1.0\n"
        "X = np.concatenate([np.zeros((1, 3))] + [np.outer(t, e) for e in np.eye(3)])\n"
        "mnd.rays(X, 0.2)",
        (300, 3_000, 10_000), (300, 3_000)),
    "univariate_lp, N points 1 apart": (
        "mnd.certify.univariate_lp(np.arange(N) * 1.0, 0.2)", (100, 300, 1_000), (30, 100)),
    "RampSum at Q queries, N ramps": (
        "r = mnd.univariate(np.arange(N + 1) * 1.0, 0.2)\n"
        "r(np.linspace(-1, N + 1, Q))", (100, 1_000, 10_000), (100, 1_000)),
    "eMMSE at Q queries, N points": (
        "h = mnd.emmse(np.arange(N) * 1.0, 0.3)\nh(np.linspace(-1, N, Q))",
        (100, 1_000, 10_000), (100, 1_000)),
    "nearest_clean, N clean points in R^2, 10^5 queries": (
        "rng = np.random.default_rng(0)\n"
        "mnd.metrics.nearest_clean(rng.normal(size=(N, 2)), rng.normal(size=(100_000, 2)))",
        (1_000, 10_000), (1_000,)),
}

RUNNER = """
import resource, time, numpy as np, mnd
N, Q = {N}, {Q}
t0 = time.perf_counter()
{code}
seconds = time.perf_counter() - t0
# peak resident memory of this process since exec (VmHWM; ru_maxrss would include the parent's
# memory at fork time)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")]
print(seconds, int(hwm[0].split()[1]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run(smoke: bool) -> list[dict]:
    rows = []
    for name, (code, full, small) in CASES.items():
        base = None
        for N in (small if smoke else full):
            out = subprocess.run([sys.executable, "-c", RUNNER.format(N=N, Q=10**5 if smoke else 10**6, code=code)], capture_output=True,
                                 text=True, check=True).stdout.split()
            seconds, peak = float(out[-2]), float(out[-1])
            base = base or seconds
            rows.append(dict(case=name, N=N, seconds=seconds, peak_mib=peak, growth=seconds / base))
            print(f"  {name:58s} N = {N:>6d}  {seconds:7.2f} s  {peak:7.0f} MiB  x{seconds / base:6.1f}",
                  flush=True)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args()
    rows = run(args.smoke)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)
