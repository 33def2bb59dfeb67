"""One chapter notebook executed with papermill in the build's kernel; its captions and CSV files are
checked against the declaration."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from servicetjek import config
from servicetjek.publish.kernels import KERNEL, KERNEL_ARGS, no_secrets


class BuildFailed(Exception):
    """A chapter failed: the message names the municipality, the chapter, the cell and the error."""

    def __init__(self, message: str, notebook: Path | None = None):
        super().__init__(message)
        self.notebook = notebook


@dataclass
class ChapterRecord:
    chapter: str                 # the chapter's id in the declaration
    notebook: str                # its notebook file name, e.g. status.ipynb
    number: int
    key: str
    executed: bool
    seconds: float = 0.0
    tables: list[int] = field(default_factory=list)
    figures: list[int] = field(default_factory=list)
    table_files: list[str] = field(default_factory=list)


def skip_slow_imports() -> None:
    """nbformat → jsonschema imports rfc3987_syntax when it is installed, which compiles a grammar at
    import (≈ 0,9 s, a third of papermill's import). jsonschema only needs it for the 'iri' formats, which
    notebook validation never uses; marking it absent makes jsonschema skip it (its import is optional)."""
    sys.modules.setdefault("rfc3987_syntax", None)


def notebook_params(chapter, kommune: str) -> dict:
    """What the build passes to a chapter notebook (its numbers follow from the declaration)."""
    return {"kommune": kommune, "chapter": chapter.decl.id, "report_kind": chapter.report.kind,
            "tables_dir": "tables", "checked": True}


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()
    return source.strip().splitlines()[0] if source.strip() else ""


def _failure_message(name: str, nb_path: Path, err, kept: Path) -> str:
    import nbformat

    source_nb = nbformat.read(nb_path, as_version=4)
    index = next((i for i, c in enumerate(source_nb.cells) if c.source == err.source), err.cell_index)
    return (f"FEJL: {name}: kapitlet {nb_path.name} fejlede i celle {index} "
            f"(«{_first_line(err.source)}»): {err.ename}: {err.evalue}\n"
            f"Den delvist kørte notesbog er gemt i {kept}")


def _renumber(nb) -> None:
    """Execution counts 1, 2, … within the chapter (the kernel is shared by the build's chapters)."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count


def execute(chapter, out: Path, kommune: str, slug: str, km=None):
    """Run the chapter's notebook into `out` (cwd: the build folder) and return it; a failing cell is a
    BuildFailed that keeps the partial notebook in reports/.failed/<slug>/.

    The notebook is written once, when it is done (papermill's `request_save_on_cell_execute=False`;
    papermill still writes it, with the error marked, when a cell fails): saving after every cell cost
    about 0,1 s a chapter, and the build's folder is thrown away if the build is stopped."""
    skip_slow_imports()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    nb = chapter.notebook
    extra = {"km": km} if km is not None else {}
    try:
        with no_secrets():
            executed = papermill.execute_notebook(
                str(nb), str(out), parameters=notebook_params(chapter, kommune), kernel_name=KERNEL,
                request_save_on_cell_execute=False, progress_bar=False, log_output=False,
                cwd=str(out.parent.parent), extra_arguments=KERNEL_ARGS, **extra)
    except PapermillExecutionError as err:
        failed_dir = config.REPORTS_DIR / ".failed" / slug
        failed_dir.mkdir(parents=True, exist_ok=True)
        kept = failed_dir / nb.name
        if out.is_file():
            shutil.copyfile(out, kept)
        raise BuildFailed(_failure_message(kommune, nb, err, kept), kept) from None
    if km is not None:
        import nbformat

        _renumber(executed)
        nbformat.write(executed, out)
    return executed


def check_declared(chapter, kommune: str, found: dict[str, list[int]], written: list[str]) -> None:
    """The chapter showed exactly the tables and figures the declaration numbers, and wrote its CSV files."""
    problems = []
    for kind, expected in (("Tabel", chapter.table_numbers), ("Figur", chapter.figure_numbers)):
        if found[kind] != expected:
            problems.append(f"viser {kind.lower()}numre {found[kind]}, men report.yaml giver {expected}")
    declared = sorted(f"{t}.csv" for t in chapter.decl.outputs)
    if sorted(written) != declared:
        problems.append(f"skriver tabelfilerne {sorted(written)}, men report.yaml erklærer {declared}")
    if problems:
        raise BuildFailed(f"FEJL: {kommune}: kapitlet '{chapter.decl.id}' ({chapter.notebook.name}) "
                          + "; ".join(problems))


def run_chapter(chapter, build_dir: Path, kommune: str, slug: str, km) -> ChapterRecord:
    """Execute, render the chapter's own page, and check it against the declaration."""
    from servicetjek.publish.render import captions, chapter_fragment, chapter_page

    executed = build_dir / "notebooks" / chapter.notebook.name
    before = set(os.listdir(build_dir / "tables"))
    nb = execute(chapter, executed, kommune, slug, km)
    page = build_dir / "chapters" / f"{chapter.notebook.stem}.html"
    page.write_text(chapter_page(nb, kommune), encoding="utf-8")
    found = captions(chapter_fragment(nb))
    written = sorted(set(os.listdir(build_dir / "tables")) - before)
    check_declared(chapter, kommune, found, written)
    return ChapterRecord(chapter.decl.id, chapter.notebook.name, chapter.number, "", True, 0.0, found["Tabel"],
                         found["Figur"], written)
