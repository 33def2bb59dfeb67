"""The report as a Word file: the report page's HTML read back and written with python-docx.

The DOCX follows the printed report (the PDF), element by element:
- the title page (Title, Subtitle; no header or footer), the contents as a Word TOC field whose shown
  entries are the HTML's (Word fills in page numbers when the field is updated), every chapter on a
  new page;
- headings h2–h5 as Word's Heading 1–4; "Tabel N:" and "Figur N:" captions in Word's Caption style;
- tables as Word tables: header rows marked as header rows (repeated on every page), fixed column
  widths from the table's text (publish/widths.py), wide tables on landscape pages as in the PDF,
  a table too wide even for that in its printed blocks of columns;
- figures as PNG pictures rendered from their SVG (resvg), with the
  figure's aria-label as alt text;
- A4, the PDF's margins, "Side N af M" in the footer, document language Danish.
Screen-only parts (the CSV links, the scrolling copy of a stacked table) are left out, as in print.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from servicetjek.publish import word_setup as ws

HEADING_LEVEL = {"h2": 1, "h3": 2, "h4": 3, "h5": 4, "h6": 4}
PARAGRAPH_STYLE = {"st-source": "Kilde og anmærkning", "st-note": "Kilde og anmærkning",
                   "st-notice": "Bemærkning", "st-theme": "Forslagstema", "st-proposal-facts": "Faktalinje"}
SKIP_CLASSES = {"st-screen-only", "st-csv", "to-top"}
WIDE_CLASSES = {"st-wide", "st-stacked"}
INLINE = {"a", "abbr", "b", "br", "code", "em", "i", "small", "span", "strong", "sub", "sup", "u", "mark"}
PNG_DPI = 150        # print quality for a figure 17 cm wide; rendering time grows with the pixels
BLOCK_GAP_PT = 10


def write_docx(page: str, target: Path) -> None:
    """The whole report page (render.report_html, possibly compact) as a DOCX at `target`."""
    _Writer(page).document().save(str(target))


def _classes(node) -> set[str]:
    return set(node.get("class") or [])


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text()).strip()


class _Writer:
    def __init__(self, page: str):
        import docx
        from bs4 import BeautifulSoup

        from servicetjek.publish.render import SVG_BLOCK

        # the HTML parser lower-cases SVG's camel-case names (viewBox, clipPath): keep each SVG as written
        self.svgs = SVG_BLOCK.findall(page)
        counter = iter(range(len(self.svgs)))
        page = SVG_BLOCK.sub(lambda m: self._placeholder(m.group(0), next(counter)), page)
        self.soup = BeautifulSoup(page, "html.parser")
        self.main = self.soup.find("main")
        self.compact = "compact" in _classes(self.main)
        self.doc = docx.Document()
        self.landscape = False
        self.wide_now = False         # inside a wide table's figure
        self.style_ids: dict[str, str] = {}
        self.fresh = self.at_top = False  # the next / the last paragraph starts a page
        self.wide_open = False        # the current landscape section already holds a wide table
        title = self.main.find("h1")
        kicker = self.main.find(class_="title-kicker")
        self.running = (_text(title) if title else "", _text(kicker) if kicker else "")

    @staticmethod
    def _placeholder(svg: str, index: int) -> str:
        label = re.search(r'\baria-label="([^"]*)"', svg[:svg.index(">")])
        alt = f' aria-label="{label.group(1)}"' if label else ""
        return f'<svg data-index="{index}"{alt}></svg>'

    # ------------------------------------------------------------------ the document
    def document(self):
        ws.set_language(self.doc)
        ws.styles(self.doc)
        first = self.doc.sections[0]
        ws.page_setup(first, landscape=False)
        ws.header_footer(first, *self.running)
        if not self.compact:
            first.different_first_page_header_footer = True    # the title page has no header, no number
        ws.properties(self.doc, " – ".join(t for t in self.running if t))
        for child in self.main.children:
            self.block(child)
        return self.doc

    def orientation(self, landscape: bool) -> None:
        """Switch page orientation only when the next content needs it (no empty pages in between)."""
        if landscape != self.landscape:
            section = ws.new_section(self.doc, landscape)
            ws.header_footer(section, *self.running)
            self.landscape = landscape
            self.wide_open = False
            self.fresh = True

    # ------------------------------------------------------------------ blocks
    def block(self, node) -> None:  # noqa: C901 - one dispatch over the HTML elements the report uses
        name = getattr(node, "name", None)
        if name is None:
            if not _is_text(node):      # a comment, a doctype
                return None
            text = re.sub(r"\s+", " ", str(node)).strip()
            if text:
                self.add_paragraph(text=text)
            return None
        classes = _classes(node)
        if classes & SKIP_CLASSES or name in ("script", "style", "hr"):
            return None
        if name == "figure" and "st-table" in classes:
            return self.table_figure(node)
        if name == "figure":
            return self.figure(node)
        if "title-page" in classes:
            return self.title_page(node)
        if name == "nav":
            return None if self.compact else self.contents(node)
        if name in HEADING_LEVEL:
            paragraph = self.add_paragraph(f"Heading {HEADING_LEVEL[name]}")
            self.inline(paragraph, node)
            if name == "h2" and "st-heading" in classes and not self.compact and _is_chapter_start(node) \
                    and not self.at_top:
                paragraph.paragraph_format.page_break_before = True
            return None
        if name == "p":
            return self.paragraph(node, PARAGRAPH_STYLE.get(next(iter(classes & set(PARAGRAPH_STYLE)), ""), None))
        if name in ("ul", "ol"):
            return self.listing(node, 1)
        if name == "table":
            return self.table(node, _TableKind())
        if name == "dl":
            return self.definitions(node)
        if name == "blockquote":
            for child in node.children:
                if getattr(child, "name", None) == "p":
                    self.paragraph(child, "Quote")
                else:
                    self.block(child)
            return None
        if name == "pre":
            paragraph = self.add_paragraph()
            paragraph.add_run(node.get_text()).font.name = "Courier New"
            return None
        if name in ("svg", "img"):
            return self.picture(node, ws.text_width(self.doc.sections[-1]))
        if name in INLINE:
            return self.paragraph(node, None)
        for child in node.children:          # section, div, main … : their content
            self.block(child)
        return None

    def style_id(self, name: str) -> str:
        """A style's id, looked up once (python-docx looks a style up by name on every use: slow)."""
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def add_paragraph(self, style: str | None = None, text: str = ""):
        """A new paragraph; `at_top` then says whether it starts a page (a new section, a page break)."""
        self.orientation(self.wide_now)
        paragraph = self.doc.add_paragraph(text)
        self.at_top, self.fresh = self.fresh, False
        if style:
            paragraph._p.style = self.style_id(style)
        return paragraph

    def paragraph(self, node, style: str | None):
        paragraph = self.add_paragraph(style)
        self.inline(paragraph, node)
        return paragraph

    def listing(self, node, level: int) -> None:
        ordered = node.name == "ol"
        base = "List Number" if ordered else "List Bullet"
        style = base if level == 1 else f"{base} {min(level, 3)}"
        for number, item in enumerate(node.find_all("li", recursive=False), start=1):
            paragraph = self.add_paragraph("List Paragraph" if ordered else style)
            if ordered:    # numbers written out: Word's list numbering would run on from list to list
                paragraph.paragraph_format.left_indent = ws.Mm(6 * level)
                paragraph.paragraph_format.first_line_indent = ws.Mm(-6)
                paragraph.add_run(f"{number}.\t")
            self.inline(paragraph, item, skip=("ul", "ol"))
            for sub in item.find_all(["ul", "ol"], recursive=False):
                self.listing(sub, level + 1)

    def definitions(self, node) -> None:
        for term in node.find_all("dt", recursive=False):
            value = term.find_next_sibling("dd")
            paragraph = self.add_paragraph()
            paragraph.add_run(_text(term)).bold = True
            paragraph.add_run(f"\t{_text(value) if value else ''}")

    # ------------------------------------------------------------------ running text
    def inline(self, paragraph, node, skip: tuple[str, ...] = ()) -> None:
        """The node's text into the paragraph as runs (bold, italic, super-/subscript, links); white space
        collapsed as a browser does."""
        pieces: list[tuple[str, frozenset, str | None]] = []
        _collect(node, frozenset(), None, pieces, skip)
        text_so_far = ""
        for text, marks, href in pieces:
            if text != "\n":
                text = re.sub(r"\s+", " ", text)
                if not text_so_far or text_so_far.endswith((" ", "\n")):
                    text = text.lstrip(" ")
            if not text:
                continue
            text_so_far += text
            if href:
                ws.hyperlink(paragraph, href, text)
                continue
            run = paragraph.add_run()
            if text == "\n":
                run.add_break()
                continue
            run.text = text
            run.bold = True if "b" in marks else None
            run.italic = True if "i" in marks else None
            run.font.superscript = True if "sup" in marks else None
            run.font.subscript = True if "sub" in marks else None
            if "code" in marks:
                run.font.name = "Courier New"
        _strip_trailing(paragraph)

    # ------------------------------------------------------------------ the title page and contents
    def title_page(self, node) -> None:
        for child in node.children:
            name = getattr(child, "name", None)
            classes = _classes(child) if name else set()
            if name == "h1":
                self.paragraph(child, "Title")
            elif "subtitle" in classes:
                self.paragraph(child, "Subtitle")
            elif "title-kicker" in classes:
                paragraph = self.add_paragraph()
                run = paragraph.add_run(_text(child))
                run.bold, run.font.all_caps, run.font.color.rgb = True, True, ws.NAVY
                if not self.compact:
                    paragraph.paragraph_format.space_before = ws.Mm(45)
            elif name and not (self.compact and "st-notice" in classes):   # as the compact PDF
                self.block(child)
        if not self.compact:
            self.doc.add_page_break()
            self.fresh = True

    def contents(self, node) -> None:
        """Word's own table of contents (TOC field over Heading 1–2); until Word updates it, it shows the
        HTML's entries (without page numbers)."""
        title = node.find(["h2", "h3"])
        self.add_paragraph("TOC Heading", _text(title) if title else "Indhold")
        items = node.find_all("li")
        if not items:
            return
        paragraphs = []
        for item in items:
            level = 2 if "toc-section" in _classes(item) else 1
            paragraphs.append(self.add_paragraph(f"toc {level}"))
        ws.field_begin(paragraphs[0], 'TOC \\o "1-2" \\h \\z \\u')
        for paragraph, item in zip(paragraphs, items):
            paragraph.add_run(_text(item))
        ws.field_end(paragraphs[-1])          # the first chapter starts a new page

    # ------------------------------------------------------------------ figures and tables
    def caption(self, node, page_break: bool = False) -> None:
        caption = node.find("figcaption")
        if caption is not None:
            paragraph = self.paragraph(caption, "Caption")
            paragraph.paragraph_format.page_break_before = (page_break and not self.at_top) or None

    def figure(self, node) -> None:
        self.caption(node)
        for child in node.children:
            if getattr(child, "name", None) == "figcaption":
                continue
            self.block(child)

    def table_figure(self, node) -> None:
        """Caption, table (or a stacked table's printed blocks), Kilde and Anm.; landscape when wide."""
        wide = bool(_classes(node) & WIDE_CLASSES)
        self.wide_now = wide
        self.orientation(wide)
        self.caption(node, page_break=wide and self.wide_open)
        self.wide_open = wide
        kind = _TableKind(wide=wide, long="st-long" in _classes(node), econ=node.find_parent(class_="st-econ") is not None)
        tables = [t for t in node.find_all("table") if not t.find_parent(class_="st-screen-only")]
        for i, table in enumerate(tables):
            if i:
                self.add_paragraph().paragraph_format.space_after = ws.Pt(BLOCK_GAP_PT)
            self.table(table, kind)
        for child in node.children:
            if getattr(child, "name", None) == "p":
                self.block(child)
        self.wide_now = False

    def table(self, node, kind) -> None:
        from servicetjek.publish import word_tables

        word_tables.write_table(self, node, kind)

    def picture(self, node, max_width: int) -> None:
        """An inline SVG or a data: image as a picture in its own paragraph, with its alt text."""
        from docx.shared import Pt

        image, width_pt, alt = _image(node, self.svgs)
        if image is None:
            if alt:
                self.add_paragraph(text=f"[{alt}]")
            return
        paragraph = self.add_paragraph()
        paragraph.paragraph_format.keep_with_next = True
        shape = paragraph.add_run().add_picture(image, width=int(Pt(width_pt)) if width_pt else None)
        if shape.width > max_width:     # never wider than the text
            shape.height, shape.width = int(shape.height * max_width / shape.width), max_width
        if alt:
            ws.alt_text(shape, alt)


