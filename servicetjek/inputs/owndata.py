"""The municipality's own figures (not in jobindsats): declarative pandera schemas and their loaders.

One schema per CSV in data/raw/<slug>/ (and reference/national_forecast.csv).
Every file is read by `tables.read_csv_checked`, so a missing file, a missing or
misnamed column, an unparseable number and every failed check become a Problem
naming the file, the line (header = line 1), the column and the value.
`load_all` validates every file, collects all problems and raises one InputError.

Files (see data/raw/README_owndata.md for columns and provenance):

- resources.csv           resource statement (Tabel 3 basis): expenses per target group, activity, konto
- resource_persons.csv    full-time persons per target group of the resource statement
- resource_comparison.csv optional: the other jobcentres' published shares (Tabel 3 / Figur 5)
- unit_costs.csv          the comparison jobcentres' unit costs, anonymised (Tabel 4)
- exit_rates.csv          exit rates per target group and area role (Tabel 5)
- budget.csv              the municipality's budget assumptions per benefit group and year
- benefit_costs.csv       net municipal cost per full-time person per benefit group
- reference/national_forecast.csv  national forecasts (change per year)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from servicetjek.errors import InputError, Problem, ProblemCollector
from servicetjek.inputs.tables import read_csv_checked
from servicetjek.inputs.taxonomy import Taxonomy
from servicetjek.inputs.taxonomy import load as load_taxonomy
from servicetjek.validation import PROVENANCE_PATTERN, PROVENANCE_RULE

# Activities of the resource statement (Figur 5's cost composition).
ACTIVITIES = {
    "kontaktforloeb": "Sagsbehandling/kontaktforløb",
    "tilbud": "Beskæftigelsestilbud",
    "virksomhedsindsats": "Virksomhedsindsats",
    "administration": "Administration og møder",
    "ledelse": "Ledelse/teamledelse",
}
FINANCING = ["kommune", "pulje"]   # 'pulje': financed by a state pool (Tabel 4 "Samlet ekskl. puljer")
KONTI = [5, 6]
# Unit-cost rows that are not target groups (Tabel 4's total and sub-lines).
UNIT_COST_LINES = {
    "samlet": "Samlet",
    "virksomhedsindsats": "- heraf virksomhedsindsats",
    "administration": "- heraf administration og møder",
    "ledelse": "- heraf ledelse/teamledelse",
    "samlet_ekskl_puljer": "Samlet ekskl. puljer",
}
AREA_ROLES = {
    "kommune": "the municipality",
    "klynge_ekskl": "klynge ekskl. the municipality",
    "naert_ekskl": "near labour market ekskl. the municipality",
}
COMPARISON_DIMENSIONS = ["target_group", "konto", "activity"]

PROVENANCE_CHECK = pa.Check.str_matches(PROVENANCE_PATTERN, error=PROVENANCE_RULE)

FILES = {
    "resources": "resources.csv",
    "resource_persons": "resource_persons.csv",
    "resource_comparison": "resource_comparison.csv",
    "unit_costs": "unit_costs.csv",
    "exit_rates": "exit_rates.csv",
    "budget": "budget.csv",
    "benefit_costs": "benefit_costs.csv",
}
FORECAST_FILE = "national_forecast.csv"


def _provenance() -> pa.Column:
    return pa.Column(str, PROVENANCE_CHECK)


def _amount(error: str = "må ikke være negativ") -> pa.Column:
    return pa.Column(float, pa.Check.ge(0, error=error))


def _ids(values, what: str) -> pa.Check:
    values = list(values)
    return pa.Check.isin(values, error=f"ukendt {what}; kendte: {', '.join(map(str, values))}")


# ------------------------------------------------------------------ schemas
def resources_schema(tax: Taxonomy) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "target_group": pa.Column(str, _ids((t.id for t in tax.target_groups), "målgruppe")),
            "activity": pa.Column(str, _ids(ACTIVITIES, "aktivitet")),
            "konto": pa.Column(int, _ids(KONTI, "konto")),
            "financing": pa.Column(str, _ids(FINANCING, "finansiering")),
            "expenses_1000kr": _amount("udgiften må ikke være negativ"),
            "provenance": _provenance(),
        },
        unique=["target_group", "activity", "konto", "financing"],
        strict=True,
        name="resources.csv",
    )


def resource_persons_schema(tax: Taxonomy) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "target_group": pa.Column(str, _ids((t.id for t in tax.target_groups), "målgruppe")),
            "full_time_persons": _amount("antallet må ikke være negativt"),
            "provenance": _provenance(),
        },
        unique=["target_group"],
        strict=True,
        name="resource_persons.csv",
    )


def resource_comparison_schema(tax: Taxonomy) -> pa.DataFrameSchema:
    keys = {
        "target_group": {t.id for t in tax.target_groups},
        "konto": {str(k) for k in KONTI},
        "activity": set(ACTIVITIES),
    }
    return pa.DataFrameSchema(
        {
            "dimension": pa.Column(str, _ids(COMPARISON_DIMENSIONS, "dimension")),
            "key": pa.Column(str),
            "share_pct": pa.Column(float, pa.Check.in_range(0, 100, error="andelen skal ligge mellem 0 og 100")),
            "provenance": _provenance(),
        },
        checks=[pa.Check(lambda df: pd.Series([k in keys.get(d, set()) for d, k in zip(df["dimension"], df["key"])],
                                                  index=df.index),
                         error="ukendt nøgle for dimensionen (målgruppe-id, konto 5/6 eller aktivitet)")],
        unique=["dimension", "key"],
        strict=True,
        name="resource_comparison.csv",
    )


def unit_costs_schema(tax: Taxonomy) -> pa.DataFrameSchema:
    rows = [t.id for t in tax.target_groups] + list(UNIT_COST_LINES)
    return pa.DataFrameSchema(
        {
            "jobcentre": pa.Column(str, pa.Check.str_length(min_value=1)),
            "target_group": pa.Column(str, _ids(rows, "målgruppe/linje")),
            "unit_cost_1000kr": _amount("enhedsomkostningen må ikke være negativ"),
            "provenance": _provenance(),
        },
        unique=["jobcentre", "target_group"],
        strict=True,
        name="unit_costs.csv",
    )


def exit_rates_schema(tax: Taxonomy) -> pa.DataFrameSchema:
    rows = [t.id for t in tax.target_groups] + [a.id for a in tax.target_group_aggregates]
    return pa.DataFrameSchema(
        {
            "area_role": pa.Column(str, _ids(AREA_ROLES, "områderolle")),
            "target_group": pa.Column(str, _ids(rows, "målgruppe")),
            "rate_pct": pa.Column(float, pa.Check.in_range(0, 100, error="afgangsraten skal ligge mellem 0 og 100")),
            "provenance": _provenance(),
        },
        unique=["area_role", "target_group"],
        strict=True,
        name="exit_rates.csv",
    )


def _benefit_ids(tax: Taxonomy) -> list[str]:
    return [g.id for g in tax.benefit_groups if not g.total]


def budget_schema(tax: Taxonomy) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "year": pa.Column(int, pa.Check.in_range(1990, 2100, error="årstallet skal ligge mellem 1990 og 2100")),
            "benefit_group": pa.Column(str, _ids(_benefit_ids(tax), "ydelsesgruppe")),
            "full_time_persons": _amount("antallet må ikke være negativt"),
            "provenance": _provenance(),
        },
        unique=["year", "benefit_group"],
        strict=True,
        name="budget.csv",
    )


def benefit_costs_schema(tax: Taxonomy) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "benefit_group": pa.Column(str, _ids(_benefit_ids(tax), "ydelsesgruppe")),
            "kr_per_full_time_person": pa.Column(float, pa.Check.gt(0, error="udgiften skal være positiv")),
            "provenance": _provenance(),
        },
        unique=["benefit_group"],
        strict=True,
        name="benefit_costs.csv",
    )


def national_forecast_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "forecast_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$",
                                                               error="id skal være små bogstaver, tal og _")),
            "from_year": pa.Column(int, pa.Check.in_range(1990, 2100, error="årstallet skal ligge mellem 1990 og 2100")),
            "to_year": pa.Column(int, pa.Check.in_range(1990, 2100, error="årstallet skal ligge mellem 1990 og 2100")),
            "change_pct": pa.Column(float, pa.Check.gt(-100, error="ændringen skal være over -100 pct.")),
            "provenance": _provenance(),
        },
        checks=[pa.Check(lambda df: df["to_year"] == df["from_year"] + 1, error="to_year skal være from_year + 1")],
        unique=["forecast_id", "to_year"],
        strict=True,
        name="national_forecast.csv",
    )


SCHEMAS = {
    "resources": resources_schema,
    "resource_persons": resource_persons_schema,
    "resource_comparison": resource_comparison_schema,
    "unit_costs": unit_costs_schema,
    "exit_rates": exit_rates_schema,
    "budget": budget_schema,
    "benefit_costs": benefit_costs_schema,
}


# ------------------------------------------------------------------ coverage (what the chapters need)
def _coverage(path: Path, frame: pd.DataFrame, required: dict[str, list], what: str) -> list[Problem]:
    """Every combination of `required` values must have a row (e.g. each benefit group in each year)."""
    index = pd.MultiIndex.from_product(list(required.values()), names=list(required))
    have = pd.MultiIndex.from_frame(frame[list(required)])
    missing = [" ".join(map(str, key)) if isinstance(key, tuple) else str(key) for key in index.difference(have)]
    if not missing:
        return []
    shown = ", ".join(missing[:8]) + (f" … ({len(missing)} i alt)" if len(missing) > 8 else "")
    return [Problem(path, f"mangler {what}: {shown}")]


def _post_checks(name: str, path: Path, frame: pd.DataFrame, tax: Taxonomy) -> list[Problem]:
    if name == "budget":
        return _coverage(path, frame, {"year": sorted(frame["year"].unique()), "benefit_group": _benefit_ids(tax)},
                         "budgetforudsætning (år ydelsesgruppe)")
    if name == "benefit_costs":
        return _coverage(path, frame, {"benefit_group": _benefit_ids(tax)}, "nettoudgift for ydelsesgruppe")
    return []


def _tidy_messages(problems: list[Problem]) -> list[Problem]:
    # our checks carry their own Danish message; drop the reader's generic prefix
    for problem in problems:
        problem.message = problem.message.removeprefix("opfylder ikke kravet ")
    return problems


def load_file(name: str, path: Path, tax: Taxonomy | None = None) -> pd.DataFrame:
    """Read and validate one own-figure file by its name (a key of FILES)."""
    tax = tax or load_taxonomy()
    path = Path(path)
    try:
        frame = read_csv_checked(path, SCHEMAS[name](tax))
    except InputError as err:
        raise InputError(_tidy_messages(err.problems)) from None
    problems = _post_checks(name, path, frame, tax)
    if problems:
        raise InputError(problems)
    return frame.reset_index(drop=True)


def load_national_forecast(path: Path) -> pd.DataFrame:
    path = Path(path)
    try:
        return read_csv_checked(path, national_forecast_schema()).reset_index(drop=True)
    except InputError as err:
        raise InputError(_tidy_messages(err.problems)) from None


def _cross_checks(kommune_dir: Path, own: dict[str, pd.DataFrame]) -> list[Problem]:
    """Agreement between files: every target group with expenses has full-time persons and vice versa."""
    problems = []
    if "resources" in own and "resource_persons" in own:
        spent = set(own["resources"]["target_group"])
        counted = set(own["resource_persons"]["target_group"])
        for group in sorted(spent - counted):
            problems.append(Problem(kommune_dir / FILES["resource_persons"],
                                    "målgruppen har udgifter i resources.csv men ingen fuldtidspersoner",
                                    column="target_group", value=group))
        for group in sorted(counted - spent):
            problems.append(Problem(kommune_dir / FILES["resources"],
                                    "målgruppen har fuldtidspersoner i resource_persons.csv men ingen udgifter",
                                    column="target_group", value=group))
    return problems


def load_all(kommune_dir: Path, reference_dir: Path | None = None, report=None) -> dict[str, pd.DataFrame]:
    """Validate every own-figure CSV of a municipality that the report declares (required or optional;
    default: the main report kind); raise one InputError with every problem.

    Returns {name: DataFrame} with the keys of FILES (an optional file that is absent is left
    out; an optional benefit_costs.csv falls back to the reference one) plus 'national_forecast' (from
    reference_dir, default kommune_dir/../reference).
    """
    kommune_dir = Path(kommune_dir)
    reference_dir = Path(reference_dir) if reference_dir else kommune_dir.parent / "reference"
    tax = load_taxonomy()
    problems = ProblemCollector()
    own: dict[str, pd.DataFrame] = {}
    if report is None:
        from servicetjek import declaration

        report = declaration.report()
    required, optional = set(report.required_inputs()), set(report.optional_inputs())
    for name, filename in FILES.items():
        path = kommune_dir / filename
        if filename not in required | optional:
            continue
        if filename in optional and not path.exists():
            continue
        frame = problems.run(load_file, name, path, tax)
        if frame is not None:
            own[name] = frame
    if "benefit_costs" not in own and FILES["benefit_costs"] in optional - required:
        # a public-data report without the municipality's own costs: the national reference
        frame = problems.run(load_file, "benefit_costs", reference_dir / FILES["benefit_costs"], tax)
        if frame is not None:
            own["benefit_costs"] = frame
    forecast = problems.run(load_national_forecast, reference_dir / FORECAST_FILE)
    if forecast is not None:
        own["national_forecast"] = forecast
    problems.problems.extend(_cross_checks(kommune_dir, own))
    problems.raise_if_any()
    return own


# ------------------------------------------------------------------ small lookups for the chapters
def cost_by_group(benefit_costs: pd.DataFrame) -> pd.Series:
    """benefit_group -> kr per full-time person."""
    return benefit_costs.set_index("benefit_group")["kr_per_full_time_person"].astype(float)


def expenses_by_group(resources: pd.DataFrame) -> pd.Series:
    """target_group -> total expenses (1.000 kr), in file order."""
    return resources.groupby("target_group", sort=False)["expenses_1000kr"].sum()


def expenses_by_konto(resources: pd.DataFrame) -> pd.Series:
    """konto -> total expenses (1.000 kr)."""
    return resources.groupby("konto")["expenses_1000kr"].sum()


def unit_costs_own(resources: pd.DataFrame, persons: pd.DataFrame) -> pd.Series:
    """The municipality's unit costs (1.000 kr per full-time person), rows as in unit_costs.csv:
    each target group, 'samlet', the activity sub-lines and 'samlet_ekskl_puljer'."""
    fte = persons.set_index("target_group")["full_time_persons"].astype(float)
    spent = expenses_by_group(resources)
    out = (spent / fte.reindex(spent.index)).to_dict()
    total_fte = float(fte.reindex(spent.index).sum())
    out["samlet"] = float(spent.sum()) / total_fte
    by_activity = resources.groupby("activity")["expenses_1000kr"].sum()
    for line in ("virksomhedsindsats", "administration", "ledelse"):
        out[line] = float(by_activity.get(line, 0.0)) / total_fte
    own_funded = resources[resources["financing"] != "pulje"]["expenses_1000kr"].sum()
    out["samlet_ekskl_puljer"] = float(own_funded) / total_fte
    return pd.Series(out, name="unit_cost_1000kr")


def unit_cost_comparison(own: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per unit-cost row: the municipality, the other jobcentres' lowest, highest and unweighted mean,
    and the deviation from the mean (ratio). Rows in unit_costs.csv order."""
    mine = unit_costs_own(own["resources"], own["resource_persons"])
    others = own["unit_costs"]
    order = list(dict.fromkeys(others["target_group"]))
    stats = others.groupby("target_group")["unit_cost_1000kr"].agg(["min", "max", "mean", "count"]).reindex(order)
    stats.insert(0, "kommune", mine.reindex(order))
    stats["deviation"] = stats["kommune"] / stats["mean"] - 1
    return stats


