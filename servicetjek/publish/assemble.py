"""The report page: title page, contents and every chapter of the declaration, in its order — notebook
chapters from their executed notebooks, text chapters from the consultant's Markdown, the Resume from
the values the chapters publish."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from servicetjek.publish import render


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
    values = published_values(inp, report)
    out = []
    for chapter in report.chapters:
        kind = chapter.decl.kind
        if kind == "notebook":
            nb = nbformat.read(build_dir / "notebooks" / chapter.notebook.name, as_version=4)
            body = render.chapter_fragment(nb)
            body = render.csv_links(body, {chapter.table_number(t): t for t in chapter.decl.tables})
        elif kind == "text":
            body = render.text_chapter(chapter.number, chapter.title_for(mun.name),
                                       render_text(mun.folder, chapter, values), inp.constructed)
        else:
            body = render.resume_chapter(chapter.number, chapter.title_for(mun.name),
                                         resume_sections(values, report, mun.name), inp.constructed)
        out.append((chapter.number, body))
    return out


def report_page(inp, report, build_dir: Path) -> str:
    mun = inp.municipality
    info = getattr(mun.config, "report", None)
    title = render.TitlePage(
        kommune=mun.name,
        title=getattr(info, "title", None) or report.title,
        subtitle=getattr(info, "subtitle", None) or "",
        consultant=getattr(info, "consultant", None),
        build_date=dt.date.today(),
        data_period=data_period(inp),
        constructed=inp.constructed,
    )
    return render.report_html(title, chapter_bodies(inp, report, build_dir))
