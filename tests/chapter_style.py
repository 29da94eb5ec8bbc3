"""Measure the chapters as a reader meets them: how much is code, how long the cells and lines
are, and whether a chapter carries build instrumentation or re-implements a helper of ``mnd``.

Run ``python tests/chapter_style.py [chapters/NN_name.md ...]`` for a report; the limits are
checked by ``tests/test_chapter_style.py``.
"""

from __future__ import annotations

import re
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
MAX_CODE_SHARE = 0.40    # code lines / all lines of the book's chapters
MAX_MEDIAN_CELL = 10     # lines in the median code cell
MAX_LINE = 88            # characters in a code line
#: build instrumentation that belongs in the Makefile or benchmarks, never in a reader's cell
INSTRUMENTATION = re.compile(r"set_num_threads|perf_counter|time\.time\(|T_START|CHAPTER_START|t_chapter")
#: helpers that mnd provides (tables, angles, unit statistics): a chapter must not define its own
HELPER_NAMES = re.compile(r"^\s*def\s+\w*(table|angle|unit_stat|units_of|edge_stat)\w*\s*\(", re.I)
#: text about the build or the repository, not the book (anywhere in a chapter)
BUILD_TALK = re.compile(r"design notes|training\.md|benchmarks/|README\.md|fails the build|now warns|"
                        r"executed in \d|build fails|chapter executed", re.I)
#: text smaller than 9 pt as displayed, or progress bars switched off by hand (the build does it)
SMALL_TEXT = re.compile(r"(font)?size\s*=\s*[0-8](\.\d*)?\b(?!\s*\*)|['\"]x{1,2}-small['\"]")
NO_PROGRESS = re.compile(r"progress\s*=\s*False")
#: a cell that checks a claim with ``assert`` runs in the build but is hidden from readers
ASSERT = re.compile(r"^\s*assert\b")


@dataclass
class ChapterStats:
    path: Path
    lines: int = 0
    code_lines: int = 0
    cells: list[int] = field(default_factory=list)
    long_lines: list[str] = field(default_factory=list)
    instrumentation: list[str] = field(default_factory=list)
    helpers: list[str] = field(default_factory=list)
    build_talk: list[str] = field(default_factory=list)
    small_text: list[str] = field(default_factory=list)
    no_progress: list[str] = field(default_factory=list)
    visible_asserts: list[str] = field(default_factory=list)


def measure(path: Path) -> ChapterStats:
    """Code lines are the lines inside ```` ```{code-cell} ```` fences (blank lines included),
    without the cell's metadata: a YAML block (``---`` ... ``---``, which holds captions and tags)
    or jupytext's compact form (``:tags: [remove-cell]`` lines right after the fence)."""
    st = ChapterStats(Path(path))
    text = Path(path).read_text().splitlines()
    st.lines = len(text)
    in_cell, in_meta, cur = False, False, 0
    meta: list[str] = []
    for line in text:
        if BUILD_TALK.search(line):
            st.build_talk.append(line.strip())
        if not in_cell and line.startswith("```{code-cell}"):
            in_cell, in_meta, cur, first, meta, asserts = True, False, 0, True, [], []
            continue
        if in_cell:
            if line.startswith("```"):
                in_cell = False
                st.cells.append(cur)
                if asserts and not any("remove-cell" in m for m in meta):
                    st.visible_asserts.append(asserts[0])
                continue
            if first and line.strip() == "---":
                in_meta, first = True, False
                continue
            if first and line.startswith(":") and not in_meta:   # compact metadata (`:tags: [...]`)
                meta.append(line)
                continue
            first = False
            if in_meta:
                in_meta = line.strip() != "---"
                meta.append(line)
                continue
            if ASSERT.search(line):
                asserts.append(line.strip())
            if SMALL_TEXT.search(line):
                st.small_text.append(line.strip())
            if NO_PROGRESS.search(line):
                st.no_progress.append(line.strip())
            cur += 1
            st.code_lines += 1
            if len(line) > MAX_LINE:
                st.long_lines.append(line)
            if INSTRUMENTATION.search(line):
                st.instrumentation.append(line.strip())
            if HELPER_NAMES.search(line):
                st.helpers.append(line.strip())
    return st


def chapter_paths() -> list[Path]:
    return sorted(p for p in CHAPTERS.glob("*.md"))


def report(paths: list[Path]) -> str:
    rows, all_cells, total, code = [], [], 0, 0
    for p in paths:
        s = measure(p)
        total, code = total + s.lines, code + s.code_lines
        all_cells += s.cells
        med = statistics.median(s.cells) if s.cells else 0
        rows.append(f"{p.name:22s} lines {s.lines:4d}  code {s.code_lines:4d} ({s.code_lines / max(s.lines, 1):.0%})"
                    f"  cells {len(s.cells):3d}  median cell {med:4.1f}  long lines {len(s.long_lines):3d}"
                    f"  instrumentation {len(s.instrumentation)}  helpers {len(s.helpers)}")
    med = statistics.median(all_cells) if all_cells else 0
    rows.append(f"{'all':22s} lines {total:4d}  code {code:4d} ({code / max(total, 1):.0%})  "
                f"cells {len(all_cells):3d}  median cell {med:4.1f}")
    return "\n".join(rows)


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]] or chapter_paths()
    print(report(args))
    for p in args:
        s = measure(p)
        for kind, items in (("long", s.long_lines), ("instrumentation", s.instrumentation),
                            ("helper", s.helpers), ("build talk", s.build_talk),
                            ("small text", s.small_text), ("progress off", s.no_progress),
                            ("visible assert", s.visible_asserts)):
            for line in items:
                print(f"{p.name}: {kind}: {line[:100]}")
