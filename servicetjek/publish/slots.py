"""The consultant's words in a notebook chapter: named slots.

Each notebook chapter declares its slots in report.yaml (`slots:`), one per generated paragraph group (e.g.
status: level, shares, period, longrun). A municipality's folder may fill a slot with Markdown in
`texts/<chapter id>/<slot>.md`, using the same placeholders and phrase filters as the text chapters; the
slot's text then replaces the generated paragraphs. A missing or empty file falls back to the generated text,
so a new municipality builds without writing any. `prepare` checks the files (a known slot, placeholders that
resolve, no typed number the report computes).
"""

from __future__ import annotations

from pathlib import Path

from servicetjek.publish import report
from servicetjek.publish.provenance import MARK_NOTE, TEXT_MARK, mark_last_number

SLOT_FOLDER = "texts"


def slot_path(folder: Path, chapter_id: str, name: str) -> Path:
    return Path(folder) / SLOT_FOLDER / chapter_id / f"{name}.md"


def slot_files(folder: Path, chapter_id: str) -> list[Path]:
    return sorted((Path(folder) / SLOT_FOLDER / chapter_id).glob("*.md"))


def slot_text(folder: Path, chapter_id: str, name: str) -> str | None:
    """The slot's Markdown without comments, or None when the slot is empty (not written, or only comments)."""
    from servicetjek.inputs.texts import without_comments

    path = slot_path(folder, chapter_id, name)
    if not path.is_file():
        return None
    text = without_comments(path.read_text(encoding="utf-8"))
    return text if text.strip() else None


def slot_html(inp, ch, name: str, generated: list[str]) -> str:
    """The consultant's text for the slot, rendered with the report's values, or the generated paragraphs."""
    if name not in ch.decl.slots:
        raise KeyError(f"pladsen '{name}' er ikke erklæret for kapitlet '{ch.decl.id}' i report.yaml")
    text = slot_text(inp.municipality.folder, ch.decl.id, name)
    if text is None:
        own = [name] if name in ch.decl.publishes else [r for r in ch.decl.publishes if r not in ch.decl.slots]
        return generated_html(inp, ch, generated, own)
    from servicetjek.chapters.values import published_values
    from servicetjek.publish.placeholders import render

    path = slot_path(inp.municipality.folder, ch.decl.id, name)
    values = published_values(inp, ch.report)
    markdown = render(text, values, file=path)
    return (f'<div class="st-text-block">{report.markdown_html(markdown)}</div>'
            + mark_note(TEXT_MARK in markdown))


def mark_note(marked: bool) -> str:
    return f'<p class="st-note st-mark-note">{report.esc(MARK_NOTE)}</p>' if marked else ""


def generated_html(inp, ch, sentences: list[str], roots: list[str] | None = None) -> str:
    """The chapter's generated paragraphs; where the values they quote (`roots`, default: all the chapter
    publishes; a slot named as a root quotes that root) rest on constructed inputs, each sentence that
    quotes a number carries the mark (after its last value) and a note follows."""
    from servicetjek.chapters.values import constructed_roots

    if not constructed_roots(inp, ch.decl.publishes if roots is None else roots):
        return report.paragraphs(*sentences)
    marked = [mark_last_number(s) for s in sentences]
    return report.paragraphs(*marked) + mark_note(marked != list(sentences))
