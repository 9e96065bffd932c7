"""Horizontal bar charts drawn as SVG on the server, for reports read on any screen.

A chart is decoration beside its data table (the table is what assistive technology reads):
the SVG is one image (``role="img"``) named by its ``<title>`` and summarised by its
``<desc>``. Every bar carries its number and, when a row has several bars, the words saying
which is which, so nothing is told by colour alone. Geometry is in percentages of the width
and text in CSS pixels, so labels stay readable from 390 px phones to wide screens."""

from __future__ import annotations

from dataclasses import dataclass, field

BAR_HEIGHT = 16
LABEL_HEIGHT = 22
BAR_GAP = 6
ROW_GAP = 10
# The longest bar leaves room for its number and words on its right.
MAX_BAR_PERCENT = 62.0


@dataclass
class Bar:
    value: int
    words: str
    series: int = 0
    y: int = 0
    percent: float = 0.0


@dataclass
class Row:
    label: str
    bars: list[Bar]
    y: int = 0


@dataclass
class Chart:
    anchor: str
    title: str
    summary: str
    rows: list[Row] = field(default_factory=list)
    height: int = 0


def bar_chart(anchor: str, title: str, summary: str, rows: list[Row]) -> Chart:
    """Lay the rows out: a label line, then each bar under it, scaled to the largest value."""
    largest = max((b.value for r in rows for b in r.bars), default=0) or 1
    y = 0
    for row in rows:
        row.y = y + LABEL_HEIGHT - 6
        y += LABEL_HEIGHT
        for bar in row.bars:
            bar.y = y
            bar.percent = round(MAX_BAR_PERCENT * bar.value / largest, 2)
            y += BAR_HEIGHT + BAR_GAP
        y += ROW_GAP
    return Chart(anchor, title, summary, rows, max(y, LABEL_HEIGHT))
