"""Readers for jobindsats extracts, on small files in every format the API delivers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from openpyxl import Workbook

from servicetjek.errors import InputError
from servicetjek.inputs.extracts import annualise, parse_number, parse_period, read_extract, read_extracts

HEADER_V2 = "Area;Periode;Ydelsesgrupper;Antal personer;Antal fuldtidspersoner;" \
            "Fuldtidspersoner i pct. af befolkningen 16-64 år"


def write(path, text, bom=False):
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def value(frame, **where):
    sel = frame
    for column, wanted in where.items():
        sel = sel[sel[column] == wanted]
    assert len(sel) == 1, sel
    return sel["value"].iloc[0]


@pytest.mark.parametrize("text, expected", [
    ("1.071,5", 1071.5), ("2,1", 2.1), ("9743", 9743.0), ("-0,4", -0.4), ("1.234.567", 1234567.0),
    (17, 17.0), (2.8, 2.8),
])
def test_parse_number_danish(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", None, "null", "-", ".."])
def test_parse_number_missing(text):
    assert np.isnan(parse_number(text))


@pytest.mark.parametrize("text", ["1,071.5", "abc", "1.07", "12,3,4"])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_parse_period_types():
    assert parse_period("2019M01") == ("M", 2019, 1)
    assert parse_period("2024Q04") == ("Q", 2024, 4)
    assert parse_period("2022QMAT04") == ("QMAT", 2022, 4)
    assert parse_period("2019") == ("Y", 2019, 0)
    with pytest.raises(ValueError):
        parse_period("2019M13")


def test_v2_csv_danish_numbers_and_nulls(tmp_path):
    path = write(tmp_path / "ptv_a02_test.csv", "\n".join([
        HEADER_V2,
        "Slagelse;2019M02;Integrationsydelse;;300;",        # unsorted, empty cells
        "Slagelse;2019M01;A-dagpenge;1.200;1.071,5;2,2",
    ]) + "\n")
    tidy = read_extract(path)
    assert set(tidy.columns) >= {"area", "period", "period_type", "benefit_group", "sub_group",
                                 "measure", "value", "source_file"}
    assert value(tidy, period="2019M01", benefit_group="dagpenge", measure="fuldtidspersoner") == 1071.5
    assert value(tidy, period="2019M01", benefit_group="dagpenge", measure="personer") == 1200
    assert value(tidy, period="2019M01", benefit_group="dagpenge", measure="andel_16_64") == 2.2
    # integrationsydelse is the old name of the canonical group
    assert value(tidy, period="2019M02", benefit_group="selvforsoergelse", measure="fuldtidspersoner") == 300
    assert np.isnan(value(tidy, period="2019M02", benefit_group="selvforsoergelse", measure="personer"))
    assert set(tidy["period_type"]) == {"M"}
    assert set(tidy["source_file"]) == {"ptv_a02_test.csv"}


def test_v3_csv_with_bom_and_subgroups(tmp_path):
    path = write(tmp_path / "y38a02_test.csv", "\n".join([
        "Område;Periode;Visitationskategori;Antal fuldtidspersoner",
        "Slagelse;2019;Uddannelsesparate;10,5",
        "Slagelse;2019;Åbenlyst uddannelsesparate;2",
        "Slagelse;2019;Aktivitetsparate;437",
    ]), bom=True)
    tidy = read_extract(path)
    assert set(tidy["benefit_group"]) == {"uddannelseshjaelp"}     # from the table id
    # two labels of one canonical sub-group add up
    assert value(tidy, sub_group="uddannelsesparat") == 12.5
    assert value(tidy, sub_group="aktivitetsparat") == 437
    assert set(tidy["area"]) == {"Slagelse"}                         # the BOM is not in the header


def test_v3_json_numbers_nulls_and_new_names(tmp_path):
    path = tmp_path / "ptv_a02_test.json"
    path.write_text(json.dumps({
        "columns": ["Periode", "Område", "Ydelsesgrupper", "Antal personer", "Antal fuldtidspersoner",
                    "Fuldtidspersoner i pct. af befolkningen 16-66 år"],
        "rows": [["2025M05", "Hele landet", "Ydelsesgrupper i alt", 101672, 83555, 2.8],
                 ["2025M05", "Hele landet", "Selvforsørgelses- og hjemrejseydelse", None, 1200.5, None]],
    }, ensure_ascii=False), encoding="utf-8")
    tidy = read_extract(path)
    assert value(tidy, benefit_group="i_alt", measure="fuldtidspersoner") == 83555
    assert value(tidy, benefit_group="i_alt", measure="andel_16_66") == 2.8
    assert value(tidy, benefit_group="selvforsoergelse", measure="fuldtidspersoner") == 1200.5
    assert np.isnan(value(tidy, benefit_group="selvforsoergelse", measure="personer"))


def test_xlsx_export(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER_V2.split(";"))
    sheet.append(["Næstved", "2018", "Førtidspension", 3600, 3490.5, 6.7])
    sheet.append(["Næstved", "2018", "Fleksjob", 1300, 1200, 2.3])
    path = tmp_path / "ptv_a02_test.xlsx"
    book.save(path)
    tidy = read_extract(path)
    assert value(tidy, benefit_group="foertidspension", measure="fuldtidspersoner") == 3490.5
    assert value(tidy, benefit_group="fleksjob", measure="andel_16_64") == 2.3
    assert set(tidy["period_type"]) == {"Y"}


def test_formats_agree(tmp_path):
    """The same figures in v2 CSV, v3 CSV, JSON and Excel give the same tidy table."""
    rows = [("Slagelse", "2019M01", "Sygedagpenge", "950", "951,3", "1,9")]
    write(tmp_path / "ptv_a02_a.csv", HEADER_V2 + "\n" + "\n".join(";".join(r) for r in rows))
    write(tmp_path / "ptv_a02_b.csv", HEADER_V2.replace("Area", "Område") + "\n"
          + "\n".join(";".join(r) for r in rows), bom=True)
    (tmp_path / "ptv_a02_c.json").write_text(json.dumps({
        "columns": HEADER_V2.replace("Area", "Område").split(";"),
        "rows": [["Slagelse", "2019M01", "Sygedagpenge", 950, 951.3, 1.9]]}), encoding="utf-8")
    book = Workbook()
    book.active.append(HEADER_V2.split(";"))
    book.active.append(["Slagelse", "2019M01", "Sygedagpenge", 950, 951.3, 1.9])
    book.save(tmp_path / "ptv_a02_d.xlsx")
    frames = [read_extract(tmp_path / name).drop(columns=["source_file", "row"])
              for name in ("ptv_a02_a.csv", "ptv_a02_b.csv", "ptv_a02_c.json", "ptv_a02_d.xlsx")]
    for other in frames[1:]:
        assert frames[0].equals(other)


def monthly_file(tmp_path, months, name="ptv_a02_m.csv", values=None):
    lines = [HEADER_V2]
    for month in months:
        fte = values[month] if values else 100 + month
        lines.append(f"Slagelse;2019M{month:02d};Fleksjob;{fte};{fte};1,0")
    return write(tmp_path / name, "\n".join(lines))


def test_monthly_becomes_annual_average(tmp_path):
    path = monthly_file(tmp_path, range(1, 13))
    annual = annualise(read_extract(path))
    fte = annual[(annual["measure"] == "fuldtidspersoner")]
    assert len(fte) == 1
    assert fte["year"].iloc[0] == 2019
    assert fte["value"].iloc[0] == pytest.approx(np.mean([100 + m for m in range(1, 13)]))


def test_missing_month_is_an_error_unless_allowed(tmp_path):
    path = monthly_file(tmp_path, [m for m in range(1, 13) if m != 5])
    tidy = read_extract(path)
    with pytest.raises(InputError) as err:
        annualise(tidy)
    assert "2019M05" in str(err.value) and "ptv_a02_m.csv" in str(err.value)
    annual = annualise(tidy, allow_missing_months=True)
    fte = annual[annual["measure"] == "fuldtidspersoner"]["value"].iloc[0]
    assert fte == pytest.approx(np.mean([100 + m for m in range(1, 13) if m != 5]))


def test_null_month_counts_as_missing(tmp_path):
    path = monthly_file(tmp_path, range(1, 13), values={m: ("" if m == 7 else 100) for m in range(1, 13)})
    with pytest.raises(InputError, match="2019M07"):
        annualise(read_extract(path))


# ---------------------------------------------------------------- bad input
def assert_problem(err, *parts):
    text = str(err.value)
    for part in parts:
        assert str(part) in text, text


def test_unparseable_number_names_file_row_column_value(tmp_path):
    path = write(tmp_path / "ptv_a02_bad.csv", "\n".join([
        HEADER_V2, "Slagelse;2019;Fleksjob;10;10;1,0", "Slagelse;2019;Førtidspension;3.460;12x;7,1"]))
    with pytest.raises(InputError) as err:
        read_extract(path)
    assert_problem(err, "ptv_a02_bad.csv", "række 3", "Antal fuldtidspersoner", "'12x'")


def test_unknown_benefit_group_label(tmp_path):
    path = write(tmp_path / "ptv_a02_bad.csv", HEADER_V2 + "\nSlagelse;2019;Borgerløn;10;10;1,0")
    with pytest.raises(InputError) as err:
        read_extract(path)
    assert_problem(err, "ptv_a02_bad.csv", "række 2", "Ydelsesgrupper", "Borgerløn", "ukendt ydelsesgruppe")


def test_misnamed_column(tmp_path):
    path = write(tmp_path / "ptv_a02_bad.csv", HEADER_V2.replace("Antal fuldtidspersoner", "Antal fuldtidspers")
                 + "\nSlagelse;2019;Fleksjob;10;10;1,0")
    with pytest.raises(InputError) as err:
        read_extract(path)
    assert_problem(err, "ptv_a02_bad.csv", "Antal fuldtidspers", "ukendt kolonne")


def test_missing_area_column(tmp_path):
    path = write(tmp_path / "ptv_a02_bad.csv", "Periode;Ydelsesgrupper;Antal fuldtidspersoner\n2019;Fleksjob;10")
    with pytest.raises(InputError) as err:
        read_extract(path)
    assert_problem(err, "ptv_a02_bad.csv", "mangler kolonnen", "Område")


def test_negative_count(tmp_path):
    path = write(tmp_path / "ptv_a02_bad.csv", HEADER_V2 + "\nSlagelse;2019;Fleksjob;10;-5;1,0")
    with pytest.raises(InputError) as err:
        read_extract(path)
    assert_problem(err, "ptv_a02_bad.csv", "række 2", "Antal fuldtidspersoner", "negativt", "'-5'")


def test_duplicate_row_in_file(tmp_path):
    row = "Slagelse;2019;Fleksjob;10;10;1,0"
    path = write(tmp_path / "ptv_a02_bad.csv", "\n".join([HEADER_V2, row, "Slagelse;2018;Fleksjob;9;9;1,0", row]))
    with pytest.raises(InputError) as err:
        read_extract(path)
    assert_problem(err, "ptv_a02_bad.csv", "række 4", "dubleret", "række 2")


def test_duplicate_rows_across_files(tmp_path):
    row = "Slagelse;2019;Fleksjob;10;10;1,0"
    a = write(tmp_path / "ptv_a02_a.csv", HEADER_V2 + "\n" + row)
    b = write(tmp_path / "ptv_a02_b.csv", HEADER_V2 + "\n" + row)
    with pytest.raises(InputError) as err:
        read_extracts([a, b])
    assert_problem(err, "ptv_a02_b.csv", "ptv_a02_a.csv", "dubleret")


def test_bad_json_shape(tmp_path):
    path = tmp_path / "ptv_a02_bad.json"
    path.write_text(json.dumps({"columns": ["Periode", "Område", "Ydelsesgrupper", "Antal fuldtidspersoner"],
                                "rows": [["2019", "Slagelse", "Fleksjob"]]}), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_extract(path)
    assert_problem(err, "ptv_a02_bad.json", "rows[0]")


def test_all_problems_reported_together(tmp_path):
    path = write(tmp_path / "ptv_a02_bad.csv", "\n".join([
        HEADER_V2, "Slagelse;2019;Borgerløn;10;10;1,0", "Slagelse;2019;Fleksjob;1O;10;1,0"]))
    with pytest.raises(InputError) as err:
        read_extract(path)
    assert len(err.value.problems) == 2


def test_same_file_in_two_folders_is_read_once_and_each_caller_gets_its_own_copy(tmp_path, monkeypatch):
    """A batch reads the national extracts (the same bytes in every municipality's folder) once per
    process; a changed file is read again, and a caller's changes never reach the next caller."""
    from servicetjek.inputs import extracts, read_once

    text = HEADER_V2 + "\nHele landet;2019M01;A-dagpenge;1.200;1.071,5;2,2\n"
    first = write((tmp_path / "a").mkdir() or tmp_path / "a" / "ptv_a02_hele-landet.csv", text)
    second = write((tmp_path / "b").mkdir() or tmp_path / "b" / "ptv_a02_hele-landet.csv", text)
    monkeypatch.setattr(read_once, "_READ_MEMO", type(read_once._READ_MEMO)())
    calls = []
    original = extracts._READERS[".csv"]
    monkeypatch.setitem(extracts._READERS, ".csv", lambda path: calls.append(path) or original(path))
    one = read_extract(first)
    one.loc[:, "value"] = -1.0                       # the caller's own copy
    two = read_extract(second)
    assert calls == [first]
    assert value(two, benefit_group="dagpenge", measure="fuldtidspersoner") == 1071.5
    write(second, text.replace("1.071,5", "1.000"))
    assert value(read_extract(second), benefit_group="dagpenge", measure="fuldtidspersoner") == 1000
    assert calls == [first, second]


def test_a_file_with_problems_is_not_kept(tmp_path, monkeypatch):
    from servicetjek.inputs import extracts, read_once

    path = write(tmp_path / "ptv_a02_test.csv", HEADER_V2 + "\nSlagelse;2019M01;A-dagpenge;x;1;2\n")
    monkeypatch.setattr(read_once, "_READ_MEMO", type(read_once._READ_MEMO)())
    calls = []
    original = extracts._READERS[".csv"]
    monkeypatch.setitem(extracts._READERS, ".csv", lambda path: calls.append(path) or original(path))
    for _ in range(2):
        with pytest.raises(InputError):
            read_extract(path)
    assert len(calls) == 2
