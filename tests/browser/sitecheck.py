"""Check a built static site in headless Chromium, with every non-loopback request blocked.

Used by the browser tests (``make browser``) and runnable by hand::

    .venv/bin/python tests/browser/sitecheck.py _build/html index.html chapters/01_setup.html

What one page must satisfy (:func:`check_page`; each failure is one line in the returned list):

- it loads with HTTP 200 and raises no page error (JavaScript exception), except the one
  documented in site.md: sphinx-thebe 0.3.1 declares ``THEBE_JS_URL`` twice;
- it asks for nothing outside 127.0.0.1 (such requests are aborted and reported: the site must
  work offline), and every same-origin request succeeds (no failure, no HTTP status >= 400);
- MathJax has typeset every ``.math`` element, without errors;
- every ``<img>`` is decoded (lazy images are made eager first);
- every widget view whose model is in the saved widget state is rendered, and every *static
  widget* responds: a view whose model tree holds a ``Stack`` and a slider is a static widget,
  and pressing an arrow key on each of its focused slider handles must change the image shown;
- the HTML (widget state included) and everything it loads stay under a size budget;
- nothing is wider than the window: at a desktop width (1280 px) no code block, output, formula or
  table scrolls sideways either; at a phone width (390 px) only code blocks, outputs, tables and
  display formulas may scroll, inside their own box;
- every content image is stored at >= 1.5x the pixels it is displayed with (sharp on high-DPI
  screens), is shown at >= 85% of its intended width at 1280 px, and has alt text that is not a
  file path;
- no console error; no progress-bar widget; no widget whose controls change nothing on the static
  page (controls without a Stack of precomputed frames); no text about the build (design notes,
  ``training.md``, ``benchmarks/README.md``, "fails the build") and no placeholder URL;
- the page is at most about 15 screens (900 px each) long at 1280 px;

and a full-page screenshot is written when asked.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
    "--disable-extensions", "--metrics-recording-only", "--disable-breakpad",
]
LOOPBACK = {"127.0.0.1"}
#: Page errors a built page may raise: none.
ALLOWED_PAGE_ERRORS: list[re.Pattern] = []
#: Console messages of type "error" that are not the page's fault: none.
ALLOWED_CONSOLE_ERRORS: list[re.Pattern] = []
DESKTOP, PHONE = 1280, 390
SCREEN_HEIGHT = 900
MAX_SCREENS = 16          # "about 15 screens"
MIN_PIXEL_RATIO = 1.5     # stored pixels per displayed pixel
MIN_SHOWN_FRACTION = 0.85  # displayed width / intended width, at the desktop width
#: text a reader must never meet (about the build or the repository, or a placeholder)
FORBIDDEN_TEXT = re.compile(r"design notes|training\.md|benchmarks/README\.md|fails the build|"
                            r"mnd-book/minimum-norm-denoisers|PLACEHOLDER", re.I)
#: widget models that are controls (they should change something) and progress bars
CONTROL_MODELS = ("SliderModel", "DropdownModel", "ToggleButtonsModel", "CheckboxModel",
                  "TextModel", "RadioButtonsModel", "SelectModel", "ButtonModel")
PROGRESS_MODELS = ("FloatProgressModel", "IntProgressModel")


@dataclass(frozen=True)
class Budget:
    """Size limits for one page, in bytes."""

    html: int = 3_000_000      # the HTML document itself, embedded widget state and images included
    total: int = 15_000_000    # the HTML plus every same-origin resource it loads (decoded sizes)


DEFAULT_BUDGET = Budget()
WIDGET_TIMEOUT_MS = 30_000
MATH_TIMEOUT_MS = 30_000


# --------------------------------------------------------------------------- serving


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class SiteServer:
    """A threaded HTTP server for ``root`` on 127.0.0.1 and a free port (a context manager)."""

    def __init__(self, root: Path | str):
        self.root = Path(root).resolve()
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="site-server", daemon=True)

    def __enter__(self) -> "SiteServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)


# --------------------------------------------------------------------------- pages of the book


def toc_pages(book_root: Path | str) -> list[str]:
    """The HTML paths (``chapters/01_setup.html``) of every file in ``_toc.yml`` (jb-book format).

    Reads ``root`` and, recursively, ``parts``/``chapters``/``sections`` entries with ``file`` or
    ``glob``; ``url`` entries (external links) have no page.
    """
    import yaml  # PyYAML comes with jupyter-book

    book_root = Path(book_root)
    toc = yaml.safe_load((book_root / "_toc.yml").read_text())
    files: list[str] = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            elif "glob" in e:
                for p in sorted(book_root.glob(e["glob"])):
                    if p.suffix in (".md", ".ipynb", ".rst"):
                        files.append(p.relative_to(book_root).with_suffix("").as_posix())
            for key in ("parts", "chapters", "sections"):
                walk(e.get(key))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    seen, pages = set(), []
    for f in files:
        stem = re.sub(r"\.(md|ipynb|rst)$", "", f).strip("/")
        if stem not in seen:
            seen.add(stem)
            pages.append(stem + ".html")
    return pages


# --------------------------------------------------------------------------- widget state


_STATE_RE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.S)
_VIEW_RE = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)


def _model_refs(value) -> list[str]:
    """Model ids referenced (``"IPY_MODEL_<id>"``) anywhere inside a state value."""
    out = []
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        out.append(value[len("IPY_MODEL_"):])
    elif isinstance(value, list):
        for v in value:
            out.extend(_model_refs(v))
    elif isinstance(value, dict):
        for v in value.values():
            out.extend(_model_refs(v))
    return out


@dataclass
class WidgetView:
    model_id: str
    in_state: bool
    static: bool            # the model tree holds a Stack and a slider
    names: list[str] = field(default_factory=list)   # model names in the tree (for messages)

    @property
    def controls_without_frames(self) -> bool:
        """Controls but no Stack of frames: on a static page moving them changes nothing."""
        return any(n.endswith(CONTROL_MODELS) for n in self.names) and "StackModel" not in self.names

    @property
    def progress_bar(self) -> bool:
        return any(n in PROGRESS_MODELS for n in self.names)


def widget_views(html: str) -> list[WidgetView]:
    """The widget views of a page, in document order, classified from the embedded state."""
    m = _STATE_RE.search(html)
    state = json.loads(m.group(1))["state"] if m else {}
    views = []
    for vm in _VIEW_RE.finditer(html):
        model_id = json.loads(vm.group(1))["model_id"]
        names, todo, seen = [], [model_id], set()
        while todo:
            mid = todo.pop()
            if mid in seen or mid not in state:
                continue
            seen.add(mid)
            entry = state[mid]
            names.append(entry.get("model_name", "?"))
            # follow children (boxes, stacks), not layout/style models
            todo.extend(r for k, v in entry.get("state", {}).items() if k not in ("layout", "style")
                        for r in _model_refs(v))
        static = "StackModel" in names and any(n.endswith("SliderModel") for n in names)
        views.append(WidgetView(model_id, model_id in state, static, names))
    return views


# --------------------------------------------------------------------------- the browser


def launch(playwright, executable: str = CHROMIUM):
    """Debian's Chromium, headless; Playwright downloads no browser when given its path."""
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


