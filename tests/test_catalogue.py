"""The proposal catalogue: the bundled catalogues reproduce the published tables; bad YAML is named."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import yaml

from servicetjek.chapters import catalogue_texts as cat_texts
from servicetjek.errors import InputError
from servicetjek.inputs import catalogue as cat_mod
from servicetjek.inputs import owndata
from servicetjek.publish.formatting import round_to
from servicetjek.publish.placeholders import render

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
SLAGELSE_YEARS = [2020, 2021, 2022]
NAESTVED_YEARS = [2019, 2020, 2021]
SLAGELSE_BUDGET = owndata.load_all(RAW / "slagelse")["budget"]     # a rate line needs the group's budget path


@pytest.fixture(scope="module")
def slagelse_own():
    return owndata.load_all(RAW / "slagelse")


@pytest.fixture(scope="module")
def slagelse(slagelse_own):
    return cat_mod.load_catalogue(RAW / "slagelse" / "proposals.yaml", slagelse_own["benefit_costs"], SLAGELSE_YEARS,
                                  slagelse_own["budget"])


@pytest.fixture(scope="module")
def naestved():
    own = owndata.load_all(RAW / "naestved")
    return cat_mod.load_catalogue(RAW / "naestved" / "proposals.yaml", own["benefit_costs"], NAESTVED_YEARS,
                                  own["budget"])


def lines_by_id(cat, proposal_id):
    return {e.line_id: e.amounts for e in cat_mod.line_effects(cat, proposal_id)}


# ------------------------------------------------------------------ Slagelse: the published overview table
def test_slagelse_numbering_from_order(slagelse):
    assert [p.number for p in slagelse.proposals] == list(range(1, 12))
    assert slagelse.proposals[8].id == "kontaktforloeb-intensitet" and slagelse.proposals[8].number == 9
    assert [h.id for h in slagelse.headings] == ["maalgruppespecifikke", "tvaergaaende"]


def test_slagelse_catalogue_total(slagelse):
    assert cat_mod.catalogue_total(slagelse) == {2020: 1000, 2021: -17500, 2022: -53000}


def test_slagelse_proposal_1(slagelse):
    lines = lines_by_id(slagelse, "dagpenge-kontaktforloeb")
    assert lines["investering"] == {2020: 1000, 2021: 2500}
    assert lines["besparelse"] == {2021: -7400, 2022: -17200}
    assert cat_mod.proposal_total(slagelse, "dagpenge-kontaktforloeb") == {2020: 1000, 2021: -4900, 2022: -17200}
    kinds = cat_mod.proposal_subtotals(slagelse, "dagpenge-kontaktforloeb", by="kind")
    assert kinds["investering"] == {2020: 1000, 2021: 2500} and kinds["besparelse"] == {2021: -7400, 2022: -17200}
    konto = cat_mod.proposal_subtotals(slagelse, "dagpenge-kontaktforloeb", by="konto")
    assert konto[6] == {2020: 1000, 2021: 2500} and konto[5] == {2021: -7400, 2022: -17200}


def test_slagelse_proposal_9_from_persons(slagelse, slagelse_own):
    effects = {e.line_id: e for e in cat_mod.line_effects(slagelse, "kontaktforloeb-intensitet")}
    fp, flex = effects["foertidspension"], effects["fleksjob"]
    assert fp.amounts == {2021: -5000, 2022: -11000}
    assert flex.amounts == {2021: 2200, 2022: 4500}
    assert (fp.group, flex.group, fp.konto) == ("foertidspension", "fleksjob", 5)
    # the amounts are persons × net cost, rounded to 100 (1.000 kr)
    cost = owndata.cost_by_group(slagelse_own["benefit_costs"])
    for eff in (fp, flex):
        for year, persons in eff.persons.items():
            assert abs(persons * cost[eff.group] / 1000 - eff.amounts[year]) <= 50
            assert persons == int(persons) and abs(persons) < 200
    assert cat_mod.proposal_total(slagelse, "kontaktforloeb-intensitet") == {2021: -2800, 2022: -6500}


def test_slagelse_other_proposals(slagelse):
    total = {p.number: cat_mod.proposal_total(slagelse, p) for p in slagelse.proposals}
    assert total[2] == {} and total[3] == {}                       # "-" in the table: no amounts
    assert total[4] == {2021: -500, 2022: -5700}
    assert total[5] == {2021: -5800, 2022: -13600}
    assert total[6] == {2021: 1200, 2022: 0}
    assert total[7] == {2021: -1500, 2022: -3000}
    assert total[8] == {2021: 1600, 2022: 1600}
    assert total[10] == total[11] == {2021: -2400, 2022: -4300}


def test_slagelse_subtotals(slagelse):
    kinds = cat_mod.catalogue_subtotals(slagelse, by="kind")
    konto = cat_mod.catalogue_subtotals(slagelse, by="konto")
    # "investering på samlet 7,5 mio. kr. i 2021, hvoraf 4,1 mio. kr. er på konto 6"
    assert kinds["investering"][2021] == 7500
    assert konto[6][2021] == 4100
    for year in SLAGELSE_YEARS:
        assert konto[5][year] + konto[6][year] == cat_mod.catalogue_total(slagelse)[year]
        assert sum(kinds[k][year] for k in cat_mod.KINDS) == cat_mod.catalogue_total(slagelse)[year]


def test_slagelse_overview_table(slagelse):
    table = cat_mod.overview_frame(slagelse)
    assert list(table["row"]).count("proposal") == 11 and list(table["row"]).count("heading") == 2
    total = table[table["row"] == "total"].iloc[0]
    assert (total[2020], total[2021], total[2022]) == (1000, -17500, -53000)
    first = table[(table["row"] == "proposal") & (table["number"] == 1)].iloc[0]
    assert (first[2020], first[2021], first[2022], first["certainty"], first["difficulty"]) == \
        (1000, -4900, -17200, "Middel", "Middel")
    # sub-lines only for proposals with an investment (1 and 6, and not 8 which has a single line)
    assert sorted(set(table[table["row"] == "line"]["number"])) == [1, 6]
    assert math.isnan(table[(table["row"] == "proposal") & (table["number"] == 2)].iloc[0][2021])


def test_slagelse_texts_filled_from_data(slagelse):
    intro = cat_texts.render_intros(slagelse)[""]
    assert "Mploy har beskrevet 11 forslag" in intro and "De 11 forslag" in intro
    assert "53 mio. kr. i 2022" in intro
    assert "3 forslag forudsætter en investering" in intro
    assert "7,5 mio. kr. i 2021, hvoraf 4,1 mio. kr. er på konto 6" in intro
    p9 = cat_texts.render_sections(slagelse, "kontaktforloeb-intensitet")["oekonomisk_potentiale"]
    assert "| Færre på førtidspension | -5.000 | -11.000 |" in p9 and "| I alt | -2.800 | -6.500 |" in p9
    assert "forslag 9, 10 og 11" in p9 and "6,5 mio. kr. i 2022" in p9
    p6 = cat_texts.render_sections(slagelse, "aktivitetsparate-nye-tilgange")["oekonomisk_potentiale"]
    assert "samlet investering på 6,8 mio. kr." in p6      # the seed's "7,8" was 2 × 3,4 miscounted
    p1 = cat_texts.render_sections(slagelse, "dagpenge-kontaktforloeb")
    assert "middel" in p1["sikkerhed"] and "17,2 mio. kr. i 2022" in p1["oekonomisk_potentiale"]


def test_slagelse_sections_with_report_context(slagelse, prepared):
    from servicetjek import declaration
    from servicetjek.chapters.values import published_values
    from servicetjek.inputs.loader import Inputs

    extra = published_values(Inputs.from_prepared(prepared("slagelse")), declaration.report())
    text = cat_texts.render_sections(slagelse, "sygedagpenge-jobafklaring-jobfokus", extra)["baggrund"]
    assert "13 pct. lavere" in text and "18 pct. højere" in text and "forslag 2" in text
    assert "er antallet steget med 29 pct. fra 2017 til 2019" in text      # a direction word from a filter
    extra["status"]["change"]["jobafklaring"] = -0.29
    text = cat_texts.render_sections(slagelse, "sygedagpenge-jobafklaring-jobfokus", extra)["baggrund"]
    assert "er antallet faldet med 29 pct." in text
    # without the report context the report-wide placeholder is an error naming it
    with pytest.raises(InputError) as info:
        cat_texts.render_sections(slagelse, "sygedagpenge-jobafklaring-jobfokus")
    assert "status.change.jobafklaring" in str(info.value) and "sygedagpenge-jobafklaring-jobfokus" in str(info.value)


def test_dump_for_prepare(slagelse):
    dump = json.loads(json.dumps(slagelse.model_dump(mode="json")))
    assert dump["proposals"][0]["number"] == 1
    assert dump["total"] == {"2020": 1000.0, "2021": -17500.0, "2022": -53000.0}
    assert any(row["group"] == "foertidspension" for row in dump["effects"])
    items = slagelse.provenance_items()
    assert items[0][0] == "" and all(text.startswith(("published:", "constructed:")) for _, text in items)
    keyed = dict(items)
    assert keyed["kontaktforloeb-intensitet/foertidspension"].startswith("constructed: persons chosen")


def test_texts_load(slagelse):
    from servicetjek import declaration
    from servicetjek.inputs.texts import render_text

    chapter = declaration.chapter("indledning")
    values = {"kommune": {"name": "Slagelse"}, "catalogue": cat_texts.catalogue_context(slagelse)}
    text = render_text(RAW / "slagelse", chapter, values)
    assert "de 11 forslag" in text and "Slagelse Kommune" in text


# ------------------------------------------------------------------ Næstved
def test_naestved_catalogue(naestved):
    assert len(naestved.proposals) == 8
    first = naestved.proposals[0]
    assert [s.id for s in first.scenarios] == ["scenarie-1", "scenarie-2", "scenarie-3"]
    totals = [cat_mod.proposal_total(naestved, first, s) for s in ("scenarie-1", "scenarie-2", "scenarie-3")]
    assert [t[max(t)] for t in totals] == [-7500, -15000, -19000]
    assert cat_mod.proposal_total(naestved, first) == totals[0]              # the default counts
    assert first.difficulty.level == "Høj" and first.difficulty.note.startswith("hvis det skal realiseres")
    konto = {p.number: cat_mod.proposal_subtotals(naestved, p, "konto") for p in naestved.proposals}
    assert konto[3][5] == {2021: -11000}                                  # 17,8 saved - 6,8 reinvested
    assert konto[6][6] == {2021: -500} and konto[6][5] == {2021: -900}
    assert konto[7][6] == {2020: 1000, 2021: 1000} and konto[7][5] == {2020: -2700, 2021: -2700}
    # forslag 8's saving is computed against the slide's trend: 124,4 persons × 101.000 kr (ca. 13 mio. kr.)
    assert konto[8][6][2020] == 1500 and konto[8][5][2020] == 1500 - 12600
    table = cat_mod.overview_frame(naestved)
    assert list(table["row"]).count("scenario") == 3
    text = cat_texts.render_sections(naestved, "aktiveringsomfang")["oekonomisk_potentiale"]
    assert "7,5 mio. kr. (1 pct.-point), 15 mio. kr. (2 pct.-point) eller 19 mio. kr." in text
    assert "Forslag 1 og forslag 3" in text


# ------------------------------------------------------------------ rounding and placeholders
@pytest.mark.parametrize("value, expected", [(4966, 5000), (-5040, -5000), (4950, 5000), (-4950, -5000),
                                             (4949.9, 4900), (0, 0)])
def test_round_to(value, expected):
    assert round_to(value, 100) == expected


def test_render_filters():
    ctx = {"a": {2022: -17200.0, "sum": 1234567.0}, "r": -0.186, "t": "Middel"}
    assert render("{{ a.2022 }}", ctx) == "-17.200"
    assert render("{{ a.2022 | abs | mio }}", ctx) == "17,2"
    assert render("{{ a.2022 | abs | mio | d0 }}", ctx) == "17"
    assert render("{{ r | abs | pct }} pct.", ctx) == "19 pct."
    assert render("{{ r | pct | signed }}", ctx) == "-19"
    assert render("{{ a.sum | r1000 }}", ctx) == "1.235.000"
    assert render("{{t|lower}}", ctx) == "middel"


@pytest.mark.parametrize("template, part", [
    ("{{ total.2030 }}", "ukendt pladsholder"),
    ("{{ total.__class__ }}", "ukendt pladsholder"),
    ("{{ total.2022 | eval }}", "ukendt filter"),
    ("{{ total.2022 ", "ugyldig pladsholder"),
    ("{{ total }}", "gruppe af værdier"),
    ("{{ t | mio }}", "kræver et tal"),
])
def test_render_errors(template, part):
    ctx = {"total": {2022: 1.0}, "t": "x"}
    with pytest.raises(InputError) as info:
        render(template, ctx, file="proposals.yaml", where="forslag 'x'")
    message = str(info.value)
    assert part in message and "proposals.yaml" in message and "forslag 'x'" in message


# ------------------------------------------------------------------ bad catalogues
@pytest.fixture
def doc():
    return yaml.safe_load((RAW / "slagelse" / "proposals.yaml").read_text(encoding="utf-8"))


def load(tmp_path, doc, costs, text=None):
    path = tmp_path / "proposals.yaml"
    path.write_text(text if text is not None else yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return cat_mod.load_catalogue(path, costs, SLAGELSE_YEARS, SLAGELSE_BUDGET)


def rejected(tmp_path, doc, costs, *parts, text=None):
    with pytest.raises(InputError) as info:
        load(tmp_path, doc, costs, text)
    message = str(info.value)
    assert "proposals.yaml" in message
    for part in parts:
        assert part in message, f"{part!r} not in:\n{message}"
    return message


def placeholder_rejected(tmp_path, doc, costs, *parts):
    """Placeholders are checked against the report's values, at prepare (not when the YAML is read)."""
    cat = load(tmp_path, doc, costs)
    problems = cat_texts.check_placeholders(cat, {"kommune": {"name": "Slagelse"}})
    assert problems, "no problem found"
    message = str(InputError(problems))
    assert "proposals.yaml" in message
    for part in parts:
        assert part in message, f"{part!r} not in:\n{message}"
    return message


