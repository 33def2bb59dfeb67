"""An HTML table (report.table_html, or a Markdown table in a text) as a Word table: header rows marked
as header rows (repeated on every page), merged cells for colspan/rowspan, fixed column widths from
the table's text (publish/widths.py) that fit the page's text width."""

from __future__ import annotations

import re

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from servicetjek.publish import widths
from servicetjek.publish import word_setup as ws

FONT_PT = {"portrait": 8.5, "wide": 7.5, "econ": 7.0}
HEAD_FILL, GROUP_FILL, HEADING_FILL = "1B3A5C", "33597F", "EEF2F5"
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
RUNNING_TEXT = 30      # a cell longer than this is running text: left-aligned, as in the catalogue


def _span(cell, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, 1)), 1000))
    except ValueError:
        return 1


def grid(node) -> tuple[list, list[tuple[int, int, int, int, object]], int, int]:
    """(rows, [(row, col, colspan, rowspan, cell)], columns, header rows) of an HTML table."""
    rows = node.find_all("tr")
    placed, taken = [], set()
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["th", "td"], recursive=False):
            while (r, c) in taken:
                c += 1
            cs, rs = _span(cell, "colspan"), min(_span(cell, "rowspan"), len(rows) - r)
            taken.update((r + i, c + j) for i in range(rs) for j in range(cs))
            placed.append((r, c, cs, rs, cell))
            c += cs
    columns = max((c for _, c in taken), default=-1) + 1
    head = node.find("thead")
    header_rows = len(head.find_all("tr")) if head else 0
    return rows, placed, columns, header_rows


def _text(cell) -> str:
    return re.sub(r"\s+", " ", cell.get_text(" ")).strip()


def column_widths(placed, columns: int, header_rows: int, available: int, stretch: bool) -> list[int]:
    """Each column's width (EMU), estimated from its text as the PDF's layout does, scaled to fit."""
    heads: list[str] = [""] * columns
    cells: list[list[str]] = [[] for _ in range(columns)]
    for r, c, cs, _, cell in placed:
        if cs != 1:
            continue
        if r < header_rows:
            heads[c] = _text(cell)
        else:
            cells[c].append(_text(cell))
    natural = [max(widths.Column(heads[c], tuple(cells[c]), label=c == 0).width(wide=stretch), 18.0)
               for c in range(columns)]
    total = sum(natural) * 12700     # pt -> EMU
    scale = available / total if stretch or total > available else 1.0
    return [int(w * 12700 * scale) for w in natural]


def write_table(writer, node, kind) -> None:
    doc = writer.doc
    rows, placed, columns, header_rows = grid(node)
    if not rows or not columns:
        return
    table = doc.add_table(rows=len(rows), cols=columns)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for r, c, cs, rs, _ in placed:
        if cs > 1 or rs > 1:
            table.cell(r, c).merge(table.cell(r + rs - 1, c + cs - 1))
    section = doc.sections[-1]
    ws.fixed_widths(table, column_widths(placed, columns, header_rows, ws.text_width(section),
                                         stretch=kind.wide or kind.econ))
    size = Pt(FONT_PT["econ" if kind.econ else "wide" if kind.wide else "portrait"])
    cells = table._cells
    style_id = writer.style_id("Tabeltekst")
    for r, c, _, _, cell in placed:
        target = cells[r * columns + c]
        paragraph = target.paragraphs[0]
        paragraph._p.style = style_id
        writer.inline(paragraph, cell)
        _format(target, paragraph, cell, r < header_rows)
        for run in paragraph.runs:
            run.font.size = size
    for r, (row, tr) in enumerate(zip(table.rows, rows)):
        ws.cant_split(row)
        if r < header_rows:
            ws.repeat_header(row)
        if r < header_rows or (not kind.long and r < len(rows) - 1):   # a short table stays on one page
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
        _row_class(row, tr, columns)


def _format(target, paragraph, cell, header: bool) -> None:
    classes = set(cell.get("class") or [])
    if header:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if "st-label" in classes else WD_ALIGN_PARAGRAPH.CENTER
        ws.shade(target, GROUP_FILL if "st-group" in classes else HEAD_FILL)
        for run in paragraph.runs:
            run.bold, run.font.color.rgb = True, WHITE
    elif cell.name == "td":
        long_text = len(_text(cell)) > RUNNING_TEXT
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if long_text else WD_ALIGN_PARAGRAPH.RIGHT
    elif cell.name == "th":
        for run in paragraph.runs:     # a row label: not bold (as in the report)
            run.bold = None


def _row_class(row, tr, columns: int) -> None:
    classes = set(tr.get("class") or [])
    seen = set()
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        for run in cell.paragraphs[0].runs:
            if "total" in classes or "heading" in classes:
                run.bold = True
        if "heading" in classes:
            ws.shade(cell, HEADING_FILL)
    if "sub" in classes:
        label = row.cells[0].paragraphs[0]
        label.paragraph_format.left_indent = Pt(10)
        for run in label.runs:
            run.italic = True
