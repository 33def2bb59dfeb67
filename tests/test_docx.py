"""The Word file (publish/word.py), read back with python-docx and compared with the report's HTML.

The helpers (`assert_*`) compare one DOCX with the HTML page it was made from; test_build.py runs them
on both bundled reports. Here they run on a small report page made with the real table and figure
functions (report.table_html, report.figure_html): a portrait, a wide and a stacked table, a figure.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import re
from pathlib import Path

import docx
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from docx.oxml.ns import qn
from docx.shared import Mm
from test_no_fetch import PNG, listener  # noqa: F401 - listener: the fixture, a local HTTP server

from servicetjek.publish import render, report, style, word, word_setup

HEADING = re.compile(r"^Heading (\d)$")


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text()).strip()


@functools.lru_cache(maxsize=4)
def _main(page: str):
    """The page's <main>, parsed once; each SVG reduced to its opening tag (its alt text), which keeps the
    parse fast."""
    lean = render.SVG_BLOCK.sub(lambda m: m.group(0)[:m.group(0).index(">") + 1] + "</svg>", page)
    return BeautifulSoup(lean, "html.parser").find("main")


def _style_names(document) -> dict[str, str]:
    return {s.style_id: s.name for s in document.styles}


def _styled(document, name: str):
    """The paragraphs in a style (by name; python-docx would look each paragraph's style up by name)."""
    ids = {i for i, n in _style_names(document).items() if n == name}
    return [p for p in document.paragraphs if p._p.style in ids]


def _printed(node) -> bool:
    """Not a screen-only part (the scrolling copy of a stacked table, the CSV links)."""
    return node.find_parent(class_="st-screen-only") is None


# ------------------------------------------------------------------ the HTML's side
def html_headings(page: str) -> list[tuple[int, str]]:
    """(Word heading level, text) of every heading after the title, as Word's Heading 1–4: h2 → 1 …"""
    main = _main(page)
    return [(int(h.name[1]) - 1, _text(h)) for h in main.find_all(["h2", "h3", "h4", "h5"])
            if h.find_parent("nav") is None]


def _grid(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows of (text, colspan, rowspan) as a grid of texts, a spanned cell's text in every place."""
    out: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for text, cs, rs in row:
            while (r, c) in out:
                c += 1
            for i in range(rs):
                for j in range(cs):
                    out[(r + i, c + j)] = text
            c += cs
    width = max((c for _, c in out), default=-1) + 1
    return [[out.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def html_tables(page: str) -> list[dict]:
    """Every printed table: its cell texts as a grid, its header row count, whether it is wide."""
    main = _main(page)
    out = []
    for table in main.find_all("table"):
        if not _printed(table):
            continue
        rows = [[(_text(c), int(c.get("colspan", 1)), int(c.get("rowspan", 1)))
                 for c in tr.find_all(["th", "td"], recursive=False)] for tr in table.find_all("tr")]
        head = table.find("thead")
        figure = table.find_parent("figure")
        wide = figure is not None and bool({"st-wide", "st-stacked"} & set(figure.get("class") or []))
        out.append({"rows": _grid(rows), "header_rows": len(head.find_all("tr")) if head else 0, "wide": wide})
    return out


def html_captions(page: str) -> list[str]:
    main = _main(page)
    return [_text(c) for c in main.find_all("figcaption") if _printed(c)]


def html_figures(page: str) -> list[str]:
    """The alt text (aria-label) of every figure's SVG, in order."""
    main = _main(page)
    return [f.find("svg").get("aria-label", "") for f in main.find_all("figure", class_="st-figure")]


# ------------------------------------------------------------------ the DOCX's side
def _blocks(document):
    """(section index, paragraph or table element) for the body's blocks, in order."""
    index = 0
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:tbl"):
            yield index, element
        elif element.tag == qn("w:p"):
            yield index, element
            ppr = element.find(qn("w:pPr"))
            if ppr is not None and ppr.find(qn("w:sectPr")) is not None:
                index += 1


def docx_headings(document) -> list[tuple[int, str]]:
    names = _style_names(document)
    out = []
    for p in document.paragraphs:
        match = HEADING.match(names.get(p._p.style or "", ""))
        if match:
            out.append((int(match.group(1)), p.text.strip()))
    return out


def docx_tables(document) -> list[dict]:
    out = []
    sections = list(document.sections)
    tables = iter(document.tables)
    for index, element in _blocks(document):
        if element.tag != qn("w:tbl"):
            continue
        table = next(tables)
        repeated = 0
        for row in table.rows:
            trpr = row._tr.trPr
            if trpr is None or trpr.find(qn("w:tblHeader")) is None:
                break
            repeated += 1
        grid = [int(c.get(qn("w:w"))) * 635 for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        out.append({"rows": [[c.text.strip() for c in row.cells] for row in table.rows],
                    "header_rows": repeated, "section": sections[index], "grid_emu": sum(grid)})
    return out


def docx_captions(document) -> list[str]:
    return [p.text.strip() for p in _styled(document, "Caption")]


def docx_pictures(document) -> list[str]:
    """The alt text of every inline picture, in order."""
    return [shape._inline.docPr.get("descr", "") for shape in document.inline_shapes]


def _fields(part) -> list[str]:
    return [t.text.strip() for t in part._element.iter(qn("w:instrText"))]


# ------------------------------------------------------------------ the comparisons
def assert_headings(page: str, document) -> None:
    assert docx_headings(document) == html_headings(page)


def assert_tables(page: str, document) -> None:
    html, words = html_tables(page), docx_tables(document)
    assert len(words) == len(html), (len(words), len(html))
    for i, (h, w) in enumerate(zip(html, words)):
        assert w["rows"] == h["rows"], f"table {i + 1}"
        assert w["header_rows"] == h["header_rows"] > 0 or w["header_rows"] == h["header_rows"] == 0, \
            f"table {i + 1}: {w['header_rows']} repeated header rows, the HTML has {h['header_rows']}"


def assert_captions(page: str, document) -> None:
    captions = html_captions(page)
    assert captions and all(re.match(r"(Tabel|Figur) [0-9A-Z][\w.]*: ", c) for c in captions)
    assert docx_captions(document) == captions


def assert_figures(page: str, document) -> None:
    alts = html_figures(page)
    assert docx_pictures(document) == alts
    assert all(alts), "a figure without alt text"


def assert_page_setup(page: str, document) -> None:
    """A4, the PDF's margins; page numbers in every footer but the title page's; wide tables on
    landscape pages; no table wider than its page's text; document language Danish."""
    for section in document.sections:
        size = sorted((round(section.page_width / Mm(1)), round(section.page_height / Mm(1))))
        assert size == [210, 297]
        for side in ("top_margin", "right_margin", "bottom_margin", "left_margin"):    # to the twip
            assert abs(getattr(section, side) - word_setup.MARGINS[side]) < 635, side
        assert any(f.startswith("PAGE") for f in _fields(section.footer)), "no PAGE field in the footer"
    first = document.sections[0]
    assert first.different_first_page_header_footer
    assert not _fields(first.first_page_footer), "a page number on the title page"
    for h, w in zip(html_tables(page), docx_tables(document)):
        section = w["section"]
        assert (section.page_width > section.page_height) == h["wide"], h["rows"][0]
        assert w["grid_emu"] <= word_setup.text_width(section) + 635 * 20, h["rows"][0]
    lang = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert lang.find(qn("w:lang")).get(qn("w:val")) == "da-DK"
    assert document.core_properties.language == "da-DK"


def assert_text(page: str, document) -> None:
    """Every printed paragraph and list item of the HTML is a paragraph of the DOCX, in the same order."""
    def printed_text(node) -> bool:
        return _printed(node) and "st-csv" not in (node.get("class") or []) and node.find_parent(["nav", "table"]) is None

    html = [_text(p) for p in _main(page).find_all(["p", "li"]) if printed_text(p)]
    words = iter(re.sub(r"\s+", " ", p.text).strip() for p in document.paragraphs)
    missing = [text for text in html if not any(text == w for w in words)]   # `words` is consumed in order
    assert not missing, missing[:3]


def assert_no_empty_page(page: str, document) -> None:
    """No "page break before" right after a section break or a page break: that would leave a page empty."""
    def breaks_page(p) -> bool:
        ppr = p.find(qn("w:pPr"))
        return (ppr is not None and ppr.find(qn("w:sectPr")) is not None) or any(
            b.get(qn("w:type")) == "page" for b in p.iter(qn("w:br")))

    previous = None
    for _, element in _blocks(document):
        if element.tag == qn("w:p") and previous is not None and previous.tag == qn("w:p") and breaks_page(previous):
            ppr = element.find(qn("w:pPr"))
            assert ppr is None or ppr.find(qn("w:pageBreakBefore")) is None, "".join(t.text or "" for t in element.iter(qn("w:t")))[:80]
        previous = element


def assert_title_page(page: str, document) -> None:
    title = _main(page).find("h1")
    titles = [p.text for p in _styled(document, "Title")]
    assert titles == [_text(title)]


def assert_same_report(page: str, path: Path) -> None:
    document = docx.Document(str(path))
    for check in (assert_headings, assert_tables, assert_captions, assert_figures, assert_page_setup,
                  assert_text, assert_title_page, assert_no_empty_page):
        check(page, document)


# ------------------------------------------------------------------ a small report page
def _page() -> str:
    portrait = pd.DataFrame({"": ["Dagpenge", "Sygedagpenge", "I alt"], "2018": ["1.071", "1.030", "2.101"],
                             "2019": ["1.123", "1.104", "2.227"]})
    wide = pd.DataFrame({"Forslag": ["Forslag 1. Styrket kontaktforløb for ledige", "I alt"],
                         **{f"Effekt {year} (1.000 kr.) efter sikkerhed": ["-10.320", "-10.320"]
                            for year in range(2020, 2027)}})
    stacked = pd.DataFrame({"1.000 kr. pr. fuldtidsperson": ["Kontanthjælp mv. jobparat", "Samlet"],
                            **{f"Kommune {k}": ["19,2", "23,2"] for k in range(1, 20)}})
    with style.figure() as (fig, ax):
        ax.plot([2017, 2018, 2019], [9702, 9617, 9743], label="Slagelse")
        style.danish_ticks(ax)
    chapter = ('<h2 class="st-heading" id="kapitel-2">2. Tal</h2>'
               + report.table_html(portrait, 1, "Fuldtidspersoner", source="Jobindsats.dk",
                                   row_classes=["", "", "total"])
               + report.figure_html(fig, 1, "Udviklingen", source="Egne beregninger")
               + report.heading("Økonomi", level=3)
               + report.table_html(wide, 2, "Forslagenes effekt", source="Kataloget",
                                   header_groups=[("", 1), ("Effekt", 7)])
               + report.heading("Forslag 1: Kontaktforløb", level=4)
               + '<h5 class="st-heading">Baggrund</h5><p class="st-text">Tekst med <strong>fed</strong>.</p>'
               + report.table_html(stacked, 3, "Enhedsomkostninger", source="Ressourceopgørelser"))
    chapter += "<!-- a comment is not text -->" + report.table_html(wide, 4, "Igen bred", source="Kataloget")
    intro = render.text_chapter(1, "Indledning", "Servicetjekket har bl.a. omfattet:\n\n- en analyse\n- en"
                                " anden\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    title = render.TitlePage("Slagelse", "Servicetjek af beskæftigelsesområdet", "Opsamling", "mploy a/s",
                             dt.date(2026, 11, 30), "2017–2019")
    after_wide = render.text_chapter(3, "Efter en bred tabel", "Kapitlet begynder på en ny side.")
    return render.report_html(title, [(1, intro), (2, chapter), (3, after_wide)])


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    page = _page()
    classes = re.findall(r'<figure class="st-table (st-\w+)', page)
    assert classes == ["st-portrait", "st-wide", "st-stacked", "st-wide"], classes    # every layout
    path = tmp_path_factory.mktemp("docx") / "small.docx"
    word.write_docx(page, path)
    return page, docx.Document(str(path))


def test_headings_as_word_headings(small):
    page, document = small
    assert_headings(page, document)
    assert (4, "Baggrund") in docx_headings(document)


def test_tables_as_word_tables_with_repeated_header_rows(small):
    page, document = small
    assert_tables(page, document)
    assert len(document.tables) == 1 + 1 + len(widths_blocks(page)) + 1 + 1    # the Markdown table too


def widths_blocks(page: str) -> list:
    return re.findall(r'<table class="st st-block"', page)


def test_captions_in_caption_style(small):
    assert_captions(*small)


def test_figures_as_pictures_with_alt_text(small):
    page, document = small
    assert_figures(page, document)
    assert len(document.inline_shapes) == 1


def test_page_setup_page_numbers_and_language(small):
    assert_page_setup(*small)


def test_title_page(small):
    assert_title_page(*small)


def test_no_empty_page(small):
    assert_no_empty_page(*small)


def test_running_text_in_order(small):
    page, document = small
    assert_text(page, document)
    assert not any("comment" in p.text for p in document.paragraphs)
    assert any(r.bold and r.text == "fed" for p in document.paragraphs for r in p.runs)



def test_fetches_nothing(listener, tmp_path):  # noqa: F811 - the fixture imported above
    """A remote image in the page (an <img>, or an <image> inside an SVG) is not fetched: no request
    reaches a listening server; a data: image is embedded."""
    url, hits = listener
    data = "data:image/png;base64," + base64.b64encode(PNG).decode()
    page = ('<html><body><main class="report"><p>x</p>'
            f'<img src="{url}/x.png" alt="fjernt billede"><img src="{data}" alt="lokalt">'
            '<figure class="st-figure"><figcaption>Figur 1: En figur</figcaption>'
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40pt" '
            f'height="20pt" viewBox="0 0 40 20" aria-label="En figur"><image xlink:href="{url}/in-svg.png" '
            'width="40" height="20"/><rect width="10" height="10" fill="#1b3a5c"/></svg></figure></main></body></html>')
    word.write_docx(page, tmp_path / "r.docx")
    assert hits == []
    document = docx.Document(str(tmp_path / "r.docx"))
    assert docx_pictures(document) == ["lokalt", "En figur"]
    assert "[fjernt billede]" in [p.text for p in document.paragraphs]
