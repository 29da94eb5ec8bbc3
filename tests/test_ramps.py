import numpy as np
import pytest

from mnd.ramps import RampSum


def random_ramps(rng, d=2, J=4):
    u = rng.standard_normal((J, d))
    s = rng.uniform(-1, 1, J)
    return RampSum(rng.standard_normal(d), u, rng.standard_normal((J, d)), s, s + rng.uniform(0.1, 2, J))


def test_evaluation_matches_definition(rng):
    rs = random_ramps(rng)
    y = rng.standard_normal((50, 2)) * 2
    expected = rs.c.copy()[None, :].repeat(50, 0)
    for j in range(rs.n_ramps):
        t = (y @ rs.directions[j] - rs.starts[j]) / (rs.ends[j] - rs.starts[j])
        expected += np.minimum(np.maximum(t, 0), 1)[:, None] * rs.outputs[j]
    np.testing.assert_allclose(rs(y), expected, atol=1e-12)


def test_non_unit_directions_are_normalised_without_changing_the_function():
    a = RampSum([0.0, 0.0], [[2.0, 0.0]], [[1.0, 1.0]], [2.0], [4.0])  # clip((2 y1 - 2)/2) = clip(y1 - 1)
    y = np.array([[0.5, 0.0], [1.5, 3.0], [3.0, -1.0]])
    np.testing.assert_allclose(a(y), [[0, 0], [0.5, 0.5], [1, 1]])
    np.testing.assert_allclose(np.linalg.norm(a.directions, axis=1), 1.0)


def test_cost_is_twice_sum_of_slopes():
    rs = RampSum([0.0], [[1.0]], [[3.0]], [0.0], [2.0])
    assert rs.representation_cost() == pytest.approx(3.0)  # 2 * 3 / 2


def test_cost_equals_total_variation_of_derivative_in_1d(rng):
    # R(f) = int |f''| in 1D: measure the slope jumps of the evaluated function independently.
    x = np.sort(rng.uniform(-3, 3, 5))
    rs = RampSum([x[0]], np.ones((4, 1)), np.diff(x)[:, None], x[:-1] + 0.01, x[1:] - 0.01)
    grid = np.linspace(-5, 5, 200_001)
    slopes = np.diff(rs(grid)) / np.diff(grid)
    assert np.abs(np.diff(slopes)).sum() == pytest.approx(rs.representation_cost(), rel=1e-6)


def test_scalar_shapes():
    """d = 1: the output follows the input's convention, (n,) -> (n,) and (n, 1) -> (n, 1)."""
    rs = RampSum(0.0, [[1.0]], [[1.0]], [0.0], [1.0])
    assert rs(np.array([0.5, 2.0])).shape == (2,)
    np.testing.assert_array_equal(rs(np.array([[0.5], [2.0]]))[:, 0], rs(np.array([0.5, 2.0])))
    with pytest.raises(ValueError, match=r"shape \(n, 1\) or \(n,\).*got shape \(3, 2\)"):
        rs(np.zeros((3, 2)))


def test_transposed_directions_are_refused():
    """(d, J) directions for d != J would evaluate another function: refuse, naming the shapes."""
    with pytest.raises(ValueError, match=r"directions must have shape \(J, d\) = \(J, 3\).*\(3, 2\)"):
        RampSum(np.zeros(3), np.ones((3, 2)), np.ones((2, 3)), [0.0, 0.0], [1.0, 1.0])


def test_evaluation_in_chunks_matches_one_block():
    rng = np.random.default_rng(0)
    rs = RampSum(np.zeros(2), rng.normal(size=(3000, 2)), rng.normal(size=(3000, 2)),
                 np.zeros(3000), np.ones(3000))
    Y = rng.normal(size=(2000, 2))  # 2000 x 3000 > one chunk of 2^22 / 3000 = 1398 rows
    direct = rs.c + rs.ramp_values(Y) @ rs.outputs
    np.testing.assert_allclose(rs(Y), direct, rtol=1e-12, atol=1e-12)


def test_vector_shapes():
    rs = RampSum([0.0, 0.0], [[1.0, 0.0]], [[1.0, 0.0]], [0.0], [1.0])
    assert rs(np.zeros((3, 2))).shape == (3, 2)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        rs(np.zeros(3))


def test_bend_hyperplanes_are_where_the_function_bends():
    rs = RampSum([0.0, 0.0], [[0.6, 0.8]], [[1.0, 0.0]], [0.5], [1.5])
    bh = rs.bend_hyperplanes()
    assert bh.normals.shape == (2, 2) and set(bh.kind) == {"start", "end"}
    for n, o in zip(bh.normals, bh.offsets):
        # Along the normal through the hyperplane, the slope changes.
        t = np.array([o - 1e-3, o, o + 1e-3])
        vals = rs(t[:, None] * n[None, :])[:, 0]
        assert abs((vals[2] - vals[1]) - (vals[1] - vals[0])) > 1e-4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(starts=[1.0], ends=[1.0]), "start < end"),
        (dict(starts=[0.0, 1.0], ends=[1.0, 2.0]), "inconsistent ramp counts"),
        (dict(directions=[[0.0]]), "non-zero"),
        (dict(outputs=[[np.nan]]), "non-finite"),
        (dict(c=[[0.0, 1.0]]), "c must be a vector"),
    ],
)
def test_invalid_ramps_raise(kwargs, message):
    args = dict(c=[0.0], directions=[[1.0]], outputs=[[1.0]], starts=[0.0], ends=[1.0]) | kwargs
    with pytest.raises(ValueError, match=message):
        RampSum(**args)


def test_non_numeric_raises_type_error():
    with pytest.raises(TypeError):
        RampSum("a", [[1.0]], [[1.0]], [0.0], [1.0])


def test_non_finite_input_to_call_raises():
    rs = RampSum(0.0, [[1.0]], [[1.0]], [0.0], [1.0])
    with pytest.raises(ValueError, match="non-finite"):
        rs(np.array([np.inf]))
