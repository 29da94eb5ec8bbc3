"""Tables of results that render as HTML on the book's pages and as Markdown in plain text."""

from __future__ import annotations

import html
from typing import Mapping, Sequence

import numpy as np


def markdown_table(rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None,
                   formats: Mapping[str, str] | None = None) -> str:
    """A Markdown table of ``rows`` (dicts); ``formats`` maps a column to a format spec such as
    ``".3g"``, applied to numbers only (default: ``".4g"`` for floats; integers and other values
    are shown with ``str``)."""
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Sequence):
        raise TypeError(f"rows must be a sequence of dicts (one per row), got {type(rows).__name__}")
    if len(rows) == 0:
        raise ValueError("rows must hold at least one row (a table needs one)")
    if not all(isinstance(r, Mapping) for r in rows):
        raise TypeError("rows must be a sequence of dicts (one per row, column -> value)")
    columns = list(columns or rows[0].keys())
    formats = dict(formats or {})
    missing = [c for c in columns if any(c not in r for r in rows)]
    if missing:
        raise ValueError(f"column(s) {missing} missing from some rows")

    def cell(c: str, v: object) -> str:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            return str(v)
        if isinstance(v, (int, np.integer)) and c not in formats:
            return str(v)
        return format(float(v), formats.get(c, ".4g"))

    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(cell(c, r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


class Table:
    """A table of ``rows`` (dicts) that shows as HTML in notebooks and on the book's pages, and as
    the Markdown of :func:`markdown_table` in plain-text output (``repr``); same arguments."""

    def __init__(self, rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None,
                 formats: Mapping[str, str] | None = None) -> None:
        self._md = markdown_table(rows, columns, formats)  # validates

    def markdown(self) -> str:
        """The table as Markdown."""
        return self._md

    def __repr__(self) -> str:
        return self._md

    def _repr_html_(self) -> str:
        lines = self._md.splitlines()

        def cells(line: str) -> list[str]:
            return [html.escape(c.strip()) for c in line.strip()[1:-1].split(" | ")]

        head = "".join(f"<th>{c}</th>" for c in cells(lines[0]))
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in cells(line)) + "</tr>" for line in lines[2:])
        return f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
