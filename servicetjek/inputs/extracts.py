"""Readers for jobindsats.dk extracts: v2 CSV, v3 CSV (BOM), v3 JSON and Excel.

Every format is read into the same tidy long table (`TIDY_COLUMNS`); labels
are mapped to canonical ids through the taxonomy. Monthly (and quarterly)
figures become annual averages in `annualise`.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from servicetjek.errors import InputError, Problem, ProblemCollector
from servicetjek.files import check_size
from servicetjek.inputs.labels import LabelLog, set_aside_note
from servicetjek.inputs.read_once import by_content
from servicetjek.inputs.taxonomy import Taxonomy, clean, norm
from servicetjek.inputs.taxonomy import load as load_taxonomy
from servicetjek.validation import pandera_problems

TIDY_COLUMNS = [
    "area", "period", "period_type", "year", "benefit_group", "sub_group",
    "measure", "value", "source_file", "row",
]
ANNUAL_COLUMNS = ["area", "year", "benefit_group", "sub_group", "measure", "value", "source_file"]
KEY = ["area", "period", "benefit_group", "sub_group", "measure"]
SUFFIXES = {".csv", ".json", ".xlsx"}
_EXTRA = ["group_label", "sub_label", "measure_label", "raw"]  # kept only to name bad cells

_PERIOD_PATTERNS = [
    ("QMAT", re.compile(r"^(\d{4})QMAT(\d{1,2})$")),
    ("M", re.compile(r"^(\d{4})M(\d{1,2})$")),
    ("Q", re.compile(r"^(\d{4})Q(\d{1,2})$")),
    ("Y", re.compile(r"^(\d{4})$")),
]
_SUBPERIODS = {"M": 12, "Q": 4}
_MISSING = {"", "-", "..", "null", "NULL", "nan", "NaN"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_NUMBER = 1e15  # no jobindsats figure comes near; larger is a broken file
# Caps: every municipality of Denmark for six years by month is about 4,5 MB and 90.000 rows.
MAX_EXTRACT_BYTES = 10_000_000
MAX_EXTRACT_ROWS = 200_000
MAX_XLSX_UNPACKED = 100_000_000    # a zip bomb is small on disk
SIZE_HINT = "; del udtrækket i flere filer"
# Danish number: optional sign, thousands dots in groups of three, decimal comma.
_DANISH_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_PLAIN_NUMBER = re.compile(r"-?\d{1,14}(,\d{1,10})?\Z")     # no thousands dot, no blanks: the fast path


# --------------------------------------------------------------------------
# Small parsers
# --------------------------------------------------------------------------
def parse_period(text: str) -> tuple[str, int, int]:
    """'2019M03' -> ('M', 2019, 3); '2019' -> ('Y', 2019, 0). ValueError if not a period."""
    return _parse_period(str(text).strip())


@functools.lru_cache(maxsize=4096)     # every row is parsed; an extract has a few hundred periods
def _parse_period(text: str) -> tuple[str, int, int]:
    for kind, pattern in _PERIOD_PATTERNS:
        match = pattern.match(text)
        if match:
            year = int(match.group(1))
            sub = int(match.group(2)) if match.lastindex and match.lastindex >= 2 else 0
            if kind == "M" and not 1 <= sub <= 12 or kind in ("Q", "QMAT") and not 1 <= sub <= 4:
                raise ValueError(text)
            return kind, year, sub
    raise ValueError(text)


def parse_number(value: object) -> float:
    """A cell as jobindsats writes it: JSON number, '1.071,5', '2,1', '' or null."""
    if value is None:
        return np.nan
    if isinstance(value, bool):
        raise ValueError(value)
    if type(value) is str and _PLAIN_NUMBER.match(value):    # most cells: '1071,5', '12'; always finite, < 1e15
        return float(value.replace(",", "."))
    if isinstance(value, (int, float, np.integer, np.floating)):
        try:
            number = float(value)
        except OverflowError:          # a 401-digit JSON integer
            raise ValueError(value) from None
    else:
        text = str(value).strip().replace("\u00a0", "")
        if text in _MISSING:
            return np.nan
        if not _DANISH_NUMBER.match(text) or len(text) > 40:
            raise ValueError(text)
        number = float(text.replace(".", "").replace(",", "."))
    if not np.isfinite(number) or abs(number) > MAX_NUMBER:   # JSON Infinity/NaN, 1e999
        raise ValueError(value)
    return number


# --------------------------------------------------------------------------
# Format-specific cell grids: (header, rows, locations, format name)
# --------------------------------------------------------------------------
BOM = b"\xef\xbb\xbf"


def csv_format(raw: bytes) -> str:
    """jobindsats's v3 CSV starts with a byte-order mark; v2's doesn't."""
    return "v3-csv" if raw.startswith(BOM) else "v2-csv"


