"""Every sentence from data (#10): the listed contradictions stay gone, the reference's statements are made
from the tables they rest on, and a municipality whose changes and deviations have the opposite signs reads
the opposite way, with no sentence contradicting a table."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from servicetjek import config, declaration
from servicetjek.chapters import cost_views, costs, resume, scenario_views, scenarios, status, status_text, status_views
from servicetjek.chapters.values import published_values
from servicetjek.inputs import owndata
from servicetjek.inputs.loader import Inputs
from servicetjek.inputs.texts import render_text
from servicetjek.publish import formatting as fmt
from servicetjek.publish import phrases


# ------------------------------------------------------------------ the chapters' sentences, as the notebooks make them
def status_parts(inp):
    mun, tx = inp.municipality, inp.taxonomy
    yrs = mun.config.years.status
    shares = status.shares(inp.annual, inp.population, mun, tx, yrs[-1])
    dev = status.development(inp.annual, mun, tx, yrs)
    longrun = status.longrun(inp.annual, mun)
    weights = status.active_weights(inp.annual, mun, tx, yrs[-1])
    kf = status.key_figures(shares, dev, longrun, mun, status.weighted_cost(weights, inp.benefit_costs))
    return kf, dev, status_views.key_sentences(kf, shares, dev, mun, declaration.chapter("status"))


def scenario_parts(inp):
    run = scenarios.standard(inp)
    sens = scenarios.sensitivity(run.budget, run.weights, inp.benefit_costs, run.assumptions, 0.01, (0.5, 1.0))
    names = {g.id: g.name for g in inp.taxonomy.benefit_groups}
    return run, scenario_views.key_sentences(run, inp.municipality, declaration.chapter("scenarier"), names, sens)


def cost_parts(inp, exclude=("revalidering",)):
    own, tx = inp.own, inp.taxonomy
    tables = dict(totals=costs.cost_totals(own, tx), unit=costs.unit_costs(own, tx), composition=costs.composition(own),
                  exit_rates=costs.exit_rates(own, tx), bubbles=costs.cost_vs_effect(own, tx, list(exclude)))
    kf = costs.key_figures(tables, inp.municipality.name, inp.municipality.config.years.latest)
    return kf, tables, cost_views.key_sentences(kf, declaration.chapter("omkostninger"))


def joined(parts: dict) -> str:
    return " ".join(s for part in parts.values() for s in part)


def resume_text(inp) -> dict[str, str]:
    report = declaration.report()
    values = published_values(inp, report)
    return {h: " ".join(s) for h, s in resume.resume_sections(values, report, inp.municipality.name)}


@pytest.fixture(scope="module")
def slagelse(prepared):
    return Inputs.from_prepared(prepared("slagelse"))


@pytest.fixture(scope="module")
def naestved(prepared):
    return Inputs.from_prepared(prepared("naestved"))


# ------------------------------------------------------------------ a municipality with the opposite signs
def _mirror_over_time(annual: pd.DataFrame, area: str) -> pd.DataFrame:
    """The area's every series v(y) -> v(y0)² / v(y): each change from the first year inverts (a rise becomes a
    fall of the same ratio); the comparison groups stay."""
    out = annual.copy()
    own = out["area"] == area
    keys = ["benefit_group", "sub_group", "measure"]
    first = out[own].sort_values("year").groupby(keys)["value"].transform("first")
    out.loc[own, "value"] = (first ** 2 / out.loc[own, "value"].where(out.loc[own, "value"] != 0)).fillna(0.0)
    return out


def flipped(inp) -> Inputs:
    """The municipality with its changes, unit-cost deviations, exit-rate deviations and budget path inverted."""
    own = {k: v.copy() for k, v in inp.own.items()}
    stats = owndata.unit_cost_comparison(inp.own)
    factor = (stats["kommune"] / stats["mean"]) ** 2          # mean' = own² / mean: every deviation flips
    uc = own["unit_costs"]
    uc["unit_cost_1000kr"] = uc["unit_cost_1000kr"] * uc["target_group"].map(factor)
    rates = own["exit_rates"]
    swap = {"kommune": "klynge_ekskl", "klynge_ekskl": "kommune"}
    rates["area_role"] = rates["area_role"].map(lambda r: swap.get(r, r))
    budget = own["budget"]
    first = budget.sort_values("year").groupby("benefit_group")["full_time_persons"].transform("first")
    budget["full_time_persons"] = first ** 2 / budget["full_time_persons"]
    annual = _mirror_over_time(inp.annual, inp.municipality.config.area)
    return Inputs(inp.municipality, inp.taxonomy, annual, inp.population, own, inp.provenance, inp.meta,
                  inp.folder)


@pytest.fixture(scope="module")
def mirror(slagelse):
    return flipped(slagelse)


FLIPS = [  # (chapter, the word in Slagelse, the word in the mirror)
    ("level", "Antallet er steget med", "Antallet er faldet med"),
    ("level", "Stigningen skyldes især flere på", "Faldet skyldes især færre på"),
    ("period", "Fra 2017 til 2019 er antallet steget", "Fra 2017 til 2019 er antallet faldet"),
]


@pytest.mark.parametrize("part, before, after", FLIPS)
def test_status_words_flip(slagelse, mirror, part, before, after):
    _, _, mine = status_parts(slagelse)
    _, _, theirs = status_parts(mirror)
    assert before in " ".join(mine[part]) and before not in " ".join(theirs[part])
    assert after in " ".join(theirs[part])


def test_scenario_and_cost_words_flip(slagelse, mirror):
    _, sc = scenario_parts(slagelse)
    _, sc_m = scenario_parts(mirror)
    assert "I budgettet stiger antallet" in joined(sc) and "I budgettet falder antallet" in joined(sc_m)
    kf, _, text = cost_parts(slagelse)
    kf_m, _, text_m = cost_parts(mirror)
    for before, after in (("pct. lavere end gennemsnittet", "pct. højere end gennemsnittet"),
                          ("en merudgift på", "en mindreudgift på"),
                          ("højere enhedsomkostninger end gennemsnittet, jf.", "lavere enhedsomkostninger end "
                                                                                "gennemsnittet, jf.")):
        assert before in joined(text) and after in joined(text_m), (before, after)
        assert before not in joined(text_m)
    assert set(kf_m.exit_better) == set(kf.exit_worse) and set(kf_m.exit_worse) == set(kf.exit_better)
    assert set(kf_m.above_mean) == set(kf.below_mean)
    assert "laveste enhedsomkostninger" in joined(text) and "højeste enhedsomkostninger" in joined(text_m)


def test_resume_and_texts_flip(slagelse, mirror):
    mine, theirs = resume_text(slagelse), resume_text(mirror)
    status_h = "Udviklingen i antallet af borgere på offentlig forsørgelse"
    assert "Antallet er steget" in mine[status_h] and "Antallet er faldet" in theirs[status_h]
    assert "pct. lavere enhedsomkostninger" in mine["Omkostningseffektivitet"]
    assert "pct. højere enhedsomkostninger" in theirs["Omkostningseffektivitet"]
    report = declaration.report()
    folder = config.RAW_DIR / "slagelse"
    chapter = report.chapter("vurdering")
    text = render_text(folder, chapter, published_values(slagelse, report))
    text_m = render_text(folder, chapter, published_values(mirror, report))
    assert "dagpengemodtagere er 19 pct. lavere end gennemsnittet" in text
    assert "dagpengemodtagere er 19 pct. højere end gennemsnittet" not in text
    assert re.search(r"dagpengemodtagere er \d+ pct\. højere end gennemsnittet", text_m)
    assert "antallet af ydelsesmodtagere dog steget" in text and "antallet af ydelsesmodtagere dog faldet" in text_m


@pytest.mark.parametrize("which", ["slagelse", "mirror"])
def test_no_sentence_contradicts_a_table(request, which):
    inp = request.getfixturevalue(which)
    kf, dev, parts = status_parts(inp)
    d = dev.set_index("row_id")
    years = [c for c in dev.columns if str(c).isdigit()]
    text = joined(parts)
    persons = d.at["i_alt", years[-1]] - d.at["i_alt", years[-2]]
    assert f"er {'steget' if persons > 0 else 'faldet'} med {fmt.number(abs(persons))} fuldtidspersoner" in text
    labels = {status_text.group_word(label): row for row, label in zip(dev["row_id"], dev["label"])}
    level = " ".join(parts["level"])
    for label, number in re.findall(r"([a-zæøå][a-zæøå ./-]*?) \(([+-][\d.]+)\)", level):
        label = re.sub(r"^(.* på |.*\bfor |og )", "", label.strip())
        row = labels[label]
        assert fmt.signed(d.at[row, years[-1]] - d.at[row, years[-2]]) == number, (label, number)
    period = " ".join(parts["period"])          # the judgement against the groups follows Tabel 2's columns
    groups = [c for c in dev.columns if c.startswith("change_period ")]
    worse = all(d.at["i_alt", "change_period"] > d.at["i_alt", c] for c in groups)
    assert ("har dermed været mindre gunstig" in period) == worse
    gap = status.longrun(inp.annual, inp.municipality)["gap"].iloc[-1]     # Figur 1's gap
    assert ("færre fuldtidspersoner på ydelse" in " ".join(parts["longrun"])) == (round(gap) > 0)
    kf, tables, cost_text = cost_parts(inp)
    unit = tables["unit"].set_index("row_id")
    word = "lavere" if unit.at["samlet", "deviation_pct"] < 0 else "højere"
    assert f"{fmt.number(abs(unit.at['samlet', 'deviation_pct']))} pct. {word} end gennemsnittet" in joined(cost_text)
    rates = tables["exit_rates"].set_index("label")
    for label in kf.exit_better:
        assert rates.at[label, "deviation_klynge_pct"] >= phrases.CLOSE_WITHIN * 100
    for label in kf.exit_worse:
        assert rates.at[label, "deviation_klynge_pct"] <= -phrases.CLOSE_WITHIN * 100


# ------------------------------------------------------------------ the listed contradictions
def test_naestved_small_share_is_not_zero_and_groups_are_definite(naestved):
    kf, _, parts = status_parts(naestved)
    text = joined(parts)
    assert "svarende til 0 pct." not in text and "svarende til under 1 pct." in text
    assert "fulgt Klynge" not in text and "Klynges" not in text and "fulgt klyngen" in text
    from servicetjek.chapters.status_views import longrun_block

    mun = naestved.municipality
    html = longrun_block(status.longrun(naestved.annual, mun), 1, kf, mun.name, status.longrun_group(mun).name, "K")
    assert "Klynges" not in html and "Udviklingen i klyngen er lagt på" in html


def test_one_comparison_jobcentre(slagelse):
    own = {k: v.copy() for k, v in slagelse.own.items()}
    own["unit_costs"] = own["unit_costs"][own["unit_costs"]["jobcentre"] == "Kommune 2"]
    one = Inputs(slagelse.municipality, slagelse.taxonomy, slagelse.annual, slagelse.population, own,
                 slagelse.provenance, slagelse.meta, slagelse.folder)
    kf, _, text = cost_parts(one)
    assert kf.jobcentres == 2
    assert "sammenlignet med 1 andet jobcenter" in joined(text) and "1 andre" not in joined(text)
    assert "mod 1 andet jobcenter på" in joined(text)


def test_a_negative_gap_is_no_gap_to_close(slagelse, monkeypatch):
    real = status.longrun

    def worse_group(annual, mun):
        table = real(annual, mun)
        table["gap"] = -5.0
        return table

    monkeypatch.setattr(status, "longrun", worse_group)
    run, parts = scenario_parts(slagelse)
    assert run.assumptions.gap_persons == 0.0          # the favourable scenario never adds persons
    text = joined(parts)
    assert "-5" not in text and "indhenter" not in text and "intet gab at indhente" in text
    kf, _, status_text_parts = status_parts(slagelse)
    assert "mere gunstig end i det nære arbejdsmarked" in " ".join(status_text_parts["longrun"])


def test_two_status_years_have_no_repeated_period(naestved):
    _, _, parts = status_parts(naestved)
    assert not any(s.startswith("Fra 2017 til 2018 er antallet faldet med 113") for s in parts["period"])
    assert "Fra 2017 til 2018 er antallet faldet med 1,5 pct. i klyngen" in " ".join(parts["period"])


def test_exit_rates_read_with_one_threshold(slagelse):
    kf, tables, text = cost_parts(slagelse)
    figure = {g for q in kf.quadrants.values() for g in q}
    assert "Kontanthjælp mv. jobparat" in kf.exit_level          # 18,4 vs 18,4: tæt på …
    assert not set(kf.exit_level) & figure                      # … so Figur 6's reading doesn't call it good
    assert set(kf.exit_level) & set(tables["bubbles"]["label"]) <= set(sum(kf.bubble_level.values(), []))
    assert "Kontanthjælp mv. jobparat" not in " ".join(text["bubble"][:1])


def test_one_rounding_of_the_potential(slagelse):
    run, parts = scenario_parts(slagelse)
    chapter = joined(parts)
    summary = resume_text(slagelse)["Scenarier for udviklingen i forsørgelsesudgifterne"]
    quoted = phrases.mio_kr(float(run.potential["kr"].iloc[-1]))
    assert quoted == "58 mio. kr."
    assert f"ca. {quoted}" in chapter and f"ca. {quoted}" in summary
    assert "57,8 mio" not in summary


def test_the_consultants_word_is_computed(slagelse):
    report = declaration.report()
    values = published_values(slagelse, report)
    values["unit_costs"]["deviation"]["dagpenge"] = 0.19
    text = render_text(config.RAW_DIR / "slagelse", report.chapter("vurdering"), values)
    assert "dagpengemodtagere er 19 pct. højere end gennemsnittet" in text


# ------------------------------------------------------------------ the reference's statements (README), from data
def test_reference_statements_slagelse(slagelse):
    kf, dev, parts = status_parts(slagelse)
    text = joined(parts)
    assert "Stigningen skyldes især flere på fleksjob (+127), sygedagpenge (+74) og førtidspension (+73)" in text
    assert "0,9 procentpoint lavere end i klyngen, især fordi relativt færre er på fleksjob (-1,0)" in text
    assert "2,8 procentpoint højere end i hele landet, især fordi relativt flere er på førtidspension (+1,4)" in text
    assert "mere gunstig i det nære arbejdsmarked end i klyngen" in text
    assert "ca. 200 færre fuldtidspersoner på ydelse, svarende til 2 pct. og en mindreudgift på ca. 20 mio. kr., " \
           "jf. figur 1" in text
    assert "jf. tabel 1" in text and "jf. tabel 2" in text
    _, sc = scenario_parts(slagelse)
    sc_text = joined(sc)
    assert "I budgettet stiger antallet med 497 fuldtidspersoner fra 2020 til 2022, især for førtidspension (+740)" \
        in sc_text
    assert "giver det 10.912 fuldtidspersoner i 2020" in sc_text and "jf. figur 2 og tabel 4.1" in sc_text
    kf, _, ct = cost_parts(slagelse)
    c = joined(ct)
    assert "de fjerdelaveste enhedsomkostninger af de 13 jobcentre" in c
    assert "merudgift på ca. 33 mio. kr." in c           # (30,4 − 25,2) × 6.243 fuldtidspersoner
    ch = declaration.chapter("omkostninger")
    assert f"9 procentpoint under de øvrige jobcentre, jf. figur {ch.figure_number('cost_composition')}" in c
    assert "KTH i alt (7,0 pct. mod 8,4 pct.)" in c and "UDH i alt (15,7 pct. mod 16,8 pct.)" in c
    assert "er afgangsraten lavere end i klyngen for alle målgrupper (21,1 pct. mod 29,6 pct.)" in c
    assert ", mens den er højere end i klyngen for sygedagpenge og jobafklaring (34,4 pct. mod 32,2 pct.)" in c
    assert c.count("Samlet set") <= 1          # the aggregate rows in one sentence, not "Samlet set" twice
    for table in ("cost_totals", "cost_unit", "exit_rates"):
        assert f"jf. tabel {ch.table_number(table)}" in c
    for figure in ("cost_deviation", "cost_composition", "cost_vs_effect"):
        assert f"jf. figur {ch.figure_number(figure)}" in c


# ------------------------------------------------------------------ no number typed twice
def test_a_typed_number_is_rejected_with_its_placeholder(slagelse):
    from servicetjek.inputs.typed_numbers import check_typed_numbers

    values = published_values(slagelse, declaration.report())
    text = ("Intro.\nEnhedsomkostningerne er 19 pct. lavere, og der var 9.743 fuldtidspersoner (ca. 6.300 aktive).\n"
            'Der er 4 hovedveje, og i juni 2020 steg ledigheden med {{ "25" }} pct.; {{ status.last.i_alt }}.\n')
    problems = check_typed_numbers(text, values, "vurdering.md", {2019, 2020})
    found = {p.value: p for p in problems}
    assert set(found) == {"19", "9.743", "6.300"}
    assert all(p.line == 2 and str(p.file) == "vurdering.md" for p in problems)
    assert "{{ status.i_alt.2019 }}" in found["9.743"].message or "i_alt" in found["9.743"].message
    assert "| r100 }}" in found["6.300"].message
    assert "{{ unit_costs.deviation.dagpenge | abs | pct }}" in check_typed_numbers(
        "Dagpenge: 19 pct. lavere.", {"unit_costs": values["unit_costs"]}, "v.md")[0].message


def test_prepare_rejects_a_typed_number(data_copy):
    path = data_copy.raw / "slagelse" / "texts" / "vurdering.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nSlagelse har 9.743 fuldtidspersoner.\n", encoding="utf-8")
    run = data_copy.pipeline("prepare", "--kommune", "Slagelse")
    assert run.returncode == 2
    assert "vurdering.md" in run.stderr and "tallet 9.743" in run.stderr and "{{ " in run.stderr


# ------------------------------------------------------------------ the consultant's slots in the notebook chapters
def test_a_slot_replaces_the_generated_paragraphs(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from servicetjek.chapters import values as values_mod
    from servicetjek.publish import slots

    ch = declaration.chapter("status")
    assert ch.decl.slots == ["level", "shares", "period", "longrun"]
    published = pd.DataFrame({"file": ["population.csv"], "kind": ["published"], "provenance": ["published: x"]})
    inp = SimpleNamespace(municipality=SimpleNamespace(folder=tmp_path), provenance=published)
    assert "Genereret." in slots.slot_html(inp, ch, "level", ["Genereret."])          # no file: generated
    path = slots.slot_path(tmp_path, "status", "level")
    path.parent.mkdir(parents=True)
    path.write_text("<!-- tom -->\n", encoding="utf-8")
    assert "Genereret." in slots.slot_html(inp, ch, "level", ["Genereret."])          # only a comment: generated
    path.write_text('Antallet er {{ x | retning("steget", "faldet") }}.\n', encoding="utf-8")
    monkeypatch.setattr(values_mod, "published_values", lambda inp, report: {"x": -0.02})
    html = slots.slot_html(inp, ch, "level", ["Genereret."])
    assert "Antallet er faldet." in html and "Genereret." not in html
    with pytest.raises(KeyError):
        slots.slot_html(inp, ch, "nope", [])


def test_prepare_checks_the_slots(data_copy):
    folder = data_copy.raw / "slagelse" / "texts" / "status"
    folder.mkdir(parents=True)
    (folder / "levle.md").write_text("Tekst.\n", encoding="utf-8")
    (folder / "period.md").write_text("Linje 1.\nAntallet er {{ status.nope }} og 9.743.\n", encoding="utf-8")
    run = data_copy.pipeline("prepare", "--kommune", "Slagelse")
    assert run.returncode == 2
    assert "ukendt plads 'levle'" in run.stderr and "level, shares, period, longrun" in run.stderr
    assert "period.md, linje 2" in run.stderr and "status.nope" in run.stderr
