"""The report declaration (`report.yaml`): which chapters a report kind holds, in order, and what each
reads, writes and publishes. Validated with pydantic; every other module asks this one.

Numbers follow from the order: a chapter's number is its position, and its tables and figures are
numbered on from the chapters before it. Nothing else types a chapter, table or figure number.
"""

from __future__ import annotations

import fnmatch
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from servicetjek import config
from servicetjek.errors import InputError, Problem
from servicetjek.validation import Strict, pydantic_problems, safe_yaml

Kind = Literal["notebook", "text", "summary", "provenance"]
Ident = Field(pattern=r"^[a-z][a-z0-9_]*$")
CORE_INPUTS = ("kommune.yaml", "comparison_groups.yaml", "extracts/*")   # every report reads these
# The values a chapter may publish (builders in chapters/values.py); 'kommune' is always there.
PUBLISHABLE = ("status", "longrun", "benchmark", "scenario", "budget", "resources", "unit_costs", "exit_rates", "catalogue")


class ChapterDecl(Strict):
    id: str = Ident
    title: str = Field(min_length=1)
    kind: Kind
    source: str | None = None
    inputs: list[str] = Field(default_factory=list)
    optional: list[str] = Field(default_factory=list)
    tables: list[str] = Field(default_factory=list)
    figures: list[str] = Field(default_factory=list)
    data: list[str] = Field(default_factory=list)
    publishes: list[str] = Field(default_factory=list)
    resume: str | None = None
    quotes: bool = False
    slots: list[str] = Field(default_factory=list)    # the consultant's named slots (texts/<id>/<slot>.md)
    # Tables and figures numbered within the chapter ("Tabel 4.1"), so the main series keeps the
    # reference report's numbers (Tabel 1-5, Figur 1-6) however many supporting tables a chapter adds.
    supplementary: list[str] = Field(default_factory=list)

    @field_validator("publishes")
    @classmethod
    def _known_values(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(PUBLISHABLE))
        if unknown:
            raise ValueError(f"ukendte værdier {unknown}; kendte: {', '.join(PUBLISHABLE)}")
        return value

    @model_validator(mode="after")
    def _source_fits_kind(self) -> "ChapterDecl":
        if self.kind == "notebook" and not (self.source or "").endswith(".ipynb"):
            raise ValueError(f"kapitlet '{self.id}' er en notesbog og skal have source: notebooks/<navn>.ipynb")
        if self.kind == "text" and not (self.source or "").endswith(".md"):
            raise ValueError(f"kapitlet '{self.id}' er en tekst og skal have source: texts/<navn>.md")
        stray = sorted(set(self.supplementary) - set(self.tables) - set(self.figures))
        if stray:
            raise ValueError(f"kapitlet '{self.id}': supplementary nævner {stray}, som ikke er dets tabeller eller figurer")
        if self.kind != "notebook" and self.slots:
            raise ValueError(f"kapitlet '{self.id}' er ikke en notesbog og kan ikke have pladser (slots)")
        if len(set(self.slots)) != len(self.slots) or not all(re.fullmatch(r"[a-z][a-z0-9_]*", s) for s in self.slots):
            raise ValueError(f"kapitlet '{self.id}': pladserne skal være unikke navne med små bogstaver, tal og _")
        if self.kind != "notebook" and (self.tables or self.figures or self.data):
            raise ValueError(f"kapitlet '{self.id}' er ikke en notesbog og kan ikke have tabeller eller figurer")
        return self

    @property
    def outputs(self) -> list[str]:
        """The CSV files (ids) the chapter writes to tables/."""
        return list(dict.fromkeys(self.tables + self.data))

    @property
    def text_file(self) -> str | None:
        return self.source if self.kind == "text" else None


