"""`build`: one municipality's report, as the declaration (report.yaml) says — orchestration only.

1. `prepare` when the prepared tables are stale (checked once per build);
2. every notebook chapter executed in-process with papermill (execute.py), in one kernel (kernels.py);
   its captions and CSV files are checked against the numbers the declaration gives;
3. the report page: title page, contents and every chapter in declared order (assemble.py), its HTML
   and PDF (render.py) and DOCX (word.py);
4. `manifest.json` (manifest.py).

Cache (cache.py): each chapter is keyed on its notebook, the package code, the reference files, the raw
files it declares, its place in the report and its parameters; a chapter whose key is unchanged is copied
from the previous report. With nothing changed the build returns at once.

Atomic: everything is written into `reports/.<slug>.build.*` and swapped in whole, under a
per-municipality lock. A failing cell keeps the partial notebook in `reports/.failed/<slug>/`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from servicetjek import config
from servicetjek.errors import EXIT_BAD_INPUT, EXIT_FAILED, InputError
from servicetjek.files import pause_point, swap_dir
from servicetjek.publish.cache import Fingerprint, digest
from servicetjek.publish.execute import BuildFailed, ChapterRecord, notebook_params, skip_slow_imports
from servicetjek.publish.manifest import old_manifest, outputs_exist

FORMATS = ("html", "pdf", "docx")
BUILD_DIRS = ("notebooks", "chapters", "tables")   # what a build writes; other folders are carried over


@dataclass
class BuildResult:
    slug: str
    name: str = ""
    status: int = 0                      # 0 done, 1 build failed, 2 bad input
    up_to_date: bool = False             # nothing changed: nothing was done
    executed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    rendered: bool = False
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    report_dir: str = ""
    outputs: list[str] = field(default_factory=list)
    message: str = ""
    failed_notebook: str | None = None
    edition: str | None = None           # the edition this build was kept as (editions.py)

    @property
    def ok(self) -> bool:
        return self.status == 0


@dataclass
class BuildOptions:
    formats: list[str] = field(default_factory=lambda: list(FORMATS))
    force: bool = False
    progress: bool = True
    position: int = 0
    kind: str = "servicetjek"
    reuse_kernel: bool = False           # a batch: one kernel per process for all its municipalities


@dataclass
class BuildState:
    """Everything one build of one municipality carries from step to step."""

    slug: str
    report: object                       # declaration.Report
    options: BuildOptions
    target: Path
    finger: Fingerprint
    whole: str
    old: dict
    result: BuildResult
    tmp: Path | None = None
    inp: object = None                   # inputs.loader.Inputs
    kernels: object = None               # kernels.Kernels
    records: list[ChapterRecord] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)
    report_key: str = ""

    @property
    def formats(self) -> list[str]:
        return self.options.formats

    def old_chapter(self, chapter_id: str) -> dict | None:
        return next((c for c in self.old.get("chapters", []) if c.get("chapter") == chapter_id), None)


@contextlib.contextmanager
def _lock(slug: str):
    import fcntl

    folder = config.REPORTS_DIR / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{slug}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _progress_bar(total: int, name: str, options: BuildOptions):
    from tqdm import tqdm

    enabled = options.progress and sys.stderr.isatty()
    return tqdm(total=total, desc=f"{name:<12}", position=options.position, leave=True, disable=not enabled,
                unit="trin", bar_format="{desc} {bar:20} {n_fmt}/{total_fmt} {postfix}")


# ------------------------------------------------------------------ the build
def build(kommune: str, options: BuildOptions | None = None) -> BuildResult:
    """Build one municipality's report into reports/<slug>/ (see the module docstring).

    Raises InputError (bad input) and BuildFailed (a chapter failed); `build_many` turns them into
    exit statuses.
    """
    from servicetjek import declaration
    from servicetjek.inputs.discover import resolve

    skip_slow_imports()
    started = time.perf_counter()
    options = options or BuildOptions()
    options.formats = sorted(set(options.formats))
    kind, force = options.kind, options.force
    unknown = set(options.formats) - set(FORMATS)
    if unknown:
        raise InputError(f"ukendt format {sorted(unknown)}; kendte: {', '.join(FORMATS)}")
    declaration.check_notebooks()
    report = declaration.report(kind)
    slug = resolve(kommune)
    target = report_target(slug, kind)
    config.REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    with _lock(slug):
        for stale in config.REPORTS_DIR.glob(f".{slug}.build.*"):   # left by a killed build (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
        from servicetjek.publish.editions import remove_partial

        remove_partial(slug)
        pause_point("build:locked")
        t = time.perf_counter()
        finger = Fingerprint.take(slug, [c.notebook for c in report.notebooks()], declaration.declaration_file())
        state = BuildState(slug, report, options, target, finger, finger.whole(options.formats, kind),
                           old_manifest(target), BuildResult(slug=slug, report_dir=str(target)))
        state.steps["hash"] = time.perf_counter() - t
        if not force and state.old.get("cache", {}).get("whole") == state.whole and outputs_exist(target, state.old):
            return _unchanged(state, started)
        state.tmp = Path(tempfile.mkdtemp(prefix=f".{slug}.build.", dir=config.REPORTS_DIR))
        carried: list[str] = []
        try:
            _build_into(state)
            os.chmod(state.tmp, 0o755)
            carried = _carry_over(target, state.tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            pause_point("build:carried")
            swap_dir(state.tmp, target)
        except BaseException:
            for name in carried:      # put editions/ and the other report kinds back
                if (state.tmp / name).exists() and not (target / name).exists():
                    os.replace(state.tmp / name, target / name)
            shutil.rmtree(state.tmp, ignore_errors=True)
            raise
        pause_point("build:swapped")
        shutil.rmtree(config.REPORTS_DIR / ".failed" / slug, ignore_errors=True)
        from servicetjek.publish import editions

        state.result.edition = editions.record(slug, kind, target)
    state.result.seconds = time.perf_counter() - started
    return state.result


def report_target(slug: str, kind: str) -> Path:
    """reports/<slug>/ for the main report kind; reports/<slug>/<kind>/ for the others."""
    from servicetjek.declaration import DEFAULT_REPORT

    return config.report_dir(slug) if kind == DEFAULT_REPORT else config.report_dir(slug) / kind


def _carry_over(target: Path, tmp: Path) -> list[str]:
    """Folders in the old report that this build does not write (editions/, the other report kinds) move
    into the new one before it is swapped in; returns their names."""
    moved = []
    if target.is_dir():
        for sub in sorted(target.iterdir()):
            if sub.is_dir() and sub.name not in BUILD_DIRS and not (tmp / sub.name).exists():
                os.replace(sub, tmp / sub.name)
                moved.append(sub.name)
    return moved


def _unchanged(state: BuildState, started: float) -> BuildResult:
    result = state.result
    result.name = state.old.get("kommune", state.slug)
    result.up_to_date = True
    result.reused = [c["chapter"] for c in state.old.get("chapters", [])]
    result.outputs = [o["path"] for o in state.old.get("outputs", [])]
    result.steps = state.steps
    result.seconds = time.perf_counter() - started
    return result


def _build_into(state: BuildState) -> None:
    from servicetjek.publish.kernels import Kernels, shared

    t = time.perf_counter()
    state.kernels = shared(state.tmp) if state.options.reuse_kernel else Kernels(state.tmp)
    guess = (state.old.get("kommune", ""), bool(state.old.get("constructed_inputs")))
    booting = any(not _maybe_reusable(state, ch, *guess) for ch in state.report.notebooks())
    if booting:
        state.kernels.prestart()       # boots while the inputs are checked
    try:
        _prepare_inputs(state)
        if booting:
            _warm_up(state.formats)
        state.steps["prepare"] = time.perf_counter() - t
        pause_point("build:prepared")
        _chapters_and_report(state)
    finally:
        state.kernels.close()


def _warm_up(formats) -> None:
    """While the kernel boots (a separate process, 2–3 s), this process loads what the later steps need:
    nbconvert's exporter for the chapter pages, WeasyPrint for the PDF, python-docx for the DOCX. A no-op
    after the first build of a process."""
    from servicetjek.publish.render import _exporter

    _exporter()
    if "pdf" in formats:
        import weasyprint  # noqa: F401
    if "docx" in formats:
        import docx  # noqa: F401


def _prepare_inputs(state: BuildState) -> None:
    """Freshness is checked here, once; the chapters load without checking again."""
    from servicetjek.inputs import loader
    from servicetjek.inputs.prepare import prepare

    if not loader.fresh(config.processed_dir(state.slug), state.finger.raw):
        prepare(state.slug, report=state.report)
    else:
        from servicetjek.inputs.prepare import clean_stale

        clean_stale(state.slug)
    from servicetjek.inputs.prepare import check_report_inputs

    check_report_inputs(state.slug, state.report)
    state.inp = loader.load(state.slug, check=False)
    state.result.name = state.inp.municipality.name


def _chapters_and_report(state: BuildState) -> None:
    chapters = state.report.notebooks()
    bar = _progress_bar(len(chapters) + len(state.formats), state.result.name, state.options)
    for sub in ("notebooks", "chapters", "tables"):
        (state.tmp / sub).mkdir()
    try:
        for chapter in chapters:
            bar.set_postfix_str(chapter.decl.id)
            t = time.perf_counter()
            record = _chapter(state, chapter)
            record.seconds = time.perf_counter() - t
            state.records.append(record)
            state.steps[f"chapter {chapter.decl.id}"] = record.seconds
            bar.update(1)
            pause_point(f"build:chapter:{chapter.decl.id}")
        _report_files(state, bar)
        bar.set_postfix_str("færdig")
    finally:
        state.kernels.close()
        bar.close()
    from servicetjek.publish.manifest import write_manifest

    t = time.perf_counter()
    write_manifest(state)
    state.steps["manifest"] = time.perf_counter() - t
    pause_point("build:manifest")
    state.result.outputs = sorted(str(p.relative_to(state.tmp)) for p in state.tmp.rglob("*") if p.is_file())
    state.result.steps = state.steps


def _chapter_key(state: BuildState, chapter, kommune: str, constructed: bool) -> str:
    return state.finger.chapter_key(chapter, notebook_params(chapter, kommune), constructed)


def _reusable(state: BuildState, chapter, key: str) -> dict | None:
    """The previous build's record of the chapter, when its key is unchanged and its files are there."""
    prev = state.old_chapter(chapter.decl.id)
    nb = chapter.notebook
    if state.options.force or prev is None or prev.get("key") != key:
        return None
    files = [state.target / "notebooks" / nb.name, state.target / "chapters" / f"{nb.stem}.html"]
    files += [state.target / "tables" / f for f in prev.get("table_files", [])]
    return prev if all(f.is_file() for f in files) else None


