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
    from matplotlib.collections import PathCollection

    out = []
    texts = [(t.get_position(), t.get_text()) for t in ax.texts if t.get_text().strip()]
    for coll in ax.collections:
        if not isinstance(coll, PathCollection):
            continue
        offsets = coll.get_offsets()
        items = []
        for x, y in offsets:
            near = [txt for (tx, ty), txt in texts if _close(tx, x) and _close(ty, y)]
            name = near[0] if near else ""
            items.append(f"{name + ' ' if name else ''}({_num(float(x))}; {_num(float(y))})".strip())
        if items:
            out.append(_clip(items))
    return out


def _close(a, b) -> bool:
    try:
        return abs(float(a) - float(b)) <= max(1.0, abs(float(b)) * 0.15)
    except (TypeError, ValueError):
        return False


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
