"""What changed between two editions of a report (editions.py): every table cell that moved (old, new,
difference), every sentence that changed, every input file that changed. Shown in the terminal and
written as an HTML page a reviewer can read."""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from servicetjek.publish import formatting as fmt

TOLERANCE = 1e-9
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9])")
TEXT_TAGS = {"p", "li", "figcaption", "h1", "h2", "h3", "h4"}


@dataclass(frozen=True)
class Cell:
    table: str
    row: str
    column: str
    old: object
    new: object

    @property
    def difference(self) -> float | None:
        try:
            return float(self.new) - float(self.old)
        except (TypeError, ValueError):
            return None


@dataclass
class Diff:
    old: str
    new: str
    cells: list[Cell] = field(default_factory=list)
    tables: list[tuple[str, str]] = field(default_factory=list)      # (table, 'tilføjet'/'fjernet')
    removed_sentences: list[str] = field(default_factory=list)
    added_sentences: list[str] = field(default_factory=list)
    inputs: list[tuple[str, str]] = field(default_factory=list)      # (path, 'ændret'/'tilføjet'/'fjernet')

    @property
    def empty(self) -> bool:
        return not (self.cells or self.tables or self.removed_sentences or self.added_sentences or self.inputs)


# ------------------------------------------------------------------ tables
def _value(text: str) -> object:
    try:
        return float(text)
    except ValueError:
        return text


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= TOLERANCE
    return a == b


def _keys(frame: pd.DataFrame) -> list[str]:
    """Row names: the first column when its values are unique, otherwise the row number."""
    first = frame.iloc[:, 0] if len(frame.columns) else pd.Series(dtype=str)
    if first.is_unique:
        return [str(v) for v in first]
    return [str(i + 1) for i in range(len(frame))]


def table_cells(name: str, old: pd.DataFrame, new: pd.DataFrame) -> list[Cell]:
    cells = []
    old_rows = dict(zip(_keys(old), old.to_dict("records")))
    new_rows = dict(zip(_keys(new), new.to_dict("records")))
    for key in list(old_rows) + [k for k in new_rows if k not in old_rows]:
        a, b = old_rows.get(key, {}), new_rows.get(key, {})
        for column in list(old.columns) + [c for c in new.columns if c not in old.columns]:
            va, vb = _value(str(a.get(column, ""))), _value(str(b.get(column, "")))
            if not _same(va, vb):
                cells.append(Cell(name, key, column, va, vb))
    return cells


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# ------------------------------------------------------------------ sentences
class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.buffer: list[str] = []
        self.blocks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "svg"):
            self.skip += 1
        elif tag in TEXT_TAGS:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "svg"):
            self.skip = max(0, self.skip - 1)
        elif tag in TEXT_TAGS and self.depth:
            self.depth -= 1
            if not self.depth:
                self.blocks.append(" ".join("".join(self.buffer).split()))
                self.buffer = []

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.buffer.append(data)


def sentences(page: str) -> list[str]:
    """The report's sentences: the text of its paragraphs, list items, captions and headings."""
    parser = _Text()
    parser.feed(page)
    out = []
    for block in parser.blocks:
        out += [s for s in SENTENCE_END.split(block) if s]
    return out


def _multiset_minus(a: list[str], b: list[str]) -> list[str]:
    rest = list(b)
    out = []
    for s in a:
        if s in rest:
            rest.remove(s)
        else:
            out.append(s)
    return out


# ------------------------------------------------------------------ the diff
def compare(old, new) -> Diff:
    """Diff two editions (editions.Edition)."""
    out = Diff(old.label, new.label)
    old_tables = {p.stem: p for p in sorted((old.path / "tables").glob("*.csv"))}
    new_tables = {p.stem: p for p in sorted((new.path / "tables").glob("*.csv"))}
    for name in sorted(set(old_tables) | set(new_tables)):
        if name not in new_tables:
            out.tables.append((name, "fjernet"))
        elif name not in old_tables:
            out.tables.append((name, "tilføjet"))
        else:
            out.cells += table_cells(name, _read(old_tables[name]), _read(new_tables[name]))
    old_pages = sorted(old.path.glob("*.html"))
    new_pages = sorted(new.path.glob("*.html"))
    a = sentences(old_pages[0].read_text(encoding="utf-8")) if old_pages else []
    b = sentences(new_pages[0].read_text(encoding="utf-8")) if new_pages else []
    out.removed_sentences = _multiset_minus(a, b)
    out.added_sentences = _multiset_minus(b, a)
    old_inputs = {i["path"]: i["sha256"] for i in old.manifest.get("inputs", [])}
    new_inputs = {i["path"]: i["sha256"] for i in new.manifest.get("inputs", [])}
    for path in sorted(set(old_inputs) | set(new_inputs)):
        if path not in new_inputs:
            out.inputs.append((path, "fjernet"))
        elif path not in old_inputs:
            out.inputs.append((path, "tilføjet"))
        elif old_inputs[path] != new_inputs[path]:
            out.inputs.append((path, "ændret"))
    return out


