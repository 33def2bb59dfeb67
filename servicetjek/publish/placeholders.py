"""Placeholders in texts: `{{ path.to.value | filter | filter }}`, filled only from published values (no eval).

Paths are dot-separated keys into a context (the report's published values, a proposal's own values).
Filters: abs, neg, mio (1.000 kr → mio. kr., one decimal), x1000 (1.000 kr → kr), d0/d1/d2 (decimals),
r10/r100/r1000 (round half up to 10/100/1.000), pct (ratio → percent), signed (+/-), lower, upper, cap.
Numbers are written in Danish format (9.743 · 2,5). An unknown key or filter is an InputError naming the
file, the line, the place and the placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servicetjek.errors import InputError, Problem
from servicetjek.publish import formatting
from servicetjek.publish.formatting import round_to

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*((?:\|\s*[A-Za-z0-9_]+\s*)*)\}\}")


@dataclass
class _Value:
    value: Any
    decimals: int | None = None
    signed: bool = False


def _number(v: _Value, name: str) -> float:
    if isinstance(v.value, bool) or not isinstance(v.value, (int, float)):
        raise ValueError(f"filteret '{name}' kræver et tal")
    return float(v.value)


FILTERS = {
    "abs": lambda v: _Value(abs(_number(v, "abs")), v.decimals, v.signed),
    "neg": lambda v: _Value(-_number(v, "neg"), v.decimals, v.signed),
    "mio": lambda v: _Value(_number(v, "mio") / 1000.0, 1, v.signed),
    "d0": lambda v: _Value(_number(v, "d0"), 0, v.signed),
    "d1": lambda v: _Value(_number(v, "d1"), 1, v.signed),
    "d2": lambda v: _Value(_number(v, "d2"), 2, v.signed),
    "pct": lambda v: _Value(_number(v, "pct") * 100.0, 0, v.signed),
    "signed": lambda v: _Value(_number(v, "signed"), v.decimals, True),
    "x1000": lambda v: _Value(_number(v, "x1000") * 1000.0, 0, v.signed),
    "r10": lambda v: _Value(round_to(_number(v, "r10"), 10), 0, v.signed),
    "r100": lambda v: _Value(round_to(_number(v, "r100"), 100), 0, v.signed),
    "r1000": lambda v: _Value(round_to(_number(v, "r1000"), 1000), 0, v.signed),
    "lower": lambda v: _Value(str(v.value).lower()),
    "upper": lambda v: _Value(str(v.value).upper()),
    "cap": lambda v: _Value(str(v.value)[:1].upper() + str(v.value)[1:]),
}


def placeholders(template: str) -> list[str]:
    """The placeholder paths in a text, in order."""
    return [m.group(1) for m in PLACEHOLDER.finditer(template or "")]


def _lookup(context: Mapping, path: str) -> Any:
    node: Any = context
    for part in path.split("."):
        if isinstance(node, Mapping):
            if part in node:
                node = node[part]
                continue
            if re.fullmatch(r"-?\d+", part) and int(part) in node:
                node = node[int(part)]
                continue
        raise KeyError(part)
    return node


def _format(v: _Value) -> str:
    value = v.value
    if isinstance(value, bool) or value is None:
        raise ValueError("værdien kan ikke skrives i teksten")
    if isinstance(value, (int, float)):
        decimals = v.decimals if v.decimals is not None else 0
        return formatting.signed(value, decimals) if v.signed else formatting.number(value, decimals)
    if isinstance(value, Mapping) or isinstance(value, (list, tuple)):
        raise ValueError("stien peger på en gruppe af værdier, ikke én værdi (tilføj fx et årstal)")
    return str(value)


def render(template: str, context: Mapping, *, file: Path | str = "", where: str | None = None,
           first_line: int | None = 1) -> str:
    """Fill every {{ path | filter }} from `context`. An unknown key or filter, or a stray brace, is an
    InputError naming the file, the line (counted from `first_line`; None: a text inside a file, such as a
    YAML field, named by `where` instead), `where` and the placeholder; every problem in the text at once."""
    problems: list[Problem] = []
    prefix = f"{where}: " if where else ""
    template = template or ""

    def line_of(pos: int) -> int | None:
        return None if first_line is None else first_line + template.count("\n", 0, pos)

    def substitute(match: re.Match) -> str:
        path = match.group(1)
        names = [f.strip() for f in match.group(2).split("|") if f.strip()]
        line = line_of(match.start())
        unknown = [n for n in names if n not in FILTERS]
        if unknown:
            problems.append(Problem(file, f"{prefix}ukendt filter {unknown[0]!r} i pladsholderen; kendte: "
                                          f"{', '.join(FILTERS)}", line=line, value=match.group(0)))
            return match.group(0)
        try:
            value = _Value(_lookup(context, path))
            for name in names:
                value = FILTERS[name](value)
            return _format(value)
        except KeyError as err:
            roots = ", ".join(sorted(str(k) for k in context))
            problems.append(Problem(file, f"{prefix}ukendt pladsholder (nøglen {err.args[0]!r} findes ikke; "
                                          f"rapportens kapitler udgiver: {roots})", line=line,
                                    value=match.group(0)))
        except ValueError as err:
            problems.append(Problem(file, f"{prefix}{err}", line=line, value=match.group(0)))
        return match.group(0)

    text = PLACEHOLDER.sub(substitute, template)
    masked = PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), template)
    for stray in re.finditer(r"\{\{.*?\}\}|\{\{|\}\}", masked):
        problems.append(Problem(file, f"{prefix}ugyldig pladsholder (syntaks: {{{{ sti.til.værdi | filter }}}})",
                                line=line_of(stray.start()), value=stray.group(0)))
    if problems:
        raise InputError(problems)
    return text
