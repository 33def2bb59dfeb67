"""Own figures: the bundled files load, reproduce the published tables, and every bad input is named."""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from servicetjek.errors import InputError
from servicetjek.inputs import owndata

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


def r(value: float, decimals: int = 1) -> float:
    """Round half away from zero, as the reports do."""
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def pct(ratio: float) -> int:
    return int(r(ratio * 100, 0))


@pytest.fixture(scope="module")
def slagelse():
    return owndata.load_all(RAW / "slagelse")


@pytest.fixture(scope="module")
def naestved():
    return owndata.load_all(RAW / "naestved")


# ------------------------------------------------------------------ bundled files
def test_bundled_files_load(slagelse, naestved):
    expected = {"resources", "resource_persons", "unit_costs", "exit_rates", "budget", "benefit_costs",
                "national_forecast"}
    assert expected | {"resource_comparison"} == set(slagelse)
    assert expected == set(naestved)          # Næstved publishes no comparison shares (optional file)
    for own in (slagelse, naestved):
        for name, frame in own.items():
            assert frame["provenance"].str.match(r"^(published: .+\.txt|constructed: .+)").all(), name
        assert own["resources"]["konto"].dtype.kind == "i"
        assert own["budget"]["year"].dtype.kind == "i"


TABEL3 = {  # target group: (full-time persons, expenses 1.000 kr)  – 000, Tabel 3
    "dagpenge": (1071, 21112), "kth_jobparat": (332, 6806), "kth_aktivitetsparat": (1189, 26351),
    "udh_uddannelsesparat": (291, 12794), "udh_aktivitetsparat": (441, 17784), "int_jobparat": (107, 11433),
    "int_aktivitetsparat": (33, 4060), "revalidering": (19, 1395), "sygedagpenge": (943, 20783),
    "jobafklaring": (275, 11332), "fleksjob_ledighedsydelse": (1094, 5236), "ressourceforloeb": (448, 18157),
}


def test_slagelse_tabel3_totals(slagelse):
    res, persons = slagelse["resources"], slagelse["resource_persons"]
    total = res["expenses_1000kr"].sum()
    assert persons["full_time_persons"].sum() == 6243
    assert total == 157242
    konto = owndata.expenses_by_konto(res)
    assert konto[5] == 103678 and konto[6] == 53564
    assert pct(konto[5] / total) == 66 and pct(konto[6] / total) == 34
    by_group = owndata.expenses_by_group(res)
    assert r(by_group["dagpenge"] / total * 100) == 13.4


def test_slagelse_tabel3_groups(slagelse):
    """Every group as published, except kth_aktivitetsparat one lower: the seed's groups sum to 157.243,
    one more than its printed total 157.242 = konto 5 + konto 6 (see README_owndata.md)."""
    by_group = owndata.expenses_by_group(slagelse["resources"])
    fte = slagelse["resource_persons"].set_index("target_group")["full_time_persons"]
    for group, (persons, expenses) in TABEL3.items():
        assert fte[group] == persons, group
        assert by_group[group] == (expenses - 1 if group == "kth_aktivitetsparat" else expenses), group
    shares = by_group / by_group.sum() * 100
    assert r(shares["kth_aktivitetsparat"]) == 16.8 and r(shares["ressourceforloeb"]) == 11.5


def test_slagelse_comparison_shares(slagelse):
    comp = slagelse["resource_comparison"].set_index(["dimension", "key"])["share_pct"]
    assert comp[("konto", "5")] == 58 and comp[("konto", "6")] == 42
    assert comp[("target_group", "dagpenge")] == 18.6
    assert r(comp.loc["target_group"].sum(), 0) == 100
    assert r(comp.loc["activity"].sum(), 1) == 100.0
    # Figur 5 text: casework 9 pp below the comparison, employment offers 53 % = 4 pp above
    res = slagelse["resources"]
    by_activity = res.groupby("activity")["expenses_1000kr"].sum() / res["expenses_1000kr"].sum() * 100
    assert r(by_activity["tilbud"], 0) == 53
    assert r(comp[("activity", "kontaktforloeb")] - by_activity["kontaktforloeb"], 0) == 9
    assert r(by_activity["tilbud"] - comp[("activity", "tilbud")], 0) == 4


