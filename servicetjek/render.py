"""Report assembly: executed chapter notebooks + the municipality's texts → one HTML page and one PDF.

- `chapter_fragment(nb)` takes the HTML outputs a chapter displayed (never code, prompts, streams or
  plain-text reprs) and drops the per-output stylesheet (the report carries it once).
- `text_chapter` renders chapter 1 / 6 from Markdown with placeholders filled from data (raw HTML
  in the text is escaped); `resume_chapter` writes chapter 2 from the CSV tables the chapters wrote.
- `report_html` puts title page, table of contents and chapters together: one self-contained page
  (inline CSS and SVG, no script, no external URL; a Content-Security-Policy forbids any request).
- `write_pdf` renders that page with WeasyPrint in one call (A4, page numbers, running header).
"""

from __future__ import annotations

import csv
import datetime as _dt
import html
import re
from dataclasses import dataclass
from pathlib import Path

from . import formatting as fmt
from .report import CONSTRUCTED_NOTICE, CSS_FILE, esc, markdown_html

PRINT_CSS_FILE = Path(__file__).with_name("report_print.css")
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
CAPTION = re.compile(r'<span class="st-num">(Tabel|Figur) (\d+):</span>')
STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
CHAPTER_HEADING = re.compile(r'<h2 class="st-heading" id="(kapitel-\d+)">(.*?)</h2>', re.S)
SECTION_HEADING = re.compile(r'<h3 class="st-heading" id="([^"]+)">(.*?)</h3>', re.S)

TEXT_TITLES = {"indledning": "Indledning", "vurdering": "Overordnet vurdering af potentialer for bedre effekter"}


# ------------------------------------------------------------------ chapters from notebooks
def chapter_fragment(nb) -> str:
    """The chapter as the reader sees it: every text/html output, in order, without stylesheets."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") in ("display_data", "execute_result"):
                data = out.get("data", {})
                if "text/html" in data:
                    text = data["text/html"]
                    text = "".join(text) if isinstance(text, list) else text
                    parts.append(STYLE_BLOCK.sub("", text))
    return "\n".join(parts)


SVG_BLOCK = re.compile(r"<svg\b.*?</svg>", re.S)


def unique_svg_ids(fragment: str, prefix: str) -> str:
    """Inline SVGs reuse ids (matplotlib's glyph and clip-path ids); prefix each SVG's ids and the
    references to them, so the whole page has unique ids."""
    counter = iter(range(1, 1_000_000))

    def one(match: re.Match) -> str:
        svg = match.group(0)
        tag = f"{prefix}s{next(counter)}-"
        ids = set(re.findall(r'\bid="([^"]+)"', svg))
        if not ids:
            return svg
        svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{tag}{m.group(1)}"', svg)
        svg = re.sub(r'(href=")#([^"]+)"', lambda m: f'{m.group(1)}#{tag}{m.group(2)}"' if m.group(2) in ids
                     else m.group(0), svg)
        return re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{tag}{m.group(1)})" if m.group(1) in ids
                      else m.group(0), svg)

    return SVG_BLOCK.sub(one, fragment)


def captions(fragment: str) -> dict[str, list[int]]:
    """{'Tabel': [numbers…], 'Figur': [numbers…]} in the order they appear."""
    out: dict[str, list[int]] = {"Tabel": [], "Figur": []}
    for kind, number in CAPTION.findall(fragment):
        out[kind].append(int(number))
    return out


def chapter_page(nb, kommune: str = "") -> str:
    """One chapter as its own self-contained HTML page: nbconvert's body (inputs and prompts left out,
    'basic' template: no script, no CDN link) inside the report's head (CSS inline, CSP)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            template_name="basic")
    body, _ = exporter.from_notebook_node(nb)
    heading = CHAPTER_HEADING.search(body)
    title = html.unescape(re.sub(r"<[^>]+>", "", heading.group(2))) if heading else "Kapitel"
    if kommune:
        title += f" – {kommune} Kommune"
    return ("<!DOCTYPE html>\n"
            '<html lang="da"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<title>{esc(title)}</title><style>{stylesheets()}</style></head>"
            f'<body><main class="report chapter-page">{STYLE_BLOCK.sub("", body)}</main></body></html>\n')


# ------------------------------------------------------------------ chapters 1, 2 and 6
def _chapter_open(number: int, title: str, constructed: bool) -> str:
    out = f'<h2 class="st-heading" id="kapitel-{number}">{esc(f"{number}. {title}")}</h2>'
    if constructed:
        out += f'<p class="st-notice">{esc(CONSTRUCTED_NOTICE)}</p>'
    return out


