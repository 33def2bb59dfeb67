"""The catalogue's economics (chapter 7), computed from the effect lines, never typed.

Per proposal:
- persons moved per benefit group (signed: negative = fewer on the group);
- break-even: the full-time persons per year that must leave the proposal's group for the year's
  investment to pay for itself (investment ÷ the group's net cost per full-time person); the group is the
  one its saving lines act on most (or the proposal's `target_group`);
- payback year: the first year in which the cumulative effect (investments + savings) is ≤ 0;
- an expected effect weighted by certainty, with a low/central/high range (see CERTAINTY).

For the catalogue: the reconciliation with the scenario potential (budget path − favourable path per
group, chapter 4) and "investér eller spar" (the saving lost without an investment; a cut's effect on
persons).

CERTAINTY is declared once, here. Investments are certain (they are decided); only the savings and
added expenses (everything but kind 'investering') are uncertain:

    expected = investments + weight × savings
    low      = investments + (1 − width) × savings       (less saving than estimated)
    high     = investments + (1 + width) × savings
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from servicetjek.inputs import catalogue as cm
from servicetjek.inputs.catalogue import Catalogue, Proposal


@dataclass(frozen=True)
class Certainty:
    weight: float          # the share of the estimated saving expected to be realised
    width: float           # the range: the realised share lies within 1 ± width


CERTAINTY = {"Høj": Certainty(0.9, 0.2), "Middel": Certainty(0.7, 0.4), "Lav": Certainty(0.4, 0.6)}


def _counted(cat: Catalogue, p: Proposal | str, scenario: str | None = None) -> list[cm.LineEffect]:
    return cm._counted(cat, p, scenario)


def _years_sum(effects, years) -> dict[int, float]:
    return cm._sum(effects, years)


def persons_by_group(cat: Catalogue, p: Proposal | str) -> dict[str, dict[int, float]]:
    """{group: {year: signed persons}} over the lines that count (common lines and the default scenario)."""
    out: dict[str, dict[int, float]] = {}
    for eff in _counted(cat, p):
        if eff.group:
            per = out.setdefault(eff.group, {})
            for year, n in eff.persons.items():
                per[year] = per.get(year, 0.0) + n
    return out


def investment(cat: Catalogue, p: Proposal | str) -> dict[int, float]:
    return _years_sum([e for e in _counted(cat, p) if e.kind == "investering"], cat.years)


def savings(cat: Catalogue, p: Proposal | str) -> dict[int, float]:
    """Everything but the investments (savings and added expenses), per year."""
    return _years_sum([e for e in _counted(cat, p) if e.kind != "investering"], cat.years)


def break_even_group(cat: Catalogue, p: Proposal | str) -> str | None:
    """The group whose persons the break-even counts: the saving lines' largest group, else target_group."""
    p = cm._as_proposal(cat, p)
    totals: dict[str, float] = {}
    for eff in _counted(cat, p):
        if eff.group and eff.kind == "besparelse":
            totals[eff.group] = totals.get(eff.group, 0.0) + sum(eff.amounts.values())
    if totals:
        return min(totals, key=lambda g: (totals[g], g))
    return p.target_group


def break_even(cat: Catalogue, p: Proposal | str) -> dict[int, float]:
    """{year: persons that must leave the group that year for the year's investment to pay for itself}."""
    group = break_even_group(cat, p)
    inv = investment(cat, p)
    if group is None or not inv:
        return {}
    cost = cat.costs[group]
    return {y: v * 1000.0 / cost for y, v in inv.items() if v}


def payback_year(cat: Catalogue, p: Proposal | str) -> int | None:
    """The first year the cumulative effect is ≤ 0 (the investment has paid for itself); None if it does
    not within the catalogue's years (or the proposal has no investment)."""
    if not investment(cat, p):
        return None
    total = cm.proposal_total(cat, p)
    running = 0.0
    for year in cat.years:
        running += total.get(year, 0.0)
        if running <= 0 and year >= min(investment(cat, p)):
            return year
    return None


def expected(cat: Catalogue, p: Proposal | str, year: int) -> dict[str, float]:
    """{'low', 'central', 'high', 'expected'} in 1.000 kr for the year (see the module's docstring)."""
    p = cm._as_proposal(cat, p)
    c = CERTAINTY[p.certainty]
    inv, sav = investment(cat, p).get(year, 0.0), savings(cat, p).get(year, 0.0)
    return {"low": inv + (1 - c.width) * sav, "central": inv + sav, "high": inv + (1 + c.width) * sav,
            "expected": inv + c.weight * sav}


def _fmt_persons(per_group: dict[str, dict[int, float]], year: int, names: dict[str, str]) -> str:
    parts = [f"{names.get(g, g)} {v.get(year, 0.0):+.0f}" for g, v in per_group.items() if round(v.get(year, 0.0))]
    return "; ".join(parts)