class ReportDecl(Strict):
    title: str = Field(min_length=1)
    chapters: list[ChapterDecl] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "ReportDecl":
        for what, items in (("kapitel-id", [c.id for c in self.chapters]),
                            ("tabel/figur-id", [t for c in self.chapters for t in c.tables + c.figures]),
                            ("CSV-fil", [t for c in self.chapters for t in c.outputs])):
            dupes = sorted({i for i in items if items.count(i) > 1})
            if dupes:
                raise ValueError(f"{what} brugt mere end én gang: {', '.join(dupes)}")
        if sum(c.kind == "summary" for c in self.chapters) > 1:
            raise ValueError("højst ét resumé-kapitel (kind: summary)")
        if sum(c.kind == "provenance" for c in self.chapters) > 1:
            raise ValueError("højst ét datagrundlag (kind: provenance)")
        return self


class Declaration(Strict):
    reports: dict[str, ReportDecl] = Field(min_length=1)


class Chapter:
    """One chapter of one report kind, with the numbers that follow from its place."""

    def __init__(self, decl: ChapterDecl, report: "Report", number: int, table_start: int, figure_start: int):
        self.decl = decl
        self.report = report
        self.number = number
        self.table_start = table_start
        self.figure_start = figure_start

    def __getattr__(self, name):          # the declared fields: id, title, kind, source, inputs, …
        return getattr(self.decl, name)

    def __repr__(self) -> str:
        return f"Chapter({self.report.kind}:{self.decl.id}, nr. {self.number})"

    def title_for(self, kommune: str) -> str:
        return self.decl.title.replace("{kommune}", kommune)

    def _number(self, ids: list[str], start: int, ident: str) -> int | str:
        """A main table or figure runs on through the report (an int); a supplementary one is numbered
        within its chapter ("4.1")."""
        main = [i for i in ids if i not in self.decl.supplementary]
        if ident in main:
            return start + main.index(ident)
        sub = [i for i in ids if i in self.decl.supplementary]
        return f"{self.number}.{sub.index(ident) + 1}"

    def table_number(self, table_id: str) -> int | str:
        if table_id not in self.decl.tables:
            raise KeyError(f"tabellen '{table_id}' er ikke erklæret for kapitlet '{self.decl.id}' i report.yaml")
        return self._number(self.decl.tables, self.table_start, table_id)

    def figure_number(self, figure_id: str) -> int | str:
        if figure_id not in self.decl.figures:
            raise KeyError(f"figuren '{figure_id}' er ikke erklæret for kapitlet '{self.decl.id}' i report.yaml")
        return self._number(self.decl.figures, self.figure_start, figure_id)

    @property
    def table_numbers(self) -> list[str]:
        """The captions' numbers, as text, in declared order ("1", "2", "4.1" …)."""
        return [str(self.table_number(t)) for t in self.decl.tables]

    @property
    def figure_numbers(self) -> list[str]:
        return [str(self.figure_number(f)) for f in self.decl.figures]

    @property
    def main_tables(self) -> int:
        return sum(1 for t in self.decl.tables if t not in self.decl.supplementary)

    @property
    def main_figures(self) -> int:
        return sum(1 for f in self.decl.figures if f not in self.decl.supplementary)

    @property
    def notebook(self) -> Path | None:
        return (notebooks_root() / self.decl.source) if self.decl.kind == "notebook" else None

    @property
    def reads_values(self) -> bool:
        return self.decl.quotes or self.decl.kind in ("text", "summary")

    def dependencies(self) -> list[str]:
        """Raw-file globs its output depends on: its own inputs, and the inputs of every chapter whose
        values it may quote."""
        globs = list(CORE_INPUTS) + self.decl.inputs + self.decl.optional
        if self.reads_values:
            for other in self.report.chapters:
                if other.decl.publishes:
                    globs += other.decl.inputs + other.decl.optional
        if self.decl.quotes:
            globs += [c.decl.text_file for c in self.report.chapters if c.decl.text_file]
        return list(dict.fromkeys(globs))


