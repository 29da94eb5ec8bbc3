"""The paper's experimental settings, as plain data (Zeno et al., NeurIPS 2023).

Values the paper states are marked ``paper``; values it leaves open, which the book chose, are
in the ``ours`` entries. Chapters use these as the "paper" option of their own knobs; the
benchmarks use :data:`FIGURE1` as the baseline recipe.
"""

from __future__ import annotations

import os
from types import MappingProxyType
from typing import Mapping

#: Figure 1: univariate data, online and offline training beside eMMSE.
FIGURE1: Mapping[str, object] = MappingProxyType({
    # paper: four points equally spaced in [-5, 5], sigma = 1.5, weight decay 1e-5,
    # online 100K iterations, offline M = 9000 samples per point and 20K full-batch epochs
    "n_points": 4, "low": -5.0, "high": 5.0, "sigma": 1.5, "lam": 1e-5,
    "online_steps": 100_000, "offline_M": 9000, "offline_steps": 20_000,
    # ours (not given in the sources available to the book): width, Adam learning rate, batch
    "width": 256, "lr": 1e-3, "online_batch": 128,
})

#: Figure 2: obtuse and equilateral triangles, offline training.
FIGURE2: Mapping[str, object] = MappingProxyType({
    # paper: weight decay 1e-5, M = 100 noisy samples per point, offline (full batch)
    "lam": 1e-5, "M": 100,
    # ours: noise level (so that the farthest sample lies about rho = 0.2 away), width, Adam
    # learning rate, initial scale, steps
    "sigma": 0.06, "rho": 0.2, "width": 64, "lr": 1e-2, "init_scale": 0.3, "steps": 40_000,
})

#: The environment variable that asks the chapters for the paper's (long) settings.
ENV_FLAG = "MND_PAPER_SETTINGS"


def use_paper_settings(env: Mapping[str, str] | None = None) -> bool:
    """True if ``MND_PAPER_SETTINGS`` is ``1``/``true``/``yes``; False if unset, empty or
    ``0``/``false``/``no``; any other value raises ``ValueError``."""
    env = os.environ if env is None else env
    value = str(env.get(ENV_FLAG, "")).strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValueError(f"{ENV_FLAG} must be 0 or 1 (or true/false, yes/no), got {value!r}")
