"""The report declaration (report.yaml): numbers follow from the order, and adding or removing one entry
changes the report everywhere — contents, Resume, numbering, scaffold, required inputs, placeholders."""

from __future__ import annotations

import html as htmllib
import re
import shutil

import nbformat
import pytest
import yaml
from conftest import PROJECT, declaration_copy

from servicetjek import declaration
from servicetjek.errors import InputError

HEADING = re.compile(r'<h2 class="st-heading" id="kapitel-(\d+)">(.*?)</h2>', re.S)
CAPTION = re.compile(r'<span class="st-num">(Tabel|Figur) (\d+):</span>([^<]*)')
RESUME = re.compile(r'<h3 class="st-subheading">(.*?)</h3>')


def _write(path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _use(monkeypatch, path) -> None:
    monkeypatch.setenv("SERVICETJEK_REPORT", str(path))
    declaration._load.cache_clear()


# ------------------------------------------------------------------ the declaration itself
def test_numbers_follow_from_the_order():
    report = declaration.report()
    assert [c.number for c in report.chapters] == list(range(1, len(report.chapters) + 1))
    tables = [n for c in report.chapters for n in c.table_numbers if "." not in n]
    figures = [n for c in report.chapters for n in c.figure_numbers if "." not in n]
    assert tables == [str(i) for i in range(1, len(tables) + 1)]
    assert figures == [str(i) for i in range(1, len(figures) + 1)]
    status = report.chapter("status")
    assert status.table_number("status_shares") == 1 and status.figure_number("status_longrun") == 1
    # the reference report's numbers: Tabel 1-5, Figur 1-6; supporting tables numbered within their chapter
    costs, scenarios = report.chapter("omkostninger"), report.chapter("scenarier")
    assert [costs.table_number(t) for t in ("cost_totals", "cost_unit", "exit_rates")] == [3, 4, 5]
    assert [costs.figure_number(f) for f in ("cost_deviation", "cost_composition", "cost_vs_effect")] == [4, 5, 6]
    assert scenarios.figure_number("scenario_figure") == 2 and scenarios.figure_number("scenario_budget") == 3
    assert scenarios.table_number("scenario_paths") == f"{scenarios.number}.1"
    with pytest.raises(KeyError):
        status.table_number("cost_unit")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["reports"]["servicetjek"]["chapters"].append(dict(d["reports"]["servicetjek"]["chapters"][0])),
     "kapitel-id brugt mere end én gang"),
    (lambda d: d["reports"]["servicetjek"]["chapters"][2].update(publishes=["status", "vejret"]), "vejret"),
    (lambda d: d["reports"]["servicetjek"]["chapters"][2].update(source="notebooks/status.md"), "notesbog"),
    (lambda d: next(c for c in d["reports"]["servicetjek"]["chapters"] if c["id"] == "omkostninger")
     .update(tables=["status_shares"]), "brugt mere end én gang"),
    (lambda d: d["reports"]["servicetjek"]["chapters"][2].update(supplementary=["cost_unit"]), "supplementary"),
    (lambda d: d["reports"]["servicetjek"]["chapters"][0].update(farve="rød"), "farve"),
])
def test_a_bad_declaration_is_rejected(tmp_path, monkeypatch, change, message):
    path = declaration_copy(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    _write(path, data)
    _use(monkeypatch, path)
    with pytest.raises(InputError) as err:
        declaration.report()
    assert "report.yaml" in str(err.value) and message in str(err.value)


def test_an_undeclared_notebook_is_refused(tmp_path, monkeypatch):
    """Adding notebooks/06_x.ipynb used to drop chapter 6 silently; now the build refuses it, by name."""
    path = declaration_copy(tmp_path)
    shutil.copy2(path.parent / "notebooks" / "status.ipynb", path.parent / "notebooks" / "06_star_benchmark.ipynb")
    _use(monkeypatch, path)
    with pytest.raises(InputError) as err:
        declaration.check_notebooks()
    assert "06_star_benchmark.ipynb" in str(err.value) and "ikke erklæret" in str(err.value)


def test_scaffold_and_required_inputs_follow_the_declaration(tmp_path, monkeypatch):
    from servicetjek.inputs import scaffold

    full = set(scaffold.files_for("Testby"))
    assert {"resources.csv", "unit_costs.csv", "texts/vurdering.md", "proposals.yaml"} <= full
    path = declaration_copy(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    chapters = data["reports"]["servicetjek"]["chapters"]
    data["reports"]["servicetjek"]["chapters"] = [c for c in chapters if c["id"] not in ("omkostninger", "vurdering")]
    _write(path, data)
    _use(monkeypatch, path)
    files = set(scaffold.files_for("Testby"))
    assert not {"resources.csv", "resource_persons.csv", "unit_costs.csv", "exit_rates.csv",
                "texts/vurdering.md"} & files
    assert {"budget.csv", "proposals.yaml", "texts/indledning.md"} <= files
    assert "resources.csv" not in scaffold.required_files()


# ------------------------------------------------------------------ placeholders at prepare
def test_a_placeholder_no_chapter_publishes_is_rejected_by_prepare(data_copy):
    text = data_copy.raw / "slagelse" / "texts" / "vurdering.md"
    lines = text.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "Potentialet er {{ scenario.potential_persons_typo }} personer.")
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = data_copy.pipeline("prepare", "--kommune", "Slagelse")
    assert run.returncode == 2, run.stderr
    assert "texts/vurdering.md, linje 4" in run.stderr
    assert "{{ scenario.potential_persons_typo }}" in run.stderr and "Traceback" not in run.stderr
    assert not (data_copy.processed / "slagelse").exists()


def test_a_published_scenario_value_can_be_quoted(data_copy):
    """The case that used to pass prepare and fail in build: scenario.* is published by chapter 4."""
    text = data_copy.raw / "slagelse" / "texts" / "vurdering.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nPotentiale: {{ scenario.potential_persons }}.\n",
                    encoding="utf-8")
    run = data_copy.pipeline("prepare", "--kommune", "Slagelse")
    assert run.returncode == 0, run.stderr