_WAIT_WIDGETS_JS = """
() => {
  const scripts = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  return scripts.map(s => {
    const sub = s.previousElementSibling;
    return !!(sub && sub.classList.contains('widget-subarea') && sub.querySelector('.jupyter-widgets'));
  });
}
"""

_MATH_JS = """
async () => {
  const maths = [...document.querySelectorAll('.math')];
  if (maths.length === 0) return {n: 0};
  if (!window.MathJax || !window.MathJax.startup || !window.MathJax.startup.promise)
    return {n: maths.length, loaded: false};
  await window.MathJax.startup.promise;
  const bad = maths.filter(m => !m.querySelector('mjx-container'))
                   .map(m => m.textContent.trim().slice(0, 60));
  const errors = [...document.querySelectorAll('mjx-merror, [data-mjx-error]')]
                   .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 80));
  return {n: maths.length, loaded: true, bad, errors};
}
"""

_IMAGES_JS = """
async () => {
  const imgs = [...document.querySelectorAll('img')];
  for (const img of imgs) if (img.loading === 'lazy') img.loading = 'eager';
  const results = await Promise.all(imgs.map(async img => {
    try { await img.decode(); } catch (e) { /* checked below */ }
    return {src: (img.getAttribute('src') || '').slice(0, 100), ok: img.complete && img.naturalWidth > 0};
  }));
  return results;
}
"""

