"""The chapters stay readable: limits on code share, cell length and line length; no build
instrumentation and no re-implemented ``mnd`` helper in a reader's cell (see chapter_style.py)."""

import statistics

import pytest

from chapter_style import (
    MAX_CODE_SHARE, MAX_LINE, MAX_MEDIAN_CELL, chapter_paths, measure,
)

STATS = [measure(p) for p in chapter_paths()]


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


def test_the_measure_counts_what_it_should(tmp_path):
    page = tmp_path / "x.md"
    page.write_text("# T\n\ntext\n\n```{code-cell} ipython3\n---\nmystnb:\n  x: 1\n---\n"
                    "a = 1\n\nb = 'x' * 3\n```\n\n```{code-cell} ipython3\n"
                    "torch.set_num_threads(1)\ndef my_table(x):\n    return x\n```\n")
    st = measure(page)
    assert (st.lines, st.code_lines, st.cells) == (19, 6, [3, 3])
    assert len(st.instrumentation) == 1 and len(st.helpers) == 1
