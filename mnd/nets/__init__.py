"""Everything torch: the trainable network and its training.

- :class:`ShallowDenoiser` (:mod:`.network`): ``h(y) = A relu(W y + b) + V y + c``, convertible
  to and from :class:`mnd.ReluNet` exactly.
- :func:`train` (:mod:`.train`): the one training entry point (online, offline by Adam or
  L-BFGS, interpolation by an augmented Lagrangian, exact expected loss).
- :mod:`.gaussian`: differentiable Gaussian ReLU moments (the torch twin of :mod:`mnd.gaussian`).
"""

from . import gaussian
from .network import ShallowDenoiser
from .train import MODES, History, train

__all__ = ["History", "MODES", "ShallowDenoiser", "gaussian", "train"]
