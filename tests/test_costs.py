"""Chapter 5, Omkostningseffektivitet: the published Tabel 3-5 and the Næstved unit-cost table are reproduced,
the layouts are chosen from the data, and the views print what the tables hold (Danish format)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from servicetjek.chapters import cost_views, costs
from servicetjek.inputs import owndata
from servicetjek.inputs.taxonomy import load as load_taxonomy
from servicetjek.publish import formatting as fmt

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


@pytest.fixture(scope="module")
def slagelse():
    return owndata.load_all(RAW / "slagelse")


@pytest.fixture(scope="module")
def naestved():
    return owndata.load_all(RAW / "naestved")


def cells(html: str) -> list[list[str]]:
    """The body rows of a rendered table as lists of cell texts (label first)."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)]


def row_of(html: str, label: str) -> list[str]:
    for row in cells(html):
        if row[0] == label:
            return [c.replace(NBSP, " ") for c in row]
    raise KeyError(label)


# ------------------------------------------------------------------ Tabel 3
def test_slagelse_tabel3(slagelse, tax):
    t = costs.cost_totals(slagelse, tax).set_index("row_id")
    assert t.at["samlet", "full_time_persons"] == 6243
    assert t.at["samlet", "expenses_1000kr"] == 157242
    assert t.at["konto_5", "expenses_1000kr"] == 103678 and t.at["konto_6", "expenses_1000kr"] == 53564
    assert fmt.number(t.at["konto_5", "share_pct"]) == "66" and fmt.number(t.at["konto_6", "share_pct"]) == "34"
    assert fmt.number(t.at["dagpenge", "share_pct"], 1) == "13,4"
    assert t.at["dagpenge", "others_share_pct"] == 18.6 and t.at["konto_5", "others_share_pct"] == 58
    assert list(t.index[:12]) == [g.id for g in tax.target_groups if g.id != "ledighedsydelse"]
    html = cost_views.cost_totals_table(costs.cost_totals(slagelse, tax), 3, "Slagelse", 2019, "Kilde")
    assert "Tabel 3:" in html and "Øvrige jobcentre" in html
    assert row_of(html, "Samlet")[1:] == ["6.243", "157.242", "100,0 %", "100,0 %"]
    assert row_of(html, "Konto 5")[1:] == ["", "103.678", "66 %", "58 %"]
    assert row_of(html, "Konto 6")[1:] == ["", "53.564", "34 %", "42 %"]
    assert row_of(html, "Dagpenge")[1:] == ["1.071", "21.112", "13,4 %", "18,6 %"]


def test_naestved_tabel3_without_published_shares(naestved, tax):
    t = costs.cost_totals(naestved, tax)
    assert "others_share_pct" not in t.columns
    html = cost_views.cost_totals_table(t, 3, "Næstved", 2018, "Kilde")
    assert "Øvrige jobcentre" not in html and len(row_of(html, "Samlet")) == 4


# ------------------------------------------------------------------ Tabel 4
def test_slagelse_tabel4(slagelse, tax):
    u = costs.unit_costs(slagelse, tax)
    assert costs.choose_layout(slagelse["unit_costs"]) == "summary"   # the others' values are constructed
    html = cost_views.unit_cost_table(u, 4, "Slagelse", 2019, "summary", source="Kilde")
    assert row_of(html, "Dagpenge")[1:] == ["19,7", "17,7", "30,2", "24,3", "-19 %"]
    assert row_of(html, "Samlet")[1:] == ["25,2", "23,6", "39,5", "30,4", "-17 %"]
    assert row_of(html, "Jobafklaring")[1:] == ["41,2", "23,2", "65,1", "34,8", "+18 %"]
    assert row_of(html, "- heraf ledelse/teamledelse")[-1] == "-55 %"
    assert row_of(html, "Samlet ekskl. puljer")[1:] == ["25,2", "23,4", "39,5", "30,0", "-16 %"]
    assert "Gennemsnit (ekskl. Slagelse)" in html and "Kommune 7" not in html
    by = u.set_index("row_id")
    assert by.at["dagpenge", "kommune_1000kr"] == pytest.approx(21112 / 1071)
    assert list(u["row_type"]).count("sub") == 3 and list(u["row_type"]).count("total") == 2


