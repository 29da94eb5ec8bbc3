"""Tier 4 of site.md: every page of the built book, opened in Debian's Chromium, offline.

For each page in _toc.yml (read at collection time, so new chapters are picked up), at 1280 px and
at 390 px: HTTP 200, no page or console errors, no failed same-origin and no external requests (all
non-loopback requests are blocked), math typeset, every image decoded, sharp (>= 1.5x) and with
alt text, nothing wider than the window (at 1280 px nothing scrolls sideways), no progress-bar or
dead widget, no build talk or placeholder URL, at most about 15 screens long; at 1280 px every
static widget responds to its slider and the size is under budget (sitecheck.DEFAULT_BUDGET: HTML
with widget state <= 3 MB, page plus everything it loads <= 15 MB). A full-page screenshot of each
page at each width goes to _build/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest

import sitecheck

BOOK = Path(os.environ.get("MND_BOOK", Path(__file__).resolve().parents[2]))
PAGES = sitecheck.toc_pages(BOOK)
REPORTS: list[sitecheck.PageReport] = []


@pytest.mark.parametrize("width", [sitecheck.DESKTOP, sitecheck.PHONE])
@pytest.mark.parametrize("path", PAGES)
def test_page(browser, site_server, screenshot_dir, path, width):
    report = sitecheck.check_page(browser, site_server.base_url, path, width=width,
                                  screenshot=screenshot_dir / sitecheck.screenshot_name(path, width))
    REPORTS.append(report)
    if report.problems:
        pytest.fail(f"{path} at {width} px: {len(report.problems)} problems\n  " + "\n  ".join(report.problems),
                    pytrace=False)


_DOWNLOAD_RE = re.compile(r'<a href="([^"]+)"[^>]*?class="btn btn-sm btn-download-(notebook|source)-button', re.S)


@pytest.mark.parametrize("path", PAGES)
def test_downloads(site_root, site_server, path):
    """Each page offers its source (.md); each page with code cells also the notebook (.ipynb)."""
    html = (site_root / path).read_text()
    links = {kind: urljoin(site_server.url(path), href) for href, kind in _DOWNLOAD_RE.findall(html)}
    assert "source" in links and links["source"].endswith(".md"), f"{path}: no .md download: {links}"
    if 'class="cell docutils container"' in html:
        assert "notebook" in links and links["notebook"].endswith(".ipynb"), \
            f"{path} has code cells but no .ipynb download: {links}"
    for kind, url in links.items():
        with urllib.request.urlopen(url, timeout=30) as r:
            assert r.status == 200, f"{url}: HTTP {r.status}"
            body = r.read()
        assert body, f"{url} is empty"
        if kind == "notebook":
            nb = json.loads(body)
            assert nb["nbformat"] == 4 and nb["cells"], f"{url} is not a notebook"


def test_screenshots_written(screenshot_dir):
    """Runs after the page tests: one screenshot per page that got that far."""
    missing = [sitecheck.screenshot_name(p, w) for p in PAGES for w in (sitecheck.DESKTOP, sitecheck.PHONE)
               if not (screenshot_dir / sitecheck.screenshot_name(p, w)).is_file()]
    assert not missing, f"no screenshot for {missing} in {screenshot_dir}"
