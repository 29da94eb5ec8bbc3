import ipywidgets as widgets
import pytest

from mnd.widgets import frame_slider, render_frames, static_slider


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
