"""The values chapters publish, for the consultant's texts, the proposal texts and the Resume.

Each root in the declaration's `publishes` lists has one builder here; the report's values are the
builders of the roots its chapters publish (plus `kommune`). A number is computed once, by the same
functions the chapters use, and never typed:

    kommune.*     name, slug
    status.*      <group>.<year>, change(.latest)(_persons).<group>, label.<group>, (chapter status)
                  year, years.<first|previous|last>
    longrun.*     gap_persons, gap_kr, gap_1000kr, gap_share, year, start, role,  (chapter status)
                  group (the comparison group's definite form: "det nære arbejdsmarked")
    benchmark.*   period, period_label, faktisk, forventet, forskel, forskel_pp,  (chapter benchmark)
                  forskel_kr, placering, count, previous_period, previous_label,
                  previous_placering, placering_change, reach_persons, reach_kr
    scenario.*    potential.<year>.persons/kr, potential_persons, potential_kr,  (chapter scenarier)
                  last_year, path.<budget|national|favourable>.<year>
    budget.*      <benefit_group|i_alt>.<year>                                   (chapter scenarier)
    resources.*   total_1000kr, persons, konto5_1000kr, konto6_share, …          (chapter omkostninger)
    unit_costs.*  <kommune|mean|min|max|deviation>.<row>, rank, rank_high,       (chapter omkostninger)
                  jobcentres
    exit_rates.*  <kommune|klynge_ekskl|naert_ekskl|deviation>.<target group>    (chapter omkostninger)
    catalogue.*   count, total.<year>, konto5/konto6/<kind>.<year>, number.<id>  (chapter katalog)
"""

from __future__ import annotations

from typing import Any

from servicetjek.chapters import status
from servicetjek.publish import phrases


def status_values(inp) -> dict:
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
    ctx["label"] = {str(r): str(dev.at[r, "label"]) for r in dev.index}
    for key, year in (("first", first), ("previous", prev), ("last", last)):
        ctx[key] = {str(r): float(dev.at[r, year]) for r in dev.index}
    ctx.update(_comparisons(inp, dev, years[-1]))
    ctx["year"] = str(years[-1])
    ctx["years"] = {"first": first, "previous": prev, "last": last}
    return ctx


def _comparisons(inp, dev, year: int) -> dict:
    """share.<kommune|role>.<row> (percent of the population 16-64, as Tabel 1), share_gap.<role>.<row>
    (kommune − group, percentage points as Tabel 1 prints them), change_group.<role>.<row> (the group's period
    change, Tabel 2) and change_gap.<role>.<row> (kommune's period change − the group's; positive: the
    municipality developed less favourably)."""
    mun = inp.municipality
    shares = status.shares(inp.annual, inp.population, mun, inp.taxonomy, year).set_index("row_id")
    out: dict[str, Any] = {"share": {"kommune": {str(r): float(v) for r, v in shares[mun.name].items()}},
                           "share_gap": {}, "change_group": {}, "change_gap": {}}
    for group in mun.groups.groups:
        if group.name in shares.columns:
            out["share"][group.role] = {str(r): float(v) for r, v in shares[group.name].items()}
            out["share_gap"][group.role] = {str(r): round(float(shares.at[r, mun.name]), 1)
                                            - round(float(v), 1) for r, v in shares[group.name].items()}
        column = f"change_period {group.short_name}"
        if column in dev.columns:
            out["change_group"][group.role] = {str(r): float(v) for r, v in dev[column].items()}
            out["change_gap"][group.role] = {str(r): float(dev.at[r, "change_period"] - v)
                                             for r, v in dev[column].items()}
    return out


