import ipywidgets as widgets
import pytest

from mnd.show.widgets import frame_slider, render_frames, static_slider


def draw(v, fig):
    ax = fig.subplots()
    ax.plot([0, 1], [0, v])
    ax.set_xlabel("x")


def test_frames_are_distinct_pngs():
    frames = render_frames(draw, [0.0, 1.0, 2.0], progress=False)
    assert all(f.startswith(b"\x89PNG") for f in frames)
    assert len(set(frames)) == 3


def test_static_slider_links_slider_to_stack():
    box = static_slider(draw, [0.0, 1.0], description="v", progress=False)
    slider, stack = box.children
    assert isinstance(stack, widgets.Stack) and len(stack.children) == 2
    assert type(box.link).__name__ == "Link"
    assert box.link.source == (slider, "index") and box.link.target == (stack, "selected_index")
    assert slider.options == ("0", "1") and stack.selected_index == 0


def test_frame_slider_errors():
    with pytest.raises(ValueError, match="as many labels"):
        frame_slider([b"a"], ["x", "y"], "d")
    with pytest.raises(ValueError, match="initial index"):
        frame_slider([b"a"], ["x"], "d", initial=3)
    with pytest.raises(ValueError, match="at least one"):
        render_frames(draw, [])


def test_frame_log(tmp_path, monkeypatch):
    import json

    log = tmp_path / "frames.jsonl"
    monkeypatch.setenv("MND_FRAME_LOG", str(log))
    static_slider(draw, [0.0, 1.0, 2.0], description="v", progress=False)
    rec = json.loads(log.read_text().strip())
    assert rec["name"] == "v" and rec["frames"] == 3 and rec["seconds_per_frame"] > 0


def test_frame_grid_slider_links_both_sliders():
    from mnd.show.widgets import frame_grid_slider

    frames = [[_png(10 + i + j) for j in range(3)] for i in range(2)]
    box = frame_grid_slider(frames, ["r0", "r1"], ["c0", "c1", "c2"], "row", "col", initial=(1, 2))
    (col, row), outer = box.children[0].children, box.children[1]
    assert outer.selected_index == 1 and all(s.selected_index == 2 for s in outer.children)
    assert len(box.links) == 3
    assert all(l.source == (col, "index") for l in box.links[:2]) and box.links[2].target == (outer, "selected_index")
    with pytest.raises(ValueError, match="grid"):
        frame_grid_slider(frames, ["r0"], ["c0", "c1", "c2"], "row", "col")
    with pytest.raises(ValueError, match="initial"):
        frame_grid_slider(frames, ["r0", "r1"], ["c0", "c1", "c2"], "row", "col", initial=(2, 0))


def _png(width: int, height: int = 7) -> bytes:
    """A tiny real PNG of the given size (white), written with matplotlib."""
    import io

    import matplotlib.pyplot as plt
    import numpy as np

    buf = io.BytesIO()
    plt.imsave(buf, np.ones((height, width, 3)), format="png")
    return buf.getvalue()


def test_frames_are_stored_at_twice_their_displayed_width():
    """A frame image shows at half its pixel width (sharp at 2x), and never wider than the column."""
    import matplotlib.pyplot as plt

    from mnd.show.widgets import frame_image, png_size, render_frames

    assert png_size(_png(37, 11)) == (37, 11)
    img = frame_image(_png(300))
    assert img.layout.width == "150px" and img.layout.max_width == "100%"
    frame = render_frames(lambda v, fig: fig.add_subplot().plot([0, v]), [1.0], figsize=(3.0, 2.0),
                          progress=False)[0]
    w, h = png_size(frame)          # 3 in at 100 px/in displayed, stored at 200 px/in (tight bbox)
    assert 500 <= w <= 620 and 300 <= h <= 420
    with pytest.raises(ValueError, match="PNG"):
        png_size(b"GIF89a........................")
    plt.close("all")


