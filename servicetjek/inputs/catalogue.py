"""The proposal catalogue (chapter 7): proposals.yaml → validated models → effects per year → texts.

- `load_catalogue(path, benefit_costs, years)` validates proposals.yaml (pydantic v2) and
  returns a `Catalogue`; every problem names the file, the proposal and the field.
- Pure functions compute each proposal's effect lines per year, its total, its konto 5 /
  konto 6 and investment/saving sub-totals and the catalogue total.
- Proposals are numbered from their order in the file (1, 2, …); no number is typed.
- Texts may hold placeholders, filled only from the data (no eval):

      {{ total.2022 }}            a value (here: the proposal's total effect in 2022, 1.000 kr)
      {{ besparelse.2022 | abs | mio }}   filters, applied left to right
      {{ count }}                 the number of proposals in the catalogue

  Paths are dot-separated keys into a context (`proposal_context`, `catalogue_context`,
  or a report-wide context given by the caller). Filters: abs, neg, mio (1.000 kr → mio. kr.,
  one decimal), x1000 (1.000 kr → kr), d0/d1/d2 (decimals), r10/r100/r1000 (round to 10/100/1.000),
  pct (ratio → percent), signed (+/-), lower, upper, cap.
  Numbers are written in Danish format (9.743 · 2,5). An unknown key or filter is an
  InputError naming the file, the proposal and the placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import (
    Field,
    StringConstraints,
    ValidationError,
    computed_field,
    model_validator,
)

from servicetjek.errors import InputError, Problem
from servicetjek.inputs import relations
from servicetjek.inputs.effect_lines import KIND_SIGN, EffectLine, Kind, line_amounts, line_persons  # noqa: F401
from servicetjek.inputs.relations import relation_problems
from servicetjek.inputs.taxonomy import load as load_taxonomy
from servicetjek.validation import Provenance, Strict, pydantic_problems, safe_yaml

Level = Literal["Lav", "Middel", "Høj"]
KINDS: tuple[str, ...] = ("investering", "besparelse", "merudgift")
KONTI = (5, 6)
SECTION_TITLES = {
    "baggrund": "Baggrund",
    "beskrivelse": "Beskrivelse af forslaget",
    "oekonomisk_potentiale": "Økonomisk potentiale",
    "organisatorisk_effekt": "Organisatorisk effekt",
    "beskaeftigelseseffekt": "Beskæftigelseseffekt og serviceniveau",
    "sikkerhed": "Sikkerhed i potentialet",
    "svaerhedsgrad": "Sværhedsgrad og opmærksomhedspunkter i gennemførelsen",
}
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]


# ------------------------------------------------------------------ models
class Assessment(Strict):
    """A level (Lav/Middel/Høj) and an optional note ("Høj, hvis det skal realiseres uden …")."""

    level: Level
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data):
        return {"level": data} if isinstance(data, str) else data


class Scenario(Strict):
    """An alternative within a proposal (e.g. reduce activation by 1, 2 or 2,5 pct. points)."""

    id: Slug
    label: str
    default: bool = False
    lines: list[EffectLine] = Field(min_length=1)
    horizon: str | None = None
    risks: str | None = None
    consequences: list[str] = Field(default_factory=list)
    provenance: Provenance | None = None


class Sections(Strict):
    baggrund: str | None = None
    beskrivelse: str | None = None
    oekonomisk_potentiale: str | None = None
    organisatorisk_effekt: str | None = None
    beskaeftigelseseffekt: str | None = None
    sikkerhed: str | None = None
    svaerhedsgrad: str | None = None

    def items(self) -> list[tuple[str, str]]:
        return [(key, getattr(self, key)) for key in SECTION_TITLES if getattr(self, key)]


class Heading(Strict):
    id: Slug
    title: str                              # the chapter's section title ("7.1 …")
    table_title: str | None = None          # the overview table's group row, when it differs
    intro: str | None = None                # Markdown before the heading's proposals

    @property
    def table_label(self) -> str:
        return self.table_title or self.title


class Proposal(Strict):
    id: Slug
    title: str
    short_title: str | None = None          # the overview table's label, when it differs from the title
    heading: str
    theme: str | None = None                # the sub-heading above the section ("Forslag målrettet …")
    certainty: Level
    difficulty: Assessment
    horizon: str | None = None
    risks: str | None = None
    consequences: list[str] = Field(default_factory=list)
    provenance: Provenance
    lines: list[EffectLine] = Field(default_factory=list)
    scenarios: list[Scenario] = Field(default_factory=list)
    sections: Sections = Field(default_factory=Sections)
    excludes: list[str | int] = Field(default_factory=list, alias="udelukker")      # ids or numbers
    requires: list[str | int] = Field(default_factory=list, alias="forudsætter")    # ids or numbers
    in_total: bool = True                   # false: shown, never added to the catalogue's total
    target_group: str | None = None         # the benefit group for break-even, when no line names one
    number: int = 0                         # set from the order by load_catalogue, never typed

    @model_validator(mode="after")
    def _scenarios(self) -> "Proposal":
        if self.scenarios:
            defaults = [s.id for s in self.scenarios if s.default]
            if len(defaults) != 1:
                raise ValueError(f"netop ét scenarie skal have 'default: true' (har {len(defaults)})")
            ids = [s.id for s in self.scenarios]
            if len(ids) != len(set(ids)):
                raise ValueError(f"gentagne scenarie-id'er: {ids}")
        line_ids = [ln.id for ln in self.all_lines() if ln.id]
        if len(line_ids) != len(set(line_ids)):
            raise ValueError(f"gentagne linje-id'er: {line_ids}")
        return self

    @property
    def label(self) -> str:
        return self.short_title or self.title

    @property
    def default_scenario(self) -> Scenario | None:
        return next((s for s in self.scenarios if s.default), None)

    def all_lines(self) -> list[EffectLine]:
        return list(self.lines) + [ln for s in self.scenarios for ln in s.lines]

    def counted_lines(self, scenario: str | None = None) -> list[EffectLine]:
        """The lines that make the proposal's effect: common lines + the chosen (default) scenario's."""
        chosen = self.scenario(scenario) if scenario else self.default_scenario
        return list(self.lines) + (list(chosen.lines) if chosen else [])

    def scenario(self, scenario_id: str) -> Scenario:
        for s in self.scenarios:
            if s.id == scenario_id:
                return s
        raise KeyError(f"forslag {self.id!r} har intet scenarie {scenario_id!r}")


class Catalogue(Strict):
    provenance: Provenance
    exclusive: Literal["afvis", "alternativer"] = "afvis"   # two exclusive proposals in the total: refuse, or
    #                                                         count the first and show the rest as alternatives
    round_to: int = Field(default=100, gt=0)
    unit: Literal["1000kr"] = "1000kr"
    # the overview table's layout: 'years' (effect per year, sub-lines, certainty, difficulty) or 'konto'
    # (konto 6 / konto 5 at full effect, certainty, horizon, difficulty, risks, consequences)
    layout: Literal["years", "konto"] = "years"
    intro: str | None = None                # Markdown before the overview table (chapter 7's opening)
    headings: list[Heading] = Field(min_length=1)
    proposals: list[Proposal] = Field(min_length=1)
    # set by load_catalogue, never typed in the YAML:
    years: list[int] = Field(default_factory=list)
    costs: dict[str, float] = Field(default_factory=dict)
    paths: dict[str, dict[int, float]] = Field(default_factory=dict)     # budget.csv per group (rate lines)
    counted: list[str] = Field(default_factory=list)                      # proposals in the total, in order
    source: str = ""

    @model_validator(mode="after")
    def _layout_shows_every_field(self) -> "Catalogue":
        """Risks and consequences appear only in the 'konto' overview: a 'years' catalogue with them
        would drop them silently."""
        if self.layout == "years":
            items = [(p, p) for p in self.proposals] + [(p, s) for p in self.proposals for s in p.scenarios]
            for p, item in items:
                if item.risks or item.consequences:
                    raise ValueError(f"forslag {p.id!r} har risici eller konsekvenser, som kun vises med "
                                     "'layout: konto'; angiv 'layout: konto' i kataloget")
        return self

    def proposal(self, proposal_id: str) -> Proposal:
        for p in self.proposals:
            if p.id == proposal_id:
                return p
        raise KeyError(proposal_id)

    def heading(self, heading_id: str) -> Heading:
        return next(h for h in self.headings if h.id == heading_id)

    def provenance_items(self) -> list[tuple[str, str]]:
        """(item, provenance) for the catalogue, each proposal and each line/scenario that has its own."""
        items = [("", self.provenance)]
        for p in self.proposals:
            items.append((p.id, p.provenance))
            for s in p.scenarios:
                if s.provenance:
                    items.append((f"{p.id}/{s.id}", s.provenance))
            for ln in p.all_lines():
                if ln.provenance:
                    items.append((f"{p.id}/{ln.id or ln.label}", ln.provenance))
        return items

    @computed_field
    @property
    def effects(self) -> list[dict]:
        """Every effect line per year (as in effects_frame), for proposals.json."""
        return effects_frame(self).to_dict(orient="records")

    @computed_field
    @property
    def total(self) -> dict[int, float]:
        return catalogue_total(self)


# ------------------------------------------------------------------ loading
def _where(raw: Any, loc: tuple) -> tuple[str | None, tuple]:
    """('forslag <id> (nr. n)', 'lines[0].amounts') from a pydantic location."""
    if len(loc) >= 2 and loc[0] == "proposals" and isinstance(loc[1], int):
        index = loc[1]
        item = raw.get("proposals", [])[index] if isinstance(raw, dict) else None
        pid = item.get("id") if isinstance(item, dict) else None
        name = f"forslag '{pid}' (nr. {index + 1})" if pid else f"forslag nr. {index + 1}"
        rest = loc[2:]
    else:
        name, rest = None, loc
    return name, tuple(rest)


def _problems(path: Path, raw: Any, err: ValidationError) -> list[Problem]:
    return pydantic_problems(path, err, lambda loc: _where(raw, loc))


def _reserved_problems(path: Path, raw: dict) -> list[Problem]:
    problems = [Problem(path, "feltet sættes af programmet og må ikke skrives i YAML", column=key)
                for key in ("years", "costs", "paths", "counted", "source") if key in raw]
    for index, item in enumerate(raw.get("proposals") or []):
        if isinstance(item, dict) and "number" in item:
            problems.append(Problem(path, f"forslag '{item.get('id')}' (nr. {index + 1}): forslagene nummereres "
                                          "efter rækkefølgen; skriv ikke 'number'", column="number",
                                    value=item["number"]))
    return problems


def _cross_problems(path: Path, cat: Catalogue) -> list[Problem]:
    problems = []
    heading_ids = [h.id for h in cat.headings]
    for hid in {h for h in heading_ids if heading_ids.count(h) > 1}:
        problems.append(Problem(path, "overskrift-id'et er brugt mere end én gang", column="headings", value=hid))
    problems += _duplicate_ids(path, [p.id for p in cat.proposals])
    for p in cat.proposals:
        if p.heading not in heading_ids:
            problems.append(Problem(path, f"forslag '{p.id}' (nr. {p.number}): ukendt overskrift; kendte: "
                                          f"{', '.join(heading_ids)}", column="heading", value=p.heading))
    return problems


def _duplicate_ids(path: Path, ids: list) -> list[Problem]:
    """Every proposal id used twice (ids as written; a missing one is None and reported elsewhere)."""
    problems, seen = [], {}
    for number, pid in enumerate(ids, start=1):
        if isinstance(pid, str) and pid in seen:
            problems.append(Problem(path, f"forslag '{pid}' (nr. {number}): id'et er også brugt af forslag "
                                          f"nr. {seen[pid]}; forslag-id'er skal være entydige", column="id",
                                    value=pid))
        if isinstance(pid, str):
            seen.setdefault(pid, number)
    return problems


def _paths(budget: pd.DataFrame | None) -> dict[str, dict[int, float]]:
    if budget is None:
        return {}
    out: dict[str, dict[int, float]] = {}
    for r in budget.itertuples(index=False):
        out.setdefault(str(r.benefit_group), {})[int(r.year)] = float(r.full_time_persons)
    return out


def load_catalogue(path: Path, benefit_costs: pd.DataFrame, years: list[int],
                   budget: pd.DataFrame | None = None) -> Catalogue:
    """Read and validate proposals.yaml against the benefit costs, the report's years and (for lines
    given as a rate of a group's path) the budget assumptions. `benefit_costs` None (the own-figure CSVs
    failed): the catalogue's own checks only, so its problems are reported with theirs."""
    path = Path(path)
    raw = safe_yaml(path)
    if not isinstance(raw, dict):
        raise InputError(Problem(path, "filen skal indeholde et YAML-kort med 'proposals'"))
    problems = _reserved_problems(path, raw)
    if problems:
        raise InputError(problems)
    costs = paths = None
    if benefit_costs is not None:
        costs = {str(g): float(c)
                 for g, c in zip(benefit_costs["benefit_group"], benefit_costs["kr_per_full_time_person"])}
        paths = _paths(budget)
    groups = [g.id for g in load_taxonomy().benefit_groups if not g.total]
    context = {"years": list(years), "costs": costs, "groups": groups, "paths": paths}
    try:
        cat = Catalogue.model_validate(raw, context=context)
    except ValidationError as err:
        ids = [p.get("id") if isinstance(p, dict) else None for p in raw.get("proposals") or []] \
            if isinstance(raw.get("proposals"), list) else []
        raise InputError(_problems(path, raw, err) + _duplicate_ids(path, ids)) from None
    numbered = [p.model_copy(update={"number": i}) for i, p in enumerate(cat.proposals, start=1)]
    cat = cat.model_copy(update={"proposals": numbered, "years": list(years), "costs": costs or {},
                                 "paths": paths or {}, "source": str(path)})
    problems = _cross_problems(path, cat)
    if not problems:
        problems = relation_problems(path, cat.proposals, cat.exclusive)
    for p in cat.proposals:
        if p.target_group is not None and costs is not None and p.target_group not in costs:
            problems.append(Problem(path, f"forslag '{p.id}' (nr. {p.number}): ukendt ydelsesgruppe (ingen "
                                          "nettoudgift i benefit_costs.csv)", column="target_group",
                                    value=p.target_group))
    if problems:
        raise InputError(problems)
    return cat.model_copy(update={"counted": relations.counted(cat.proposals, cat.exclusive)[0]})


