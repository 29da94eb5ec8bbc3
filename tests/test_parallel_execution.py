"""_ext/parallel_execution.py: notebooks missing from the jupyter-cache execute side by side before
the build, and myst-nb then reads every one of them from the cache; a notebook that fails is left
to myst-nb, which reports its error as usual. Builds a three-page Sphinx project."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXT = Path(__file__).resolve().parents[1] / "_ext"
pytestmark = pytest.mark.slow


def _notebook(code: str) -> str:
    return textwrap.dedent("""\
        ---
        jupytext:
          text_representation:
            format_name: myst
        kernelspec:
          display_name: Python 3
          language: python
          name: python3
        ---
        # Page

        ```{code-cell} ipython3
        CODE
        ```
        """).replace("CODE", code)


def _build(src: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", str(src), str(out)],
                          capture_output=True, text=True, timeout=300)


def _project(tmp_path: Path, pages: dict[str, str]) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(EXT)!r})
        extensions = ["myst_nb", "parallel_execution"]
        nb_execution_mode = "cache"
        nb_execution_cache_path = {str(tmp_path / "cache")!r}
        nb_execution_raise_on_error = True
        nb_execution_show_tb = True      # as the book (_config.yml)
        """))
    toctree = "\n".join(pages)
    (src / "index.md").write_text(f"# Index\n\n```{{toctree}}\n{toctree}\n```\n")
    for name, code in pages.items():
        (src / f"{name}.md").write_text(_notebook(code))
    return src


def test_missing_notebooks_execute_together_then_come_from_the_cache(tmp_path):
    src = _project(tmp_path, {"one": "print(6 * 7)", "two": "print(2 ** 10)"})
    first = _build(src, tmp_path / "html")
    assert first.returncode == 0, first.stderr
    assert "executing 2 notebooks, 2 at a time" in first.stdout
    assert first.stdout.count("Using cached notebook") == 2         # myst-nb executed nothing itself
    html = (tmp_path / "html" / "one.html").read_text() + (tmp_path / "html" / "two.html").read_text()
    assert "42" in html and "1024" in html
    from jupyter_cache import get_cache

    cache = get_cache(str(tmp_path / "cache"))
    assert len(cache.list_cache_records()) == 2      # both executed once, by the extension
    (src / "one.md").write_text(_notebook("print(6 * 8)"))     # one page's code changes
    second = _build(src, tmp_path / "html2")
    assert second.returncode == 0, second.stderr
    assert "executing" not in second.stdout                          # one notebook: nothing to share
    assert second.stdout.count("Using cached notebook") == 1 and "Executing notebook" in second.stdout
    assert "48" in (tmp_path / "html2" / "one.html").read_text()
    assert len(cache.list_cache_records()) == 3


def test_a_failing_notebook_still_fails_the_build_with_its_error(tmp_path):
    src = _project(tmp_path, {"good": "print(1)", "bad": "raise RuntimeError('no such luck')"})
    run = _build(src, tmp_path / "html")
    assert run.returncode != 0
    assert "no such luck" in run.stdout + run.stderr
