"""The consultant's texts: the text chapters the declaration names (texts/<id>.md), and the check that every
placeholder in them and in the proposal catalogue is a value some chapter of the report publishes."""

from __future__ import annotations

import re
from pathlib import Path

from servicetjek.errors import InputError, Problem
from servicetjek.publish.placeholders import render

HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def without_comments(text: str) -> str:
    """HTML comments (e.g. the provenance line) removed, keeping the line numbers."""
    return HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def load_text(folder: Path, chapter) -> str:
    path = Path(folder) / chapter.decl.source
    if not path.is_file():
        raise InputError(Problem(path, "filen mangler"))
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(Problem(path, "filen er ikke UTF-8")) from None


def render_text(folder: Path, chapter, values: dict) -> str:
    """The chapter's Markdown with every placeholder filled from the report's values."""
    path = Path(folder) / chapter.decl.source
    return render(without_comments(load_text(folder, chapter)), values, file=path)


def check_texts(folder: Path, report, values: dict, catalogue=None) -> list[Problem]:
    """Every placeholder in the report's text chapters and in the catalogue's texts resolves to a value
    the report's chapters publish; each problem names the file, the line and the placeholder."""
    problems: list[Problem] = []
    for chapter in report.text_chapters():
        try:
            render_text(folder, chapter, values)
        except InputError as err:
            problems += err.problems
    if catalogue is not None:
        from servicetjek.chapters.catalogue_texts import check_placeholders

        problems += check_placeholders(catalogue, values)
    return problems
