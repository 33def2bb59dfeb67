"""Chapter 4: the national-forecast path, the favourable path and the potential (seed 000, chapter 4)."""

from __future__ import annotations

import pandas as pd
import pytest

from servicetjek.chapters import scenarios, status
from servicetjek.inputs import owndata
from servicetjek.inputs.taxonomy import load as load_taxonomy

TX = load_taxonomy()


def run(p, **overrides):
    mun = p.municipality
    years = mun.config.years
    changes = scenarios.forecast_changes(p.own["national_forecast"], mun.config.national_forecast, years.scenario)
    gap = float(status.longrun(p.annual, mun)["gap"].iloc[-1])
    a = scenarios.Assumptions(forecast=changes, gap_persons=gap, **overrides)
    budget = scenarios.budget_by_group(p.own["budget"])
    weights = status.active_weights(p.annual, mun, TX, years.latest)
    costs = owndata.cost_by_group(p.own["benefit_costs"])
    fte = p.annual[(p.annual["area"] == mun.config.area) & (p.annual["year"] == years.latest)
                   & (p.annual["benefit_group"] == "i_alt") & (p.annual["sub_group"] == "")
                   & (p.annual["measure"] == "fuldtidspersoner")]["value"].iloc[0]
    paths = scenarios.paths(fte, years.latest, budget, weights, a).set_index("year")
    potential = scenarios.potential(budget, weights, costs, a).set_index("year")
    return a, budget, weights, costs, paths, potential


def test_slagelse_national_forecast_path(prepared):
    *_, paths, _ = run(prepared("slagelse"))
    assert paths.at[2020, scenarios.NATIONAL] == pytest.approx(10918, rel=0.005)
    assert paths.at[2021, scenarios.NATIONAL] == pytest.approx(10870, rel=0.005)


def test_slagelse_budget_and_favourable_paths(prepared):
    *_, paths, _ = run(prepared("slagelse"))
    assert paths.at[2020, scenarios.BUDGET] == pytest.approx(10733)
    assert paths.at[2020, scenarios.FAVOURABLE] == pytest.approx(10733)
    assert paths.at[2021, scenarios.FAVOURABLE] == pytest.approx(10733 * 0.996)


def test_slagelse_potential_2022(prepared):
    *_, potential = run(prepared("slagelse"))
    assert potential.at[2022, "persons"] == pytest.approx(740, rel=0.05)
    assert potential.at[2022, "kr"] / 1e6 == pytest.approx(58, rel=0.05)


def test_potential_scales_with_gap_closed(prepared):
    p = prepared("slagelse")
    a, budget, weights, costs, _, full = run(p)
    *_, half = run(p, gap_closed=0.5)
    assert full.at[2022, "persons"] - half.at[2022, "persons"] == pytest.approx(a.gap_persons / 2)


def test_sensitivity_orders_variants(prepared):
    a, budget, weights, costs, _, potential = run(prepared("slagelse"))
    sens = scenarios.sensitivity(budget, weights, costs, a, 0.01)
    central = sens[(sens["growth_shift"] == 0) & (sens["gap_closed"] == 1.0)]["persons"].iloc[0]
    assert central == pytest.approx(potential.at[2022, "persons"])
    low = sens[(sens["growth_shift"] < 0) & (sens["gap_closed"] == 1.0)]["persons"].iloc[0]
    high = sens[(sens["growth_shift"] > 0) & (sens["gap_closed"] == 1.0)]["persons"].iloc[0]
    assert low > central > high
    assert len(sens) == 6


def test_forecast_must_cover_scenario_years():
    fc = pd.DataFrame({"forecast_id": ["x"], "from_year": [2019], "to_year": [2020], "change_pct": [12.0]})
    with pytest.raises(KeyError, match="2021"):
        scenarios.forecast_changes(fc, "x", [2020, 2021])


def test_favourable_path_by_hand():
    budget = pd.DataFrame({"a": [100.0, 110.0], "b": [50.0, 60.0]}, index=[2020, 2021])
    weights = pd.Series({"a": 0.75, "b": 0.25})
    a = scenarios.Assumptions(forecast={2020: 0.1, 2021: -0.1}, gap_persons=8)
    fav = scenarios.favourable_by_group(budget, weights, a)
    assert fav.loc[2021, "a"] == pytest.approx(100 * 0.9 - 6)
    assert fav.loc[2021, "b"] == pytest.approx(50 * 0.9 - 2)
    pot = scenarios.potential(budget, weights, pd.Series({"a": 1000.0, "b": 2000.0}), a).set_index("year")
    assert pot.at[2021, "persons"] == pytest.approx(170 - (150 * 0.9 - 8))
    assert pot.at[2021, "kr"] == pytest.approx((110 - 84) * 1000 + (60 - 43) * 2000)