class _TableKind:
    def __init__(self, wide: bool = False, long: bool = False, econ: bool = False):
        self.wide, self.long, self.econ = wide, long, econ


def _is_chapter_start(node) -> bool:
    section = node.find_parent("section")
    return section is not None and "chapter" in _classes(section)


def _collect(node, marks: frozenset, href: str | None, out: list, skip: tuple[str, ...]) -> None:
    """(text, marks, link) pieces of a node's inline content, in order."""
    for child in node.children:
        name = getattr(child, "name", None)
        if name is None:
            if _is_text(child):
                out.append((str(child), marks, href))
        elif name == "br":
            out.append(("\n", marks, None))
        elif name in skip or name in ("svg", "script", "style"):
            continue
        else:
            add = {"strong": "b", "b": "b", "em": "i", "i": "i", "sup": "sup", "sub": "sub", "code": "code"}.get(name)
            link = href
            if name == "a":
                target = child.get("href", "")
                link = target if re.match(r"(?i)^(https?:|mailto:)", target) else None
            _collect(child, marks | {add} if add else marks, link, out, skip)


def _is_text(node) -> bool:
    """Text, not a comment, doctype or CDATA (bs4 gives those as strings too)."""
    from bs4.element import NavigableString

    return type(node) is NavigableString


def _strip_trailing(paragraph) -> None:
    runs = paragraph.runs
    if runs and runs[-1].text.endswith(" "):
        runs[-1].text = runs[-1].text.rstrip(" ")


