"""Chapter 4, Scenarier: the budget path, the national forecast and the favourable catch-up path.

Per group g and forecast change f_y (from year y-1 to y):
- budget path: the municipality's own budget assumptions;
- national path: the latest actual total × Π(1 + f_y);
- favourable path: the budget's first year, then the national change each
  year, and in the last year minus the long-run gap (× the share of it that is
  closed), spread over the active groups by the municipality's latest mix.
Potential_g = budget_g − favourable_g in the last year; money = Σ potential_g × cost_g.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

BUDGET = "Budgetforudsætninger"
NATIONAL = "National prognose"
FAVOURABLE = "Gunstigt scenarie"
ACTUAL = "Faktisk"


@dataclass(frozen=True)
class Assumptions:
    """Every scenario assumption a consultant may change (notebook parameters)."""

    forecast: dict[int, float]          # year -> change from the year before (ratio, e.g. 0.12)
    gap_persons: float                  # the long-run gap to the comparison group
    gap_closed: float = 1.0             # share of the gap closed by the last year
    growth_shift: float = 0.0           # added to every forecast change (sensitivity)

    def change(self, year: int) -> float:
        return self.forecast.get(year, 0.0) + self.growth_shift


def forecast_changes(national_forecast: pd.DataFrame, forecast_id: str, years: list[int]) -> dict[int, float]:
    """The forecast's change into each scenario year, as a ratio; a year it does not cover is an error."""
    rows = national_forecast[national_forecast["forecast_id"] == forecast_id]
    changes = {int(r.to_year): float(r.change_pct) / 100 for r in rows.itertuples()}
    missing = [y for y in years if y not in changes]
    if missing:
        raise KeyError(f"forecast {forecast_id!r} has no change into {missing}")
    return {y: changes[y] for y in years}


def budget_by_group(budget: pd.DataFrame) -> pd.DataFrame:
    """year × benefit_group table of the budget assumptions."""
    return budget.pivot_table(index="year", columns="benefit_group", values="full_time_persons", aggfunc="sum")


def favourable_by_group(budget_groups: pd.DataFrame, weights: pd.Series, a: Assumptions) -> pd.DataFrame:
    """The favourable path per group (years as in the budget)."""
    years = list(budget_groups.index)
    rows = {years[0]: budget_groups.loc[years[0]]}
    for prev, year in zip(years, years[1:]):
        rows[year] = rows[prev] * (1 + a.change(year))
    fav = pd.DataFrame(rows).T
    cut = (weights * a.gap_persons * a.gap_closed).reindex(fav.columns).fillna(0.0)
    fav.loc[years[-1]] = fav.loc[years[-1]] - cut
    return fav


def paths(actual_total: float, latest_year: int, budget_groups: pd.DataFrame, weights: pd.Series,
          a: Assumptions) -> pd.DataFrame:
    """Figur 2's paths: one row per year (the latest actual year first), one column per scenario."""
    years = list(budget_groups.index)
    national = [actual_total]
    for year in years:
        national.append(national[-1] * (1 + a.change(year)))
    fav = favourable_by_group(budget_groups, weights, a).sum(axis=1)
    out = pd.DataFrame({
        "year": [latest_year] + years,
        BUDGET: [actual_total] + list(budget_groups.sum(axis=1)),
        NATIONAL: national,
        FAVOURABLE: [actual_total] + list(fav),
    })
    return out


def potential(budget_groups: pd.DataFrame, weights: pd.Series, costs: pd.Series, a: Assumptions) -> pd.DataFrame:
    """The potential per year: budget − favourable, in persons and in kr."""
    fav = favourable_by_group(budget_groups, weights, a)
    diff = budget_groups - fav
    missing = sorted(set(diff.columns) - set(costs.index))
    if missing:
        raise KeyError(f"benefit costs missing for {missing}")
    kroner = (diff * costs.reindex(diff.columns)).sum(axis=1)
    return pd.DataFrame({"year": list(diff.index), "persons": list(diff.sum(axis=1)), "kr": list(kroner)})


