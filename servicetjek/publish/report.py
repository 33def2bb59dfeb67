"""Presentation: numbered tables and figures with caption, source and note, as HTML.

Notebooks display what these functions return, so a reader sees a finished
table ("Tabel 1: …", "Kilde: …", "Anm.: …"), never code or a DataFrame repr.
Every text from data is HTML-escaped here.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from servicetjek import config
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


def _footer(source: str | None, note: str | None) -> str:
    out = ""
    if source:
        out += f'<p class="st-source">Kilde: {esc(source)}</p>'
    if note:
        out += f'<p class="st-note">Anm.: {esc(note)}</p>'
    return out


def table_html(body: pd.DataFrame, number: int, caption: str, source: str | None = None,
               note: str | None = None, header_groups: list[tuple[str, int]] | None = None,
               row_classes: list[str] | None = None, first_column_header: str = "") -> str:
    """A formatted table. `body` holds display strings: the first column is the row label."""
    anchor = f"tabel-{number}"
    head = ""
    if header_groups:
        head += "<tr>" + "".join(
            f'<th colspan="{span}" class="st-group">{esc(label)}</th>' for label, span in header_groups) + "</tr>"
    cols = list(body.columns)
    head += "<tr>" + f'<th class="st-label">{esc(first_column_header)}</th>' + "".join(
        f"<th>{esc(c)}</th>" for c in cols[1:]) + "</tr>"
    rows = []
    for i, values in enumerate(body.itertuples(index=False)):
        cls = f' class="{esc(row_classes[i])}"' if row_classes and row_classes[i] else ""
        cells = f'<th scope="row" class="st-label">{esc(values[0])}</th>' + "".join(
            f"<td>{esc(v)}</td>" for v in values[1:])
        rows.append(f"<tr{cls}>{cells}</tr>")
    return (f'<figure class="st-table" id="{anchor}">'
            f'<figcaption><span class="st-num">Tabel {number}:</span> {esc(caption)}</figcaption>'
            f'<table class="st"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
            f"{_footer(source, note)}</figure>")


def figure_html(fig, number: int, caption: str, source: str | None = None, note: str | None = None,
                alt: str | None = None) -> str:
    anchor = f"figur-{number}"
    svg = to_svg(fig)
    label = esc(alt or caption)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return (f'<figure class="st-figure" id="{anchor}">'
            f'<figcaption><span class="st-num">Figur {number}:</span> {esc(caption)}</figcaption>'
            f'<div class="st-svg">{svg}</div>{_footer(source, note)}</figure>')


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
def source_text(base: str, provenance: pd.DataFrame, files: list[str]) -> str:
    """'Kilde' text from the data's provenance: the base source, and a visible notice
    where any of the inputs behind the table are constructed."""
    rows = provenance[provenance["file"].apply(lambda f: any(f == x or f.startswith(x) for x in files))]
    if (rows["kind"] == "constructed").any():
        return f"{base}. Bemærk: dele af inputtet er konstrueret (ikke offentliggjorte tal), se datakilder."
    return base


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


CONSTRUCTED_NOTICE = ("Bemærk: Dele af de tal, rapporten bygger på, er konstrueret og ikke offentliggjort – "
                      "de er lavet, så de stemmer med de offentliggjorte nøgletal. Hvert inputtal er mærket "
                      "offentliggjort eller konstrueret i datakilderne (data/raw/README.md).")


def chapter_heading(chapter, kommune: str, inputs) -> str:
    """The chapter's heading (number and title from the declaration), with the constructed-inputs notice
    where it applies."""
    number = chapter.number
    out = heading(f"{number}. {chapter.title_for(kommune)}", 2, anchor=f"kapitel-{number}")
    if inputs.constructed:
        out += f'<p class="st-notice">{esc(CONSTRUCTED_NOTICE)}</p>'
    return out
