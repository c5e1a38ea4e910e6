"""Small inline SVG charts for the HTML reports: pure functions from numbers to SVG text.

No JavaScript, no fonts or files fetched: each chart is one ``<svg>`` element to place in
a page as it is. Every piece of text in it (titles, labels, a student's metric names) is
escaped here, so the result may be marked safe in a template.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLOURS = ("#1a73e8", "#e8710a", "#17703a", "#9334e6", "#b3261e", "#5f6368")
MAX_POINTS = 500  # a longer series is drawn through evenly spaced epochs (the last kept)
_FONT = 'font-family="system-ui, sans-serif" font-size="11" fill="#444"'


def _number(value: float) -> str:
    """A value for an axis or a legend: four significant digits."""
    return f"{value:.4g}"


def line_chart(series: Sequence[tuple[str, Sequence[float]]], *, title: str,
               x_label: str = "epoch", width: int = 360, height: int = 190) -> str:
    """A line chart of one or more series over epochs 1, 2, …; the legend gives each last value.

    ``series`` pairs a label with its values; all share one y-range, from their smallest
    to their largest value. ``height`` is the chart's without its legend (16 px a series).
    """
    drawn = [(label, list(values)) for label, values in series if values]
    left, right, top, bottom = 58, width - 14, 26, height - 44
    epochs = max((len(v) for _, v in drawn), default=1)
    everything = [x for _, v in drawn for x in v] or [0.0]
    smallest, largest = min(everything), max(everything)
    pad = (largest - smallest) * 0.06 or abs(largest) * 0.1 or 0.5  # lines off the frame
    lo, hi = smallest - pad, largest + pad

    def x(epoch: int) -> float:  # epoch counts from 1
        return (left + right) / 2 if epochs == 1 else left + (epoch - 1) * (
            right - left) / (epochs - 1)

    def y(value: float) -> float:
        return bottom - (value - lo) * (bottom - top) / (hi - lo)

    legend_top = height + 4
    parts = [_open(width, legend_top + 16 * len(drawn), title),
             _text(left, 15, title, 'font-weight="600"'),
             f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
             'fill="none" stroke="#ccc"/>']
    for value in (smallest, (smallest + largest) / 2, largest):
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     'stroke="#eee"/>')
        parts.append(_text(left - 6, y(value) + 4, _number(value), 'text-anchor="end"'))
    for epoch in sorted({1, (epochs + 1) // 2, epochs}):
        parts.append(_text(x(epoch), bottom + 15, str(epoch), 'text-anchor="middle"'))
    parts.append(_text((left + right) / 2, bottom + 31, f"{x_label} (of {epochs})",
                       'text-anchor="middle"'))
    for i, (label, values) in enumerate(drawn):
        colour = COLOURS[i % len(COLOURS)]
        kept = _thin(len(values))
        points = " ".join(f"{x(e + 1):.1f},{y(values[e]):.1f}" for e in kept)
        last = len(values)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'stroke-linejoin="round" points="{points}"/>')
        parts.append(f'<circle cx="{x(last):.1f}" cy="{y(values[-1]):.1f}" r="3" '
                     f'fill="{colour}"/>')
        row = legend_top + 16 * i
        parts.append(f'<line x1="{left}" x2="{left + 18}" y1="{row - 4}" y2="{row - 4}" '
                     f'stroke="{colour}" stroke-width="2"/>')
        parts.append(_text(left + 24, row, f"{label}: {_number(values[-1])} at epoch {last}"))
    parts.append("</svg>")
    return "\n".join(parts)


def histogram(bins: Sequence[tuple[str, int]], *, title: str, x_label: str,
              y_label: str = "submissions", width: int = 480, height: int = 220) -> str:
    """Bars for counted bins (label, count), each count written above its bar."""
    left, right, top, bottom = 40, width - 10, 26, height - 40
    most = max((count for _, count in bins), default=0) or 1
    step = (right - left) / max(len(bins), 1)
    parts = [_open(width, height, title),
             _text(left, 15, title, 'font-weight="600"'),
             f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#999"/>',
             _text(12, (top + bottom) / 2, y_label,
                   f'text-anchor="middle" transform="rotate(-90 12 {(top + bottom) / 2:.1f})"')]
    for i, (label, count) in enumerate(bins):
        bar = (bottom - top - 14) * count / most
        x = left + i * step
        parts.append(f'<rect x="{x + 2:.1f}" y="{bottom - bar:.1f}" width="{step - 4:.1f}" '
                     f'height="{bar:.1f}" fill="{COLOURS[0]}"><title>{escape(label)}: '
                     f'{count}</title></rect>')
        parts.append(_text(x + step / 2, bottom - bar - 4, str(count), 'text-anchor="middle"'))
        parts.append(_text(x + step / 2, bottom + 14, label, 'text-anchor="middle"'))
    parts.append(_text((left + right) / 2, bottom + 31, x_label, 'text-anchor="middle"'))
    parts.append("</svg>")
    return "\n".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
            f"<title>{escape(title)}</title>")


def _text(x: float, y: float, text: str, extra: str = "") -> str:
    attributes = f"{_FONT} {extra}".rstrip()
    return f'<text x="{x:.1f}" y="{y:.1f}" {attributes}>{escape(text)}</text>'


def _thin(n: int) -> list[int]:
    """Indices of the points to draw: all of them, or MAX_POINTS spread evenly, last kept."""
    if n <= MAX_POINTS:
        return list(range(n))
    return sorted({round(i * (n - 1) / (MAX_POINTS - 1)) for i in range(MAX_POINTS)})
