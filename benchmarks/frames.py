"""Milliseconds per widget frame, each widget rendered on its own, optionally against an older
``mnd/show/widgets.py``.

    python benchmarks/frames.py chapters/05_simplex.md [more chapters] [--against REV] [--repeat 5]

Each chapter's code cells run with ``mnd.show.widgets.render_frames`` captured (the chapter's
data and draw functions, no frames drawn); then every captured widget's frames are rendered
``--repeat`` times with the current ``render_frames`` and, with ``--against``, with the one of
git revision REV, alternating, and the best time of each is printed with whether the two gave the
same PNG bytes. Run it on an otherwise quiet machine: the two differ by tens of milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

os.environ.setdefault("MND_PROGRESS", "0")
ROOT = Path(__file__).resolve().parents[1]


def captured_widgets(chapter: Path) -> list[tuple]:
    """(draw, values, figsize, name) of every ``render_frames`` call the chapter makes."""
    import jupytext
    import matplotlib

    matplotlib.use("Agg")
    import mnd.show.widgets as W

    calls, real = [], W.render_frames

    def capture(draw, values, figsize=(6.0, 3.6), **kw):
        calls.append((draw, list(values), figsize, kw.get("name", "")))
        return [b"\x89PNG\r\n\x1a\n" + bytes(16)] * len(values)

    W.render_frames, cwd, ns = capture, os.getcwd(), {}
    os.chdir(chapter.parent)
    try:
        with contextlib.redirect_stdout(io.StringIO()):     # the chapter's own printed output
            for cell in jupytext.read(chapter).cells:
                if cell.cell_type == "code":
                    src = "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))
                    exec(compile(src, str(chapter), "exec"), ns)
    finally:
        W.render_frames = real
        os.chdir(cwd)
    return calls


def widgets_at(rev: str) -> ModuleType:
    """``mnd/show/widgets.py`` as of git revision ``rev``, imported as a module of ``mnd.show``."""
    src = subprocess.run(["git", "show", f"{rev}:mnd/show/widgets.py"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as tmp:        # only needed while the module loads
        path = Path(tmp) / "widgets_at_rev.py"
        path.write_text(src)
        spec = importlib.util.spec_from_file_location("mnd.show.widgets_at_rev", path)
        module = importlib.util.module_from_spec(spec)
        module.__package__ = "mnd.show"
        spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("chapters", nargs="+", type=Path)
    ap.add_argument("--against", help="git revision whose widgets.py to compare with")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import mnd.show.widgets as now

    ways = {"now": now} | ({args.against: widgets_at(args.against)} if args.against else {})
    for chapter in args.chapters:
        for k, (draw, values, figsize, name) in enumerate(captured_widgets(chapter.resolve())):
            best, pngs = {w: float("inf") for w in ways}, {}
            for _ in range(args.repeat):
                for way, module in ways.items():
                    t0 = time.perf_counter()
                    pngs[way] = module.render_frames(draw, values, figsize=figsize, progress=False)
                    best[way] = min(best[way], time.perf_counter() - t0)
            row = {"chapter": chapter.stem, "widget": k, "name": name, "frames": len(values)}
            row |= {f"ms_{way}": round(1000 * t / len(values)) for way, t in best.items()}
            if args.against:
                row["same_png"] = pngs["now"] == pngs[args.against]
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
