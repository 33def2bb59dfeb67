"""Chapter 3, Status: shares of the population, development, the long run against the near labour market.

Pure functions: tidy annual tables in, tables out. `annual` has the columns
area, year, benefit_group, sub_group ('' = whole group), measure, value;
`population` has area, year, age_band, persons.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from servicetjek.inputs.municipality import ComparisonGroup, Municipality
from servicetjek.inputs.taxonomy import Taxonomy

FTE = "fuldtidspersoner"
TABLES = ("ptv_a02", "y60a02", "y38a02")    # the benefit-group extracts the chapter rests on (not the benchmark)


@dataclass(frozen=True)
class Row:
    """One row of the status tables: a benefit group or one of its sub-groups."""

    group: str
    sub_group: str
    label: str

    @property
    def id(self) -> str:
        return f"{self.group}/{self.sub_group}" if self.sub_group else self.group

    @property
    def is_sub(self) -> bool:
        return bool(self.sub_group)

    @property
    def is_total(self) -> bool:
        return self.group == "i_alt"


def table_rows(taxonomy: Taxonomy, sub_groups: bool = True) -> list[Row]:
    """Benefit groups in taxonomy order, each followed by its named sub-groups ('Øvrige' left out)."""
    rows = []
    for group in taxonomy.benefit_groups:
        rows.append(Row(group.id, "", group.display_name))
        if sub_groups:
            rows += [Row(group.id, sub.id, sub.name) for sub in group.sub_groups if sub.id != "oevrige"]
    return rows


def fte_by_area(annual: pd.DataFrame) -> pd.Series:
    """Full-time persons indexed by (area, year, benefit_group, sub_group)."""
    fte = annual[annual["measure"] == FTE]
    return fte.set_index(["area", "year", "benefit_group", "sub_group"])["value"].sort_index()


def area_sets(mun: Municipality) -> dict[str, list[str]]:
    """Column name -> the areas summed in it: the municipality, then each comparison group."""
    sets = {mun.name: [mun.config.area]}
    for group in mun.groups.groups:
        sets[group.name] = list(group.members)
    return sets


def _sum(fte: pd.Series, areas: list[str], year: int, row: Row) -> float:
    total = 0.0
    for area in areas:
        key = (area, year, row.group, row.sub_group)
        if key not in fte.index:
            return float("nan")
        total += float(fte.loc[key])
    return total


def _population(population: pd.DataFrame, areas: list[str], year: int) -> float:
    pop = population[(population["year"] == year) & (population["area"].isin(areas))]
    if set(pop["area"]) != set(areas):
        return float("nan")
    return float(pop["persons"].sum())


def shares(annual: pd.DataFrame, population: pd.DataFrame, mun: Municipality, taxonomy: Taxonomy,
           year: int) -> pd.DataFrame:
    """Tabel 1: full-time persons in % of the 16-64 population, per area set."""
    fte = fte_by_area(annual)
    rows = table_rows(taxonomy)
    out = pd.DataFrame({"row_id": [r.id for r in rows], "label": [r.label for r in rows]})
    for column, areas in area_sets(mun).items():
        pop = _population(population, areas, year)
        out[column] = [_sum(fte, areas, year, r) / pop * 100 for r in rows]
    return out


def development(annual: pd.DataFrame, mun: Municipality, taxonomy: Taxonomy, years: list[int],
                compare_roles: tuple[str, ...] = ("klynge", "near_labour_market")) -> pd.DataFrame:
    """Tabel 2: the municipality's full-time persons per year, the change over the
    period and in the latest year, and the same period change for comparison groups."""
    fte = fte_by_area(annual)
    rows = table_rows(taxonomy)
    first, prev, last = years[0], years[-2], years[-1]
    own = [mun.config.area]
    out = pd.DataFrame({"row_id": [r.id for r in rows], "label": [r.label for r in rows]})
    for year in years:
        out[str(year)] = [_sum(fte, own, year, r) for r in rows]
    out["change_period"] = out[str(last)] / out[str(first)] - 1
    out["change_latest"] = out[str(last)] / out[str(prev)] - 1
    for role in compare_roles:
        group = mun.groups.by_role(role)
        if group is None:
            continue
        out[f"change_period {group.short_name}"] = [
            _sum(fte, group.members, last, r) / _sum(fte, group.members, first, r) - 1 for r in rows]
    return out


def longrun_group(mun: Municipality) -> ComparisonGroup:
    """Figur 1 compares with the near labour market, or the klynge where there is none."""
    for role in ("near_labour_market", "klynge", "national"):
        group = mun.groups.by_role(role)
        if group is not None:
            return group
    raise ValueError("no comparison group")


def longrun(annual: pd.DataFrame, mun: Municipality) -> pd.DataFrame:
    """Figur 1: the municipality's total against the comparison group indexed to the same start.

    `gap` = municipality − the comparison group's development applied to the
    municipality's start level: the persons it would have had fewer, had it
    followed the group.
    """
    fte = fte_by_area(annual)
    group = longrun_group(mun)
    total = Row("i_alt", "", "I alt")
    years = list(range(mun.config.years.longrun_start, mun.config.years.latest + 1))
    own = [_sum(fte, [mun.config.area], y, total) for y in years]
    other = [_sum(fte, group.members, y, total) for y in years]
    out = pd.DataFrame({"year": years, mun.name: own, group.name: other})
    out[f"{group.name} (indekseret)"] = [o / other[0] * own[0] for o in other]
    out["gap"] = out[mun.name] - out[f"{group.name} (indekseret)"]
    out["index " + mun.name] = out[mun.name] / own[0] * 100
    out["index " + group.name] = out[group.name] / other[0] * 100
    return out


def active_weights(annual: pd.DataFrame, mun: Municipality, taxonomy: Taxonomy, year: int) -> pd.Series:
    """The municipality's mix of the active target groups (all but førtidspension) in a year."""
    fte = fte_by_area(annual)
    values = pd.Series({g: _sum(fte, [mun.config.area], year, Row(g, "", g)) for g in taxonomy.active_group_ids})
    return values / values.sum()