def economics_frame(cat: Catalogue, names: dict[str, str] | None = None) -> pd.DataFrame:
    """catalogue_economics.csv: one row per proposal and a total row over the proposals in the total."""
    year = cat.years[-1]
    why = cm.left_out(cat)
    rows = []
    for p in cat.proposals:
        effects = _counted(cat, p)
        per_group = persons_by_group(cat, p)
        be = break_even(cat, p)
        rng = expected(cat, p, year)
        rows.append({
            "number": p.number, "proposal_id": p.id, "label": p.label, "in_total": p.id not in why,
            "note": why.get(p.id, ""), "certainty": p.certainty,
            "lines_computed": sum(1 for e in effects if e.basis != "typed"),
            "lines_typed": sum(1 for e in effects if e.basis == "typed"),
            "persons": _fmt_persons(per_group, year, names or {}),
            "persons_net": sum(v.get(year, 0.0) for v in per_group.values()),
            "investment_1000kr": sum(investment(cat, p).values()),
            "break_even_group": break_even_group(cat, p) if be else None,
            "break_even_persons": max(be.values()) if be else float("nan"),
            "payback_year": payback_year(cat, p),
            **{f"{k}_1000kr": v for k, v in rng.items()},
        })
    frame = pd.DataFrame(rows)
    inside = frame[frame["in_total"]]
    total = {"number": None, "proposal_id": None, "label": "I alt", "in_total": True, "note": "",
             "certainty": None, "lines_computed": int(inside["lines_computed"].sum()),
             "lines_typed": int(inside["lines_typed"].sum()), "persons": "",
             "persons_net": float(inside["persons_net"].sum()),
             "investment_1000kr": float(inside["investment_1000kr"].sum()), "break_even_group": None,
             "break_even_persons": float("nan"), "payback_year": None}
    for k in ("low", "central", "high", "expected"):
        total[f"{k}_1000kr"] = float(inside[f"{k}_1000kr"].sum())
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame["payback_year"] = frame["payback_year"].astype("Int64")
    return frame


def for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without columns that hold nothing (every CSV column the chapter writes holds a value)."""
    empty = [c for c in frame.columns if frame[c].isna().all() or (frame[c].astype(str).isin(["", "nan", "None",
                                                                                               "<NA>"]).all())]
    return frame.drop(columns=empty)


def invest_or_cut(cat: Catalogue, names: dict[str, str] | None = None) -> pd.DataFrame:
    """catalogue_invest_or_cut.csv: for each investment the saving lost if it is not made; for each cut
    its effect on persons (moved, or the persons on the target group the saving corresponds to)."""
    year = cat.years[-1]
    rows = []
    for p in cat.proposals:
        inv, sav = investment(cat, p), savings(cat, p)
        if not inv and not any(sav.values()):
            continue
        group = break_even_group(cat, p)
        per_group = persons_by_group(cat, p)
        moved = sum(v.get(year, 0.0) for v in per_group.values())
        lost = -sum(sav.values())
        equivalent = (-sav.get(year, 0.0) * 1000.0 / cat.costs[group]) if group and sav.get(year) else float("nan")
        rows.append({"number": p.number, "proposal_id": p.id, "label": p.label,
                     "kind": "investering" if inv else "besparelse",
                     "investment_1000kr": sum(inv.values()), "saving_lost_1000kr": lost if inv else float("nan"),
                     "saving_1000kr": -sav.get(year, 0.0), "persons_moved": moved if per_group else float("nan"),
                     "persons_text": _fmt_persons(per_group, year, names or {}),
                     "group": group, "persons_equivalent": equivalent})
    return pd.DataFrame(rows)


def reconciliation(cat: Catalogue, run, costs: pd.Series) -> pd.DataFrame:
    """catalogue_potential.csv: per group, the scenario's gap (budget − favourable) in the last scenario
    year against the catalogue's persons and savings there; a row for the catalogue's effects on no group
    (typed amounts, investments), and the total. kr; a reduction is positive. rest = gap − catalogue, so
    the gap column adds up to the scenario potential and catalogue + rest to the gap, row by row."""
    budget = run.budget
    fav = _favourable(run)
    year = int(budget.index[-1])
    in_cat = year in cat.years
    persons: dict[str, float] = {}
    kroner: dict[str, float] = {}
    other = 0.0
    for p in cm.counted_proposals(cat):
        for eff in _counted(cat, p):
            amount = eff.amounts.get(year, 0.0) if in_cat else 0.0
            if eff.group:
                persons[eff.group] = persons.get(eff.group, 0.0) - eff.persons.get(year, 0.0)
                kroner[eff.group] = kroner.get(eff.group, 0.0) - amount * 1000.0
            else:
                other -= amount * 1000.0
    rows = []
    for g in budget.columns:
        gap = float(budget.at[year, g] - fav.at[year, g])
        rows.append({"benefit_group": g, "budget": float(budget.at[year, g]), "favourable": float(fav.at[year, g]),
                     "gap_persons": gap, "gap_kr": gap * float(costs[g]), "catalogue_persons": persons.get(g, 0.0),
                     "catalogue_kr": kroner.get(g, 0.0)})
    rows.append({"benefit_group": "ikke_fordelt", "budget": float("nan"), "favourable": float("nan"),
                 "gap_persons": 0.0, "gap_kr": 0.0, "catalogue_persons": 0.0, "catalogue_kr": other})
    frame = pd.DataFrame(rows)
    frame["rest_persons"] = frame["gap_persons"] - frame["catalogue_persons"]
    frame["rest_kr"] = frame["gap_kr"] - frame["catalogue_kr"]
    total = {c: float(frame[c].sum()) for c in frame.columns if c != "benefit_group"}
    frame = pd.concat([frame, pd.DataFrame([{"benefit_group": "i_alt", **total}])], ignore_index=True)
    frame.insert(0, "year", year)
    return frame


def _favourable(run) -> pd.DataFrame:
    from servicetjek.chapters import scenarios

    return scenarios.favourable_by_group(run.budget, run.weights, run.assumptions)