def _image(node, svgs: list[str]) -> tuple[io.BytesIO | None, float | None, str]:
    """(PNG or other picture bytes, width in pt, alt text) for an <svg> (its source text in `svgs`) or an
    <img src="data:…">."""
    if node.name == "svg":
        svg = svgs[int(node["data-index"])]
        alt = node.get("aria-label") or ""
        width = re.search(r'\bwidth="([^"]*)"', svg[:svg.index(">")])
        return io.BytesIO(_png(svg)), _length_pt(width.group(1) if width else None), alt
    alt = node.get("alt", "")
    match = re.match(r"data:image/(png|jpeg|gif|svg\+xml);base64,(.*)", node.get("src", ""), re.S)
    if not match:
        return None, None, alt
    data = base64.b64decode(match.group(2))
    if match.group(1) == "svg+xml":
        data = _png(data.decode("utf-8", "replace"))
    return io.BytesIO(data), None, alt


def _png(svg: str) -> bytes:
    """The SVG rendered by resvg (no network; the report's figures carry their text as paths, so no
    fonts are loaded)."""
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=svg, dpi=PNG_DPI, skip_system_fonts=True))


def _length_pt(value: str | None) -> float | None:
    match = re.match(r"([\d.]+)\s*(pt|px)?$", value or "")
    if not match:
        return None
    number = float(match.group(1))
    return number * 0.75 if match.group(2) == "px" else number