# ------------------------------------------------------------------ effects
@dataclass(frozen=True)
class LineEffect:
    proposal_id: str
    number: int
    scenario: str | None
    in_total: bool              # counts in the proposal's total (common line or the default scenario)
    line_id: str | None
    label: str
    konto: int
    kind: str
    group: str | None
    persons: dict[int, float] = field(default_factory=dict)     # signed: negative = fewer on the group
    amounts: dict[int, float] = field(default_factory=dict)
    basis: str = "typed"                                        # persons, rate, trend, fte or typed


def _as_proposal(cat: Catalogue, proposal: Proposal | str) -> Proposal:
    return cat.proposal(proposal) if isinstance(proposal, str) else proposal


def line_effects(cat: Catalogue, proposal: Proposal | str) -> list[LineEffect]:
    """Every line of a proposal (common lines and every scenario's) with its amounts per year."""
    p = _as_proposal(cat, proposal)
    default = p.default_scenario.id if p.default_scenario else None
    out = []
    for scenario, lines in [(None, p.lines)] + [(s.id, s.lines) for s in p.scenarios]:
        for ln in lines:
            out.append(LineEffect(p.id, p.number, scenario, scenario is None or scenario == default, ln.id, ln.label,
                                  ln.konto, ln.kind, ln.group, line_persons(ln, cat.paths, cat.years),
                                  line_amounts(ln, cat.costs, cat.round_to, cat.paths, cat.years), ln.basis))
    return out


