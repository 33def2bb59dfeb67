"""`python pipeline.py prepare`: good inputs are written whole; every bad input exits 2 and writes nothing."""

from __future__ import annotations

import json
import re

import pandas as pd
import yaml
from conftest import tree_digest


def test_prepare_naestved_writes_processed(data_copy):
    run = data_copy.pipeline("prepare", "--kommune", "Næstved")
    assert run.returncode == 0, run.stderr
    out = data_copy.processed / "naestved"
    for name in ("extracts.csv", "annual.csv", "population.csv", "provenance.csv", "meta.json"):
        assert (out / name).is_file(), name
    tidy = pd.read_csv(out / "extracts.csv", keep_default_na=False)
    assert list(tidy.columns) == ["area", "period", "period_type", "year", "benefit_group", "sub_group",
                                  "measure", "value", "source_file"]
    assert {"Næstved", "Hele landet"} <= set(tidy["area"])
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["slug"] == "naestved" and meta["constructed_inputs"] is True
    # no temporary folders left beside the output
    assert [p.name for p in data_copy.processed.iterdir()] == ["naestved"]


def test_prepare_all_bundled(data_copy):
    run = data_copy.pipeline("prepare", "--all")
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in data_copy.processed.iterdir()) == ["naestved", "slagelse"]


def test_provenance_tells_constructed_from_published(data_copy):
    assert data_copy.pipeline("prepare", "--kommune", "Slagelse").returncode == 0
    prov = pd.read_csv(data_copy.processed / "slagelse" / "provenance.csv", keep_default_na=False)
    assert set(prov["kind"]) == {"published", "constructed"}
    assert prov["provenance"].str.match(r"^(published: .*\.txt|constructed: .+)").all()


# ------------------------------------------------------------------ bad input
def assert_rejected(data_copy, slug, *expected, args=None):
    """Exit 2, the message names what is wrong, nothing written, raw data untouched."""
    before_raw = tree_digest(data_copy.raw)
    run = data_copy.pipeline("prepare", "--kommune", slug, *(args or []))
    assert run.returncode == 2, (run.stdout, run.stderr)
    for part in expected:
        assert part in run.stderr, f"{part!r} not in:\n{run.stderr}"
    assert not (data_copy.processed / slug).exists()
    assert list(data_copy.processed.iterdir()) == []
    assert tree_digest(data_copy.raw) == before_raw
    return run.stderr


def test_unknown_municipality_lists_known(data_copy):
    assert_rejected(data_copy, "Kalundborg", "Kalundborg", "Slagelse", "Næstved")


def test_missing_file(data_copy):
    (data_copy.raw / "naestved" / "population.csv").unlink()
    assert_rejected(data_copy, "naestved", "population.csv", "mangler")


def test_missing_extract_listed_in_provenance(data_copy):
    path = data_copy.extract("naestved", "xlsx")
    path.unlink()
    assert_rejected(data_copy, "naestved", path.name, "mangler")


def test_misnamed_column(data_copy):
    path = data_copy.extract("slagelse", "v2-csv")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Antal fuldtidspersoner", "Antal fuldtidsperson", 1), encoding="utf-8")
    assert_rejected(data_copy, "slagelse", path.name, "Antal fuldtidsperson", "ukendt kolonne")


def _edit_line(path, line_no, edit):
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    lines[line_no - 1] = edit(lines[line_no - 1])
    bom = path.read_bytes().startswith(b"\xef\xbb\xbf")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode("utf-8"))
    return lines


def _replace_field(line, index, value):
    cells = line.split(";")
    cells[index] = value
    return ";".join(cells)


def _column(path, label):
    header = path.read_text(encoding="utf-8-sig").split("\n")[0].split(";")
    return header.index(label)


def test_unparseable_number_names_file_row_column_value(data_copy):
    path = data_copy.extract("slagelse", "v2-csv")
    col = _column(path, "Antal fuldtidspersoner")
    _edit_line(path, 5, lambda line: _replace_field(line, col, "12x,5"))
    assert_rejected(data_copy, "slagelse", path.name, "række 5", "Antal fuldtidspersoner", "12x,5")


def test_unknown_benefit_group_label(data_copy):
    path = data_copy.extract("slagelse", "v2-csv")
    col = _column(path, "Ydelsesgrupper")
    _edit_line(path, 7, lambda line: _replace_field(line, col, "Borgerløn"))
    assert_rejected(data_copy, "slagelse", path.name, "række 7", "Borgerløn", "ukendt ydelsesgruppe")


def test_duplicate_rows(data_copy):
    path = data_copy.extract("slagelse", "v2-csv")
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    path.write_text("\n".join(lines + [lines[3]]) + "\n", encoding="utf-8")
    assert_rejected(data_copy, "slagelse", path.name, "dubleret", f"række {len(lines) + 1}")


