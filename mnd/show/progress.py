"""Progress bars for long loops: shown to people running a notebook, off in a book build.

``progress=None`` (the default of every long-running function in ``mnd``) means: show a bar
unless the environment variable ``MND_PROGRESS`` is ``0``. The book build sets ``MND_PROGRESS=0``,
so built pages carry no progress-bar widgets; ``progress=True``/``False`` always wins.
"""

from __future__ import annotations

import os

from tqdm.auto import tqdm

ENV_FLAG = "MND_PROGRESS"


def progress_enabled(progress: bool | None) -> bool:
    """``progress`` if it is a bool; for ``None``, True unless ``$MND_PROGRESS`` is ``0``."""
    if progress is None:
        return os.environ.get(ENV_FLAG, "1").strip() not in ("0", "false", "no", "off")
    if not isinstance(progress, (bool, int)):
        raise TypeError(f"progress must be True, False or None, got {type(progress).__name__}")
    return bool(progress)


def progress_bar(total: int | None = None, desc: str = "", progress: bool | None = None,
                 iterable=None, leave: bool = True) -> tqdm:
    """A ``tqdm.auto`` bar over ``iterable`` (or ``total`` steps), disabled per :func:`progress_enabled`."""
    return tqdm(iterable, total=total, desc=desc, disable=not progress_enabled(progress),
                mininterval=0.5, leave=leave)
