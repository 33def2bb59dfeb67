"""Reading a structured CSV input against a pandera schema, with errors that point at cells.

Every own-figure CSV goes through `read_csv_checked`: a missing file, a missing
or misnamed column, an unparseable number and every failed schema check become
a Problem naming the file, the line, the column and the value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from servicetjek.errors import InputError, Problem
from servicetjek.validation import pandera_problems

HEADER_LINE = 1  # data row i (0-based) is on line i + 2


def _line(index: int) -> int:
    return int(index) + HEADER_LINE + 1


def _parse(text: str) -> float:
    """'12', '-0.4', '1.071,5' or '19,7' -> float; '' -> NaN."""
    text = text.strip()
    if text == "":
        return np.nan
    try:
        return float(text)
    except ValueError:
        from servicetjek.inputs.extracts import parse_number  # Danish decimal comma

        return parse_number(text)


def _numeric_kind(column: pa.Column) -> str | None:
    dtype = str(column.dtype)
    if dtype.startswith("int"):
        return "int"
    if dtype.startswith("float"):
        return "float"
    return None


def read_csv_checked(path: Path, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Read `path` (UTF-8, comma-separated, header row) and validate it with `schema`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(path, "filen mangler"))
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise InputError(Problem(path, f"kan ikke læses som CSV: {err}")) from None
    raw.columns = [str(c).strip() for c in raw.columns]

    expected = list(schema.columns)
    required = [c for c, col in schema.columns.items() if col.required]
    missing = [c for c in required if c not in raw.columns]
    extra = [c for c in raw.columns if c not in expected]
    problems = [Problem(path, f"kolonnen mangler; forventede kolonner: {', '.join(expected)}", row=HEADER_LINE,
                        column=c) for c in missing]
    if schema.strict:
        problems += [Problem(path, f"ukendt kolonne; forventede kolonner: {', '.join(expected)}", row=HEADER_LINE,
                             column=c) for c in extra]
    if problems:
        raise InputError(problems)

    frame = raw[[c for c in expected if c in raw.columns]].copy()
    for name, column in schema.columns.items():
        kind = _numeric_kind(column)
        if kind is None or name not in frame.columns:
            if name in frame.columns:
                frame[name] = frame[name].str.strip().replace("", None if column.nullable else "")
            continue
        values = []
        for index, text in frame[name].items():
            try:
                value = _parse(text)
            except ValueError:
                problems.append(Problem(path, "tallet kan ikke læses", row=_line(index), column=name, value=text))
                continue
            if kind == "int" and not np.isnan(value) and value != int(value):
                problems.append(Problem(path, "skal være et helt tal", row=_line(index), column=name, value=text))
            values.append(value)
        if problems:
            continue
        series = pd.Series(values, index=frame.index, dtype=float)
        if kind == "int" and not series.isna().any():
            series = series.astype(int)
        elif kind == "int":
            problems += [Problem(path, "værdien mangler", row=_line(i), column=name, value="")
                         for i in series[series.isna()].index]
        frame[name] = series
    if problems:
        raise InputError(problems)

    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        raise InputError(schema_problems(path, raw, err)) from None


def schema_problems(path: Path, raw: pd.DataFrame, err: pa.errors.SchemaErrors) -> list[Problem]:
    """Pandera's failure cases as Problems naming the line, the column and the cell's text."""
    def locate(index, column, failure):
        has_index = index is not None and not (isinstance(index, float) and np.isnan(index))
        if has_index and int(index) in raw.index:
            cell = raw.at[int(index), column] if column in raw.columns else failure
            return _line(int(index)), column, cell
        return None, column, failure

    return pandera_problems(path, err, locate)
