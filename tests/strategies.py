"""Hypothesis strategies shared by the tests: random univariate data sets with a valid rho."""

import numpy as np
from hypothesis import strategies as st


@st.composite
def univariate_problem(draw, max_points: int = 7):
    """Sorted distinct points with gaps in [0.3, 4] (random order returned) and rho < min gap / 2."""
    n = draw(st.integers(2, max_points))
    gaps = draw(st.lists(st.floats(0.3, 4.0), min_size=n - 1, max_size=n - 1))
    start = draw(st.floats(-5.0, 5.0))
    x = start + np.concatenate([[0.0], np.cumsum(gaps)])
    frac = draw(st.floats(0.02, 0.45))
    rho = frac * min(gaps)
    perm = draw(st.permutations(list(range(n))))
    return x[np.asarray(perm)], rho
