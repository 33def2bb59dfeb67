"""The follow-up report (kind `opfoelgning`, issue 13): its figures recomputed from the monthly extract
with plain pandas, the seed's reading, missing inputs, editions and the diff between two editions."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from servicetjek.chapters import followup as fchap
from servicetjek.chapters import followup_views as views
from servicetjek.chapters import scenarios
from servicetjek.inputs import followup as fin
from servicetjek.publish import diff as diffmod
from tests.conftest import PROJECT, RAW

EXTRACT = RAW / "slagelse" / "opfoelgning" / "ptv_a02_slagelse-hele-landet_2019M01-2021M12.csv"
LABELS = {"dagpenge": "A-dagpenge", "uddannelseshjaelp": "Uddannelseshjælp", "selvforsoergelse": "Integrationsydelse",
          "sygedagpenge": "Sygedagpenge", "jobafklaring": "Jobafklaringsforløb", "fleksjob": "Fleksjob",
          "foertidspension": "Førtidspension", "all": "Ydelsesgrupper i alt"}


@pytest.fixture(scope="module")
def inp():
    from servicetjek import inputs

    return inputs.load("slagelse")


@pytest.fixture(scope="module")
def fu(inp):
    return fin.load("slagelse", set(inp.benefit_costs.index))


def _raw() -> pd.DataFrame:
    frame = pd.read_csv(EXTRACT, sep=";", decimal=",")
    frame["year"] = frame["Periode"].str[:4].astype(int)
    return frame


def _level(raw: pd.DataFrame, area: str, year: int, goal: dict) -> float:
    rows = raw[(raw["Area"] == area) & (raw["year"] == year)]
    groups = goal["measure"]["groups"]
    labels = [LABELS["all"]] if groups == "all" else [LABELS[g] for g in groups]
    minus = [LABELS[g] for g in goal["measure"].get("minus", [])]
    per_month = rows.groupby("Periode").apply(
        lambda m: m[m["Ydelsesgrupper"].isin(labels)]["Antal fuldtidspersoner"].sum()
        - m[m["Ydelsesgrupper"].isin(minus)]["Antal fuldtidspersoner"].sum())
    assert len(per_month) == 12
    return float(per_month.mean())


def test_scoreboard_recomputed_from_the_extract(fu):
    raw = _raw()
    goals = yaml.safe_load((RAW / "slagelse" / "goals.yaml").read_text(encoding="utf-8"))["goals"]
    pop = pd.read_csv(RAW / "slagelse" / "opfoelgning" / "population.csv").set_index(["area", "year"])["persons"]
    sb = fchap.scoreboard(fu, "Slagelse").set_index("goal_id")
    assert sb["end"].iloc[0] == "2021M12"
    for goal in goals:
        row = sb.loc[goal["id"]]
        dev = {}
        for area in ("Slagelse", "Hele landet"):
            dev[area] = _level(raw, area, 2021, goal) / _level(raw, area, 2020, goal) - 1
            share = 100 * _level(raw, area, 2021, goal) / pop[(area, 2021)]
            column = "share_kommune" if area == "Slagelse" else "share_land"
            assert row[column] == pytest.approx(share, abs=1e-9)
        assert row["deviation_pp"] == pytest.approx(100 * (dev["Slagelse"] - dev["Hele landet"]), abs=1e-9)
    # seed 003: worse than landsplan on goals 1, 4, 6 and 7, better on the others
    worse = sorted(int(n) for n, p in zip(sb["number"], sb["performance"]) if p <= 0)
    assert worse == [1, 4, 6, 7]


def test_published_benchmark_2020(fu):
    """Seed 003: 5.780 helårspersoner on offentlig forsørgelse in 2020 (without førtidspension, fleksjob)."""
    raw = _raw()
    rows = raw[(raw["Area"] == "Slagelse") & (raw["year"] == 2020)]
    total = rows[rows["Ydelsesgrupper"] == LABELS["all"]]["Antal fuldtidspersoner"].sum() / 12
    fp = rows[rows["Ydelsesgrupper"].isin(["Førtidspension", "Fleksjob"])]["Antal fuldtidspersoner"].sum() / 12
    assert total - fp == pytest.approx(5780, abs=1e-6)


def test_2019_months_equal_the_servicetjek_extract():
    old = pd.read_csv(RAW / "slagelse" / "extracts" / "ptv_a02_slagelse-sammenligning_2014M01-2019M12.csv",
                      sep=";", decimal=",")
    old = old[(old["Area"] == "Slagelse") & old["Periode"].str.startswith("2019")]
    new = _raw()
    new = new[(new["Area"] == "Slagelse") & (new["year"] == 2019)].drop(columns="year")
    key = ["Periode", "Ydelsesgrupper"]
    assert old.sort_values(key).reset_index(drop=True).equals(new.sort_values(key).reset_index(drop=True))


def test_gap_to_budget_recomputed(inp, fu):
    raw = _raw()
    budget = pd.read_csv(RAW / "slagelse" / "budget.csv")
    costs = pd.read_csv(RAW / "slagelse" / "benefit_costs.csv").set_index("benefit_group")["kr_per_full_time_person"]
    run = scenarios.standard(inp)
    actual = fchap.actual_by_group(fu.monthly, "Slagelse", [2020, 2021])
    gap = fchap.gap_to_date(actual, run.budget, inp.benefit_costs).set_index("year")
    names = {v: k for k, v in {**LABELS, "kontanthjaelp": "Kontanthjælp", "revalidering": "Revalidering",
                               "ressourceforloeb": "Ressourceforløb", "ledighedsydelse": "Ledighedsydelse"}.items()}
    for year in (2020, 2021):
        rows = raw[(raw["Area"] == "Slagelse") & (raw["year"] == year) & (raw["Ydelsesgrupper"] != LABELS["all"])]
        mean = rows.groupby("Ydelsesgrupper")["Antal fuldtidspersoner"].mean().rename(index=names)
        b = budget[budget["year"] == year].set_index("benefit_group")["full_time_persons"]
        assert gap.loc[year, "gap_persons"] == pytest.approx(mean.sum() - b.sum(), abs=1e-6)
        assert gap.loc[year, "gap_kr"] == pytest.approx(((mean - b) * costs).sum(), abs=1)
    assert round(gap.loc[2021, "gap_persons"]) == -765


def test_catalogue_targets(inp, fu):
    run = scenarios.standard(inp)
    actual = fchap.actual_by_group(fu.monthly, "Slagelse", [2020, 2021])
    targets = fchap.proposal_targets(inp.catalogue(), actual, run.budget)
    assert set(targets["year"]) == {2021}
    fp = targets[targets["group"] == "foertidspension"]
    assert list(fp["persons"]) == [-63, -55, -55] and set(fp["status"]) == {"på sporet"}
    assert list(fp["amount_1000kr"]) == [-5000, -4400, -4400]
    assert set(targets[targets["group"] == "fleksjob"]["status"]) == {"bagud"}
    sentences = views.targets_sentences(targets)
    assert any("indikator" in s and "skyldes" in s for s in sentences)


def test_naestved_states_every_missing_input(data_copy):
    for args in (["build", "--kommune", "Næstved", "--rapport", "opfoelgning", "--format", "html"],
                 ["prepare", "--kommune", "naestved", "--rapport", "opfoelgning"]):
        run = data_copy.pipeline(*args)
        assert run.returncode == 2, run.stderr
        for name in ("goals.yaml", "opfoelgning/PROVENANCE.yaml", "opfoelgning/population.csv", "opfoelgning/ptv_a02_*"):
            assert f"naestved/{name}: filen mangler" in run.stderr, (name, run.stderr)


def _keys(frame: pd.DataFrame) -> list[str]:
    first = frame.iloc[:, 0]
    return [str(v) for v in first] if first.is_unique else [str(i + 1) for i in range(len(frame))]


def _moved(name: str, old: pd.DataFrame, new: pd.DataFrame) -> set[tuple[str, str, str]]:
    out = set()
    for key, (_, a), (_, b) in zip(_keys(old), old.iterrows(), new.iterrows()):
        for column in old.columns:
            x, y = a[column], b[column]
            if isinstance(x, float) and isinstance(y, float):
                if abs(x - y) > 1e-9:
                    out.add((name, key, column))
            elif str(x) != str(y):
                out.add((name, key, column))
    return out


def _chapter_results(inp, fu):
    """What the two notebooks compute, in memory (the same functions, the same inputs)."""
    sb = fchap.scoreboard(fu, "Slagelse")
    run = scenarios.standard(inp)
    fav = scenarios.favourable_by_group(run.budget, run.weights, run.assumptions)
    actual = fchap.actual_by_group(fu.monthly, "Slagelse", list(run.budget.index))
    bg, fg = fchap.gap_to_date(actual, run.budget, inp.benefit_costs), fchap.gap_to_date(actual, fav, inp.benefit_costs)
    tables = {"followup_goals": sb, "followup_months": fchap.months_against_paths(actual, run.budget, fav),
              "followup_gap": bg.merge(fg, on=["year", "months", "actual"], suffixes=("_budget", "_favourable")),
              "followup_targets": fchap.proposal_targets(inp.catalogue(), actual, run.budget)}
    window = views.window_label(fu.periods, sb["end"].iloc[0])
    text = (views.scoreboard_sentences(sb, "Slagelse", window) + views.gap_sentences(bg, fg, "Slagelse")
            + views.targets_sentences(tables["followup_targets"]))
    return tables, [s for t in text for s in diffmod.SENTENCE_END.split(" ".join(t.split()))]


def test_one_changed_month_gives_an_edition_and_an_exact_diff(data_copy, inp, fu):
    build = ("build", "--kommune", "Slagelse", "--rapport", "opfoelgning", "--format", "html", "--quiet")
    first = data_copy.pipeline(*build)
    assert first.returncode == 0, first.stderr
    again = data_copy.pipeline(*build)          # nothing changed: no new edition
    assert again.returncode == 0
    editions = data_copy.root.parent / "reports" / "slagelse" / "editions"
    assert sorted(p.name for p in editions.iterdir() if p.is_dir()) == ["opfoelgning-001"]

    # one monthly figure: Slagelse's A-dagpenge in December 2021, +24 full-time persons
    path = data_copy.raw / "slagelse" / "opfoelgning" / EXTRACT.name
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [i for i, line in enumerate(lines) if line.startswith("Slagelse;2021M12;A-dagpenge;")]
    assert len(hits) == 1
    cells = lines[hits[0]].split(";")
    old_value = float(cells[4].replace(",", "."))
    cells[4] = f"{old_value + 24:.1f}".replace(".", ",")
    lines[hits[0]] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    second = data_copy.pipeline(*build)
    assert second.returncode == 0, second.stderr
    assert sorted(p.name for p in editions.iterdir() if p.is_dir()) == ["opfoelgning-001", "opfoelgning-002"]
    shown = data_copy.pipeline("diff", "--kommune", "Slagelse")
    assert shown.returncode == 0, shown.stderr
    assert (editions / "diff_opfoelgning-001_opfoelgning-002.html").is_file()

    # what should have moved, recomputed in memory
    changed = fu.monthly.copy()
    mask = (changed["area"] == "Slagelse") & (changed["period"] == "2021M12") & (changed["benefit_group"] == "dagpenge")
    changed.loc[mask, "value"] = changed.loc[mask, "value"] + 24
    new_fu = fin.FollowUp(fu.goals, changed, fu.population, fu.provenance)
    (old_tables, old_text), (new_tables, new_text) = _chapter_results(inp, fu), _chapter_results(inp, new_fu)
    expected = set()
    for name in old_tables:
        expected |= _moved(name, old_tables[name], new_tables[name])
    assert expected, "the change should move something"

    from servicetjek.publish.diff import compare
    from servicetjek.publish.editions import Edition

    result = compare(Edition("opfoelgning-001", "opfoelgning", 1, editions / "opfoelgning-001"),
                     Edition("opfoelgning-002", "opfoelgning", 2, editions / "opfoelgning-002"))
    assert {(c.table, c.row, c.column) for c in result.cells} == expected
    assert not result.tables
    assert result.removed_sentences == [s for s in old_text if s not in new_text]
    assert result.added_sentences == [s for s in new_text if s not in old_text]
    assert result.removed_sentences, "the gap sentences quote the changed mean"
    assert [p for p, _ in result.inputs] == ["slagelse/opfoelgning/" + EXTRACT.name]
    dagpenge = [c for c in result.cells if c.table == "followup_months" and c.column == "actual"]
    assert len(dagpenge) == 1 and dagpenge[0].row == "2021M12" and dagpenge[0].difference == pytest.approx(24)
    assert "followup_months | 2021M12 | actual: " in shown.stdout
    manifest = json.loads((editions / "opfoelgning-002" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["report"] == "opfoelgning"

    pruned = data_copy.pipeline("editions", "--kommune", "Slagelse", "--prune", "--keep", "1")
    assert pruned.returncode == 0 and "opfoelgning-001" in pruned.stdout
    assert sorted(p.name for p in editions.iterdir() if p.is_dir()) == ["opfoelgning-002"]


def test_followup_declared_and_numbered():
    from servicetjek import declaration

    report = declaration.report("opfoelgning")
    assert [c.decl.id for c in report.chapters] == ["maal", "udvikling", "datagrundlag"]
    assert report.chapter("udvikling").table_number("followup_targets") == 3
    assert (PROJECT / "notebooks" / "opfoelgning_maal.ipynb").is_file()


def test_a_build_carries_editions_and_other_kinds_over(tmp_path):
    from servicetjek.publish.build import _carry_over

    target, new = tmp_path / "slagelse", tmp_path / "new"
    for sub in ("editions/servicetjek-001", "opfoelgning/tables", "tables", "chapters"):
        (target / sub).mkdir(parents=True)
    (target / "editions" / "servicetjek-001" / "manifest.json").write_text("{}")
    (new / "tables").mkdir(parents=True)
    assert _carry_over(target, new) == ["editions", "opfoelgning"]
    assert (new / "editions" / "servicetjek-001" / "manifest.json").is_file()
    assert (new / "opfoelgning" / "tables").is_dir()
    assert (target / "tables").is_dir() and not (target / "editions").exists()


def test_sentences_and_cells_of_the_diff():
    page = ("<html><head><style>p {x: 1}</style></head><body><p>Første sætning. Anden sætning med 1.234 "
            "personer.</p><dl><dd>30. november 2026</dd></dl><svg><text>9</text></svg>"
            "<figcaption>Tabel 1: Noget</figcaption></body></html>")
    assert diffmod.sentences(page) == ["Første sætning.", "Anden sætning med 1.234 personer.", "Tabel 1: Noget"]
    old = pd.DataFrame({"goal_id": ["a", "b"], "x": ["1.0", "2.0"], "y": ["u", "v"]})
    new = pd.DataFrame({"goal_id": ["a", "b"], "x": ["1.0", "2.5"], "y": ["u", "w"]})
    cells = diffmod.table_cells("t", old, new)
    assert [(c.row, c.column, c.old, c.new) for c in cells] == [("b", "x", 2.0, 2.5), ("b", "y", "v", "w")]
    assert cells[0].difference == pytest.approx(0.5) and cells[1].difference is None


def test_months_against_paths_recomputed(inp, fu):
    raw = _raw()
    budget = pd.read_csv(RAW / "slagelse" / "budget.csv").groupby("year")["full_time_persons"].sum()
    run = scenarios.standard(inp)
    fav = scenarios.favourable_by_group(run.budget, run.weights, run.assumptions)
    actual = fchap.actual_by_group(fu.monthly, "Slagelse", [2020, 2021])
    months = fchap.months_against_paths(actual, run.budget, fav).set_index("period")
    assert len(months) == 24
    groups = raw[(raw["Area"] == "Slagelse") & (raw["Ydelsesgrupper"] != LABELS["all"])]
    per_month = groups.groupby("Periode")["Antal fuldtidspersoner"].sum()
    totals = raw[(raw["Area"] == "Slagelse") & (raw["Ydelsesgrupper"] == LABELS["all"])].set_index("Periode")
    for period, row in months.iterrows():
        assert row["actual"] == pytest.approx(per_month[period], abs=1e-6)
        assert row["actual"] == pytest.approx(totals.loc[period, "Antal fuldtidspersoner"], abs=0.05)
        assert row["budget"] == budget[int(period[:4])]
    # the favourable path starts at the budget and is below it in the last scenario year (chapter 4)
    assert months.loc["2020M06", "favourable"] == budget[2020]
    assert fav.sum(axis=1).iloc[-1] < budget.iloc[-1]
