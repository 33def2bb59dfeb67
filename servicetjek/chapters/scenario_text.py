"""Chapter 4's analysis in words, from Figur 2 and the scenario tables (the reference report's chapter 4):

- the municipality's own budget path and the benefit groups that drive it;
- the national forecast applied to the municipality;
- the favourable scenario and the gap it closes (none for a municipality without a gap);
- the potential in persons and money, and its range under the sensitivity variants.

Words and amounts from publish/phrases.py (one rounding of mio. kr. wherever the value is quoted).
"""

from __future__ import annotations

import pandas as pd

from servicetjek.chapters.scenarios import BUDGET, NATIONAL
from servicetjek.chapters.status_text import drivers, listed
from servicetjek.publish import formatting as fmt
from servicetjek.publish import phrases as ph


def _refs(ch, *ids: str) -> str:
    """'jf. figur 2 og tabel 3' from the declared ids (figures first)."""
    parts = [f"figur {ch.figure_number(i)}" for i in ids if i in ch.decl.figures]
    parts += [f"tabel {ch.table_number(i)}" for i in ids if i in ch.decl.tables]
    return "jf. " + ph.join(parts)


def signed_pct(ratio: float) -> str:
    """A forecast change in running text: '+12,0 pct.', '-0,4 pct.'."""
    return f"{fmt.signed(ratio * 100, 1)} pct."


def budget_drivers(budget: pd.DataFrame, names: dict[str, str]) -> tuple[str, list, list]:
    """(direction word, groups with the budget's change, groups against it) from the first to the last
    budget year, in persons."""
    first, last = budget.index[0], budget.index[-1]
    change = budget.loc[last] - budget.loc[first]
    total = float(change.sum())
    by_label = {names.get(str(g), str(g)): float(v) for g, v in change.items()}
    up, against = drivers(by_label, total)
    return ph.direction(total / float(budget.loc[first].sum())), up, against


def path_sentences(run, who: tuple[str, str], ch, names: dict[str, str]) -> list[str]:
    """`who`: (the municipality's name, the role of the comparison group whose gap the scenario closes)."""
    kommune, role = who
    group = ph.definite(role)
    paths = run.paths
    actual, first, last = paths.iloc[0], paths.iloc[1], paths.iloc[-1]
    y0, y1, yn = int(actual["year"]), int(first["year"]), int(last["year"])
    out = [f"{kommune}s egne budgetforudsætninger giver {fmt.number(first[BUDGET])} fuldtidspersoner i {y1} og "
           f"{fmt.number(last[BUDGET])} i {yn} mod {fmt.number(actual[BUDGET])} i {y0}, "
           f"{_refs(ch, 'scenario_figure', 'scenario_paths')}."]
    word, up, against = budget_drivers(run.budget, names)
    if word != "uændret" and y1 != yn:
        moved = abs(float(last[BUDGET]) - float(first[BUDGET]))
        text = (f"I budgettet {'stiger' if word == 'steget' else 'falder'} antallet med {ph.persons(moved)} "
                f"fra {y1} til {yn}")
        if up:
            text += f", især for {listed(up)}"
        if against:
            text += f", mens det {'falder' if word == 'steget' else 'stiger'} for {listed(against)}"
        out.append(text + ".")
    changes = run.assumptions.forecast
    parts = ph.join([f"{signed_pct(v)} i {y}" for y, v in changes.items()])
    out.append(f"Anvendes den nationale prognose ({parts}) på kommunen, giver det {fmt.number(first[NATIONAL])} "
               f"fuldtidspersoner i {y1} og {fmt.number(last[NATIONAL])} i {yn}.")
    gap, closed = run.assumptions.gap_persons, run.assumptions.gap_closed
    if round(gap) > 0 and closed > 0:
        share = "hele gabet" if closed >= 1 else f"{ph.percent(closed)} af gabet"
        out.append(f"I det gunstige scenarie følger {kommune} den nationale udvikling fra sit eget budget for {y1} "
                   f"og indhenter frem mod {yn} {share} på ca. {ph.persons(gap)} til {group}.")
    else:
        out.append(f"{kommune} har intet gab at indhente til {group}, så i det gunstige scenarie "
                   f"følger kommunen blot den nationale udvikling fra sit eget budget for {y1}.")
    return out


def _range(low: float, high: float) -> str:
    """The sensitivity range in words: a negative potential is a scenario above the budget, never '-36 mio. kr.'."""
    if low >= 0:
        return f"ligger potentialet mellem ca. {ph.mio_kr(low)} og {ph.mio_kr(high)}"
    if high <= 0:
        return (f"ligger det gunstige scenarie over budgettet i alle tilfælde, svarende til mellem ca. "
                f"{ph.mio_kr(-high)} og {ph.mio_kr(-low)}")
    return (f"spænder det fra et gunstigt scenarie ca. {ph.mio_kr(-low)} over budgettet til et potentiale på ca. "
            f"{ph.mio_kr(high)}")


def potential_sentences(run, ch, sens: pd.DataFrame | None = None) -> list[str]:
    pot = run.potential.iloc[-1]
    year, persons, kroner = int(pot["year"]), float(pot["persons"]), float(pot["kr"])
    ref = _refs(ch, "scenario_potential")
    if round(persons) > 0:
        out = [f"Potentialet i {year} er ca. {ph.persons(persons).replace('fuldtidsperson', 'færre fuldtidsperson')}"
               f" end budgettet, svarende til ca. {ph.mio_kr(kroner)}, {ref}."]
    elif round(persons) < 0:
        out = [f"Det gunstige scenarie ligger i {year} ca. {ph.persons(-persons)} over budgettet; budgettet er "
               f"allerede mere gunstigt end scenariet, {ref}."]
    else:
        out = [f"Det gunstige scenarie svarer i {year} til budgettet, så der er intet potentiale, {ref}."]
    if sens is not None and len(sens) > 1 and "scenario_sensitivity" in ch.decl.tables:
        low, high = float(sens["kr"].min()), float(sens["kr"].max())
        out.append(f"Under andre forudsætninger om den nationale vækst og om, hvor meget af gabet der lukkes, "
                   f"{_range(low, high)}, {_refs(ch, 'scenario_sensitivity')}.")
    return out

