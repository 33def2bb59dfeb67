"""`build`: one municipality's whole report — chapters executed with papermill, HTML and PDF.

Orchestration only (the page itself is `render.py`):

1. `prepare` when the prepared tables are stale;
2. every `notebooks/NN_*.ipynb` (discovered, sorted) executed in-process with papermill, with
   `kommune`, `chapter_number`, `table_start`, `figure_start` and `tables_dir`; the table and figure
   numbers run on: the next chapter starts after the last caption the previous one displayed;
3. one HTML per chapter (nbconvert), the full report HTML and its PDF (WeasyPrint);
4. `manifest.json`: inputs with sha256 and provenance, outputs, package versions, time per step.

Cache: each chapter is keyed on sha256 of its notebook, the package code, the reference files, the raw
files it declares in its notebook metadata (`servicetjek.depends`, globs relative to
data/raw/<slug>/; default every file) and its parameters. A chapter whose key is unchanged is copied
from the previous report, not executed; with nothing changed the build returns at once.

Atomic: everything is written into `reports/.<slug>.build.*` and swapped in whole, under a
per-municipality lock, so a killed build leaves the previous report and two municipalities never
collide. A failing cell keeps the partial notebook in `reports/.failed/<slug>/`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import config
from .errors import InputError
from .files import sha256, swap_dir

PACKAGE_DIR = Path(__file__).resolve().parent
FORMATS = ("html", "pdf")
KERNEL = "python3"
# Environment variables never handed to a kernel (nothing in a notebook may see a secret).
SECRET_ENV = re.compile(r"(API_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL)", re.I)
MANIFEST = "manifest.json"
# Quiet kernels (no transport warning on stderr) without an SQLite history file per run.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]
VERSIONED = ("servicetjek", "pandas", "numpy", "matplotlib", "papermill", "nbconvert", "nbclient", "nbformat",
             "ipykernel", "weasyprint", "mistune", "babel", "pandera", "pydantic", "pyyaml", "openpyxl", "tqdm")


def _skip_slow_imports() -> None:
    """nbformat → jsonschema imports rfc3987_syntax when it is installed, which compiles a grammar at
    import (≈ 0,9 s, a third of papermill's import). jsonschema only needs it for the 'iri' formats, which
    notebook validation never uses; marking it absent makes jsonschema skip it (its import is optional)."""
    sys.modules.setdefault("rfc3987_syntax", None)


class BuildFailed(Exception):
    """A chapter failed: the message names the municipality, the chapter, the cell and the error."""

    def __init__(self, message: str, notebook: Path | None = None):
        super().__init__(message)
        self.notebook = notebook


@dataclass
class ChapterRecord:
    name: str                    # notebook file name, e.g. 03_status.ipynb
    number: int
    key: str
    executed: bool
    seconds: float
    tables: list[int] = field(default_factory=list)
    figures: list[int] = field(default_factory=list)
    table_files: list[str] = field(default_factory=list)
    table_start: int = 1
    figure_start: int = 1


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

    @property
    def ok(self) -> bool:
        return self.status == 0


# ------------------------------------------------------------------ hashing and discovery
def _digest(items) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def notebooks_dir() -> Path:
    """The chapter notebooks (SERVICETJEK_NOTEBOOKS points a test at a modified copy)."""
    return Path(os.environ.get("SERVICETJEK_NOTEBOOKS", config.NOTEBOOKS_DIR)).resolve()


def chapter_notebooks() -> list[Path]:
    return sorted(p for p in notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def chapter_number(path: Path) -> int:
    return int(path.name[:2])


def _files(folder: Path) -> dict[str, str]:
    """{path relative to folder: sha256} of every file (hidden files and caches left out)."""
    out = {}
    if folder.is_dir():
        for p in sorted(folder.rglob("*")):
            rel = p.relative_to(folder)
            if p.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                out[str(rel)] = sha256(p)
    return out


def _package_digest() -> str:
    files = {p.name: sha256(p) for p in sorted(PACKAGE_DIR.iterdir())
             if p.is_file() and p.suffix in (".py", ".css", ".html")}
    return _digest(files)


def _depends(nb_path: Path) -> list[str]:
    meta = json.loads(nb_path.read_text(encoding="utf-8")).get("metadata", {})
    globs = (meta.get("servicetjek") or {}).get("depends")
    return list(globs) if globs else ["*"]


def _matches(rel: str, globs: list[str]) -> bool:
    return any(fnmatch.fnmatch(rel, g) or rel == g for g in globs)


@dataclass
class _Fingerprint:
    raw: dict[str, str]
    reference: dict[str, str]
    package: str
    notebooks: dict[str, str]

    @classmethod
    def take(cls, slug: str) -> "_Fingerprint":
        return cls(_files(config.municipality_dir(slug)), _files(config.REFERENCE_DIR), _package_digest(),
                   {p.name: sha256(p) for p in chapter_notebooks()})

    def whole(self, formats: list[str]) -> str:
        return _digest([self.raw, self.reference, self.package, self.notebooks, sorted(formats), sys.version])

    def chapter_key(self, nb: Path, params: dict, constructed: bool) -> str:
        globs = _depends(nb)
        raw = {rel: h for rel, h in self.raw.items() if _matches(rel, globs)}
        return _digest([self.notebooks[nb.name], self.package, self.reference, raw, params, constructed,
                        sys.version])


# ------------------------------------------------------------------ helpers
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


@contextlib.contextmanager
def _no_secrets():
    """Kernels inherit the environment: hide anything that looks like a secret while they run."""
    hidden = {k: os.environ.pop(k) for k in list(os.environ) if SECRET_ENV.search(k)}
    try:
        yield
    finally:
        os.environ.update(hidden)


def _old_manifest(target: Path) -> dict:
    try:
        return json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _outputs_exist(target: Path, manifest: dict) -> bool:
    outs = manifest.get("outputs") or []
    return bool(outs) and all((target / o["path"]).is_file() for o in outs)


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


# ------------------------------------------------------------------ chapters
WARMUP = """def _servicetjek_warmup():
    import importlib, pkgutil, servicetjek
    for module in pkgutil.iter_modules(servicetjek.__path__):
        importlib.import_module("servicetjek." + module.name)
    import matplotlib.pyplot, IPython.display
_servicetjek_warmup()
del _servicetjek_warmup
"""


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not SECRET_ENV.search(k)}


RESET = """get_ipython().run_line_magic("reset", "-f")
import matplotlib.pyplot
matplotlib.pyplot.close("all")
del matplotlib
"""


class _Kernels:
    """The chapters' kernel: one per build, started ahead (it imports the package, pandas and matplotlib
    while the inputs are checked) and reset between chapters (`%reset -f`: every chapter starts with an
    empty namespace, as in a fresh kernel, but the imported modules stay loaded). Nothing runs in it
    with store_history, so each chapter's execution counts are its own. No secret is in its environment."""

    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.pair = None
        self.used = False

    def prestart(self) -> None:
        if self.pair is None:
            from jupyter_client import BlockingKernelClient
            from jupyter_client.manager import AsyncKernelManager
            from jupyter_core.utils import run_sync

            km = AsyncKernelManager(kernel_name=KERNEL)
            run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGS, cwd=str(self.cwd), env=_clean_env())
            kc = BlockingKernelClient()
            kc.load_connection_info(km.get_connection_info())
            kc.start_channels()
            kc.execute(WARMUP, silent=True, store_history=False)
            self.pair = (km, kc)

    def take(self):
        self.prestart()
        km, kc = self.pair
        if self.used:
            msg_id = kc.execute(RESET, silent=True, store_history=False)
            while True:
                reply = kc.get_shell_msg(timeout=60)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            if reply["content"].get("status") != "ok":
                raise BuildFailed(f"FEJL: kernen kunne ikke nulstilles: {reply['content'].get('evalue')}")
        self.used = True
        return km

    def close(self) -> None:
        if self.pair is not None:
            from jupyter_core.utils import run_sync

            km, kc = self.pair
            self.pair = None
            try:
                kc.stop_channels()
            finally:
                run_sync(km.shutdown_kernel)(now=True)