def test_negative_count(data_copy):
    path = data_copy.extract("slagelse", "v2-csv")
    col = _column(path, "Antal personer")
    _edit_line(path, 9, lambda line: _replace_field(line, col, "-40"))
    assert_rejected(data_copy, "slagelse", path.name, "række 9", "Antal personer", "negativt", "-40")


def test_year_with_missing_month(data_copy):
    path = data_copy.extract("slagelse", "v2-csv")
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    kept = [line for line in lines if "2018M05" not in line]
    assert len(kept) < len(lines)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert_rejected(data_copy, "slagelse", path.name, "2018M05", "allow_missing_months")


def test_missing_month_allowed_when_configured(data_copy):
    path = data_copy.extract("slagelse", "v2-csv")
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    path.write_text("\n".join(line for line in lines if "2015M05" not in line) + "\n", encoding="utf-8")
    cfg = data_copy.raw / "slagelse" / "kommune.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("allow_missing_months: false",
                                                           "allow_missing_months: true"), encoding="utf-8")
    run = data_copy.pipeline("prepare", "--kommune", "Slagelse")
    assert run.returncode == 0, run.stderr


def test_catalogue_entry_missing_field(data_copy):
    path = data_copy.raw / "slagelse" / "proposals.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = doc["proposals"][0]
    del first["certainty"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert_rejected(data_copy, "slagelse", "proposals.yaml", first["id"], "certainty")


def test_failed_prepare_keeps_previous_output(data_copy):
    assert data_copy.pipeline("prepare", "--kommune", "Næstved").returncode == 0
    before = tree_digest(data_copy.processed / "naestved")
    (data_copy.raw / "naestved" / "population.csv").unlink()
    run = data_copy.pipeline("prepare", "--kommune", "Næstved")
    assert run.returncode == 2
    assert tree_digest(data_copy.processed / "naestved") == before
    assert sorted(p.name for p in data_copy.processed.iterdir()) == ["naestved"]


def test_inconsistent_total_is_rejected(data_copy):
    """'I alt' that is not the sum of the groups is caught."""
    path = data_copy.extract("slagelse", "v2-csv")
    group, fte = _column(path, "Ydelsesgrupper"), _column(path, "Antal fuldtidspersoner")
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(";")
        if cells[group] == "Ydelsesgrupper i alt" and re.search(r"2019M0[1-9]", line):
            value = float(cells[fte].replace(",", "."))
            cells[fte] = f"{value + 600:.1f}".replace(".", ",")
            lines[i] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_rejected(data_copy, "slagelse", "I alt", "2019")


# ------------------------------------------------------------------ national forecast coverage
def _set_scenario_years(data_copy, slug, years):
    path = data_copy.raw / slug / "kommune.yaml"
    text = path.read_text(encoding="utf-8")
    old = re.search(r"scenario: \[[^\]]*\]", text).group(0)
    path.write_text(text.replace(old, f"scenario: [{', '.join(map(str, years))}]"), encoding="utf-8")


def test_forecast_not_covering_scenario_years_is_rejected_at_prepare(data_copy):
    """oer_2020_aug ends in 2022: scenario years 2021-2023 miss 2023 -> exit 2 naming id and year (not a
    KeyError in build)."""
    _set_scenario_years(data_copy, "slagelse", [2021, 2022, 2023])
    budget = data_copy.raw / "slagelse" / "budget.csv"
    lines = budget.read_text(encoding="utf-8").splitlines()
    shifted = [lines[0]] + [line.replace("2022,", "2023,", 1).replace("2021,", "2022,", 1).replace("2020,", "2021,", 1)
                            for line in lines[1:]]
    budget.write_text("\n".join(shifted) + "\n", encoding="utf-8")
    catalogue = data_copy.raw / "slagelse" / "proposals.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace("2020:", "2023:"), encoding="utf-8")
    err = assert_rejected(data_copy, "slagelse", "oer_2020_aug", "dækker ikke scenarieårene", "2023",
                          "national_forecast.csv")
    assert "KeyError" not in err and "Traceback" not in err
    missing_line = [line for line in err.splitlines() if "oer_2020_aug" in line][0]
    assert "mangler ændringen ind i 2023 " in missing_line and "2021," not in missing_line.split("mangler")[1][:30]


def test_unknown_forecast_id_is_rejected_with_known_ids(data_copy):
    path = data_copy.raw / "naestved" / "kommune.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("national_forecast: constructed_2019",
                                                             "national_forecast: fm_2030"), encoding="utf-8")
    assert_rejected(data_copy, "naestved", "fm_2030", "findes ikke", "oer_2020_aug", "constructed_2019")
