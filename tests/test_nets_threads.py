"""mnd.nets.threads: one torch thread by default for training and evaluation, the caller's count
restored afterwards, a per-call and a per-session choice."""

import numpy as np
import pytest
import torch

from mnd.nets import ShallowDenoiser, train
from mnd.nets.threads import default_threads, torch_threads


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def _threads_seen_in_training(**kw) -> set[int]:
    seen = set()
    net = ShallowDenoiser(1, 8, x_clean=np.array([-1.0, 1.0]), seed=0)
    train(net, np.array([-1.0, 1.0]), 0.1, mode="online", lam=1e-4, steps=6, batch=8, log_every=1,
          progress=False, callback=lambda step, n, h: seen.add(torch.get_num_threads()) and False, **kw)
    return seen


def test_training_uses_one_thread_and_restores_the_callers(two_threads, monkeypatch):
    monkeypatch.delenv("MND_TORCH_THREADS", raising=False)
    assert _threads_seen_in_training() == {1}
    assert torch.get_num_threads() == 2
    assert _threads_seen_in_training(threads=2) == {2}


def test_session_choice_by_environment(two_threads, monkeypatch):
    monkeypatch.setenv("MND_TORCH_THREADS", "2")
    assert default_threads() == 2 and _threads_seen_in_training() == {2}
    monkeypatch.setenv("MND_TORCH_THREADS", "many")
    with pytest.raises(ValueError, match="MND_TORCH_THREADS"):
        default_threads()


def test_evaluation_on_the_policy_and_restored_after_an_error(two_threads, monkeypatch):
    monkeypatch.delenv("MND_TORCH_THREADS", raising=False)
    net = ShallowDenoiser(2, 4, seed=0)
    net.denoise(np.zeros((3, 2)))
    assert torch.get_num_threads() == 2
    with pytest.raises(RuntimeError, match="boom"):
        with torch_threads(1):
            assert torch.get_num_threads() == 1
            raise RuntimeError("boom")
    assert torch.get_num_threads() == 2
    with pytest.raises(ValueError, match="threads"):
        with torch_threads(0):
            pass


@pytest.mark.parametrize("mode", ["online", "offline", "interpolate"])
def test_dtype_and_device_are_followed(mode):
    """A float32 network on an explicit device trains in float32 on that device (data follow the
    network) and lands near the float64 run; evaluation returns numpy on the CPU."""
    x = np.array([-2.0, 0.0, 2.0])
    runs = {}
    for dtype in (torch.float64, torch.float32):
        net = ShallowDenoiser(1, 16, x_clean=x, seed=0, dtype=dtype, device="cpu")
        kw = dict(rho=0.3, steps=4, M=8) if mode == "interpolate" else dict(steps=300, lr=1e-2, batch=16)
        train(net, x, 0.3 if mode != "interpolate" else None, mode=mode, lam=1e-3, seed=1,
              progress=False, **kw)
        assert net.W.dtype == dtype and net.W.device.type == "cpu"
        out = net.denoise(np.linspace(-3, 3, 7))
        assert isinstance(out, np.ndarray) and np.all(np.isfinite(out))
        runs[dtype] = out
    assert np.abs(runs[torch.float32] - runs[torch.float64]).max() < 0.1
    assert "device=cpu" in repr(ShallowDenoiser(1, 2, device="cpu"))
