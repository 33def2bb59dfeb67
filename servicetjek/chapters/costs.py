"""Chapter 5, Omkostningseffektivitet: expenses, unit costs, cost composition, exit rates and their relation.

Pure functions: the own-figure frames (`inputs.own` or `owndata.load_all`) in, tidy tables out.
Shares, deviations and rates are in percent (columns ending in `_pct`), amounts in 1.000 kr
(`_1000kr`). Nothing here knows a municipality by name; what differs between reviews (which
comparison columns exist, how many jobcentres, whether their individual figures are published)
is read from the data.

- `cost_totals`      Tabel 3: expenses per target group, full-time persons, shares, konto 5/6 split
- `unit_costs`       Tabel 4: unit costs against the other jobcentres (lowest/highest/unweighted mean,
                     deviation) and every jobcentre side by side (the "all" layout)
- `composition`      Figur 5: cost composition by activity against the other jobcentres, in pp
- `exit_rates`       Tabel 5: exit rates against klynge and near labour market (both ekskl.)
- `cost_vs_effect`   Figur 6: unit-cost deviation (x) against exit-rate deviation from the klynge (y)
- `key_figures`      the numbers the chapter's sentences quote
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from servicetjek.inputs import owndata
from servicetjek.inputs.taxonomy import Taxonomy
from servicetjek.publish.phrases import CLOSE_WITHIN

LAYOUTS = ("summary", "all")
EXIT_DEVIATIONS = ("relative", "points")
# Activities of the cost composition, in the order Figur 5 shows them.
ACTIVITY_ORDER = ["kontaktforloeb", "tilbud", "virksomhedsindsats", "administration", "ledelse"]
SUB_LINES = ("virksomhedsindsats", "administration", "ledelse")
TOTAL_LINES = ("samlet", "samlet_ekskl_puljer")
# Quadrants of Figur 6: (unit cost below the mean?, exit rate above the klynge?)
QUADRANTS = {
    (True, True): "lav_omkostning_hoej_afgang",
    (False, True): "hoej_omkostning_hoej_afgang",
    (True, False): "lav_omkostning_lav_afgang",
    (False, False): "hoej_omkostning_lav_afgang",
}


# ------------------------------------------------------------------ helpers
def target_group_names(tax: Taxonomy) -> dict[str, str]:
    """Target-group and aggregate ids -> display names (taxonomy order)."""
    names = {t.id: t.name for t in tax.target_groups}
    names.update({a.id: a.name for a in tax.target_group_aggregates})
    return names


def _target_order(tax: Taxonomy, ids) -> list[str]:
    present = set(ids)
    return [t.id for t in tax.target_groups if t.id in present]


def _jobcentre_key(name: str):
    """'Kommune 2' < 'Kommune 10': natural order of the anonymised names."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(name))]


def jobcentres(unit_costs_frame: pd.DataFrame) -> list[str]:
    """The comparison jobcentres in natural order ('Kommune 2' … 'Kommune 13')."""
    return sorted(unit_costs_frame["jobcentre"].drop_duplicates(), key=_jobcentre_key)


def choose_layout(unit_costs_frame: pd.DataFrame, layout: str = "auto") -> str:
    """'summary' (lowest/highest/mean) or 'all' (every jobcentre side by side).

    'auto': 'all' when every comparison jobcentre's unit costs are published (then the review
    shows them, as the Næstved slides do), 'summary' when they are constructed around a
    published lowest/highest/mean (as for Slagelse's Tabel 4)."""
    from servicetjek.publish.report import choose_layout as choose

    def auto() -> str:
        if "provenance" not in unit_costs_frame.columns:
            return "summary"
        published = unit_costs_frame["provenance"].astype(str).str.startswith("published")
        return "all" if bool(published.all()) else "summary"

    return choose(layout, LAYOUTS, auto)


def _activity_totals(resources: pd.DataFrame) -> pd.Series:
    return resources.groupby("activity")["expenses_1000kr"].sum().astype(float)


def _comparison(own: dict[str, pd.DataFrame], dimension: str) -> pd.Series:
    """The other jobcentres' published shares (percent) for one dimension; empty when not published."""
    comp = own.get("resource_comparison")
    if comp is None or comp.empty:
        return pd.Series(dtype=float)
    rows = comp[comp["dimension"] == dimension]
    return rows.set_index(rows["key"].astype(str))["share_pct"].astype(float)


