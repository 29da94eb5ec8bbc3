import pytest

from mnd.show import tables


def test_markdown_table():
    rows = [{"a": 1, "b": 0.123456, "c": "x"}, {"a": 2, "b": 1e-7, "c": "y"}]
    out = tables.markdown_table(rows, formats={"b": ".2e"})
    assert out.splitlines() == ["| a | b | c |", "|---|---|---|", "| 1 | 1.23e-01 | x |", "| 2 | 1.00e-07 | y |"]
    assert tables.markdown_table(rows, columns=["c"]).splitlines()[2] == "| x |"
    with pytest.raises(ValueError, match="at least one row"):
        tables.markdown_table([])
    with pytest.raises(ValueError, match="missing"):
        tables.markdown_table(rows, columns=["a", "zzz"])


def test_table_html_and_text():
    rows = [{"name": "a<b", "value": 0.5}, {"name": "c", "value": 2.0}]
    t = tables.Table(rows, formats={"value": ".2f"})
    assert repr(t) == t.markdown() == tables.markdown_table(rows, formats={"value": ".2f"})
    html = t._repr_html_()
    assert html.startswith('<table class="table">') and html.count("<tr>") == 3
    assert "<td>a&lt;b</td><td>0.50</td>" in html and "<th>value</th>" in html
    with pytest.raises(ValueError, match="at least one row"):
        tables.Table([])
