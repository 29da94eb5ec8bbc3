"""The site checker must catch what it claims to catch: run it on a tiny fixture site.

fixtures/make_fixtures.py writes a good page and pages with exactly one defect each (into a
temporary folder, for every run); the checker must pass the good page and flag each broken page for its defect only.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

import sitecheck

HERE = Path(__file__).resolve().parent
MAKE_FIXTURES = HERE / "fixtures" / "make_fixtures.py"
REPO = HERE.parents[1]


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory):
    """The fixture pages plus the vendored scripts (``make vendor``), served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("fixture-site")
    spec = importlib.util.spec_from_file_location("make_fixtures", MAKE_FIXTURES)
    make_fixtures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_fixtures)
    make_fixtures.write_site(root)
    vendor = root / "vendor"
    vendor.mkdir()
    fetched = REPO / "_vendor" / "site" / "vendor"
    if not (fetched / "html-manager" / "embed-amd.js").is_file():
        pytest.fail(f"{fetched} is empty: run `make vendor` first")
    for d in fetched.iterdir():
        os.symlink(d, vendor / d.name)
    for f in (REPO / "_vendor" / "shim" / "vendor").iterdir():
        os.symlink(f, vendor / f.name)
    with sitecheck.SiteServer(root) as server:
        yield server


def check(browser, server, page, **kw):
    report = sitecheck.check_page(browser, server.base_url, page, **kw)
    print(f"{page}: {report.problems}")
    return report


def test_good_page_passes(browser, fixture_server):
    report = check(browser, fixture_server, "good.html")
    assert report.problems == []
    # ... and it really looked at everything
    assert report.static_widgets == 1
    assert report.math == 2
    assert report.images >= 2          # the figure and the widget's shown frame


def test_broken_image_is_flagged(browser, fixture_server):
    problems = check(browser, fixture_server, "broken_image.html").problems
    assert any(p.startswith("image not decoded: missing-figure.png") for p in problems)
    assert any("404" in p and "missing-figure.png" in p for p in problems)
    assert not any("widget" in p or "math" in p for p in problems), problems


def test_unlinked_widget_is_flagged(browser, fixture_server):
    problems = check(browser, fixture_server, "broken_widget.html").problems
    assert problems == ["static widget 0: pressing ArrowRight on slider 0 did not change the image shown"]


def test_external_request_is_blocked_and_flagged(browser, fixture_server):
    problems = check(browser, fixture_server, "external_request.html").problems
    assert problems == ["external request (blocked; the site must work offline): "
                        "https://cdn.jsdelivr.net/npm/left-pad@1.3.0/index.js"]


def test_untypeset_math_is_flagged(browser, fixture_server):
    problems = check(browser, fixture_server, "broken_math.html").problems
    assert "math: 2 formulas but MathJax did not load" in problems
    assert any("404" in p and "no-such-file.js" in p for p in problems)
    assert len(problems) == 3, problems   # plus Chromium's failed-request entry for the script


def test_page_error_is_flagged(browser, fixture_server):
    problems = check(browser, fixture_server, "page_error.html").problems
    assert problems == ["page error: fixture: boom"]


def only(problems: list[str], needle: str) -> None:
    assert len(problems) == 1 and needle in problems[0], problems


# pages with one defect each, and the one problem the checker must report for it
ONE_DEFECT = [
    ("console_error.html", "console error: fixture: bad"),
    ("blurry_image.html", "has 160 px for 160 displayed"),
    ("shrunk_image.html", "shrunk to 62% of its width"),
    ("path_alt.html", "is empty or a file path"),
    ("distorted_image.html", "is distorted"),
    ("narrow_slider.html", "slider track is 40 px"),
    ("clipped_math.html", "cut off: mjx-container"),
    ("long_page.html", "screens at 1280 px"),
    ("build_talk.html", "'design notes' on the page"),
    ("live_widget.html", "controls change nothing"),
    ("progress_widget.html", "a progress bar"),
]


@pytest.mark.parametrize("page, needle", ONE_DEFECT, ids=[p for p, _ in ONE_DEFECT])
def test_one_defect_is_flagged_alone(browser, fixture_server, page, needle):
    only(check(browser, fixture_server, page).problems, needle)


def test_wide_element_is_flagged_at_both_widths(browser, fixture_server):
    for width in (sitecheck.DESKTOP, sitecheck.PHONE):
        problems = check(browser, fixture_server, "wide_element.html", width=width).problems
        assert problems and all("px wide" in p or "sticks out" in p for p in problems), problems


def test_code_may_scroll_in_its_box_on_a_phone_only(browser, fixture_server):
    only(check(browser, fixture_server, "scrolling_code.html").problems, "code scrolls sideways")
    assert check(browser, fixture_server, "scrolling_code.html", width=sitecheck.PHONE).problems == []


def test_good_page_passes_on_a_phone(browser, fixture_server):
    assert check(browser, fixture_server, "good.html", width=sitecheck.PHONE).problems == []


def test_size_budget_is_enforced(browser, fixture_server):
    problems = check(browser, fixture_server, "good.html",
                     budget=sitecheck.Budget(html=1_000, total=100_000_000)).problems
    assert len(problems) == 1 and problems[0].startswith("size: HTML is"), problems


def test_missing_page_is_flagged(browser, fixture_server):
    assert check(browser, fixture_server, "no-such-page.html").problems[0] == "page: HTTP 404"


def test_toc_pages(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nparts:\n  - caption: A\n    chapters:\n"
        "      - file: chapters/01_a\n        sections:\n          - file: chapters/01_b.md\n"
        "      - url: https://example.org\n  - caption: B\n    chapters:\n      - glob: extra/*\n")
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "z.md").write_text("# z")
    (tmp_path / "extra" / "y.ipynb").write_text("{}")
    assert sitecheck.toc_pages(tmp_path) == [
        "index.html", "chapters/01_a.html", "chapters/01_b.html", "extra/y.html", "extra/z.html"]
