"""Range checks at `prepare` beyond what each file's schema can see: a value that is impossible is an error
(exit 2, file, row, column, value); one that is possible but odd is a warning, printed by `prepare` and
kept in data/processed/<slug>/warnings.json (and meta.json's "warnings") for the report's data section.

The thresholds, declared once:
"""

from __future__ import annotations

import pandas as pd

from servicetjek.errors import Problem
from servicetjek.publish.formatting import mio_kr, number

BUDGET_WARN = 0.5          # the budget's benefit cost more than 50 pct. off the latest actual cost: a warning
BUDGET_ABSURD = 10.0       # ... more than 10 times above or below it: an error
ODD_COUNT_SHARE = 0.5      # a group's count above half the population 16-64: a warning (above all: an error)
ODD_SHARE_PCT = 50.0       # a share of the population above 50 pct.: a warning (above 100: an error)
FTE = "fuldtidspersoner"


def budget_problems(mun, annual: pd.DataFrame, own: dict[str, pd.DataFrame]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings): each budget year's benefit cost (budget.csv persons × benefit_costs.csv) against
    the cost of the latest actual year (the extracts' full-time persons × the same costs)."""
    budget, costs = own.get("budget"), own.get("benefit_costs")
    if budget is None or costs is None or budget.empty:
        return [], []
    cost = costs.set_index("benefit_group")["kr_per_full_time_person"].astype(float)
    fte = annual[(annual["area"] == mun.config.area) & (annual["measure"] == FTE) & (annual["sub_group"] == "")
                 & (annual["benefit_group"] != "i_alt")]
    if fte.empty:
        return [], []
    last = int(fte["year"].max())
    actual = fte[fte["year"] == last].groupby("benefit_group")["value"].sum()
    errors, warnings = [], []
    path = mun.folder / "budget.csv"
    for year, rows in budget.groupby("year"):
        planned_persons = rows.groupby("benefit_group")["full_time_persons"].sum()
        groups = [g for g in planned_persons.index if g in cost.index and g in actual.index]
        planned = float((planned_persons[groups] * cost[groups]).sum())
        real = float((actual[groups] * cost[groups]).sum())
        if real <= 0:
            continue
        ratio = planned / real
        text = (f"budgettet for {year} giver ydelsesudgifter på {mio_kr(planned, 1)}, de faktiske i {last} "
                f"{mio_kr(real, 1)} ({number(abs(ratio - 1) * 100)} pct. "
                f"{'over' if ratio > 1 else 'under'})")
        where = {"row": f"år {year}", "column": "full_time_persons", "value": number(planned_persons[groups].sum())}
        if ratio > BUDGET_ABSURD or ratio < 1 / BUDGET_ABSURD:
            errors.append(Problem(path, f"urimeligt: {text}; mere end {number(BUDGET_ABSURD)} gange fra", **where))
        elif abs(ratio - 1) > BUDGET_WARN:
            warnings.append(Problem(path, f"usædvanligt: {text}; mere end {number(BUDGET_WARN * 100)} pct. fra",
                                    **where))
    return errors, warnings


def odd_value_warnings(mun, tidy: pd.DataFrame, population: pd.DataFrame, taxonomy) -> list[Problem]:
    """Extract values that are possible but odd: a group's count above half the area's population 16-64, a
    share of the population above 50 pct. One warning per file and column (with the first row), not per row."""
    pop = population.groupby(["area", "year"])["persons"].max()
    labels = {m.id: m.labels[0] for m in taxonomy.measures}
    groups = tidy[tidy["benefit_group"] != "i_alt"]
    counts = groups[groups["measure"].isin(taxonomy.count_measures)]
    keys = pd.MultiIndex.from_arrays([counts["area"], counts["year"]])
    limit = pd.Series(pop.reindex(keys).to_numpy(), index=counts.index)
    odd_counts = counts[limit.notna() & (counts["value"] > ODD_COUNT_SHARE * limit) & (counts["value"] <= limit)]
    shares = groups[~groups["measure"].isin(taxonomy.count_measures)]
    odd_shares = shares[shares["value"] > ODD_SHARE_PCT]
    warnings = []
    for frame, what in ((odd_counts, f"over {number(ODD_COUNT_SHARE * 100)} pct. af befolkningen 16-64 år"),
                        (odd_shares, f"over {number(ODD_SHARE_PCT)} pct.")):
        for (source, measure), rows in frame.groupby(["source_file", "measure"], sort=True):
            first = rows.sort_values("row").iloc[0]
            more = f" ({len(rows)} rækker i alt)" if len(rows) > 1 else ""
            warnings.append(Problem(mun.extracts_dir / source, f"usædvanligt: {what} for {first.area} {first.period}"
                                    f"{more}", row=int(first.row), column=labels.get(measure, measure),
                                    value=number(first.value, 1)))
    return warnings


def as_records(warnings: list[Problem], root) -> list[dict]:
    """The warnings for warnings.json: file relative to `root` (data/), row, column, value, message and the
    whole line as `prepare` printed it."""
    from pathlib import Path

    out = []
    for w in warnings:
        path = Path(w.file)
        rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        out.append({"file": rel, "row": w.row, "column": w.column, "value": w.value, "message": w.message,
                    "text": str(Problem(rel, w.message, w.row, w.column, w.value, w.line))})
    return out