def test_round_trip_is_valid(tmp_path, doc, slagelse_own):
    cat = load(tmp_path, doc, slagelse_own["benefit_costs"])
    assert cat_mod.catalogue_total(cat)[2022] == -53000


def test_missing_file(tmp_path, slagelse_own):
    with pytest.raises(InputError) as info:
        cat_mod.load_catalogue(tmp_path / "proposals.yaml", slagelse_own["benefit_costs"], SLAGELSE_YEARS,
                               slagelse_own["budget"])
    assert "proposals.yaml" in str(info.value) and "mangler" in str(info.value)


def test_missing_certainty(tmp_path, doc, slagelse_own):
    del doc["proposals"][3]["certainty"]
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "forslag 'ungeindsats' (nr. 4)", "certainty",
             "feltet mangler")


def test_missing_title(tmp_path, doc, slagelse_own):
    del doc["proposals"][0]["title"]
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "dagpenge-kontaktforloeb", "title", "feltet mangler")


def test_unknown_benefit_group(tmp_path, doc, slagelse_own):
    doc["proposals"][8]["lines"][0]["group"] = "borgerloen"
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "kontaktforloeb-intensitet", "lines[0]",
             "ukendt ydelsesgruppe", "borgerloen")


def test_group_without_cost(tmp_path, doc, slagelse_own):
    costs = slagelse_own["benefit_costs"]
    rejected(tmp_path, doc, costs[costs["benefit_group"] != "fleksjob"], "kontaktforloeb-intensitet",
             "fleksjob", "benefit_costs.csv")


