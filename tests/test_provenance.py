"""Provenance once, and where it matters (issue 11, part 4): one Datagrundlag chapter, a mark on each value
that rests on constructed inputs, no generic notice, no repository path in any output, and a caption and a
Kilde on every table.

Two builds in private copies of data/: Slagelse as bundled (HTML and PDF), and Slagelse with every
provenance flipped to published (HTML), which must carry no mark and say once that no figure is constructed.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import RAW, DataCopy, main_report

from servicetjek.publish import provenance
from servicetjek.publish.report import source_text

WORD = re.compile(r"konstrueret", re.I)
CHAPTER = re.compile(r'<section class="chapter" data-chapter="(\d+)">(.*?)</section>(?=<section|</main>)', re.S)
MARK_NOTE = re.compile(r'<p class="st-note st-mark-note">.*?</p>', re.S)
REPO_PATH = re.compile(r"data/raw|\b(?:tools|servicetjek|notebooks|docs|tests)/[\w.-]+|README[\w]*\.md")


def _build(copy: DataCopy, *args: str) -> Path:
    proc = copy.pipeline("build", "--kommune", "Slagelse", "--quiet", *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return copy.root.parent / "reports" / "slagelse"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("prov") / "data"
    shutil.copytree(RAW, root / "raw")
    (root / "processed").mkdir()
    return _build(DataCopy(root))


def _flip_to_published(raw: Path) -> None:
    """Every provenance of Slagelse's inputs (and the shared reference files) said published."""
    for path in list((raw / "slagelse").rglob("*")) + list((raw / "reference").rglob("*")):
        if path.suffix in (".csv", ".yaml", ".md") and path.is_file():
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("constructed:", "published: test;"), encoding="utf-8")


