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
    w = vars(net.to_relu_net())
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


# ----------------------------------------------------------------------------- ReluNet round trips

def _random_ramps(rng, d, J):
    s = rng.uniform(-1, 1, J)
    return RampSum(rng.standard_normal(d), rng.standard_normal((J, d)), rng.standard_normal((J, d)),
                   s, s + rng.uniform(0.2, 1.0, J))


@pytest.mark.parametrize("d", [1, 2, 5])
def test_rampsum_relunet_torch_round_trip_to_1e12(rng, d):
    """RampSum -> ReluNet -> ShallowDenoiser -> ReluNet: same function and cost to 1e-12."""
    rs = _random_ramps(rng, d, 7)
    net = rs.to_relu_net()
    torch_net = ShallowDenoiser.from_relu_net(net)
    back = torch_net.to_relu_net()
    y = rng.standard_normal((400, d)) * 3
    ref = rs(y)
    for f in (net, torch_net.denoise, back):
        assert np.max(np.abs(f(y) - ref)) < 1e-12
    R = rs.representation_cost()
    for g in (net, torch_net, back):
        assert abs(g.representation_cost() - R) < 1e-12 * max(1.0, R)
    for name in ("W", "b", "A", "V", "c"):
        np.testing.assert_array_equal(getattr(back, name), getattr(net, name))


def test_trained_network_round_trips_through_relunet(rng):
    """A network with a non-zero skip (V, c) and unbalanced units survives the round trip exactly."""
    t = ShallowDenoiser(3, 11, x_clean=rng.standard_normal((4, 3)), seed=2)
    with torch.no_grad():
        t.V.copy_(torch.as_tensor(rng.standard_normal((3, 3))))
        t.c.copy_(torch.as_tensor(rng.standard_normal(3)))
        t.A.mul_(torch.linspace(0.1, 5, 11, dtype=t.A.dtype))
    net = t.to_relu_net()
    t2 = ShallowDenoiser.from_relu_net(net)
    y = rng.standard_normal((300, 3))
    np.testing.assert_array_equal(t2.denoise(y), t.denoise(y))
    assert net.representation_cost() == pytest.approx(t.representation_cost(), rel=1e-14)
    assert net.penalty() == pytest.approx(t.penalty().item(), rel=1e-14)
    # balancing in numpy and in torch agree, and keep the function
    t.balance_()
    nb = net.balanced()
    np.testing.assert_allclose(nb.W, t.to_relu_net().W, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(nb(y), net(y), atol=1e-12)
    assert nb.penalty() == pytest.approx(nb.representation_cost(), rel=1e-13)


def test_denoise_refuses_wrong_dimension_and_dtype():
    net = ShallowDenoiser(2, 4, seed=0)
    with pytest.raises(ValueError, match=r"shape \(n, 2\).*got shape \(3, 3\)"):
        net.denoise(np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"shape \(n, 2\).*got shape \(6,\)"):
        net.denoise(np.zeros(6))  # no silent reshape into three points
    with pytest.raises(TypeError, match="dtype"):
        net(torch.zeros(2, 2, dtype=torch.float32))
    with pytest.raises(ValueError, match=r"x_clean must have shape \(N, 2\)"):
        ShallowDenoiser(2, 4, x_clean=np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"N >= 1"):
        ShallowDenoiser(2, 4, x_clean=np.zeros((0, 2)))
