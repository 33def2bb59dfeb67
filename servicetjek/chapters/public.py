"""The public-data report (`offentlig` in report.yaml): its scenario and its introduction.

The scenario without a budget (the municipality's own assumptions are not public):
- national path: the latest actual total × Π(1 + f_y), the forecast the municipality names;
- favourable path: the national path, and in the last year minus the long-run gap of the status chapter
  (× the share closed), as in the servicetjek's favourable scenario;
- the gap in kroner: Σ_g weight_g × gap × closed × cost_g (the active groups' mix, as in chapter 4).

The introduction names the servicetjek's chapters this report leaves out, and the inputs they need that are
not public, from the declaration (nothing here lists chapters by hand).
"""

from __future__ import annotations

import pandas as pd

from servicetjek.chapters import status
from servicetjek.chapters.scenarios import FAVOURABLE, NATIONAL, forecast_changes, latest_total
from servicetjek.publish import formatting as fmt
from servicetjek.publish import phrases as ph

# What a chapter of the full servicetjek reads that public data cannot give, in the reader's words.
NOT_PUBLIC = {
    "budget.csv": "kommunens budgetforudsætninger",
    "resources.csv": "kommunens ressourceopgørelse",
    "resource_persons.csv": "kommunens ressourceopgørelse",
    "unit_costs.csv": "de sammenlignelige jobcentres enhedsomkostninger",
    "exit_rates.csv": "afgangsrater fra kommunens egne opgørelser",
    "benefit_costs.csv": "kommunens egne nettoudgifter pr. fuldtidsperson",
    "proposals.yaml": "konsulentens forslagskatalog",
}
TEXT_REASON = "er konsulentens egen tekst"
SUMMARY_REASON = "opsummerer alle kapitlerne, også dem, der bygger på kommunens egne tal"


def forecast_paths(inp, gap_closed: float = 1.0) -> tuple[pd.DataFrame, dict]:
    """(one row per year, the latest actual year first, with the national and the favourable path; the
    figures the text quotes)."""
    mun, yrs = inp.municipality, inp.municipality.config.years
    changes = forecast_changes(inp.national_forecast, mun.config.national_forecast, yrs.scenario)
    actual = latest_total(inp.annual, mun.config.area, yrs.latest)
    national = [actual]
    for year in yrs.scenario:
        national.append(national[-1] * (1 + changes[year]))
    gap = max(float(status.longrun(inp.annual, mun)["gap"].iloc[-1]), 0.0)
    cut = gap * gap_closed
    favourable = national[:-1] + [national[-1] - cut]
    weights = status.active_weights(inp.annual, mun, inp.taxonomy, yrs.latest)
    kroner = cut * status.weighted_cost(weights, inp.benefit_costs)
    paths = pd.DataFrame({"year": [yrs.latest, *yrs.scenario], NATIONAL: national, FAVOURABLE: favourable})
    facts = {"actual": actual, "latest": yrs.latest, "last": yrs.scenario[-1], "national": national[-1],
             "favourable": favourable[-1], "gap": cut, "kr": kroner, "group": status.longrun_group(mun).name}
    return paths, facts


def forecast_sentences(facts: dict, kommune: str) -> list[str]:
    change = facts["national"] / facts["actual"] - 1
    out = [f"Følger {kommune} den nationale prognose, {'bliver' if abs(change) >= 0.005 else 'forbliver'} "
           f"antallet af fuldtidspersoner på offentlig forsørgelse ca. {fmt.number(facts['national'])} i "
           f"{facts['last']} mod {fmt.number(facts['actual'])} i {facts['latest']} "
           f"({ph.signed_percent(change)})."]
    if facts["gap"] >= 0.5:
        out.append(f"Indhenter kommunen samtidig gabet til {facts['group']} fra kapitlet om status, på "
                   f"{ph.persons(facts['gap'])}, bliver antallet ca. {fmt.number(facts['favourable'])} i "
                   f"{facts['last']}, svarende til ca. {ph.mio_kr(facts['kr'])} mindre i nettoudgifter om året.")
    else:
        out.append(f"{kommune} har ikke noget gab til {facts['group']} at indhente, så det gunstige scenarie "
                   f"er den nationale prognose.")
    return out


def left_out(report, full) -> list[tuple[int, str, str]]:
    """(number in the full report, title, why) for each of the full report's chapters this one leaves out."""
    kept = {c.decl.id for c in report.chapters}
    public = set(report.required_inputs()) | set(report.optional_inputs())
    out = []
    for ch in full.chapters:
        if ch.decl.id in kept:
            continue
        if ch.decl.kind == "summary":
            why = SUMMARY_REASON
        elif ch.decl.kind == "text":
            why = TEXT_REASON
        else:
            needs = list(dict.fromkeys(NOT_PUBLIC.get(f, f) for f in ch.decl.inputs if f not in public))
            why = f"bygger på {ph.join(needs)}"
        out.append((ch.number, ch.decl.title, why))
    return out


def intro_html(report, full, kommune: str) -> str:
    """The introduction: what the report shows, and what it leaves out and why."""
    shown = ph.join([str(c.number) for c in report.notebooks() if c.decl.id != "indledning"])
    rows = "".join(f"<li>Kapitel {n}, «{title.replace('{kommune}', kommune)}», {why}.</li>"
                   for n, title, why in left_out(report, full))
    return (f"<p>Denne rapport bygger alene på offentlige data: jobindsats.dk's udtræk, befolkningstal og den "
            f"nationale prognose. Den kan derfor laves for enhver kommune, også uden kommunens egne tal. "
            f"Rapporten viser status, den nationale prognose anvendt på {kommune} Kommune og STAR's benchmark "
            f"(kapitel {shown}).</p>"
            f"<p>Følgende kapitler i det fulde servicetjek er udeladt, fordi de bygger på tal eller tekster, "
            f"som ikke er offentlige:</p><ul>{rows}</ul>"
            f"<p>Hvor rapporten omregner til kroner, bruges kommunens egne nettoudgifter pr. fuldtidsperson, "
            f"hvis de findes, og ellers en national reference.</p>")
