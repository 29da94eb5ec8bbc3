"""benchmarks/frames.py finds a chapter's widgets without drawing them (its timings are not tested)."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHAPTER = '''---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  name: python3
  display_name: Python 3 (ipykernel)
  language: python
---
# A tiny chapter

```{code-cell} ipython3
import numpy as np
from mnd.show import widgets
print("the chapter's own output")

def draw(s, fig):
    ax = fig.subplots()
    ax.plot([0, 1], [0, s])
    ax.set(xlabel="x", ylabel="y", title=f"slope {s}")

widgets.static_slider(draw, [0.5, 1.0, 2.0], description="slope")
```
'''


def _frames_module():
    spec = importlib.util.spec_from_file_location("bench_frames", ROOT / "benchmarks" / "frames.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_captures_each_widget_with_its_values_and_draws_nothing(tmp_path):
    chapter = tmp_path / "tiny.md"
    chapter.write_text(CHAPTER)
    calls = _frames_module().captured_widgets(chapter)
    assert len(calls) == 1
    draw, values, figsize, name = calls[0]
    assert values == [0.5, 1.0, 2.0] and figsize == (6.0, 3.6) and name == "slope"
    import matplotlib.pyplot as plt

    fig = plt.figure()
    draw(2.0, fig)                      # the chapter's draw function, usable afterwards
    assert fig.axes[0].get_title() == "slope 2.0"
    plt.close(fig)


def test_command_prints_one_row_per_widget_comparing_with_a_revision(tmp_path):
    chapter = tmp_path / "tiny.md"
    chapter.write_text(CHAPTER)
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "frames.py"), str(chapter),
                          "--against", "HEAD", "--repeat", "1"],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 1 and rows[0]["frames"] == 3 and rows[0]["name"] == "slope"
    assert rows[0]["ms_now"] > 0 and rows[0]["ms_HEAD"] > 0
    assert "the chapter's own output" not in out

