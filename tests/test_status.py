"""Chapter 3 computed from the bundled data reproduces the published figures (seed 000 and 002)."""

from __future__ import annotations

import pandas as pd
import pytest

from servicetjek.chapters import status, status_views
from servicetjek.inputs import owndata
from servicetjek.inputs.taxonomy import load as load_taxonomy
from servicetjek.publish import formatting as fmt

TX = load_taxonomy()


def tables(p):
    mun = p.municipality
    years = mun.config.years.status
    shares = status.shares(p.annual, p.population, mun, TX, years[-1]).set_index("row_id")
    dev = status.development(p.annual, mun, TX, years).set_index("row_id")
    longrun = status.longrun(p.annual, mun)
    return mun, shares, dev, longrun


# Tabel 1, 2019, as printed in seed 000 (Slagelse, Vestsjælland, Klynge, Hele landet)
SLAGELSE_TABEL_1 = {
    "dagpenge": (2.2, 1.9, 2.3, 2.2), "kontanthjaelp": (3.0, 2.0, 2.3, 1.9),
    "kontanthjaelp/jobparat": (0.6, 0.6, 0.6, 0.5), "kontanthjaelp/aktivitetsparat": (2.4, 1.4, 1.7, 1.4),
    "uddannelseshjaelp": (1.5, 1.2, 1.2, 0.9), "uddannelseshjaelp/uddannelsesparat": (0.6, 0.5, 0.5, 0.4),
    "uddannelseshjaelp/aktivitetsparat": (0.9, 0.7, 0.7, 0.6), "selvforsoergelse": (0.5, 0.4, 0.5, 0.4),
    "sygedagpenge": (1.9, 2.1, 2.1, 1.9), "jobafklaring": (0.6, 0.6, 0.7, 0.6),
    "revalidering": (0.0, 0.2, 0.1, 0.1), "ressourceforloeb": (0.9, 0.7, 0.8, 0.6),
    "ledighedsydelse": (0.4, 0.6, 0.6, 0.4), "fleksjob": (1.9, 2.4, 2.9, 2.2),
    "foertidspension": (7.1, 7.3, 7.4, 5.7), "i_alt": (19.9, 19.5, 20.8, 17.1),
}


@pytest.mark.parametrize("row", list(SLAGELSE_TABEL_1))
def test_slagelse_tabel_1(prepared, row):
    mun, shares, _, _ = tables(prepared("slagelse"))
    columns = ["Slagelse", "Vestsjællandske kommuner", "Klynge", "Hele landet"]
    printed = tuple(float(fmt.number(shares.at[row, c], 1).replace(",", ".")) for c in columns)
    assert printed == SLAGELSE_TABEL_1[row]


def test_slagelse_tabel_2(prepared):
    _, _, dev, _ = tables(prepared("slagelse"))
    assert [dev.at["i_alt", y] for y in ("2017", "2018", "2019")] == [9702, 9617, 9743]
    assert fmt.change(dev.at["i_alt", "change_period"], 1) == "0,4\u00a0%"
    assert fmt.change(dev.at["i_alt", "change_latest"], 1) == "1,3\u00a0%"
    assert fmt.change(dev.at["kontanthjaelp", "change_period"]) == "-9\u00a0%"
    assert fmt.change(dev.at["jobafklaring", "change_period"]) == "29\u00a0%"
    assert fmt.change(dev.at["uddannelseshjaelp", "change_period"]) == "-0,4\u00a0%"
    assert fmt.change(dev.at["i_alt", "change_period Klynge"], 1) == "-1,4\u00a0%"
    assert fmt.change(dev.at["i_alt", "change_period Vestsjælland"], 1) == "-1,9\u00a0%"
    assert fmt.change(dev.at["revalidering", "change_period Klynge"]) == "-35\u00a0%"


def test_slagelse_longrun_gap(prepared):
    p = prepared("slagelse")
    mun, _, _, longrun = tables(p)
    gap = longrun["gap"].iloc[-1]
    assert gap == pytest.approx(200, abs=10)                  # "ca. 200 færre fuldtidspersoner"
    assert gap / 9743 == pytest.approx(0.02, abs=0.005)        # "svarende til et fald på 2 pct."
    weights = status.active_weights(p.annual, mun, TX, 2019)
    kroner = gap * status.weighted_cost(weights, owndata.cost_by_group(p.own["benefit_costs"]))
    assert kroner / 1e6 == pytest.approx(20, rel=0.05)        # "en mindredrift på ca. 20 mio. kr."
    assert longrun["year"].tolist() == list(range(2014, 2020))


