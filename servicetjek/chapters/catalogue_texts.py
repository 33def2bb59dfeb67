"""The catalogue's texts: the values a proposal's texts and the catalogue's intros may quote, and the
texts with every placeholder filled (the engine is publish/placeholders.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from servicetjek.errors import InputError, Problem
from servicetjek.inputs.catalogue import (
    KINDS,
    KONTI,
    Catalogue,
    LineEffect,
    Proposal,
    _as_proposal,
    _sum,
    counted_proposals,
    line_effects,
)
from servicetjek.publish.placeholders import MARKED, render


def _with_sum(per_year: Mapping[int, float]) -> dict:
    out: dict[Any, Any] = dict(per_year)
    out["sum"] = float(sum(per_year.values()))
    return out


def _money_context(cat: Catalogue, effects: list[LineEffect]) -> dict:
    ctx: dict[str, Any] = {"total": _with_sum(_sum(effects, cat.years))}
    for kind in KINDS:
        ctx[kind] = _with_sum(_sum([e for e in effects if e.kind == kind], cat.years))
    for konto in KONTI:
        sub = _with_sum(_sum([e for e in effects if e.konto == konto], cat.years))
        for kind in KINDS:
            sub[kind] = _with_sum(_sum([e for e in effects if e.konto == konto and e.kind == kind], cat.years))
        ctx[f"konto{konto}"] = sub
    return ctx


def catalogue_context(cat: Catalogue) -> dict:
    """Catalogue-wide values: count, count_investering, total/konto5/konto6/<kind> per year (and 'sum')."""
    counted = [e for p in counted_proposals(cat) for e in line_effects(cat, p) if e.in_total]
    ctx = _money_context(cat, counted)
    ctx["count"] = len(cat.proposals)
    ctx["count_investering"] = sum(1 for p in cat.proposals
                                   if any(e.kind == "investering" for e in line_effects(cat, p) if e.in_total))
    ctx["years"] = {"first": str(cat.years[0]), "last": str(cat.years[-1])} if cat.years else {}
    ctx["number"] = {p.id: p.number for p in cat.proposals}
    return ctx


def proposal_context(cat: Catalogue, proposal: Proposal | str) -> dict:
    """Everything a proposal's texts may cite (see README_owndata.md for the list)."""
    p = _as_proposal(cat, proposal)
    effects = line_effects(cat, p)
    ctx = _money_context(cat, [e for e in effects if e.in_total])
    ctx.update({
        "id": p.id, "number": p.number, "title": p.title, "label": p.label,
        "certainty": p.certainty, "difficulty": p.difficulty.level, "difficulty_note": p.difficulty.note or "",
        "horizon": p.horizon or "", "count": len(cat.proposals),
        "line": {}, "scenario": {}, "catalogue": catalogue_context(cat),
    })
    for eff in effects:
        if eff.line_id:
            entry = _with_sum(eff.amounts)
            entry["persons"] = _with_sum(eff.persons)
            entry["label"] = eff.label
            entry["cost"] = cat.costs.get(eff.group, 0.0) if eff.group else 0.0      # kr per full-time person
            ctx["line"][eff.line_id] = entry
    ctx.update(_economics_context(cat, p))
    for s in p.scenarios:
        sub = _money_context(cat, [e for e in effects if e.scenario in (None, s.id)])
        sub.update({"label": s.label, "horizon": s.horizon or ""})
        ctx["scenario"][s.id] = sub
    return ctx


def _economics_context(cat: Catalogue, p: Proposal) -> dict:
    """break_even.<year> (persons), break_even_group, payback (year or ''), expected/low/high.<year>."""
    from servicetjek.chapters import economics

    payback = economics.payback_year(cat, p)
    ranges = {y: economics.expected(cat, p, y) for y in cat.years}
    return {"break_even": economics.break_even(cat, p), "break_even_group": economics.break_even_group(cat, p) or "",
            "payback": str(payback) if payback else "",
            **{key: {y: r[key] for y, r in ranges.items()} for key in ("expected", "low", "high")}}


def render_sections(cat: Catalogue, proposal: Proposal | str, extra: Mapping | None = None) -> dict[str, str]:
    """The proposal's sections with every placeholder filled ({section key: Markdown})."""
    p = _as_proposal(cat, proposal)
    context = {**(extra or {}), **proposal_context(cat, p)}
    context[MARKED] = _marked(extra) | {f"line.{ln.id}.persons" for ln in p.all_lines()
                                        if (ln.provenance or "").startswith("constructed")}
    problems, out = [], {}
    for key, text in p.sections.items():
        try:
            out[key] = render(text, context, file=cat.source, first_line=None, where=f"forslag '{p.id}' (nr. {p.number}), {key}")
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    return out


def _marked(extra: Mapping | None) -> frozenset[str]:
    return frozenset((extra or {}).get(MARKED, ()))


def intro_context(cat: Catalogue) -> dict:
    """The context of the catalogue's and the headings' intros: catalogue_context at the top level,
    and also under 'catalogue' (so a text may write either {{ count }} or {{ catalogue.count }})."""
    ctx = catalogue_context(cat)
    return {**ctx, "catalogue": ctx}


def render_intros(cat: Catalogue, extra: Mapping | None = None) -> dict[str, str]:
    """{'': the catalogue intro, <heading id>: that heading's intro} with every placeholder filled."""
    context = {**(extra or {}), **intro_context(cat)}
    if "catalogue" in _marked(extra):      # the intros quote the catalogue's values at the top level too
        context[MARKED] = _marked(extra) | set(intro_context(cat))
    texts = [("", cat.intro, "indledning til kataloget")] + [(h.id, h.intro, f"overskrift '{h.id}'")
                                                            for h in cat.headings]
    problems, out = [], {}
    for key, text, where in texts:
        if text:
            try:
                out[key] = render(text, context, file=cat.source, first_line=None, where=where)
            except InputError as err:
                problems += err.problems
    if problems:
        raise InputError(problems)
    return out


def check_placeholders(cat: Catalogue, values: Mapping | None = None) -> list[Problem]:
    """Every placeholder in every text resolves, from the proposal's own values and the report's `values`."""
    problems = []
    try:
        render_intros(cat, values)
    except InputError as err:
        problems += err.problems
    for p in cat.proposals:
        try:
            render_sections(cat, p, values)
        except InputError as err:
            problems += err.problems
    return problems