TABEL4 = {  # row: (Slagelse, lowest, highest, mean excl. Slagelse, deviation %)  – 000, Tabel 4
    "dagpenge": (19.7, 17.7, 30.2, 24.3, -19), "kth_jobparat": (20.5, 18.3, 68.2, 43.1, -52),
    "kth_aktivitetsparat": (22.2, 20.5, 59.9, 36.3, -39), "udh_uddannelsesparat": (44.0, 22.9, 76.8, 44.1, 0),
    "udh_aktivitetsparat": (40.3, 24.2, 97.7, 53.8, -25), "int_jobparat": (106.9, 47.5, 167.9, 105.4, 1),
    "int_aktivitetsparat": (123.0, 74.4, 236.4, 144.4, -15), "revalidering": (73.4, 45.7, 101.9, 70.7, 4),
    "sygedagpenge": (22.0, 19.6, 38.1, 25.2, -13), "jobafklaring": (41.2, 23.2, 65.1, 34.8, 18),
    "fleksjob_ledighedsydelse": (4.8, 6.0, 13.0, 8.6, -44), "ressourceforloeb": (40.5, 32.5, 88.2, 60.4, -33),
    "samlet": (25.2, 23.6, 39.5, 30.4, -17), "virksomhedsindsats": (3.0, 1.9, 4.6, 3.2, -7),
    "administration": (2.4, 1.0, 3.0, 2.0, 23), "ledelse": (0.5, 0.8, 2.0, 1.2, -55),
    "samlet_ekskl_puljer": (25.2, 23.4, 39.5, 30.0, -16),
}


def test_slagelse_tabel4_reproduced(slagelse):
    stats = owndata.unit_cost_comparison(slagelse)
    assert list(stats.index) == list(TABEL4)
    for row, (own, low, high, mean, dev) in TABEL4.items():
        got = stats.loc[row]
        assert int(got["count"]) == 12, row
        assert (r(got["kommune"]), r(got["min"]), r(got["max"]), r(got["mean"])) == (own, low, high, mean), row
        assert pct(got["deviation"]) == dev, row
    # the headline figures of the text
    assert r(stats.loc["dagpenge", "kommune"]) == r(21112 / 1071)
    assert sorted(slagelse["unit_costs"]["jobcentre"].unique(), key=lambda s: int(s.split()[1])) == \
        [f"Kommune {i}" for i in range(2, 14)]
    wide = slagelse["unit_costs"].pivot(index="jobcentre", columns="target_group", values="unit_cost_1000kr")
    assert (wide["samlet_ekskl_puljer"] <= wide["samlet"]).all()


NAESTVED_OWN = {"dagpenge": 17.4, "kth_jobparat": 19.2, "kth_aktivitetsparat": 26.8, "udh_uddannelsesparat": 45.3,
                "udh_aktivitetsparat": 24.9, "int_jobparat": 63.0, "int_aktivitetsparat": 123.8, "revalidering": 99.9,
                "sygedagpenge": 19.3, "jobafklaring": 25.7, "fleksjob_ledighedsydelse": 9.0, "ressourceforloeb": 31.8,
                "samlet": 23.2, "virksomhedsindsats": 3.3, "administration": 1.9, "ledelse": 1.0,
                "samlet_ekskl_puljer": 23.0}
NAESTVED_SAMLET = [28.7, 30.3, 30.4, 31.0, 32.6, 33.8, 32.9, 38.0, 39.9, 31.9, 33.1, 31.2]  # Kommune 2-13


def test_naestved_unit_costs(naestved):
    stats = owndata.unit_cost_comparison(naestved)
    for row, value in NAESTVED_OWN.items():
        assert r(stats.loc[row, "kommune"]) == value, row
    samlet = naestved["unit_costs"].query("target_group == 'samlet'").set_index("jobcentre")["unit_cost_1000kr"]
    assert [samlet[f"Kommune {i}"] for i in range(2, 14)] == NAESTVED_SAMLET
    assert r(stats.loc["samlet", "mean"]) == 32.8          # unweighted mean of the other 12
    assert pct(stats.loc["samlet", "deviation"]) == -29
    assert r(stats.loc["revalidering", "mean"]) == 56.1
    assert pct(stats.loc["sygedagpenge", "deviation"]) == -25   # slide 'Forslag 8': 25 pct. lavere


