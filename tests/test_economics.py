"""The catalogue's economics (#14): effect lines by basis, break-even, payback and expected values against
cases computed by hand; exclusions and dependencies; the reconciliation with the scenario potential; bad
input rejected by `pipeline.py prepare` (exit 2) naming the file, the proposal and the field."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from servicetjek.chapters import catalogue_texts as cat_texts
from servicetjek.chapters import economics
from servicetjek.errors import InputError
from servicetjek.inputs import catalogue as cat_mod
from servicetjek.inputs import owndata

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
YEARS = [2020, 2021, 2022]
COSTS = pd.DataFrame({"benefit_group": ["dagpenge", "uddannelseshjaelp", "sygedagpenge", "kontanthjaelp"],
                      "kr_per_full_time_person": [100_000.0, 70_000.0, 100_000.0, 120_000.0]})
BUDGET = pd.DataFrame({"year": [2021, 2022], "benefit_group": ["uddannelseshjaelp"] * 2,
                       "full_time_persons": [600.0, 500.0]})


def _proposal(pid, lines, certainty="Middel", **extra):
    return {"id": pid, "title": pid, "heading": "h", "certainty": certainty, "difficulty": "Lav",
            "provenance": "constructed: test", "lines": lines, **extra}


def _doc(*proposals, **extra):
    return {"provenance": "constructed: test", "headings": [{"id": "h", "title": "H"}],
            "proposals": list(proposals), **extra}


HAND = _doc(
    # A: 2 årsværk × 500 = 1.000 a year; 5 and 20 persons off dagpenge × 100.000 kr = -500 / -2.000
    _proposal("a", [{"label": "inv", "konto": 6, "kind": "investering", "fte": {2021: 2, 2022: 2}, "fte_cost": 500},
                    {"label": "sav", "konto": 5, "kind": "besparelse", "group": "dagpenge",
                     "persons": {2021: 5, 2022: 20}}]),
    # B: 10 pct. of the budget's 500 on uddannelseshjælp in 2022 = 50 persons × 70.000 kr = -3.500
    _proposal("b", [{"label": "rate", "konto": 5, "kind": "besparelse", "group": "uddannelseshjaelp",
                     "rate": {2022: 0.1}}], certainty="Høj"),
    # C: 1.000 on sygedagpenge in 2020, +10 pct. a year without the proposal, +10 pct. in 2021 with it:
    #    2022: 1.000 × (1,21 − 1,1) = 110 persons × 100.000 kr = -11.000; 2021: nothing
    _proposal("c", [{"id": "trend", "label": "trend", "konto": 5, "kind": "besparelse", "group": "sygedagpenge",
                     "trend": {"base_year": 2020, "base_persons": 1000, "counterfactual": {2021: 0.1, 2022: 0.1},
                               "target": {2021: 0.1}}}], certainty="Lav"),
)


def load(tmp_path, doc, budget=BUDGET):
    path = tmp_path / "proposals.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return cat_mod.load_catalogue(path, COSTS, YEARS, budget)


def rejected(tmp_path, doc, *parts):
    with pytest.raises(InputError) as info:
        load(tmp_path, doc)
    message = str(info.value)
    for part in ("proposals.yaml",) + parts:
        assert part in message, f"{part!r} not in:\n{message}"


# ------------------------------------------------------------------ by hand
def test_lines_by_basis(tmp_path):
    cat = load(tmp_path, HAND)
    assert cat_mod.proposal_total(cat, "a") == {2021: 500.0, 2022: -1000.0}
    assert cat_mod.proposal_total(cat, "b") == {2022: -3500.0}
    assert cat_mod.proposal_total(cat, "c") == {2022: -11000.0}
    effects = {e.label: e for p in cat.proposals for e in cat_mod.line_effects(cat, p)}
    assert effects["rate"].persons == {2022: -50.0}
    assert effects["trend"].persons == pytest.approx({2022: -110.0})
    assert {e.label: e.basis for e in effects.values()} == {"inv": "fte", "sav": "persons", "rate": "rate",
                                                             "trend": "trend"}


def test_break_even_and_payback_by_hand(tmp_path):
    cat = load(tmp_path, HAND)
    assert economics.break_even_group(cat, "a") == "dagpenge"
    assert economics.break_even(cat, "a") == {2021: 10.0, 2022: 10.0}        # 1.000.000 kr / 100.000 kr
    assert economics.payback_year(cat, "a") == 2022                            # +500, then 500 − 1.000 < 0
    assert economics.payback_year(cat, "b") is None                            # no investment
    assert economics.persons_by_group(cat, "a") == {"dagpenge": {2021: -5.0, 2022: -20.0}}


def test_expected_value_and_range_by_hand(tmp_path):
    cat = load(tmp_path, HAND)
    # Middel: weight 0,7, width 0,4; investment 1.000 is certain, the saving -2.000 is not
    assert economics.expected(cat, "a", 2022) == pytest.approx(
        {"low": 1000 - 0.6 * 2000, "central": -1000, "high": 1000 - 1.4 * 2000, "expected": 1000 - 0.7 * 2000})
    # Høj: weight 0,9, width 0,2
    assert economics.expected(cat, "b", 2022) == pytest.approx(
        {"low": -2800, "central": -3500, "high": -4200, "expected": -3150})
    # Lav: weight 0,4, width 0,6
    assert economics.expected(cat, "c", 2022)["expected"] == pytest.approx(-4400)
    frame = economics.economics_frame(cat)
    total = frame[frame["label"] == "I alt"].iloc[0]
    assert total["central_1000kr"] == -1000 - 3500 - 11000
    assert total["expected_1000kr"] == pytest.approx(-400 - 3150 - 4400)


def test_payback_never_within_the_years(tmp_path):
    doc = _doc(_proposal("x", [{"label": "inv", "konto": 5, "kind": "investering", "amounts": {2021: 3400, 2022: 3400}},
                               {"label": "sav", "konto": 5, "kind": "besparelse", "group": "kontanthjaelp",
                                "persons": {2021: 18, 2022: 28}}]))
    cat = load(tmp_path, doc)
    assert cat_mod.proposal_total(cat, "x") == {2021: 1200.0, 2022: 0.0}
    assert economics.payback_year(cat, "x") is None
    assert economics.break_even(cat, "x")[2022] == pytest.approx(3_400_000 / 120_000)


# ------------------------------------------------------------------ exclusions, dependencies, variants
def _pair(**extra):
    return _doc(_proposal("p1", [{"label": "a", "konto": 5, "kind": "besparelse", "amounts": {2021: -100}}],
                          udelukker=["p2"]),
                _proposal("p2", [{"label": "b", "konto": 5, "kind": "besparelse", "amounts": {2021: -300}}]),
                **extra)


def test_exclusive_refused_by_default(tmp_path):
    rejected(tmp_path, _pair(), "forslag 'p1' (nr. 1)", "udelukker", "begge indgår i totalen")


def test_exclusive_as_alternatives(tmp_path):
    cat = load(tmp_path, _pair(exclusive="alternativer"))
    assert cat_mod.catalogue_total(cat)[2021] == -100.0
    assert cat_mod.left_out(cat) == {"p2": "alternativ til forslag 1"}


def test_exclusive_one_marked_out(tmp_path):
    doc = _pair()
    doc["proposals"][0]["in_total"] = False
    assert cat_mod.catalogue_total(load(tmp_path, doc))[2021] == -300.0


def test_dependency_follows_its_requirement_out(tmp_path):
    doc = _pair(exclusive="alternativer")
    doc["proposals"].append(_proposal("p3", [{"label": "c", "konto": 5, "kind": "besparelse",
                                              "amounts": {2021: -7}}], forudsætter=[2]))
    cat = load(tmp_path, doc)
    assert cat_mod.catalogue_total(cat)[2021] == -100.0
    assert cat_mod.left_out(cat)["p3"] == "forudsætter forslag 2"


def test_exclusion_pointing_nowhere(tmp_path):
    doc = _pair()
    doc["proposals"][0]["udelukker"] = ["p9"]
    rejected(tmp_path, doc, "forslag 'p1' (nr. 1)", "udelukker", "p9", "findes")


def test_dependency_cycle(tmp_path):
    doc = _pair()
    doc["proposals"][0]["udelukker"] = []
    doc["proposals"][0]["forudsætter"] = ["p2"]
    doc["proposals"][1]["forudsætter"] = [1]
    rejected(tmp_path, doc, "forslag 'p1' (nr. 1)", "forudsætter", "kreds")


def test_negative_person_count(tmp_path):
    doc = _doc(_proposal("n", [{"label": "a", "konto": 5, "kind": "besparelse", "group": "dagpenge",
                                "persons": {2021: -5}}]))
    rejected(tmp_path, doc, "forslag 'n' (nr. 1)", "persons", "greater than or equal to 0")


def test_rate_needs_the_budget_path(tmp_path):
    doc = _doc(_proposal("r", [{"label": "a", "konto": 5, "kind": "besparelse", "group": "dagpenge",
                                "rate": {2021: 0.1}}]))
    rejected(tmp_path, doc, "forslag 'r' (nr. 1)", "budget.csv", "dagpenge")


def test_naestved_forslag_1_and_3_exclusive():
    own = owndata.load_all(RAW / "naestved")
    cat = cat_mod.load_catalogue(RAW / "naestved" / "proposals.yaml", own["benefit_costs"], [2019, 2020, 2021],
                                 own["budget"])
    assert cat_mod.left_out(cat) == {"virksomhedsrettet-aktivering": "alternativ til forslag 1"}
    # the total adds forslag 1 (scenario 1 only: variants count once) and never forslag 3
    by_hand = sum(cat_mod.proposal_total(cat, p).get(2021, 0.0) for p in cat.proposals
                  if p.id != "virksomhedsrettet-aktivering")
    assert cat_mod.catalogue_total(cat)[2021] == by_hand
    assert cat_mod.proposal_total(cat, "aktiveringsomfang")[2021] == -7500.0
    assert cat_mod.proposal_total(cat, "virksomhedsrettet-aktivering")[2021] == -11000.0   # still shown: -17,8 + 6,8
    konto = cat_mod.catalogue_subtotals(cat, "konto")
    assert (konto[5][2021], konto[6][2021]) == (-50600.0, 2000.0)
    # the trend: 1.196 × (1,095² − 1,095) = 124,4 persons × 101.000 kr in 2020
    assert cat_mod.proposal_subtotals(cat, "sygefravaer", "kind")["besparelse"] == {2020: -12600.0, 2021: -19800.0}
    # refusing instead: the same file with exclusive: afvis is an error naming the field
    doc = yaml.safe_load((RAW / "naestved" / "proposals.yaml").read_text(encoding="utf-8"))
    assert doc["exclusive"] == "alternativer"


# ------------------------------------------------------------------ the bundled Slagelse catalogue
@pytest.fixture(scope="module")
def slagelse_inputs():
    from servicetjek import inputs

    return inputs.load("slagelse", check=False)


def test_slagelse_totals_still_reproduce(slagelse_inputs):
    cat = slagelse_inputs.catalogue()
    assert cat_mod.catalogue_total(cat) == {2020: 1000.0, 2021: -17500.0, 2022: -53000.0}


def test_slagelse_forslag_1_text_and_table_agree(slagelse_inputs):
    cat = slagelse_inputs.catalogue()
    line = {e.line_id: e for e in cat_mod.line_effects(cat, "dagpenge-kontaktforloeb")}["besparelse"]
    assert line.basis == "persons" and line.amounts == {2021: -7400.0, 2022: -17200.0}
    text = cat_texts.render_sections(cat, "dagpenge-kontaktforloeb", {"kommune": {"name": "Slagelse"}})
    assert "\\*" in text["oekonomisk_potentiale"]      # the persons rest on constructed net costs: marked
    potential = text["oekonomisk_potentiale"].replace("\\*", "")
    assert f"med {int(-line.persons[2021])} fuldtidspersoner i 2021 og {int(-line.persons[2022])} " in potential
    assert "besparelse i forhold til det nuværende budgetterede niveau på 7,4 mio. kr. i 2021 og 17,2 mio. kr." \
        in potential
    assert round(-line.persons[2022] * 110_000 / 100_000) * 100 == 17200


def test_slagelse_reconciliation_adds_up_to_the_potential(slagelse_inputs):
    from servicetjek.chapters import scenarios

    run = scenarios.standard(slagelse_inputs)
    cat = slagelse_inputs.catalogue()
    frame = economics.reconciliation(cat, run, slagelse_inputs.benefit_costs)
    groups, total = frame[frame["benefit_group"] != "i_alt"], frame[frame["benefit_group"] == "i_alt"].iloc[0]
    potential_kr = float(run.potential.set_index("year").at[2022, "kr"])
    assert round(groups["gap_kr"].sum()) == round(potential_kr) == 57_848_525
    assert round(total["gap_kr"]) == round(potential_kr)
    assert (groups["catalogue_kr"] + groups["rest_kr"] - groups["gap_kr"]).abs().max() < 0.01
    assert total["catalogue_kr"] == 53_000_000.0          # the catalogue's 2022 total as a saving
    assert round(total["rest_kr"]) == 57_848_525 - 53_000_000
    fp = frame.set_index("benefit_group").loc["foertidspension"]
    assert fp["catalogue_persons"] == 138 + 105 + 105     # forslag 9-11


# ------------------------------------------------------------------ bad input through the CLI: exit 2
def _nowhere(doc):
    doc["proposals"][0]["udelukker"] = ["findes-ikke"]
    return "dagpenge-kontaktforloeb", "udelukker"


def _cycle(doc):
    doc["proposals"][1]["forudsætter"] = ["sygedagpenge-jobafklaring-jobfokus"]
    return "sygedagpenge-tidlig-indsats", "forudsætter"


def _negative(doc):
    doc["proposals"][8]["lines"][0]["persons"][2021] = -63
    return "kontaktforloeb-intensitet", "persons"


def _unknown_group(doc):
    doc["proposals"][4]["lines"][0]["group"] = "borgerloen"
    return "aktivitetsparate-ordinaere-timer", "borgerloen"


@pytest.mark.parametrize("breaker", [_nowhere, _cycle, _negative, _unknown_group],
                         ids=["exclusion-nowhere", "dependency-cycle", "negative-persons", "unknown-group"])
def test_bad_economics_exit_2(data_copy, breaker):
    path = data_copy.raw / "slagelse" / "proposals.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    proposal, field = breaker(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run = data_copy.pipeline("prepare", "--kommune", "Slagelse")
    assert run.returncode == 2, (run.stdout, run.stderr)
    for part in ("proposals.yaml", f"forslag '{proposal}'", field):
        assert part in run.stderr, f"{part!r} not in:\n{run.stderr}"
    assert not (data_copy.processed / "slagelse").exists()
