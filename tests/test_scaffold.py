"""`pipeline.py new-kommune` and "a municipality's report builds from data alone" (issue 6, parts 2-3).

- new-kommune writes every input file, refuses to overwrite, and `prepare` on the unfilled scaffold
  names every unfilled file in one message;
- a third municipality, generated in the test from Næstved's files with every name rewritten, is
  prepared and built into a report;
- no municipality name, comparison-group member or report year of the bundled data is written in the
  package code or the notebooks' cells (comments and docstrings aside).
"""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import tokenize
from pathlib import Path

import openpyxl
import yaml
from conftest import PROJECT, RAW, DataCopy, main_report

from servicetjek.inputs.scaffold import PLACEHOLDER, required_files

REQUIRED_FILES = tuple(required_files())

NEW = "Nyby Å"          # a name with a space and Danish letters
NEW_SLUG = "nyby-aa"


# ------------------------------------------------------------------ new-kommune
def test_new_kommune_writes_every_file(data_copy: DataCopy):
    run = data_copy.pipeline("new-kommune", NEW)
    assert run.returncode == 0, run.stderr
    folder = data_copy.raw / NEW_SLUG
    for rel in REQUIRED_FILES:
        assert (folder / rel).is_file(), rel
    assert (folder / "extracts").is_dir()
    assert "pipeline.py fetch" in (folder / "extracts" / "README.md").read_text(encoding="utf-8")
    assert not list(data_copy.raw.glob(".*")), "temporary folder left behind"

    cfg = yaml.safe_load((folder / "kommune.yaml").read_text(encoding="utf-8"))
    assert cfg["name"] == NEW and cfg["area"] == NEW
    assert cfg["years"]["status"] == [PLACEHOLDER] * 3
    # placeholders only in values, never in comments (a filled-in file must not trip prepare)
    for rel in REQUIRED_FILES:
        for line in (folder / rel).read_text(encoding="utf-8").splitlines():
            if rel.endswith(".yaml") and "#" in line:
                assert PLACEHOLDER not in line[line.index("#"):], (rel, line)
    # pre-filled from the taxonomy: every benefit group and every target group as rows
    from servicetjek.inputs.taxonomy import load
    tax = load()
    budget = (folder / "budget.csv").read_text(encoding="utf-8").splitlines()
    assert budget[0] == "year,benefit_group,full_time_persons,provenance"
    benefit_ids = [g.id for g in tax.benefit_groups if not g.total]
    assert [line.split(",")[1] for line in budget[1:]] == benefit_ids * len(cfg["years"]["scenario"])
    persons = (folder / "resource_persons.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [line.split(",")[0] for line in persons] == [t.id for t in tax.target_groups]
    # no plausible fake number anywhere: every value cell of a CSV is the placeholder or an id
    for rel in REQUIRED_FILES:
        if rel.endswith(".csv"):
            text = (folder / rel).read_text(encoding="utf-8")
            assert not re.search(r",\d", text.replace(",16-64,", ",")), rel
            assert PLACEHOLDER in text, rel
    # the municipality is listed at once
    listed = data_copy.pipeline("list")
    assert f"{NEW_SLUG}\t{NEW}" in listed.stdout


def test_new_kommune_refuses_to_overwrite(data_copy: DataCopy):
    before = (data_copy.raw / "naestved" / "kommune.yaml").read_bytes()
    run = data_copy.pipeline("new-kommune", "Næstved")
    assert run.returncode == 2
    assert "findes allerede" in run.stderr
    assert (data_copy.raw / "naestved" / "kommune.yaml").read_bytes() == before
    assert not (data_copy.raw / "naestved" / "budget.csv").read_text(encoding="utf-8").count(PLACEHOLDER)

    assert data_copy.pipeline("new-kommune", NEW).returncode == 0
    (data_copy.raw / NEW_SLUG / "texts" / "indledning.md").write_text("min tekst\n", encoding="utf-8")
    again = data_copy.pipeline("new-kommune", NEW.upper())   # same slug
    assert again.returncode == 2 and "findes allerede" in again.stderr
    assert (data_copy.raw / NEW_SLUG / "texts" / "indledning.md").read_text(encoding="utf-8") == "min tekst\n"
    assert not list(data_copy.raw.glob(".*")), "temporary folder left behind"


def test_new_kommune_after_fetch_keeps_the_extracts(data_copy: DataCopy):
    """`fetch` may run first (it creates data/raw/<slug>/extracts/); new-kommune then adds the rest."""
    extracts = data_copy.raw / NEW_SLUG / "extracts"
    extracts.mkdir(parents=True)
    (extracts / "PROVENANCE.yaml").write_text("files: []\n", encoding="utf-8")
    (extracts / "ptv_a02_x.json").write_text("{}", encoding="utf-8")
    run = data_copy.pipeline("new-kommune", NEW)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in extracts.iterdir()) == ["PROVENANCE.yaml", "ptv_a02_x.json"]
    assert (extracts / "PROVENANCE.yaml").read_text(encoding="utf-8") == "files: []\n"
    for rel in REQUIRED_FILES:
        assert (data_copy.raw / NEW_SLUG / rel).is_file(), rel
    assert not list(data_copy.raw.glob(".*")), "temporary folder left behind"
    assert data_copy.pipeline("new-kommune", NEW).returncode == 2


