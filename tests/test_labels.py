"""Real jobindsats label sets: every label of ptv_a02, the kontanthjælp table and y38a02 is mapped, set
aside with one note, or (if unknown) an error naming it once with its rows and the nearest known label."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicetjek.errors import InputError
from servicetjek.inputs.extracts import read_extract, read_extracts
from servicetjek.inputs.taxonomy import load as load_taxonomy

FIXTURES = Path(__file__).parent / "fixtures" / "labels"
FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in {".csv", ".json"})
OUT_OF_SCOPE = ["Efterløn", "Seniorpension", "Tidlig pension", "Fleksydelse", "Folkepension",
                "Alle uddannelsesparate"]
HEADER = "Area;Periode;Ydelsesgrupper;Antal fuldtidspersoner"


def fte(tidy, **where):
    sel = tidy[tidy["measure"] == "fuldtidspersoner"]
    for column, wanted in where.items():
        sel = sel[sel[column] == wanted]
    return sel


def test_full_label_sets_read_into_tidy_table_with_one_note():
    tidy = read_extracts(FILES, areas=["Slagelse", "Hele landet"])
    tax = load_taxonomy()
    # every narrow group of the report is there, in both months, for the one area (SLAGELSE -> Slagelse)
    assert set(tidy["area"]) == {"Slagelse"}
    assert set(fte(tidy, sub_group="")["benefit_group"]) == set(tax.group_ids)
    assert len(fte(tidy, sub_group="", benefit_group="foertidspension")) == 2     # " Førtidspension " too
    assert len(fte(tidy, sub_group="", benefit_group="uddannelseshjaelp")) == 2   # NFD spelling too
    assert fte(tidy, benefit_group="revalidering")["value"].tolist() == [120, 120]  # Forrevalidering og …
    # the API's new names
    assert fte(tidy, benefit_group="selvforsoergelse")["value"].tolist() == [200, 200]
    assert set(fte(tidy, benefit_group="kontanthjaelp")["sub_group"]) == {"", "jobparat", "aktivitetsparat", "oevrige"}
    # uddannelsesparat + åbenlys uddannelsesparat = 400 (= "Alle uddannelsesparate", which is set aside)
    assert fte(tidy, benefit_group="uddannelseshjaelp", sub_group="uddannelsesparat")["value"].tolist() == [400, 400]
    # ONE note, naming every label set aside, none twice
    notes = tidy.attrs["notes"]
    assert len(notes) == 1
    for label in OUT_OF_SCOPE:
        assert f"'{label}'" in notes[0], (label, notes[0])
        assert notes[0].count(f"'{label}'") == 1
    assert "2 rækker" in notes[0]
    # nothing out of scope leaks into a group, and the groups add up to "I alt"
    whole = fte(tidy, sub_group="", period="2021M01").set_index("benefit_group")["value"]
    assert whole["i_alt"] == whole.drop("i_alt").sum()


def test_every_label_names_its_source():
    tax = load_taxonomy()
    for label in ["Efterløn", "Seniorpension", "Tidlig pension", "Forrevalidering og revalidering",
                  "Uoplyst visitationskategori", "Åbenlys uddannelsesparat", "Kontanthjælp mv.",
                  "Sygedagpenge mv.", "A-dagpenge mv.", "Ydelsesgrupper i alt"]:
        source = tax.source_of(label)
        assert source and ("API" in source or "jobindsats" in source), (label, source)


@pytest.mark.parametrize("label, aggregate", [("Kontanthjælp mv.", "kontanthjaelp_mv"),
                                              ("Sygedagpenge mv.", "sygedagpenge_mv"),
                                              ("A-dagpenge mv.", "a_dagpenge_mv")])
def test_broad_aggregate_is_its_own_group_never_a_narrow_one(tmp_path, label, aggregate):
    tax = load_taxonomy()
    assert tax.group_id(label) is None
    assert tax.classify_group(label) == ("aggregate", aggregate)
    path = tmp_path / "ptv_a02_agg.csv"
    path.write_text(f"{HEADER}\nSlagelse;2021M01;{label};999\nSlagelse;2021M01;Kontanthjælp;1500\n", encoding="utf-8")
    tidy = read_extracts([path])
    assert fte(tidy)["value"].tolist() == [1500]                 # 999 landed nowhere
    assert "bredt aggregat" in tidy.attrs["notes"][0] and f"'{label}'" in tidy.attrs["notes"][0]


def test_unknown_label_named_once_with_rows_and_suggestion(tmp_path):
    path = tmp_path / "ptv_a02_bad.csv"
    rows = [f"Slagelse;2021M{m:02d};Kontanthjaelp i alt;{m}" for m in range(1, 13)]
    path.write_text("\n".join([HEADER, *rows, "Slagelse;2021M01;Førtidspensjon;5"]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_extract(path)
    problems = err.value.problems
    assert len(problems) == 2                                     # one per label, not one per row
    first = next(p for p in problems if p.value == "Kontanthjaelp i alt")
    assert "række 2, 3, 4" in first.message and "12 rækker i alt" in first.message
    assert "mente du 'Kontanthjælp'" in first.message
    second = next(p for p in problems if p.value == "Førtidspensjon")
    assert "række 14" in second.message and "mente du 'Førtidspension'" in second.message


def test_unknown_visitation_label_suggests_nearest(tmp_path):
    path = tmp_path / "y38a02_bad.csv"
    path.write_text("Area;Periode;Visitationskategori;Antal fuldtidspersoner\n"
                    "Slagelse;2021M01;Åbenlyst udannelsesparat;5\n", encoding="utf-8")
    with pytest.raises(InputError, match="mente du 'Åbenlyst uddannelsesparat'"):
        read_extract(path)


def test_prepare_names_labels_set_aside_in_one_note(data_copy):
    """A real ptv_a02 carries Efterløn, Seniorpension, Tidlig pension: prepare passes, prints ONE note
    naming them, and keeps it in meta.json; the published numbers are untouched."""
    import json

    path = next((data_copy.raw / "slagelse" / "extracts").glob("ptv_a02_*.csv"))
    extra = ["Slagelse;2019M01;Efterløn;900;850,0;1,7", "Slagelse;2019M02;Efterløn;910;860,0;1,8",
             "SLAGELSE;2019M01;Seniorpension;90;80,0;0,2", "Slagelse;2019M01; Tidlig pension ;50;45,0;0,1"]
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(extra) + "\n", encoding="utf-8")
    run = data_copy.pipeline("prepare", "--kommune", "Slagelse")
    assert run.returncode == 0, run.stderr
    notes = [line for line in run.stdout.splitlines() if "BEMÆRK" in line]
    assert len(notes) == 1
    for label, rows in (("Efterløn", "2 rækker"), ("Seniorpension", "1 række"), ("Tidlig pension", "1 række")):
        assert f"'{label}' ({path.name}, {rows})" in notes[0], notes[0]
    meta = json.loads((data_copy.processed / "slagelse" / "meta.json").read_text(encoding="utf-8"))
    assert len(meta["notes"]) == 1 and "Efterløn" in meta["notes"][0]
