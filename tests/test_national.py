"""The public-data report for any municipality and the batch of them (issue 16).

- the report kind `offentlig` reads no own figures, and its introduction names every chapter of the
  servicetjek it leaves out with the non-public inputs that chapter needs (from the declaration);
- `new-kommune --offentlige-data` scaffolds only those inputs;
- tools/generate_kommuner.py is deterministic, marks every file constructed and never writes into data/;
- a batch of 5 generated municipalities builds with a worker pool, and the overview page ranks them with
  a link to each report.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from conftest import PROJECT, DataCopy, tree_digest

from servicetjek import declaration
from servicetjek.chapters import public

GENERATOR = PROJECT / "tools" / "generate_kommuner.py"
OWN_FIGURES = ("budget.csv", "resources.csv", "resource_persons.csv", "unit_costs.csv", "exit_rates.csv",
               "proposals.yaml", "goals.yaml")


def generate(data_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GENERATOR), str(data_dir), *args], capture_output=True, text=True,
                          timeout=300)


def test_public_report_reads_no_own_figures():
    report = declaration.report("offentlig")
    files = set(report.required_inputs()) | set(report.optional_inputs())
    assert not files & set(OWN_FIGURES), sorted(files & set(OWN_FIGURES))
    ids = [c.decl.id for c in report.chapters]
    assert {"status", "prognose", "benchmark"} <= set(ids)


def test_intro_names_every_left_out_chapter_and_why():
    report, full = declaration.report("offentlig"), declaration.report()
    out = {title: why for _, title, why in public.left_out(report, full)}
    kept = {c.decl.id for c in report.chapters}
    expected = [c.decl.title for c in full.chapters if c.decl.id not in kept]
    assert list(out) == expected
    scenarier = full.chapter("scenarier").decl.title
    assert "budgetforudsætninger" in out[scenarier]
    assert "ressourceopgørelse" in out[full.chapter("omkostninger").decl.title]
    assert all(why for why in out.values())
    page = public.intro_html(report, full, "Nyby")
    for title in expected:
        assert html.escape(title.replace("{kommune}", "Nyby"), quote=False) in page or title.replace("{kommune}", "Nyby") in page


def test_scaffold_for_public_data_only(data_copy: DataCopy):
    run = data_copy.pipeline("new-kommune", "Nyby", "--offentlige-data")
    assert run.returncode == 0, run.stderr
    folder = data_copy.raw / "nyby"
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert written == ["comparison_groups.yaml", "extracts/README.md", "kommune.yaml", "population.csv"]
    assert "--rapport offentlig" in run.stdout
    prep = data_copy.pipeline("prepare", "--kommune", "Nyby", "--rapport", "offentlig")
    assert prep.returncode == 2
    for name in ("kommune.yaml", "comparison_groups.yaml", "population.csv", "extracts"):
        assert prep.stderr.count(f"nyby/{name}:") == 1, (name, prep.stderr)
    assert "Traceback" not in prep.stderr


def test_generator_is_deterministic_and_marks_everything_constructed(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for target in (first, second):
        run = generate(target, "--antal", "2")
        assert run.returncode == 0, run.stderr
    assert tree_digest(first / "raw") == tree_digest(second / "raw")
    folders = sorted(p.name for p in (first / "raw").iterdir() if (p / "kommune.yaml").is_file())
    assert folders == ["albertslund", "alleroed"]
    for slug in folders:
        folder = first / "raw" / slug
        manifest = yaml.safe_load((folder / "extracts" / "PROVENANCE.yaml").read_text(encoding="utf-8"))
        on_disk = {p.name for p in (folder / "extracts").iterdir()} - {"PROVENANCE.yaml"}
        assert {f["file"] for f in manifest["files"]} == on_disk
        assert all(f["provenance"].startswith("constructed:") for f in manifest["files"])
        assert pd.read_csv(folder / "population.csv")["provenance"].str.startswith("constructed:").all()
        assert yaml.safe_load((folder / "kommune.yaml").read_text(encoding="utf-8"))["provenance"].startswith("constructed:")
    other_seed = tmp_path / "c"
    assert generate(other_seed, "--antal", "1", "--seed", "17").returncode == 0
    ext = "extracts/ptv_a02_albertslund-sammenligning_2014M01-2019M12.csv"
    assert (other_seed / "raw" / "albertslund" / ext).read_bytes() != (first / "raw" / "albertslund" / ext).read_bytes()


def test_generator_refuses_the_project_data_folder():
    run = generate(PROJECT / "data")
    assert run.returncode != 0 and "data/" in run.stderr + run.stdout
    assert not (PROJECT / "data" / "raw" / "albertslund").exists()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """5 generated municipalities built as one batch (html only, 2 workers), with the overview."""
    root = tmp_path_factory.mktemp("national")
    assert generate(root / "data", "--antal", "5").returncode == 0
    env = {**__import__("os").environ, "SERVICETJEK_DATA": str(root / "data"),
           "SERVICETJEK_REPORTS": str(root / "reports")}
    run = subprocess.run([sys.executable, str(PROJECT / "pipeline.py"), "build", "--all", "--rapport", "offentlig",
                          "--format", "html", "--jobs", "2"], capture_output=True, text=True, env=env, timeout=600,
                         cwd=root)
    return root / "reports", run


def test_batch_builds_every_municipality(batch):
    reports, run = batch
    assert run.returncode == 0, run.stderr
    slugs = ["albertslund", "alleroed", "ballerup", "bornholm", "broendby"]
    full = declaration.report()
    for slug in slugs:
        page = (reports / slug / "offentlig" / f"offentlig-{slug}.html").read_text(encoding="utf-8")
        assert "udeladt" in page
        assert "Omkostningseffektiviteten" in page and "budgetforudsætninger" in page
        assert "konstrueret" in page
        assert full.chapter("katalog").decl.title in page
    assert not list(reports.glob("*/tables")), "the servicetjek itself was built"


def test_overview_ranks_and_links_every_report(batch):
    reports, run = batch
    page = (reports / "offentlig-oversigt.html").read_text(encoding="utf-8")
    assert 'name="viewport"' in page and 'lang="da"' in page
    links = re.findall(r'<td class="name"><a href="([^"]+)">([^<]+)</a>', page)
    assert len(links) == 5
    for href, _name in links:
        assert (reports / href).is_file(), href
    placements = []
    for slug in (href.split("/")[0] for href, _ in links):
        rank = pd.read_csv(reports / slug / "offentlig" / "tables" / "benchmark_rank.csv").iloc[-1]
        placements.append(int(rank["placering"]))
    assert placements == sorted(placements), "not ordered by the benchmark placement"
    rows = re.findall(r"<tr><td class=\"name\">.*?</tr>", page)
    assert all(re.search(r"<td>\d+</td><td>[+-]\d+,\d\d</td>", r) for r in rows), rows[:1]


def test_overview_orders_by_placement_and_ranks_each_figure():
    from servicetjek.publish.overview import KeyFigures, render

    def k(name, share, change, pp, placement):
        return KeyFigures(name.lower(), name, f"{name.lower()}/x.html", share, change, pp, placement, 98, 2019, 2017,
                          True)

    figures = [k("Aby", 20.0, 0.05, 0.4, 70), k("Bby", 15.0, -0.10, -1.2, 3), k("Cby", 25.0, 0.01, 0.0, 40)]
    page = render("offentlig", "Titel", figures)
    names = re.findall(r'<td class="name"><a href="[^"]+">([^<]+)</a>', page)
    assert names == ["Bby", "Cby", "Aby"]
    rows = dict(zip(names, re.findall(r"<tr><td class=\"name\">.*?</tr>", page)))
    assert "15,0 <span class=\"rank\">(1)</span>" in rows["Bby"] and "25,0 <span class=\"rank\">(3)</span>" in rows["Cby"]
    assert "-1,20" in rows["Bby"] and "konstruerede" in page