def _decimals(value: float) -> int:
    """The fewest decimals (at most 4) that show the value as stored."""
    return next((d for d in range(4) if abs(round(value, d) - value) < 1e-9 * max(1.0, abs(value))), 4)


def _show(value: object) -> str:
    if isinstance(value, float):
        return fmt.number(value, _decimals(value)) if not math.isnan(value) else "-"
    return str(value) if value != "" else "(tom)"


def _show_difference(cell: Cell) -> str:
    d = cell.difference
    return "" if d is None else fmt.signed(d, _decimals(d))


def render_text(diff: Diff) -> str:
    lines = [f"Ændringer fra {diff.old} til {diff.new}:"]
    if diff.empty:
        return lines[0] + " ingen."
    lines.append(f"Tabelceller, der har flyttet sig: {len(diff.cells)}")
    for c in diff.cells:
        lines.append(f"  {c.table} | {c.row} | {c.column}: {_show(c.old)} -> {_show(c.new)} ({_show_difference(c)})")
    for name, what in diff.tables:
        lines.append(f"  tabellen {name}: {what}")
    lines.append(f"Sætninger, der er ændret: {len(diff.removed_sentences)} fjernet, {len(diff.added_sentences)} tilføjet")
    lines += [f"  - {s}" for s in diff.removed_sentences] + [f"  + {s}" for s in diff.added_sentences]
    lines.append(f"Inputfiler, der er ændret: {len(diff.inputs)}")
    lines += [f"  {path}: {what}" for path, what in diff.inputs]
    return "\n".join(lines)


def render_html(diff: Diff, kommune: str) -> str:
    from servicetjek.publish.render import stylesheets

    e = html.escape
    rows = "".join(f"<tr><th scope='row'>{e(c.table)}</th><td>{e(c.row)}</td><td>{e(c.column)}</td>"
                   f"<td>{e(_show(c.old))}</td><td>{e(_show(c.new))}</td><td>{e(_show_difference(c))}</td></tr>"
                   for c in diff.cells)
    tables = "".join(f"<li>Tabellen {e(n)}: {e(w)}</li>" for n, w in diff.tables)
    removed = "".join(f"<li class='removed'>− {e(s)}</li>" for s in diff.removed_sentences)
    added = "".join(f"<li class='added'>+ {e(s)}</li>" for s in diff.added_sentences)
    inputs = "".join(f"<li>{e(p)}: {e(w)}</li>" for p, w in diff.inputs)
    return (f"<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'>"
            f"<title>Ændringer {e(diff.old)} → {e(diff.new)} – {e(kommune)}</title>"
            f"<style>{stylesheets()} .removed{{color:#8a1c1c}} .added{{color:#1c5e1c}}</style></head>"
            f"<body><main class='report'><h1>Ændringer fra {e(diff.old)} til {e(diff.new)} – {e(kommune)} Kommune</h1>"
            f"<h2>Tabelceller ({len(diff.cells)})</h2><table class='st'><thead><tr><th>Tabel</th><th>Række</th>"
            f"<th>Kolonne</th><th>Før</th><th>Nu</th><th>Forskel</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<ul>{tables}</ul>"
            f"<h2>Sætninger ({len(diff.removed_sentences)} fjernet, {len(diff.added_sentences)} tilføjet)</h2>"
            f"<ul>{removed}{added}</ul><h2>Inputfiler ({len(diff.inputs)})</h2><ul>{inputs}</ul>"
            f"</main></body></html>\n")