def test_effect_year_outside_report(tmp_path, doc, slagelse_own):
    doc["proposals"][6]["lines"][0]["amounts"][2024] = -900
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "forslag 'fleksjob-opfoelgning'", "2024",
             "uden for rapportens år")


def test_duplicate_proposal_id(tmp_path, doc, slagelse_own):
    doc["proposals"][4]["id"] = doc["proposals"][3]["id"]
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "forslag 'ungeindsats' (nr. 5)", "entydige")


def test_number_is_not_typed(tmp_path, doc, slagelse_own):
    doc["proposals"][0]["number"] = 1
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "dagpenge-kontaktforloeb", "rækkefølgen")


def test_unknown_heading(tmp_path, doc, slagelse_own):
    doc["proposals"][2]["heading"] = "diverse"
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "sygedagpenge-jobafklaring-jobfokus", "ukendt overskrift",
             "diverse")


def test_bad_level(tmp_path, doc, slagelse_own):
    doc["proposals"][1]["difficulty"] = "Meget høj"
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "sygedagpenge-tidlig-indsats", "difficulty", "Meget høj")


def test_saving_with_wrong_sign(tmp_path, doc, slagelse_own):
    doc["proposals"][6]["lines"][0]["amounts"][2021] = 1500
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "fleksjob-opfoelgning", "besparelse", "negativ")


