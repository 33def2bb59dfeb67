"""Range checks at prepare (inputs/ranges.py): an absurd value is an error (exit 2, located); a possible but
odd one is a warning that prepare prints and keeps in warnings.json and meta.json for the report."""

from __future__ import annotations

import csv
import json

import pytest

from servicetjek.inputs import ranges


@pytest.fixture
def run(data_copy, monkeypatch, capsys):
    """`pipeline.py prepare --kommune <slug>` in-process against the private copy: (status, stdout, stderr)."""
    from servicetjek import config
    from servicetjek.cli import main

    root = data_copy.root
    for name, value in {"DATA_DIR": root, "RAW_DIR": root / "raw", "REFERENCE_DIR": root / "raw" / "reference",
                        "PROCESSED_DIR": root / "processed",
                        "TAXONOMY_FILE": root / "raw" / "reference" / "taxonomy.yaml"}.items():
        monkeypatch.setattr(config, name, value)

    def prepare(slug: str) -> tuple[int, str, str]:
        status = main(["prepare", "--kommune", slug])
        out = capsys.readouterr()
        return status, out.out, out.err

    return prepare


def _scale_budget(path, year: str, factor: float) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    for row in rows[1:]:
        if row[0] == year:
            row[2] = str(max(1, round(int(row[2]) * factor)))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _warnings(data_copy, slug: str) -> list[dict]:
    return json.loads((data_copy.processed / slug / "warnings.json").read_text(encoding="utf-8"))


def test_the_bundled_data_give_no_warning(prepared):
    assert prepared("slagelse").warnings == [] and prepared("naestved").warnings == []


def test_budget_far_from_the_actuals_is_a_warning(data_copy, run):
    _scale_budget(data_copy.raw / "naestved" / "budget.csv", "2020", 1 + ranges.BUDGET_WARN + 0.3)
    status, out, _ = run("naestved")
    assert status == 0
    assert "ADVARSEL" in out and "budget.csv" in out and "år 2020" in out and "pct. over" in out
    (warning,) = _warnings(data_copy, "naestved")
    assert warning["file"] == "raw/naestved/budget.csv" and warning["row"] == "år 2020"
    assert warning["column"] == "full_time_persons"
    meta = json.loads((data_copy.processed / "naestved" / "meta.json").read_text(encoding="utf-8"))
    assert meta["warnings"] == [warning["text"]]
    # and the report's Datagrundlag shows it, by file name and row, without a path
    from servicetjek import declaration
    from servicetjek.inputs import loader
    from servicetjek.publish.assemble import provenance_body

    report = declaration.report()
    body = provenance_body(loader.load("naestved", check=False), report, report.chapter("datagrundlag"))
    assert "Tal, der bør efterprøves" in body
    assert "budget.csv, år 2020, kolonne full_time_persons:" in body and "raw/" not in body


def test_budget_within_the_threshold_is_quiet(data_copy, run):
    _scale_budget(data_copy.raw / "naestved" / "budget.csv", "2020", 1 + ranges.BUDGET_WARN - 0.3)
    status, out, _ = run("naestved")
    assert status == 0 and "ADVARSEL" not in out and _warnings(data_copy, "naestved") == []


def test_absurd_budget_is_an_error(data_copy, run):
    _scale_budget(data_copy.raw / "naestved" / "budget.csv", "2021", 1 / (ranges.BUDGET_ABSURD * 2))
    status, _, err = run("naestved")
    assert status == 2 and "Traceback" not in err
    assert "budget.csv" in err and "år 2021" in err and "urimeligt" in err and "full_time_persons" in err
    assert list(data_copy.processed.iterdir()) == []


def test_odd_share_is_a_warning_with_its_row(data_copy, run):
    path = data_copy.raw / "slagelse" / "extracts" / "ptv_a02_slagelse-sammenligning_2014M01-2019M12.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("Slagelse;2019M05;Sygedagpenge;"))
    cells = lines[at].split(";")
    cells[-1] = "60,1"
    lines[at] = ";".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")
    status, out, _ = run("slagelse")
    assert status == 0 and "ADVARSEL" in out
    (warning,) = _warnings(data_copy, "slagelse")
    assert warning["row"] == at + 1 and warning["value"] == "60,1"
    assert warning["column"] == "Fuldtidspersoner i pct. af befolkningen 16-64 år"