_SHOWN_IMAGES_JS = """
(i) => {
  const s = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')[i];
  const sub = s.previousElementSibling;
  return [...sub.querySelectorAll('img.widget-image')]
    .filter(img => img.offsetParent !== null && img.getBoundingClientRect().width > 0)
    .map(img => img.src);
}
"""

_HANDLES_JS = """
(i) => {
  const s = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')[i];
  const sub = s.previousElementSibling;
  return [...sub.querySelectorAll('.noUi-handle')].map(h => ({
    now: parseFloat(h.getAttribute('aria-valuenow')), max: parseFloat(h.getAttribute('aria-valuemax'))}));
}
"""

_SIZES_JS = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource')
    .filter(r => new URL(r.name).origin === location.origin);
  return {html: nav ? nav.decodedBodySize : 0,
          resources: res.reduce((a, r) => a + (r.decodedBodySize || 0), 0),
          biggest: res.sort((a, b) => b.decodedBodySize - a.decodedBodySize).slice(0, 3)
                      .map(r => [new URL(r.name).pathname, r.decodedBodySize])};
}
"""


_LAYOUT_JS = """
(desktop) => {
  const W = document.documentElement.clientWidth;
  const out = {pageWidth: document.documentElement.scrollWidth, window: W,
               height: document.documentElement.scrollHeight, wide: [], scrolling: []};
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const desc = el => (el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
                      ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '')
                      + ' "' + (el.textContent || '').trim().slice(0, 50) + '"');
  // content cut off by a clipping box, or sticking out of the window (the page would scroll)
  const cands = 'main mjx-container, main img, main pre, main table, main p, main li, main .widget-slider, main figure';
  for (const el of document.querySelectorAll(cands)) {
    if (!visible(el) || el.closest('.bd-sidebar-primary, .bd-sidebar-secondary')) continue;
    const r = el.getBoundingClientRect();
    let verdict = r.right > W + 1 ? 'sticks out' : null;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'visible') continue;
      const pr = p.getBoundingClientRect();
      if (/(auto|scroll)/.test(ox)) { verdict = null; break; }     // scrolls in its own box
      if (r.right > pr.right + 1 || r.left < pr.left - 1) { verdict = 'cut off'; }
      break;
    }
    if (verdict) out.wide.push(verdict + ': ' + desc(el));
    if (out.wide.length > 8) break;
  }
  // boxes that scroll sideways: code, outputs, tables, display math
  const boxes = 'div.highlight pre, .cell_output pre, .output pre, table, mjx-container[display="true"], div.math';
  for (const el of document.querySelectorAll(boxes)) {
    if (!visible(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      const kind = el.matches('table') ? 'table' : (el.matches('pre') ? 'code' : 'math');
      out.scrolling.push({kind, what: desc(el), by: el.scrollWidth - el.clientWidth});
    }
  }
  return out;
}
"""

_CONTENT_IMAGES_JS = """
() => [...document.querySelectorAll('main img')].filter(img => {
    const r = img.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !img.closest('.header-article, .bd-header, nav');
  }).map(img => ({src: (img.getAttribute('src') || '').slice(0, 80), alt: img.getAttribute('alt') || '',
                  natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
                  shownHeight: img.getBoundingClientRect().height,
                  naturalHeight: img.naturalHeight,
                  intended: parseFloat(img.getAttribute('width')) ||
                            parseFloat(img.style.width) || (img.naturalWidth / 2),
                  widget: img.classList.contains('widget-image')}))
