"""Fixtures for the browser tests (tier 4 of site.md): a local server and Debian's Chromium.

These tests need a built book and /usr/bin/chromium, so they run only when asked:
``make browser`` sets MND_BROWSER_TESTS=1 (a plain ``pytest`` or ``make unit`` skips them).

Environment:
  MND_BROWSER_TESTS=1   run them
  MND_BOOK              the book's source folder (its _toc.yml lists the pages); default: the repo
  MND_SITE              the built HTML; default: $MND_BOOK/_build/html
  MND_SCREENSHOTS       where full-page screenshots go; default: the site's ../screenshots
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import sitecheck  # noqa: E402

REPO = HERE.parents[1]
ENABLED = os.environ.get("MND_BROWSER_TESTS") == "1"


def pytest_collection_modifyitems(config, items):
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="browser tests: run `make browser` (MND_BROWSER_TESTS=1)")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def book_root() -> Path:
    return Path(os.environ.get("MND_BOOK", REPO)).resolve()


@pytest.fixture(scope="session")
def site_root(book_root) -> Path:
    root = Path(os.environ.get("MND_SITE", book_root / "_build" / "html")).resolve()
    if not (root / "index.html").is_file():
        pytest.fail(f"no built site at {root}: run `make book` first")
    return root


@pytest.fixture(scope="session")
def screenshot_dir(site_root) -> Path:
    return Path(os.environ.get("MND_SCREENSHOTS", site_root.parent / "screenshots")).resolve()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(sitecheck.CHROMIUM).exists():
        pytest.fail(f"{sitecheck.CHROMIUM} not found: apt-get install chromium (see .ci/run)")
    with sync_playwright() as p:
        b = sitecheck.launch(p)
        yield b
        b.close()


@pytest.fixture(scope="session")
def site_server(site_root):
    with sitecheck.SiteServer(site_root) as server:
        yield server


def pytest_terminal_summary(terminalreporter):
    """A table of what the page tests measured (sizes against the budget, time per page)."""
    mod = sys.modules.get("test_browser_site")
    reports = getattr(mod, "REPORTS", None)
    if not reports:
        return
    b = sitecheck.DEFAULT_BUDGET
    tr = terminalreporter
    tr.section("browser: pages checked")
    tr.write_line(f"budget: HTML <= {b.html / 1e6:.1f} MB, page + resources <= {b.total / 1e6:.1f} MB")
    for r in reports:
        tr.write_line(f"{r.path:34s} {r.width:4d} px {'ok  ' if not r.problems else 'FAIL'} HTML {r.html_bytes / 1e6:5.2f} MB  "
                      f"total {r.total_bytes / 1e6:5.2f} MB  {r.static_widgets} static widgets  "
                      f"{r.math:3d} formulas  {r.images:2d} images  {r.screens:4.1f} screens  "
                      f"{r.seconds:4.1f} s")