def test_naestved_all_jobcentres(naestved, tax):
    assert costs.choose_layout(naestved["unit_costs"]) == "all"       # every jobcentre is published
    u = costs.unit_costs(naestved, tax)
    centres = [c for c in u.columns if c.startswith("unit_cost_1000kr_")]
    assert [c.removeprefix("unit_cost_1000kr_") for c in centres] == [f"Kommune {i}" for i in range(2, 14)]
    samlet = u.set_index("row_id").loc["samlet"]
    # the average is the unweighted mean of the other twelve, the municipality excluded
    assert samlet["mean_others_1000kr"] == pytest.approx(sum(samlet[c] for c in centres) / 12)
    assert samlet["others_count"] == 12
    html = cost_views.unit_cost_table(u, 4, "Næstved", 2018, "all", source="Kilde")
    row = row_of(html, "Samlet")
    assert row[1] == "23,2" and row[-2] == "32,8" and row[-1] == "-29 %"
    assert row[2:14] == ["28,7", "30,3", "30,4", "31,0", "32,6", "33,8", "32,9", "38,0", "39,9", "31,9", "33,1",
                         "31,2"]
    assert "Gennemsnit (øvrige jobcentre)" in html
    # either layout can be asked for
    assert "Kommune med laveste enhedsomk." in cost_views.unit_cost_table(u, 4, "Næstved", 2018, "summary", source="K")
    with pytest.raises(ValueError):
        costs.choose_layout(naestved["unit_costs"], "side-by-side")


# ------------------------------------------------------------------ Figur 4 and 5
def test_deviation_figure(slagelse, tax):
    u = costs.unit_costs(slagelse, tax)
    fig = cost_views.deviation_figure(u, "Slagelse")
    ax = fig.axes[0]
    assert len(ax.patches) == 13                                # 12 target groups + Samlet
    labels = [t.get_text() for t in ax.texts]
    assert f"-17{NBSP}%" in labels and f"+18{NBSP}%" in labels
    fig.canvas.draw()
    assert any(t.get_text().replace(NBSP, " ") == "-20 %" for t in ax.get_xticklabels())
    html = cost_views.deviation_block(u, 4, "Slagelse", "Kilde")
    assert "Figur 4:" in html and "<svg" in html


def test_composition(slagelse, naestved):
    comp = costs.composition(slagelse).set_index("activity")
    # Figur 5 text: casework 9 pp below the comparison, employment offers 53 % and 4 pp above
    assert fmt.number(comp.at["kontaktforloeb", "difference_pct_points"]) == "-9"
    assert fmt.number(comp.at["tilbud", "kommune_share_pct"]) == "53"
    assert fmt.number(comp.at["tilbud", "difference_pct_points"]) == "4"
    assert comp["kommune_share_pct"].sum() == pytest.approx(100)
    assert "others_share_pct" not in costs.composition(naestved).columns
    fig = cost_views.composition_figure(costs.composition(naestved), "Næstved")
    assert len(fig.axes[0].patches) == 5


# ------------------------------------------------------------------ Tabel 5
def test_exit_rates(slagelse, naestved, tax):
    r = costs.exit_rates(slagelse, tax)
    assert list(r["row_id"][-4:]) == ["i_alt", "syg_jobafklaring", "udh_i_alt", "kth_i_alt"]
    assert {"kommune_pct", "klynge_ekskl_pct", "naert_ekskl_pct"} <= set(r.columns)
    headers = {"kommune_pct": "Afgangsrate", "klynge_ekskl_pct": "Klynge ekskl. Slagelse",
               "naert_ekskl_pct": "Vestsjælland ekskl. Slagelse"}
    html = cost_views.exit_rates_table(r, 5, headers, 2019, "Kilde")
    assert row_of(html, "Dagpenge")[1:] == ["35,3 %", "35,8 %", "36,9 %"]
    assert row_of(html, "KTH i alt")[1:] == ["7,0 %", "8,4 %", "9,0 %"]
    n = costs.exit_rates(naestved, tax)
    assert "naert_ekskl_pct" not in n.columns                   # Næstved has no near labour market
    assert len(row_of(cost_views.exit_rates_table(n, 5, headers, 2018, "K"), "I alt")) == 3