@pytest.fixture(scope="module")
def all_published(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("prov-published") / "data"
    shutil.copytree(RAW, root / "raw")
    (root / "processed").mkdir()
    _flip_to_published(root / "raw")
    return _build(DataCopy(root), "--format", "html")


def _page(folder: Path) -> str:
    page = (folder / "servicetjek-slagelse.html").read_text(encoding="utf-8")
    return re.sub(r"<style\b.*?</style>|<svg\b.*?</svg>", "", page, flags=re.S)


def _visible(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _chapters(page: str) -> dict[int, str]:
    return {int(n): body for n, body in CHAPTER.findall(page)}


def _datagrundlag(chapters: dict[int, str]) -> int:
    return next(n for n, body in chapters.items() if re.search(r'id="kapitel-\d+">\d+\. Datagrundlag<', body))


# ------------------------------------------------------------------ (a) "konstrueret" only where it belongs
def test_konstrueret_only_in_datagrundlag_and_beside_marks(bundled):
    page = _page(bundled)
    title = re.search(r'<section class="title-page".*?</section>', page, re.S).group(0)
    assert not WORD.search(_visible(title)), "the title page carries no notice"
    chapters = _chapters(page)
    own = _datagrundlag(chapters)
    assert len(WORD.findall(_visible(chapters[own]))) >= 3
    notes = 0
    for number, body in chapters.items():
        if number == own:
            continue
        notes += len(MARK_NOTE.findall(body))
        rest = MARK_NOTE.sub("", body)
        assert not WORD.search(_visible(rest)), f"kapitel {number}: 'konstrueret' outside a mark's note"
        for figure in re.findall(r"<figure\b.*?</figure>", body, re.S):     # a note stands under a mark
            assert ('class="st-mark"' in figure) == ("st-mark-note" in figure), figure[:200]
        if MARK_NOTE.search(body):
            assert 'class="st-mark"' in body or re.search(r"\d\*", _visible(body)), number
    assert notes >= 5, "Slagelse's constructed values are marked"
    # published tables carry no mark: Tabel 1-5 and the catalogue overview reproduce the 2020 report
    for number in ("1", "2", "3", "4", "5", "7.1"):
        caption = re.search(rf'id="tabel-{re.escape(number)}".*?</figcaption>', page, re.S).group(0)
        assert 'class="st-mark"' not in caption, f"Tabel {number}"
    assert 'class="st-mark"' in re.search(r'id="tabel-4.1".*?</figcaption>', page, re.S).group(0)


def test_konstrueret_not_on_every_pdf_page(bundled):
    text = subprocess.run(["pdftotext", "-layout", str(bundled / "servicetjek-slagelse.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    # Datagrundlag is the report's last chapter: its pages run from its heading to the end
    first = next(i for i, p in enumerate(pages, 1) if re.search(r"^\s*\d+\. Datagrundlag\s*$", p, re.M))
    assert main_report().chapters[-1].decl.kind == "provenance"
    with_word = [i for i, p in enumerate(pages, 1) if WORD.search(p) and i < first]
    assert len(with_word) < len(pages) / 2, with_word
    for i in with_word:         # elsewhere only the note under a mark: no more notes than marks on the page
        assert 1 <= len(WORD.findall(pages[i - 1])) <= pages[i - 1].count("*"), f"side {i}"


# ------------------------------------------------------------------ (b) no repository path in any output
def test_no_repository_path_in_any_output(bundled):
    files = [p for p in bundled.rglob("*") if p.suffix in (".html", ".csv", ".json")]
    assert any(p.name == "manifest.json" for p in files) and any(p.suffix == ".csv" for p in files)
    texts = {str(p.relative_to(bundled)): p.read_text(encoding="utf-8") for p in files}
    for name in [n for n in texts if n.endswith("manifest.json")]:
        manifest = json.loads(texts[name])
        manifest.pop("outputs")       # the report's own files (notebooks/status.ipynb in reports/<slug>/)
        texts[name] = json.dumps(manifest, ensure_ascii=False)
    pdf = bundled / "servicetjek-slagelse.pdf"
    texts[pdf.name] = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                     check=True).stdout
    found = {name: sorted(set(REPO_PATH.findall(text))) for name, text in texts.items() if REPO_PATH.search(text)}
    assert not found, found


# ------------------------------------------------------------------ (c) only published figures: no mark
def test_all_published_has_no_mark_and_says_so_once(all_published):
    page = _page(all_published)
    assert 'class="st-mark"' not in page and "st-mark-note" not in page
    assert not re.search(r"\d\*", _visible(page))
    assert not WORD.search(_visible(page).replace(provenance.ALL_PUBLISHED, ""))
    assert _visible(page).count(provenance.ALL_PUBLISHED) == 1
    chapters = _chapters(page)
    assert provenance.ALL_PUBLISHED in _visible(chapters[_datagrundlag(chapters)])


# ------------------------------------------------------------------ (d) every table: caption and Kilde
def test_every_table_has_caption_and_kilde(bundled):
    page = _page(bundled)
    tables = re.findall(r"<table\b", page)
    figures = re.findall(r'<figure class="st-(?:table|subtable)[^"]*".*?</figure>', page, re.S)
    assert sum(len(re.findall(r"<table\b", f)) for f in figures) == len(tables), "a table outside a figure"
    for figure in figures:
        caption = re.search(r'<figcaption><span class="st-num">Tabel [\d.]+[a-z]?:</span>\s*\S', figure)
        assert caption, figure[:300]
        after = figure[figure.rindex("</table>"):]
        assert '<p class="st-source">Kilde: ' in after, caption.group(0)
    assert len(re.findall(r'id="tabel-7\.1[a-z]"', page)) >= 3, "the effect tables of Forslag 9-11"


# ------------------------------------------------------------------ the rule, without a build
def test_constructed_behind_and_reproduction():
    prov = pd.DataFrame({
        "file": ["extracts/a.csv", "population.csv", "budget.csv", "exit_rates.csv"],
        "item": ["", "", "", ""],
        "kind": ["constructed", "constructed", "constructed", "published"],
        "provenance": ["constructed: x", "constructed: so Tabel 1 rounds", "constructed: y", "published: z"],
        "agrees_with": ["published: s.txt, Tabel 1 | published: s.txt, Tabel 2", "", "", ""]})
    assert not source_text("K", prov, ["exit_rates.csv"]).constructed
    assert source_text("K", prov, ["extracts/", "budget.csv"]).constructed
    assert not source_text("K", prov, ["extracts/", "population.csv"], reproduces="Tabel 1").constructed
    assert source_text("K", prov, ["extracts/", "population.csv"], reproduces="Tabel 2").constructed
    assert source_text("K", prov, ["extracts/"], reproduces="Tabel 12").constructed
    assert str(source_text("K", prov, ["budget.csv"])) == "K"


def test_marks_skip_years_and_references():
    assert provenance.mark_last_number("58,0 mio. kr. i 2022, jf. tabel 4") == "58,0* mio. kr. i 2022, jf. tabel 4"
    assert provenance.mark_last_number("I 2022.") == "I 2022."
    assert provenance.without_paths("by tools/construct_extracts.py, see data/raw/README.md") == (
        "by construct_extracts.py, see README.md")