class Report:
    """One report kind: its chapters in order, numbered."""

    def __init__(self, kind: str, decl: ReportDecl):
        self.kind = kind
        self.title = decl.title
        self.chapters: list[Chapter] = []
        table = figure = 1
        for number, ch in enumerate(decl.chapters, 1):
            chapter = Chapter(ch, self, number, table, figure)
            self.chapters.append(chapter)
            table += chapter.main_tables
            figure += chapter.main_figures

    def chapter(self, chapter_id: str) -> Chapter:
        for ch in self.chapters:
            if ch.decl.id == chapter_id:
                return ch
        known = ", ".join(c.decl.id for c in self.chapters)
        raise InputError(f"kapitlet '{chapter_id}' findes ikke i rapporten '{self.kind}'; kendte: {known}")

    def notebooks(self) -> list[Chapter]:
        return [c for c in self.chapters if c.decl.kind == "notebook"]

    def published(self) -> list[str]:
        """Every value root the report's chapters publish, in chapter order ('kommune' always)."""
        return list(dict.fromkeys(["kommune"] + [p for c in self.chapters for p in c.decl.publishes]))

    def publisher(self, root: str) -> Chapter | None:
        return next((c for c in self.chapters if root in c.decl.publishes), None)

    def required_inputs(self) -> list[str]:
        """The raw files (or globs) a municipality must have for this report, in a stable order."""
        files = list(CORE_INPUTS)
        for ch in self.chapters:
            files += ch.decl.inputs
            if ch.decl.text_file:
                files.append(ch.decl.text_file)
        return list(dict.fromkeys(files))

    def optional_inputs(self) -> list[str]:
        return list(dict.fromkeys(f for c in self.chapters for f in c.decl.optional))

    def needs(self, rel: str) -> bool:
        """Whether the raw file (relative to data/raw/<slug>/) is an input of this report."""
        return any(fnmatch.fnmatch(rel, g) or rel == g for g in self.required_inputs() + self.optional_inputs())

    def text_chapters(self) -> list[Chapter]:
        return [c for c in self.chapters if c.decl.kind == "text"]


DEFAULT_REPORT = "servicetjek"


def declaration_file() -> Path:
    """report.yaml (SERVICETJEK_REPORT points a test at a modified copy)."""
    return Path(os.environ.get("SERVICETJEK_REPORT", config.REPORT_FILE)).resolve()


def notebooks_root() -> Path:
    """The folder notebook sources are relative to: the declaration's folder."""
    return declaration_file().parent


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Declaration:
    file = Path(path)
    if not file.is_file():
        raise InputError(Problem(file, "rapportens erklæring mangler"))
    raw = safe_yaml(file)
    try:
        return Declaration.model_validate(raw)
    except Exception as err:   # pydantic.ValidationError
        raise InputError(pydantic_problems(file, err)) from None


def load() -> Declaration:
    file = declaration_file()
    return _load(str(file), file.stat().st_mtime if file.exists() else 0.0)


def report(kind: str = DEFAULT_REPORT) -> Report:
    decl = load()
    if kind not in decl.reports:
        raise InputError(Problem(declaration_file(), f"rapporten '{kind}' er ikke erklæret; kendte: "
                                                     f"{', '.join(decl.reports)}"))
    return Report(kind, decl.reports[kind])


def chapter(chapter_id: str, kind: str = DEFAULT_REPORT) -> Chapter:
    return report(kind).chapter(chapter_id)


def check_notebooks() -> None:
    """Every notebook in the notebooks folder is declared, and every declared notebook exists: a chapter
    cannot be added or dropped silently."""
    decl = load()
    root = notebooks_root()
    declared = {root / c.source for r in decl.reports.values() for c in r.chapters if c.kind == "notebook"}
    problems = [Problem(p, "notesbogen er erklæret i report.yaml, men findes ikke") for p in sorted(declared)
                if not p.is_file()]
    folder = root / "notebooks"
    if folder.is_dir():
        problems += [Problem(p, "notesbogen er ikke erklæret som kapitel i report.yaml")
                     for p in sorted(folder.glob("*.ipynb")) if p not in declared]
    if problems:
        raise InputError(problems)