def text_chapter(number: int, title: str, template: str, context: dict, file: Path | str,
                 constructed: bool) -> str:
    """Chapter 1 or 6: the Markdown text, placeholders filled from data, raw HTML escaped."""
    from .catalogue import render

    text = render(HTML_COMMENT.sub("", template), context, file=file)
    return _chapter_open(number, title, constructed) + f'<div class="st-text-block">{markdown_html(text)}</div>'


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def resume_sentences(kommune: str, tables: Path, chapters: dict[int, str], catalogue=None,
                     unit_costs: dict | None = None) -> dict[str, list[str]]:
    """Sentences per topic, from reports/<slug>/tables/*.csv (and the catalogue / unit costs when the
    chapters that show them are in the report)."""
    out: dict[str, list[str]] = {}
    dev_file = tables / "status_development.csv"
    if dev_file.is_file():
        rows = {r["row_id"]: r for r in _read_csv(dev_file)}
        total = rows.get("i_alt")
        if total:
            years = [c for c in total if c.isdigit()]
            last, prev, first = float(total[years[-1]]), float(total[years[-2]]), float(total[years[0]])
            word = "steget" if last >= prev else "faldet"
            sentences = [
                f"I {years[-1]} modtog gennemsnitligt {fmt.number(last)} fuldtidspersoner offentlig "
                f"forsørgelsesydelse i {kommune} Kommune. Antallet er {word} med {fmt.number(abs(last - prev))} "
                f"fuldtidspersoner ({fmt.change(float(total['change_latest']), 1)}) fra {years[-2]} til {years[-1]}."]
            if len(years) > 2:
                sentences.append(f"Over hele perioden {years[0]}–{years[-1]} er antallet "
                                 f"{'steget' if last >= first else 'faldet'} med {fmt.number(abs(last - first))} "
                                 f"fuldtidspersoner ({fmt.change(float(total['change_period']), 1)}).")
            if "foertidspension" in rows:
                active = last - float(rows["foertidspension"][years[-1]])
                sentences.append(f"Heraf er ca. {fmt.number(round(active, -2))} i målgruppen for en aktiv "
                                 "beskæftigelsesindsats (alle ydelsesgrupper undtagen førtidspension).")
            out["status"] = sentences
    longrun_file = tables / "status_longrun.csv"
    if longrun_file.is_file():
        rows = _read_csv(longrun_file)
        gap = float(rows[-1]["gap"])
        if gap > 0:
            out.setdefault("status", []).append(
                f"Havde udviklingen siden {rows[0]['year']} fulgt det nære arbejdsmarked, ville der i "
                f"{rows[-1]['year']} have været ca. {fmt.number(gap)} færre fuldtidspersoner på ydelse.")
    pot_file = tables / "scenario_potential.csv"
    if pot_file.is_file():
        rows = _read_csv(pot_file)
        last = rows[-1]
        out["scenarier"] = [
            f"Scenarierne for den fremtidige udvikling viser et potentiale på ca. "
            f"{fmt.number(float(last['persons']))} fuldtidspersoner i {last['year']} i forhold til kommunens "
            f"budgetforudsætninger, svarende til ca. {fmt.mio_kr(float(last['kr']), 1)}"]
    unit_file = tables / "cost_unit.csv"
    if 5 in chapters and unit_file.is_file():
        rows = {r["row_id"]: r for r in _read_csv(unit_file)}
        row = rows.get("samlet")
        if row and row.get("kommune_1000kr") and row.get("mean_others_1000kr"):
            unit_costs = {"row": row.get("label", "samlet").lower(), "kommune": float(row["kommune_1000kr"]),
                          "mean": float(row["mean_others_1000kr"]),
                          "deviation": float(row["deviation_pct"]) / 100 if row.get("deviation_pct") else None}
    if unit_costs and 5 in chapters:
        own, mean, dev = unit_costs.get("kommune"), unit_costs.get("mean"), unit_costs.get("deviation")
        if own is not None and mean is not None:
            dev = own / mean - 1 if dev is None else dev
            word = "lavere" if dev < 0 else "højere"
            out["omkostninger"] = [
                f"{kommune} Kommune brugte {fmt.number(round(own * 1000, -2))} kr. pr. fuldtidsperson i målgrupperne for "
                f"beskæftigelsesindsatsen mod gennemsnitligt {fmt.number(round(mean * 1000, -2))} kr. i de sammenlignede "
                f"jobcentre, dvs. {fmt.number(abs(dev) * 100, 0)} pct. {word} enhedsomkostninger."]
    overview_file = tables / "catalogue_overview.csv"
    totals: dict[str, float] | None = None
    count = None
    if 7 in chapters and overview_file.is_file():
        rows = _read_csv(overview_file)
        count = sum(1 for r in rows if r.get("row_type") == "proposal")
        total = next((r for r in rows if r.get("row_type") == "total"), None)
        if total:
            totals = {k.rsplit("_", 1)[1]: float(v) for k, v in total.items()
                      if k.startswith("effect_1000kr_") and v not in ("", None)}
    elif 7 in chapters and catalogue is not None:
        from .catalogue import catalogue_total

        totals = {str(y): v for y, v in catalogue_total(catalogue).items()}
        count = len(catalogue.proposals)
    if totals is not None and count:
        years = [y for y in sorted(totals) if totals[y]] or sorted(totals)
        amounts = ", ".join(f"{fmt.number(totals[y])} i {y}" for y in years)
        amounts = " og".join(amounts.rsplit(",", 1)) if len(years) > 1 else amounts
        out["katalog"] = [f"Kataloget i kapitel 7 rummer {count} forslag til optimering af effekter og indsats.",
                          f"Samlet har forslagene en økonomisk effekt på {amounts} (1.000 kr.; et negativt beløb er "
                          "en besparelse)."]
    return out