def _maybe_reusable(state: BuildState, chapter, kommune: str, constructed: bool) -> bool:
    """A guess (before the inputs are read) whether a chapter will be copied, not executed. Only decides
    whether to start a kernel ahead."""
    return _reusable(state, chapter, _chapter_key(state, chapter, kommune, constructed)) is not None


def _chapter(state: BuildState, chapter) -> ChapterRecord:
    from servicetjek.publish.execute import run_chapter

    key = _chapter_key(state, chapter, state.result.name, state.inp.constructed)
    prev = _reusable(state, chapter, key)
    nb = chapter.notebook
    if prev is not None:
        shutil.copy2(state.target / "notebooks" / nb.name, state.tmp / "notebooks" / nb.name)
        shutil.copy2(state.target / "chapters" / f"{nb.stem}.html", state.tmp / "chapters" / f"{nb.stem}.html")
        for f in prev.get("table_files", []):
            shutil.copy2(state.target / "tables" / f, state.tmp / "tables" / f)
        state.result.reused.append(chapter.decl.id)
        return ChapterRecord(chapter.decl.id, nb.name, chapter.number, key, False, 0.0, prev.get("tables", []),
                             prev.get("figures", []), prev.get("table_files", []))
    record = run_chapter(chapter, state.tmp, state.result.name, state.slug, state.kernels.take())
    record.key = key
    state.result.executed.append(chapter.decl.id)
    return record


