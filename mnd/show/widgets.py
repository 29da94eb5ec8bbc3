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


def _draw_cropped(fig: plt.Figure, dpi: int, pad_inches: float, check: Callable | None = None):
    """One Agg draw of ``fig`` at ``dpi``, cropped to its ink (the non-white pixels) plus
    ``pad_inches`` of white, as a PIL RGB image. None (not drawn) without constrained layout, which
    keeps titles, labels, tick labels and legends on the canvas; None (drawn) if the figure is not
    opaque, its ink touches the canvas edge (something may reach past it) or ``check(fig)`` (in
    place of constrained layout's guarantee) is false after the draw."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    from PIL import Image

    if check is None and not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        return None
    fig.set_dpi(dpi)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    if check is not None and not check(fig):
        return None
    width, height = canvas.get_width_height(physical=True)
    buf = canvas.buffer_rgba()
    px = np.asarray(buf).view("<u4")[..., 0]        # one integer per pixel; alpha is the high byte
    if px.min() < 0xFF000000:                       # some pixel is not opaque
        return None
    ink = px != 0xFFFFFFFF                          # not opaque white
    rows, cols = ink.any(axis=1), ink.any(axis=0)
    if rows[0] or rows[-1] or cols[0] or cols[-1]:
        return None
    r, c = np.flatnonzero(rows), np.flatnonzero(cols)
    if r.size == 0:
        r = c = np.array([0])
    pad = int(round(pad_inches * dpi))
    rgba = Image.frombuffer("RGBA", (width, height), buf, "raw", "RGBA", 0, 1)
    box = (c[0] - pad, r[0] - pad, c[-1] + 1 + pad, r[-1] + 1 + pad)
    if box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height:
        return rgba.crop(box).convert("RGB")        # the margin is white canvas
    image = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), "white")
    image.paste(rgba.crop((c[0], r[0], c[-1] + 1, r[-1] + 1)).convert("RGB"), (pad, pad))
    return image


def _fits(fig: plt.Figure) -> bool:
    """After a draw: every text and legend lies inside the canvas, and no text or legend of one
    axes (or of the figure itself) meets the area, texts or legends of another. This is what a
    layout engine ensures; :func:`render_frames` checks it when it reuses the first frame's layout.
    """
    import numpy as np
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()

    def boxes(ax) -> list:
        hidden = set()        # labels of ticks outside the view, which the draw skipped
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            eps = 1e-9 * (hi - lo)
            for tick in axis.majorTicks + axis.minorTicks:
                if not lo - eps <= tick.get_loc() <= hi + eps:
                    hidden.update((id(tick.label1), id(tick.label2)))
        found = [t for t in ax.findobj(lambda a: isinstance(a, (Text, Legend)), include_self=False)
                 if t.get_visible() and id(t) not in hidden and (not isinstance(t, Text) or t.get_text())]
        return [t.get_window_extent(renderer).extents for t in found]

    groups = [(boxes(ax), [ax.bbox.extents]) for ax in fig.axes]
    groups.append(([t.get_window_extent(renderer).extents for t in fig.texts if t.get_visible() and t.get_text()]
                   + [leg.get_window_extent(renderer).extents for leg in fig.legends], []))
    width, height = fig.canvas.get_width_height(physical=True)
    every = np.array([b for own, _ in groups for b in own]).reshape(-1, 4)
    if every.size and (every[:, :2].min() < 1 or every[:, 2].max() > width - 1 or every[:, 3].max() > height - 1):
        return False
    for i, (own, _) in enumerate(groups):
        others = [b for j, (texts, area) in enumerate(groups) if j != i for b in texts + area]
        if not own or not others:
            continue
        A, B = np.array(own)[:, None, :], np.array(others)[None, :, :]
        meet = (A[..., 0] < B[..., 2]) & (B[..., 0] < A[..., 2]) & (A[..., 1] < B[..., 3]) & (B[..., 1] < A[..., 3])
        if meet.any():
            return False
    return True


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
    ``bbox_inches="tight"``. ``palette=True`` stores it as an 8-bit palette PNG (256 colours, no
    dither): about a third of the bytes of the RGBA image for line plots, which keeps pages of
    many frames small.
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

    The frames share one figure, cleared before each ``draw``, and the first frame's layout:
    constrained layout (the book's style) places the axes and figure titles of the first frame,
    and later frames with as many axes and titles are drawn at those positions, so the axes do
    not jump as the slider moves and the layout is not recomputed. A later frame that does not
    fit there (:func:`_fits`: a longer label reaching past the canvas or into a neighbour) is laid
    out on its own. Each frame is drawn once (:func:`figure_to_png`).

    If the environment variable ``MND_FRAME_LOG`` names a file, one JSON line per call is appended
    to it with ``name``, the number of frames and the mean seconds per frame (used by
    ``benchmarks/``).
    """
    if len(values) == 0:
        raise ValueError("render_frames needs at least one value")
    frames = []
    t0 = time.perf_counter()
    fig = plt.figure(figsize=figsize)
    engine, first = fig.get_layout_engine(), None
    try:
        for v in progress_bar(iterable=values, desc="rendering frames", progress=progress, leave=False):
            for ax in fig.axes:         # dropped whole: Figure.clear would first clear each one
                fig.delaxes(ax)
            fig.clear()
            fig.set_layout_engine(engine)
            draw(v, fig)
            image = None
            if first is not None and (len(fig.axes), len(fig.texts)) == tuple(map(len, first)):
                fig.set_layout_engine("none")
                for ax, pos in zip(fig.axes, first[0]):
                    ax.set_position(pos)
                for text, pos in zip(fig.texts, first[1]):
                    text.set_position(pos)
                image = _draw_cropped(fig, dpi, 0.1, check=_fits)
                if image is None:                   # back into the layout (set_position took it out)
                    for ax in fig.axes:
                        ax.set_in_layout(True)
                    fig.set_layout_engine(engine)
            if image is None:
                frames.append(figure_to_png(fig, dpi=dpi, close=False))
                if first is None and fig.get_layout_engine() is not None:
                    first = ([ax.get_position(original=True) for ax in fig.axes],
                             [text.get_position() for text in fig.texts])
            else:
                frames.append(_png_bytes(image, palette=True))
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