def weighted_cost(weights: pd.Series, benefit_costs: pd.Series) -> float:
    """kr per full-time person, weighted by a group mix."""
    missing = sorted(set(weights.index) - set(benefit_costs.index))
    if missing:
        raise KeyError(f"benefit costs missing for {missing}")
    return float((weights * benefit_costs.reindex(weights.index)).sum())


@dataclass(frozen=True)
class KeyFigures:
    """The numbers the chapter's sentences quote (and the Resume reuses)."""

    kommune: str
    year: int
    total: float
    total_prev: float
    change_latest: float
    change_period: float
    first_year: int
    total_first: float
    active: float
    share: float
    near_share: float | None
    klynge_share: float | None
    national_share: float | None
    longrun_group: str
    gap_persons: float
    gap_share: float
    gap_kr: float
    longrun_role: str = "near_labour_market"   # the role of Figur 1's comparison group (its definite form)


def key_figures(shares_table: pd.DataFrame, development_table: pd.DataFrame, longrun_table: pd.DataFrame,
                mun: Municipality, cost_active: float) -> KeyFigures:
    years = mun.config.years.status
    dev = development_table.set_index("row_id")
    sh = shares_table.set_index("row_id")
    total = dev.at["i_alt", str(years[-1])]
    group = longrun_group(mun)
    gap = float(longrun_table["gap"].iloc[-1])

    def share_of(role: str) -> float | None:
        g = mun.groups.by_role(role)
        return None if g is None else float(sh.at["i_alt", g.name])

    return KeyFigures(
        kommune=mun.name, year=years[-1], total=float(total), total_prev=float(dev.at["i_alt", str(years[-2])]),
        change_latest=float(dev.at["i_alt", "change_latest"]), change_period=float(dev.at["i_alt", "change_period"]),
        first_year=years[0], total_first=float(dev.at["i_alt", str(years[0])]),
        active=float(total - dev.at["foertidspension", str(years[-1])]),
        share=float(sh.at["i_alt", mun.name]), near_share=share_of("near_labour_market"),
        klynge_share=share_of("klynge"), national_share=share_of("national"),
        longrun_group=group.short_name, gap_persons=gap, gap_share=gap / float(total),
        gap_kr=gap * cost_active, longrun_role=group.role,
    )