def resources_values(own: dict[str, pd.DataFrame]) -> dict:
    """resources.total_1000kr / persons / konto5_1000kr / konto6_1000kr / konto5_share / konto6_share."""
    res = own["resources"]
    total = float(res["expenses_1000kr"].sum())
    by_konto = expenses_by_konto(res)
    return {
        "total_1000kr": total,
        "persons": float(own["resource_persons"]["full_time_persons"].sum()),
        **{f"konto{k}_1000kr": float(by_konto.get(k, 0.0)) for k in KONTI},
        **{f"konto{k}_share": float(by_konto.get(k, 0.0)) / total for k in KONTI},
    }


def budget_values(own: dict[str, pd.DataFrame]) -> dict:
    """budget.<benefit_group|i_alt>.<year> (full-time persons)."""
    wide = own["budget"].pivot_table(index="benefit_group", columns="year", values="full_time_persons",
                                     aggfunc="sum")
    out = {str(g): {int(y): float(v) for y, v in row.items()} for g, row in wide.iterrows()}
    out["i_alt"] = {int(y): float(v) for y, v in wide.sum().items()}
    return out


def unit_cost_values(own: dict[str, pd.DataFrame]) -> dict:
    """unit_costs.<kommune|mean|min|max|deviation>.<row> (rows as in unit_costs.csv; deviation a ratio)."""
    stats = unit_cost_comparison(own).dropna(subset=["kommune", "mean"])
    return {col: {row: float(v) for row, v in stats[col].items()} for col in ("kommune", "mean", "min", "max", "deviation")}