def _sum(effects: list[LineEffect], years: list[int]) -> dict[int, float]:
    """Sum per year over the years any line has a value (a year with no line is left out)."""
    out: dict[int, float] = {}
    for eff in effects:
        for year, value in eff.amounts.items():
            out[year] = out.get(year, 0.0) + value
    return {y: out[y] for y in years if y in out}


def _counted(cat: Catalogue, proposal: Proposal | str, scenario: str | None) -> list[LineEffect]:
    p = _as_proposal(cat, proposal)
    effects = line_effects(cat, p)
    if scenario is None:
        return [e for e in effects if e.in_total]
    p.scenario(scenario)  # KeyError if unknown
    return [e for e in effects if e.scenario in (None, scenario)]


def proposal_total(cat: Catalogue, proposal: Proposal | str, scenario: str | None = None) -> dict[int, float]:
    """The proposal's effect per year (1.000 kr; negative = saving); years without any line are absent."""
    return _sum(_counted(cat, proposal, scenario), cat.years)


def proposal_subtotals(cat: Catalogue, proposal: Proposal | str, by: Literal["konto", "kind"] = "konto",
                       scenario: str | None = None) -> dict[Any, dict[int, float]]:
    """Per konto (5, 6) or per kind (investering, besparelse, merudgift): the effect per year."""
    effects = _counted(cat, proposal, scenario)
    keys = KONTI if by == "konto" else KINDS
    return {k: _sum([e for e in effects if getattr(e, by) == k], cat.years) for k in keys}


