"""mnd.recipes: settings, the paper-settings flag, the chapter-2 training runs and tables."""

import numpy as np
import pytest
import torch

import mnd
from mnd import metrics
from mnd import recipes
from mnd.nets import ShallowDenoiser

TINY_FIG1 = recipes.FIGURE1_FAST.replace(width=8, online_steps=40, offline_steps=40, offline_M=20, online_batch=8)
TINY_LOW = recipes.LOW_NOISE_FAST.replace(width=8, steps=30, lams=(1e-3,), M=10, interpolate_steps=2, batch=8)


def test_paper_settings_are_the_papers():
    p = recipes.FIGURE1_PAPER
    assert (p.n_points, p.low, p.high, p.sigma, p.lam) == (4, -5.0, 5.0, 1.5, 1e-5)
    assert (p.online_steps, p.offline_M, p.offline_steps) == (100_000, 9000, 20_000)
    f = recipes.FIGURE1_FAST
    assert (f.n_points, f.sigma, f.lam) == (4, 1.5, 1e-5)
    assert f.online_steps < p.online_steps and f.offline_M < p.offline_M


def test_settings_dict_access_and_replace():
    s = recipes.FIGURE1_FAST
    assert s["sigma"] == 1.5 and s.as_dict()["offline_M"] == s.offline_M
    with pytest.raises(KeyError):
        s["nope"]
    assert s.replace(width=3).width == 3 and s.width != 3


@pytest.mark.parametrize(
    "env, expected",
    [({}, False), ({"MND_PAPER_SETTINGS": ""}, False), ({"MND_PAPER_SETTINGS": "0"}, False),
     ({"MND_PAPER_SETTINGS": "1"}, True), ({"MND_PAPER_SETTINGS": "True"}, True), ({"MND_PAPER_SETTINGS": "no"}, False)],
)
def test_use_paper_settings(env, expected):
    assert recipes.use_paper_settings(env) is expected


def test_flag_selects_settings(monkeypatch):
    monkeypatch.setenv("MND_PAPER_SETTINGS", "1")
    assert recipes.figure1_settings() is recipes.FIGURE1_PAPER
    assert recipes.low_noise_settings() is recipes.LOW_NOISE_PAPER
    monkeypatch.setenv("MND_PAPER_SETTINGS", "0")
    assert recipes.figure1_settings() is recipes.FIGURE1_FAST
    assert recipes.figure1_settings(paper=True) is recipes.FIGURE1_PAPER
    monkeypatch.setenv("MND_PAPER_SETTINGS", "maybe")
    with pytest.raises(ValueError, match="MND_PAPER_SETTINGS must be 0 or 1"):
        recipes.figure1_settings()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: recipes.Figure1Settings(width=0), "width must be an integer >= 1"),
        (lambda: recipes.Figure1Settings(sigma=-1.0), "sigma must be > 0"),
        (lambda: recipes.Figure1Settings(lam=-1e-3), "lam must be a finite number >= 0"),
        (lambda: recipes.Figure1Settings(low=1.0, high=0.0), "low < high"),
        (lambda: recipes.Figure1Settings(n_points=1), "n_points must be an integer >= 2"),
        (lambda: recipes.LowNoiseSettings(sigma=1.0), "not a low-noise setting"),
        (lambda: recipes.LowNoiseSettings(lams=()), "at least one"),
        (lambda: recipes.LowNoiseSettings(lams=(1e-3, -1.0)), "every lam"),
        (lambda: recipes.LowNoiseSettings(steps=0), "steps must be an integer >= 1"),
        (lambda: recipes.GeneralisationNetSettings(sigmas=()), "at least one"),
        (lambda: recipes.GeneralisationNetSettings(sigmas=(0.1, 0.0)), "every sigma must be > 0"),
        (lambda: recipes.GeneralisationNetSettings(lr=0.0), "lr must be > 0"),
    ],
)
def test_settings_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_train_figure1_tiny_is_deterministic():
    a, b = recipes.train_figure1(TINY_FIG1), recipes.train_figure1(TINY_FIG1)
    g = np.linspace(-8, 8, 101)
    np.testing.assert_array_equal(a.x_clean, np.linspace(-5, 5, 4))
    for name in ("online", "offline"):
        np.testing.assert_array_equal(a.denoisers()[name](g), b.denoisers()[name](g))
        assert a.histories[name].step[-1] == 40
    np.testing.assert_allclose(a.emmse(g), mnd.emmse(a.x_clean, 1.5)(g))


