"""Showing results: matplotlib figures (1D, 2D, digit images), the one table type, and widgets
(static image sliders on the site, live controls in a kernel). numpy + matplotlib + ipywidgets."""

from . import images, plot2d, plotting, tables, widgets
from .plotting import PALETTE, style
from .tables import Table

__all__ = ["PALETTE", "Table", "images", "plot2d", "plotting", "style", "tables", "widgets"]