NAESTVED_2018 = {"i_alt": (19.3, 19.5, 17.1), "dagpenge": (2.2, 2.3, 2.4), "kontanthjaelp": (2.1, 1.8, 2.0),
                 "sygedagpenge": (2.3, 2.2, 2.0), "fleksjob": (2.3, 2.8, 2.1), "foertidspension": (6.7, 6.8, 5.6),
                 "uddannelseshjaelp/uddannelsesparat": (0.6, 0.5, 0.4)}


@pytest.mark.parametrize("row", list(NAESTVED_2018))
def test_naestved_shares_2018(prepared, row):
    _, shares, _, _ = tables(prepared("naestved"))
    printed = tuple(float(fmt.number(shares.at[row, c], 1).replace(",", ".")) for c in
                    ("Næstved", "Klynge", "Hele landet"))
    assert printed == NAESTVED_2018[row]


def test_naestved_development_against_klynge(prepared):
    _, _, dev, longrun = tables(prepared("naestved"))
    assert fmt.change(dev.at["i_alt", "change_latest"], 1) == "-1,1\u00a0%"
    assert fmt.change(dev.at["i_alt", "change_period Klynge"], 1) == "-1,5\u00a0%"
    assert "change_period Vestsjælland" not in dev.columns      # no near labour market for Næstved
    assert list(longrun.columns)[2] == "Klynge"                 # Figur 1 falls back to the klynge


def test_key_sentences_from_numbers(prepared):
    p = prepared("slagelse")
    mun, shares, dev, longrun = tables(p)
    weights = status.active_weights(p.annual, mun, TX, 2019)
    kf = status.key_figures(shares.reset_index(), dev.reset_index(), longrun, mun,
                            status.weighted_cost(weights, owndata.cost_by_group(p.own["benefit_costs"])))
    from servicetjek import declaration

    parts = status_views.key_sentences(kf, shares.reset_index(), dev.reset_index(), mun, declaration.chapter("status"))
    text = " ".join(s for part in parts.values() for s in part)
    assert "I 2019 modtog gennemsnitligt 9.743 fuldtidspersoner" in text
    assert "steget med 126 fuldtidspersoner, eller 1,3 pct." in text
    assert "Af de 9.743 fuldtidspersoner i 2019 er ca. 6.300 i målgruppen" in text


def test_shares_use_population_of_members_only():
    """A comparison group's share is Σ members' persons ÷ Σ members' population, never the municipality's."""
    from servicetjek.inputs.municipality import ComparisonGroup, ComparisonGroups, KommuneConfig, Municipality

    cfg = KommuneConfig(name="A", area="A", report={"title": "t"}, national_forecast="f",
                        years={"status": [2018, 2019], "longrun_start": 2018, "scenario": [2020]},
                        provenance="constructed: test")
    groups = ComparisonGroups(groups=[ComparisonGroup(id="k", role="klynge", name="K", short_name="K",
                                                      members=["B", "C"], provenance="constructed: test")])
    mun = Municipality("a", None, cfg, groups)
    rows = []
    for area, fte in (("A", 10.0), ("B", 30.0), ("C", 10.0)):
        for g in TX.group_ids:
            rows.append((area, 2019, g, "", "fuldtidspersoner", fte if g != "i_alt" else fte * 11))
        for g in ("kontanthjaelp", "uddannelseshjaelp"):
            for s in ("jobparat", "aktivitetsparat", "uddannelsesparat"):
                rows.append((area, 2019, g, s, "fuldtidspersoner", 1.0))
    annual = pd.DataFrame(rows, columns=["area", "year", "benefit_group", "sub_group", "measure", "value"])
    pop = pd.DataFrame({"area": ["A", "B", "C"], "year": 2019, "age_band": "16-64", "persons": [100, 1000, 1000]})
    shares = status.shares(annual, pop, mun, TX, 2019).set_index("row_id")
    assert shares.at["dagpenge", "A"] == pytest.approx(10.0)
    assert shares.at["dagpenge", "K"] == pytest.approx(2.0)