def longrun_values(inp) -> dict:
    mun = inp.municipality
    table = status.longrun(inp.annual, mun)
    weights = status.active_weights(inp.annual, mun, inp.taxonomy, mun.config.years.latest)
    cost = status.weighted_cost(weights, inp.benefit_costs)
    gap = float(table["gap"].iloc[-1])
    group = status.longrun_group(mun)
    total = float(table[mun.name].iloc[-1])
    return {"gap_persons": gap, "gap_kr": gap * cost, "gap_1000kr": gap * cost / 1000.0,
            "gap_share": gap / total if total else 0.0,
            "year": str(int(table["year"].iloc[-1])), "start": str(int(table["year"].iloc[0])),
            "role": group.role, "group": phrases.definite(group.role)}


def benchmark_values(inp) -> dict:
    from servicetjek.chapters import benchmark

    kf = benchmark.standard(inp)[-1]
    out = {"period": kf.period, "period_label": kf.period_label, "faktisk": kf.faktisk, "forventet": kf.forventet,
           "forskel": kf.forskel, "forskel_pp": kf.forskel_pp, "forskel_kr": kf.forskel_kr,
           "placering": kf.placering, "count": kf.count, "reach_persons": kf.reach_persons, "reach_kr": kf.reach_kr}
    if kf.previous_period is not None:
        out.update(previous_period=kf.previous_period, previous_label=kf.previous_label,
                   previous_placering=kf.previous_placering,
                   placering_change=kf.previous_placering - kf.placering)
    return out


def scenario_values(inp) -> dict:
    from servicetjek.chapters import scenarios

    run = scenarios.standard(inp)
    pot = run.potential.set_index("year")
    last = int(pot.index[-1])
    paths = run.paths.set_index("year")
    return {
        "potential": {int(y): {"persons": float(r["persons"]), "kr": float(r["kr"])} for y, r in pot.iterrows()},
        "potential_persons": float(pot.at[last, "persons"]), "potential_kr": float(pot.at[last, "kr"]),
        "last_year": str(last), "gap_persons": float(run.assumptions.gap_persons),
        "path": {key: {int(y): float(v) for y, v in paths[col].items()}
                 for key, col in (("budget", scenarios.BUDGET), ("national", scenarios.NATIONAL),
                                  ("favourable", scenarios.FAVOURABLE))},
    }


def _own(builder: str):
    """A value root built from the municipality's own figures (inputs/owndata.py)."""
    def build(inp) -> dict:
        from servicetjek.inputs import owndata

        return getattr(owndata, builder)(inp.own)

    return build


def catalogue_values(inp) -> dict:
    from servicetjek.chapters.catalogue_texts import catalogue_context

    return catalogue_context(inp.catalogue())


def exit_rate_values(inp) -> dict:
    """exit_rates.<kommune|klynge_ekskl|naert_ekskl>.<group> (percent) and deviation.<group> (kommune ÷ klynge
    − 1, a ratio: `{{ exit_rates.deviation.dagpenge | taet_paa }}`)."""
    from servicetjek.chapters.costs import exit_rate_context

    ctx = exit_rate_context(inp.own).get("exit_rates", {})
    own, klynge = ctx.get("kommune", {}), ctx.get("klynge_ekskl", {})
    ctx["deviation"] = {g: own[g] / klynge[g] - 1 for g in own if klynge.get(g)}
    names = {t.id: t.name for t in inp.taxonomy.target_groups}
    groups = [g for g in names if g in ctx["deviation"]]
    words = {g: phrases.level(ctx["deviation"][g], "higher", "lower", "close") for g in groups}
    # Tabel 5 read with the one "tæt på" band: lists of group names (`{{ exit_rates.groups.lower | liste }}`)
    ctx["groups"] = {w: [names[g] for g in groups if words[g] == w] for w in ("higher", "lower", "close")}
    return ctx


