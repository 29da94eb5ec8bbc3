"""mnd.ReluNet: the numpy network. Evaluation against the formula, costs, balancing, active units,
bend hyperplanes, shape checks, and bounded-memory evaluation."""

import numpy as np
import pytest

import mnd


@pytest.fixture
def net(rng):
    return mnd.ReluNet(rng.normal(size=(7, 3)), rng.normal(size=7), rng.normal(size=(3, 7)),
                       rng.normal(size=(3, 3)), rng.normal(size=3))


def test_call_is_the_formula(net, rng):
    y = rng.normal(size=(50, 3))
    expected = np.maximum(y @ net.W.T + net.b, 0) @ net.A.T + y @ net.V.T + net.c
    np.testing.assert_allclose(net(y), expected, rtol=1e-14, atol=1e-14)
    assert (net.d, net.width) == (3, 7)


def test_chunked_evaluation_equals_one_block(rng):
    W = rng.normal(size=(3000, 2))
    net = mnd.ReluNet(W, rng.normal(size=3000), rng.normal(size=(2, 3000)))
    y = rng.normal(size=(2000, 2))  # 2000 x 3000 is more than one chunk of 2^22 / 3000 rows
    np.testing.assert_allclose(net(y), np.maximum(y @ W.T + net.b, 0) @ net.A.T, rtol=1e-12, atol=1e-12)


def test_costs_and_balancing(net, rng):
    uc = np.linalg.norm(net.A, axis=0) * np.linalg.norm(net.W, axis=1)
    np.testing.assert_allclose(net.unit_costs(), uc, rtol=1e-14)
    assert net.representation_cost() == pytest.approx(uc.sum(), rel=1e-14)
    assert net.penalty() >= net.representation_cost()  # AM-GM, unit by unit
    nb = net.balanced()
    y = rng.normal(size=(40, 3))
    np.testing.assert_allclose(nb(y), net(y), atol=1e-12)
    assert nb.penalty() == pytest.approx(net.representation_cost(), rel=1e-13)
    np.testing.assert_allclose(np.linalg.norm(nb.A, axis=0), np.linalg.norm(nb.W, axis=1), rtol=1e-13)


def test_costs_do_not_overflow():
    net = mnd.ReluNet(np.array([[3e200, 4e200]]), np.zeros(1), np.array([[1e-100], [0.0]]))
    assert net.unit_costs()[0] == pytest.approx(5e100)


def test_active_units_and_sub_network():
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    A = np.array([[2.0, 1.0, 1e-5], [0.0, 0.0, 0.0]])
    net = mnd.ReluNet(W, np.zeros(3), A)
    np.testing.assert_array_equal(net.active(1e-2), [0, 1])
    np.testing.assert_array_equal(net.active(0.0), [0, 1, 2])
    sub = net.units(net.active(1e-2))
    assert sub.width == 2 and sub.representation_cost() == pytest.approx(3.0)
    with pytest.raises(ValueError, match=r"rel_tol must be in \[0, 1\)"):
        net.active(1.0)


def test_bend_hyperplanes_are_where_units_switch(net):
    bh = net.bend_hyperplanes()
    np.testing.assert_allclose(np.linalg.norm(bh.normals, axis=1), 1.0)
    for k, n, o in zip(bh.unit, bh.normals, bh.offsets):
        y = o * n  # a point on the hyperplane of unit k
        assert net.W[k] @ y + net.b[k] == pytest.approx(0.0, abs=1e-10)


def test_flat_input_for_one_dimension():
    net = mnd.univariate([0.0, 2.0], 0.3).to_relu_net()
    assert net(np.array([0.1, 1.0])).shape == (2,) and net(np.array([[0.1], [1.0]])).shape == (2, 1)


@pytest.mark.parametrize("kwargs, message", [
    (dict(W=np.ones(3)), r"W must have shape \(K, d\)"),
    (dict(b=np.ones(2)), r"b must have shape \(3,\)"),
    (dict(A=np.ones((3, 2))), r"A must have shape \(2, 3\)"),
    (dict(V=np.eye(3)), r"V must have shape \(2, 2\)"),
    (dict(c=np.zeros(3)), r"c must have shape \(2,\)"),
    (dict(W=np.full((3, 2), np.nan)), "W contains non-finite"),
    (dict(A=np.ones((2, 3)) + 1j), "A must be real"),
])
def test_constructor_errors(kwargs, message):
    args = dict(W=np.ones((3, 2)), b=np.zeros(3), A=np.ones((2, 3))) | kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        mnd.ReluNet(**args)


def test_as_relu_net():
    r = mnd.univariate([0.0, 2.0], 0.3)
    assert isinstance(mnd.as_relu_net(r), mnd.ReluNet)
    net = r.to_relu_net()
    assert mnd.as_relu_net(net) is net and net.to_relu_net() is net
    with pytest.raises(TypeError, match="net must be a network"):
        mnd.as_relu_net(np.ones((2, 2)))
