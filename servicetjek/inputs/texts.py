"""The consultant's texts: the text chapters the declaration names (texts/<id>.md), the check that every
placeholder in them and in the proposal catalogue is a value some chapter of the report publishes, and that no
number the report computes is typed in them (inputs/typed_numbers.py)."""

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


def check_slots(folder: Path, report, values: dict, years: set[int]) -> list[Problem]:
    """Every slot file names a declared slot of its chapter, and reads like a text chapter."""
    from servicetjek.inputs.typed_numbers import check_typed_numbers
    from servicetjek.publish.slots import slot_files

    problems: list[Problem] = []
    for chapter in report.chapters:
        for path in slot_files(folder, chapter.decl.id):
            if path.stem not in chapter.decl.slots:
                known = ", ".join(chapter.decl.slots) or "ingen"
                problems.append(Problem(path, f"ukendt plads '{path.stem}' for kapitlet '{chapter.decl.id}'; "
                                              f"kendte: {known}"))
                continue
            text = without_comments(path.read_text(encoding="utf-8"))
            try:
                render(text, values, file=path)
            except InputError as err:
                problems += err.problems
                continue
            problems += check_typed_numbers(text, values, path, years)
    return problems


def _years(values: dict) -> set[int]:
    """The years the report's values are keyed by (a typed year is never a typed value)."""
    found: set[int] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, int) and 1900 <= key <= 2100:
                    found.add(key)
                walk(value)

    walk(values)
    return found | {y + d for y in found for d in (-1, 1)}


def check_texts(folder: Path, report, values: dict, catalogue=None) -> list[Problem]:
    """Every placeholder in the report's text chapters and in the catalogue's texts resolves to a value
    the report's chapters publish; each problem names the file, the line and the placeholder."""
    from servicetjek.inputs.typed_numbers import check_typed_numbers

    problems: list[Problem] = []
    years = _years(values)
    for chapter in report.text_chapters():
        try:
            render_text(folder, chapter, values)
        except InputError as err:
            problems += err.problems
            continue
        path = Path(folder) / chapter.decl.source
        problems += check_typed_numbers(without_comments(load_text(folder, chapter)), values, path, years)
    problems += check_slots(folder, report, values, years)
    if catalogue is not None:
        from servicetjek.chapters.catalogue_texts import check_placeholders

        problems += check_placeholders(catalogue, values)
    return problems