# ------------------------------------------------------------------ add and remove a chapter, built
EXTRA_NOTEBOOK = '''from IPython.display import HTML, display
from servicetjek import declaration, inputs
from servicetjek.chapters import status, status_views
from servicetjek.publish import report

inp = inputs.load(kommune, check=not checked)
ch = declaration.chapter(chapter, report_kind)
mun = inp.municipality
display(HTML(report.chapter_heading(ch, mun.name, inp)))
development = status.development(inp.annual, mun, inp.taxonomy, mun.config.years.status)
report.write_table(development, inp.slug, "ekstra_udvikling", tables_dir)
display(HTML(status_views.development_table(development, ch.table_number("ekstra_udvikling"), mun.name,
                                            mun.config.years.status, "Jobindsats.dk")))
'''


def _extra_notebook(folder) -> None:
    nb = nbformat.v4.new_notebook()
    params = ('kommune: str = "Slagelse"\nchapter: str = "ekstra"\nreport_kind: str = "servicetjek"\n'
              'tables_dir: str = ""\nchecked: bool = False\n')
    nb.cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(EXTRA_NOTEBOOK)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "notebooks" / "ekstra.ipynb")


def _built_headings(page: str) -> list[str]:
    return [htmllib.unescape(re.sub(r"<[^>]+>", "", t)) for _, t in HEADING.findall(page)]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """Slagelse built (HTML) with the project's own declaration, for comparison."""
    from conftest import RAW, DataCopy

    root = tmp_path_factory.mktemp("base") / "data"
    shutil.copytree(RAW, root / "raw")
    (root / "processed").mkdir()
    copy = DataCopy(root)
    run = copy.pipeline("build", "--kommune", "Slagelse", "--format", "html", "--quiet")
    assert run.returncode == 0, run.stderr
    return (root.parent / "reports" / "slagelse" / "servicetjek-slagelse.html").read_text(encoding="utf-8")


def _build_with(data_copy, path) -> str:
    env = data_copy.env()
    env["SERVICETJEK_REPORT"] = str(path)
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, str(PROJECT / "pipeline.py"), "build", "--kommune", "Slagelse",
                           "--format", "html", "--quiet"], capture_output=True, text=True, env=env,
                          cwd=data_copy.root.parent, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return (data_copy.root.parent / "reports" / "slagelse" / "servicetjek-slagelse.html").read_text(encoding="utf-8")