def test_new_kommune_rejects_empty_name(data_copy: DataCopy):
    run = data_copy.pipeline("new-kommune", " - ")
    assert run.returncode == 2 and "navn" in run.stderr
    assert sorted(p.name for p in data_copy.raw.iterdir()) == sorted(p.name for p in RAW.iterdir())


def test_prepare_on_unfilled_scaffold_lists_every_missing_input(data_copy: DataCopy):
    assert data_copy.pipeline("new-kommune", NEW).returncode == 0
    run = data_copy.pipeline("prepare", "--kommune", NEW)
    assert run.returncode == 2, run.stdout
    lines = [line for line in run.stderr.splitlines() if line.startswith("  - ")]
    # one problem per unfilled data file, plus the missing extracts; the texts start filled (from data, #10)
    data_files = [rel for rel in REQUIRED_FILES if not rel.startswith("texts/")]
    assert len(lines) == len(data_files) + 1, run.stderr
    assert f"{len(data_files) + 1} fejl i input" in run.stderr
    for rel in data_files:
        assert any(f"{NEW_SLUG}/{rel}:" in line and f"ikke udfyldt: {PLACEHOLDER}" in line for line in lines), rel
    assert not any("texts/" in line for line in lines), run.stderr
    assert any("extracts" in line and "pipeline.py fetch" in line for line in lines)
    assert not (data_copy.processed / NEW_SLUG).exists()


def test_prepare_reports_a_missing_file_and_a_placeholder_together(data_copy: DataCopy):
    assert data_copy.pipeline("new-kommune", NEW).returncode == 0
    folder = data_copy.raw / NEW_SLUG
    (folder / "budget.csv").unlink()
    run = data_copy.pipeline("prepare", "--kommune", NEW)
    assert run.returncode == 2
    assert "budget.csv: filen mangler" in run.stderr
    assert "benefit_costs.csv: ikke udfyldt" in run.stderr


def test_missing_text_is_reported_with_the_other_problems(data_copy: DataCopy):
    folder = data_copy.raw / "naestved"
    (folder / "texts" / "vurdering.md").unlink()
    (folder / "unit_costs.csv").unlink()
    run = data_copy.pipeline("prepare", "--kommune", "Næstved")
    assert run.returncode == 2
    assert "2 fejl i input" in run.stderr, run.stderr
    assert "texts/vurdering.md: filen mangler" in run.stderr and "unit_costs.csv: filen mangler" in run.stderr