def test_exit_rates(slagelse, naestved):
    rates = slagelse["exit_rates"].set_index(["area_role", "target_group"])["rate_pct"]
    assert rates[("kommune", "dagpenge")] == 35.3
    assert rates[("klynge_ekskl", "i_alt")] == 29.6
    assert rates[("naert_ekskl", "kth_i_alt")] == 9.0
    assert len(rates) == 3 * 16
    n = naestved["exit_rates"].set_index(["area_role", "target_group"])["rate_pct"]
    # directions stated on the slide: better for dagpenge, lower for unge and jobafklaring
    assert n[("kommune", "dagpenge")] > n[("klynge_ekskl", "dagpenge")]
    for group in ("udh_uddannelsesparat", "udh_aktivitetsparat", "jobafklaring", "revalidering"):
        assert n[("kommune", group)] < n[("klynge_ekskl", group)], group


TABEL2_2019 = {"dagpenge": 1070, "kontanthjaelp": 1485, "uddannelseshjaelp": 709, "selvforsoergelse": 228,
               "sygedagpenge": 952, "jobafklaring": 276, "revalidering": 19, "ressourceforloeb": 448,
               "ledighedsydelse": 184, "fleksjob": 912}   # active groups, 000 Tabel 2


def test_slagelse_budget(slagelse):
    budget = slagelse["budget"].pivot(index="year", columns="benefit_group", values="full_time_persons")
    assert list(budget.index) == [2020, 2021, 2022]
    assert budget.loc[2020].sum() == 10733
    fp = budget["foertidspension"]
    assert fp[2020] < fp[2021] < fp[2022]
    for group in ("dagpenge", "kontanthjaelp"):
        assert budget.loc[2022, group] <= budget.loc[2020, group] <= budget.loc[2022, group] * 1.05, group
    sick = budget["sygedagpenge"] + budget["jobafklaring"]
    assert sick[2020] - sick[2022] == 204 and r((1 - sick[2022] / sick[2020]) * 100, 0) == 14


def test_slagelse_scenario_calibration(slagelse):
    """docs/data-spec.md formulas with gap = 200 persons: ≈ 740 persons and ≈ 58 mio. kr. in 2022."""
    budget = slagelse["budget"].pivot(index="year", columns="benefit_group", values="full_time_persons")
    cost = owndata.cost_by_group(slagelse["benefit_costs"])
    fc = slagelse["national_forecast"].query("forecast_id == 'oer_2020_aug'").set_index("to_year")["change_pct"] / 100
    weights = pd.Series(TABEL2_2019) / sum(TABEL2_2019.values())
    c_m = float((weights * cost.reindex(weights.index)).sum())
    assert 99_000 <= c_m <= 101_000
    assert abs(200 * c_m / 1e6 - 20) <= 0.5
    fav = budget.loc[2020] * (1 + fc[2021]) * (1 + fc[2022])
    fav = fav - (weights * 200).reindex(fav.index).fillna(0)
    potential = budget.loc[2022] - fav
    assert abs(potential.sum() - 740) <= 10
    assert abs((potential * cost.reindex(potential.index)).sum() / 1e6 - 58) <= 1
    assert 60_000 <= cost["foertidspension"] <= 80_000
    assert 30_000 <= cost["fleksjob"] <= 100_000
    assert 100_000 <= cost["kontanthjaelp"] <= 120_000


def test_national_forecast(slagelse):
    fc = slagelse["national_forecast"].set_index(["forecast_id", "to_year"])["change_pct"]
    assert fc[("oer_2020_aug", 2020)] == 12 and fc[("oer_2020_aug", 2021)] == -0.4
    assert fc[("oer_2020_aug", 2022)] == 0
    assert {2019, 2020, 2021} <= set(fc.loc["constructed_2019"].index)


def test_published_own_values(slagelse):
    assert owndata.resources_values(slagelse)["total_1000kr"] == 157242
    assert pct(owndata.unit_cost_values(slagelse)["deviation"]["dagpenge"]) == -19
    assert owndata.budget_values(slagelse)["i_alt"][2020] == 10733


# ------------------------------------------------------------------ bad input
@pytest.fixture
def kommune(tmp_path) -> Path:
    shutil.copytree(RAW / "slagelse", tmp_path / "slagelse", ignore=shutil.ignore_patterns("extracts"))
    shutil.copytree(RAW / "reference", tmp_path / "reference")
    return tmp_path / "slagelse"


