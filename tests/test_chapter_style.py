"""The chapters stay readable: limits on code share, cell length and line length; no build
instrumentation and no re-implemented ``mnd`` helper in a reader's cell (see chapter_style.py)."""

import statistics

import pytest

from chapter_style import (
    MAX_CODE_SHARE, MAX_LINE, MAX_MEDIAN_CELL, chapter_paths, measure,
)

STATS = [measure(p) for p in chapter_paths()]
CHAPTER_DIR = chapter_paths()[0].parent


def test_there_are_chapters():
    assert len(STATS) >= 7


def test_code_share_of_the_book():
    code = sum(s.code_lines for s in STATS)
    total = sum(s.lines for s in STATS)
    assert code / total <= MAX_CODE_SHARE, f"code is {code / total:.1%} of chapter lines"


def test_median_code_cell():
    cells = [c for s in STATS for c in s.cells]
    assert statistics.median(cells) <= MAX_MEDIAN_CELL


@pytest.mark.parametrize("st", STATS, ids=lambda s: s.path.name)
def test_no_long_code_lines(st):
    assert not st.long_lines, f"{len(st.long_lines)} code lines over {MAX_LINE} characters"


@pytest.mark.parametrize("st", STATS, ids=lambda s: s.path.name)
def test_no_build_instrumentation(st):
    assert not st.instrumentation, st.instrumentation


@pytest.mark.parametrize("st", STATS, ids=lambda s: s.path.name)
def test_no_local_helper_that_mnd_provides(st):
    assert not st.helpers, st.helpers


@pytest.mark.parametrize("st", STATS, ids=lambda s: s.path.name)
def test_no_text_about_the_build_or_files_outside_the_book(st):
    assert not st.build_talk, st.build_talk


@pytest.mark.parametrize("st", STATS, ids=lambda s: s.path.name)
def test_no_text_under_9pt_and_no_progress_switched_off(st):
    assert not st.small_text, st.small_text
    assert not st.no_progress, st.no_progress


@pytest.mark.parametrize("st", STATS, ids=lambda s: s.path.name)
def test_cells_that_assert_are_hidden(st):
    """A cell checking a claim with ``assert`` runs in the build but carries the remove-cell tag."""
    assert not st.visible_asserts, st.visible_asserts


def test_the_new_rules_catch_what_they_should(tmp_path):
    page = tmp_path / "y.md"
    page.write_text("See the design notes.\n\n```{code-cell} ipython3\nassert x == 1\n"
                    "ax.legend(fontsize=7)\ntrain(net, progress=False)\n```\n\n"
                    "```{code-cell} ipython3\n---\ntags: [remove-cell]\n---\nassert y\n"
                    "ax.legend(fontsize=9)\n```\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
                    "assert z\n```\n")
    st = measure(page)
    assert st.build_talk == ["See the design notes."]
    assert st.visible_asserts == ["assert x == 1"]
    assert st.small_text == ["ax.legend(fontsize=7)"] and st.no_progress == ["train(net, progress=False)"]


def test_the_measure_counts_what_it_should(tmp_path):
    page = tmp_path / "x.md"
    page.write_text("# T\n\ntext\n\n```{code-cell} ipython3\n---\nmystnb:\n  x: 1\n---\n"
                    "a = 1\n\nb = 'x' * 3\n```\n\n```{code-cell} ipython3\n"
                    "torch.set_num_threads(1)\ndef my_table(x):\n    return x\n```\n")
    st = measure(page)
    assert (st.lines, st.code_lines, st.cells) == (19, 6, [3, 3])
    assert len(st.instrumentation) == 1 and len(st.helpers) == 1


@pytest.mark.parametrize("path", chapter_paths(), ids=lambda p: p.name)
def test_saving_a_run_chapter_in_jupyterlab_rewrites_nothing(path):
    """Open a chapter as JupyterLab does (jupytext, with the repository's jupytext.toml), run it
    (outputs, execution counts, timing metadata, language info) and save it: the text is unchanged,
    so a reader's clone stays clean."""
    import jupytext
    from jupytext.config import load_jupytext_config

    config = load_jupytext_config(str(path))
    assert config is not None, "jupytext.toml is not found from the chapters"
    text = path.read_text()
    nb = jupytext.reads(text, fmt="md:myst", config=config)
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.2"}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}    # what JupyterLab writes back
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = 7
            cell.outputs = [{"output_type": "stream", "name": "stdout", "text": "ran\n"}]
            cell.metadata["execution"] = {"iopub.status.busy": "2026-11-29T00:00:00Z"}
            cell.metadata["ExecuteTime"] = {"end_time": "2026-11-29T00:00:01Z"}
    saved = jupytext.writes(nb, fmt="md:myst", config=config)
    assert saved == text, (f"{path.name}: saving rewrites it; normalise with "
                           f"`python tests/chapter_format.py {path}`")


def test_the_front_page_lists_every_page_under_its_own_title():
    """index.md's chapter map: one row per page of _toc.yml, the link text equal to the page's title."""
    import re

    import yaml

    root = CHAPTER_DIR.parent
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = []

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections"))
            walk(e.get("chapters"))

    walk(toc["parts"])
    rows = dict((target, text) for text, target in
                re.findall(r"^\| \[([^\]]+)\]\(([^)]+)\.md\)", (root / "index.md").read_text(), re.M))
    for f in files:
        if f.endswith("references"):
            continue
        title = next(l[2:].strip() for l in (root / f"{f}.md").read_text().splitlines() if l.startswith("# "))
        assert rows.get(f) == title, f"index.md row for {f}: {rows.get(f)!r}, page title {title!r}"
