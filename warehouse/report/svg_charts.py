"""Inline SVG charts drawn in Python: horizontal bars against a target, and columns over periods.

No script, no external file: the markup is the chart. Bars carry ``data-key`` so a reader (or a test) can tell
which row is which; rows without a value show their reason in words instead of a bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

FONT_PX = 12
CHAR_PX = 0.56 * FONT_PX  # average glyph width of the page's sans-serif font


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value in words, or the reason there is none
    low: float | None = None
    high: float | None = None
    target: float | None = None  # this row's own target
    tone: str = "neutral"  # met | on_track | cannot_tell | off_track | neutral | muted
    key: str = ""


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value - 1e-12)


def axis_for(top: float, ticks: int = 4) -> tuple[float, float]:
    """(axis maximum, tick step) with a round step, covering ``top`` in about ``ticks`` steps."""
    step = nice_max(top / ticks)
    return step * max(1, math.ceil(top / step - 1e-9)), step


def _fit(text: str, width_px: float) -> str:
    limit = max(4, int(width_px / CHAR_PX))
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _ticks(scale_max: float, step: float) -> list[float]:
    return [step * i for i in range(round(scale_max / step) + 1)]


def _attrs(**attrs) -> str:
    return " ".join(f'{k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items() if v is not None)


def bar_chart(bars: list[Bar], *, title: str, axis: tuple[float, float], tick: Callable[[float], str],
              target: float | None = None, label_width: int = 230, width: int = 720, **data) -> str:
    """Horizontal bars on the ``axis`` (maximum, step); an interval whisker and a target mark per row where given,
    and one dashed target line across all rows when ``target`` is given. Labels may hold a second line after
    a newline (drawn smaller)."""
    scale_max, step = axis
    two_lines = any("\n" in b.label for b in bars)
    row_h, top, value_w = (34 if two_lines else 26), 30, 86
    plot_x, plot_w = label_width, width - label_width - value_w
    height = top + row_h * len(bars) + 6

    def x(v: float) -> float:
        return plot_x + plot_w * min(max(v, 0.0), scale_max) / scale_max

    parts = [f'<svg class="chart bar-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" {_attrs(aria_label=title, **{f"data_{k}": v for k, v in data.items()})}>',
             f"<title>{escape(title)}</title>"]
    ticks = _ticks(scale_max, step)
    every = math.ceil(40 / (plot_w / (len(ticks) - 1)))  # label every n-th tick so that labels do not touch
    for i, v in enumerate(ticks):
        parts.append(f'<line class="grid" x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{top - 6}" y2="{height - 6}"/>')
        if i % every == 0:
            parts.append(f'<text class="tick" x="{x(v):.1f}" y="{top - 11}" text-anchor="middle">{escape(tick(v))}'
                         '</text>')
    for i, bar in enumerate(bars):
        y = top + i * row_h
        label, _, sublabel = bar.label.partition("\n")
        parts.append(f'<g class="row" {_attrs(data_key=bar.key or None)}><title>{escape(label)} {escape(sublabel)}: '
                     f'{escape(bar.text)}</title>')
        if sublabel:
            parts.append(f'<text class="label" x="{plot_x - 8}" y="{y + 15}" text-anchor="end">'
                         f'{escape(_fit(label, label_width - 12))}</text><text class="sublabel" x="{plot_x - 8}" '
                         f'y="{y + 28}" text-anchor="end">{escape(_fit(sublabel, (label_width - 12) * 1.15))}</text>')
        else:
            parts.append(f'<text class="label" x="{plot_x - 8}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end">'
                         f'{escape(_fit(label, label_width - 12))}</text>')
        if bar.value is None:
            parts.append(f'<text class="note" x="{plot_x + 6}" y="{y + row_h / 2 + 4:.1f}">{escape(bar.text)}</text>')
        else:
            end = x(bar.value)
            data = _attrs(data_key=bar.key or None, data_value=f"{bar.value:.6g}")
            parts.append(f'<rect class="bar tone-{bar.tone}" x="{plot_x}" y="{y + 5}" '
                         f'width="{max(end - plot_x, 1.5):.1f}" height="{row_h - 10}" rx="2" {data}/>')
            if bar.low is not None and bar.high is not None:
                mid, low, high = y + row_h / 2, x(bar.low), x(bar.high)
                parts.append(f'<path class="ci" d="M{low:.1f} {mid - 4}v8M{low:.1f} {mid}H{high:.1f}'
                             f'M{high:.1f} {mid - 4}v8"/>')
            text_x = max([end, *(x(v) for v in (bar.high, bar.target) if v is not None)]) + 6
            parts.append(f'<text class="value" x="{text_x:.1f}" y="{y + row_h / 2 + 4:.1f}">{escape(bar.text)}</text>')
        if bar.target is not None:
            parts.append(f'<line class="target-mark" x1="{x(bar.target):.1f}" x2="{x(bar.target):.1f}" '
                         f'y1="{y + 1}" y2="{y + row_h - 1}"/>')
        parts.append("</g>")
    if target is not None:
        parts.append(f'<line class="target-line" x1="{x(target):.1f}" x2="{x(target):.1f}" y1="{top - 4}" '
                     f'y2="{height - 4}"/>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Column:
    label: str
    value: float | None
    text: str  # the value in words, or a short reason there is none
    tone: str = "year"  # year | current | quarter


def column_chart(columns: list[Column], *, title: str, axis: tuple[float, float], tick: Callable[[float], str],
                 target: float | None = None, width: int = 320, **data) -> str:
    """Vertical columns over periods on the ``axis`` (maximum, step), with a dashed target line where given."""
    scale_max, step = axis
    height, top, bottom, left = 190, 22, 28, 44
    plot_h, plot_w = height - top - bottom, width - left - 8
    slot = plot_w / max(len(columns), 1)

    def y(v: float) -> float:
        return top + plot_h * (1 - min(max(v, 0.0), scale_max) / scale_max)

    parts = [f'<svg class="chart column-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'role="img" {_attrs(aria_label=title, **{f"data_{k}": v for k, v in data.items()})}>',
             f"<title>{escape(title)}</title>"]
    for v in _ticks(scale_max, step):
        parts.append(f'<line class="grid" x1="{left}" x2="{width - 8}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
                     f'<text class="tick" x="{left - 5}" y="{y(v) + 4:.1f}" text-anchor="end">{escape(tick(v))}</text>')
    for i, column in enumerate(columns):
        cx = left + slot * (i + 0.5)
        bar_w = min(slot * 0.62, 42)
        parts.append(f'<g class="period"><title>{escape(column.label)}: {escape(column.text)}</title>')
        if column.value is None:
            parts.append(f'<text class="note" x="{cx:.1f}" y="{top + plot_h - 4}" text-anchor="middle">'
                         f'{escape(column.text)}</text>')
        else:
            parts.append(f'<rect class="column tone-{column.tone}" x="{cx - bar_w / 2:.1f}" y="{y(column.value):.1f}" '
                         f'width="{bar_w:.1f}" height="{max(top + plot_h - y(column.value), 1.5):.1f}" rx="2" '
                         f'{_attrs(data_period=column.label, data_value=f"{column.value:.6g}")}/>'
                         f'<text class="value" x="{cx:.1f}" y="{y(column.value) - 4:.1f}" text-anchor="middle">'
                         f'{escape(column.text)}</text>')
        parts.append(f'<text class="period-label" x="{cx:.1f}" y="{height - bottom + 15}" text-anchor="middle">'
                     f'{escape(column.label)}</text></g>')
    if target is not None:
        parts.append(f'<line class="target-line" x1="{left}" x2="{width - 8}" y1="{y(target):.1f}" '
                     f'y2="{y(target):.1f}"/>')
    parts.append(f'<line class="axis" x1="{left}" x2="{width - 8}" y1="{top + plot_h}" y2="{top + plot_h}"/></svg>')
    return "".join(parts)