def test_persons_without_group(tmp_path, doc, slagelse_own):
    del doc["proposals"][8]["lines"][1]["group"]
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "kontaktforloeb-intensitet", "group")


def test_scenarios_need_one_default(tmp_path, slagelse_own):
    doc = yaml.safe_load((RAW / "naestved" / "proposals.yaml").read_text(encoding="utf-8"))
    doc["proposals"][0]["scenarios"][1]["default"] = True
    path = tmp_path / "proposals.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    own = owndata.load_all(RAW / "naestved")
    with pytest.raises(InputError) as info:
        cat_mod.load_catalogue(path, own["benefit_costs"], NAESTVED_YEARS)
    assert "aktiveringsomfang" in str(info.value) and "default" in str(info.value)


def test_unknown_placeholder(tmp_path, doc, slagelse_own):
    doc["proposals"][3]["sections"]["oekonomisk_potentiale"] += "\n{{ besparelse.2023 }}"
    placeholder_rejected(tmp_path, doc, slagelse_own["benefit_costs"], "forslag 'ungeindsats' (nr. 4), oekonomisk_potentiale",
             "{{ besparelse.2023 }}", "ukendt pladsholder")


def test_unknown_placeholder_in_intro(tmp_path, doc, slagelse_own):
    doc["intro"] += "\n{{ count_forslag }}"
    placeholder_rejected(tmp_path, doc, slagelse_own["benefit_costs"], "indledning til kataloget", "{{ count_forslag }}")


