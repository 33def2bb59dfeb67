"""Reading a structured CSV input against a pandera schema, with errors that point at cells.

Every own-figure CSV goes through `read_csv_checked`: a missing file, a missing
or misnamed column, an unparseable number and every failed schema check become
a Problem naming the file, the line, the column and the value.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from servicetjek.errors import InputError, Problem
from servicetjek.files import check_size
from servicetjek.validation import pandera_problems

HEADER_LINE = 1  # data row i (0-based) is on line i + 2
MAX_NUMBER = 1e15      # above every real figure; keeps int64 and the Danish formatting exact
CONTROL = r"[\x00-\x08\x0b-\x1f\x7f]"  # NUL and friends would travel into the prepared tables
# The own figures are short tables (the largest bundled: 39 kB, 400 rows); far larger is a wrong file.
MAX_CSV_BYTES = 5_000_000
MAX_CSV_ROWS = 50_000


def _line(index: int) -> int:
    return int(index) + HEADER_LINE + 1


def _parse(text: str) -> float:
    """'12', '-0.4', '1.071,5' or '19,7' -> float; '' -> NaN. 'inf', 'nan', '1e999' or a 401-digit
    number are ValueErrors: a non-finite number would pass every range check and break the chapters."""
    text = text.strip()
    if text == "":
        return np.nan
    try:
        value = float(text)
    except ValueError:
        from servicetjek.inputs.extracts import parse_number  # Danish decimal comma

        value = parse_number(text)
    if not np.isfinite(value):
        raise ValueError(text)
    return value


def _numeric_kind(column: pa.Column) -> str | None:
    dtype = str(column.dtype)
    if dtype.startswith("int"):
        return "int"
    if dtype.startswith("float"):
        return "float"
    return None


def _field_problems(path: Path) -> list[Problem]:
    """Every row whose number of fields differs from the header's (pandas would turn extra fields into
    an index or drop them, and fill missing ones)."""
    import csv

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return []           # reported by the reader
    records = list(csv.reader(io.StringIO(text)))
    if not records:
        return []
    width = len(records[0])
    return [Problem(path, f"rækken har {len(cells)} felter, overskriften {width}", row=number,
                    value=",".join(cells)[:200])
            for number, cells in enumerate(records[1:], start=HEADER_LINE + 1) if cells and len(cells) != width]


def read_csv_checked(path: Path, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Read `path` (UTF-8, comma-separated, header row) and validate it with `schema`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(path, "filen mangler"))
    check_size(path, MAX_CSV_BYTES)
    try:
        # index_col=False: a row with extra fields is an error, not silently turned into an index
        with warnings.catch_warnings():     # a row of the wrong width is reported below, by line
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", index_col=False)
    except pd.errors.EmptyDataError:
        raise InputError(Problem(path, "filen er tom (ingen overskriftsrække)", row=HEADER_LINE)) from None
    except UnicodeDecodeError as err:
        raise InputError(Problem(path, f"filen er ikke UTF-8 ({err.reason} ved byte {err.start})")) from None
    except (pd.errors.ParserError, ValueError, OverflowError, MemoryError) as err:
        raise InputError(Problem(path, f"kan ikke læses som CSV: {err}")) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    if len(raw) > MAX_CSV_ROWS:
        raise InputError(Problem(path, f"filen har over {MAX_CSV_ROWS:,} rækker".replace(",", "."),
                                 row=_line(MAX_CSV_ROWS)))
    problems = _field_problems(path)
    if problems:
        raise InputError(problems)

    expected = list(schema.columns)
    required = [c for c, col in schema.columns.items() if col.required]
    missing = [c for c in required if c not in raw.columns]
    extra = [c for c in raw.columns if c not in expected]
    problems += [Problem(path, f"kolonnen mangler; forventede kolonner: {', '.join(expected)}", row=HEADER_LINE,
                        column=c) for c in missing]
    if schema.strict:
        problems += [Problem(path, f"ukendt kolonne; forventede kolonner: {', '.join(expected)}", row=HEADER_LINE,
                             column=c) for c in extra]
    if raw.empty:
        problems.append(Problem(path, "filen har ingen datarækker (kun overskriften)", row=HEADER_LINE + 1))
    for column in raw.columns:
        for index, text in raw[column][raw[column].str.contains(CONTROL, regex=True, na=False)].items():
            problems.append(Problem(path, "feltet indeholder et kontroltegn", row=_line(index), column=column,
                                    value=text))
    if problems:
        raise InputError(problems)

    frame = raw[[c for c in expected if c in raw.columns]].copy()
    bad_rows: set = set()          # rows with an unreadable number: left out of the schema checks below
    for name, column in schema.columns.items():
        kind = _numeric_kind(column)
        if kind is None or name not in frame.columns:
            if name in frame.columns:
                frame[name] = frame[name].str.strip().replace("", None if column.nullable else "")
            continue
        values = []
        for index, text in frame[name].items():
            problem, value = _number_problem(path, text, kind, (_line(index), name))
            if problem is not None:
                problems.append(problem)
                bad_rows.add(index)
            values.append(value)
        frame[name] = pd.Series(values, index=frame.index, dtype=float)
    frame = frame.drop(index=sorted(bad_rows))
    for name, column in schema.columns.items():
        if _numeric_kind(column) == "int" and name in frame.columns:
            missing = frame[name].isna()
            problems += [Problem(path, "værdien mangler", row=_line(i), column=name, value="")
                         for i in frame.index[missing]]
            frame = frame[~missing].copy()
            frame[name] = frame[name].astype(int)
    # every problem at once: the rows that did read are checked against the schema too
    try:
        checked = schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        problems += schema_problems(path, raw, err)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row if isinstance(p.row, int) else 0, str(p.column))))
    return checked


def _number_problem(path: Path, text: str, kind: str, where: tuple[int, str]) -> tuple[Problem | None, float]:
    """The cell's number, or the problem with it (and NaN)."""
    line, name = where
    try:
        value = _parse(text)
    except ValueError:
        return Problem(path, "tallet kan ikke læses (eller er ikke endeligt)", row=line, column=name,
                       value=text), np.nan
    if abs(value) > MAX_NUMBER:
        return Problem(path, "tallet er urimeligt stort", row=line, column=name, value=text), np.nan
    if kind == "int" and not np.isnan(value) and value != int(value):
        return Problem(path, "skal være et helt tal", row=line, column=name, value=text), np.nan
    return None, value


def schema_problems(path: Path, raw: pd.DataFrame, err: pa.errors.SchemaErrors) -> list[Problem]:
    """Pandera's failure cases as Problems naming the line, the column and the cell's text."""
    def locate(index, column, failure):
        has_index = index is not None and not (isinstance(index, float) and np.isnan(index))
        if has_index and int(index) in raw.index:
            cell = raw.at[int(index), column] if column in raw.columns else failure
            return _line(int(index)), column, cell
        return None, column, failure

    return pandera_problems(path, err, locate)
