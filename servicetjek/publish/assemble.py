"""The report page: title page, contents and every chapter of the declaration, in its order — notebook
chapters from their executed notebooks, text chapters from the consultant's Markdown, the Resume from
the values the chapters publish."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from servicetjek.publish import provenance, render


def data_period(inp) -> str:
    years = inp.municipality.config.years
    return f"{years.status[0]}–{years.status[-1]} (faktiske tal); {years.scenario[0]}–{years.scenario[-1]} (scenarier)"


def chapter_bodies(inp, report, build_dir: Path) -> list[tuple[int, str]]:
    """[(number, HTML)] for every declared chapter."""
    import nbformat

    from servicetjek.chapters.resume import resume_sections
    from servicetjek.chapters.values import published_values
    from servicetjek.inputs.texts import render_text

    mun = inp.municipality
    # only text chapters and the Resume use them (0,4 s; the public-data report has neither)
    values = published_values(inp, report) if any(c.decl.kind not in ("notebook", "provenance")
                                                  for c in report.chapters) else {}
    out = []
    for chapter in report.chapters:
        kind = chapter.decl.kind
        if kind == "notebook":
            nb = nbformat.read(build_dir / "notebooks" / chapter.notebook.name, as_version=4)
            body = render.chapter_fragment(nb)
            body = render.csv_links(body, {str(chapter.table_number(t)): t for t in chapter.decl.tables})
        elif kind == "text":
            body = render.text_chapter(chapter.number, chapter.title_for(mun.name),
                                       render_text(mun.folder, chapter, values))
        elif kind == "provenance":
            body = provenance_body(inp, report, chapter)
        else:
            body = render.resume_chapter(chapter.number, chapter.title_for(mun.name),
                                         resume_sections(values, report, mun.name))
        out.append((chapter.number, body))
    return out


def provenance_rows(inp, report):
    """The provenance of the report's inputs: the municipality's (those the report reads) and, for the
    follow-up report, its own monthly inputs."""
    import pandas as pd

    rows = inp.provenance[inp.provenance["file"].map(lambda f: report.needs(f) or f == "national_forecast.csv")]
    if report.needs("goals.yaml"):
        from servicetjek.inputs import followup

        rows = pd.concat([rows, followup.load(inp.slug, set(inp.benefit_costs.index)).table], ignore_index=True)
    return rows


def provenance_body(inp, report, chapter) -> str:
    """The Datagrundlag chapter: every input in plain words, published (source) or constructed (how)."""
    mun = inp.municipality
    own = re.search(r"\b(\d{3})_[0-9a-f]{8,}\.txt", mun.config.provenance)
    year = getattr(getattr(mun.config, "report", None), "published", None)
    docs = provenance.Documents(own=own.group(1) if own else "",
                                own_name=f"servicetjekket fra {year}" if year else "det offentliggjorte servicetjek")
    names = {g.id: g.name for g in mun.groups.groups}
    if report.needs("proposals.yaml"):
        names |= {p.id: f"forslag {p.number}, {p.title}" for p in inp.catalogue().proposals}
    items = provenance.entries(provenance_rows(inp, report), docs, names)
    return provenance.section_html(chapter.number, chapter.title_for(mun.name), items,
                                   inp.value_warnings)


# A committee item of a few pages: no title page of its own, no table of contents, the report kind's
# title in the running header (added after the stylesheets, so it overrides them).
COMPACT_CSS = """
main.report.compact nav.toc { display: none; }
@media print {
  @page { @top-left { content: "%s"; } }
  main.report.compact .title-page { padding-top: 0; page-break-after: auto; break-after: auto; margin-bottom: 1em; }
  main.report.compact section.chapter { page-break-before: auto; break-before: auto; margin-top: 1.5em; }
}
"""


def running_title(page: str, title: str) -> str:
    """The report kind's title in the running header (the stylesheet's is the servicetjek's)."""
    css = '@media print { @page { @top-left { content: "%s"; } } }' % title.replace('"', "")
    return page.replace("</head>", f"<style>{css}</style></head>", 1)


def compact(page: str, title: str) -> str:
    css = COMPACT_CSS % title.replace('"', "")
    return page.replace("</head>", f"<style>{css}</style></head>", 1).replace(
        '<main class="report">', '<main class="report compact">', 1)


def followup_period(inp) -> str:
    from servicetjek.chapters.followup_views import month_label
    from servicetjek.inputs import followup

    fu = followup.load(inp.slug, set(inp.benefit_costs.index))
    own = fu.monthly[fu.monthly["area"] == inp.municipality.config.area]["period"]
    return f"{month_label(own.min())} – {month_label(own.max())} (månedlige tal)"


PUBLIC_SUBTITLE = "Status, national prognose og STAR's benchmark ud fra offentlige data"


def report_page(inp, report, build_dir: Path) -> str:
    from servicetjek.declaration import DEFAULT_REPORT

    mun = inp.municipality
    info = getattr(mun.config, "report", None)
    from servicetjek.inputs.followup import GOALS_FILE

    if report.kind != DEFAULT_REPORT and not report.needs(GOALS_FILE):    # the public-data report
        title = render.TitlePage(kommune=mun.name, title=report.title, subtitle=PUBLIC_SUBTITLE, consultant=None,
                                 build_date=dt.date.today(), data_period=data_period(inp))
        return running_title(render.report_html(title, chapter_bodies(inp, report, build_dir)), report.title)
    if report.kind != DEFAULT_REPORT:      # the kommune.yaml report settings are the servicetjek's
        title = render.TitlePage(kommune=mun.name, title=report.title, subtitle="Månedlig orientering til udvalget",
                                 consultant=None, build_date=dt.date.today(), data_period=followup_period(inp))
        return compact(render.report_html(title, chapter_bodies(inp, report, build_dir)), report.title)
    title = render.TitlePage(
        kommune=mun.name,
        title=getattr(info, "title", None) or report.title,
        subtitle=getattr(info, "subtitle", None) or "",
        consultant=getattr(info, "consultant", None),
        build_date=dt.date.today(),
        data_period=data_period(inp),
    )
    return render.report_html(title, chapter_bodies(inp, report, build_dir))
