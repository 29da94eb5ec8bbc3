"""The package face: lazy submodules, no torch on import, no function shadowing its module."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import mnd

ROOT = Path(mnd.__file__).parent


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_lazy_submodules_without_torch():
    """The issue's check: `import mnd` then attribute access loads submodules, and never torch."""
    code = ("import mnd, sys; mnd.metrics.sup_error, mnd.data, mnd.show, mnd.certify, mnd.alignment, "
            "mnd.noise_radius, mnd.gaussian, mnd.paper, mnd.mmse, mnd.closed_form; "
            "print('torch' in sys.modules)")
    assert _run(code) == "False"


def test_every_numpy_module_imports_without_torch():
    mods = [m.name for m in pkgutil.walk_packages([str(ROOT)], "mnd.") if not m.name.startswith("mnd.nets")]
    code = "import sys\n" + "".join(f"import {m}\n" for m in mods) + "print('torch' in sys.modules)"
    assert _run(code) == "False", f"one of {mods} imports torch"


def test_nets_is_where_torch_lives():
    assert _run("import sys; from mnd.nets import ShallowDenoiser, train; print('torch' in sys.modules)") == "True"


def test_no_function_shadows_its_module():
    import importlib
    import types

    for m in pkgutil.iter_modules([str(ROOT)]):
        value = getattr(mnd, m.name)
        assert isinstance(value, types.ModuleType), f"mnd.{m.name} is {type(value).__name__}, not the module"
        assert value is importlib.import_module(f"mnd.{m.name}")


def test_layout_is_at_most_fifteen_entries():
    entries = [p.name for p in ROOT.iterdir() if p.name != "__pycache__" and not p.name.endswith(".pyc")]
    assert len(entries) <= 15, sorted(entries)


def test_no_module_docstring_names_a_chapter():
    import re

    for path in ROOT.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"\bchapters?\s+\d|design notes|design README", text, re.I), path


def test_public_api():
    for name in ("RampSum", "ReluNet", "univariate", "emmse", "univariate_intervals", "min_cost_denoiser",
                 "rays", "subspace", "obtuse_simplex", "equilateral_simplex", "as_relu_net"):
        assert hasattr(mnd, name)
    assert "RampSum" in mnd.__doc__ and "ReluNet" in mnd.__doc__


def test_nets_names_are_the_functions_not_their_modules():
    """mnd.nets loads lazily (so mnd.paper = mnd.nets.paper stays torch-free); the function train
    must still win over the submodule of the same name, however it is reached."""
    code = ("import inspect, mnd; mnd.paper.FIGURE1\n"
            "from mnd.nets import ShallowDenoiser, train\n"
            "import mnd.nets as n\nimport mnd.nets.training\n"
            "print(inspect.isfunction(train), inspect.isfunction(n.train), inspect.isclass(n.History))")
    assert _run(code) == "True True True"
    assert _run("import sys, mnd; mnd.paper.FIGURE1; print('torch' in sys.modules)") == "False"