def _renumber(path: Path) -> None:
    """Execution counts 1, 2, … within the chapter (the kernel is shared by the build's chapters)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for out in cell.get("outputs", []):
                if "execution_count" in out:
                    out["execution_count"] = count
    nbformat.write(nb, path)


def _execute(nb: Path, out: Path, params: dict, cwd: Path, kommune: str, slug: str, km=None) -> None:
    _skip_slow_imports()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    failed_dir = config.REPORTS_DIR / ".failed" / slug
    extra = {"km": km} if km is not None else {}
    try:
        with _no_secrets():
            papermill.execute_notebook(str(nb), str(out), parameters=params, kernel_name=KERNEL,
                                       progress_bar=False, log_output=False, cwd=str(cwd),
                                       extra_arguments=KERNEL_ARGS, **extra)
    except PapermillExecutionError as err:
        failed_dir.mkdir(parents=True, exist_ok=True)
        kept = failed_dir / nb.name
        if out.is_file():
            shutil.copyfile(out, kept)
        raise BuildFailed(_failure_message(kommune, nb, err, kept), kept) from None
    if km is not None:
        _renumber(out)


def _render_chapter_page(executed: Path, target: Path, kommune: str) -> None:
    import nbformat

    from .render import chapter_page

    target.write_text(chapter_page(nbformat.read(executed, as_version=4), kommune), encoding="utf-8")


def _check_numbers(kommune: str, name: str, kind: str, found: list[int], start: int) -> None:
    expected = list(range(start, start + len(found)))
    if found != expected:
        raise BuildFailed(f"FEJL: {kommune}: kapitlet {name} nummererer {kind.lower()}er {found}, forventet "
                          f"{expected} (start {start}); brug report.Numbering(table_start, figure_start)")


# ------------------------------------------------------------------ the build
def build(kommune: str, formats=FORMATS, force: bool = False, jobs: int = 1, progress: bool = True,
          position: int = 0) -> BuildResult:
    """Build one municipality's report into reports/<slug>/ (see the module docstring).

    Raises InputError (bad input) and BuildFailed (a chapter failed); `build_many` turns them into
    exit statuses. `jobs` is accepted for symmetry with build_many (one municipality is sequential).
    """
    from .municipality import resolve

    _skip_slow_imports()
    started = time.perf_counter()
    formats = sorted(set(formats))
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise InputError(f"ukendt format {sorted(unknown)}; kendte: {', '.join(FORMATS)}")
    slug = resolve(kommune)
    target = config.report_dir(slug)
    config.REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    result = BuildResult(slug=slug, report_dir=str(target))
    with _lock(slug):
        for stale in config.REPORTS_DIR.glob(f".{slug}.build.*"):   # left by a killed build (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
        steps: dict[str, float] = {}
        t = time.perf_counter()
        finger = _Fingerprint.take(slug)
        whole = finger.whole(formats)
        old = _old_manifest(target)
        steps["hash"] = time.perf_counter() - t
        if not force and old.get("cache", {}).get("whole") == whole and _outputs_exist(target, old):
            result.name = old.get("kommune", slug)
            result.up_to_date = True
            result.reused = [c["name"] for c in old.get("chapters", [])]
            result.outputs = [o["path"] for o in old.get("outputs", [])]
            result.steps = steps
            result.seconds = time.perf_counter() - started
            return result
        tmp = Path(tempfile.mkdtemp(prefix=f".{slug}.build.", dir=config.REPORTS_DIR))
        try:
            _build_into(tmp, slug, target, finger, whole, old, formats, force, progress, position, result, steps)
            os.chmod(tmp, 0o755)
            swap_dir(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        shutil.rmtree(config.REPORTS_DIR / ".failed" / slug, ignore_errors=True)
    result.seconds = time.perf_counter() - started
    return result


def _progress_bar(total: int, name: str, progress: bool, position: int):
    from tqdm import tqdm

    enabled = progress and sys.stderr.isatty()
    return tqdm(total=total, desc=f"{name:<12}", position=position, leave=True, disable=not enabled,
                unit="trin", bar_format="{desc} {bar:20} {n_fmt}/{total_fmt} {postfix}")


def _build_into(tmp: Path, slug: str, target: Path, finger: _Fingerprint, whole: str, old: dict,
                formats: list[str], force: bool, progress: bool, position: int, result: BuildResult,
                steps: dict[str, float]) -> None:
    t = time.perf_counter()
    notebooks = chapter_notebooks()
    old_chapters = {c["name"]: c for c in old.get("chapters", [])}
    kernels = _Kernels(tmp)
    guess = (old.get("kommune", ""), bool(old.get("constructed_inputs")))
    if any(not _maybe_reusable(nb, old_chapters, target, force, finger, *guess) for nb in notebooks):
        kernels.prestart()       # boots while the inputs are checked
    try:
        _build_chapters_and_report(tmp, slug, target, finger, whole, old, formats, force, progress, position,
                                   result, steps, notebooks, old_chapters, kernels, t)
    finally:
        kernels.close()


def _build_chapters_and_report(tmp, slug, target, finger, whole, old, formats, force, progress, position, result,
                               steps, notebooks, old_chapters, kernels, t) -> None:
    from . import inputs as inputs_mod
    from .prepare import prepare

    if not inputs_mod._fresh(config.processed_dir(slug)):
        prepare(slug)
    inp = inputs_mod.load(slug)
    name = inp.municipality.name
    result.name = name
    constructed = inp.constructed
    steps["prepare"] = time.perf_counter() - t

    bar = _progress_bar(len(notebooks) + len(formats), name, progress, position)
    for sub in ("notebooks", "chapters", "tables"):
        (tmp / sub).mkdir()
    records: list[ChapterRecord] = []
    table_start = figure_start = 1
    try:
        for nb in notebooks:
            bar.set_postfix_str(nb.stem)
            t = time.perf_counter()
            params = {"kommune": name, "chapter_number": chapter_number(nb), "table_start": table_start,
                      "figure_start": figure_start, "tables_dir": "tables"}
            key = finger.chapter_key(nb, params, constructed)
            prev = old_chapters.get(nb.name)
            executed_nb = tmp / "notebooks" / nb.name
            page = tmp / "chapters" / f"{nb.stem}.html"
            reusable = (not force and prev is not None and prev.get("key") == key
                        and (target / "notebooks" / nb.name).is_file()
                        and (target / "chapters" / page.name).is_file()
                        and all((target / "tables" / f).is_file() for f in prev.get("table_files", [])))
            if reusable:
                shutil.copy2(target / "notebooks" / nb.name, executed_nb)
                shutil.copy2(target / "chapters" / page.name, page)
                for f in prev.get("table_files", []):
                    shutil.copy2(target / "tables" / f, tmp / "tables" / f)
                record = ChapterRecord(nb.name, chapter_number(nb), key, False, 0.0, prev.get("tables", []),
                                       prev.get("figures", []), prev.get("table_files", []), table_start,
                                       figure_start)
                result.reused.append(nb.name)
            else:
                before = set(os.listdir(tmp / "tables"))
                _execute(nb, executed_nb, params, tmp, name, slug, kernels.take())
                _render_chapter_page(executed_nb, page, name)
                record = _record(nb, key, executed_nb, tmp, before, table_start, figure_start, name)
                record.seconds = time.perf_counter() - t
                result.executed.append(nb.name)
            records.append(record)
            steps[f"chapter {nb.stem}"] = time.perf_counter() - t
            table_start = max(record.tables, default=table_start - 1) + 1
            figure_start = max(record.figures, default=figure_start - 1) + 1
            bar.update(1)

        report_key = _digest([whole, [r.key for r in records]])
        html_name, pdf_name = f"servicetjek-{slug}.html", f"servicetjek-{slug}.pdf"
        same_report = (not force and not result.executed and old.get("cache", {}).get("report") == report_key
                       and all((target / n).is_file() for n in (html_name, pdf_name)
                               if n.endswith(tuple(formats))))
        if same_report:
            for n in (html_name, pdf_name):
                if n.rsplit(".", 1)[1] in formats:
                    shutil.copy2(target / n, tmp / n)
            bar.update(len(formats))
        else:
            bar.set_postfix_str("html")
            t = time.perf_counter()
            page_html = _report_page(inp, records, tmp)
            if "html" in formats:
                (tmp / html_name).write_text(page_html, encoding="utf-8")
            steps["html"] = time.perf_counter() - t
            bar.update(1)
            if "pdf" in formats:
                bar.set_postfix_str("pdf")
                t = time.perf_counter()
                from .render import write_pdf

                write_pdf(page_html, tmp / pdf_name)
                steps["pdf"] = time.perf_counter() - t
                bar.update(1)
            result.rendered = True
        bar.set_postfix_str("færdig")
    finally:
        kernels.close()
        bar.close()
    t = time.perf_counter()
    _write_manifest(tmp, slug, name, inp, finger, whole, report_key, records, formats, steps)
    steps["manifest"] = time.perf_counter() - t
    result.outputs = [o["path"] for o in json.loads((tmp / MANIFEST).read_text(encoding="utf-8"))["outputs"]]
    result.steps = steps


def _maybe_reusable(nb: Path, old_chapters: dict, target: Path, force: bool, finger: "_Fingerprint",
                    name: str, constructed: bool) -> bool:
    """A guess (before its parameters are known) whether a chapter will be copied, not executed: its key
    with the previous build's parameters is unchanged. Only decides whether to start a kernel ahead."""
    prev = old_chapters.get(nb.name)
    if force or prev is None or not (target / "notebooks" / nb.name).is_file():
        return False
    params = {"kommune": name, "chapter_number": chapter_number(nb), "table_start": prev.get("table_start"),
              "figure_start": prev.get("figure_start"), "tables_dir": "tables"}
    return finger.chapter_key(nb, params, constructed) == prev.get("key")


