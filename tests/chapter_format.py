"""Write chapters in the exact form jupytext (and so JupyterLab) saves them.

    .venv/bin/python tests/chapter_format.py [chapters/NN_name.md ...]

Multi-line strings in cell metadata (figure captions written as YAML ``|`` blocks) become one
line each, which jupytext folds the same way on every save; the rest is jupytext's own output
with the repository's ``jupytext.toml``. ``test_chapter_style.py`` checks that saving changes
nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
from jupytext.config import load_jupytext_config

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
#: the kernel JupyterLab (make lab, Binder) writes into a notebook it saves, keys in its order
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _one_line(value):
    if isinstance(value, dict):
        return {k: _one_line(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_one_line(v) for v in value]
    if isinstance(value, str) and "\n" in value:
        return " ".join(value.split())
    return value


def normalise(path: Path) -> bool:
    """Rewrite ``path`` in saved form; True if it changed."""
    config = load_jupytext_config(str(path))
    text = path.read_text()
    nb = jupytext.reads(text, fmt="md:myst", config=config)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in nb.cells:
        cell.metadata = _one_line(dict(cell.metadata))
    saved = jupytext.writes(nb, fmt="md:myst", config=config)
    if saved != text:
        path.write_text(saved)
    return saved != text


if __name__ == "__main__":
    for p in [Path(a) for a in sys.argv[1:]] or sorted(CHAPTERS.glob("*.md")):
        print(f"{p.name}: {'rewritten' if normalise(p) else 'unchanged'}")