def counted_proposals(cat: Catalogue) -> list[Proposal]:
    """The proposals the total adds: exclusive alternatives, `in_total: false` and their dependants left out."""
    counted = cat.counted if cat.counted or not cat.proposals else relations.counted(cat.proposals, cat.exclusive)[0]
    return [p for p in cat.proposals if p.id in counted]


def left_out(cat: Catalogue) -> dict[str, str]:
    """{proposal id: why it is not in the total}."""
    return relations.counted(cat.proposals, cat.exclusive)[1]


def catalogue_total(cat: Catalogue) -> dict[int, float]:
    """The catalogue's total per year (every year of the report; 0 where nothing)."""
    total = {y: 0.0 for y in cat.years}
    for p in counted_proposals(cat):
        for year, value in proposal_total(cat, p).items():
            total[year] += value
    return total


def catalogue_subtotals(cat: Catalogue, by: Literal["konto", "kind"] = "konto") -> dict[Any, dict[int, float]]:
    keys = KONTI if by == "konto" else KINDS
    out = {k: {y: 0.0 for y in cat.years} for k in keys}
    for p in counted_proposals(cat):
        for key, per_year in proposal_subtotals(cat, p, by).items():
            for year, value in per_year.items():
                out[key][year] += value
    return out


def effects_frame(cat: Catalogue) -> pd.DataFrame:
    """Long table: one row per proposal × line × year (every scenario; in_total marks what counts)."""
    rows = []
    for p in cat.proposals:
        for eff in line_effects(cat, p):
            for year, amount in eff.amounts.items():
                rows.append({"proposal_id": p.id, "number": p.number, "heading": p.heading, "scenario": eff.scenario,
                             "in_total": eff.in_total, "line_id": eff.line_id, "label": eff.label, "konto": eff.konto,
                             "kind": eff.kind, "group": eff.group, "year": year,
                             "persons": eff.persons.get(year), "amount_1000kr": amount})
    columns = ["proposal_id", "number", "heading", "scenario", "in_total", "line_id", "label", "konto", "kind",
               "group", "year", "persons", "amount_1000kr"]
    return pd.DataFrame(rows, columns=columns)