def test_progress_policy(monkeypatch):
    """progress=None follows $MND_PROGRESS (0 turns bars off); True/False always win."""
    from mnd.show.progress import progress_bar, progress_enabled

    monkeypatch.delenv("MND_PROGRESS", raising=False)
    assert progress_enabled(None) is True
    monkeypatch.setenv("MND_PROGRESS", "0")
    assert progress_enabled(None) is False and progress_enabled(True) is True
    assert progress_bar(total=3, progress=None).disable
    monkeypatch.setenv("MND_PROGRESS", "1")
    assert progress_enabled(None) is True and progress_enabled(False) is False
    with pytest.raises(TypeError, match="progress"):
        progress_enabled("yes")


def test_frames_are_palette_pngs_smaller_than_rgba():
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from mnd.show.widgets import figure_to_png

    def fig():
        f, ax = plt.subplots(figsize=(4, 3))
        x = np.linspace(-3, 3, 300)
        for k in range(4):
            ax.plot(x, np.tanh((k + 1) * x), label=str(k))
        ax.legend()
        return f

    pal, rgba = figure_to_png(fig()), figure_to_png(fig(), palette=False)
    a, b = Image.open(io.BytesIO(pal)), Image.open(io.BytesIO(rgba))
    assert a.mode == "P" and a.size == b.size and len(pal) < 0.6 * len(rgba)
    # same picture: the palette image differs from the original by little on average
    diff = np.abs(np.asarray(a.convert("RGB"), float) - np.asarray(b.convert("RGB"), float))
    assert diff.mean() < 2.0


def _ink(img):
    """The image cropped to its ink (pixels darker than near-white), as a float array."""
    import numpy as np

    a = np.asarray(img.convert("RGB"), float)
    ink = (a < 245).any(axis=2)
    r, c = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    return a[r[0]:r[-1] + 1, c[0]:c[-1] + 1]


@pytest.mark.parametrize("spill", [False, True])   # True: no layout engine, a legend past the edge
def test_frame_is_the_tight_savefig_picture_drawn_once(spill):
    """figure_to_png crops one draw to its ink plus the margin: the same ink (size within eight
    pixels, colours within rounding) and margin as savefig(bbox_inches="tight"), which draws
    twice. A legend that reaches past the canvas (no layout engine) is kept whole."""
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from mnd.show.widgets import figure_to_png

    def fig():
        f = plt.figure(figsize=(5, 3), layout=None if spill else "constrained")
        axL, axR = f.subplots(1, 2)
        x = np.linspace(-2, 2, 200)
        axL.plot(x, np.sin(3 * x), label="sin")
        axR.plot(x, x ** 2, label="square")
        axL.set(xlabel="$y$", ylabel="$h(y)$", title="left")
        if spill:
            axR.legend(loc="upper left", bbox_to_anchor=(1.1, 1.0))   # past the right edge
        else:
            f.legend(loc="outside lower center", ncol=2)
        return f

    ours = Image.open(io.BytesIO(figure_to_png(fig(), dpi=200, palette=False)))
    buf = io.BytesIO()
    f = fig()
    f.savefig(buf, format="png", dpi=200, bbox_inches="tight")
    plt.close(f)
    ref = Image.open(io.BytesIO(buf.getvalue()))
    a, b = _ink(ours), _ink(ref)
    assert abs(a.shape[0] - b.shape[0]) <= 8 and abs(a.shape[1] - b.shape[1]) <= 8
    assert abs(ours.size[0] - a.shape[1] - 40) <= 4          # 0.1 in of white on each side
    h, w = min(a.shape[0], b.shape[0]) - 6, min(a.shape[1], b.shape[1]) - 6
    # best alignment within 3 px (the legend below the axes may sit a pixel or two apart)
    diff = min(np.abs(a[3 + dy:3 + dy + h, 3 + dx:3 + dx + w] - b[3:3 + h, 3:3 + w]).mean()
               for dy in range(-3, 4) for dx in range(-3, 4))
    assert diff < 3.0 and a.min() < 50   # same picture, not blank


