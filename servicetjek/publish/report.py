"""Presentation: numbered tables and figures with caption, source and note, as HTML.

Notebooks display what these functions return, so a reader sees a finished
table ("Tabel 1: …", "Kilde: …", "Anm.: …"), never code or a DataFrame repr.
Every text from data is HTML-escaped here.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path
from typing import TypedDict, Unpack

import pandas as pd

from servicetjek import config
from servicetjek.publish import widths
from servicetjek.publish.describe import describe
from servicetjek.publish.provenance import MARK, MARK_NOTE, Source, constructed_behind
from servicetjek.publish.style import to_svg

CSS_FILE = Path(__file__).with_name("report.css")


def choose_layout(layout: str, allowed: tuple[str, ...], auto) -> str:
    """A table's layout: one of `allowed` as asked, or, for 'auto', what `auto()` picks from the data."""
    if layout in allowed:
        return layout
    if layout != "auto":
        raise ValueError(f"ukendt layout {layout!r}; brug 'auto', " + " eller ".join(repr(a) for a in allowed))
    return auto()


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def stylesheet() -> str:
    return f"<style>{CSS_FILE.read_text(encoding='utf-8')}</style>"


def table_footer(source: str | None, note: str | None) -> str:
    out = ""
    if source:
        out += f'<p class="st-source">Kilde: {esc(source)}</p>'
    if note:
        out += f'<p class="st-note">Anm.: {esc(note)}</p>'
    if getattr(source, "constructed", False):
        out += f'<p class="st-note st-mark-note">{esc(MARK_NOTE)}</p>'
    return out


def table_mark(source: str | None) -> str:
    """The constructed-values mark after a caption whose values rest on constructed inputs."""
    return f'<sup class="st-mark">{MARK}</sup>' if getattr(source, "constructed", False) else ""


class Footer(TypedDict, total=False):
    """A table's or figure's source line ("Kilde: …") and note ("Anm.: …")."""
    source: str
    note: str | None


class TableLayout(TypedDict, total=False):
    """table_html's layout options."""
    header_groups: list[tuple[str, int]]    # a header row above the column headers: (label, span)
    row_classes: list[str]                  # a class per body row ('total', 'sub', 'heading', '')
    first_column_header: str                # the label column's header
    css_class: str                          # a further class on the table's figure (e.g. 'st-catalogue')


def _head(groups: list[tuple[str, int]] | None, first: str, headers: list[str]) -> str:
    head = ""
    if groups:
        head += "<tr>" + "".join(
            f'<th scope="colgroup" colspan="{span}" class="st-group">{esc(label)}</th>' if span > 1 else
            f'<th scope="col" class="st-group">{esc(label)}</th>' for label, span in groups) + "</tr>"
    return head + "<tr>" + f'<th scope="col" class="st-label">{esc(first)}</th>' + "".join(
        f'<th scope="col">{esc(c)}</th>' for c in headers) + "</tr>"


def _rows(body: pd.DataFrame, classes: list[str] | None, keep: list[int]) -> str:
    rows = []
    for i, values in enumerate(body.itertuples(index=False)):
        cls = f' class="{esc(classes[i])}"' if classes and classes[i] else ""
        if classes and classes[i] == "heading" and not any(str(values[j]) for j in keep):
            # a group heading row: one cell across the table
            rows.append(f'<tr{cls}><th scope="rowgroup" colspan="{len(keep) + 1}" class="st-label">'
                        f"{esc(values[0])}</th></tr>")
            continue
        cells = f'<th scope="row" class="st-label">{esc(values[0])}</th>' + "".join(
            f"<td>{esc(values[j])}</td>" for j in keep)
        rows.append(f"<tr{cls}>{cells}</tr>")
    return "".join(rows)


def _group_of_column(groups: list[tuple[str, int]] | None, count: int) -> list[str] | None:
    if not groups:
        return None
    labels = [label for label, span in groups for _ in range(span)]
    return labels[:count] + [""] * (count - len(labels))