def test_kommune_yaml_error_does_not_hide_the_other_problems(data_copy: DataCopy):
    """A bad kommune.yaml is reported together with problems in the other files."""
    folder = data_copy.raw / "naestved"
    cfg = folder / "kommune.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("status: [2017, 2018]", "status: [2018, 2017]"),
                   encoding="utf-8")
    costs = folder / "benefit_costs.csv"
    costs.write_text(costs.read_text(encoding="utf-8").replace("dagpenge,106000", "dagpenge,-5"), encoding="utf-8")
    run = data_copy.pipeline("prepare", "--kommune", "Næstved")
    assert run.returncode == 2
    assert "kommune.yaml" in run.stderr and "years.status" in run.stderr
    assert "benefit_costs.csv" in run.stderr and "'-5'" in run.stderr


def _fill(value, key=None):
    """The scaffold's YAML with every placeholder replaced by a valid value of its field."""
    if isinstance(value, dict):
        if key in ("amounts", "persons"):
            sign = -1 if value.get("_kind") == "besparelse" and key == "amounts" else 1   # persons: a count
            return {2020: sign}
        out = {}
        for k, v in value.items():
            if isinstance(v, dict) and k in ("amounts", "persons"):
                v = {**v, "_kind": value.get("kind")}
            out[k] = _fill(v, k)
        return out
    if isinstance(value, list):
        return [_fill(v, key) for v in value]
    if value != PLACEHOLDER and not (isinstance(value, str) and value.startswith(PLACEHOLDER)):
        return value
    return {"certainty": "Middel", "difficulty": "Middel", "provenance": "constructed: test",
            "group": "foertidspension", "members": "Andeby", "national_forecast": "constructed_2019",
            "longrun_start": 2017, "status": 2017, "scenario": 2020}.get(key, "tekst")