def _read_csv(path: Path) -> tuple[list[str], list[list[object]], list[int], str]:
    check_size(path, MAX_EXTRACT_BYTES, SIZE_HINT)
    raw = path.read_bytes()
    fmt = csv_format(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(Problem(path, f"filen er ikke UTF-8 ({err.reason} ved byte {err.start})")) from None
    lines = text.splitlines()
    _check_rows(path, len(lines) - 1)
    if not lines or not lines[0].strip():
        raise InputError(Problem(path, "filen er tom eller mangler en overskriftsrække", row=1))
    header = [h.strip() for h in lines[0].split(";")]
    rows, locs = [], []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split(";")
        if len(cells) != len(header):
            raise InputError(Problem(
                path, f"rækken har {len(cells)} felter, overskriften {len(header)}", row=number, value=line))
        rows.append(cells)
        locs.append(number)
    return header, rows, locs, fmt


def _read_json(path: Path) -> tuple[list[str], list[list[object]], list[int], str]:
    check_size(path, MAX_EXTRACT_BYTES, SIZE_HINT)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as err:
        raise InputError(Problem(path, f"ugyldig JSON: {err.msg}", row=err.lineno)) from None
    except UnicodeDecodeError as err:
        raise InputError(Problem(path, f"filen er ikke UTF-8 ({err.reason} ved byte {err.start})")) from None
    except RecursionError:
        raise InputError(Problem(path, "ugyldig JSON: for dybt indlejret")) from None
    except ValueError as err:       # e.g. an integer over Python's digit limit
        raise InputError(Problem(path, f"ugyldig JSON: {err}")) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("columns"), list) or not isinstance(doc.get("rows"), list):
        raise InputError(Problem(path, 'forventede et objekt {"columns": [...], "rows": [[...]]}'))
    _check_rows(path, len(doc["rows"]))
    header = [str(h).strip() for h in doc["columns"]]
    rows, locs = [], []
    for index, row in enumerate(doc["rows"]):
        if not isinstance(row, list) or len(row) != len(header):
            raise InputError(Problem(
                path, f"rows[{index}] har ikke {len(header)} felter som 'columns'", row=index + 1, value=row))
        rows.append(row)
        locs.append(index + 1)
    return header, rows, locs, "v3-json"


def _read_xlsx(path: Path) -> tuple[list[str], list[list[object]], list[int], str]:
    import zipfile

    from openpyxl import load_workbook

    check_size(path, MAX_EXTRACT_BYTES, SIZE_HINT)
    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        unpacked = 0         # not a zip: openpyxl names what is wrong below
    if unpacked > MAX_XLSX_UNPACKED:
        raise InputError(Problem(path, f"Excel-filen fylder {unpacked / 1e6:.0f} MB udpakket; grænsen er "
                                       f"{MAX_XLSX_UNPACKED / 1e6:.0f} MB{SIZE_HINT}"))
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several types for a broken file
        raise InputError(Problem(path, f"kan ikke læse Excel-filen: {err}")) from None
    # A broken sheet fails only while it is read (BadZipFile, zlib.error, ParseError, TypeError,
    # IndexError, KeyError, ...): every one is a broken file, not a fault of the program.
    try:
        sheet = book.worksheets[0]
        grid = []
        for row in sheet.iter_rows(values_only=True):
            grid.append(row)
            if len(grid) > MAX_EXTRACT_ROWS + 1:
                break
    except Exception as err:  # noqa: BLE001
        raise InputError(Problem(path, f"kan ikke læse arket i Excel-filen ({type(err).__name__}: "
                                 f"{str(err)[:200]})")) from None
    finally:
        book.close()
    _check_rows(path, len(grid) - 1)
    if not grid:
        raise InputError(Problem(path, "arket er tomt", row=1))
    header = [str(h).strip() if h is not None else "" for h in grid[0]]
    while header and header[-1] == "":
        header.pop()
    rows, locs = [], []
    for number, row in enumerate(grid[1:], start=2):
        cells = list(row[: len(header)])
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        rows.append(cells)
        locs.append(number)
    return header, rows, locs, "xlsx"


def _check_rows(path: Path, rows: int) -> None:
    if rows > MAX_EXTRACT_ROWS:
        raise InputError(Problem(path, f"udtrækket har over {MAX_EXTRACT_ROWS:,} rækker{SIZE_HINT}".replace(",", "."),
                                 row=MAX_EXTRACT_ROWS + 2))


