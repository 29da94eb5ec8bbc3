"""Independent min-cost solvers: they know nothing of the closed forms and check them.

- :func:`univariate_lp` (:mod:`.lp`): the 1D problem as a linear program over piecewise-linear
  functions on a grid.
- :func:`dictionary_min_cost` (:mod:`.conic`): ``d = 2, 3`` as a second-order cone program over a
  dictionary of ReLU units (:mod:`.dictionary`); it returns a :class:`~mnd.ReluNet`.
- :func:`certify_dual` (:mod:`.dual`): a lower bound on every interpolating network's cost.
"""

from .conic import DictionarySolution, dictionary_min_cost
from .dictionary import direction_grid, multitangent_directions, tangent_points, tangent_units
from .dual import certify_dual
from .lp import LPSolution, univariate_lp

__all__ = [
    "DictionarySolution", "LPSolution", "certify_dual", "dictionary_min_cost", "direction_grid",
    "multitangent_directions", "tangent_points", "tangent_units", "univariate_lp",
]
