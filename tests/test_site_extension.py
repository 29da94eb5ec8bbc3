"""_ext/mnd_book.py, the book's Sphinx extension: launch buttons only from a real repository URL,
readable result titles for the index of results."""

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "mnd_book", Path(__file__).resolve().parents[1] / "_ext" / "mnd_book.py")
ext = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(ext)


def test_no_repository_no_launch_buttons():
    assert ext.repository_settings({}) == {}
    assert ext.repository_settings({"MND_BOOK_REPO": "  "}) == {}


def test_a_github_repository_turns_on_binder_and_colab():
    opts = ext.repository_settings({"MND_BOOK_REPO": "https://github.com/org/book/"})
    assert opts["repository_url"] == "https://github.com/org/book"
    assert opts["repository_branch"] == "main" and opts["use_repository_button"] is True
    lb = opts["launch_buttons"]
    assert lb["binderhub_url"] == "https://mybinder.org" and lb["notebook_interface"] == "jupyterlab"
    assert lb["colab_url"] == "https://colab.research.google.com"


@pytest.mark.parametrize("url", ["github.com/org/book", "https://gitlab.com/org/book",
                                 "https://github.com/org", "https://github.com/org/book/tree/x"])
def test_anything_else_is_refused_with_the_setting_named(url):
    from sphinx.errors import ConfigError

    with pytest.raises(ConfigError, match="MND_BOOK_REPO"):
        ext.repository_settings({"MND_BOOK_REPO": url})


def test_result_titles_are_plain_text():
    assert ext._plain(r"(The LP recovers $f^*$)") == "The LP recovers f*"
    assert ext._plain(r"Obtuse simplex in $\mathbb R^3$, $\rho$ small") == "Obtuse simplex in ℝ³, ρ small"