def test_unknown_filter(tmp_path, doc, slagelse_own):
    doc["proposals"][0]["sections"]["sikkerhed"] = "{{ certainty | shout }}"
    placeholder_rejected(tmp_path, doc, slagelse_own["benefit_costs"], "dagpenge-kontaktforloeb", "ukendt filter", "shout")


def test_invalid_yaml(tmp_path, doc, slagelse_own):
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "ugyldig YAML", "række", text="proposals: [\n  - id: x\n")


def test_duplicate_yaml_key(tmp_path, doc, slagelse_own):
    text = (RAW / "slagelse" / "proposals.yaml").read_text(encoding="utf-8")
    text = text.replace("amounts: {2021: -1500, 2022: -3000}", "amounts: {2021: -1500, 2021: -600, 2022: -3000}")
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "gentaget", "2021", text=text)


def test_texts_missing(tmp_path, slagelse):
    from servicetjek import declaration
    from servicetjek.inputs.texts import check_texts

    shutil.copytree(RAW / "slagelse" / "texts", tmp_path / "texts")
    (tmp_path / "texts" / "vurdering.md").unlink()
    (tmp_path / "texts" / "indledning.md").write_text("\n{{ catalogue.count | nope }}", encoding="utf-8")
    problems = check_texts(tmp_path, declaration.report(), {"catalogue": cat_texts.catalogue_context(slagelse)})
    message = str(InputError(problems))
    assert "indledning.md, linje 2" in message
    assert "vurdering.md" in message and "mangler" in message and "indledning.md" in message and "nope" in message


