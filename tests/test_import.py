import subprocess
import sys


def test_import_mnd_does_not_import_torch():
    code = "import sys, mnd, mnd.data, mnd.metrics, mnd.optimal, mnd.plotting, mnd.widgets; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_api():
    import mnd

    for name in ("RampSum", "univariate", "emmse", "univariate_intervals"):
        assert hasattr(mnd, name)
