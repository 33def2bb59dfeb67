"""Chapter 7 as rendered: the overview tables reproduce the published catalogues, numbering and counts are
generated, and one edited effect line moves exactly that proposal, the totals and the sentences quoting them."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from servicetjek.chapters import catalogue_texts as cat_texts
from servicetjek.chapters import catalogue_views as views
from servicetjek.inputs import catalogue as cat_mod
from servicetjek.inputs import owndata

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
NBSP = "\u00a0"


def load(raw: Path, slug: str):
    own = owndata.load_all(raw / slug)
    years = {"slagelse": [2020, 2021, 2022], "naestved": [2019, 2020, 2021]}[slug]
    return cat_mod.load_catalogue(raw / slug / "proposals.yaml", own["benefit_costs"], years, own.get("budget")), own


@pytest.fixture(scope="module")
def slagelse():
    return load(RAW, "slagelse")[0]


@pytest.fixture(scope="module")
def naestved():
    return load(RAW, "naestved")[0]


@pytest.fixture(scope="module")
def context():
    """The report-wide placeholder values (status from the bundled extracts, own figures), as the notebook
    builds them."""
    from servicetjek import declaration
    from servicetjek.chapters import values as context_mod
    from servicetjek.inputs import loader as inputs

    out = {}

    def get(slug):
        if slug not in out:
            out[slug] = context_mod.published_values(inputs.load(slug), declaration.report())
        return out[slug]

    return get


def rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [[re.sub(r"<[^>]+>", "", c).replace(NBSP, " ")
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)]


def row_starting(html: str, start: str) -> list[str]:
    for row in rows(html):
        if row[0].startswith(start):
            return row
    raise KeyError(start)


# ------------------------------------------------------------------ the overview tables
def test_layout_from_data(slagelse, naestved):
    assert views.choose_layout(slagelse) == "years"
    assert views.choose_layout(naestved) == "konto"
    assert views.choose_layout(naestved, "years") == "years"
    with pytest.raises(ValueError):
        views.choose_layout(slagelse, "wide")


def test_slagelse_overview(slagelse):
    html = views.overview_table(slagelse, 6)
    assert "Tabel 6:" in html
    assert row_starting(html, "Forslag 1.") == ["Forslag 1. Investering i styrket kontaktforløb for ledige", "1.000",
                                                "-4.900", "-17.200", "Middel", "Middel"]
    assert row_starting(html, "investering i ekstra ressourcer til sagsbehandling (konto 6)")[1:4] == \
        ["1.000", "2.500", "-"]
    assert row_starting(html, "besparelser på dagpenge ift. budgetskøn")[0].endswith("(konto 5)")
    assert row_starting(html, "besparelser på dagpenge")[1:4] == ["-", "-7.400", "-17.200"]
    assert row_starting(html, "Forslag 9.")[1:] == ["-", "-2.800", "-6.500", "Middel", "Høj"]
    assert row_starting(html, "Forslag 2.")[1:4] == ["-", "-", "-"]
    assert row_starting(html, "I alt")[1:4] == ["1.000", "-17.500", "-53.000"]
    # a group heading row is one header cell across the table
    assert row_starting(html, "Effektskabende initiativer") == ["Effektskabende initiativer"]
    assert '<th scope="rowgroup" colspan="6" class="st-label">Effektskabende initiativer</th>' in html
    labels = [r[0] for r in rows(html)]
    assert labels.index("Tværgående potentialer, der bidrager til at forebygge førtidspension") == \
        labels.index(row_starting(html, "Forslag 9.")[0]) - 1
    assert 'class="heading"' in html and 'class="total"' in html and 'class="sub"' in html


def test_naestved_overview_konto_columns(naestved):
    html = views.overview_table(naestved, 6)
    head = html.split("<thead>")[1].split("</thead>")[0]
    for column in ("Økonomisk effekt konto 6", "Økonomisk effekt konto 5", "Sikkerhed ift. at opnå effekt",
                   "Tidshorisont for fuld effekt", "Sværhedsgrad ift. at opnå effekt",
                   "Risici ved at gennemføre ændring", "Konsekvens ved forslaget"):
        assert column in head
    # (label, konto 6, konto 5) as published in 002 (mio. kr.)
    assert row_starting(html, "Scenarie 1")[1:3] == ["", "-7,5 mio. kr."]
    assert row_starting(html, "Scenarie 2")[1:3] == ["", "-15,0 mio. kr."]
    assert row_starting(html, "Scenarie 3")[1:3] == ["", "-19,0 mio. kr."]
    assert row_starting(html, "Reduceret brug af revalidering")[1:3] == ["", "-3,4 mio. kr."]
    assert row_starting(html, "Omstilling af indsatsen")[2].startswith("-11,0 mio. kr.")
    assert row_starting(html, "Omlægning af køb af uddannelse")[1:3] == ["", "-1,8 mio. kr."]
    assert row_starting(html, "Intensivt og jobrettet")[1:3] == ["", "-16,0 mio. kr."]
    assert row_starting(html, "Styrke arbejdet med")[1:3] == ["-0,5 mio. kr.", "-0,9 mio. kr."]
    assert row_starting(html, "En mere konsekvent sanktionspraksis")[1:3] == ["+1,0 mio. kr.", "-2,7 mio. kr."]
    f8 = row_starting(html, "Nedbringelse af sygefravær")
    assert f8[1] == "+1,5 mio. kr." and "investering +1,5 mio. kr." in f8[2]
    scenario1 = row_starting(html, "Scenarie 1")
    assert scenario1[3] == "Høj" and scenario1[4] == "Fuldt implementeret fra 2020"
    assert scenario1[5].startswith("Høj, hvis det skal realiseres") and scenario1[6] == "Risiko for effekttab"
    assert "2.755 færre aktiveringsuger" in scenario1[7]
    assert row_starting(html, "Scenarie 2")[3] == ""            # certainty given once per proposal
    assert row_starting(html, "Forslag 1:") == ["Forslag 1: Målrette og reducere i aktiveringsomfanget på tværs af "
                                                "målgrupper"]
    assert 'class="st-table st-wide st-long st-catalogue"' in html      # a landscape page on paper
    # the total counts scenario 1 only
    konto = cat_mod.catalogue_subtotals(naestved, "konto")
    total = row_starting(html, "I alt")
    assert total[1] == "+2,0 mio. kr." and total[2] == views._mio(konto[5][2021]).replace(NBSP, " ")


def test_overview_csv(slagelse, naestved, tmp_path):
    from servicetjek.publish import report

    frame = views.overview_csv(slagelse)
    assert [c for c in frame.columns if c.startswith("effect_")] == \
        ["effect_1000kr_2020", "effect_1000kr_2021", "effect_1000kr_2022"]
    p1 = frame[frame["proposal_id"] == "dagpenge-kontaktforloeb"].set_index("row_type", append=True)
    lines = frame[(frame["row_type"] == "line") & (frame["number"] == 1)].set_index("line_id")
    assert lines.loc["investering", ["effect_1000kr_2020", "effect_1000kr_2021"]].tolist() == [1000, 2500]
    assert lines.loc["besparelse", ["effect_1000kr_2021", "effect_1000kr_2022"]].tolist() == [-7400, -17200]
    assert (lines["konto"].tolist(), lines["kind"].tolist()) == ([6, 5], ["investering", "besparelse"])
    nine = frame[(frame["row_type"] == "line") & (frame["number"] == 9)].set_index("line_id")
    assert nine.loc["foertidspension", ["effect_1000kr_2021", "effect_1000kr_2022"]].tolist() == [-5000, -11000]
    assert nine.loc["fleksjob", ["effect_1000kr_2021", "effect_1000kr_2022"]].tolist() == [2200, 4500]
    assert nine.loc["foertidspension", ["persons_2021", "persons_2022"]].tolist() == [-63, -138]
    total = frame[frame["row_type"] == "total"].iloc[0]
    assert [total[f"effect_1000kr_{y}"] for y in (2020, 2021, 2022)] == [1000, -17500, -53000]
    assert (frame["row_type"] == "proposal").sum() == 11 and len(p1) == 3
    path = report.write_table(views.overview_csv(naestved), "naestved", "catalogue_overview", tmp_path)
    back = pd.read_csv(path)
    scen = back[back["row_type"] == "scenario"]
    assert scen["effect_1000kr_2021"].tolist() == [-7500, -15000, -19000]
    assert scen["in_total"].tolist() == [True, False, False]


# ------------------------------------------------------------------ numbering and counts
def check_numbering(html: str, count: int, count_investering: int) -> None:
    text = views.text_of(html)
    # each "Forslag N" section heading once, N = 1..count, in order
    headings = [int(n) for n in re.findall(r"<h\d[^>]*>Forslag (\d+):", html)]
    assert headings == list(range(1, count + 1))
    # the overview table names each proposal once, with the same numbers
    overview = [int(n) for n in re.findall(r"<th[^>]*>Forslag (\d+)[.:] ", html)]
    assert overview == list(range(1, count + 1))
    assert f"Forslag {count + 1}" not in text
    counts = re.findall(r"(?:^|[^\d.,])(\d+) forslag\b", text)
    assert str(count) in counts
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9])", text):
        for n in re.findall(r"(?:^|[^\d.,])(\d+) forslag\b", sentence):
            assert int(n) == count or (int(n) == count_investering and "investering" in sentence), sentence


def test_numbering_and_count(slagelse, naestved, context):
    for cat, slug in ((slagelse, "slagelse"), (naestved, "naestved")):
        html = views.chapter_html(cat, context(slug), table_number=6)
        ctx = cat_texts.catalogue_context(cat)
        check_numbering(html, ctx["count"], ctx["count_investering"])


def test_numbering_follows_the_file(tmp_path, context):
    """Take a proposal out: the rest are renumbered and every count follows."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    path = raw / "slagelse" / "proposals.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["proposals"] = [p for p in doc["proposals"] if p["id"] != "ungeindsats"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    cat, _ = load(raw, "slagelse")
    html = views.chapter_html(cat, context("slagelse"), table_number=6)
    check_numbering(html, 10, 3)
    text = views.text_of(html)
    assert "beskrevet 10 forslag" in text and "11 forslag" not in text
    assert "Forslag 4: Øget virksomhedsrettet indsats" in text


# ------------------------------------------------------------------ one edited line
def test_editing_one_effect_line(tmp_path, context):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    before_cat, _ = load(raw, "slagelse")
    path = raw / "slagelse" / "proposals.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("amounts: {2021: -1500, 2022: -3000}") == 1   # forslag 7, a typed line
    path.write_text(text.replace("amounts: {2021: -1500, 2022: -3000}", "amounts: {2021: -1500, 2022: -4000}"),
                    encoding="utf-8")
    after_cat, _ = load(raw, "slagelse")
    ctx = context("slagelse")
    before = views.chapter_parts(before_cat, ctx, table_number=6)
    after = views.chapter_parts(after_cat, ctx, table_number=6)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"intro", "overview", "proposal:fleksjob-opfoelgning"}
    # the overview table: the proposal's row and the total, in 2022 only
    old, new = rows(before["overview"]), rows(after["overview"])
    diff = [(o[0], [i for i, (a, b) in enumerate(zip(o, n)) if a != b]) for o, n in zip(old, new) if o != n]
    assert diff == [("Forslag 7. Styrket opfølgning ift. udvikling i fleksjob", [3]), ("I alt", [3])]
    assert row_starting(after["overview"], "Forslag 7.")[3] == "-4.000"
    assert row_starting(after["overview"], "I alt")[3] == "-54.000"
    # the sentences: exactly those quoting the total (intro) and the proposal's amount (its section)

    def sentences(html):
        return re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9])", views.text_of(html))

    intro = [(a, b) for a, b in zip(sentences(before["intro"]), sentences(after["intro"])) if a != b]
    assert len(intro) == 1 and "53 mio. kr. i 2022" in intro[0][0] and "54 mio. kr. i 2022" in intro[0][1]
    section = [(a, b) for a, b in zip(sentences(before["proposal:fleksjob-opfoelgning"]),
                                      sentences(after["proposal:fleksjob-opfoelgning"])) if a != b]
    assert len(section) == 2                                   # the facts line and "… 3,0 → 4,0 mio. kr. i 2022"
    assert any("4,0 mio. kr. i 2022" in b for _, b in section)
    assert any("2022: -4.000" in b for _, b in section)
    # the CSV: that line, the proposal and the total, in 2022 only
    csv_before, csv_after = views.overview_csv(before_cat), views.overview_csv(after_cat)
    moved = csv_before.compare(csv_after)
    assert set(moved.columns.get_level_values(0)) == {"effect_1000kr_2022"}
    assert sorted(csv_before.loc[moved.index, "row_type"]) == ["line", "proposal", "total"]
    assert set(csv_before.loc[moved.index, "proposal_id"].dropna()) == {"fleksjob-opfoelgning"}