# ------------------------------------------------------------------ bad catalogues through the CLI: exit 2
def _break_unknown_group(doc):
    doc["proposals"][8]["lines"][0]["group"] = "borgerloen"
    return "kontaktforloeb-intensitet", "borgerloen"


def _break_year(doc):
    doc["proposals"][6]["lines"][0]["amounts"][2024] = -900
    return "fleksjob-opfoelgning", "2024"


def _break_certainty(doc):
    del doc["proposals"][6]["certainty"]
    return "fleksjob-opfoelgning", "certainty"


def _break_duplicate_id(doc):
    doc["proposals"][4]["id"] = doc["proposals"][3]["id"]
    return "ungeindsats", "entydige"


@pytest.mark.parametrize("breaker", [_break_unknown_group, _break_year, _break_certainty, _break_duplicate_id],
                         ids=["unknown-benefit-group", "year-outside-report", "missing-certainty", "duplicate-id"])
def test_bad_catalogue_exits_2(data_copy, breaker):
    path = data_copy.raw / "slagelse" / "proposals.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    proposal, detail = breaker(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run = data_copy.pipeline("prepare", "--kommune", "Slagelse")
    assert run.returncode == 2, (run.stdout, run.stderr)
    for part in ("proposals.yaml", f"forslag '{proposal}'", detail):
        assert part in run.stderr, f"{part!r} not in:\n{run.stderr}"
    assert not (data_copy.processed / "slagelse").exists()


@pytest.mark.parametrize("persons, expected", [(-97, -4900.0), (97, 4900.0), (-95, -4800.0)])
def test_an_effect_line_tie_rounds_half_up(persons, expected):
    """97 persons × 50.000 kr = 4.850 (1.000 kr): half up gives 4.900; banker's rounding would give 4.800.
    (-95 × 50.000 = -4.750 → -4.800 either way, the control.)"""
    kind = "besparelse" if persons < 0 else "merudgift"
    line = cat_mod.EffectLine.model_validate({"label": "x", "konto": 5, "kind": kind, "group": "fleksjob",
                                              "persons": {2021: abs(persons)}})   # a count; the kind signs it
    assert cat_mod.line_amounts(line, {"fleksjob": 50_000.0}, 100) == {2021: expected}


# ------------------------------------------------------------------ the declared overview layout
def test_layout_is_declared_not_switched_by_one_horizon(tmp_path, doc, slagelse_own):
    """A horizon on one proposal keeps the declared (default) 'years' layout; 'konto' is chosen by the
    catalogue's `layout:` field; an unknown layout is rejected with the field named."""
    from servicetjek.chapters import catalogue_views as views

    doc["proposals"][0]["horizon"] = "Fuldt implementeret i 2021"
    cat = load(tmp_path, doc, slagelse_own["benefit_costs"])
    assert cat.layout == "years" and views.choose_layout(cat) == "years"
    doc["layout"] = "konto"
    assert views.choose_layout(load(tmp_path, doc, slagelse_own["benefit_costs"])) == "konto"
    doc["layout"] = "wide"
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "layout")


def test_years_layout_rejects_risks_it_cannot_show(tmp_path, doc, slagelse_own):
    doc["proposals"][1]["risks"] = "Risiko for effekttab"
    rejected(tmp_path, doc, slagelse_own["benefit_costs"], "layout: konto")
