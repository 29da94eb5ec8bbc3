"""Sphinx extension: execute the book's notebooks side by side before the build reads them.

myst-nb's ``execute_notebooks: cache`` runs one notebook at a time, each in a kernel whose torch
uses one thread, so a 2-core machine idles half the time. At ``builder-inited`` this extension
finds every MyST notebook of the project that the jupyter-cache does not hold yet (matched the way
myst-nb matches: its own reader, the code cells' hash), executes them in ``mnd_execution_workers``
processes at once (default: one per core), longest source first, and adds each executed notebook
to the cache. myst-nb then reads them from the cache. A notebook that fails is left out of the
cache, so myst-nb executes it again and reports the error with its traceback as usual.

Only active when the execution mode is ``cache``; ``mnd_execution_workers = 1`` turns it off.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)


def _execute(path: str, nb_json: str, timeout: int | None,
             allow_errors: bool) -> tuple[str, str | None, float, str | None]:
    """Run in a worker process: execute one notebook in its own folder, as myst-nb does; returns
    (path, executed notebook as JSON or None, seconds, error text or None)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = nbformat.reads(nb_json, as_version=4)
    result = single_nb_execution(nb, cwd=str(Path(path).parent), timeout=timeout, allow_errors=allow_errors,
                                 meta_override=True)
    if result.err is not None:
        return path, None, result.time, result.exc_string or repr(result.err)
    return path, nbformat.writes(nb), result.time, None


def _pending(app: Sphinx, cache) -> list[tuple[Path, object]]:
    """(path, notebook) of every MyST notebook in the project with no match in ``cache``."""
    from myst_nb.core.read import create_nb_reader

    pending = []
    for docname in sorted(app.project.discover(app.config.exclude_patterns, app.config.include_patterns)):
        path = Path(app.project.doc2path(docname, absolute=True))
        if path.suffix != ".md":
            continue
        content = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), app.env.myst_config, app.env.mystnb_config, content)
        if reader is None:
            continue
        nb = reader.read(content)
        try:
            cache.match_cache_notebook(nb)
        except KeyError:
            pending.append((path, nb))
    return pending


def execute_pending(app: Sphinx) -> None:
    """The ``builder-inited`` hook (after myst-nb's, which sets the cache path)."""
    nb_config = app.env.mystnb_config
    workers = app.config.mnd_execution_workers or os.cpu_count() or 1
    if nb_config.execution_mode != "cache" or workers < 2:
        return
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(nb_config.execution_cache_path)
    pending = _pending(app, cache)
    if len(pending) < 2:
        return
    pending.sort(key=lambda item: item[0].stat().st_size, reverse=True)  # long chapters first
    workers = min(workers, len(pending))
    LOGGER.info(f"executing {len(pending)} notebooks, {workers} at a time")
    t0 = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        jobs = [pool.submit(_execute, str(path), nbformat.writes(nb), nb_config.execution_timeout,
                            nb_config.execution_allow_errors) for path, nb in pending]
        for job in as_completed(jobs):
            path, nb_json, seconds, error = job.result()
            name = os.path.relpath(path, app.srcdir)
            if error is not None:
                LOGGER.info(f"{name}: failed after {seconds:.1f} s; the build executes it again")
                continue
            cache.cache_notebook_bundle(
                CacheBundleIn(nbformat.reads(nb_json, as_version=4), path, data={"execution_seconds": seconds}),
                check_validity=False, overwrite=True)
            LOGGER.info(f"{name}: executed in {seconds:.1f} s")
    LOGGER.info(f"parallel execution: {time.perf_counter() - t0:.1f} s")


def setup(app: Sphinx) -> dict:
    app.add_config_value("mnd_execution_workers", 0, "env", [int])
    app.connect("builder-inited", execute_pending, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