# ------------------------------------------------------------------ texts from data are safe
def test_markdown_is_escaped(slagelse):
    p = slagelse.proposal("ungeindsats")
    sections = p.sections.model_copy(update={"baggrund": "**fed** <script>alert(1)</script>"})
    tampered = slagelse.model_copy(update={"proposals": [p.model_copy(update={"sections": sections})]})
    html = views.proposal_html(tampered, tampered.proposals[0], {})
    assert "<script>" not in html and "&lt;script&gt;" in html and "<strong>fed</strong>" in html


def test_markdown_tables_render(slagelse, context):
    html = views.proposal_html(slagelse, slagelse.proposal("kontaktforloeb-intensitet"), context("slagelse"))
    assert "<table>" in html and "<td>Færre på førtidspension</td>" in html


def test_generated_intro_without_text(slagelse):
    bare = slagelse.model_copy(update={"intro": None})
    text = views.text_of(views.intro_html(bare))
    assert text == "Kataloget rummer 11 forslag. Samlet giver de 11 forslag en besparelse på 53,0 mio. kr. i 2022."


def test_overview_csv_columns_never_empty(slagelse, naestved):
    for cat in (slagelse, naestved):
        frame = views.overview_csv(cat)
        assert frame.notna().any().all()
    assert "persons_2019" not in views.overview_csv(naestved).columns          # no person-based line in 2019
    assert "persons_2021" in views.overview_csv(naestved).columns              # forslag 5 and 8
    assert "scenario" not in views.overview_csv(slagelse).columns              # no scenarios