# ------------------------------------------------------------------ Tabel 3
def cost_totals(own: dict[str, pd.DataFrame], tax: Taxonomy) -> pd.DataFrame:
    """Tabel 3: one row per target group, the total, konto 5 and konto 6.

    Columns: row_id, label, row_type (group/total/konto), full_time_persons, expenses_1000kr,
    share_pct (of the municipality's total), others_share_pct (the other jobcentres' share; the
    column is left out when the review publishes no such shares)."""
    res, persons = own["resources"], own["resource_persons"]
    names = target_group_names(tax)
    spent = owndata.expenses_by_group(res).astype(float)
    fte = persons.set_index("target_group")["full_time_persons"].astype(float)
    total = float(spent.sum())
    others_group = _comparison(own, "target_group")
    others_konto = _comparison(own, "konto")
    rows = []
    for group in _target_order(tax, spent.index):
        rows.append({"row_id": group, "label": names[group], "row_type": "group",
                     "full_time_persons": float(fte.get(group, float("nan"))),
                     "expenses_1000kr": float(spent[group]), "share_pct": float(spent[group]) / total * 100,
                     "others_share_pct": float(others_group.get(group, float("nan")))})
    rows.append({"row_id": "samlet", "label": "Samlet", "row_type": "total",
                 "full_time_persons": float(fte.reindex(spent.index).sum()), "expenses_1000kr": total,
                 "share_pct": 100.0, "others_share_pct": 100.0 if not others_group.empty else float("nan")})
    by_konto = owndata.expenses_by_konto(res)
    for konto in owndata.KONTI:
        amount = float(by_konto.get(konto, 0.0))
        rows.append({"row_id": f"konto_{konto}", "label": f"Konto {konto}", "row_type": "konto",
                     "full_time_persons": float("nan"), "expenses_1000kr": amount, "share_pct": amount / total * 100,
                     "others_share_pct": float(others_konto.get(str(konto), float("nan")))})
    out = pd.DataFrame(rows)
    return out if out["others_share_pct"].notna().any() else out.drop(columns="others_share_pct")


# ------------------------------------------------------------------ Tabel 4
def unit_cost_column(jobcentre: str) -> str:
    return f"unit_cost_1000kr_{jobcentre}"


def unit_costs(own: dict[str, pd.DataFrame], tax: Taxonomy) -> pd.DataFrame:
    """Tabel 4 in both layouts: one row per target group, 'samlet', the sub-lines and 'samlet_ekskl_puljer'.

    Columns: row_id, label, row_type (group/total/sub), kommune_1000kr, lowest_other_1000kr,
    highest_other_1000kr, mean_others_1000kr (unweighted mean of the other jobcentres, the
    municipality excluded), deviation_pct (kommune ÷ mean − 1, in percent), others_count, and
    unit_cost_1000kr_<jobcentre> for every other jobcentre."""
    stats = owndata.unit_cost_comparison(own)
    names = {**target_group_names(tax), **owndata.UNIT_COST_LINES}
    wide = own["unit_costs"].pivot(index="target_group", columns="jobcentre", values="unit_cost_1000kr")
    groups = _target_order(tax, stats.index)
    order = groups + [r for r in ("samlet", *SUB_LINES, "samlet_ekskl_puljer") if r in stats.index]
    out = pd.DataFrame({
        "row_id": order,
        "label": [names[r] for r in order],
        "row_type": ["group" if r in groups else "total" if r in TOTAL_LINES else "sub" for r in order],
        "kommune_1000kr": [float(stats.at[r, "kommune"]) for r in order],
        "lowest_other_1000kr": [float(stats.at[r, "min"]) for r in order],
        "highest_other_1000kr": [float(stats.at[r, "max"]) for r in order],
        "mean_others_1000kr": [float(stats.at[r, "mean"]) for r in order],
        "deviation_pct": [float(stats.at[r, "deviation"]) * 100 for r in order],
        "others_count": [int(stats.at[r, "count"]) for r in order],
    })
    for centre in jobcentres(own["unit_costs"]):
        out[unit_cost_column(centre)] = [float(wide.at[r, centre]) if r in wide.index else float("nan")
                                         for r in order]
    return out


