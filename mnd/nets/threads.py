"""Thread policy for small networks: one intra-op torch thread by default, restored afterwards.

Networks of tens to thousands of units train fastest on one thread; two threads on two shared
cores oversubscribe and every step waits (measured 13-19x slower while another process ran).
``train`` and ``ShallowDenoiser.denoise`` run inside :func:`torch_threads`, which sets torch's
thread count for the call only and restores the caller's afterwards. Choose per call with
``threads=`` or for a session with the environment variable ``MND_TORCH_THREADS``.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

import torch

from .._checks import positive_int

ENV_FLAG = "MND_TORCH_THREADS"
DEFAULT_THREADS = 1


def default_threads() -> int:
    """``$MND_TORCH_THREADS`` if set (a positive integer), else :data:`DEFAULT_THREADS` (1)."""
    value = os.environ.get(ENV_FLAG, "").strip()
    if not value:
        return DEFAULT_THREADS
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"{ENV_FLAG} must be a positive integer, got {value!r}") from None
    return positive_int(n, ENV_FLAG)


@contextmanager
def torch_threads(threads: int | None = None) -> Iterator[int]:
    """Run the block with ``threads`` intra-op torch threads (``None``: :func:`default_threads`),
    then restore the caller's count. Yields the count used."""
    n = default_threads() if threads is None else positive_int(threads, "threads")
    before = torch.get_num_threads()
    if n != before:
        torch.set_num_threads(n)
    try:
        yield n
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
