"""How wide a table is, and how it goes on paper: computed from the table's text when its HTML is made.

A table's width on paper is estimated from its columns: each column is as wide as its widest cell
(numbers and short texts stay on one line) or, for a column of running text, as wide as a wrapped
column of text; header cells wrap between words. The estimate (in pt, at the print font size of
report_print.css) chooses the table's print layout:

- 'portrait'  fits the A4 portrait text width;
- 'wide'      fits an A4 landscape page: the table gets its own landscape page (`page: wide`);
- 'stacked'   wider than landscape: on paper the columns are split into blocks that each fit a
              landscape page, each block repeating the first (label) column; on screen it stays one
              table in a horizontal scroll container.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# A4 text widths (report_print.css: margins 20 + 18 mm, both orientations), with a safety margin
PORTRAIT_PT = 487 - 10
LANDSCAPE_PT = 734 - 12
FONT_PT = {False: 8.5, True: 7.8}   # table.st's print size: portrait, landscape pages
PAD_PT = {False: 13.5, True: 6.0}   # cell padding, both sides: 9 px, 4 px
# a column of running text wraps at about this many characters (label column, other columns)
WRAP_CHARS = {False: (26, 26), True: (26, 18)}
AVERAGE_EM = 0.56                   # DejaVu Sans, average glyph width of running text


@lru_cache(maxsize=2)
def _font(bold: bool):
    from matplotlib import font_manager
    from PIL import ImageFont

    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans",
                                                             weight="bold" if bold else "normal"))
    return ImageFont.truetype(path, 100)


@lru_cache(maxsize=4096)
def em(text: str, bold: bool = False) -> float:
    """The text's width in em in the report's font (DejaVu Sans, as report.css and WeasyPrint use it)."""
    return _font(bold).getlength(text) / 100


@dataclass(frozen=True)
class Column:
    header: str
    cells: tuple[str, ...]
    label: bool = False     # the first column (row headers)

    def width(self, wide: bool = False) -> float:
        """The column's width in pt: its longest header word (headers wrap between words), and its cells
        on one line, or wrapped at about WRAP_CHARS where the column holds running text."""
        head = max((em(w, bold=True) for w in self.header.split()), default=0.0)
        cells = [str(c) for c in self.cells]
        wrap = WRAP_CHARS[wide][0 if self.label else 1]
        if max((len(c) for c in cells), default=0) > wrap and any(" " in c for c in cells):
            word = max((em(w) for c in cells for w in c.split()), default=0.0)
            body = max(word, wrap * AVERAGE_EM)
        else:
            body = max((em(c) for c in cells), default=0.0)
        return max(head, body) * FONT_PT[wide] + PAD_PT[wide]


def width_pt(columns: list[Column], wide: bool = False) -> float:
    return sum(c.width(wide) for c in columns)


def print_layout(columns: list[Column]) -> str:
    """'portrait', 'wide' or 'stacked' (see the module's doc)."""
    if width_pt(columns) <= PORTRAIT_PT:
        return "portrait"
    if width_pt(columns, wide=True) <= LANDSCAPE_PT:
        return "wide"
    return "stacked"


def column_blocks(columns: list[Column]) -> list[list[int]]:
    """The data columns (indices from 1) in blocks that, with the label column, fit a landscape page;
    blocks of about equal size, so the last is not a stub."""
    label = width_pt(columns[:1], wide=True)
    data = list(range(1, len(columns)))
    blocks: list[list[int]] = [[]]
    used = label
    for i in data:
        w = width_pt([columns[i]], wide=True)
        if blocks[-1] and used + w > LANDSCAPE_PT:
            blocks.append([])
            used = label
        blocks[-1].append(i)
        used += w
    # even out: the same number of blocks, columns spread as equally as possible
    n = len(blocks)
    size, extra = divmod(len(data), n)
    out, start = [], 0
    for k in range(n):
        end = start + size + (1 if k < extra else 0)
        out.append(data[start:end])
        start = end
    fits = all(label + sum(width_pt([columns[i]], wide=True) for i in b) <= LANDSCAPE_PT for b in out)
    return out if fits else blocks