def _record(nb: Path, key: str, executed_nb: Path, tmp: Path, before: set[str], table_start: int,
            figure_start: int, kommune: str) -> ChapterRecord:
    import nbformat

    from .render import captions, chapter_fragment

    found = captions(chapter_fragment(nbformat.read(executed_nb, as_version=4)))
    _check_numbers(kommune, nb.name, "Tabel", found["Tabel"], table_start)
    _check_numbers(kommune, nb.name, "Figur", found["Figur"], figure_start)
    written = sorted(set(os.listdir(tmp / "tables")) - before)
    return ChapterRecord(nb.name, chapter_number(nb), key, True, 0.0, found["Tabel"], found["Figur"], written,
                         table_start, figure_start)


def data_period(inp) -> str:
    years = inp.municipality.config.years
    return f"{years.status[0]}–{years.status[-1]} (faktiske tal); {years.scenario[0]}–{years.scenario[-1]} (scenarier)"


def _report_page(inp, records: list[ChapterRecord], tmp: Path) -> str:
    """Title page, TOC, chapters 1 and 6 from the texts, 2 from the tables, the rest from the notebooks."""
    import datetime as dt

    import nbformat

    from . import render
    from .catalogue import load_texts
    from .context import report_context

    mun = inp.municipality
    cat = inp.catalogue()
    context = report_context(inp, cat)
    texts = load_texts(mun.folder, cat)
    chapters: list[tuple[int, str]] = []
    numbers = {r.number for r in records}
    for r in records:
        nb = nbformat.read(tmp / "notebooks" / r.name, as_version=4)
        chapters.append((r.number, render.chapter_fragment(nb)))
    text_numbers = {"indledning": 1, "vurdering": 6}
    for key, number in text_numbers.items():
        if number not in numbers:
            chapters.append((number, render.text_chapter(number, render.TEXT_TITLES[key], texts[key], context,
                                                         mun.folder / "texts" / f"{key}.md", inp.constructed)))
    if 2 not in numbers:
        unit = None
        uc = context.get("unit_costs")
        if uc:
            row = next((r for r in ("samlet", "i_alt", "total") if r in uc.get("kommune", {})), None)
            if row:
                unit = {"row": "samlet" if row == "samlet" else row, "kommune": uc["kommune"][row],
                        "mean": uc["mean"].get(row), "deviation": uc["deviation"].get(row)}
        present = {n: "" for n in numbers}
        sentences = render.resume_sentences(mun.name, tmp / "tables", present, cat, unit)
        chapters.append((2, render.resume_chapter(2, sentences, inp.constructed)))
    cfg = mun.config
    report_cfg = getattr(cfg, "report", None)
    title = render.TitlePage(
        kommune=mun.name,
        title=getattr(report_cfg, "title", None) or "Servicetjek af beskæftigelsesområdet",
        subtitle=getattr(report_cfg, "subtitle", None) or "",
        consultant=getattr(report_cfg, "consultant", None),
        build_date=dt.date.today(),
        data_period=data_period(inp),
        constructed=inp.constructed,
    )
    return render.report_html(title, chapters)


