"""The report-wide placeholder context (data/raw/README.md, "Report-wide keys").

Texts (texts/indledning.md, texts/vurdering.md, proposal sections) may cite
`kommune.*`, `status.*`, `budget.*`, `resources.*`, `unit_costs.*`,
`exit_rates.*`, `longrun.*`, `scenario.*` and `catalogue.*`. This module builds
those values from the prepared inputs with the same functions the chapters use,
so a number is computed once and never typed.
"""

from __future__ import annotations

from typing import Any

from . import status


def status_context(inp) -> dict:
    """status.<group>.<year>, status.change(.latest)(_persons).<group> (group ids, 'i_alt', 'aktive')."""
    mun = inp.municipality
    annual = inp.annual
    rows = annual[(annual["area"] == mun.config.area) & (annual["measure"] == "fuldtidspersoner")
                  & (annual["sub_group"] == "")]
    ctx: dict[str, Any] = {}
    for group, part in rows.groupby("benefit_group"):
        ctx[str(group)] = {int(y): float(v) for y, v in zip(part["year"], part["value"])}
    if "i_alt" in ctx:
        pension = ctx.get("foertidspension", {})
        ctx["aktive"] = {y: v - pension.get(y, 0.0) for y, v in ctx["i_alt"].items()}
    years = mun.config.years.status
    dev = status.development(annual, mun, inp.taxonomy, years).set_index("row_id")
    first, prev, last = str(years[0]), str(years[-2]), str(years[-1])
    ctx["change"] = {str(r): float(dev.at[r, "change_period"]) for r in dev.index}
    ctx["change_latest"] = {str(r): float(dev.at[r, "change_latest"]) for r in dev.index}
    ctx["change_latest_persons"] = {str(r): float(dev.at[r, last] - dev.at[r, prev]) for r in dev.index}
    ctx["change_persons"] = {str(r): float(dev.at[r, last] - dev.at[r, first]) for r in dev.index}
    ctx["year"] = str(years[-1])
    return ctx


def longrun_context(inp) -> dict:
    mun = inp.municipality
    table = status.longrun(inp.annual, mun)
    weights = status.active_weights(inp.annual, mun, inp.taxonomy, mun.config.years.latest)
    cost = status.weighted_cost(weights, inp.benefit_costs)
    gap = float(table["gap"].iloc[-1])
    return {"gap_persons": gap, "gap_kr": gap * cost, "gap_1000kr": gap * cost / 1000.0,
            "year": str(int(table["year"].iloc[-1]))}


def report_context(inp, catalogue=None) -> dict:
    """Every report-wide root the texts may use; a part whose inputs are missing is left out."""
    from . import owndata

    ctx: dict[str, Any] = {"kommune": {"name": inp.municipality.name, "slug": inp.slug}}
    ctx["status"] = status_context(inp)
    try:
        ctx["longrun"] = longrun_context(inp)
    except (KeyError, IndexError, ValueError):
        pass
    ctx.update(owndata.report_context(inp.own))
    try:
        from .costs import exit_rate_context
        ctx.update(exit_rate_context(inp.own))
    except Exception:   # chapter 5's module is optional for the texts
        pass
    if catalogue is not None:
        from .catalogue import catalogue_context
        ctx["catalogue"] = catalogue_context(catalogue)
    return ctx