@pytest.mark.slow
def test_fast_figure1_recipe_reaches_emmse():
    """The chapter's default: the online network's online loss is within 1% of eMMSE's (the
    minimum, lemma in chapter 2) and the curves are within 0.2 of each other on [-7, 7]."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small networks: one thread is fastest (as in the chapter)
    try:
        r = recipes.train_figure1(recipes.FIGURE1_FAST)
    finally:
        torch.set_num_threads(threads)
    g = np.linspace(-7, 7, 701)
    loss = {k: metrics.denoising_mse(h, r.x_clean, 1.5, m=50_000, seed=7) for k, h in r.denoisers().items()}
    assert loss["eMMSE"] <= loss["online"] <= 1.01 * loss["eMMSE"]
    assert np.max(np.abs(r.online.denoise(g) - r.emmse(g))) < 0.2


def test_train_low_noise_tiny_and_rows():
    res = recipes.train_low_noise(TINY_LOW)
    assert [(r.mode, r.lam) for r in res.runs] == [("online", 1e-3), ("offline", 1e-3), ("interpolate", 0.0)]
    Y, T = res.samples
    np.testing.assert_allclose(res.hull_target(Y), T, atol=1e-12)
    # offline target is the hull interpolant; online target is f* at the online radius
    label, target, r_sigma = recipes.low_noise_target(res, res.runs[1])
    assert target is res.hull_target and label == "sample hulls"
    label, target, r_sigma = recipes.low_noise_target(res, res.runs[0])
    rho = mnd.radius.online_radius(res.x_clean, 0.3, 1e-3)
    assert r_sigma == pytest.approx(rho / 0.3)
    assert target.representation_cost() == pytest.approx(mnd.univariate_cost(res.x_clean, rho))
    # a network that *is* the target has zero error and cost ratio 1
    for run in res.runs:
        run.net = ShallowDenoiser.from_ramps(recipes.low_noise_target(res, run)[1])
    rows = recipes.low_noise_rows(res)
    for row in rows:
        assert row["sup err"] < 1e-9 and row["ratio"] == pytest.approx(1.0, rel=1e-9)
        assert row["R(net)"] == pytest.approx(row["R(target)"], rel=1e-9)
    assert rows[0]["fitted rho/sigma"] == pytest.approx(rho / 0.3, abs=1e-3)
    assert rows[0]["rho/sigma"] == pytest.approx(rho / 0.3)
    assert rows[2]["lambda"] == "none"


def test_train_at_sigmas_tiny():
    x = np.array([-2.0, 0.0, 1.5])
    runs = recipes.train_at_sigmas(x, recipes.GeneralisationNetSettings(sigmas=(0.1, 0.5), width=8, steps=20, batch=4))
    assert sorted(runs) == [0.1, 0.5]
    assert all(r.mode == "online" and r.history.step[-1] == 20 for r in runs.values())


def test_train_functions_reject_wrong_settings():
    with pytest.raises(ValueError, match="Figure1Settings"):
        recipes.train_figure1(TINY_LOW)
    with pytest.raises(ValueError, match="LowNoiseSettings"):
        recipes.train_low_noise(TINY_FIG1)
    with pytest.raises(ValueError, match="GeneralisationNetSettings"):
        recipes.train_at_sigmas(np.zeros(3), TINY_FIG1)


