import pkgutil
import subprocess
import sys

import mnd

#: Modules that are torch by design (networks, training and what builds on them).
TORCH_MODULES = {"nets", "train", "gaussian_torch", "recipes", "lbfgs_fit"}


def test_import_mnd_does_not_import_torch():
    numpy_only = sorted(m.name for m in pkgutil.iter_modules(mnd.__path__) if m.name not in TORCH_MODULES)
    code = "import sys, mnd\n" + "".join(f"import mnd.{m}\n" for m in numpy_only) + "print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", f"one of {numpy_only} imports torch"


def test_public_api():
    for name in ("RampSum", "univariate", "emmse", "univariate_intervals", "min_cost_denoiser", "rays",
                 "subspace", "obtuse_simplex", "equilateral_simplex"):
        assert hasattr(mnd, name)
