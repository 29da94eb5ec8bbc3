"""ipywidgets builders that work on the static site and in a live kernel (site.md).

Static pattern: render a grid of frames at build time (PNG), put them as ``widgets.Image``
children of a ``widgets.Stack``, and ``jslink`` a slider to the stack's ``selected_index``. The
link lives in the browser, so the page responds with no kernel. Live-only widgets
(:func:`live_figure`) re-draw through Python callbacks and need a running kernel.
"""

from __future__ import annotations

import io
import json
import os
import time
from typing import Callable, Mapping, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt

from .plotting import DISPLAY_DPI, PIXEL_RATIO
from .progress import progress_bar


def _draw_cropped(fig: plt.Figure, dpi: int, pad_inches: float):
    """One Agg draw of ``fig`` at ``dpi``, cropped to its ink (the non-white pixels) plus
    ``pad_inches`` of white, as a PIL RGB image. None (not drawn) without constrained layout, which
    keeps titles, labels, tick labels and legends on the canvas; None (drawn) if the figure is not
    opaque or its ink touches the canvas edge (something may reach past it)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    from PIL import Image

    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        return None
    fig.set_dpi(dpi)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    if rgba[..., 3].min() < 255:
        return None
    ink = np.any(rgba[..., :3] != 255, axis=2)
    if ink[0].any() or ink[-1].any() or ink[:, 0].any() or ink[:, -1].any():
        return None
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        rows = cols = np.array([0])
    pad = int(round(pad_inches * dpi))
    crop = np.ascontiguousarray(rgba[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1, :3])
    image = Image.new("RGB", (crop.shape[1] + 2 * pad, crop.shape[0] + 2 * pad), "white")
    image.paste(Image.fromarray(crop, "RGB"), (pad, pad))
    return image


def _png_bytes(image, palette: bool) -> bytes:
    """PNG bytes of a PIL RGB image; ``palette``: 8-bit palette (256 colours, no dither)."""
    from PIL import Image

    out = io.BytesIO()
    if palette:
        image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def figure_to_png(fig: plt.Figure, dpi: int = DISPLAY_DPI * PIXEL_RATIO, palette: bool = True,
                  pad_inches: float = 0.1, close: bool = True) -> bytes:
    """Render a matplotlib figure to PNG bytes (by default at twice its displayed size) and close
    it (unless ``close=False``).

    A figure with constrained layout (the book's style) is drawn once with Agg at ``dpi`` and
    cropped to its ink (the non-white pixels) plus a white margin of ``pad_inches``: the picture
    ``savefig(bbox_inches="tight")`` writes, without its second draw. The layout keeps titles,
    labels, tick labels and legends on the canvas; free text placed past the canvas edge would be
    lost. Other figures, and any whose ink touches the canvas edge, are saved with
    ``bbox_inches="tight"``. ``palette=True`` stores it as an 8-bit palette PNG (256 colours, no dither): about a
    third of the bytes of the RGBA image for line plots, which keeps pages of many frames small.
    """
    from PIL import Image

    try:
        image = _draw_cropped(fig, dpi, pad_inches)
        if image is None:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=pad_inches)
            buf.seek(0)
            rgba = Image.open(buf).convert("RGBA")
            image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    finally:
        if close:
            plt.close(fig)
    return _png_bytes(image, palette)


def render_frames(
    draw: Callable[[object, plt.Figure], None],
    values: Sequence[object],
    figsize: tuple[float, float] = (6.0, 3.6),
    dpi: int = DISPLAY_DPI * PIXEL_RATIO,
    progress: bool | None = None,
    name: str = "",
) -> list[bytes]:
    """One PNG per value: ``draw(value, fig)`` fills an empty figure of size ``figsize``.

    The frames share one figure, cleared before each ``draw``, so its canvas and the text sizes
    measured on it are reused; each frame is drawn once (:func:`figure_to_png`).

    If the environment variable ``MND_FRAME_LOG`` names a file, one JSON line per call is appended
    to it with ``name``, the number of frames and the mean seconds per frame (used by
    ``benchmarks/``).
    """
    if len(values) == 0:
        raise ValueError("render_frames needs at least one value")
    frames = []
    t0 = time.perf_counter()
    fig = plt.figure(figsize=figsize)
    try:
        for v in progress_bar(iterable=values, desc="rendering frames", progress=progress, leave=False):
            fig.clear()
            draw(v, fig)
            frames.append(figure_to_png(fig, dpi=dpi, close=False))
    finally:
        plt.close(fig)
    log = os.environ.get("MND_FRAME_LOG")
    if log:
        rec = {"name": name, "frames": len(frames), "seconds_per_frame": (time.perf_counter() - t0) / len(frames)}
        with open(log, "a") as fh:
            fh.write(json.dumps(rec) + "\n")
    return frames


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels of PNG bytes, read from the IHDR chunk."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        raise ValueError("not PNG bytes")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def frame_image(png: bytes, pixel_ratio: int = PIXEL_RATIO) -> widgets.Image:
    """An ``Image`` widget showing ``png`` at ``1/pixel_ratio`` of its pixel width (sharp on
    high-DPI screens), shrunk further only when the column is narrower."""
    width = png_size(png)[0] / pixel_ratio
    return widgets.Image(value=png, format="png",
                         layout=widgets.Layout(width=f"{width:.0f}px", max_width="100%", height="auto"))


def frame_slider(
    frames: Sequence[bytes],
    labels: Sequence[str],
    description: str,
    initial: int = 0,
) -> widgets.VBox:
    """A slider over precomputed PNG frames that works without a kernel.

    The slider (a ``SelectionSlider`` showing ``labels``) has its ``index`` ``jslink``-ed to the
    ``selected_index`` of a ``Stack`` of ``Image`` widgets.
    """
    if len(frames) != len(labels) or len(frames) == 0:
        raise ValueError(f"need as many labels as frames (> 0), got {len(labels)} labels, {len(frames)} frames")
    if not 0 <= initial < len(frames):
        raise ValueError(f"initial index {initial} outside 0..{len(frames) - 1}")
    images = [frame_image(f) for f in frames]
    stack = widgets.Stack(images, selected_index=initial)
    slider = widgets.SelectionSlider(
        options=list(labels), index=initial, description=description, continuous_update=True,
        style={"description_width": "initial"}, layout=widgets.Layout(width="90%"),
    )
    box = widgets.VBox([slider, stack])
    box.link = widgets.jslink((slider, "index"), (stack, "selected_index"))  # kept for inspection
    return box


def static_slider(
    draw: Callable[[object, plt.Figure], None],
    values: Sequence[object],
    description: str,
    fmt: str = "{:.3g}",
    initial: int = 0,
    **render_kw,
) -> widgets.VBox:
    """:func:`render_frames` then :func:`frame_slider`, labels ``fmt.format(value)``."""
    frames = render_frames(draw, values, name=description, **render_kw)
    return frame_slider(frames, [fmt.format(v) for v in values], description, initial=initial)


def live_figure(draw: Callable[..., None], controls: Mapping[str, widgets.ValueWidget],
                figsize: tuple[float, float] = (6.0, 3.6)) -> widgets.VBox:
    """Live-only: re-draw ``draw(fig, **values)`` whenever a control changes (needs a kernel).

    On the static site only the first drawing is shown.
    """
    out = widgets.Output()

    def refresh(**kw):
        with out:
            out.clear_output(wait=True)
            fig = plt.figure(figsize=figsize)
            draw(fig, **kw)
            plt.show()

    widgets.interactive_output(refresh, dict(controls))
    return widgets.VBox([widgets.HBox(list(controls.values())), out])


def frame_grid_slider(
    frames: Sequence[Sequence[bytes]],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    row_description: str,
    col_description: str,
    initial: tuple[int, int] = (0, 0),
) -> widgets.VBox:
    """Two sliders over a grid of precomputed PNG frames, working without a kernel.

    ``frames[i][j]`` is shown for row value ``i`` and column value ``j``: an outer ``Stack`` (one
    child per row, ``jslink``-ed to the row slider) of inner ``Stack``s (one image per column, each
    ``jslink``-ed to the column slider).
    """
    if len(frames) != len(row_labels) or any(len(r) != len(col_labels) for r in frames) or not frames:
        raise ValueError(
            f"frames must be a {len(row_labels)} x {len(col_labels)} grid (rows x columns) matching the labels"
        )
    i0, j0 = initial
    if not (0 <= i0 < len(row_labels) and 0 <= j0 < len(col_labels)):
        raise ValueError(f"initial {initial} outside the {len(row_labels)} x {len(col_labels)} grid")
    inner = [widgets.Stack([frame_image(f) for f in row], selected_index=j0) for row in frames]
    outer = widgets.Stack(inner, selected_index=i0)
    # one slider per row, each as wide as the column: side by side they leave no track on a phone
    wide = {"style": {"description_width": "initial"}, "layout": widgets.Layout(width="90%")}
    col_slider = widgets.SelectionSlider(options=list(col_labels), index=j0, description=col_description,
                                         **wide)
    row_slider = widgets.SelectionSlider(options=list(row_labels), index=i0, description=row_description,
                                         **wide)
    box = widgets.VBox([widgets.VBox([col_slider, row_slider]), outer])
    box.links = [widgets.jslink((col_slider, "index"), (s, "selected_index")) for s in inner]
    box.links.append(widgets.jslink((row_slider, "index"), (outer, "selected_index")))
    return box