def edit(path: Path, line_no: int, column: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    header = lines[0].split(",")
    cells = lines[line_no - 1].split(",")
    cells[header.index(column)] = value
    lines[line_no - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def rejected(kommune: Path) -> str:
    with pytest.raises(InputError) as info:
        owndata.load_all(kommune)
    return str(info.value)


def test_bad_input_fixture_is_good(kommune):
    assert set(owndata.load_all(kommune)) >= {"resources", "budget"}


def test_missing_file(kommune):
    (kommune / "budget.csv").unlink()
    message = rejected(kommune)
    assert str(kommune / "budget.csv") in message and "mangler" in message


def test_optional_file_may_be_absent(kommune):
    (kommune / "resource_comparison.csv").unlink()
    assert "resource_comparison" not in owndata.load_all(kommune)


def test_misnamed_column(kommune):
    path = kommune / "resources.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("expenses_1000kr", "expenses", 1), encoding="utf-8")
    message = rejected(kommune)
    assert "resources.csv" in message and "'expenses'" in message and "expenses_1000kr" in message


def test_unparseable_number(kommune):
    edit(kommune / "budget.csv", 5, "full_time_persons", "12x5")
    message = rejected(kommune)
    assert "budget.csv" in message and "række 5" in message and "full_time_persons" in message and "12x5" in message


def test_unknown_benefit_group(kommune):
    edit(kommune / "benefit_costs.csv", 3, "benefit_group", "borgerloen")
    message = rejected(kommune)
    assert "benefit_costs.csv" in message and "række 3" in message and "borgerloen" in message
    assert "ukendt ydelsesgruppe" in message


def test_unknown_target_group(kommune):
    edit(kommune / "resources.csv", 4, "target_group", "pensionister")
    message = rejected(kommune)
    assert "resources.csv" in message and "række 4" in message and "pensionister" in message
    assert "ukendt målgruppe" in message


def test_unknown_exit_rate_row(kommune):
    edit(kommune / "exit_rates.csv", 2, "area_role", "region")
    message = rejected(kommune)
    assert "exit_rates.csv" in message and "række 2" in message and "region" in message


def test_duplicate_row(kommune):
    path = kommune / "exit_rates.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    path.write_text("\n".join(lines + [lines[3]]) + "\n", encoding="utf-8")
    message = rejected(kommune)
    assert "exit_rates.csv" in message and "dubleret" in message and f"række {len(lines) + 1}" in message


def test_negative_amount(kommune):
    edit(kommune / "resources.csv", 7, "expenses_1000kr", "-250")
    message = rejected(kommune)
    assert "resources.csv" in message and "række 7" in message and "expenses_1000kr" in message
    assert "-250" in message and "negativ" in message


def test_negative_unit_cost(kommune):
    edit(kommune / "unit_costs.csv", 10, "unit_cost_1000kr", "-3.0")
    message = rejected(kommune)
    assert "unit_costs.csv" in message and "række 10" in message and "negativ" in message


def test_missing_benefit_group_in_budget(kommune):
    path = kommune / "budget.csv"
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    path.write_text("\n".join(line for line in lines if not line.startswith("2021,fleksjob")) + "\n",
                    encoding="utf-8")
    message = rejected(kommune)
    assert "budget.csv" in message and "2021 fleksjob" in message


def test_forecast_years_must_follow(kommune):
    edit(kommune.parent / "reference" / "national_forecast.csv", 3, "to_year", "2023")
    message = rejected(kommune)
    assert "national_forecast.csv" in message and "række 3" in message and "from_year + 1" in message


def test_every_problem_reported_at_once(kommune):
    edit(kommune / "budget.csv", 4, "full_time_persons", "abc")
    edit(kommune / "exit_rates.csv", 6, "rate_pct", "140")
    (kommune / "benefit_costs.csv").unlink()
    message = rejected(kommune)
    assert "budget.csv" in message and "exit_rates.csv" in message and "benefit_costs.csv" in message
    assert "3 fejl" in message


def test_persons_without_expenses(kommune):
    path = kommune / "resource_persons.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "ledighedsydelse,12,constructed: test\n", encoding="utf-8")
    message = rejected(kommune)
    assert "ledighedsydelse" in message and "ingen udgifter" in message
