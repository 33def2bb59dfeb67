"""The PDFs keep their shape: no word beyond the page margins and no word printed over another.

Read from the PDF's word boxes (poppler's `pdftotext -bbox`), for both bundled municipalities and for a
stress municipality made from Næstved's files with 20 comparison jobcentres (Tabel 7 side by side, wider
than a landscape page) and 12 proposals that use every column of the catalogue's 'konto' layout.
Also: the PDF is tagged, and a table's print layout follows from its width.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import PROJECT, RAW, DataCopy

PDFTOTEXT = shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
WORD = re.compile(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
EDGE_X, EDGE_BOTTOM = 14.0, 6.0     # pt: a word this close to the paper's edge is beyond the margin


@dataclass
class Layout:
    pages: int
    outside: list[str]          # "p<n> '<word>'" for each word beyond the margins
    overprinted: list[str]      # "p<n> '<a>' over '<b>'" for each pair of overlapping words


def words_of(page_body: str) -> list[tuple[float, float, float, float, str]]:
    return [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in WORD.findall(page_body)]


def check_words(pages: list[tuple[float, float, list]]) -> Layout:
    """Words beyond the margins (closer than EDGE_X to the left or right edge, EDGE_BOTTOM to the bottom)
    and pairs of words whose boxes overlap by more than 1.5 pt across and half a line down."""
    outside, overprinted = [], []
    for n, (width, height, words) in enumerate(pages, 1):
        for x0, _y0, x1, y1, text in words:
            if x1 > width - EDGE_X or x0 < EDGE_X or y1 > height - EDGE_BOTTOM:
                outside.append(f"p{n} {text!r}")
        ordered = sorted(words, key=lambda w: w[1])
        for i, (ax0, ay0, ax1, ay1, at) in enumerate(ordered):
            for bx0, by0, bx1, by1, bt in ordered[i + 1:]:
                if by0 >= ay1:          # sorted by top: no later word reaches up into this one
                    break
                across = min(ax1, bx1) - max(ax0, bx0)
                down = min(ay1, by1) - max(ay0, by0)
                if across > 1.5 and down > 0.5 * min(ay1 - ay0, by1 - by0):
                    overprinted.append(f"p{n} {at!r} over {bt!r}")
    return Layout(len(pages), outside, overprinted)


def check_pdf(pdf: Path) -> Layout:
    out = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return check_words([(float(w), float(h), words_of(body)) for w, h, body in PAGE.findall(out)])


# ------------------------------------------------------------------ the check itself can fail
def test_check_finds_a_word_beyond_the_margin_and_an_overprint():
    page = (595.0, 842.0, [(50.0, 100.0, 90.0, 110.0, "inde"), (560.0, 200.0, 600.0, 210.0, "ude"),
                           (300.0, 300.0, 340.0, 310.0, "Sikkerhed"), (320.0, 301.0, 380.0, 311.0, "-11,0")])
    found = check_words([page])
    assert found.outside == ["p1 'ude'"]
    assert found.overprinted == ["p1 'Sikkerhed' over '-11,0'"]
    assert check_words([(595.0, 842.0, page[2][:1])]) == Layout(1, [], [])


# ------------------------------------------------------------------ the stress municipality
STRESS = "Testrup"
EXTRA_JOBCENTRES = 8            # Næstved compares with 12 jobcentres; 12 + 8 = 20
EXTRA_PROPOSALS = 4             # Næstved has 8 proposals; 8 + 4 = 12


def _more_jobcentres(folder: Path) -> None:
    path = folder / "unit_costs.csv"
    costs = pd.read_csv(path, dtype=str)
    names = list(dict.fromkeys(costs["jobcentre"]))
    start = max(int(re.sub(r"\D", "", n) or 0) for n in names) + 1
    extra = []
    for k in range(EXTRA_JOBCENTRES):
        rows = costs[costs["jobcentre"] == names[k % len(names)]].copy()
        rows["jobcentre"] = f"Kommune {start + k}"
        rows["unit_cost_1000kr"] = [f"{float(v) * (1.05 + 0.03 * k):.1f}" for v in rows["unit_cost_1000kr"]]
        # 'published' like the rows it copies: the chapter shows every jobcentre only when all are published
        rows["provenance"] = rows["provenance"].str.replace(names[k % len(names)], f"Kommune {start + k}")
        extra.append(rows)
    pd.concat([costs, *extra]).to_csv(path, index=False)


def _more_proposals(folder: Path) -> None:
    """Four more proposals, copies of those that fill the most columns (scenarios, risks, consequences,
    konto 5 and konto 6, a difficulty note), with longer texts."""
    path = folder / "proposals.yaml"
    cat = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert cat["layout"] == "konto"
    def fullness(p):
        return len(str(p))
    donors = sorted(cat["proposals"], key=fullness, reverse=True)[:EXTRA_PROPOSALS]
    for k, donor in enumerate(donors, 1):
        p = yaml.safe_load(yaml.safe_dump(donor, allow_unicode=True))
        p["id"] = f"{p['id']}-variant-{k}"
        p["title"] = f"{p['title']} – variant {k} med en længere titel"
        p["risks"] = (p.get("risks") or "Risiko") + " og risiko for, at effekten kommer senere end ventet"
        p["consequences"] = list(p.get("consequences") or []) + ["Kræver en ny aftale med de eksterne leverandører"]
        p["horizon"] = p.get("horizon") or "Fuldt implementeret fra 2021"
        p["sections"] = {}
        cat["proposals"].append(p)
    path.write_text(yaml.safe_dump(cat, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Both bundled municipalities and the stress municipality, built (HTML and PDF) in a data copy."""
    from test_scaffold import _make_third

    root = tmp_path_factory.mktemp("layout") / "data"
    shutil.copytree(RAW, root / "raw")
    (root / "processed").mkdir()
    folder = _make_third(root / "raw")
    _more_jobcentres(folder)
    _more_proposals(folder)
    copy = DataCopy(root)
    proc = subprocess.run([sys.executable, str(PROJECT / "pipeline.py"), "build", "--all", "--jobs", "2", "--quiet"],
                          capture_output=True, text=True, env=copy.env(), cwd=root.parent, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root.parent / "reports"


def _pdf(reports: Path, slug: str) -> Path:
    return reports / slug / f"servicetjek-{slug}.pdf"


@needs_poppler
@pytest.mark.parametrize("slug", ["slagelse", "naestved", "testrup"])
def test_no_word_beyond_the_margins_or_overprinted(built, slug):
    found = check_pdf(_pdf(built, slug))
    assert found.pages > 10
    assert found.outside == [], found.outside[:10]
    assert found.overprinted == [], found.overprinted[:10]


def test_stress_municipality_has_what_it_claims(built):
    page = (built / "testrup" / "servicetjek-testrup.html").read_text(encoding="utf-8")
    from servicetjek import declaration

    report = declaration.report()
    unit_number = report.chapter("omkostninger").table_number("cost_unit")
    overview_number = report.chapter("katalog").table_number("catalogue_overview")
    # Tabel 4 with the municipality and 20 jobcentres side by side: stacked on paper
    unit = re.search(rf'<figure class="st-table (st-\w+)[^"]*" id="tabel-{unit_number}".*?</figure>', page, re.S)
    assert unit and unit.group(1) == "st-stacked"
    head = unit.group(0).split("</thead>")[0]
    assert len(re.findall(r"Kommune \d+", head)) == 20
    # the catalogue: 12 proposals in the konto layout, on a landscape page
    assert re.findall(r'<h4 class="st-heading" id="forslag-(\d+)"', page) == [str(n) for n in range(1, 13)]
    catalogue = re.search(rf'<figure class="st-table (st-\w+)[^"]*" id="tabel-{overview_number}"', page)
    assert catalogue and catalogue.group(1) in ("st-wide", "st-stacked")
    assert "Konsekvens ved forslaget" in page and "Risici ved at gennemføre ændring" in page


@needs_poppler
def test_pdfs_are_tagged(built):
    for slug in ("slagelse", "naestved"):
        info = subprocess.run(["pdfinfo", str(_pdf(built, slug))], capture_output=True, text=True).stdout
        assert re.search(r"^Tagged:\s+yes", info, re.M), info


def _pdf_alt_texts(path: Path) -> list[str]:
    """The /Alt strings of a PDF's structure elements, in order (WeasyPrint writes them as UTF-16 hex strings
    inside compressed object streams, which poppler's pdfinfo does not print)."""
    import zlib

    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", path.read_bytes(), re.S):
        try:
            body = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        found += [bytes.fromhex(h.decode()).decode("utf-16-be") for h in re.findall(rb"/Alt <feff([0-9a-f]*)>", body)]
    return found


def test_pdf_figures_carry_their_alt_text(built):
    """Every figure in the tagged PDF has the values its SVG's aria-label gives (the PDF draws the figure from
    an <img> made of the SVG, whose alt WeasyPrint tags; an inline SVG's aria-label it would drop)."""
    import html as html_lib

    for slug in ("slagelse", "naestved"):
        page = (built / slug / f"servicetjek-{slug}.html").read_text(encoding="utf-8")
        labels = [html_lib.unescape(a) for a in re.findall(r'<svg role="img" aria-label="([^"]*)"', page)]
        assert labels and all(labels)
        assert _pdf_alt_texts(_pdf(built, slug)) == labels


# ------------------------------------------------------------------ the layout follows from the width
def test_print_layout_follows_the_width():
    from servicetjek.publish import report, widths

    narrow = pd.DataFrame({"": ["Dagpenge", "I alt"], "2019": ["1.071", "9.743"]})
    assert 'class="st-table st-portrait"' in report.table_html(narrow, 1, "Smal")
    many = pd.DataFrame({"": ["Dagpenge"], **{f"Kommune {k}": ["104,3"] for k in range(1, 10)}})
    assert 'class="st-table st-wide"' in report.table_html(many, 2, "Bred")
    wider = pd.DataFrame({"": ["Dagpenge"], **{f"Kommune {k}": ["104,3"] for k in range(1, 22)}})
    html = report.table_html(wider, 3, "For bred til liggende side")
    assert 'class="st-table st-stacked"' in html
    # on paper: blocks of columns, each with the label column, together every column once
    blocks = html.split('<div class="st-print-only"')[1]
    heads = re.findall(r"<thead>(.*?)</thead>", blocks)
    assert len(heads) >= 2
    shown = [c for h in heads for c in re.findall(r">(Kommune \d+)<", h)]
    assert shown == [f"Kommune {k}" for k in range(1, 22)]
    columns = [widths.Column("", ("Dagpenge",), label=True)] + [
        widths.Column(f"Kommune {k}", ("104,3",)) for k in range(1, 22)]
    for block in widths.column_blocks(columns):
        assert widths.width_pt([columns[0]] + [columns[i] for i in block], wide=True) <= widths.LANDSCAPE_PT


def test_stress_municipality_docx_is_the_same_report(built):
    """The Word file of the stress municipality (20 jobcentres, 12 proposals) holds the HTML's headings,
    tables, captions and figures, and no table is wider than its page."""
    from test_docx import assert_same_report

    slug = "testrup"
    page = (built / slug / f"servicetjek-{slug}.html").read_text(encoding="utf-8")
    assert_same_report(page, built / slug / f"servicetjek-{slug}.docx")