_READERS = {".csv": _read_csv, ".json": _read_json, ".xlsx": _read_xlsx}


# --------------------------------------------------------------------------
# Tidy schema (declarative checks on the long table)
# --------------------------------------------------------------------------
def _tidy_schema(taxonomy: Taxonomy) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "area": pa.Column(str, pa.Check.str_length(min_value=1)),
            "period": pa.Column(str),
            "period_type": pa.Column(str, pa.Check.isin(["M", "Q", "QMAT", "Y"])),
            "year": pa.Column(int, pa.Check.in_range(1990, 2100)),
            "benefit_group": pa.Column(str, pa.Check.isin(taxonomy.group_ids)),
            "sub_group": pa.Column(str),
            "measure": pa.Column(str, pa.Check.isin([m.id for m in taxonomy.measures])),
            "value": pa.Column(float, nullable=True),
            "source_file": pa.Column(str),
            "row": pa.Column(int),
        },
        strict=True,
    )


def _schema_problems(path: Path, frame: pd.DataFrame, err: pa.errors.SchemaErrors) -> list[Problem]:
    def locate(index, column, failure):
        if index is not None and index in frame.index:
            row = frame.loc[index]
            return int(row["row"]), (row["measure_label"] if column == "value" else str(column)), row["raw"]
        return None, str(column), failure

    return pandera_problems(path, err, locate)