def test_exit_rate_headers_from_comparison_groups():
    from servicetjek.inputs import municipality

    headers = cost_views.exit_rate_headers(municipality.load("slagelse"))
    assert headers["klynge_ekskl_pct"] == "Klynge ekskl. Slagelse"
    assert headers["naert_ekskl_pct"] == "Vestsjælland ekskl. Slagelse"


# ------------------------------------------------------------------ Figur 6
def test_cost_vs_effect(slagelse, naestved, tax):
    b = costs.cost_vs_effect(slagelse, tax, ["revalidering"]).set_index("target_group")
    assert not b.at["revalidering", "included"] and b["included"].sum() == len(b) - 1
    assert b.at["ledighedsydelse", "unit_cost_row"] == "fleksjob_ledighedsydelse"
    assert b.at["ledighedsydelse", "full_time_persons"] == 1094
    assert b.at["jobafklaring", "quadrant"] == "hoej_omkostning_hoej_afgang"
    assert b.at["int_jobparat", "quadrant"] == "hoej_omkostning_hoej_afgang"
    assert b.at["ressourceforloeb", "quadrant"] == "lav_omkostning_hoej_afgang"
    assert b.at["dagpenge", "quadrant"] == "lav_omkostning_lav_afgang"
    assert b.at["dagpenge", "unit_cost_deviation_pct"] == pytest.approx(
        (21112 / 1071 / 24.3 - 1) * 100)
    assert b.at["ressourceforloeb", "exit_deviation_pct"] == pytest.approx(50.0)
    points = costs.cost_vs_effect(slagelse, tax, (), "points").set_index("target_group")
    assert points["included"].all() and points.at["ressourceforloeb", "y_pct"] == pytest.approx(0.7)
    with pytest.raises(ValueError):
        costs.cost_vs_effect(slagelse, tax, ["borgerloen"])
    # Næstved: the slide's reading (good results at low cost for dagpenge, ledighedsydelse, ressourceforløb;
    # high cost and low exit for revalidering and aktivitetsparate integrationsydelsesmodtagere)
    n = costs.cost_vs_effect(naestved, tax, []).set_index("target_group")
    assert {g for g in n.index if n.at[g, "quadrant"] == "lav_omkostning_hoej_afgang"} == \
        {"dagpenge", "ledighedsydelse", "ressourceforloeb"}
    assert {g for g in n.index if n.at[g, "quadrant"] == "hoej_omkostning_lav_afgang"} == \
        {"revalidering", "int_aktivitetsparat"}


def test_bubble_figure(slagelse, tax):
    b = costs.cost_vs_effect(slagelse, tax, ["revalidering"])
    fig = cost_views.bubble_figure(b, "Slagelse")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    for label in cost_views.QUADRANT_LABELS.values():
        assert label in texts
    assert "Ressourceforløb" in texts and "Revalidering" not in texts
    assert len(ax.collections) == b["included"].sum()
    html = cost_views.bubble_block(b, 6, "Slagelse", "Kilde")
    assert "Revalidering indgår ikke i figuren" in html
    assert "For ledighedsydelse er enhedsomkostningen for fleksjob og ledighedsydelse brugt" in html


# ------------------------------------------------------------------ sentences and CSV
def key_figures(own, tax, name, year):
    totals, unit, comp = costs.cost_totals(own, tax), costs.unit_costs(own, tax), costs.composition(own)
    rates, bubbles = costs.exit_rates(own, tax), costs.cost_vs_effect(own, tax, ["revalidering"])
    return costs.key_figures(dict(totals=totals, unit=unit, composition=comp, exit_rates=rates, bubbles=bubbles),
                             name, year)


def _ch():
    from servicetjek import declaration

    return declaration.chapter("omkostninger")