# ------------------------------------------------------------------ manifest
def _provenance_by_file(inp) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in inp.provenance.itertuples(index=False):
        out.setdefault(str(row.file), []).append({"item": str(row.item), "kind": str(row.kind),
                                                  "text": str(row.provenance)})
    return out


_TEXT_PROVENANCE = re.compile(r"<!--\s*provenance:\s*(.*?)\s*-->", re.S)


def _file_provenance(path: Path, rel: str, table: dict[str, list[dict]]) -> list[dict]:
    if rel in table:
        return table[rel]
    if path.suffix == ".md":
        match = _TEXT_PROVENANCE.search(path.read_text(encoding="utf-8"))
        if match:
            text = match.group(1)
            return [{"item": "", "kind": text.split(":")[0].strip(), "text": text}]
    if path.suffix == ".csv":
        import csv

        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames and "provenance" in reader.fieldnames:
                texts = sorted({row["provenance"] for row in reader if row.get("provenance")})
                return [{"item": "", "kind": t.split(":")[0].strip(), "text": t} for t in texts]
    if path.suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("provenance"), str):
            text = data["provenance"]
            return [{"item": "", "kind": text.split(":")[0].strip(), "text": text}]
        if rel.endswith("PROVENANCE.yaml"):
            return [{"item": "", "kind": "description", "text": "provenance of every extract (this file)"}]
    return [{"item": "", "kind": "documentation" if path.suffix == ".md" else "unknown", "text": ""}]