@pytest.mark.parametrize("pad_inches", [0.02, 0.5])   # inside the canvas's white edge; wider than it
def test_frame_margin_is_white_and_as_wide_as_asked(pad_inches):
    """The cropped picture is the ink plus exactly ``pad_inches`` of pure white on every side,
    whether the margin fits inside the canvas (cut from it) or is wider (added around it); the
    ink is the same in both."""
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from mnd.show.widgets import figure_to_png

    def fig():
        f = plt.figure(figsize=(4, 3), layout="constrained")
        ax = f.add_subplot()
        ax.plot([0, 1, 2], [0, 1, 0], label="tent")
        ax.set(xlabel="$y$", ylabel="$h(y)$", title="a tent")
        ax.legend()
        return f

    pad = round(pad_inches * 200)
    img = np.asarray(Image.open(io.BytesIO(figure_to_png(fig(), dpi=200, palette=False,
                                                         pad_inches=pad_inches))).convert("RGB"))
    ink = (img != 255).any(axis=2)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert (rows[0], cols[0]) == (pad, pad)
    assert (img.shape[0] - 1 - rows[-1], img.shape[1] - 1 - cols[-1]) == (pad, pad)
    ref = np.asarray(Image.open(io.BytesIO(figure_to_png(fig(), dpi=200, palette=False,
                                                         pad_inches=0.1))).convert("RGB"))
    assert np.array_equal(img[pad:-pad, pad:-pad], ref[20:-20, 20:-20])


def test_frames_keep_the_first_layout_unless_a_label_would_not_fit():
    """Later frames are drawn at the first frame's axes positions (same picture size, the same
    value gives the same bytes); a frame whose wider tick labels would then reach past the canvas
    is laid out on its own, as a fresh figure would be. No frame loses ink against savefig."""
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from mnd.show.widgets import figure_to_png, png_size, render_frames

    def draw(scale, fig):
        ax = fig.add_subplot()
        x = np.linspace(-1, 1, 50)
        ax.plot(x, scale * x)
        ax.set(xlabel="$y$", ylabel="$h(y)$", title=f"scale {scale:g}")

    values = [1.0, 12345.0, 1.0, 1.5]
    with plt.rc_context({"figure.constrained_layout.use": True}):      # the book's style
        frames = render_frames(draw, values, figsize=(3.0, 2.0), progress=False)
        fresh, tight = [], []
        for v in values:
            f = plt.figure(figsize=(3.0, 2.0))
            draw(v, f)
            buf = io.BytesIO()
            f.savefig(buf, format="png", dpi=200, bbox_inches="tight")
            tight.append(Image.open(buf))
            fresh.append(figure_to_png(f))
    assert frames[0] == frames[2] and png_size(frames[3]) == png_size(frames[0])
    relaid = [np.asarray(Image.open(io.BytesIO(p)).convert("RGB"), float) for p in (frames[1], fresh[1])]
    assert relaid[0].shape == relaid[1].shape and np.abs(relaid[0] - relaid[1]).mean() < 0.5
    for png, ref in zip(frames, tight):
        a, b = _ink(Image.open(io.BytesIO(png))), _ink(ref)
        assert abs(a.shape[0] - b.shape[0]) <= 8 and abs(a.shape[1] - b.shape[1]) <= 8


def test_fits_sees_labels_past_the_canvas_and_into_a_neighbour():
    """_fits (the check behind a reused layout) is true for a laid-out figure, false when a label
    reaches past the canvas or a neighbour's tick labels run into the other axes."""
    import matplotlib.pyplot as plt
    import numpy as np

    from mnd.show.widgets import _fits

    with plt.rc_context({"figure.constrained_layout.use": True}):
        fig = plt.figure(figsize=(4.0, 2.0), dpi=200)
        axL, axR = fig.subplots(1, 2)
        axL.plot([0, 1], [0, 1])
        axR.plot([0, 1], [0, 1])
        fig.canvas.draw()
        assert _fits(fig)
        fig.set_layout_engine("none")
        axR.set_ylabel("a label that is far too long to fit beside the axes, anywhere")
        fig.canvas.draw()
        assert not _fits(fig)
        axR.set_ylabel("")
        axR.set_yticks([0, 1], ["0", "a long tick label"])
        fig.canvas.draw()
        assert not _fits(fig)
        axR.set_yticks([0, 1], ["0", "1"])
        fig.canvas.draw()
        assert _fits(fig)
        plt.close(fig)