def _spans(labels: list[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for label in labels:
        if out and out[-1][0] == label and label:
            out[-1] = (label, out[-1][1] + 1)
        else:
            out.append((label, 1))
    return out


def _stacked(body: pd.DataFrame, columns: list[widths.Column], layout: TableLayout) -> str:
    """The print version of a table wider than a landscape page: blocks of columns, each with the labels."""
    groups = _group_of_column(layout.get("header_groups"), len(columns))
    names = [str(c) for c in body.columns]
    out = []
    for block in widths.column_blocks(columns):
        block_groups = _spans([groups[0]] + [groups[i] for i in block]) if groups else None
        head = _head(block_groups, layout.get("first_column_header", ""), [names[i] for i in block])
        out.append(f'<table class="st st-block"><thead>{head}</thead>'
                   f'<tbody>{_rows(body, layout.get("row_classes"), block)}</tbody></table>')
    return f'<div class="st-print-only" aria-hidden="true">{"".join(out)}</div>'


def table_html(body: pd.DataFrame, number: int, caption: str, source: str | None = None,
               note: str | None = None, **layout: Unpack[TableLayout]) -> str:
    """A formatted table. `body` holds display strings: the first column is the row label.

    The table's print layout ('portrait', 'wide' on a landscape page, 'stacked' in blocks of columns) is
    chosen from its width (servicetjek.publish.widths) and set as a class on the figure; on screen the table
    sits in a horizontal scroll container with a sticky label column."""
    unknown = set(layout) - set(TableLayout.__annotations__)
    if unknown:
        raise TypeError(f"table_html: unknown layout options {sorted(unknown)}")
    anchor = f"tabel-{number}"
    names = [str(c) for c in body.columns]
    first = layout.get("first_column_header", "")
    columns = [widths.Column(first, tuple(map(str, body.iloc[:, 0])), label=True)] + [
        widths.Column(names[j], tuple(map(str, body.iloc[:, j]))) for j in range(1, len(names))]
    fit = widths.print_layout(columns)
    keep = list(range(1, len(names)))
    table = (f'<table class="st"><thead>{_head(layout.get("header_groups"), first, names[1:])}</thead>'
             f'<tbody>{_rows(body, layout.get("row_classes"), keep)}</tbody></table>')
    if fit == "stacked":
        table = f'<div class="st-scroll st-screen-only">{table}</div>' + _stacked(body, columns, layout)
    else:
        table = f'<div class="st-scroll">{table}</div>'
    size = " st-long" if len(body) > 18 else ""
    extra = f" {esc(layout['css_class'])}" if layout.get("css_class") else ""
    return (f'<figure class="st-table st-{fit}{size}{extra}" id="{anchor}" data-columns="{len(names)}" '
            f'data-width-pt="{widths.width_pt(columns):.0f}">'
            f'<figcaption><span class="st-num">Tabel {number}:</span> {esc(caption)}{table_mark(source)}</figcaption>'
            f"{table}{table_footer(source, note)}</figure>")


TEXT_SIZE = re.compile(r'<text style="font-size: ([\d.]+)px')
SVG_WIDTH = re.compile(r'<svg [^>]*?width="([\d.]+)pt"')
MIN_TEXT_PX = 9.0


def min_width_px(svg: str) -> int:
    """The width (CSS px) below which the SVG's smallest text would be under 9 px: matplotlib writes text
    as <text> in user units of 1 pt (= 4/3 px at the SVG's own width)."""
    sizes = [float(x) for x in TEXT_SIZE.findall(svg)]
    width = SVG_WIDTH.search(svg)
    if not sizes or not width:
        return 0
    natural_px = float(width.group(1)) * 4 / 3
    return math.ceil(natural_px * MIN_TEXT_PX / (min(sizes) * 4 / 3))


def figure_html(fig, number: int, caption: str, source: str | None = None, note: str | None = None,
                alt: str | None = None) -> str:
    """A numbered figure as inline SVG. Its alt text (role="img", aria-label) states what it shows in
    numbers: `alt`, or the data read from the drawn figure (servicetjek.publish.describe)."""
    anchor = f"figur-{number}"
    svg = to_svg(fig)
    label = esc(alt or describe(fig) or caption)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" style="--st-min-width: {min_width_px(svg)}px" ', 1)
    return (f'<figure class="st-figure" id="{anchor}">'
            f'<figcaption><span class="st-num">Figur {number}:</span> {esc(caption)}{table_mark(source)}</figcaption>'
            f'<div class="st-svg">{svg}</div>{table_footer(source, note)}</figure>')


def markdown_html(text: str) -> str:
    """Markdown from data files -> HTML; raw HTML in the text is escaped, so no tag or script survives."""
    import mistune  # nbconvert's Markdown renderer

    return mistune.create_markdown(escape=True, plugins=["table"])(text or "")


def paragraphs(*sentences: str) -> str:
    """One paragraph per sentence; a sentence ending in an abbreviation ('kr.') gets no second full stop."""
    return "".join(f'<p class="st-text">{esc(s[:-1] if s.endswith("..") else s)}</p>' for s in sentences if s)


def heading(text: str, level: int = 2, anchor: str | None = None) -> str:
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f'<h{level} class="st-heading"{ident}>{esc(text)}</h{level}>'


# ---------------------------------------------------------------- sources
def source_text(base: str, provenance: pd.DataFrame, files: list[str], reproduces: str | None = None) -> Source:
    """'Kilde' text for values built from `files`; it knows whether they rest on constructed inputs (the
    table or figure is then marked, see publish/provenance.py). `reproduces`: the published table these
    values equal (e.g. "Tabel 1"), when the constructed inputs were built to reproduce it."""
    return Source(base, constructed_behind(provenance, files, reproduces))


# ---------------------------------------------------------------- CSV tables
def write_table(frame: pd.DataFrame, slug: str, table_id: str, output_dir: str | Path | None = None) -> Path:
    """Machine-readable copy of a table at full precision: reports/<slug>/tables/<id>.csv."""
    folder = Path(output_dir) if output_dir else config.report_dir(slug) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table_id}.csv"
    tmp = path.with_suffix(".csv.tmp")
    frame.to_csv(tmp, index=False, float_format="%.10g")
    tmp.replace(path)
    return path


def chapter_heading(chapter, kommune: str, inputs=None) -> str:
    """The chapter's heading: number and title from the declaration (provenance is in Datagrundlag)."""
    number = chapter.number
    return heading(f"{number}. {chapter.title_for(kommune)}", 2, anchor=f"kapitel-{number}")
