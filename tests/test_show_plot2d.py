"""2D pictures (mnd.plot2d): what is drawn is where it should be."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

import mnd  # noqa: E402
from mnd import closed_form as cf  # noqa: E402
from mnd.show import plot2d  # noqa: E402

XLIM, YLIM = (-2.0, 3.0), (-1.5, 2.5)


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def example():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [0.0, 1.5]])
    return X, 0.2, cf.rays(X, 0.2)


def on_line(line, normal, offset):
    xy = np.column_stack(line.get_data())
    return np.allclose(xy @ (np.asarray(normal) / np.linalg.norm(normal)), offset / np.linalg.norm(normal), atol=1e-9)


def test_grid_2d():
    G = plot2d.grid_2d(XLIM, YLIM, 5)
    assert G.shape == (25, 2)
    np.testing.assert_allclose(G.min(0), [XLIM[0], YLIM[0]])
    np.testing.assert_allclose(G.max(0), [XLIM[1], YLIM[1]])


def test_vector_field_arrows_point_along_h_minus_y(ax):
    X, rho, h = example()
    plot2d.vector_field(ax, h, XLIM, YLIM, n=11)
    q = ax.collections[-1]
    Y = plot2d.grid_2d(XLIM, YLIM, 11)
    D = h(Y) - Y
    arrows = np.column_stack([q.U, q.V])
    cell = min(np.ptp(XLIM), np.ptp(YLIM)) / 10
    assert np.linalg.norm(arrows, axis=1).max() == pytest.approx(0.9 * cell)
    scale = np.linalg.norm(arrows, axis=1).max() / np.linalg.norm(D, axis=1).max()
    np.testing.assert_allclose(arrows, D * scale, atol=1e-12)


def test_vector_field_of_identity_draws_zero_arrows(ax):
    plot2d.vector_field(ax, lambda y: y, XLIM, YLIM, n=5)
    assert np.all(ax.collections[-1].U == 0)


def test_data_and_balls(ax):
    X, rho, _ = example()
    plot2d.data_and_balls(ax, X, rho)
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == len(X)
    assert all(c.get_radius() == rho for c in circles)
    np.testing.assert_allclose(np.array([c.center for c in circles]), X)
    np.testing.assert_allclose(np.column_stack(ax.lines[-1].get_data()), X)
    labels = ax.get_legend_handles_labels()[1]
    assert labels.count("clean points") == 1 and sum("balls" in lab for lab in labels) == 1
    fig2, ax2 = plt.subplots()
    plot2d.data_and_balls(ax2, X)  # no rho: no balls
    assert not ax2.patches
    plt.close(fig2)


def test_ramp_bend_lines_lie_on_the_hyperplanes(ax):
    _, _, h = example()
    plot2d.ramp_bend_lines(ax, h, XLIM, YLIM)
    bh = h.bend_hyperplanes()
    assert len(ax.lines) == 2 * h.n_ramps
    for line, n, o in zip(ax.lines, bh.normals, bh.offsets):
        assert on_line(line, n, o)
    assert ax.get_legend_handles_labels()[1] == ["closed-form bend lines"]
    assert ax.get_xlim() == XLIM and ax.get_ylim() == YLIM


def test_lines_with_unnormalised_normals(ax):
    plot2d.lines(ax, np.array([[0.0, 2.0], [3.0, 4.0]]), np.array([1.0, 5.0]), XLIM, YLIM, color="k")
    assert on_line(ax.lines[0], [0.0, 2.0], 1.0)  # the line y2 = 0.5
    assert on_line(ax.lines[1], [3.0, 4.0], 5.0)
    with pytest.raises(ValueError, match=r"normals of shape \(K, 2\)"):
        plot2d.lines(ax, np.ones((2, 3)), np.ones(2), XLIM, YLIM)


def test_network_bend_lines_draw_only_active_units(ax):
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    b = np.array([-0.5, 0.2, -1.0])
    A = np.array([[2.0, 1.0, 1e-5], [0.0, 0.0, 0.0]])  # the third unit is inactive
    plot2d.network_bend_lines(ax, mnd.ReluNet(W, b, A), XLIM, YLIM)
    assert len(ax.lines) == 2
    # costliest drawn last and fully opaque; each lies on w.y + b = 0
    assert ax.lines[-1].get_alpha() == pytest.approx(1.0) and on_line(ax.lines[-1], W[0], -b[0])
    assert on_line(ax.lines[0], W[1], -b[1]) and ax.lines[0].get_alpha() < 1
    assert ax.get_legend_handles_labels()[1] == ["trained units' bend lines"]
    with pytest.raises(ValueError, match="d = 2"):
        plot2d.network_bend_lines(ax, mnd.ReluNet(np.ones((2, 3)), np.zeros(2), np.ones((3, 2))), XLIM, YLIM)


def test_output_component_and_panel(ax):
    X, rho, h = example()
    plot2d.output_component(ax, h, XLIM, YLIM, [1.0, 0.0], n=30, label="first output")
    mesh = [c for c in ax.collections if isinstance(c, QuadMesh)][0]
    G = plot2d.grid_2d(XLIM, YLIM, 30)
    np.testing.assert_allclose(np.asarray(mesh.get_array()).ravel(), h(G)[:, 0])
    assert ax.figure.axes[-1].get_ylabel() == "first output"  # the colour bar
    fig2, ax2 = plt.subplots()
    plot2d.denoiser_panel(ax2, h, X, rho, XLIM, YLIM, title="rays")
    assert ax2.get_xlabel() == "$y_1$" and ax2.get_ylabel() == "$y_2$" and ax2.get_title() == "rays"
    assert ax2.get_aspect() == 1.0
    plt.close(fig2)