RESUME_HEADINGS = {
    "status": "Udviklingen i antallet af borgere på offentlig forsørgelse",
    "scenarier": "Scenarier for udviklingen i forsørgelsesudgifterne",
    "omkostninger": "Omkostningseffektivitet",
    "katalog": "Forslag til optimering",
}


def resume_chapter(number: int, sentences: dict[str, list[str]], constructed: bool) -> str:
    out = _chapter_open(number, "Resume", constructed)
    out += ('<p class="st-text">I dette afsnit er de væsentligste resultater af servicetjekkets analyser samlet. '
            'Alle tal er hentet fra tabellerne i de efterfølgende kapitler.</p>')
    for key, title in RESUME_HEADINGS.items():
        if sentences.get(key):
            out += f'<h3 class="st-subheading">{esc(title)}</h3>'
            out += "".join(f'<p class="st-text">{esc(s)}</p>' for s in sentences[key])
    return out


# ------------------------------------------------------------------ the whole page
@dataclass
class TitlePage:
    kommune: str
    title: str
    subtitle: str
    consultant: str | None
    build_date: _dt.date
    data_period: str
    constructed: bool


def _toc(chapters: list[tuple[int, str]]) -> str:
    items = []
    for _, body in chapters:
        for anchor, text in CHAPTER_HEADING.findall(body):
            items.append(f'<li class="toc-chapter"><a href="#{anchor}">{text}</a></li>')
            for sub_anchor, sub_text in SECTION_HEADING.findall(body):
                items.append(f'<li class="toc-section"><a href="#{sub_anchor}">{sub_text}</a></li>')
            break
    return ('<nav class="toc" id="indhold" aria-label="Indholdsfortegnelse"><h2 class="toc-title">Indhold</h2>'
            f'<ol>{"".join(items)}</ol></nav>')


def _title_page(t: TitlePage) -> str:
    date = f"{t.build_date.day}. {_MONTHS[t.build_date.month - 1]} {t.build_date.year}"
    notice = f'<p class="st-notice title-notice">{esc(CONSTRUCTED_NOTICE)}</p>' if t.constructed else ""
    consultant = f'<p class="title-meta">Udarbejdet af {esc(t.consultant)}</p>' if t.consultant else ""
    return (f'<section class="title-page" id="forside">'
            f'<p class="title-kicker">{esc(t.kommune)} Kommune</p>'
            f'<h1 class="title">{esc(t.title)}</h1>'
            f'<p class="subtitle">{esc(t.subtitle)}</p>'
            f'<dl class="title-facts"><dt>Kommune</dt><dd>{esc(t.kommune)} Kommune</dd>'
            f'<dt>Dataperiode</dt><dd>{esc(t.data_period)}</dd>'
            f'<dt>Dannet</dt><dd>{esc(date)}</dd></dl>'
            f"{consultant}{notice}</section>")


_MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"]


def stylesheets() -> str:
    return CSS_FILE.read_text(encoding="utf-8") + "\n" + PRINT_CSS_FILE.read_text(encoding="utf-8")


def report_html(title: TitlePage, chapters: list[tuple[int, str]]) -> str:
    """The whole report: title page, TOC, chapters in number order."""
    chapters = sorted(chapters)
    body = "".join(f'<section class="chapter" data-chapter="{n}">{unique_svg_ids(text, f"k{n}")}</section>'
                   for n, text in chapters)
    head_title = esc(f"{title.title} – {title.kommune} Kommune")
    return ("<!DOCTYPE html>\n"
            '<html lang="da"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{head_title}</title><style>{stylesheets()}</style></head>"
            f'<body><main class="report">{_title_page(title)}{_toc(chapters)}{body}</main></body></html>\n')


def write_pdf(page: str, target: Path) -> None:
    """One WeasyPrint call for the whole report (no base URL: nothing may be fetched)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    HTML(string=page, base_url=None).write_pdf(str(target))
