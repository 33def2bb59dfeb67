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

        problems += _with_lines(check_placeholders(catalogue, values))
    return problems


def _with_lines(problems: list[Problem]) -> list[Problem]:
    """The YAML line of each catalogue placeholder (the model keeps the text, not where it stood)."""
    texts: dict[str, list[str]] = {}
    for problem in problems:
        if problem.line is None and isinstance(problem.value, str) and Path(problem.file).is_file():
            if str(problem.file) not in texts:
                texts[str(problem.file)] = Path(problem.file).read_text(encoding="utf-8", errors="replace").splitlines()
            problem.line = _line_of(texts[str(problem.file)], problem.value)
    return problems


def control_problems(folder: Path, report) -> list[Problem]:
    """A NUL or other control character in a text chapter or slot (it would travel into the report),
    one problem per line."""
    from servicetjek.inputs.tables import CONTROL
    from servicetjek.publish.slots import slot_files

    paths = [Path(folder) / c.decl.source for c in report.text_chapters()]
    paths += [p for c in report.chapters for p in slot_files(folder, c.decl.id)]
    problems = []
    for path in paths:
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            found = re.search(CONTROL, line)
            if found:
                problems.append(Problem(path, f"linjen indeholder et kontroltegn ({found.group(0)!r})", line=number,
                                        value=line[:80]))
    return problems


# ------------------------------------------------------------------ nothing fetched
# The report is self-contained: an image must be a data: URL. Anything else (http, //host, file:,
# a relative path) would make a reader's browser or the PDF build try to fetch it.
_RAW_RESOURCE = re.compile(r"""(?:\b(?:src|srcset|href|poster|data)\s*=\s*["']?|url\(\s*["']?)\s*"""
                           r"""((?:[a-z][a-z0-9+.-]*:|//)[^"'\s)>]*)""", re.I)
REMOTE_MESSAGE = "ekstern ressource; rapporten henter intet udefra, så billeder skal være indlejrede data:-URL'er"


def _image_urls(nodes: list) -> list[str]:
    urls = []
    for node in nodes:
        if node.get("type") == "image":
            urls.append(str(node.get("attrs", {}).get("url", "")))
        urls += _image_urls(node.get("children") or [])
    return urls


def remote_urls(markdown: str) -> list[str]:
    """Every URL in the Markdown that a renderer would fetch: images that are not data: URLs, and
    resources named in raw HTML or CSS (escaped by the renderer, refused anyway)."""
    import mistune

    tree = mistune.create_markdown(renderer="ast", plugins=["table"])(markdown or "")
    urls = [u for u in _image_urls(tree) if not u.strip().lower().startswith("data:")]
    urls += [m.group(1) for m in _RAW_RESOURCE.finditer(markdown or "") if not m.group(1).lower().startswith("data:")]
    return list(dict.fromkeys(urls))


def _line_of(lines: list[str], url: str) -> int | None:
    return next((number for number, line in enumerate(lines, 1) if url and url in line), None)


def remote_problems(path: Path, texts: list[str]) -> list[Problem]:
    """One problem per remote URL in `texts` (strings from the file `path`), naming the line and URL."""
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    problems = []
    for text in texts:
        for url in remote_urls(text):
            problems.append(Problem(path, REMOTE_MESSAGE, line=_line_of(lines, url), value=url))
    return problems


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return []


def check_remote(folder: Path, report) -> list[Problem]:
    """Remote images and resources in the report's text chapters and in every text of proposals.yaml."""
    from servicetjek.validation import safe_yaml

    problems: list[Problem] = []
    for chapter in report.text_chapters():
        path = Path(folder) / chapter.decl.source
        if path.is_file():
            problems += remote_problems(path, [path.read_text(encoding="utf-8", errors="replace")])
    catalogue = Path(folder) / "proposals.yaml"
    if catalogue.is_file() and report.needs("proposals.yaml"):
        try:
            data = safe_yaml(catalogue)
        except InputError:
            return problems      # the catalogue's own reader reports it
        problems += remote_problems(catalogue, _strings(data))
    return problems
