"""STAR's benchmark (y30r21): the reader, the bundled constructed extract against seed 003, and the chapter.

Seed 003 (Slagelse, committee minutes Aug 2021): 2020QMAT04 faktisk 5.780 against forventet 5.550
helårspersoner (+230), +0,47 procentpoint, rank 80 of 98; previous opgørelse (2020QMAT02) rank 83.
The test recomputes each figure from the extract's counts and shares, not from its own columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from servicetjek.chapters import benchmark
from servicetjek.errors import InputError
from servicetjek.inputs.benchmark_extract import read_benchmark, read_benchmarks

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
SLAGELSE = next((RAW / "slagelse" / "extracts").glob("y30r21_*.csv"))
NAESTVED = next((RAW / "naestved" / "extracts").glob("y30r21_*.json"))
HEADER = ("Area;Periode;Ydelsesgrupper;Forventet antal;Faktisk antal;Forskel mellem forventet og faktisk antal;"
          "Forventet andel (pct.);Faktisk andel (pct.);Forskel mellem forventet og faktisk andel (pct. point);"
          "Placering på benchmarkranglisten")


def _rank(table, area, period):
    """Rank recomputed from the shares: 1 + municipalities with a smaller faktisk - forventet andel."""
    tot = table[(table["group"] == "i_alt") & (table["period"] == period)]
    diff = tot["faktisk_andel"] - tot["forventet_andel"]
    own = float(diff[tot["area"] == area].iloc[0])
    counts = tot["faktisk"] - tot["forventet"]
    base = tot["faktisk"] / tot["faktisk_andel"]          # the population each share is of (÷100)
    exact = counts / base                                  # the difference in pp before rounding
    own_exact = float(exact[tot["area"] == area].iloc[0])
    assert abs(own - own_exact) < 0.011
    return int((exact < own_exact).sum()) + 1, len(tot)


def test_seed_003_recomputed_from_the_extract():
    table = read_benchmark(SLAGELSE)
    row = table[(table["area"] == "Slagelse") & (table["period"] == "2020QMAT04") & (table["group"] == "i_alt")]
    assert len(row) == 1
    r = row.iloc[0]
    assert (r.faktisk, r.forventet) == (5780, 5550)
    assert r.faktisk - r.forventet == 230
    assert round(r.faktisk_andel - r.forventet_andel, 2) == 0.47
    assert round((r.faktisk - r.forventet) / (r.faktisk / r.faktisk_andel), 2) == 0.47
    assert _rank(table, "Slagelse", "2020QMAT04") == (80, 98)
    assert _rank(table, "Slagelse", "2020QMAT02") == (83, 98)
    # and the file's own columns say the same
    assert (r.forskel, r.forskel_pp, r.placering) == (230, 0.47, 80)


def test_extract_covers_98_municipalities_in_every_period_with_consistent_ranks():
    table = read_benchmark(SLAGELSE)
    assert len(benchmark.periods(table)) == 8
    for period in benchmark.periods(table):
        tot = table[(table["group"] == "i_alt") & (table["period"] == period)]
        assert len(tot) == 98 and sorted(tot["placering"].astype(int)) == list(range(1, 99))
        for area in ("Slagelse", "Næstved", "Høje-Taastrup", "Vesthimmerlands", "Aabenraa"):
            assert _rank(table, area, period)[0] == int(tot[tot["area"] == area]["placering"].iloc[0])
    # broad groups are their own groups and add up to I alt
    assert set(table["group"]) == {"i_alt", "a_dagpenge_mv", "sygedagpenge_mv", "kontanthjaelp_mv"}
    parts = table[table["group"] != "i_alt"].groupby(["area", "period"])[["forventet", "faktisk"]].sum()
    whole = table[table["group"] == "i_alt"].set_index(["area", "period"])[["forventet", "faktisk"]]
    assert (parts.sort_index() == whole.sort_index()).all().all()


def test_v3_json_agrees_with_v2_csv():
    both = read_benchmarks([SLAGELSE, NAESTVED])          # overlapping periods must agree, else an error
    json_only = read_benchmark(NAESTVED)
    assert set(json_only["period"]) == {"2017QMAT02", "2017QMAT04", "2018QMAT02", "2018QMAT04"}
    assert len(both) == len(read_benchmark(SLAGELSE))


def test_inconsistent_difference_is_rejected(tmp_path):
    path = tmp_path / "y30r21_bad.csv"
    path.write_text(f"{HEADER}\nSlagelse;2020QMAT04;Ydelsesgrupper i alt;5550;5780;200;11,34;11,81;0,47;1\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="forskellen er 200, men faktisk - forventet er 230"):
        read_benchmark(path)


def test_narrow_group_in_benchmark_is_an_error_with_suggestion(tmp_path):
    path = tmp_path / "y30r21_bad.json"
    path.write_text(json.dumps({"columns": ["Periode", "Område", "Ydelsesgrupper", "Forventet antal", "Faktisk antal",
                                            "Forventet andel (pct.)", "Faktisk andel (pct.)"],
                                "rows": [["2020QMAT04", "Slagelse", "Kontanthjælp", 1, 2, 0.1, 0.2],
                                         ["2020QMAT04", "Slagelse", "Kontanthjaelp mv", 1, 2, 0.1, 0.2]]}),
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_benchmark(path)
    text = err.value.render()
    assert "'Kontanthjælp'" in text and "mente du 'Kontanthjælp mv.'" in text


def test_period_labels():
    assert benchmark.period_label("2020QMAT04") == "1. kvt. 2020 – 4. kvt. 2020"
    assert benchmark.period_label("2020QMAT02") == "3. kvt. 2019 – 2. kvt. 2020"


@pytest.mark.parametrize("kommune", ["Slagelse", "Næstved"])
def test_chapter_figures(kommune):
    from servicetjek import inputs
    from servicetjek.chapters import benchmark_views

    inp = inputs.load(kommune)
    latest, compare, goals, history, kf = benchmark.standard(inp)
    assert list(history["period"]) == benchmark.periods(inp.own["benchmark"][inp.own["benchmark"]["area"] == kommune])
    assert abs(latest["forskel_kr"].iloc[0] - latest["forskel_kr"].iloc[1:].sum()) < 1
    assert compare["area"].iloc[0] == kommune
    text = " ".join(benchmark_views.key_sentences(kf))
    if kommune == "Slagelse":
        assert (kf.faktisk, kf.forventet, kf.forskel, kf.forskel_pp, kf.placering, kf.previous_placering) == \
            (5780, 5550, 230, 0.47, 80, 83)
        assert "5.780 helårspersoner" in text and "230 flere end de 5.550" in text and "0,47 procentpoint" in text
        assert "nr. 80 af 98" in text and "fremgang på 3 pladser fra nr. 83" in text
        goal = goals.iloc[0]
        assert goal["persons"] == 230 and goal["placering"] < 80
        assert goal["kr"] == pytest.approx(latest["forskel_kr"].iloc[0])
    else:
        assert kf.period == "2018QMAT04" and kf.placering == 44 and kf.forskel < 0
        assert "færre end de" in text and goals["persons"].iloc[0] == 0


def test_published_values_and_resume_sentence():
    from servicetjek import declaration, inputs
    from servicetjek.chapters import resume, values
    from servicetjek.publish.placeholders import render

    inp = inputs.load("Slagelse")
    ctx = values.published_values(inp, declaration.report())
    bm = ctx["benchmark"]
    assert (bm["faktisk"], bm["forventet"], bm["forskel"], bm["forskel_pp"]) == (5780, 5550, 230, 0.47)
    assert (bm["placering"], bm["previous_placering"], bm["placering_change"], bm["count"]) == (80, 83, 3, 98)
    # a consultant's text can quote it (the constructed extract's values carry the mark, Markdown-escaped)
    assert render("nr. {{ benchmark.placering }} (før {{ benchmark.previous_placering }}), "
                  "{{ benchmark.forskel | signed }}", ctx).replace("\\*", "") == "nr. 80 (før 83), +230"
    sentence = resume.benchmark_sentences(ctx, "Slagelse", None)[0]
    assert "5.780 helårspersoner" in sentence and "230 flere end forventet" in sentence
    assert "+0,47 procentpoint" in sentence and "nr. 80 af 98" in sentence and "nr. 83" in sentence
