"""The Word file's page setup, styles and the few pieces of WordprocessingML that python-docx has no
API for (fields, repeated header rows, document language, hyperlinks, alt text). Used by word.py."""

from __future__ import annotations

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

# as the PDF (report_print.css): A4, margins 22 / 18 / 20 / 20 mm (top, right, bottom, left)
A4 = (Mm(210), Mm(297))
MARGINS = {"top_margin": Mm(22), "right_margin": Mm(18), "bottom_margin": Mm(20), "left_margin": Mm(20)}
LANGUAGE = "da-DK"
NAVY = RGBColor(0x1B, 0x3A, 0x5C)
GREY = RGBColor(0x4A, 0x55, 0x60)
FONT = "Arial"            # the PDF's DejaVu Sans is rarely installed where Word runs

# the report's own paragraph styles (name, size pt, italic, bold, colour), based on Normal
OWN_STYLES = [("Kilde og anmærkning", 8.5, False, False, GREY), ("Bemærkning", 9.5, True, False, None),
              ("Forslagstema", 10, False, True, NAVY), ("Faktalinje", 9, False, False, GREY),
              ("Tabeltekst", 8.5, False, False, None)]


def text_width(section) -> int:
    """The width between the margins, in EMU."""
    return section.page_width - section.left_margin - section.right_margin


def page_setup(section, landscape: bool) -> None:
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for name, value in MARGINS.items():
        setattr(section, name, value)
    section.header_distance = section.footer_distance = Mm(9)


def new_section(doc, landscape: bool):
    """A section on a new page; its header and footer are its own (a landscape page needs its own tab)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    page_setup(section, landscape)
    section.different_first_page_header_footer = False   # only the title page goes without
    return section


def set_language(doc) -> None:
    """Danish for the whole document: the default run properties, the theme's fonts and the properties."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)
    settings = doc.settings.element
    for old in settings.findall(qn("w:themeFontLang")) + settings.findall(qn("w:savePreviewPicture")):
        settings.remove(old)
    theme = OxmlElement("w:themeFontLang")
    theme.set(qn("w:val"), LANGUAGE)
    settings.find(qn("w:clrSchemeMapping")).addprevious(theme)     # the schema's order
    for name, value in (("w:decimalSymbol", ","), ("w:listSeparator", ";")):
        settings.find(qn(name)).set(qn("w:val"), value)
    doc.core_properties.language = LANGUAGE


def properties(doc, title: str) -> None:
    """Title, today's date; no author, and no thumbnail (the template's shows an empty page)."""
    import datetime as dt

    props = doc.core_properties
    props.title, props.author, props.comments, props.last_modified_by = title, "", "", ""
    props.created = props.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            package.rels.pop(rid)


def styles(doc) -> None:
    """Normal in the report's size, the headings in its colour, the report's own styles, TOC levels."""
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    normal.paragraph_format.widow_control = True     # no single line left at a page's top or bottom
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)
    for level, size in ((1, 17), (2, 12.5), (3, 11), (4, 10)):
        style = doc.styles[f"Heading {level}"]
        style.font.name, style.font.size, style.font.color.rgb = FONT, Pt(size), NAVY
        style.font.italic = False
        style.paragraph_format.space_before = Pt(14 if level < 3 else 10)
        style.paragraph_format.keep_with_next = True
    for name in ("Title", "Subtitle", "Caption", "TOC Heading"):
        doc.styles[name].font.name = FONT
    caption = doc.styles["Caption"]
    caption.font.size, caption.font.color.rgb, caption.font.bold = Pt(9.5), NAVY, True
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(8), Pt(4)
    for name, size, italic, bold, colour in OWN_STYLES:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size, style.font.italic, style.font.bold = Pt(size), italic, bold
        if colour is not None:
            style.font.color.rgb = colour
    doc.styles["Tabeltekst"].paragraph_format.space_after = Pt(0)
    doc.styles["Tabeltekst"].paragraph_format.line_spacing = 1.0
    for name in ("Forslagstema", "Faktalinje"):
        doc.styles[name].paragraph_format.keep_with_next = True
    for level in (1, 2):     # Word's own names, so "Update field" keeps them
        style = doc.styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.bold = level == 1
        style.paragraph_format.left_indent = Mm(0 if level == 1 else 6)
        style.paragraph_format.space_after = Pt(3)


# ------------------------------------------------------------------ fields
def _run_with(paragraph, tag: str, **attrs):
    run = paragraph.add_run()
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(key), value)
    run._r.append(element)
    return run, element


def field_begin(paragraph, instruction: str) -> None:
    _run_with(paragraph, "w:fldChar", **{"w:fldCharType": "begin"})
    _, instr = _run_with(paragraph, "w:instrText", **{"xml:space": "preserve"})
    instr.text = f" {instruction} "
    _run_with(paragraph, "w:fldChar", **{"w:fldCharType": "separate"})


def field_end(paragraph) -> None:
    _run_with(paragraph, "w:fldChar", **{"w:fldCharType": "end"})


def field(paragraph, instruction: str, shown: str) -> None:
    """A complex field (PAGE, NUMPAGES …) with `shown` as its result until Word updates it."""
    field_begin(paragraph, instruction)
    paragraph.add_run(shown)
    field_end(paragraph)


# ------------------------------------------------------------------ header and footer
def header_footer(section, left: str, right: str) -> None:
    """Report title left and municipality right in the header; "Side N af M" centred in the footer."""
    for part in (section.header, section.footer):
        part.is_linked_to_previous = False
    header = section.header.paragraphs[0]
    header.text = ""
    header.paragraph_format.tab_stops.add_tab_stop(text_width(section), WD_TAB_ALIGNMENT.RIGHT)
    run = header.add_run(f"{left}\t{right}")
    run.font.size, run.font.color.rgb = Pt(8), GREY
    footer = section.footer.paragraphs[0]
    footer.text = ""
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Side ")
    field(footer, "PAGE", "1")
    footer.add_run(" af ")
    field(footer, "NUMPAGES", "1")
    for run in footer.runs:
        run.font.size, run.font.color.rgb = Pt(8), GREY


# ------------------------------------------------------------------ tables, links, pictures
def repeat_header(row) -> None:
    """The row is a header row: Word repeats it at the top of every page the table runs onto."""
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)


def cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    element = OxmlElement("w:shd")
    element.set(qn("w:val"), "clear")
    element.set(qn("w:color"), "auto")
    element.set(qn("w:fill"), fill)
    tcpr.append(element)


def fixed_widths(table, widths: list[int]) -> None:
    """Fixed layout with the given column widths (EMU): Word and LibreOffice then lay it out alike."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(width / 635)))      # EMU -> twentieths of a point
    for row in table.rows:
        for tc, width in zip(_grid_cells(row), widths):
            if tc is not None:
                tc.width = width


def _grid_cells(row):
    """One entry per grid column: the cell that starts there, None where a merged cell goes on."""
    out = []
    for tc in row._tr.tc_lst:
        out.append(tc)
        out.extend([None] * (tc.grid_span - 1))
    return out


def hyperlink(paragraph, url: str, text: str) -> None:
    """An external link (the file is written, nothing is fetched)."""
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    style = OxmlElement("w:u")
    style.set(qn("w:val"), "single")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "1B3A5C")
    rpr.extend([colour, style])
    run.append(rpr)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def alt_text(shape, text: str) -> None:
    """The picture's description (Word's "Alternativ tekst"), read by screen readers."""
    shape._inline.docPr.set("descr", text)
