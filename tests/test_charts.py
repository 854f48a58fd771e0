"""Server-drawn charts: well-formed SVG, escaped text, no inline styles, the same numbers in the table."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kg.charts import WIDTH, Bar, line, stacked_bars, timeline

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(chart.svg)


def test_stacked_bars_are_proportional_and_tabled():
    chart = stacked_bars("t", "t", [Bar("A市", [("達成", 6), ("未達成", 2)], "/id/org/1"), Bar("B市", [("達成", 2)])],
                         ["達成", "一部達成", "未達成"], "city")
    root = parse(chart)
    widths = {r.find(f"{SVG}title").text: float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None}
    assert widths["達成: 6"] == pytest.approx(3 * widths["達成: 2"])
    assert widths["達成: 6"] + widths["未達成: 2"] <= WIDTH
    assert chart.columns == ["city", "達成", "未達成", "計 total"]  # 一部達成: no bar has it, no column
    assert chart.rows == [["A市", "6", "2", "8"], ["B市", "2", "0", "2"]]
    assert chart.links == ["/id/org/1", None] and not list(root.iter(f"{SVG}a"))  # links in the table, not the drawing


def test_text_is_escaped_and_there_are_no_inline_styles():
    chart = stacked_bars('<script>alert(1)</script>"', "x", [Bar("<b>&", [("達成", 1)])], ["達成"], "c")
    assert "<script>" not in chart.svg and "<b>" not in chart.svg
    root = parse(chart)  # still well-formed
    assert root.find(f"{SVG}title").text == '<script>alert(1)</script>"'
    for svg in (chart.svg, line("l", "l", [("2017-12-01", 10.2), ("2021-12-01", 39.9)], "%").svg,
                timeline("t", "t", [("2016-12", "法", "国"), ("2019-04-01", "計画", "市")]).svg):
        assert "style=" not in svg and "<script" not in svg


def test_line_puts_later_higher_values_right_and_up():
    chart = line("l", "l", [("2021-12-01", 39.9), ("2017-12-01", 10.2)], "%")
    circles = [(float(c.get("cx")), float(c.get("cy"))) for c in parse(chart).iter(f"{SVG}circle")]
    assert circles[0][0] < circles[1][0] and circles[0][1] > circles[1][1]  # sorted by date; SVG y grows down
    assert chart.rows == [["2017-12-01", "10.2"], ["2021-12-01", "39.9"]]


def test_timeline_has_a_lane_per_group_and_every_event_in_the_table():
    events = [("2016-12", "官民データ活用推進基本法", "国"), ("2004-03", "第一次計画", "東大和市"), ("2008-04-01", "実行計画", "川崎市")]
    chart = timeline("t", "t", events)
    lanes = {float(c.get("cy")) for c in parse(chart).iter(f"{SVG}circle")}
    assert len(lanes) == 3
    assert [r[0] for r in chart.rows] == ["2004-03", "2008-04-01", "2016-12"]
