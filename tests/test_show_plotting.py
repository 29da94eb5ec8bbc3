"""mnd.show.plotting: line_profile plots u . (f(y(s)) - origin) ("along") or
|(I - u u^T)(f(y(s)) - origin)| ("across") on y(s) = origin + s u + shift."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import mnd  # noqa: E402
from mnd.show.plotting import line_profile  # noqa: E402


def _plotted(part, f, origin, direction, s, shift=None):
    fig, ax = plt.subplots()
    line_profile(ax, f, origin, direction, s, shift=shift, part=part, color="k")
    x, y = ax.lines[-1].get_xdata(), ax.lines[-1].get_ydata()
    plt.close(fig)
    return np.asarray(x), np.asarray(y)


def test_linear_map_profile_matches_hand_computation(rng):
    d = 3
    B = rng.standard_normal((d, d))
    origin, direction, shift = rng.standard_normal(d), rng.standard_normal(d), rng.standard_normal(d)
    s = np.linspace(-2, 2, 17)
    u = direction / np.linalg.norm(direction)
    f = lambda Y: Y @ B.T  # noqa: E731
    out = np.array([B @ (origin + shift + si * u) - origin for si in s])
    x, along = _plotted("along", f, origin, 5.0 * direction, s, shift)  # direction's length is irrelevant
    _, across = _plotted("across", f, origin, direction, s, shift)
    np.testing.assert_allclose(x, s)
    np.testing.assert_allclose(along, out @ u, atol=1e-12)
    np.testing.assert_allclose(across, [np.linalg.norm(o - (o @ u) * u) for o in out], atol=1e-12)
    # Pythagoras: along^2 + across^2 = |f(y) - origin|^2
    np.testing.assert_allclose(along ** 2 + across ** 2, np.sum(out ** 2, axis=1), rtol=1e-10)


def test_subspace_denoiser_profile_is_univariate_and_ignores_offsets():
    """On collinear data, u . (h*(y) - xbar) is f*(u . (y - xbar)) for every offset across the
    line (chapter 3's theorem), and the orthogonal part of the output is zero."""
    u = np.array([0.6, 0.8])
    t = np.array([-2.0, -0.5, 0.7, 2.0])
    X = np.array([0.3, -0.2]) + np.outer(t, u)
    h = mnd.subspace(X, 0.2)
    xbar = X.mean(0)
    f1 = mnd.univariate(t - t.mean(), 0.2)
    s = np.linspace(-3, 3, 61)
    for shift in (None, 0.8 * np.array([-0.8, 0.6])):
        _, along = _plotted("along", h, xbar, u, s, shift)
        _, across = _plotted("across", h, xbar, u, s, shift)
        np.testing.assert_allclose(along, f1(s), atol=1e-12)
        np.testing.assert_allclose(across, 0.0, atol=1e-12)


def test_accepts_one_dimensional_denoisers():
    f = mnd.univariate(np.array([-1.0, 1.0]), 0.25)
    s = np.linspace(-2, 2, 9)
    _, along = _plotted("along", f, np.zeros(1), np.ones(1), s)
    np.testing.assert_allclose(along, f(s))


def test_rejects_bad_arguments():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="part"):
        line_profile(ax, lambda Y: Y, np.zeros(2), np.ones(2), [0.0], part="sideways")
    with pytest.raises(ValueError, match="direction"):
        line_profile(ax, lambda Y: Y, np.zeros(2), np.zeros(2), [0.0])
    with pytest.raises(ValueError, match="direction"):
        line_profile(ax, lambda Y: Y, np.zeros(2), np.ones(3), [0.0])
    plt.close(fig)


def test_style_keeps_every_text_size_at_9pt_or_more():
    """After style(), every font-size setting resolves to at least 9 pt (figures are displayed at
    100 px per inch, unshrunk, so 9 pt is the smallest text a reader meets)."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    from mnd.show import style

    with mpl.rc_context():
        style()
        sizes = {k: FontProperties(size=v).get_size_in_points()
                 for k, v in mpl.rcParams.items() if k.endswith(("fontsize", "labelsize", "titlesize"))
                 or k == "font.size"}
        assert min(sizes.values()) >= 9, {k: s for k, s in sizes.items() if s < 9}
        assert mpl.rcParams["figure.dpi"] == 100 and mpl.rcParams["savefig.dpi"] == 200


def test_show_never_asks_for_text_under_9pt():
    import re
    from pathlib import Path

    import mnd.show

    small = re.compile(r"fontsize\s*=\s*[0-8](\.\d*)?\b|x{1,2}-small")
    hits = [f"{p.name}: {line.strip()}" for p in Path(mnd.show.__path__[0]).glob("*.py")
            for line in p.read_text().splitlines() if small.search(line)]
    assert not hits, hits
