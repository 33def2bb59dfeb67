"""A municipality with the opposite signs, made on disk from a bundled municipality's raw files (issue 10).

Every change over time is reflected: each monthly series of the comparison extracts (the municipality and its
comparison areas) is shifted by −2 × (its annual mean − its mean in the first status year), so every annual
mean v(y) becomes 2·v(y0) − v(y) — every difference between two status years changes sign, and sums (groups to
'I alt', visitation categories to their group) still hold, because the shift is linear. Before the first status
year each area's groups are scaled by the reflected total's ratio (the total reflects; no group turns negative). Unit costs, exit rates,
the budget path and the composition of costs are reflected so that every deviation changes sign:

- the other jobcentres' unit costs × (own ÷ mean)²: the new mean is own² ÷ mean;
- the exit rates of the municipality and of the klynge swap;
- each group's budget b(y) → b(y0)² ÷ b(y);
- the other jobcentres' activity shares → 2 × own share − theirs (still 100 in all).

The files keep their formats (CSV with ; and decimal comma, with or without BOM; JSON), so `prepare` reads
them as it reads the bundled ones.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import yaml

AREA = ("Area", "Område")
PERIOD = "Periode"
FTE = "Antal fuldtidspersoner"
PERSONS = "Antal personer"
SHARE = "Fuldtidspersoner i pct. af befolkningen 16-64 år"
TABLES = {"ptv_a02", "y60a02", "y38a02"}


def _num(value) -> float:
    return float(str(value).replace(",", ".")) if not isinstance(value, (int, float)) else float(value)


def _shifts(header: list[str], rows: list[list], first_year: int) -> dict[tuple, float]:
    """(area, key, year) -> the shift that reflects the series' annual mean around its first-year mean."""
    area = next(i for i, c in enumerate(header) if c in AREA)
    period, fte = header.index(PERIOD), header.index(FTE)
    key = next(i for i, c in enumerate(header) if c not in (*AREA, PERIOD, FTE, PERSONS, SHARE))
    months = defaultdict(list)
    for row in rows:
        months[(row[area], row[key], int(str(row[period])[:4]))].append(_num(row[fte]))
    mean = {k: sum(v) / len(v) for k, v in months.items()}
    shifts = {(a, k, y): round(-2 * (m - mean[(a, k, first_year)]), 1) for (a, k, y), m in mean.items()
              if y >= first_year}
    # Before the first status year only the total matters (the long run, Figur 1), and some groups were much
    # larger then: every group of the area is scaled by the total's reflected ratio, so no count turns negative.
    totals = {(a, y): m for (a, k, y), m in mean.items() if "i alt" in str(k).lower()}
    for a, k, y in mean:
        if y < first_year:
            ratio = (2 * totals[(a, first_year)] - totals[(a, y)]) / totals[(a, y)]
            shifts[(a, k, y)] = ("ratio", ratio)
    return shifts


def _reflect_rows(header: list[str], rows: list[list], first_year: int, decimal_comma: bool) -> list[list]:
    shifts = _shifts(header, rows, first_year)
    area = next(i for i, c in enumerate(header) if c in AREA)
    period, fte, persons, share = (header.index(c) for c in (PERIOD, FTE, PERSONS, SHARE))
    key = next(i for i, c in enumerate(header) if c not in (*AREA, PERIOD, FTE, PERSONS, SHARE))
    out = []
    for row in rows:
        row = list(row)
        old = _num(row[fte])
        shift = shifts[(row[area], row[key], int(str(row[period])[:4]))]
        # a tiny series ("Øvrige", 3 persons) can dip below 0 in a month; 0 keeps the sums within the tolerance
        new = max(0.0, round(old * shift[1] if isinstance(shift, tuple) else old + shift, 1))
        ratio = new / old if old else 1.0
        values = {fte: new, persons: round(_num(row[persons]) * ratio), share: round(_num(row[share]) * ratio, 1)}
        for index, value in values.items():
            row[index] = (f"{value:.1f}".replace(".", ",") if index != persons else str(value)) if decimal_comma \
                else value
        out.append(row)
    return out


def reflect_extract(path: Path, first_year: int) -> None:
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        data["rows"] = _reflect_rows(data["columns"], data["rows"], first_year, decimal_comma=False)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, rows = lines[0], [r for r in lines[1:] if r]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(_reflect_rows(header, rows, first_year, decimal_comma=True))
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))


def mirror(folder: Path, inp) -> None:
    """Rewrite data/raw/<slug>/ (a copy) in place: the opposite signs. `inp` is the same municipality's
    Inputs, read from the unchanged files (own unit costs and composition)."""
    from servicetjek.chapters import costs
    from servicetjek.inputs import owndata

    cfg = yaml.safe_load((folder / "kommune.yaml").read_text(encoding="utf-8"))
    first_year = int(cfg["years"]["status"][0])
    manifest = yaml.safe_load((folder / "extracts" / "PROVENANCE.yaml").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["table"] in TABLES and cfg["area"] in entry.get("areas", []):
            reflect_extract(folder / "extracts" / entry["file"], first_year)

    stats = owndata.unit_cost_comparison(inp.own)
    factor = (stats["kommune"] / stats["mean"]) ** 2
    units = pd.read_csv(folder / "unit_costs.csv")
    units["unit_cost_1000kr"] = (units["unit_cost_1000kr"] * units["target_group"].map(factor)).round(3)
    units.to_csv(folder / "unit_costs.csv", index=False)

    rates = pd.read_csv(folder / "exit_rates.csv")
    swap = {"kommune": "klynge_ekskl", "klynge_ekskl": "kommune"}
    rates["area_role"] = rates["area_role"].map(lambda r: swap.get(r, r))
    rates.to_csv(folder / "exit_rates.csv", index=False)

    budget = pd.read_csv(folder / "budget.csv")
    first = budget.sort_values("year").groupby("benefit_group")["full_time_persons"].transform("first")
    budget["full_time_persons"] = (first ** 2 / budget["full_time_persons"]).round()
    budget.to_csv(folder / "budget.csv", index=False)

    path = folder / "resource_comparison.csv"
    if path.is_file():
        own = costs.composition(inp.own).set_index("activity")["kommune_share_pct"]
        comp = pd.read_csv(path)
        activity = comp["dimension"] == "activity"
        keys = comp.loc[activity, "key"]
        comp.loc[activity, "share_pct"] = (2 * keys.map(own) - comp.loc[activity, "share_pct"]).round(1)
        assert (comp["share_pct"] >= 0).all()
        comp.to_csv(path, index=False)