def test_scaffold_matches_the_readers(tmp_path, monkeypatch):
    """Each file of the scaffold has the columns and keys its reader expects: filled in, it validates."""
    import pandas as pd

    from servicetjek import config
    from servicetjek.inputs import catalogue, municipality, owndata, prepare, scaffold
    from servicetjek.inputs.taxonomy import load

    monkeypatch.setattr(config, "RAW_DIR", tmp_path)
    monkeypatch.setattr(config, "REFERENCE_DIR", RAW / "reference")
    folder = scaffold.new_kommune(NEW)
    assert folder == tmp_path / NEW_SLUG
    tax = load()
    from servicetjek import declaration

    optional = set(declaration.report().optional_inputs())
    for name, filename in owndata.FILES.items():
        if filename in optional:
            assert not (folder / filename).exists()
            continue
        header = (folder / filename).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert header == list(owndata.SCHEMAS[name](tax).columns), filename
    header = (folder / "population.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(prepare.POPULATION_SCHEMA.columns)

    cfg = _fill(yaml.safe_load((folder / "kommune.yaml").read_text(encoding="utf-8")))
    cfg["years"] = {"status": [2017, 2018, 2019], "longrun_start": 2017, "scenario": [2020, 2021]}
    kommune = municipality.KommuneConfig.model_validate(cfg)
    assert kommune.name == NEW and kommune.area == NEW
    groups = municipality.ComparisonGroups.model_validate(
        _fill(yaml.safe_load((folder / "comparison_groups.yaml").read_text(encoding="utf-8"))))
    assert [g.role for g in groups.groups] == ["klynge", "national"]

    filled = tmp_path / "proposals.yaml"
    filled.write_text(yaml.safe_dump(_fill(yaml.safe_load((folder / "proposals.yaml").read_text(encoding="utf-8"))),
                                     allow_unicode=True), encoding="utf-8")
    costs = pd.DataFrame({"benefit_group": ["foertidspension"], "kr_per_full_time_person": [80000.0]})
    cat = catalogue.load_catalogue(filled, costs, [2020, 2021])
    assert len(cat.proposals) == 1 and len(cat.proposals[0].lines) == 2

    from servicetjek.publish.placeholders import PLACEHOLDER as PATTERN

    for chapter in declaration.report().text_chapters():    # the texts' placeholders are well-formed
        text = (folder / chapter.decl.source).read_text(encoding="utf-8")
        assert PATTERN.findall(text) and "{{" not in PATTERN.sub("", text)


# ------------------------------------------------------------------ a third municipality from files alone
THIRD, THIRD_SLUG = "Testrup", "testrup"
SOURCE, SOURCE_SLUG = "Næstved", "naestved"


def _rename_json(value):
    if isinstance(value, str):
        return value.replace(SOURCE, THIRD)
    if isinstance(value, list):
        return [_rename_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _rename_json(v) for k, v in value.items()}
    return value


def _make_third(raw: Path) -> Path:
    """Data/raw/testrup/: Næstved's inputs with the municipality's name rewritten in every file, each in
    its own format (text for CSV/YAML/Markdown, parsed JSON, cell values in xlsx)."""
    folder = raw / THIRD_SLUG
    shutil.copytree(raw / SOURCE_SLUG, folder)
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if SOURCE_SLUG in path.name:
            path = path.rename(path.with_name(path.name.replace(SOURCE_SLUG, THIRD_SLUG)))
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and SOURCE in cell.value:
                            cell.value = cell.value.replace(SOURCE, THIRD)
            book.save(path)
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            path.write_text(json.dumps(_rename_json(data), ensure_ascii=False), encoding="utf-8")
        else:   # CSV (with or without BOM), YAML, Markdown
            text = path.read_bytes().decode("utf-8")
            path.write_bytes(text.replace(SOURCE, THIRD).replace(SOURCE_SLUG, THIRD_SLUG).encode("utf-8"))
    return folder


def _no_source_name_left(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix != ".xlsx":
            assert SOURCE not in path.read_text(encoding="utf-8"), path
            assert SOURCE_SLUG not in path.read_text(encoding="utf-8"), path
    for path in folder.rglob("*.xlsx"):
        book = openpyxl.load_workbook(path, read_only=True)
        assert not any(SOURCE in str(v) for s in book.worksheets for r in s.iter_rows(values_only=True) for v in r)


def test_third_municipality_builds_from_files_alone(data_copy: DataCopy):
    folder = _make_third(data_copy.raw)
    _no_source_name_left(folder)
    assert f"{THIRD_SLUG}\t{THIRD}" in data_copy.pipeline("list").stdout

    prep = data_copy.pipeline("prepare", "--kommune", THIRD)
    assert prep.returncode == 0, prep.stderr
    meta = json.loads((data_copy.processed / THIRD_SLUG / "meta.json").read_text(encoding="utf-8"))
    assert meta["kommune"] == THIRD and meta["config"]["area"] == THIRD

    run = data_copy.pipeline("build", "--kommune", THIRD, "--format", "html", "--quiet")
    assert run.returncode == 0, run.stderr[-3000:]
    reports = Path(data_copy.env()["SERVICETJEK_REPORTS"])
    page = (reports / THIRD_SLUG / f"servicetjek-{THIRD_SLUG}.html").read_text(encoding="utf-8")
    assert f"{THIRD} Kommune" in page
    for heading in ("Indledning", "Status", "Scenarier", "Omkostningseffektivitet",
                    "Overordnet vurdering af potentialer for bedre effekter", "Katalog med forslag"):
        assert re.search(rf'<h2 class="st-heading"[^>]*>\d+\. {re.escape(heading)}', page), heading
    # nothing of the municipality the files were copied from leaks in from code
    assert SOURCE not in page
    chapters = sorted(p.stem for p in (reports / THIRD_SLUG / "chapters").glob("*.html"))
    notebooks = sorted(c.notebook.stem for c in main_report().notebooks())
    assert chapters == notebooks
    assert not (reports / SOURCE_SLUG).exists()


# ------------------------------------------------------------------ no names or years in code
def _bundled_names() -> tuple[set[str], set[str]]:
    """(names, slugs) of every bundled municipality, comparison group and member.

    'Hele landet' is jobindsats's name for the whole country and 'Klynge' a generic role name; both are
    vocabulary, not data."""
    names, slugs = set(), set()
    for cfg in RAW.glob("*/kommune.yaml"):
        data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
        names |= {data["name"], data["area"]}
        slugs.add(cfg.parent.name)
    for groups in RAW.glob("*/comparison_groups.yaml"):
        for group in yaml.safe_load(groups.read_text(encoding="utf-8"))["groups"]:
            names |= set(group["members"]) | {group["name"], group["short_name"]}
    return names - {"Hele landet", "Klynge"}, slugs


def _pattern() -> re.Pattern:
    names, slugs = _bundled_names()
    words = sorted(names | slugs, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)|(?<!\d)20[12]\d(?!\d)")


def _docstring_lines(source: str) -> set[int]:
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                lines |= set(range(first.lineno, first.end_lineno + 1))
    return lines


def _code_hits(source: str, pattern: re.Pattern) -> list[tuple[int, str]]:
    """(line, text) of every match outside comments and docstrings."""
    try:
        docs = _docstring_lines(source)
    except SyntaxError:       # e.g. notebook magics: scan everything but comments
        docs = set()
    hits = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE):
            continue
        if tok.type == tokenize.STRING and tok.start[0] in docs:
            continue
        for match in pattern.finditer(tok.string):
            hits.append((tok.start[0], match.group(0)))
    return hits


def find_names_and_years() -> list[str]:
    pattern = _pattern()
    found = []
    for path in sorted((PROJECT / "servicetjek").rglob("*.py")):
        for line, text in _code_hits(path.read_text(encoding="utf-8"), pattern):
            found.append(f"{path.relative_to(PROJECT)}:{line}: {text}")
    for path in sorted((PROJECT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb["cells"]):
            source = "".join(cell["source"])
            hits = (_code_hits(source, pattern) if cell["cell_type"] == "code"
                    else [(i, m.group(0)) for i, ln in enumerate(source.splitlines(), 1) for m in pattern.finditer(ln)])
            found += [f"notebooks/{path.name}: cell {index}, line {line}: {text}" for line, text in hits]
    return found


def test_scanner_finds_names_and_years_in_code_only():
    pattern = _pattern()
    source = ('"""Docstring: Slagelse 2019."""\n'
              'x = "Næstved"  # comment: Vestsjælland 2020\n'
              'y = 2021\n'
              'z = "Hele landet"\n')
    assert _code_hits(source, pattern) == [(2, "Næstved"), (3, "2021")]


# Known findings outside this test's files, (file, text), for the files' owners to remove. A new finding
# fails the test; so does a listed one that is gone (then delete it here).
KNOWN = {
    ("servicetjek/cli.py", "Slagelse"),                 # --kommune help: "f.eks. Slagelse eller naestved"
    ("servicetjek/cli.py", "naestved"),
    ("servicetjek/inputs/extracts.py", "2019"),                # period examples in an error message
    ("servicetjek/inputs/fetch.py", "2017"),              # fetch --years help/error examples
    ("servicetjek/inputs/fetch.py", "2019"),
    ("servicetjek/inputs/fetch.py", "Kalundborg"),        # fetch --kommune help example
    ("notebooks/status.ipynb", "Slagelse"),          # parameter default kommune = "Slagelse"
    ("notebooks/benchmark.ipynb", "Slagelse"),
    ("notebooks/scenarier.ipynb", "Slagelse"),
    ("notebooks/omkostningseffektivitet.ipynb", "Slagelse"),
    ("notebooks/forslagskatalog.ipynb", "Slagelse"),
    ("notebooks/opfoelgning_maal.ipynb", "Slagelse"),         # the follow-up report's parameter default
    ("notebooks/opfoelgning_udvikling.ipynb", "Slagelse"),
    ("notebooks/offentlig_indledning.ipynb", "Slagelse"),    # the public-data report's parameter default
    ("notebooks/prognose.ipynb", "Slagelse"),
}


def test_no_municipality_names_or_years_in_code_or_notebooks():
    found = find_names_and_years()
    keys = {(hit.split(":")[0], hit.rsplit(": ", 1)[1]) for hit in found}
    new = [hit for hit in found if (hit.split(":")[0], hit.rsplit(": ", 1)[1]) not in KNOWN]
    assert not new, "navne/årstal i kode eller notebooks:\n" + "\n".join(new)
    assert not KNOWN - keys, f"fjernet fra koden, slet dem i KNOWN: {sorted(KNOWN - keys)}"
