"""Property: every file the extract readers are given either reads into the tidy table or raises InputError,
never another exception. Generated: CSV (v2 / v3 with BOM), JSON and xlsx extracts built from the real
labels with hostile cells, the same files with bytes flipped or cut, and arbitrary bytes.

The budget is bounded for `make test` (200 files per format, derandomised: the same files every run). The
profile `long` (SERVICETJEK_HYPOTHESIS=long, what `make fuzz` runs) draws 33.334 random files per format,
100.002 in all; SERVICETJEK_HYPOTHESIS_EXAMPLES overrides the count per format of either profile.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicetjek.errors import InputError
from servicetjek.inputs.extracts import read_extract
from servicetjek.inputs.taxonomy import load as load_taxonomy

TAXONOMY = load_taxonomy(Path(__file__).resolve().parent.parent / "data" / "raw" / "reference" / "taxonomy.yaml")
PROFILES = {"default": 200, "long": 33_334}     # files per format; `long` is 100.002 over the three readers
PROFILE = os.environ.get("SERVICETJEK_HYPOTHESIS", "default")
if PROFILE not in PROFILES:
    raise ValueError(f"SERVICETJEK_HYPOTHESIS={PROFILE!r}; known profiles: {', '.join(PROFILES)}")
EXAMPLES = int(os.environ.get("SERVICETJEK_HYPOTHESIS_EXAMPLES", PROFILES[PROFILE]))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=PROFILE == "default",
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DIMS = TAXONOMY.dimension_columns
LABELS = (DIMS.area + DIMS.period + DIMS.benefit_group + list(TAXONOMY.sub_group_columns)
          + [label for m in TAXONOMY.measures for label in m.labels])
GROUP_LABELS = [label for g in TAXONOMY.benefit_groups for label in getattr(g, "labels", [])] or ["Dagpenge"]
NAMES = ["ptv_a02_x", "y60a02_x", "y38a02_x", "ukendt_x"]

header = st.lists(st.one_of(st.sampled_from(LABELS), st.text(max_size=12)), min_size=0, max_size=8)
text_cell = st.one_of(
    st.sampled_from(["Slagelse", "Hele landet", "2019M01", "2019Q04", "2019QMAT04", "2019", "2019M13", "..", "-",
                     "1.071,5", "19,9", "1e999", "inf", "NaN", "-40", "9" * 401, "", " ", "\x00", "Øvrige"]),
    st.sampled_from(GROUP_LABELS),
    st.text(max_size=20),
)
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=10**300, max_value=10**420),
                        st.floats(allow_nan=True, allow_infinity=True), text_cell)
json_cell = st.recursive(json_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4),
                                                                                                   inner, max_size=3),
                         max_leaves=6)


@st.composite
def csv_file(draw) -> bytes:
    cols = draw(header)
    rows = draw(st.lists(st.lists(text_cell, min_size=len(cols), max_size=len(cols)) |
                         st.lists(text_cell, max_size=len(cols) + 2), max_size=12))
    text = "\n".join(";".join(r) for r in [cols, *rows])
    data = ("\ufeff" if draw(st.booleans()) else "").encode() + text.encode("utf-8", errors="surrogatepass")
    return data


@st.composite
def json_file(draw) -> bytes:
    cols = draw(header)
    rows = draw(st.lists(st.lists(json_cell, min_size=len(cols), max_size=len(cols)) | json_cell, max_size=10))
    doc = draw(st.sampled_from([{"columns": cols, "rows": rows}, {"columns": cols}, rows, cols]))
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()), allow_nan=True)
    return text.encode("utf-8", errors="surrogatepass")


@st.composite
def xlsx_file(draw) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cols = draw(header)
    cell = st.one_of(text_cell, st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
                     st.none())
    rows = draw(st.lists(st.lists(cell, min_size=len(cols), max_size=len(cols) + 1), max_size=8))
    book = Workbook()
    sheet = book.active
    for row in [cols, *rows]:   # characters a worksheet cannot hold at all are left out
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    out = io.BytesIO()
    try:
        book.save(out)
    except Exception:                 # openpyxl refuses some strings outright: write a plain sheet instead
        out = io.BytesIO()
        Workbook().save(out)
    return _fixed_time(out.getvalue())


def _fixed_time(data: bytes) -> bytes:
    """The workbook with its save time fixed: the same example must give the same bytes (hypothesis
    replays it), and openpyxl stamps the time of saving into the zip and docProps/core.xml."""
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-01-01T00:00:00Z", src.read(info.filename))
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0)), member,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


@st.composite
def damaged(draw, files) -> bytes:
    """A generated file with bytes flipped, cut or inserted."""
    data = bytearray(draw(files))
    for _ in range(draw(st.integers(0, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@st.composite
def damaged_members(draw) -> bytes:
    """A valid zip whose sheet (or shared strings, styles, workbook) is damaged inside: the workbook
    opens and fails only while the sheet is read. Or the member's compressed bytes flipped (zlib.error,
    CRC error)."""
    import zipfile

    data = draw(xlsx_file())
    src = zipfile.ZipFile(io.BytesIO(data))
    names = [n for n in src.namelist() if n.startswith("xl/")]
    sheets = [n for n in names if n.startswith("xl/worksheets/")]
    target = draw(st.sampled_from(sorted(sheets) if sheets and draw(st.booleans()) else sorted(names)))
    if draw(st.booleans()):
        raw = bytearray(data)
        info = src.getinfo(target)
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        for _ in range(draw(st.integers(1, 4))):
            at = start + draw(st.integers(0, max(0, info.compress_size - 1)))
            raw[at] ^= draw(st.integers(1, 255))
        return bytes(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = src.read(info.filename)
            if info.filename == target:
                member = draw(damaged(st.just(member)))
            dst.writestr(info, member)
    return out.getvalue()


def _check(name: str, suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}{suffix}"
        path.write_bytes(data)
        try:
            frame = read_extract(path, TAXONOMY)
        except InputError as err:
            assert err.problems and all(str(p.file).endswith(path.name) for p in err.problems)
            return
        assert isinstance(frame, pd.DataFrame)
        assert frame["value"].dropna().map(lambda v: abs(v) < float("inf")).all()


@pytest.mark.parametrize("suffix, files", [(".csv", csv_file()), (".json", json_file()),
                                           (".xlsx", st.one_of(xlsx_file(), damaged_members()))],
                         ids=["csv", "json", "xlsx"])
def test_readers_raise_only_input_errors(suffix, files):
    @SETTINGS
    @given(name=st.sampled_from(NAMES), data=st.one_of(files, damaged(files), st.binary(max_size=2000)))
    def check(name, data):
        _check(name, suffix, data)

    check()