def _report_files(state: BuildState, bar) -> None:
    """The whole report's HTML, PDF and DOCX; copied when neither the chapters nor anything else changed."""
    from servicetjek.publish import assemble, render, word

    state.report_key = digest([state.whole, [r.key for r in state.records]])
    names = {fmt: f"{state.report.kind}-{state.slug}.{fmt}" for fmt in state.formats}
    same = (not state.options.force and not state.result.executed
            and state.old.get("cache", {}).get("report") == state.report_key
            and all((state.target / n).is_file() for n in names.values()))
    if same:
        for n in names.values():
            shutil.copy2(state.target / n, state.tmp / n)
        bar.update(len(names))
        return
    bar.set_postfix_str("html")
    t = time.perf_counter()
    page = assemble.report_page(state.inp, state.report, state.tmp)
    if "html" in names:
        (state.tmp / names["html"]).write_text(page, encoding="utf-8")
    state.steps["html"] = time.perf_counter() - t
    bar.update(1)
    pause_point("build:html")
    for fmt, write in (("pdf", render.write_pdf), ("docx", word.write_docx)):
        if fmt in names:
            bar.set_postfix_str(fmt)
            t = time.perf_counter()
            write(page, state.tmp / names[fmt])
            state.steps[fmt] = time.perf_counter() - t
            bar.update(1)
            pause_point(f"build:{fmt}")
    state.result.rendered = True


