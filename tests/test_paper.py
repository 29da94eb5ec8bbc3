"""mnd.paper: the paper's settings as plain data, and the flag that selects them."""

import pytest

import mnd


def test_figure1_settings_are_the_papers():
    p = mnd.paper.FIGURE1
    assert (p["n_points"], p["low"], p["high"], p["sigma"], p["lam"]) == (4, -5.0, 5.0, 1.5, 1e-5)
    assert (p["online_steps"], p["offline_M"], p["offline_steps"]) == (100_000, 9000, 20_000)
    with pytest.raises(TypeError):
        p["sigma"] = 2.0  # read-only: a chapter changes its own knobs, not the paper's


def test_figure2_settings():
    p = mnd.paper.FIGURE2
    assert (p["lam"], p["M"]) == (1e-5, 100)
    # sigma is ours: the farthest of M = 100 samples lies about rho away (E max |N(0,1)| ~ 2.5-3.3)
    assert 2.5 < p["rho"] / p["sigma"] < 4.0


@pytest.mark.parametrize(
    "env, expected",
    [({}, False), ({"MND_PAPER_SETTINGS": ""}, False), ({"MND_PAPER_SETTINGS": "0"}, False),
     ({"MND_PAPER_SETTINGS": "1"}, True), ({"MND_PAPER_SETTINGS": "True"}, True),
     ({"MND_PAPER_SETTINGS": "no"}, False)],
)
def test_use_paper_settings(env, expected):
    assert mnd.paper.use_paper_settings(env) is expected


def test_flag_reads_the_environment(monkeypatch):
    monkeypatch.setenv("MND_PAPER_SETTINGS", "1")
    assert mnd.paper.use_paper_settings() is True
    monkeypatch.setenv("MND_PAPER_SETTINGS", "maybe")
    with pytest.raises(ValueError, match="MND_PAPER_SETTINGS must be 0 or 1"):
        mnd.paper.use_paper_settings()