# --------------------------------------------------------------------------
# One file -> tidy long table
# --------------------------------------------------------------------------
@by_content(MAX_EXTRACT_BYTES)
def read_extract(path: Path | str, taxonomy: Taxonomy | None = None) -> pd.DataFrame:
    """Read one extract in any supported format into the tidy long table."""
    path = Path(path)
    taxonomy = taxonomy or load_taxonomy()
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(Problem(path, f"ukendt filtype '{path.suffix}'; forventede {sorted(SUFFIXES)}"))
    if not path.is_file():
        raise InputError(Problem(path, "filen findes ikke"))
    header, rows, locs, _fmt = reader(path)

    problems = ProblemCollector()
    dims = taxonomy.dimension_columns
    roles: dict[str, int] = {}
    measures: list[tuple[int, str, str]] = []  # (column index, measure id, label)
    header = [clean(h) for h in header]
    for index, label in enumerate(header):
        role = None
        if label in dims.area:
            role = "area"
        elif label in dims.period:
            role = "period"
        elif label in dims.benefit_group:
            role = "benefit_group"
        elif label in taxonomy.sub_group_columns:
            role = "sub_group"
        if role:
            if role in roles:
                problems.add(path, "kolonnen findes to gange", row=1, column=label)
            roles[role] = index
            continue
        measure = taxonomy.measure(label)
        if measure is not None and any(m == measure.id for _, m, _ in measures):
            # one finding for the header, not a 'duplicate row' for every row of the file
            first = next(lab for _, m, lab in measures if m == measure.id)
            problems.add(path, "kolonnen findes to gange" + (f" (som '{first}')" if first != label else ""),
                         row=1, column=label)
        elif measure is None:
            problems.add(path, "ukendt kolonne; forventede områdekolonne "
                         f"{dims.area}, periode {dims.period}, ydelsesgruppe {dims.benefit_group}, "
                         f"visitation {taxonomy.sub_group_columns} eller et mål "
                         f"{[m.labels[0] for m in taxonomy.measures]}", row=1, column=label)
        else:
            measures.append((index, measure.id, label))
    for role, labels in (("area", dims.area), ("period", dims.period)):
        if role not in roles:
            problems.add(path, f"mangler kolonnen {labels[0]!r} (eller {labels[1:]})", row=1)
    table = taxonomy.table_id(path.name)
    fixed_group = taxonomy.tables.get(table)
    if "benefit_group" not in roles and fixed_group is None:
        problems.add(path, f"mangler kolonnen {dims.benefit_group[0]!r}, og tabellen '{table}' "
                     "hører ikke til én bestemt ydelsesgruppe", row=1)
    if not measures:
        problems.add(path, "ingen målkolonner (f.eks. 'Antal fuldtidspersoner')", row=1)
    if not rows:
        problems.add(path, "filen har ingen datarækker (kun overskriften)", row=2)
    problems.raise_if_any()

    records = []
    counts = taxonomy.count_measures
    # the same few periods repeat on every row: parse each once
    period_of = functools.lru_cache(maxsize=4096)(parse_period)
    labels = LabelLog(path, taxonomy)
    for cells, loc in zip(rows, locs):
        bad = next((i for i, c in enumerate(cells) if isinstance(c, str) and _CONTROL.search(c)), None)
        if bad is not None:     # a NUL or other control character would travel into the prepared tables
            problems.add(path, "feltet indeholder et kontroltegn", row=loc,
                         column=header[bad] if bad < len(header) else None, value=cells[bad])
            continue
        area = clean(cells[roles["area"]] or "")
        period_text = clean(cells[roles["period"]] or "")
        try:
            ptype, year, _sub = period_of(period_text)
        except ValueError:
            problems.add(path, "ukendt periode (forventede f.eks. 2019M01, 2019Q04, 2019QMAT04, 2019)",
                         row=loc, column=header[roles["period"]], value=period_text)
            continue
        group, label = fixed_group, ""
        if "benefit_group" in roles:
            label = clean(cells[roles["benefit_group"]] or "")
            group = labels.group(label, loc, header[roles["benefit_group"]])
            if group is None:
                continue
        sub, sub_label = "", ""
        if "sub_group" in roles:
            sub_label = clean(cells[roles["sub_group"]] or "")
            sub = labels.sub_group(group, sub_label, loc, header[roles["sub_group"]])
            if sub is None:
                continue
        for index, measure, mlabel in measures:
            try:
                value = parse_number(cells[index])
            except ValueError:
                problems.add(path, "tallet kan ikke læses (eller er ikke endeligt)", row=loc, column=mlabel,
                             value=cells[index])
                continue
            if measure in counts and value < 0:    # checked here: a frame-wide check named every column
                problems.add(path, "negativt antal", row=loc, column=mlabel, value=cells[index])
                continue
            if measure not in counts and not (np.isnan(value) or 0 <= value <= 100):
                problems.add(path, "andelen skal ligge mellem 0 og 100", row=loc, column=mlabel, value=cells[index])
                continue
            records.append((area, period_text, ptype, year, group, sub, measure, value,
                            path.name, loc, label, sub_label, mlabel, cells[index]))
    problems.problems += labels.problems()
    # no raise yet: the rows that did read are checked for duplicates and by the schema too

    frame = pd.DataFrame.from_records(records, columns=TIDY_COLUMNS + _EXTRA)
    frame["value"] = frame["value"].astype(float)
    frame["year"] = frame["year"].astype(int)
    frame["row"] = frame["row"].astype(int)
    for column in ("area", "period", "period_type", "benefit_group", "sub_group", "measure", "source_file"):
        frame[column] = frame[column].astype(str)

    # The same label twice for one key is a duplicate row.
    raw_key = ["area", "period", "group_label", "sub_label", "benefit_group", "sub_group", "measure"]
    dup = frame[frame.duplicated(raw_key, keep=False)]
    if not dup.empty:
        for _, grp in dup.groupby(raw_key, sort=False):
            first, *others = grp["row"].tolist()
            for other in others:
                problems.add(path, f"dubleret række (samme som række {first})", row=other,
                             column=grp["measure_label"].iloc[0],
                             value=f"{grp['area'].iloc[0]} {grp['period'].iloc[0]} "
                                   f"{grp['group_label'].iloc[0] or grp['benefit_group'].iloc[0]} {grp['sub_label'].iloc[0]}".strip())
    try:
        _tidy_schema(taxonomy).validate(frame.drop(columns=_EXTRA), lazy=True)
    except pa.errors.SchemaErrors as err:
        problems.problems += _schema_problems(path, frame, err)
    problems.raise_if_any()

    # Several labels for one canonical sub-group (uddannelsesparat + åbenlyst
    # uddannelsesparat) add up to it.
    # (vectorised: a Python lambda per group took most of prepare's time)
    agg = (frame.assign(missing=frame["value"].isna())
           .groupby(KEY + ["period_type", "year", "source_file"], sort=False, dropna=False)
           .agg(value=("value", "sum"), row=("row", "min"), missing=("missing", "any"))
           .reset_index())
    agg.loc[agg["missing"], "value"] = np.nan   # a sum with a missing part is missing
    out = agg[TIDY_COLUMNS].sort_values(["area", "benefit_group", "sub_group", "measure", "period"],
                                        ignore_index=True)
    out.attrs["set_aside"] = labels.aside
    return out


