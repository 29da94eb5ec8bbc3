import numpy as np
import pytest
import torch
from hypothesis import given

import mnd
from mnd.nets import ShallowDenoiser
from mnd.ramps import RampSum

from strategies import univariate_problem


@given(univariate_problem())
def test_from_ramps_is_the_same_function_and_cost_1d(problem):
    x, rho = problem
    f = mnd.univariate(x, rho)
    net = ShallowDenoiser.from_ramps(f)
    y = np.linspace(x.min() - 3, x.max() + 3, 2001)
    assert np.max(np.abs(net.denoise(y) - f(y))) < 1e-10
    assert net.representation_cost() == pytest.approx(f.representation_cost(), rel=1e-12)
    # units are balanced: the weight-decay penalty equals the representation cost
    assert net.penalty().item() == pytest.approx(f.representation_cost(), rel=1e-12)


def test_from_ramps_multivariate(rng):
    d, J = 3, 5
    s = rng.uniform(-1, 1, J)
    rs = RampSum(rng.standard_normal(d), rng.standard_normal((J, d)), rng.standard_normal((J, d)),
                 s, s + rng.uniform(0.2, 1.0, J))
    net = ShallowDenoiser.from_ramps(rs)
    y = rng.standard_normal((500, d)) * 3
    assert np.max(np.abs(net.denoise(y) - rs(y))) < 1e-10
    assert net.representation_cost() == pytest.approx(rs.representation_cost(), rel=1e-12)


def test_balance_keeps_function_and_reaches_cost(rng):
    net = ShallowDenoiser(2, 16, x_clean=rng.standard_normal((4, 2)), seed=3)
    with torch.no_grad():
        net.A.mul_(torch.linspace(0.1, 10, 16, dtype=net.A.dtype))
    y = rng.standard_normal((100, 2))
    before, R = net.denoise(y), net.representation_cost()
    C_before = net.penalty().item()
    net.balance_()
    np.testing.assert_allclose(net.denoise(y), before, atol=1e-12)
    assert net.representation_cost() == pytest.approx(R, rel=1e-12)
    assert net.penalty().item() == pytest.approx(R, rel=1e-12) and C_before > R * 1.01
    np.testing.assert_allclose(net.A.detach().norm(dim=0), net.W.detach().norm(dim=1), rtol=1e-12)


def test_forward_is_the_formula(rng):
    net = ShallowDenoiser(2, 5, seed=0)
    with torch.no_grad():
        net.V.copy_(torch.tensor([[0.5, 0.1], [0.0, 2.0]]))
        net.c.copy_(torch.tensor([1.0, -1.0]))
    w = net.numpy_weights()
    y = rng.standard_normal((7, 2))
    expected = np.maximum(y @ w["W"].T + w["b"], 0) @ w["A"].T + y @ w["V"].T + w["c"]
    np.testing.assert_allclose(net.denoise(y), expected, atol=1e-12)


def test_active_units():
    rs = RampSum([0.0], [[1.0]], [[1.0]], [0.0], [1.0])
    net = ShallowDenoiser.from_ramps(rs)
    assert list(net.active_units()) == [0, 1]


@pytest.mark.parametrize("d, width", [(0, 3), (2, 0), (1.5, 3), (True, 3)])
def test_invalid_sizes(d, width):
    with pytest.raises(ValueError):
        ShallowDenoiser(d, width)
