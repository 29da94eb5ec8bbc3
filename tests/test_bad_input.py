"""Bad input never gives a silent wrong answer: a generated sweep over every public function
(tests/badinput.py), random bad arrays from hypothesis, and one regression test per case that
the reliability review found."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mnd
from badinput import X1, X2, all_specs, classify, mutations

SPECS = all_specs()
CASES = [(spec, arg, label, value) for spec in SPECS for arg, label, value in mutations(spec)]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_valid_call_works(spec):
    """Each mutation starts from a call that succeeds, so an error can only come from the mutation
    (a one-round interpolation may warn that it stopped short; that is not an error)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spec.fn(**spec.kwargs)


def test_the_sweep_is_large():
    assert len(SPECS) >= 70 and len(CASES) >= 1300


@pytest.mark.parametrize("spec, arg, label, value", CASES,
                         ids=[f"{c[0].name}-{c[1]}-{c[2]}" for c in CASES])
def test_every_mutation_raises_an_error_naming_its_argument(spec, arg, label, value):
    outcome, detail = classify(spec, arg, value)
    assert outcome == "clear", f"{outcome}: {spec.name}({arg} = {label}): {detail}"


ARRAY_CASES = [(spec, arg) for spec in SPECS for arg, kind in spec.kinds.items()
               if kind in ("points", "points_d", "queries")]


@given(st.sampled_from(ARRAY_CASES), st.data())
def test_random_bad_arrays(case, data):
    """Take a valid array argument, put NaN, inf or a complex part at a random place, or give it
    a random wrong rank: the function refuses it, naming the argument."""
    spec, arg = case
    v = np.array(spec.kwargs[arg], dtype=float)
    how = data.draw(st.sampled_from(["nan", "inf", "-inf", "complex", "rank"]))
    if how == "rank":
        v = v.reshape((1,) * data.draw(st.integers(2, 3)) + v.shape)
    elif v.size:
        i = data.draw(st.integers(0, v.size - 1))
        if how == "complex":
            v = v.astype(complex)
            v.flat[i] += 1j * data.draw(st.floats(1e-300, 1e300))
        else:
            v.flat[i] = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}[how]
    else:
        v = np.array([np.nan])
    outcome, detail = classify(spec, arg, v)
    assert outcome == "clear", f"{outcome}: {spec.name}({arg} = {how}): {detail}"


# ----------------------------------------------------------------------------- the review's cases

def test_sup_and_rms_error_refuse_to_broadcast_mismatched_shapes():
    """A RampSum of (N, 1) data returns (n, 1), an eMMSE of (N,) data returns (n,): the distance
    is taken per point (0.74 and 0.50 here), not over an n x n broadcast (11.6 and 10.1)."""
    x = np.array([-3.0, 0.0, 2.0])
    f = mnd.univariate(x[:, None], 0.3)
    g = mnd.emmse(x, 1.0)
    y = np.linspace(-5, 5, 101)
    direct = np.abs(f(y[:, None])[:, 0] - g(y))
    assert mnd.metrics.sup_error(f, g, y) == pytest.approx(direct.max(), rel=1e-12)
    assert mnd.metrics.rms_error(f, g, y[:, None]) == pytest.approx(np.sqrt(np.mean(direct**2)), rel=1e-12)
    with pytest.raises(ValueError, match=r"returned shape \(101, 2\) for points of shape \(101,\)"):
        mnd.metrics.sup_error(lambda p: np.zeros((len(p), 2)), g, y)


def test_interpolation_error_of_an_exact_interpolant_with_column_output_is_zero():
    x = np.array([-2.0, 0.0, 3.0])
    f = mnd.univariate(x, 0.3)
    assert mnd.metrics.interpolation_error(lambda y: f(np.reshape(y, (-1, 1))), x, 0.3) < 1e-12


def test_transposed_directions_and_wrong_query_dimension_are_refused():
    with pytest.raises(ValueError, match=r"directions must have shape \(J, d\) = \(J, 3\)"):
        mnd.RampSum(np.zeros(3), np.ones((3, 2)), np.ones((2, 3)), [0.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"y must have shape \(n, 2\).*\(3, 3\)"):
        mnd.metrics.nearest_clean(X2, np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"y must have shape \(n, 2\).*\(6,\)"):
        mnd.metrics.nearest_clean(X2, np.zeros(6))


def test_nearest_clean_is_a_tree_query():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(500, 3)), rng.normal(size=(2000, 3))
    brute = X[np.argmin(((Y[:, None] - X[None]) ** 2).sum(-1), axis=1)]
    np.testing.assert_array_equal(mnd.metrics.nearest_clean(X, Y), brute)


def test_parameters_out_of_range():
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        mnd.data.sphere_directions(3, k=-1)
    with pytest.raises(ValueError, match="d must be an integer >= 1"):
        mnd.data.sphere_directions(0, k=3)
    net = mnd.univariate(X1, 0.2).to_relu_net()
    with pytest.raises(ValueError, match=r"rel_tol must be in \[0, 1\)"):
        net.active(float("nan"))
    al = mnd.alignment.unit_alignment(mnd.rays(np.array([[0, 0], [1, 0], [0, 1.0]]), 0.2),
                                      np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert al.cost_per_direction().shape == (2,)  # one entry per direction, never a guess of J


def test_certify_dual_refuses_a_nan_multiplier():
    X = np.array([[0.0, 0.0], [1.3, 0.0], [-0.65, 1.126]])
    Y, T = mnd.certify.tangent_points(X, 0.2)
    Lam = np.zeros_like(Y)
    Lam[0, 0] = np.nan
    with pytest.raises(ValueError, match="Lam"):
        mnd.certify.certify_dual(X, 0.2, Y, T, Lam)


def test_lp_solution_of_a_scalar_is_refused():
    with pytest.raises(ValueError, match="x must have shape"):
        mnd.certify.univariate_lp(1.0, 0.2)


def test_univariate_cost_far_from_the_origin_and_over_huge_spreads():
    """Points at 1e16 (ramp ends not representable): the cost comes from the gaps, 4 not 2;
    data over 1e200 with finite gaps: finite cost; gaps that overflow: a clear error."""
    assert mnd.univariate_cost([1e16, 1e16 + 2], 0.5) == 4.0
    assert mnd.univariate_cost([0.0, 1e200, 2e200], 0.5) == pytest.approx(4.0)
    assert mnd.univariate([0.0, 1e200, 2e200], 0.5).representation_cost() == pytest.approx(4.0)
    with pytest.raises(ValueError, match="gaps between points overflow"):
        mnd.univariate_cost([-1e308, 1e308], 0.5)


def test_complex_input_is_refused_not_truncated():
    with pytest.raises(TypeError, match="x must be real"):
        mnd.univariate(np.array([0.0, 1.0 + 1e-3j, 3.0]), 0.2)
