"""The benchmark chapter: STAR's benchmark (y30r21), faktisk against forventet andel på offentlig forsørgelse.

Pure functions: the wide benchmark table (inputs/benchmark_extract.py; one row per area, period and group,
with forventet, faktisk, forskel, forventet_andel, faktisk_andel, forskel_pp, placering) in, tables out.

- Forskel = faktisk minus forventet: positive means more on benefits than the municipality's framework
  conditions (rammevilkår) lead one to expect. Rank 1 = the lowest forskel in pct.-points.
- Forskel in kr = forskel in persons x the net benefit cost per full-time person of the benefits the
  group covers (benefit_costs.csv), weighted by the municipality's full-time persons in those benefits in
  its latest status year; "I alt" is the sum of the broad groups (or, without them, the forskel times the
  weighted cost of the active target groups).
- What it takes to reach a target share: the persons the actual number must fall by (population base
  = faktisk / faktisk andel), and the rank the municipality would then have, the others unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from servicetjek.chapters import status
from servicetjek.inputs.municipality import Municipality
from servicetjek.inputs.taxonomy import Taxonomy

TOTAL = "i_alt"


def period_key(period: str) -> tuple[int, int]:
    """'2020QMAT04' -> (2020, 4); '2020' -> (2020, 4)."""
    year, _, quarter = str(period).partition("QMAT")
    return int(year), int(quarter or 4)


def period_label(period: str) -> str:
    """'2020QMAT04' -> '1. kvt. 2020 – 4. kvt. 2020' (the 12 months up to the quarter)."""
    year, quarter = period_key(period)
    start_q, start_y = (quarter % 4) + 1, year if quarter == 4 else year - 1
    return f"{start_q}. kvt. {start_y} – {quarter}. kvt. {year}"


def periods(bench: pd.DataFrame) -> list[str]:
    return sorted(set(bench["period"]), key=period_key)


def totals(bench: pd.DataFrame, period: str) -> pd.DataFrame:
    """'I alt' of every municipality in one period, indexed by area."""
    return bench[(bench["group"] == TOTAL) & (bench["period"] == period)].set_index("area")


def group_costs(annual: pd.DataFrame, mun: Municipality, taxonomy: Taxonomy, benefit_costs: pd.Series,
                year: int) -> pd.Series:
    """kr per full-time person for each broad group (weighted over the groups it covers) and for 'i_alt'
    (the active target groups)."""
    fte = status.fte_by_area(annual)
    out = {}
    for agg in taxonomy.aggregate_groups:
        persons = pd.Series({g: fte.get((mun.config.area, year, g, ""), 0.0) for g in agg.covers})
        weights = persons / persons.sum() if persons.sum() > 0 else persons + 1 / len(persons)
        out[agg.id] = status.weighted_cost(weights, benefit_costs)
    out[TOTAL] = status.weighted_cost(status.active_weights(annual, mun, taxonomy, year), benefit_costs)
    return pd.Series(out)


def latest_table(bench: pd.DataFrame, area: str, period: str, taxonomy: Taxonomy,
                 costs: pd.Series) -> pd.DataFrame:
    """Faktisk against forventet for the municipality in one period: I alt, then each broad group."""
    own = bench[(bench["area"] == area) & (bench["period"] == period)].set_index("group")
    order = [TOTAL] + [a.id for a in taxonomy.aggregate_groups if a.id in own.index]
    rows = []
    for group in order:
        r = own.loc[group]
        rows.append({"group": group, "label": "I alt" if group == TOTAL else taxonomy.group_name(group),
                     "forventet": r["forventet"], "faktisk": r["faktisk"], "forskel": r["forskel"],
                     "forventet_andel": r["forventet_andel"], "faktisk_andel": r["faktisk_andel"],
                     "forskel_pp": r["forskel_pp"], "forskel_kr": r["forskel"] * costs.get(group, math.nan)})
    table = pd.DataFrame(rows)
    if len(table) > 1:          # I alt in kr = the sum of the broad groups, so the column adds up
        table.loc[0, "forskel_kr"] = table["forskel_kr"].iloc[1:].sum()
    return table


def rank_history(bench: pd.DataFrame, area: str) -> pd.DataFrame:
    """The municipality's rank (and forskel) in every period."""
    rows = []
    for period in periods(bench):
        tot = totals(bench, period)
        if area in tot.index:
            r = tot.loc[area]
            rows.append({"period": period, "label": period_label(period), "placering": r["placering"],
                         "count": int(tot["placering"].notna().sum()), "forskel": r["forskel"],
                         "forskel_pp": r["forskel_pp"]})
    return pd.DataFrame(rows)