# ------------------------------------------------------------------ several municipalities
def _build_one(kommune: str, options: BuildOptions) -> BuildResult:
    """Never raises: the outcome (and any message) is in the result (runs in a worker process)."""
    try:
        return build(kommune, options)
    except InputError as err:
        return BuildResult(slug=config.slugify(kommune), name=kommune, status=EXIT_BAD_INPUT,
                           message=f"FEJL i input for {kommune}:\n{err.render()}")
    except BuildFailed as err:
        return BuildResult(slug=config.slugify(kommune), name=kommune, status=EXIT_FAILED, message=str(err),
                           failed_notebook=str(err.notebook) if err.notebook else None)
    except Exception as err:   # noqa: BLE001 - any other failure stops this municipality only
        return BuildResult(slug=config.slugify(kommune), name=kommune, status=EXIT_FAILED,
                           message=f"FEJL: {kommune}: byggeriet fejlede: {type(err).__name__}: {err}")


def build_many(kommuner: list[str], formats=FORMATS, force: bool = False, jobs: int = 1,
               progress: bool = True, kind: str = "servicetjek") -> list[BuildResult]:
    """Build several municipalities, `jobs` at a time in separate processes; one failure stops only its own."""
    batch = len(kommuner) > 1

    def options(i: int) -> BuildOptions:
        return BuildOptions(sorted(set(formats)), force, progress, i, kind, reuse_kernel=batch)

    if jobs <= 1 or len(kommuner) <= 1:
        from servicetjek.publish.kernels import shutdown_shared

        try:
            return [_build_one(k, options(i)) for i, k in enumerate(kommuner)]
        finally:
            shutdown_shared()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")   # no forked event loops or kernel managers
    with ProcessPoolExecutor(max_workers=min(jobs, len(kommuner)), mp_context=ctx) as pool:
        futures = [pool.submit(_build_one, k, options(i)) for i, k in enumerate(kommuner)]
        return [f.result() for f in futures]
