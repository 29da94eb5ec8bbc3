"""Sphinx extension for the book's site (registered in ``_config.yml`` under ``local_extensions``).

- Figures: the alt text of an image inside a figure is the figure's caption (Sphinx would use
  the image's file path).
- Notebook downloads: every page built from a MyST notebook offers its executed ``.ipynb`` (the
  theme does this only when launch buttons are on).
- Launch buttons (Binder, Colab) appear only when the environment variable ``MND_BOOK_REPO`` holds
  the book's public GitHub repository (``https://github.com/<org>/<repo>``); without it the book
  builds without them. Binder opens the chapter's ``.md`` in JupyterLab (jupytext opens it as a
  notebook); Colab cannot read MyST Markdown, so its button opens the executed ``.ipynb`` that the
  published site carries (``_sources/``) on the branch ``MND_BOOK_PAGES_BRANCH`` (default
  ``gh-pages``, where the built ``_build/html`` is published).
- Each inline script is written once (sphinx-thebe 0.3.1 registers its configuration twice, which
  raises "Identifier 'THEBE_JS_URL' has already been declared" on every page).
- The theme starts in light mode (the figures have white backgrounds) and the CSS in ``static/``
  keeps wide content inside its own box.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError

HERE = Path(__file__).resolve().parent
REPO_ENV, PAGES_ENV = "MND_BOOK_REPO", "MND_BOOK_PAGES_BRANCH"
_GITHUB = re.compile(r"^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/?$")


def repository_settings(env: dict | None = None) -> dict:
    """The theme options for the repository and launch buttons that ``MND_BOOK_REPO`` asks for
    (empty when it is unset). Raises ConfigError for a URL that is not a GitHub repository."""
    env = os.environ if env is None else env
    url = env.get(REPO_ENV, "").strip()
    if not url:
        return {}
    if not _GITHUB.match(url):
        raise ConfigError(f"{REPO_ENV}={url!r} is not a GitHub repository URL "
                          "(https://github.com/<org>/<repo>); launch buttons need one")
    return {
        "repository_url": url.rstrip("/"), "repository_branch": env.get("MND_BOOK_BRANCH", "main"),
        "path_to_docs": "", "use_repository_button": True,
        "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab",
                           "colab_url": "https://colab.research.google.com"},
    }


def _config_inited(app: Sphinx, config) -> None:
    opts = dict(config.html_theme_options or {})
    for key in ("repository_url", "repository_branch", "path_to_docs", "launch_buttons",
                "use_repository_button", "use_issues_button", "use_edit_page_button"):
        opts.pop(key, None)
    opts.update(repository_settings())
    opts.setdefault("use_repository_button", False)
    config.html_theme_options = opts
    config.html_context = {**(config.html_context or {}), "default_mode": "light"}
    config.html_favicon = str(HERE / "static" / "favicon.svg")


def _builder_inited(app: Sphinx) -> None:
    static = str(HERE / "static")
    if static not in app.config.html_static_path:
        app.config.html_static_path.append(static)
    app.add_css_file("mnd.css")


def _alt_from_caption(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for fig in doctree.findall(nodes.figure):
        caps = list(fig.findall(nodes.caption))
        if not caps:
            continue
        text = " ".join(caps[0].astext().split())
        for img in fig.findall(nodes.image):
            img["alt"] = text


def _one_copy_of_each_script(app: Sphinx, pagename: str, templatename: str, context: dict,
                             doctree) -> None:
    """Runs last: drop repeated scripts (same file or same inline body, same attributes)."""
    seen, kept = set(), []
    for js in context.get("script_files", []):
        attrs = getattr(js, "attributes", {})
        key = (getattr(js, "filename", str(js)) or "", tuple(sorted((k, str(v)) for k, v in attrs.items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    context["script_files"] = kept


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    # the executed notebook as a download, for pages built from a notebook
    src = context.get("sourcename", "")
    ntbk = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if src.endswith((".md", ".md.txt")) and ntbk.is_file():
        dest = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ntbk, dest)
        context["ipynb_source"] = f"{pagename}.ipynb"


def _colab_opens_the_notebook(app: Sphinx, pagename: str, templatename: str, context: dict,
                              doctree) -> None:
    """After the theme's launch buttons: Colab gets the published ``.ipynb``, not the ``.md``."""
    repo = repository_settings()
    if not repo:
        return
    org_repo = repo["repository_url"].removeprefix("https://github.com/")
    branch = os.environ.get(PAGES_ENV, "gh-pages")
    url = (f"https://colab.research.google.com/github/{org_repo}/blob/{branch}/_sources/"
           f"{pagename}.ipynb")
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") == "Colab":
                button["url"] = url


_TEX = {r"\rho": "ρ", r"\sigma": "σ", r"\mathbb R": "ℝ", r"\mathbb{R}": "ℝ", r"\lambda": "λ",
        "^*": "*", "^2": "²", "^3": "³", "^d": "ᵈ", r"\,": " ", "$": "", "{": "", "}": "", "^": ""}


def _plain(title: str) -> str:
    """A result's title as plain text for the index (no TeX: the index is not typeset)."""
    for tex, text in _TEX.items():
        title = title.replace(tex, text)
    return " ".join(title.strip("() ").split())


def _collect_proof_titles(app: Sphinx, doctree: nodes.document) -> None:
    """Remember each numbered result's title (``node["title"]``, set by sphinx-proof)."""
    titles = app.env.__dict__.setdefault("mnd_proof_titles", {})
    for node in doctree.findall(nodes.Element):
        if "proof" in node.get("classes", []) and node.get("label"):
            titles[node["label"]] = _plain(str(node.get("title", "")))


def _purge_proof_titles(app: Sphinx, env, docname: str) -> None:
    titles = env.__dict__.get("mnd_proof_titles", {})
    for label, rec in list(getattr(env, "proof_list", {}).items()):
        if rec.get("docname") == docname:
            titles.pop(label, None)


def _readable_proof_index(self, docnames=None):
    """The proof index grouped by kind ("Propositions", ...), each result by its title with its
    chapter in parentheses (sphinx-proof lists label slugs). Group keys are single words: the
    theme passes "#cap-<key>" to querySelector."""
    from collections import defaultdict

    env = self.domain.env
    titles = env.__dict__.get("mnd_proof_titles", {})
    plural = {"theorem": "Theorems", "proposition": "Propositions", "lemma": "Lemmas",
              "corollary": "Corollaries", "definition": "Definitions", "conjecture": "Conjectures",
              "observation": "Observations", "remark": "Remarks", "example": "Examples"}
    content = defaultdict(list)
    for label, rec in getattr(env, "proof_list", {}).items():
        doc, kind = rec["docname"], rec["realtype"]
        chapter = env.titles[doc].astext() if doc in env.titles else doc
        name = titles.get(label) or kind.capitalize()
        content[plural.get(kind, kind.capitalize() + "s")].append((name, 0, doc, label, chapter, "", ""))
    return sorted((k, sorted(v, key=lambda e: (e[4], e[0]))) for k, v in content.items()), False


def setup(app: Sphinx) -> dict:
    import sphinx_proof.domain

    sphinx_proof.domain.ProofIndex.generate = _readable_proof_index
    sphinx_proof.domain.ProofIndex.localname = "Index of results"
    app.connect("doctree-read", _collect_proof_titles)
    app.connect("env-purge-doc", _purge_proof_titles)
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("doctree-resolved", _alt_from_caption)
    app.connect("html-page-context", _page_context, priority=500)
    app.connect("html-page-context", _colab_opens_the_notebook, priority=502)
    app.connect("html-page-context", _one_copy_of_each_script, priority=999)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