def unit_cost_values(inp) -> dict:
    """unit_costs.<kommune|mean|min|max|deviation>.<row>, and rank (1 = the lowest total unit cost of all
    jobcentres, the municipality included), rank_high (1 = the highest) and jobcentres (their number)."""
    ctx = _own("unit_cost_values")(inp) if "unit_costs" in inp.own else {}
    frame = inp.own.get("unit_costs")
    own = ctx.get("kommune", {}).get("samlet")
    if frame is not None and own is not None:
        others = [float(v) for v in frame[frame["target_group"] == "samlet"]["unit_cost_1000kr"]]
        ctx["rank"] = 1 + sum(1 for v in others if v < own)
        ctx["rank_high"] = 1 + sum(1 for v in others if v > own)
        ctx["jobcentres"] = len(others) + 1
        dev = ctx.get("deviation", {})
        ctx["rank_words"] = (phrases.rank(ctx["rank"], "laveste", "de") if dev.get("samlet", 0) < 0 or ctx["rank"] == 1
                             else phrases.rank(ctx["rank_high"], "højeste", "de"))
        groups = [t.id for t in inp.taxonomy.target_groups if t.id in dev]
        ctx["higher_count"] = sum(1 for g in groups if dev[g] > 0)
        ctx["lower_count"] = sum(1 for g in groups if dev[g] < 0)
        ctx["group_count"] = len(groups)
    return ctx


def budget_values(inp) -> dict:
    """budget.<benefit_group|i_alt>.<year>, years.first/last, and change.<group> (first → last budget year,
    a ratio: `{{ budget.change.foertidspension | retning("stiger", "falder") }}`)."""
    ctx = _own("budget_values")(inp) if "budget" in inp.own else {}
    if not ctx.get("i_alt"):
        return ctx
    years = sorted(ctx["i_alt"])
    first, last = years[0], years[-1]
    ctx["change"] = {g: v[last] / v[first] - 1 for g, v in list(ctx.items()) if v.get(first)}
    ctx["years"] = {"first": str(first), "last": str(last)}
    return ctx


BUILDERS = {
    "status": status_values,
    "longrun": longrun_values,
    "benchmark": benchmark_values,
    "scenario": scenario_values,
    "budget": budget_values,
    "resources": _own("resources_values"),
    "unit_costs": unit_cost_values,
    "exit_rates": exit_rate_values,
    "catalogue": catalogue_values,
}


# The inputs each root is built from, and the published table its values equal when the constructed ones
# among them were built to reproduce it: a quoted value is marked when it rests on constructed figures.
SOURCES = {
    "status": (tuple(f"extracts/{t}" for t in status.TABLES) + ("population.csv",), "Tabel 1"),
    "longrun": (("extracts/", "benefit_costs.csv"), None),
    "benchmark": (("extracts/y30r21", "benefit_costs.csv"), None),
    "scenario": (("extracts/", "budget.csv", "benefit_costs.csv", "national_forecast.csv"), None),
    "budget": (("budget.csv",), None),
    "resources": (("resources.csv", "resource_persons.csv"), "Tabel 3"),
    "unit_costs": (("unit_costs.csv", "resources.csv", "resource_persons.csv"), "Tabel 4"),
    "exit_rates": (("exit_rates.csv",), "Tabel 5"),
    "catalogue": (("proposals.yaml", "benefit_costs.csv"), "overview table"),
}


def constructed_roots(inp, roots) -> frozenset[str]:
    """The value roots whose values rest on constructed inputs (publish/provenance.py)."""
    from servicetjek.publish.provenance import constructed_behind

    return frozenset(r for r in roots if r in SOURCES and constructed_behind(inp.provenance, *SOURCES[r]))


def published_values(inp, report) -> dict:
    """Every value the report's chapters publish: {root: values}, 'kommune' always; under
    placeholders.MARKED the roots that rest on constructed inputs (their quoted values are marked)."""
    from servicetjek.publish.placeholders import MARKED

    ctx: dict[str, Any] = {"kommune": {"name": inp.municipality.name, "slug": inp.slug}}
    for root in report.published():
        if root != "kommune":
            ctx[root] = BUILDERS[root](inp)
    ctx[MARKED] = constructed_roots(inp, ctx)
    return ctx