def overview_frame(cat: Catalogue) -> pd.DataFrame:
    """The overview table: heading rows, proposal rows, their sub-lines or scenarios, and the total row.

    Year columns hold 1.000 kr (NaN where the proposal has no effect that year). A proposal's
    lines are shown as sub-rows when it has an investment and more than one line (as in the
    reference report); scenarios are always shown as sub-rows.
    """
    rows = []

    def row(row_type, label, values, proposal=None, **extra):
        rec = {"row": row_type, "number": proposal.number if proposal else None,
               "proposal_id": proposal.id if proposal else None, "label": label}
        rec.update({y: values.get(y, float("nan")) for y in cat.years})
        rec.update({"certainty": extra.get("certainty"), "difficulty": extra.get("difficulty")})
        rec.update({"heading": extra.get("heading"), "scenario": extra.get("scenario"),
                    "line_id": extra.get("line_id"), "konto": extra.get("konto"), "kind": extra.get("kind")})
        rows.append(rec)

    for heading in cat.headings:
        members = [p for p in cat.proposals if p.heading == heading.id]
        if not members:
            continue
        row("heading", heading.table_label, {}, heading=heading.id)
        for p in members:
            row("proposal", p.label, proposal_total(cat, p), p, certainty=p.certainty,
                difficulty=p.difficulty.level, heading=heading.id)
            common = [e for e in line_effects(cat, p) if e.scenario is None]
            if len(common) > 1 and any(e.kind == "investering" for e in common):
                for eff in common:
                    row("line", eff.label, eff.amounts, p, heading=heading.id, line_id=eff.line_id,
                        konto=eff.konto, kind=eff.kind)
            for s in p.scenarios:
                row("scenario", s.label + (" (indgår i total)" if s.default else ""),
                    proposal_total(cat, p, s.id), p, heading=heading.id, scenario=s.id)
    row("total", "I alt", catalogue_total(cat))
    return pd.DataFrame(rows)