def test_adding_a_chapter_with_one_entry_and_one_notebook(baseline, data_copy, tmp_path):
    path = declaration_copy(tmp_path / "project")
    _extra_notebook(path.parent)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    chapters = data["reports"]["servicetjek"]["chapters"]
    at = next(i for i, c in enumerate(chapters) if c["id"] == "status") + 1
    chapters.insert(at, {"id": "ekstra", "title": "Et ekstra kapitel om {kommune}", "kind": "notebook",
                         "source": "notebooks/ekstra.ipynb", "inputs": ["extracts/*"],
                         "tables": ["ekstra_udvikling"]})
    _write(path, data)
    page = _build_with(data_copy, path)

    before, after = _built_headings(baseline), _built_headings(page)
    assert len(after) == len(before) + 1
    assert after[at] == f"{at + 1}. Et ekstra kapitel om Slagelse"       # at the declared place
    # every other chapter intact, renumbered from there on
    strip = [re.sub(r"^\d+\. ", "", h) for h in after[:at] + after[at + 1:]]
    assert strip == [re.sub(r"^\d+\. ", "", h) for h in before]
    assert [int(h.split(".")[0]) for h in after] == list(range(1, len(after) + 1))
    # tables renumber: the new one is Tabel 3, every later table moves up by one; figures stay
    old = [(k, int(n), c.strip()) for k, n, c in CAPTION.findall(baseline)]
    new = [(k, int(n), c.strip()) for k, n, c in CAPTION.findall(page)]
    new_tables = [t for t in new if t[0] == "Tabel"]
    assert new_tables[2][1] == 3 and new_tables[2][2] == [t for t in old if t[0] == "Tabel"][1][2]
    old_tables = [t for t in old if t[0] == "Tabel"]
    assert [(n, c) for _, n, c in new_tables[3:]] == [(n + 1, c) for _, n, c in old_tables[2:]]
    assert [t for t in new if t[0] == "Figur"] == [t for t in old if t[0] == "Figur"]
    # the contents lists it, the Resume is unchanged
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    assert "Et ekstra kapitel om Slagelse" in htmllib.unescape(toc)
    assert RESUME.findall(page) == RESUME.findall(baseline)


def test_removing_a_chapter_removes_it_everywhere(baseline, data_copy, tmp_path):
    path = declaration_copy(tmp_path / "project")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    chapters = data["reports"]["servicetjek"]["chapters"]
    data["reports"]["servicetjek"]["chapters"] = [c for c in chapters if c["id"] != "omkostninger"]
    _write(path, data)
    (path.parent / "notebooks" / "omkostningseffektivitet.ipynb").unlink()   # else the build refuses it
    # its inputs are no longer required: the municipality builds without them
    for name in ("resources.csv", "resource_persons.csv", "resource_comparison.csv", "unit_costs.csv",
                 "exit_rates.csv"):
        (data_copy.raw / "slagelse" / name).unlink()
    # and the consultant's text may no longer quote what it published
    for name in ("texts/vurdering.md", "proposals.yaml"):
        file = data_copy.raw / "slagelse" / name
        text = re.sub(r"\{\{ (unit_costs|exit_rates|resources)\.[^}]*\}\}", "X", file.read_text(encoding="utf-8"))
        file.write_text(text, encoding="utf-8")
    page = _build_with(data_copy, path)
    headings = _built_headings(page)
    assert len(headings) == len(_built_headings(baseline)) - 1
    assert not any("Omkostningseffektiviteten" in h for h in headings)
    assert [int(h.split(".")[0]) for h in headings] == list(range(1, len(headings) + 1))
    assert "Omkostningseffektivitet" in RESUME.findall(baseline)
    assert "Omkostningseffektivitet" not in RESUME.findall(page)
    toc = htmllib.unescape(re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0))
    assert "Omkostningseffektiviteten" not in toc
    # the catalogue moves up one chapter, and the Resume says so
    number = next(c.number for c in declaration.report().chapters if c.decl.id == "katalog")
    assert f"Kataloget i kapitel {number - 1} rummer" in page and f"Kataloget i kapitel {number}" in baseline


def test_quoting_a_removed_chapters_value_is_rejected(data_copy, tmp_path):
    path = declaration_copy(tmp_path / "project")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    chapters = data["reports"]["servicetjek"]["chapters"]
    data["reports"]["servicetjek"]["chapters"] = [c for c in chapters if c["id"] != "omkostninger"]
    _write(path, data)
    env = data_copy.env()
    env["SERVICETJEK_REPORT"] = str(path)
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, str(PROJECT / "pipeline.py"), "prepare", "--kommune", "Slagelse"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 2
    assert "vurdering.md, linje" in proc.stderr and "{{ unit_costs.deviation.dagpenge" in proc.stderr
