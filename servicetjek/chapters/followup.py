"""The follow-up report (kind `opfoelgning`): pure functions from the monthly extracts.

- the scoreboard: per goal, over the latest 12 months, the share of the population 16-64 for the
  municipality and landsplan, the development against the 12 months before, the deviation in
  procentpoint, and the direction against the same figures one month earlier;
- the months against the budget path and the favourable scenario path of the servicetjek;
- the catalogue's effect lines (persons per group per year) against what happened in those groups.
"""

from __future__ import annotations

import pandas as pd

from servicetjek import config

MONTHS = 12
STEADY = 0.05          # procentpoint: a change in the performance smaller than this is "uændret"


def goal_series(monthly: pd.DataFrame, goal, area: str) -> pd.Series:
    """The goal's measure month by month (full-time persons), indexed by period."""
    rows = monthly[monthly["area"] == area]
    wide = rows.pivot_table(index="period", columns="benefit_group", values="value", aggfunc="sum")
    total = wide["i_alt"] if goal.measure.groups == "all" else wide[list(goal.measure.groups)].sum(axis=1)
    if goal.measure.minus:
        total = total - wide[list(goal.measure.minus)].sum(axis=1)
    return total.sort_index()


def _window(series: pd.Series, end: str, offset: int = 0) -> pd.Series:
    periods = list(series.index)
    stop = periods.index(end) + 1 - offset
    if stop - MONTHS < 0:
        raise ValueError(f"for få måneder før {end}")
    return series.iloc[stop - MONTHS:stop]


def share(series: pd.Series, population: pd.DataFrame, area: str, end: str) -> float:
    """Mean share (per cent of the population 16-64) over the 12 months ending `end`."""
    window = _window(series, end)
    pop = population[population["area"] == area].set_index("year")["persons"]
    return float((window / [pop[int(p[:4])] for p in window.index]).mean() * 100)


def development(series: pd.Series, end: str) -> float:
    """Change of the 12-month mean ending `end` against the 12 months before it (ratio)."""
    return float(_window(series, end).mean() / _window(series, end, MONTHS).mean() - 1)


def previous_period(periods: list[str], end: str) -> str:
    return periods[periods.index(end) - 1]


def scoreboard(fu, area: str, end: str | None = None) -> pd.DataFrame:
    """One row per goal (see the module docstring). `performance` > 0: better than landsplan."""
    end = end or fu.periods[-1]
    prev = previous_period(fu.periods, end)
    rows = []
    for number, goal in enumerate(fu.goals, 1):
        own, land = (goal_series(fu.monthly, goal, a) for a in (area, config.NATIONAL_AREA))
        sign = -1 if goal.good == "ned" else 1

        def perf(at: str, own=own, land=land, sign=sign) -> float:
            return sign * 100 * (development(own, at) - development(land, at))

        now, before = perf(end), perf(prev)
        moved = now - before
        rows.append({
            "goal_id": goal.id, "number": number, "goal": goal.short, "good": goal.good,
            "share_kommune": share(own, fu.population, area, end),
            "share_land": share(land, fu.population, config.NATIONAL_AREA, end),
            "development_kommune": development(own, end), "development_land": development(land, end),
            "deviation_pp": 100 * (development(own, end) - development(land, end)),
            "performance": now, "performance_prev": before,
            "direction": "bedre" if moved > STEADY else "dårligere" if moved < -STEADY else "uændret",
            "end": end,
        })
    out = pd.DataFrame(rows)
    out["share_deviation_pp"] = out["share_kommune"] - out["share_land"]
    return out


# ------------------------------------------------------------------ budget and scenario paths
def actual_by_group(monthly: pd.DataFrame, area: str, years: list[int]) -> pd.DataFrame:
    """period × benefit group full-time persons of the municipality in the given years."""
    rows = monthly[(monthly["area"] == area) & monthly["year"].isin(years) & (monthly["benefit_group"] != "i_alt")]
    return rows.pivot_table(index="period", columns="benefit_group", values="value", aggfunc="sum").sort_index()


def months_against_paths(actual: pd.DataFrame, budget: pd.DataFrame, favourable: pd.DataFrame) -> pd.DataFrame:
    """Month by month: actual full-time persons, the budget path and the favourable path (each year's
    level held through its months)."""
    years = [int(p[:4]) for p in actual.index]
    return pd.DataFrame({
        "period": list(actual.index), "year": years,
        "actual": list(actual.sum(axis=1)),
        "budget": [float(budget.loc[y].sum()) for y in years],
        "favourable": [float(favourable.loc[y].sum()) for y in years],
    })


def gap_to_date(actual: pd.DataFrame, path: pd.DataFrame, costs: pd.Series) -> pd.DataFrame:
    """Per year: months so far, the mean actual and path (full-time persons), the gap (actual − path) in
    persons, and in kr for the months so far (Σ groups gap × net cost × months / 12). Positive: more
    persons and more cost than the path."""
    rows = []
    for year, frame in actual.groupby(lambda p: int(p[:4])):
        months = len(frame)
        mean = frame.mean()
        gap = mean - path.loc[year].reindex(mean.index)
        rows.append({"year": year, "months": months, "actual": float(mean.sum()),
                     "path": float(path.loc[year].sum()), "gap_persons": float(gap.sum()),
                     "gap_kr": float((gap * costs.reindex(gap.index)).sum() * months / MONTHS)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ the catalogue as targets
def proposal_targets(catalogue, actual: pd.DataFrame, budget: pd.DataFrame) -> pd.DataFrame:
    """One row per effect line with persons in a year the months cover: the line's persons and kr, the
    group's actual deviation from the budget path that year, and på sporet/bagud. The lines of all
    proposals on one group and year are judged together: on track when the group has moved at least as
    far from the budget, in the lines' direction, as the lines together expect."""
    from servicetjek.inputs.catalogue import line_effects

    means = actual.groupby(lambda p: int(p[:4])).mean()
    lines = []
    for proposal in catalogue.proposals:
        for eff in line_effects(catalogue, proposal):     # persons signed: negative = fewer on the group
            if not eff.in_total:
                continue
            for year, persons in eff.persons.items():
                if year in means.index and eff.group in means.columns:
                    lines.append({"proposal": proposal.number, "proposal_id": proposal.id,
                                  "title": proposal.label, "line": eff.label, "group": eff.group,
                                  "year": int(year), "persons": float(persons),
                                  "amount_1000kr": float(eff.amounts.get(year, 0.0))})
    out = pd.DataFrame(lines, columns=["proposal", "proposal_id", "title", "line", "group", "year", "persons",
                                       "amount_1000kr"])
    if out.empty:
        return out.assign(expected=[], happened=[], status=[])
    out["expected"] = out.groupby(["group", "year"])["persons"].transform("sum")
    out["happened"] = [float(means.loc[y, g] - budget.loc[y, g]) for g, y in zip(out["group"], out["year"])]
    out["status"] = ["på sporet" if (e < 0 and h <= e) or (e > 0 and h >= e) else "bagud"
                     for e, h in zip(out["expected"], out["happened"])]
    return out
