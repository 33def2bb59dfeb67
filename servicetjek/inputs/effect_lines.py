"""A proposal's effect lines (proposals.yaml): what each line rests on, and its amounts per year.

A line has exactly one basis (`basis`):

- ``persons``  full-time persons leaving (kind besparelse) or entering (kind merudgift) a benefit group
               per year: ``group`` + ``persons: {year: n}``, n ≥ 0;
- ``rate``     a share of the group's budget path (budget.csv) leaving or entering per year:
               ``group`` + ``rate: {year: r}``, 0 ≤ r ≤ 1 (0.114 = 11,4 pct. of the budgeted persons);
- ``trend``    a reduction against a declared counterfactual trend: ``group`` + ``trend`` with the base
               year's level, the counterfactual growth per year and the growth the proposal achieves
               (``target``; a year not given: 0, the level is held). Persons moved in year y =
               base × (Π(1 + counterfactual) − Π(1 + target)) over the years after the base year;
- ``fte``      an investment in staff: ``fte: {year: årsværk}`` × ``fte_cost`` (1.000 kr per årsværk),
               konto 5 or 6;
- ``typed``    ``amounts: {year: 1.000 kr}`` typed as published, where the proposal really is an amount
               (the report marks such lines as typed).

persons, rate and trend are konto 5 (benefits) and are multiplied by the group's net cost per
full-time person (benefit_costs.csv), rounded to the catalogue's step. Sign: a saving is negative,
an investment or an added expense positive; persons, rates, årsværk and the trend's base are counts
and may not be negative (the kind gives the direction).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, model_validator

from servicetjek.publish.formatting import round_to
from servicetjek.validation import Provenance, Strict

Kind = Literal["investering", "besparelse", "merudgift"]
KIND_SIGN = {"investering": 1, "besparelse": -1, "merudgift": 1}   # sign an effect of each kind must have
BASES = ("persons", "rate", "trend", "fte", "amounts")
BASIS_LABEL = {"persons": "beregnet: fuldtidspersoner × nettoudgift",
               "rate": "beregnet: andel af budgetforudsætningen × nettoudgift",
               "trend": "beregnet: mod en erklæret tendens × nettoudgift",
               "fte": "beregnet: årsværk × pris pr. årsværk",
               "typed": "indtastet beløb"}
NonNegative = Annotated[float, Field(ge=0)]


class Trend(Strict):
    """A counterfactual trend: the group's level in the base year and its growth per year without the
    proposal (`counterfactual`) and with it (`target`; a year left out: 0)."""

    base_year: int
    base_persons: NonNegative
    counterfactual: dict[int, float] = Field(min_length=1)
    target: dict[int, float] = Field(default_factory=dict)
    provenance: Provenance | None = None

    def moved(self, year: int) -> float:
        """Persons the proposal keeps off the group in `year` (counterfactual − target level)."""
        cf = tg = 1.0
        for y in range(self.base_year + 1, year + 1):
            cf *= 1 + self.counterfactual.get(y, 0.0)
            tg *= 1 + self.target.get(y, 0.0)
        return self.base_persons * (cf - tg)


def _ctx(info: ValidationInfo) -> dict:
    return info.context or {}


class EffectLine(Strict):
    """One effect line (see the module's docstring for the bases)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")] | None = None
    label: str
    konto: Literal[5, 6]
    kind: Kind
    amounts: dict[int, float] | None = None
    group: str | None = None
    persons: dict[int, NonNegative] | None = None
    rate: dict[int, Annotated[float, Field(ge=0, le=1)]] | None = None
    trend: Trend | None = None
    fte: dict[int, NonNegative] | None = None
    fte_cost: Annotated[float, Field(gt=0)] | None = None
    provenance: Provenance | None = None

    @property
    def basis(self) -> str:
        """'persons', 'rate', 'trend', 'fte' or 'typed'."""
        for name in BASES:
            if getattr(self, name) is not None:
                return "typed" if name == "amounts" else name
        return "typed"

    @property
    def computed(self) -> bool:
        return self.basis != "typed"

    @property
    def on_group(self) -> bool:
        return self.basis in ("persons", "rate", "trend")

    def _basis_problems(self) -> list[str]:
        given = [name for name in BASES if getattr(self, name) is not None]
        if len(given) != 1:
            return ["en effektlinje har netop ét grundlag: 'persons', 'rate' eller 'trend' (med 'group'), "
                    f"'fte' (med 'fte_cost') eller 'amounts'; har {given or 'intet'}"]
        basis = self.basis
        out = []
        if self.on_group and self.group is None:
            out.append(f"'{basis}' kræver 'group' (ydelsesgruppen, hvis nettoudgift bruges)")
        if not self.on_group and self.group is not None:
            out.append("'group' bruges kun sammen med 'persons', 'rate' eller 'trend'")
        if self.on_group and self.konto != 5:
            out.append("personer på en ydelse er forsørgelse, dvs. konto 5")
        if self.on_group and self.kind == "investering":
            out.append("en linje på en ydelsesgruppe er en besparelse eller en merudgift, ikke en investering")
        if (self.fte is None) != (self.fte_cost is None):
            out.append("'fte' (årsværk) og 'fte_cost' (1.000 kr. pr. årsværk) gives sammen")
        if self.fte is not None and self.kind != "investering":
            out.append("årsværk × pris bruges til investeringer (kind: investering)")
        return out

    def _years(self) -> list[int]:
        if self.trend is not None:
            return sorted(set(self.trend.counterfactual) | set(self.trend.target))
        values = next(getattr(self, n) for n in BASES if getattr(self, n) is not None)
        return sorted(values)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> "EffectLine":
        problems = self._basis_problems()
        if problems:
            raise ValueError("; ".join(problems))
        if self.amounts is not None:
            sign = KIND_SIGN[self.kind]
            wrong = {y: v for y, v in self.amounts.items() if v * sign < 0}
            if wrong:
                what = "negativ (en besparelse)" if sign < 0 else "positiv"
                raise ValueError(f"en linje af arten '{self.kind}' skal være {what}; fejl i {wrong}")
        ctx = _ctx(info)
        years = ctx.get("years")
        if years is not None and self.trend is None:
            outside = sorted(set(self._years()) - set(years))
            if outside:
                raise ValueError(f"år {outside} ligger uden for rapportens år {list(years)}")
        if self.group is not None:
            known = ctx.get("groups")
            if known is not None and self.group not in known:
                raise ValueError(f"ukendt ydelsesgruppe {self.group!r}; kendte: {', '.join(known)}")
            costs = ctx.get("costs")
            if costs is not None and self.group not in costs:
                raise ValueError(f"ydelsesgruppen {self.group!r} har ingen nettoudgift i benefit_costs.csv")
            paths = ctx.get("paths")
            if self.rate is not None and paths is not None:
                missing = [y for y in self.rate if y not in paths.get(self.group, {})]
                if missing:
                    raise ValueError(f"'rate' kræver budgetforudsætningen (budget.csv) for {self.group!r} i {missing}")
        return self

    @property
    def values(self) -> dict[int, float]:
        """The typed amounts or the person counts (as written)."""
        return dict(self.amounts if self.amounts is not None else self.persons or {})


def line_persons(line: EffectLine, paths: Mapping[str, Mapping[int, float]] | None = None,
                 years: list[int] | None = None) -> dict[int, float]:
    """Persons moved per year, signed (negative: fewer on the group); {} for fte and typed lines."""
    sign = KIND_SIGN[line.kind]
    if line.persons is not None:
        return {int(y): sign * float(n) for y, n in sorted(line.persons.items())}
    if line.rate is not None:
        path = (paths or {}).get(line.group, {})
        return {int(y): sign * float(r) * float(path[y]) for y, r in sorted(line.rate.items())}
    if line.trend is not None:
        wanted = years if years is not None else sorted(set(line.trend.counterfactual) | set(line.trend.target))
        moved = {int(y): line.trend.moved(y) for y in wanted if y > line.trend.base_year}
        return {y: sign * n for y, n in moved.items() if abs(n) > 1e-9}
    return {}


def line_amounts(line: EffectLine, costs: Mapping[str, float], step: float,
                 paths: Mapping[str, Mapping[int, float]] | None = None,
                 years: list[int] | None = None) -> dict[int, float]:
    """1.000 kr per year: typed amounts as given; årsværk × price; persons × net cost (rounded to step)."""
    if line.amounts is not None:
        return {int(y): float(v) for y, v in sorted(line.amounts.items())}
    if line.fte is not None:
        return {int(y): round_to(n * float(line.fte_cost), step) for y, n in sorted(line.fte.items())}
    cost = float(costs[line.group])
    persons = line_persons(line, paths, years)
    return {y: round_to(n * cost / 1000.0, step) for y, n in persons.items()}