def comparison(bench: pd.DataFrame, mun: Municipality, period: str) -> pd.DataFrame:
    """The municipality, then the members of each comparison group with a benchmark, by rank."""
    tot = totals(bench, period)
    rows = []
    sets = [(mun.name, [mun.config.area])]
    sets += [(g.name, g.members) for g in mun.groups.groups if set(g.members) & set(tot.index)]
    for group_name, members in sets:
        part = tot.loc[[m for m in members if m in tot.index]].sort_values("placering")
        for area, r in part.iterrows():
            rows.append({"group": group_name, "area": area, "placering": r["placering"],
                         "forventet_andel": r["forventet_andel"], "faktisk_andel": r["faktisk_andel"],
                         "forskel_pp": r["forskel_pp"], "forskel": r["forskel"]})
        if len(part) > 1:
            rows.append({"group": group_name, "area": f"{group_name}, median", "placering": part["placering"].median(),
                         "forventet_andel": math.nan, "faktisk_andel": math.nan,
                         "forskel_pp": part["forskel_pp"].median(), "forskel": math.nan})
    return pd.DataFrame(rows)


def _rank_at(tot: pd.DataFrame, area: str, pp: float) -> int:
    others = tot.drop(index=area)["forskel_pp"]
    return int((others < pp).sum()) + 1


def reach(bench: pd.DataFrame, mun: Municipality, period: str, cost: float) -> pd.DataFrame:
    """What it would take: fewer persons on benefits to reach forventet, the middle of the ranking and the
    best of the klynge; the kr (x cost) and the rank it would give."""
    tot = totals(bench, period)
    area = mun.config.area
    own = tot.loc[area]
    base = own["faktisk"] / own["faktisk_andel"] * 100          # the population the shares are of
    n = int(tot["placering"].notna().sum())
    ranked = tot.sort_values("placering")
    targets = [("Forventet niveau (forskel 0)", 0.0, True),
               (f"Midten af ranglisten (nr. {math.ceil(n / 2)})", ranked["forskel_pp"].iloc[math.ceil(n / 2) - 1], False)]
    klynge = mun.groups.by_role("klynge")
    members = [m for m in (klynge.members if klynge else []) if m in tot.index]
    if members:
        best = tot.loc[members].sort_values("placering").iloc[0]
        targets.append((f"Klyngens bedste ({best.name}, nr. {int(best['placering'])})", best["forskel_pp"], False))
    rows = []
    for label, target, exact in targets:
        gap = (own["forskel_pp"] - target) * base / 100
        persons = max(0.0, float(own["forskel"]) if exact else math.floor(gap) + 1.0) if gap > 0 else 0.0
        new_pp = (own["forskel"] - persons) / base * 100
        rows.append({"target": label, "target_pp": target, "persons": persons, "kr": persons * cost,
                     "placering": _rank_at(tot, area, round(new_pp, 2)) if persons else int(own["placering"])})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class BenchmarkFigures:
    """The numbers the chapter's sentences quote (and the Resume reuses)."""

    kommune: str
    period: str
    faktisk: float
    forventet: float
    forskel: float
    forskel_pp: float
    forskel_kr: float
    placering: int
    count: int
    previous_period: str | None
    previous_placering: int | None
    reach_persons: float
    reach_kr: float

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def previous_label(self) -> str | None:
        return period_label(self.previous_period) if self.previous_period else None


def key_figures(latest: pd.DataFrame, history: pd.DataFrame, reach_table: pd.DataFrame,
                kommune: str) -> BenchmarkFigures:
    total = latest.set_index("group").loc[TOTAL]
    last = history.iloc[-1]
    prev = history.iloc[-2] if len(history) > 1 else None
    goal = reach_table.iloc[0]
    return BenchmarkFigures(
        kommune=kommune, period=str(last["period"]), faktisk=float(total["faktisk"]),
        forventet=float(total["forventet"]), forskel=float(total["forskel"]), forskel_pp=float(total["forskel_pp"]),
        forskel_kr=float(total["forskel_kr"]), placering=int(last["placering"]), count=int(last["count"]),
        previous_period=str(prev["period"]) if prev is not None else None,
        previous_placering=int(prev["placering"]) if prev is not None else None,
        reach_persons=float(goal["persons"]), reach_kr=float(goal["kr"]))


def standard(inp) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, BenchmarkFigures]:
    """The chapter's tables for the prepared inputs, latest period: (latest, comparison, reach, history, kf)."""
    bench = inp.own["benchmark"]
    mun, tx = inp.municipality, inp.taxonomy
    period = periods(bench[(bench["area"] == mun.config.area)])[-1]
    costs = group_costs(inp.annual, mun, tx, inp.benefit_costs, mun.config.years.latest)
    latest = latest_table(bench, mun.config.area, period, tx, costs)
    # kr per person of the difference: as the table values it (its mix of broad groups), else the active mix
    forskel, forskel_kr = float(latest["forskel"].iloc[0]), float(latest["forskel_kr"].iloc[0])
    cost = forskel_kr / forskel if forskel and forskel_kr / forskel > 0 else float(costs[TOTAL])
    compare = comparison(bench, mun, period)
    goals = reach(bench, mun, period, cost)
    history = rank_history(bench, mun.config.area)
    return latest, compare, goals, history, key_figures(latest, history, goals, mun.name)