"""

_SLIDER_TRACKS_JS = """
() => [...document.querySelectorAll('.noUi-target')].filter(t => t.getBoundingClientRect().height > 0)
  .map(t => Math.round(t.getBoundingClientRect().width))
"""
MIN_SLIDER_TRACK = 100   # px: a slider a finger can move

_PATH_ALT = re.compile(r"(^|/)[^ ]+\.(png|jpe?g|svg|gif|webp)$|^_images/|^\.\./_images/", re.I)


def layout_problems(page, width: int) -> tuple[list[str], int]:
    """Overflow and length problems of the loaded ``page`` at viewport ``width``; and its height."""
    problems = []
    lay = page.evaluate(_LAYOUT_JS, width == DESKTOP)
    if lay["pageWidth"] > lay["window"] + 1:
        problems.append(f"{width} px: the page is {lay['pageWidth']} px wide (window {lay['window']}); "
                        f"sticking out: {lay['wide'][:3]}")
    elif lay["wide"]:
        problems.append(f"{width} px: content cut off or sticking out: {lay['wide'][:3]}")
    for box in lay["scrolling"]:
        if width == DESKTOP or box["kind"] not in ("code", "table", "math"):
            problems.append(f"{width} px: {box['kind']} scrolls sideways by {box['by']} px: {box['what']}")
    return problems, lay["height"]


def image_problems(images: list[dict], width: int) -> list[str]:
    """Resolution, shown fraction (desktop only) and alt text of content images."""
    problems = []
    for img in images:
        name = img["src"] or "(inline image)"
        if img["shown"] > 0 and img["natural"] < MIN_PIXEL_RATIO * img["shown"] - 0.5:
            problems.append(f"{width} px: image {name} has {img['natural']} px for {img['shown']:.0f} "
                            f"displayed ({img['natural'] / img['shown']:.2f}x < {MIN_PIXEL_RATIO}x)")
        if width == DESKTOP and img["shown"] < MIN_SHOWN_FRACTION * img["intended"] - 0.5:
            problems.append(f"image {name} is shrunk to {img['shown'] / img['intended']:.0%} of its width "
                            f"({img['shown']:.0f} of {img['intended']:.0f} px)")
        if img["shown"] > 0 and img["natural"] > 0 and img["naturalHeight"] > 0:
            squash = (img["shownHeight"] / img["shown"]) / (img["naturalHeight"] / img["natural"])
            if abs(squash - 1) > 0.03:
                problems.append(f"{width} px: image {name} is distorted (height/width {squash:.2f}x "
                                f"its own)")
        if not img["widget"] and (not img["alt"].strip() or _PATH_ALT.search(img["alt"].strip())):
            problems.append(f"image {name}: alt text {img['alt'][:60]!r} is empty or a file path")
    return problems


@dataclass
class PageReport:
    path: str
    problems: list[str] = field(default_factory=list)
    html_bytes: int = 0
    total_bytes: int = 0
    static_widgets: int = 0
    math: int = 0
    images: int = 0
    seconds: float = 0.0
    screens: float = 0.0
    width: int = DESKTOP


def check_page(browser, base_url: str, path: str, budget: Budget = DEFAULT_BUDGET,
               screenshot: Path | None = None, width: int = DESKTOP) -> PageReport:
    """Open ``base_url + path`` in a fresh browser context ``width`` px wide and check it (see the
    module doc). The widget sliders and size budget are tried at the desktop width only."""
    t0 = time.monotonic()
    report = PageReport(path, width=width)
    problems = report.problems
    origin = urlparse(base_url)
    context = browser.new_context(viewport={"width": width, "height": SCREEN_HEIGHT},
                                  service_workers="block")
    page = context.new_page()
    blocked: list[str] = []

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("blockedbyclient")

    page.route("**/*", route)
    page_errors: list[str] = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})")
            if urlparse(r.url).hostname in LOOPBACK else None)
    bad_status: list[str] = []
    page.on("response", lambda r: bad_status.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 and urlparse(r.url).netloc == origin.netloc else None)
    try:
        response = page.goto(urljoin(base_url, path), wait_until="load", timeout=60_000)
        if response is None or response.status != 200:
            problems.append(f"page: HTTP {response.status if response else 'no response'}")
            return report
        html = response.text()

        # widgets: every view with a saved model renders (the sliders are tried further down)
        views = widget_views(html)
        for i, v in enumerate(views):
            if not v.in_state:
                problems.append(f"widget {v.model_id}: its model is not in the saved widget state "
                                f"(blank on the static site)")
            elif v.progress_bar:
                problems.append(f"widget {i}: a progress bar on a built page")
            elif v.controls_without_frames:
                problems.append(f"widget {i}: its controls change nothing on the static page "
                                f"(no precomputed frames): {sorted(set(v.names))[:5]}")
        text = page.evaluate("() => document.body.innerText")
        links = " ".join(page.evaluate("() => [...document.querySelectorAll('a[href]')]"
                                       ".map(a => a.getAttribute('href'))"))
        for m in dict.fromkeys(x.group(0) for x in FORBIDDEN_TEXT.finditer(text + " " + links)):
            problems.append(f"text: {m!r} on the page (build talk or a placeholder)")
        expected = [v.in_state for v in views]
        rendered: list[bool] = []
        if any(expected):
            try:
                page.wait_for_function(
                    f"() => ({_WAIT_WIDGETS_JS})().filter(x => x).length >= {sum(expected)}",
                    timeout=WIDGET_TIMEOUT_MS)
            except Exception:
                pass
            rendered = page.evaluate(_WAIT_WIDGETS_JS)
            for i, v in enumerate(views):
                if v.in_state and not (i < len(rendered) and rendered[i]):
                    problems.append(f"widget {i} ({v.names[0] if v.names else '?'}): not rendered")

        # math
        math = page.evaluate(_MATH_JS)
        report.math = math["n"]
        if math["n"]:
            if not math["loaded"]:
                problems.append(f"math: {math['n']} formulas but MathJax did not load")
            else:
                if math["bad"]:
                    problems.append(f"math: {len(math['bad'])} of {math['n']} formulas not typeset, "
                                    f"e.g. {math['bad'][0]!r}")
                if math["errors"]:
                    problems.append(f"math: MathJax errors: {math['errors'][:3]}")

        # images
        imgs = page.evaluate(_IMAGES_JS)
        report.images = len(imgs)
        for img in imgs:
            if not img["ok"]:
                problems.append(f"image not decoded: {img['src']}")
        problems.extend(image_problems(page.evaluate(_CONTENT_IMAGES_JS), width))

        # sliders: a usable track at this width
        for w_px in page.evaluate(_SLIDER_TRACKS_JS):
            if w_px < MIN_SLIDER_TRACK:
                problems.append(f"{width} px: a slider track is {w_px} px wide (< {MIN_SLIDER_TRACK})")

        # layout: nothing wider than the window; at most about 15 screens
        lay, height = layout_problems(page, width)
        problems.extend(lay)
        report.screens = height / SCREEN_HEIGHT
        if width == DESKTOP and report.screens > MAX_SCREENS:
            problems.append(f"length: {report.screens:.1f} screens at {width} px (limit about 15)")

        # screenshot: the page as a reader first sees it (before the sliders are moved)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); "
                          "window.scrollTo(0, 0); }")
            page.screenshot(path=str(screenshot), full_page=True)

        # static widgets: each slider must change the frame shown
        for i, v in enumerate(views if width == DESKTOP else []):
            if not (v.static and v.in_state) or i >= len(rendered) or not rendered[i]:
                continue
            report.static_widgets += 1
            handles = page.evaluate(_HANDLES_JS, i)
            if not handles:
                problems.append(f"static widget {i}: no slider handle rendered")
            for h_index, h in enumerate(handles):
                before = page.evaluate(_SHOWN_IMAGES_JS, i)
                if not before:
                    problems.append(f"static widget {i}: shows no image")
                    break
                key = "ArrowLeft" if h["now"] >= h["max"] else "ArrowRight"
                # the slider handle, found from this view's script tag (its subarea precedes it)
                handle = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').nth(i) \
                    .locator("xpath=preceding-sibling::div[contains(@class,'widget-subarea')][1]") \
                    .locator(".noUi-handle").nth(h_index)
                handle.focus()
                handle.press(key)
                try:
                    page.wait_for_function(
                        f"(prev) => JSON.stringify(({_SHOWN_IMAGES_JS})({i})) !== JSON.stringify(prev)",
                        arg=before, timeout=3_000)
                except Exception:
                    problems.append(f"static widget {i}: pressing {key} on slider {h_index} "
                                    f"did not change the image shown")

        # sizes
        sizes = page.evaluate(_SIZES_JS)
        report.html_bytes = len(html.encode())
        report.total_bytes = report.html_bytes + sizes["resources"]
        if width == DESKTOP and report.html_bytes > budget.html:
            problems.append(f"size: HTML is {report.html_bytes / 1e6:.2f} MB > budget {budget.html / 1e6:.2f} MB")
        if width == DESKTOP and report.total_bytes > budget.total:
            problems.append(f"size: page and resources {report.total_bytes / 1e6:.2f} MB > budget "
                            f"{budget.total / 1e6:.2f} MB; biggest {sizes['biggest']}")
    finally:
        page.wait_for_timeout(100)   # let late events arrive
        for e in page_errors:
            if not any(p.search(e) for p in ALLOWED_PAGE_ERRORS):
                problems.append(f"page error: {e[:300]}")
        blocked_msgs = ("net::ERR_BLOCKED_BY_CLIENT", "status of 404")   # reported below already
        for e in dict.fromkeys(console_errors):
            if not any(p.search(e) for p in ALLOWED_CONSOLE_ERRORS) and not any(b in e for b in blocked_msgs):
                problems.append(f"console error: {e[:300]}")
        for u in dict.fromkeys(blocked):
            problems.append(f"external request (blocked; the site must work offline): {u[:150]}")
        for f in dict.fromkeys(failed):
            if not any(f.startswith(b) for b in blocked):
                problems.append(f"request failed: {f[:200]}")
        problems.extend(dict.fromkeys(bad_status))
        context.close()
        report.seconds = time.monotonic() - t0
    return report


def screenshot_name(path: str, width: int = DESKTOP) -> str:
    stem = path.replace("/", "__").removesuffix(".html")
    return f"{stem}.png" if width == DESKTOP else f"{stem}@{width}.png"


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    if len(argv) < 2:
        print(__doc__)
        return 2
    root, pages = Path(argv[0]), argv[1:]
    worst = 0
    with SiteServer(root) as server, sync_playwright() as p:
        browser = launch(p)
        for path in pages:
            r = check_page(browser, server.base_url, path)
            print(f"{path}: {'OK' if not r.problems else 'FAIL'} ({r.seconds:.1f} s, "
                  f"HTML {r.html_bytes / 1e6:.2f} MB, total {r.total_bytes / 1e6:.2f} MB, "
                  f"{r.static_widgets} static widgets, {r.math} formulas, {r.images} images)")
            for prob in r.problems:
                print("   ", prob)
            worst = max(worst, 1 if r.problems else 0)
        browser.close()
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
