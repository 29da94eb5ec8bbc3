"""mnd.show.images: drawing image-shaped vectors."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mnd.show import images  # noqa: E402


# ---------------------------------------------------------------------------------------------
# drawing helpers
# ---------------------------------------------------------------------------------------------

def test_image_helpers():
    import matplotlib.pyplot as plt

    from mnd.show import images

    v = np.arange(64.0)
    assert images.as_image(v)[1, 0] == 8.0  # row by row
    with pytest.raises(ValueError, match="length 64"):
        images.as_image(np.ones(63))
    V = np.array([[1.0, -2.0], [-3.0, 1.0], [0.0, 1.0]])
    U = np.array([[-1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(images.orient(V, U), [[-1.0, 2.0], [3.0, -1.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="same shape"):
        images.orient(V, U[:2])
    fig, axes = plt.subplots(1, 2)
    images.draw_digit(axes[0], v / 64, "digit")
    images.draw_direction(axes[1], v - 32, "direction")
    assert axes[0].get_title() == "digit" and not axes[1].get_xticks().size
    plt.close(fig)


# ----------------------------------------------------------------------------- direction_row


def test_direction_row_orients_titles_and_hides_spare_axes():
    rng = np.random.default_rng(0)
    V, U = rng.standard_normal((3, 64)), rng.standard_normal((3, 64))
    fig, axes = plt.subplots(1, 5)
    images.direction_row(axes, V, ["a", "b", "c"], reference=U)
    for ax, v, u in zip(axes, V, U):
        shown = ax.get_images()[0].get_array().reshape(-1)
        np.testing.assert_allclose(shown, v * np.sign(v @ u))  # flipped to agree with u
        assert float(shown @ u) >= 0
    assert [ax.get_title() for ax in axes[:3]] == ["a", "b", "c"]
    assert not axes[3].axison and not axes[4].axison and not axes[3].get_images()
    plt.close(fig)


def test_direction_row_without_reference_and_errors():
    V = -np.ones((2, 64))
    fig, axes = plt.subplots(1, 2)
    images.direction_row(axes, V)
    np.testing.assert_allclose(axes[0].get_images()[0].get_array().reshape(-1), -1.0)
    with pytest.raises(ValueError, match="axes"):
        images.direction_row(axes[:1], V)
    with pytest.raises(ValueError, match="titles"):
        images.direction_row(axes, V, ["only one"])
    plt.close(fig)