def read_extracts(paths: list[Path], taxonomy: Taxonomy | None = None,
                  areas: list[str] | None = None) -> pd.DataFrame:
    """Read several extracts; all problems in all files are reported together.

    Area names that differ from a name in `areas` only by case are written as in `areas`. Labels set
    aside (outside the report's scope, broad aggregates) are named in ONE note: `tidy.attrs["notes"]`.
    """
    taxonomy = taxonomy or load_taxonomy()
    problems = ProblemCollector()
    frames = [f for f in (problems.run(read_extract, p, taxonomy) for p in paths) if f is not None]
    problems.raise_if_any()
    if not frames:
        return pd.DataFrame(columns=TIDY_COLUMNS)
    aside = [entry for f in frames for entry in f.attrs.get("set_aside", [])]
    tidy = pd.concat(frames, ignore_index=True)
    if areas:
        canonical = {norm(a): a for a in areas}
        tidy["area"] = tidy["area"].map(lambda a: canonical.get(norm(a), a))
    dup = tidy[tidy.duplicated(KEY, keep=False)]
    for _, grp in dup.groupby(KEY, sort=False):
        first = grp.iloc[0]
        for _, other in grp.iloc[1:].iterrows():
            problems.add(other["source_file"], f"dubleret række: findes også i {first['source_file']} "
                         f"række {first['row']}", row=int(other["row"]), column=other["measure"],
                         value=f"{other['area']} {other['period']} {other['benefit_group']} {other['sub_group']}".strip())
    problems.raise_if_any()
    tidy.attrs["set_aside"] = aside
    tidy.attrs["notes"] = [set_aside_note(aside)] if aside else []
    return tidy


# --------------------------------------------------------------------------
# Monthly / quarterly -> annual
# --------------------------------------------------------------------------
def annualise(tidy: pd.DataFrame, allow_missing_months: bool = False) -> pd.DataFrame:
    """Annual values: Y as given, QMAT04 as given, M and Q averaged over the year.

    A year with missing months (or quarters, or null values) is an error unless
    `allow_missing_months`; then the mean of the months present is used.
    """
    problems = ProblemCollector()
    series_key = ["area", "year", "benefit_group", "sub_group", "measure"]
    parts = []

    direct = tidy[(tidy["period_type"] == "Y") | (tidy["period"].str.endswith("QMAT04"))]
    parts.append(direct)

    for ptype, expected in _SUBPERIODS.items():
        sub = tidy[tidy["period_type"] == ptype].copy()
        if sub.empty:
            continue
        sub["n"] = sub["period"].map(lambda p: parse_period(p)[2])
        present = sub.dropna(subset=["value"])
        # only series short of periods are looked at one by one
        have_n = present.groupby(series_key, sort=False)["n"].nunique()
        all_keys = sub.groupby(series_key, sort=False).size().index
        counted = have_n.reindex(all_keys, fill_value=0)
        short = counted[counted < expected].index
        flagged = sub[pd.MultiIndex.from_frame(sub[series_key]).isin(short)] if not allow_missing_months \
            else sub.iloc[:0]
        for key, grp in flagged.groupby(series_key, sort=False):
            have = set(present.loc[grp.index.intersection(present.index), "n"])
            missing = sorted(set(range(1, expected + 1)) - have)
            if missing and not allow_missing_months:
                label = "M" if ptype == "M" else "Q"
                names = ", ".join(f"{key[1]}{label}{m:02d}" for m in missing)
                problems.add(grp["source_file"].iloc[0],
                             f"året {key[1]} mangler {len(missing)} {'måned' if ptype == 'M' else 'kvartal'}(er): "
                             f"{names} for {key[0]}, {key[2]}{'/' + key[3] if key[3] else ''}, {key[4]} "
                             "(tillad med allow_missing_months: true i kommune.yaml)",
                             row=int(grp["row"].min()), column=key[4])
        mean = (present.groupby(series_key, sort=False)
                .agg(value=("value", "mean"), source_file=("source_file", "first"))
                .reset_index())
        parts.append(mean)
    problems.raise_if_any()

    annual = pd.concat([p[ANNUAL_COLUMNS] for p in parts if not p.empty], ignore_index=True) \
        if any(not p.empty for p in parts) else pd.DataFrame(columns=ANNUAL_COLUMNS)
    dup = annual[annual.duplicated(series_key, keep=False)]
    for _, grp in dup.groupby(series_key, sort=False):
        files = sorted(set(grp["source_file"]))
        problems.add(files[-1], f"året {grp['year'].iloc[0]} findes både som årstal og måneder/kvartaler "
                     f"(også i {files[0]})", column=grp["measure"].iloc[0],
                     value=f"{grp['area'].iloc[0]} {grp['benefit_group'].iloc[0]} {grp['sub_group'].iloc[0]}".strip())
    problems.raise_if_any()
    return annual.sort_values(series_key, ignore_index=True)
