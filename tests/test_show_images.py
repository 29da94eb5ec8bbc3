"""mnd.show.images: drawing image-shaped vectors."""

import numpy as np
import pytest


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