def test_key_sentences_slagelse(slagelse, tax):
    kf = key_figures(slagelse, tax, "Slagelse", 2019)
    text = cost_views.key_sentences(kf, _ch())
    joined = " ".join(s for part in text.values() for s in part)
    assert "samlet ca. 157 mio. kr." in joined and "6.243 fuldtidspersoner" in joined
    assert "66 pct." in joined and "34 pct." in joined
    assert "25.200 kr." in joined and "30.400 kr." in joined and "17 pct. lavere" in joined
    assert "et gennemsnit i 12 andre jobcentre" in joined and "sammenlignet med 12 andre jobcentre" in joined
    assert "Kun for integrationsydelse under int.program jobparat, revalidering og jobafklaring" in joined
    assert "9 procentpoint under" in joined and "53 pct." in joined and "4 procentpoint over" in joined
    # Tabel 5 read as the reference report reads it
    assert set(kf.exit_better) == {"Uddannelseshjælp mv. aktivitetsparat", "Integrationsydelse under int.program jobparat",
                                   "Integrationsydelse under int.program aktivitetsparat", "Revalidering",
                                   "Sygedagpenge", "Ressourceforløb"}
    assert set(kf.exit_worse) == {"Uddannelseshjælp mv. uddannelsesparat", "Ledighedsydelse"}
    assert kf.excluded == ["Revalidering"]


def test_key_sentences_naestved(naestved, tax):
    kf = key_figures(naestved, tax, "Næstved", 2018)
    joined = " ".join(s for part in cost_views.key_sentences(kf, _ch()).values() for s in part)
    assert "23.200 kr." in joined and "32.800 kr." in joined and "29 pct. lavere" in joined
    assert "de laveste enhedsomkostninger af de 13 jobcentre" in joined and kf.unit_rank == 1
    assert "procentpoint" not in joined                          # no published composition to compare with


def test_csv_tables(slagelse, tax, tmp_path):
    from servicetjek.publish import report

    frames = {"cost_totals": costs.cost_totals(slagelse, tax), "cost_unit": costs.unit_costs(slagelse, tax),
              "cost_composition": costs.composition(slagelse), "exit_rates": costs.exit_rates(slagelse, tax),
              "cost_vs_effect": costs.cost_vs_effect(slagelse, tax, ["revalidering"])}
    for name, frame in frames.items():
        report.write_table(frame, "slagelse", name, tmp_path)
    unit = pd.read_csv(tmp_path / "cost_unit.csv")
    assert {"row_id", "kommune_1000kr", "lowest_other_1000kr", "highest_other_1000kr", "mean_others_1000kr",
            "deviation_pct", "unit_cost_1000kr_Kommune 2"} <= set(unit.columns)
    # full precision, not the rounded display
    assert unit.set_index("row_id").at["samlet", "kommune_1000kr"] == pytest.approx(157242 / 6243, abs=1e-6)
    totals = pd.read_csv(tmp_path / "cost_totals.csv")
    assert list(totals.columns) == ["row_id", "label", "row_type", "full_time_persons", "expenses_1000kr",
                                    "share_pct", "others_share_pct"]
    bubbles = pd.read_csv(tmp_path / "cost_vs_effect.csv")
    assert {"unit_cost_deviation_pct", "exit_deviation_pct", "full_time_persons", "quadrant", "included"} <= \
        set(bubbles.columns)


def test_csv_columns_never_empty(slagelse, naestved, tax):
    """A column that a review cannot fill (e.g. Næstved publishes no comparison shares) is left out."""
    for own in (slagelse, naestved):
        for frame in (costs.cost_totals(own, tax), costs.unit_costs(own, tax), costs.composition(own),
                      costs.exit_rates(own, tax), costs.cost_vs_effect(own, tax, ["revalidering"])):
            assert len(frame) > 0 and frame.notna().any().all()


@pytest.mark.parametrize("value, expected", [(["revalidering"], ["revalidering"]), ("[]", []), ("", []),
                                             ("revalidering, ressourceforloeb", ["revalidering", "ressourceforloeb"]),
                                             ('["revalidering"]', ["revalidering"]), (None, [])])
def test_exclude_parameter_forms(value, expected):
    assert costs.as_ids(value) == expected
