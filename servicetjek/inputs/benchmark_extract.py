"""Reader for STAR's benchmark, jobindsats table y30r21 (v2 CSV, v3 CSV, v3 JSON, xlsx).

"Forventet og faktisk antal og andel fuldtidspersoner på offentlig forsørgelse": per municipality and
period (QMAT: the 12 months up to a quarter), the number and share on public benefits expected from the
municipality's framework conditions (rammevilkår), the actual number and share, the difference (actual
minus expected) and the rank among the 98 municipalities (1 = fewest on benefits relative to expected).
Rows are broad groups ("Ydelsesgrupper i alt", "Kontanthjælp mv." …); they are never narrow groups.

Read into one wide table, `COLUMNS`: one row per (area, period, group).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from servicetjek.errors import InputError, Problem, ProblemCollector
from servicetjek.inputs.extracts import _READERS, MAX_EXTRACT_BYTES, SUFFIXES, parse_number, parse_period
from servicetjek.inputs.labels import LabelLog
from servicetjek.inputs.read_once import by_content
from servicetjek.inputs.taxonomy import Taxonomy, clean
from servicetjek.inputs.taxonomy import load as load_taxonomy

TABLE = "y30r21"
MEASURES = ["forventet", "faktisk", "forskel", "forventet_andel", "faktisk_andel", "forskel_pp", "placering"]
REQUIRED = ["forventet", "faktisk", "forventet_andel", "faktisk_andel"]
COLUMNS = ["area", "period", "year", "quarter", "group", *MEASURES, "source_file", "row"]
PERSON_TOLERANCE = 1.0     # persons: forskel = faktisk - forventet (rounded figures)
PP_TOLERANCE = 0.011       # pct.-points: forskel_pp = faktisk_andel - forventet_andel


def is_benchmark(path: Path | str, taxonomy: Taxonomy | None = None) -> bool:
    return (taxonomy or load_taxonomy()).table_id(Path(path).name) == TABLE


def _columns(path: Path, header: list[str], taxonomy: Taxonomy) -> dict[str, int]:
    dims = taxonomy.dimension_columns
    roles: dict[str, int] = {}
    problems = ProblemCollector()
    for index, label in enumerate(header):
        role = ("area" if label in dims.area else "period" if label in dims.period
                else "group" if label in dims.benefit_group else None)
        measure = taxonomy.benchmark_measure(label)
        key = role or (measure.id if measure else None)
        if key is None:
            problems.add(path, "ukendt kolonne i benchmark-tabellen (y30r21); forventede "
                         f"{[m.labels[0] for m in taxonomy.benchmark_measures]}", row=1, column=label)
        elif key in roles:
            problems.add(path, "kolonnen findes to gange", row=1, column=label)
        else:
            roles[key] = index
    for key in ("area", "period", "group", *REQUIRED):
        if key not in roles:
            names = {"area": dims.area[0], "period": dims.period[0], "group": dims.benefit_group[0]}
            wanted = names.get(key) or next(m.labels[0] for m in taxonomy.benchmark_measures if m.id == key)
            problems.add(path, f"mangler kolonnen {wanted!r}", row=1)
    problems.raise_if_any()
    return roles


@by_content(MAX_EXTRACT_BYTES)
def read_benchmark(path: Path | str, taxonomy: Taxonomy | None = None) -> pd.DataFrame:
    """One y30r21 extract -> the wide benchmark table. Broad groups only; other labels as in LabelLog."""
    path = Path(path)
    taxonomy = taxonomy or load_taxonomy()
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(Problem(path, f"ukendt filtype '{path.suffix}'; forventede {sorted(SUFFIXES)}"))
    header, rows, locs, _fmt = reader(path)
    header = [clean(h) for h in header]
    roles = _columns(path, header, taxonomy)
    problems = ProblemCollector()
    labels = LabelLog(path, taxonomy)
    records = []
    for cells, loc in zip(rows, locs):
        period = clean(cells[roles["period"]] or "")
        try:
            ptype, year, quarter = parse_period(period)
        except ValueError:
            ptype = None
        if ptype not in ("QMAT", "Y"):
            problems.add(path, "benchmark-perioden skal være en QMAT-periode, <år>QMAT<kvartal> (12 måneder til og med et kvartal)",
                         row=loc, column=header[roles["period"]], value=period)
            continue
        group = labels.benchmark_group(clean(cells[roles["group"]] or ""), loc, header[roles["group"]])
        if group is None:
            continue
        values = {}
        for measure in MEASURES:
            if measure not in roles:
                values[measure] = np.nan
                continue
            try:
                values[measure] = parse_number(cells[roles[measure]])
            except ValueError:
                problems.add(path, "tallet kan ikke læses", row=loc, column=header[roles[measure]],
                             value=cells[roles[measure]])
        records.append({"area": clean(cells[roles["area"]] or ""), "period": period, "year": year,
                        "quarter": quarter, "group": group, **values, "source_file": path.name, "row": loc})
    problems.problems += labels.problems()
    problems.raise_if_any()
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    _derive(frame)
    problems.problems += _consistency(path, frame)
    problems.raise_if_any()
    frame.attrs["set_aside"] = labels.aside
    return frame


def _derive(frame: pd.DataFrame) -> None:
    """A missing difference column is computed (faktisk minus forventet)."""
    frame["forskel"] = frame["forskel"].fillna(frame["faktisk"] - frame["forventet"])
    frame["forskel_pp"] = frame["forskel_pp"].fillna((frame["faktisk_andel"] - frame["forventet_andel"]).round(2))


def _consistency(path: Path, frame: pd.DataFrame) -> list[Problem]:
    """The file agrees with itself: differences, no duplicate rows, ranks 1..n once per period."""
    problems = []
    bad = frame[(frame["forskel"] - (frame["faktisk"] - frame["forventet"])).abs() > PERSON_TOLERANCE]
    for _, r in bad.iterrows():
        problems.append(Problem(path, f"forskellen er {r.forskel:g}, men faktisk - forventet er "
                                      f"{r.faktisk - r.forventet:g}", row=int(r.row), value=r.area))
    bad = frame[(frame["forskel_pp"] - (frame["faktisk_andel"] - frame["forventet_andel"])).abs() > PP_TOLERANCE]
    for _, r in bad.iterrows():
        problems.append(Problem(path, f"forskellen i andel er {r.forskel_pp:g}, men faktisk - forventet andel er "
                                      f"{r.faktisk_andel - r.forventet_andel:.2f}", row=int(r.row), value=r.area))
    dup = frame[frame.duplicated(["area", "period", "group"], keep=False)]
    for _, grp in dup.groupby(["area", "period", "group"]):
        problems.append(Problem(path, f"dubleret række (også række {int(grp['row'].iloc[0])})",
                                row=int(grp["row"].iloc[1]), value=" ".join(map(str, grp.iloc[0][["area", "period"]]))))
    ranked = frame.dropna(subset=["placering"])
    for period, grp in ranked.groupby("period"):
        if sorted(grp["placering"].astype(int)) != list(range(1, len(grp) + 1)):
            problems.append(Problem(path, f"placeringerne i {period} er ikke 1 til {len(grp)} én gang hver"))
    return problems


def read_benchmarks(paths: list[Path], taxonomy: Taxonomy | None = None) -> pd.DataFrame:
    """Several y30r21 extracts; overlapping periods must agree. attrs['set_aside'] as in read_extract."""
    taxonomy = taxonomy or load_taxonomy()
    problems = ProblemCollector()
    frames = [f for f in (problems.run(read_benchmark, p, taxonomy) for p in paths) if f is not None]
    problems.raise_if_any()
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    aside = [e for f in frames for e in f.attrs.get("set_aside", [])]
    table = pd.concat(frames, ignore_index=True)
    dup = table[table.duplicated(["area", "period", "group"], keep=False)]
    for _, grp in dup.groupby(["area", "period", "group"]):
        if grp[MEASURES].nunique(dropna=False).max() > 1:
            problems.add(grp["source_file"].iloc[1], f"{grp['area'].iloc[0]} {grp['period'].iloc[0]} "
                         f"har andre tal end i {grp['source_file'].iloc[0]}", row=int(grp["row"].iloc[1]))
    problems.raise_if_any()
    table = table.drop_duplicates(["area", "period", "group"]).sort_values(["period", "group", "area"],
                                                                          ignore_index=True)
    table.attrs["set_aside"] = aside
    return table


def coverage_problems(table: pd.DataFrame, area: str, folder: Path) -> list[Problem]:
    """The municipality must be in every period of the benchmark, with its rank."""
    if table.empty:
        return [Problem(folder, "benchmark-kapitlet mangler STAR's benchmark (y30r21); hent det med "
                                "`python pipeline.py fetch --kommune <navn> --tables y30r21`")]
    total = table[table["group"] == "i_alt"]
    problems = []
    for period, grp in total.groupby("period"):
        own = grp[grp["area"] == area]
        if own.empty:
            problems.append(Problem(folder, f"benchmarket for {period} har ingen række for {area} "
                                            "(Ydelsesgrupper i alt)"))
        elif own["placering"].isna().all():
            problems.append(Problem(folder, f"benchmarket for {period} har ingen placering for {area}"))
    if total.empty:
        problems.append(Problem(folder, "benchmarket har ingen rækker for 'Ydelsesgrupper i alt'"))
    return problems
