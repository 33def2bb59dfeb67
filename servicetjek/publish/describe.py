"""What a figure shows, in numbers: the alt text of a report figure, read from the drawn matplotlib figure.

Lines give their values per x, bars their value per category, scatter points their label and position;
numbers in Danish format. A figure is drawn (savefig) before it is described, so tick labels exist.
"""

from __future__ import annotations

import math
import re

from servicetjek.publish import formatting as fmt

MAX_ITEMS = 24      # values listed per series before the rest is summarised


def _num(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 1
    return fmt.number(value, decimals)


def _tick_label(ticks: list[tuple[float, str]], pos: float) -> str:
    if float(pos).is_integer() and 1900 <= pos <= 2100:      # a year
        return str(int(pos))
    if not ticks:
        return _num(pos)
    value, label = min(ticks, key=lambda t: abs(t[0] - pos))
    return label if abs(value - pos) < 0.5 and label else _num(pos)


def _ticks(axis) -> list[tuple[float, str]]:
    return [(t.get_position()[0 if axis.axis_name == "x" else 1], t.get_text()) for t in axis.get_ticklabels()]


def _clip(items: list[str]) -> str:
    if len(items) > MAX_ITEMS:
        items = items[:MAX_ITEMS] + [f"og {len(items) - MAX_ITEMS} flere"]
    return "; ".join(items)


def _lines(ax) -> list[str]:
    out = []
    for line in ax.get_lines():
        label = str(line.get_label())
        xs, ys = line.get_xdata(), line.get_ydata()
        if label.startswith("_") or len(xs) < 2:
            continue
        x_ticks = _ticks(ax.xaxis)
        pairs = [f"{_tick_label(x_ticks, float(x)) if not isinstance(x, str) else x}: {_num(float(y))}"
                 for x, y in zip(xs, ys)]
        out.append(f"{label}: {_clip(pairs)}")
    return out


def _bars(ax) -> list[str]:
    from matplotlib.container import BarContainer

    out = []
    for container in ax.containers:
        if not isinstance(container, BarContainer) or not container.patches:
            continue
        horizontal = container.orientation == "horizontal"
        cats = _ticks(ax.yaxis if horizontal else ax.xaxis)
        items = []
        for patch in container.patches:
            if horizontal:
                pos, value = patch.get_y() + patch.get_height() / 2, patch.get_width() + patch.get_x()
            else:
                pos, value = patch.get_x() + patch.get_width() / 2, patch.get_height() + patch.get_y()
            items.append(f"{_tick_label(cats, pos)}: {_num(value)}")
        label = str(container.get_label() or "")
        out.append((f"{label}: " if label and not label.startswith("_") else "") + _clip(items))
    return out


def _points(ax) -> list[str]:
    """Scatter points with the label of the annotation nearest each (in axes coordinates)."""
    from matplotlib.collections import PathCollection

    to_axes = ax.transData + ax.transAxes.inverted()
    texts = []
    for t in ax.texts:
        label = t.get_text().strip()
        if label and "\n" not in label:
            xy = getattr(t, "xy", None) if t.get_text() else None      # annotations point at their data
            position = xy if xy is not None else t.get_position()
            texts.append((to_axes.transform(position), label))
    points = [(float(x), float(y)) for coll in ax.collections if isinstance(coll, PathCollection)
              for x, y in coll.get_offsets()]
    if not points:
        return []
    where_points = to_axes.transform(points)
    names = [""] * len(points)
    for where, label in texts:
        dist = [((where[0] - a) ** 2 + (where[1] - b) ** 2) ** 0.5 for a, b in where_points]
        best = min(range(len(points)), key=dist.__getitem__)
        if dist[best] < 0.05 and not names[best]:
            names[best] = label
    return [_clip([f"{name + ' ' if name else ''}({_num(x)}; {_num(y)})" for name, (x, y) in zip(names, points)])]


def describe(fig) -> str:
    """The figure's data as one sentence per axes: axis titles, then each series with its values."""
    parts = []
    for ax in fig.axes:
        series = _lines(ax) + _bars(ax) + _points(ax)
        if not series:
            continue
        axes = [label for label in (ax.get_xlabel(), ax.get_ylabel()) if label]
        head = f"Akser: {' og '.join(axes)}. " if axes else ""
        parts.append(head + ". ".join(series))
    text = " ".join(parts)
    return re.sub(r"\s+", " ", text).strip()
