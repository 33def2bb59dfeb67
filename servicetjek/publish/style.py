"""The one report style for every figure: seaborn/matplotlib, SVG, deterministic, readable in grey-scale."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

# Dark to light, so series stay apart when printed in grey; the first is the municipality.
PALETTE = ["#1b3a5c", "#7f8c8d", "#c0392b", "#b9c4cc", "#2e7d5b", "#e0a526"]
LINESTYLES = ["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++"]
FIGSIZE = (7.2, 3.8)

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "figure.dpi": 100,
    "svg.hashsalt": "servicetjek",   # stable ids inside the SVG
    "svg.fonttype": "none",          # text stays text: smaller SVG, much faster PDF
    "axes.formatter.use_locale": False,
}


def apply() -> None:
    sns.set_theme(style="whitegrid", palette=PALETTE, rc=RC)
    plt.rcParams.update(RC)


@contextmanager
def figure(figsize=FIGSIZE, **kwargs):
    """A styled figure; closed afterwards so notebooks never echo it."""
    apply()
    fig, ax = plt.subplots(figsize=figsize, **kwargs)
    try:
        yield fig, ax
    finally:
        plt.close(fig)


def danish_ticks(ax, axis: str = "y", decimals: int = 0, percent: bool = False) -> None:
    """Tick labels in Danish number format."""
    from matplotlib.ticker import FuncFormatter

    from servicetjek.publish.formatting import number

    def fmt(value, _pos):
        return number(value, decimals) + (" %" if percent else "")

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(fmt))


def legend_below(ax, ncol: int = 2) -> None:
    """The legend under the plot, where it covers no data."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=ncol, frameon=False)


_VOLATILE = [re.compile(r"<metadata>.*?</metadata>\s*", re.S), re.compile(r"<!-- Created with .*? -->\s*")]


def to_svg(fig) -> str:
    """The figure as an SVG string with no dates, versions or random ids."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    for pattern in _VOLATILE:
        text = pattern.sub("", text)
    # a screen without DejaVu Sans falls back to a font of about its width
    text = text.replace("font-family: 'DejaVu Sans'", "font-family: 'DejaVu Sans', Verdana, sans-serif")
    # drop the XML prolog/doctype: the SVG is inlined into HTML
    return text[text.index("<svg"):]