def sensitivity(budget_groups: pd.DataFrame, weights: pd.Series, costs: pd.Series, a: Assumptions,
                growth_delta: float, gap_variants: tuple[float, ...] = (0.5, 1.0)) -> pd.DataFrame:
    """The last year's potential under low/high national growth and the gap closed in part or whole."""
    rows = []
    last = budget_groups.index[-1]
    for shift_label, shift in (("lav vækst", -growth_delta), ("central", 0.0), ("høj vækst", growth_delta)):
        for closed in gap_variants:
            variant = replace(a, growth_shift=a.growth_shift + shift, gap_closed=closed)
            pot = potential(budget_groups, weights, costs, variant).set_index("year").loc[last]
            fav_total = favourable_by_group(budget_groups, weights, variant).sum(axis=1).loc[last]
            rows.append({"variant": f"{shift_label}, gab lukket {closed:.0%}",
                         "growth_shift": shift, "gap_closed": closed, "year": int(last),
                         "favourable": float(fav_total), "persons": float(pot["persons"]), "kr": float(pot["kr"])})
    return pd.DataFrame(rows)


def favourable_band(run: "Run", latest_year: int, growth_delta: float,
                    gap_variants: tuple[float, ...] = (0.5, 1.0)) -> pd.DataFrame:
    """Lowest and highest favourable path per year over the sensitivity variants (Figur 2's band)."""
    a, actual_total, budget_groups, weights = run.assumptions, run.actual, run.budget, run.weights
    variants = [replace(a, growth_shift=a.growth_shift + shift, gap_closed=closed)
                for shift in (-growth_delta, 0.0, growth_delta) for closed in gap_variants]
    runs = pd.DataFrame({i: paths(actual_total, latest_year, budget_groups, weights, v)[FAVOURABLE]
                         for i, v in enumerate(variants)})
    years = [latest_year] + list(budget_groups.index)
    return pd.DataFrame({"year": years, "low": runs.min(axis=1).values, "high": runs.max(axis=1).values})


@dataclass(frozen=True)
class Run:
    """The scenario chapter's results for one set of assumptions."""

    assumptions: Assumptions
    budget: pd.DataFrame
    weights: pd.Series
    actual: float
    paths: pd.DataFrame
    potential: pd.DataFrame


def latest_total(annual: pd.DataFrame, area: str, year: int) -> float:
    """The area's full-time persons on all benefits ('I alt') in a year."""
    return float(annual[(annual["area"] == area) & (annual["year"] == year) & (annual["benefit_group"] == "i_alt")
                        & (annual["sub_group"] == "") & (annual["measure"] == "fuldtidspersoner")]["value"].iloc[0])


def standard(inp, forecast: dict[int, float] | None = None, gap_persons: float = -1.0,
             gap_closed: float = 1.0) -> Run:
    """The scenarios from a municipality's prepared inputs: the national forecast it names (unless
    `forecast` is given) and the long-run gap of chapter 3 (unless `gap_persons` ≥ 0)."""
    from servicetjek.chapters import status

    mun, yrs = inp.municipality, inp.municipality.config.years
    changes = forecast or forecast_changes(inp.national_forecast, mun.config.national_forecast, yrs.scenario)
    gap = gap_persons if gap_persons >= 0 else float(status.longrun(inp.annual, mun)["gap"].iloc[-1])
    gap = max(gap, 0.0)     # a municipality that did better than its comparison group has no gap to close
    a = Assumptions(forecast=changes, gap_persons=gap, gap_closed=gap_closed)
    budget = budget_by_group(inp.own["budget"])
    weights = status.active_weights(inp.annual, mun, inp.taxonomy, yrs.latest)
    actual = latest_total(inp.annual, mun.config.area, yrs.latest)
    return Run(a, budget, weights, actual, paths(actual, yrs.latest, budget, weights, a),
               potential(budget, weights, inp.benefit_costs, a))


def budget_drivers(run: Run, annual: pd.DataFrame, area: str, names: dict[str, str]) -> pd.DataFrame:
    """What drives the budget path: each group's full-time persons in the latest actual year and in the last
    budget year, and the change, largest first (Figur 3)."""
    latest = int(run.budget.index[0]) - 1
    rows = annual[(annual["area"] == area) & (annual["year"] == latest) & (annual["sub_group"] == "")
                  & (annual["measure"] == "fuldtidspersoner")].set_index("benefit_group")["value"]
    last = run.budget.iloc[-1]
    out = pd.DataFrame({"benefit_group": list(last.index),
                        "label": [names.get(g, g) for g in last.index],
                        "actual": [float(rows.get(g, float("nan"))) for g in last.index],
                        "budget": [float(v) for v in last.values]})
    out["change"] = out["budget"] - out["actual"]
    out.insert(1, "actual_year", latest)
    out.insert(2, "budget_year", int(run.budget.index[-1]))
    return out.sort_values("change", key=abs, ascending=False, ignore_index=True)