def _versions() -> dict[str, str]:
    from importlib import metadata

    from . import __version__

    out = {"python": sys.version.split()[0], "servicetjek": __version__}
    for name in VERSIONED[1:]:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def _write_manifest(tmp: Path, slug: str, name: str, inp, finger: _Fingerprint, whole: str, report_key: str,
                    records: list[ChapterRecord], formats: list[str], steps: dict[str, float]) -> None:
    import datetime as dt

    table = _provenance_by_file(inp)
    mun_dir = config.municipality_dir(slug)
    inputs = []
    for rel, digest in finger.raw.items():
        path = mun_dir / rel
        inputs.append({"path": _data_rel(path), "sha256": digest, "provenance": _file_provenance(path, rel, table)})
    for rel, digest in finger.reference.items():
        path = config.REFERENCE_DIR / rel
        inputs.append({"path": _data_rel(path), "sha256": digest, "provenance": _file_provenance(path, rel, table)})
    for nb_name, digest in finger.notebooks.items():
        inputs.append({"path": f"notebooks/{nb_name}", "sha256": digest,
                       "provenance": [{"item": "", "kind": "code", "text": "chapter notebook"}]})
    outputs = []
    for p in sorted(tmp.rglob("*")):
        if p.is_file() and p.name != MANIFEST:
            outputs.append({"path": str(p.relative_to(tmp)), "sha256": sha256(p), "bytes": p.stat().st_size})
    manifest = {
        "kommune": name,
        "slug": slug,
        "built": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "formats": formats,
        "constructed_inputs": bool(inp.constructed),
        "inputs": inputs,
        "outputs": outputs,
        "chapters": [asdict(r) for r in records],
        "steps_seconds": {k: round(v, 3) for k, v in steps.items()},
        "versions": _versions(),
        "cache": {"whole": whole, "report": report_key, "package": finger.package},
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def _data_rel(path: Path) -> str:
    try:
        return "data/" + str(path.relative_to(config.DATA_DIR))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------ several municipalities
def _build_one(kommune: str, formats, force: bool, progress: bool, position: int) -> BuildResult:
    """Never raises: the outcome (and any message) is in the result (runs in a worker process)."""
    try:
        return build(kommune, formats, force=force, progress=progress, position=position)
    except InputError as err:
        return BuildResult(slug=config.slugify(kommune), name=kommune, status=2,
                           message=f"FEJL i input for {kommune}:\n{err.render()}")
    except BuildFailed as err:
        return BuildResult(slug=config.slugify(kommune), name=kommune, status=1, message=str(err),
                           failed_notebook=str(err.notebook) if err.notebook else None)
    except Exception as err:   # noqa: BLE001 - any other failure stops this municipality only
        return BuildResult(slug=config.slugify(kommune), name=kommune, status=1,
                           message=f"FEJL: {kommune}: byggeriet fejlede: {type(err).__name__}: {err}")


def build_many(kommuner: list[str], formats=FORMATS, force: bool = False, jobs: int = 1,
               progress: bool = True) -> list[BuildResult]:
    """Build several municipalities, `jobs` at a time in separate processes; one failure stops only its own."""
    if jobs <= 1 or len(kommuner) <= 1:
        return [_build_one(k, formats, force, progress, i) for i, k in enumerate(kommuner)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")   # no forked event loops or kernel managers
    with ProcessPoolExecutor(max_workers=min(jobs, len(kommuner)), mp_context=ctx) as pool:
        futures = [pool.submit(_build_one, k, formats, force, progress, i) for i, k in enumerate(kommuner)]
        return [f.result() for f in futures]