# ------------------------------------------------------------------ Figur 5
def composition(own: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Figur 5: each activity's share of the total expenses, the municipality against the other
    jobcentres, and the difference in percentage points (those two columns only where the other
    jobcentres' composition is published)."""
    res = own["resources"]
    by_activity = _activity_totals(res)
    total = float(by_activity.sum())
    others = _comparison(own, "activity")
    rows = []
    for activity in [a for a in ACTIVITY_ORDER if a in by_activity.index or a in others.index]:
        mine = float(by_activity.get(activity, 0.0)) / total * 100
        theirs = float(others.get(activity, float("nan")))
        rows.append({"activity": activity, "label": owndata.ACTIVITIES[activity],
                     "expenses_1000kr": float(by_activity.get(activity, 0.0)), "kommune_share_pct": mine,
                     "others_share_pct": theirs, "difference_pct_points": mine - theirs})
    out = pd.DataFrame(rows)
    if out["others_share_pct"].isna().all():
        out = out.drop(columns=["others_share_pct", "difference_pct_points"])
    return out


# ------------------------------------------------------------------ Tabel 5
ROLE_COLUMNS = {"kommune": "kommune_pct", "klynge_ekskl": "klynge_ekskl_pct", "naert_ekskl": "naert_ekskl_pct"}


def exit_rates(own: dict[str, pd.DataFrame], tax: Taxonomy) -> pd.DataFrame:
    """Tabel 5: exit rates per target group and the aggregate rows.

    Columns: row_id, label, row_type (group/total/aggregate), kommune_pct and, for each
    comparison the data hold, klynge_ekskl_pct / naert_ekskl_pct; plus deviation_klynge_pct_points
    (kommune − klynge) and deviation_klynge_pct (kommune ÷ klynge − 1, in percent) where the klynge is there."""
    rates = own["exit_rates"]
    names = target_group_names(tax)
    wide = rates.pivot(index="target_group", columns="area_role", values="rate_pct")
    groups = _target_order(tax, wide.index)
    aggregates = [a.id for a in tax.target_group_aggregates if a.id in wide.index]
    order = groups + aggregates
    out = pd.DataFrame({
        "row_id": order,
        "label": [names[r] for r in order],
        "row_type": ["group" if r in groups else "total" if r == "i_alt" else "aggregate" for r in order],
    })
    for role, column in ROLE_COLUMNS.items():
        if role in wide.columns:
            out[column] = [float(wide.at[r, role]) for r in order]
    if "klynge_ekskl_pct" in out.columns and "kommune_pct" in out.columns:
        out["deviation_klynge_pct_points"] = out["kommune_pct"] - out["klynge_ekskl_pct"]
        out["deviation_klynge_pct"] = (out["kommune_pct"] / out["klynge_ekskl_pct"] - 1) * 100
    return out


def exit_rate_context(own: dict[str, pd.DataFrame]) -> dict:
    """Placeholder values: exit_rates.<kommune|klynge_ekskl|naert_ekskl>.<target group> (percent)."""
    rates = own.get("exit_rates")
    if rates is None:
        return {}
    return {"exit_rates": {role: {str(g): float(v) for g, v in zip(part["target_group"], part["rate_pct"])}
                           for role, part in rates.groupby("area_role")}}


# ------------------------------------------------------------------ Figur 6
def unit_cost_row_for(group: str, unit_rows: list[str], tax: Taxonomy) -> str | None:
    """The unit-cost row that covers an exit-rate target group: the same id, or the target group whose
    benefit groups include all of its (ledighedsydelse → fleksjob og ledighedsydelse)."""
    if group in unit_rows:
        return group
    covers = {t.id: {(c.group, c.sub_group) for c in t.covers} for t in tax.target_groups}
    need = covers.get(group)
    if not need:
        return None
    candidates = [r for r in unit_rows if r in covers and need <= covers[r]]
    return min(candidates, key=lambda r: len(covers[r])) if candidates else None


def as_ids(value) -> list[str]:
    """A list of ids from a parameter: a list, or a string as `papermill -p` passes it
    ('revalidering', 'revalidering,ressourceforloeb', '[]', '["revalidering"]')."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip().strip("'\"") for part in value.strip().strip("[]").split(",")
                if part.strip().strip("'\"")]
    return [str(v) for v in value]


def cost_vs_effect(own: dict[str, pd.DataFrame], tax: Taxonomy, exclude: list[str] | tuple | str = (),
                   exit_deviation: str = "relative") -> pd.DataFrame:
    """Figur 6: per target group with an exit rate for the municipality and the klynge, and a unit cost:

    unit_cost_deviation_pct (x: against the other jobcentres' mean), exit_deviation_pct (relative:
    kommune ÷ klynge − 1) and exit_deviation_pct_points (kommune − klynge), y = the one chosen by
    `exit_deviation` ('relative' or 'points'); full_time_persons (bubble size); quadrant; included
    (False for the groups in `exclude`, e.g. a very small group)."""
    if exit_deviation not in EXIT_DEVIATIONS:
        raise ValueError(f"ukendt exit_deviation {exit_deviation!r}; brug 'relative' eller 'points'")
    exclude = as_ids(exclude)
    unknown = sorted(set(exclude) - {t.id for t in tax.target_groups})
    if unknown:
        raise ValueError(f"ukendt målgruppe i exclude: {', '.join(unknown)}")
    names = target_group_names(tax)
    stats = owndata.unit_cost_comparison(own)
    fte = own["resource_persons"].set_index("target_group")["full_time_persons"].astype(float)
    rates = own["exit_rates"].pivot(index="target_group", columns="area_role", values="rate_pct")
    if "klynge_ekskl" not in rates.columns or "kommune" not in rates.columns:
        return pd.DataFrame(columns=["target_group", "label", "unit_cost_row", "unit_cost_label",
                                     "unit_cost_deviation_pct",
                                     "exit_rate_kommune_pct", "exit_rate_klynge_pct", "exit_deviation_pct",
                                     "exit_deviation_pct_points", "y_pct", "full_time_persons", "quadrant",
                                     "included"])
    unit_rows = [r for r in stats.index if r not in TOTAL_LINES and r not in SUB_LINES]
    rows = []
    for group in _target_order(tax, rates.index):
        row = unit_cost_row_for(group, unit_rows, tax)
        mine, klynge = rates.at[group, "kommune"], rates.at[group, "klynge_ekskl"]
        if row is None or pd.isna(mine) or pd.isna(klynge):
            continue
        x = float(stats.at[row, "deviation"]) * 100
        relative = (float(mine) / float(klynge) - 1) * 100 if klynge else float("nan")
        points = float(mine) - float(klynge)
        y = relative if exit_deviation == "relative" else points
        rows.append({"target_group": group, "label": names[group], "unit_cost_row": row,
                     "unit_cost_label": names[row],
                     "unit_cost_deviation_pct": x, "exit_rate_kommune_pct": float(mine),
                     "exit_rate_klynge_pct": float(klynge), "exit_deviation_pct": relative,
                     "exit_deviation_pct_points": points, "y_pct": y,
                     "full_time_persons": float(fte.get(row, float("nan"))),
                     "quadrant": QUADRANTS[(x < 0, y >= 0)], "included": group not in set(exclude)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ key figures
@dataclass(frozen=True)
class CostKeyFigures:
    """The numbers the chapter's sentences quote (and the Resume may reuse)."""

    kommune: str
    year: int
    total_1000kr: float
    persons: float
    konto5_share: float                 # percent
    konto6_share: float
    jobcentres: int                     # all participating, the municipality included
    unit_total: float                   # 1.000 kr per full-time person
    unit_mean: float
    unit_deviation: float               # percent
    unit_rank: int                      # 1 = lowest among all participating jobcentres
    above_mean: list[str] = field(default_factory=list)      # target-group labels with higher unit costs
    below_mean: list[str] = field(default_factory=list)      # … with lower unit costs
    far_below_mean: list[str] = field(default_factory=list)  # labels at least `far` pct below
    far_above_mean: list[str] = field(default_factory=list)  # … at least `far` pct above
    composition: dict[str, tuple[float, float]] = field(default_factory=dict)  # activity: (own pct, diff pp)
    exit_better: list[str] = field(default_factory=list)     # labels with a higher exit rate than the klynge
    exit_worse: list[str] = field(default_factory=list)
    exit_level: list[str] = field(default_factory=list)      # within the band around the klynge
    quadrants: dict[str, list[str]] = field(default_factory=dict)           # outside the exit band
    excluded: list[str] = field(default_factory=list)
    bubble_level: dict[str, list[str]] = field(default_factory=dict)  # 'lav'/'hoej' unit cost, exit rate in band
    aggregates: dict[str, tuple[float, float]] = field(default_factory=dict)  # Tabel 5's sums: (own, klynge) pct


def key_figures(tables: dict[str, pd.DataFrame], kommune: str, year: int, far: float = 30.0,
                exit_band: float = CLOSE_WITHIN * 100) -> CostKeyFigures:
    """`tables`: the chapter's tables, {"totals", "unit", "composition", "exit_rates", "bubbles"}.
    `far`: a unit cost at least this many percent below (above) the mean is 'markant lavere' ('markant højere');
    `exit_band`: an exit rate within this many percent of the klynge's rate counts as on level; the one
    threshold of "tæt på" (phrases.CLOSE_WITHIN, in percent), which the figure reading uses too."""
    totals, unit, comp = tables["totals"], tables["unit"], tables["composition"]
    rates, bubbles = tables["exit_rates"], tables["bubbles"]
    t = totals.set_index("row_id")
    u = unit.set_index("row_id")
    groups = unit[unit["row_type"] == "group"]
    centre_cols = [c for c in unit.columns if c.startswith("unit_cost_1000kr_")]
    others_total = [float(u.at["samlet", c]) for c in centre_cols if pd.notna(u.at["samlet", c])]
    own_total = float(u.at["samlet", "kommune_1000kr"])
    quadrants: dict[str, list[str]] = {}
    shown = bubbles[bubbles["included"]] if not bubbles.empty else bubbles
    # the figure reading uses the one "tæt på" band: a group within it reads as on level, not as good or weak
    in_band = (shown["exit_deviation_pct"].abs() < exit_band) if not shown.empty else pd.Series(dtype=bool)
    for quadrant in QUADRANTS.values():
        quadrants[quadrant] = list(shown[(shown["quadrant"] == quadrant) & ~in_band]["label"]) if not shown.empty else []
    level = shown[in_band] if not shown.empty else shown
    bubble_level = {"lav": list(level[level["unit_cost_deviation_pct"] < 0]["label"]) if not shown.empty else [],
                    "hoej": list(level[level["unit_cost_deviation_pct"] >= 0]["label"]) if not shown.empty else []}
    sums = rates[rates["row_type"] != "group"]
    group_rates = rates[rates["row_type"] == "group"]
    has_klynge = "deviation_klynge_pct" in rates.columns
    dev = group_rates["deviation_klynge_pct"] if has_klynge else pd.Series(dtype=float)
    return CostKeyFigures(
        kommune=kommune, year=year,
        total_1000kr=float(t.at["samlet", "expenses_1000kr"]), persons=float(t.at["samlet", "full_time_persons"]),
        konto5_share=float(t.at["konto_5", "share_pct"]), konto6_share=float(t.at["konto_6", "share_pct"]),
        jobcentres=int(u.at["samlet", "others_count"]) + 1,
        unit_total=own_total, unit_mean=float(u.at["samlet", "mean_others_1000kr"]),
        unit_deviation=float(u.at["samlet", "deviation_pct"]),
        unit_rank=1 + sum(1 for v in others_total if v < own_total),
        above_mean=list(groups[groups["deviation_pct"] > 0]["label"]),
        below_mean=list(groups[groups["deviation_pct"] < 0]["label"]),
        far_below_mean=list(groups[groups["deviation_pct"] <= -far]["label"]),
        far_above_mean=list(groups[groups["deviation_pct"] >= far]["label"]),
        composition={r.activity: (float(r.kommune_share_pct), float(getattr(r, "difference_pct_points", "nan")))
                     for r in comp.itertuples()},
        exit_better=list(group_rates[dev >= exit_band]["label"]) if has_klynge else [],
        exit_worse=list(group_rates[dev <= -exit_band]["label"]) if has_klynge else [],
        exit_level=list(group_rates[dev.abs() < exit_band]["label"]) if has_klynge else [],
        quadrants=quadrants,
        excluded=list(bubbles[~bubbles["included"]]["label"]) if not bubbles.empty else [],
        bubble_level=bubble_level,
        aggregates={r.label: (float(r.kommune_pct), float(r.klynge_ekskl_pct)) for r in sums.itertuples()}
        if has_klynge else {},
    )
