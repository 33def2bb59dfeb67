"""Placeholders in texts: `{{ path.to.value | filter | filter("arg") }}`, filled only from published values.

Each placeholder is one Jinja2 expression, evaluated in a `SandboxedEnvironment` with `StrictUndefined`:
no statements (`{% %}` is plain text), no attribute access beyond the published values, no Python objects.
Paths are dot-separated keys into a context (the report's published values, a proposal's own values); a
numeric part is a number key (`status.i_alt.2019`), a part may hold a hyphen (`catalogue.number.smaajob`).

Number filters: abs, neg, mio (1.000 kr → mio. kr., one decimal), x1000 (1.000 kr → kr), d0/d1/d2 (decimals),
r10/r100/r1000 (round half up to 10/100/1.000), pct (ratio → percent), signed (+/-).
Text filters: lower, upper, cap.
Phrase filters (publish/phrases.py, the same functions the generated sentences use):
  retning("steget", "faldet"[, "uændret"])     a relative change; the third word within phrases.UNCHANGED_WITHIN
  sammenlign("højere", "lavere"[, "på niveau med"])   a relative deviation, same tolerance
  taet_paa("højere end", "lavere end"[, "tæt på"])    a relative deviation, phrases.CLOSE_WITHIN
  afvigelse[("højere end", "lavere end", "på niveau med")]  a relative deviation: "19 pct. lavere end"
  liste[("og")]                                a list of names: "dagpenge, sygedagpenge og jobafklaring"
  rang("laveste"[, "den"])                     a rank in words: 4 → "den fjerdelaveste"
  antal("andet jobcenter", "andre jobcentre")  a count with grammatical number
  procent[(decimals)]                          a ratio in running text: "19 pct.", "under 1 pct."
  procent_fortegn[(decimals)]                  a change with its sign: "+7 pct."
  procentpoint[(decimals)]                     percentage points: "9 procentpoint"
  mio_kr                                       kr. → "58 mio. kr." (the one rounding of running text)
  bestemt / bestemt_genitiv                    a group's role → "klyngen" / "klyngens"
Numbers are written in Danish format (9.743 · 2,5). An unknown key or filter is an InputError naming the
file, the line, the place and the placeholder; every problem in a text at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateAssertionError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import Undefined
from jinja2.sandbox import SandboxedEnvironment

from servicetjek.errors import InputError, Problem
from servicetjek.publish import formatting, phrases
from servicetjek.publish.formatting import round_to
from servicetjek.publish.provenance import TEXT_MARK, quotes_value

PLACEHOLDER = re.compile(r"\{\{([^{}]*?)\}\}")
PATH = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_/-]+)*)")


@dataclass
class _Value:
    """A number on its way through the filters, with the decimals and sign it will be written with."""

    value: Any
    decimals: int | None = None
    signed: bool = False


class _Missing(StrictUndefined):
    """A key the values don't have: its message is the key, so the error can name it."""

    @property
    def _undefined_message(self) -> str:
        return str(self._undefined_name)


def _raw(v: Any) -> Any:
    if isinstance(v, Undefined):
        v._fail_with_undefined_error()
    return v.value if isinstance(v, _Value) else v


def _number(v: Any, name: str) -> float:
    value = _raw(v)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"filteret '{name}' kræver et tal")
    return float(value)


def _list(v: Any) -> list:
    value = _raw(v)
    if not isinstance(value, (list, tuple)):
        raise ValueError("filteret 'liste' kræver en liste af navne")
    return list(value)


def _keep(v: Any, value: float, decimals: int | None = None, signed: bool | None = None) -> _Value:
    old = v if isinstance(v, _Value) else _Value(_raw(v))
    return _Value(value, old.decimals if decimals is None else decimals, old.signed if signed is None else signed)


def _text(name: str, func):
    """A filter written by a phrase function from a number: the number is passed as it stands (ratio)."""
    def apply(v, *args):
        return func(_number(v, name), *args)
    return apply


FILTERS = {
    "abs": lambda v: _keep(v, abs(_number(v, "abs"))),
    "neg": lambda v: _keep(v, -_number(v, "neg")),
    "mio": lambda v: _keep(v, _number(v, "mio") / 1000.0, 1),
    "d0": lambda v: _keep(v, _number(v, "d0"), 0),
    "d1": lambda v: _keep(v, _number(v, "d1"), 1),
    "d2": lambda v: _keep(v, _number(v, "d2"), 2),
    "pct": lambda v: _keep(v, _number(v, "pct") * 100.0, 0),
    "signed": lambda v: _keep(v, _number(v, "signed"), signed=True),
    "x1000": lambda v: _keep(v, _number(v, "x1000") * 1000.0, 0),
    "r10": lambda v: _keep(v, round_to(_number(v, "r10"), 10), 0),
    "r100": lambda v: _keep(v, round_to(_number(v, "r100"), 100), 0),
    "r1000": lambda v: _keep(v, round_to(_number(v, "r1000"), 1000), 0),
    "lower": lambda v: str(_raw(v)).lower(),
    "upper": lambda v: str(_raw(v)).upper(),
    "cap": lambda v: phrases.cap(str(_raw(v))),
    "retning": _text("retning", phrases.direction),
    "sammenlign": _text("sammenlign", phrases.compare),
    "taet_paa": _text("taet_paa", phrases.level),
    "rang": lambda v, word="laveste", article="den": phrases.rank(int(_number(v, "rang")), word, article),
    "antal": _text("antal", phrases.count),
    "procent": _text("procent", phrases.percent),
    "procentpoint": _text("procentpoint", phrases.points),
    "procent_fortegn": _text("procent_fortegn", phrases.signed_percent),
    "mio_kr": _text("mio_kr", phrases.mio_kr),
    "afvigelse": _text("afvigelse", phrases.deviation),
    "liste": lambda v, word="og", empty="ingen målgrupper": (
        phrases.join([phrases.lower_first(str(x)) for x in _list(v)], word) or empty),
    "bestemt": lambda v: phrases.definite(str(_raw(v))),
    "bestemt_genitiv": lambda v: phrases.definite(str(_raw(v)), genitive=True),
}


class _Environment(SandboxedEnvironment):
    """Lookups only into the published values (mappings); a number key answers to its digits."""

    def getitem(self, obj, argument):
        return self._lookup(obj, argument)

    def getattr(self, obj, attribute):
        return self._lookup(obj, attribute)

    def _lookup(self, obj, key):
        if isinstance(obj, Mapping):
            if key in obj:
                return obj[key]
            if isinstance(key, str) and re.fullmatch(r"-?\d+", key) and int(key) in obj:
                return obj[int(key)]
            if isinstance(key, int) and str(key) in obj:
                return obj[str(key)]
        return self.undefined(obj=obj, name=key)


ENV = _Environment(undefined=_Missing, autoescape=False)
ENV.filters = dict(FILTERS)
ENV.tests = {}
ENV.globals = {}


def _expression(inner: str) -> str:
    """`a.b-c.2021 | f` -> `a["b-c"]["2021"] | f`: a path as subscripts, so hyphens and digits are keys."""
    match = PATH.match(inner)
    if not match:
        return inner
    parts = [p for p in match.group(2).split(".") if p]
    return match.group(1) + "".join(f'["{p}"]' for p in parts) + inner[match.end():]


@lru_cache(maxsize=4096)
def _compiled(inner: str):
    return ENV.compile_expression(_expression(inner), undefined_to_none=False)


def placeholders(template: str) -> list[str]:
    """The placeholder paths in a text, in order."""
    out = []
    for m in PLACEHOLDER.finditer(template or ""):
        path = PATH.match(m.group(1))
        out.append(path.group(0).strip() if path else m.group(1).strip())
    return out


def _format(v: Any) -> str:
    value = v.value if isinstance(v, _Value) else v
    if isinstance(value, bool) or value is None:
        raise ValueError("værdien kan ikke skrives i teksten")
    if isinstance(value, (int, float)):
        decimals = v.decimals if isinstance(v, _Value) and v.decimals is not None else 0
        signed = isinstance(v, _Value) and v.signed
        return formatting.signed(value, decimals) if signed else formatting.number(value, decimals)
    if isinstance(value, (Mapping, list, tuple)):
        raise ValueError("stien peger på en gruppe af værdier, ikke én værdi (tilføj fx et årstal)")
    return str(value)


def _fill(inner: str, context: Mapping) -> str:
    """One placeholder's text; raises ValueError (message), KeyError (a missing key) or LookupError (filter)."""
    try:
        expression = _compiled(inner)
    except TemplateAssertionError as err:
        raise LookupError(str(err)) from None
    except TemplateSyntaxError:
        raise SyntaxError("ugyldig pladsholder") from None
    try:
        return _format(expression(**{str(k): v for k, v in context.items()}))
    except UndefinedError as err:
        raise KeyError(str(err)) from None
    except (TypeError, ArithmeticError) as err:
        raise ValueError(f"pladsholderen kan ikke udregnes ({err})") from None


MARKED = "_constructed"    # a context's key: the value paths (prefixes) that rest on constructed inputs
# counts, numbering and years are no constructed figures, whatever root they sit under
NEVER_MARKED = {"count", "count_investering", "number", "years", "year", "last_year", "jobcentres"}


def _is_marked(inner: str, marked) -> bool:
    """Whether the placeholder quotes a value under one of the `marked` paths ('scenario', 'line.x.persons')."""
    match = PATH.match(inner)
    path = (match.group(1) + match.group(2)) if match else ""
    if set(path.split(".")) & NEVER_MARKED:
        return False
    return any(path == m or path.startswith(m + ".") for m in marked)


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

    def problem(message: str, match: re.Match) -> None:
        problems.append(Problem(file, f"{prefix}{message}", line=line_of(match.start()), value=match.group(0)))

    marked = context.get(MARKED, ())

    def substitute(match: re.Match) -> str:
        try:
            text = _fill(match.group(1), context)
            return text + (TEXT_MARK if _is_marked(match.group(1), marked) and quotes_value(text) else "")
        except LookupError as err:
            if isinstance(err, KeyError):
                roots = ", ".join(sorted(str(k) for k in context if k != MARKED))
                problem(f"ukendt pladsholder (nøglen {err.args[0]!r} findes ikke; rapportens kapitler udgiver: "
                        f"{roots})", match)
            else:
                problem(f"ukendt filter i pladsholderen ({err}); kendte: {', '.join(FILTERS)}", match)
        except SyntaxError:
            problem("ugyldig pladsholder (syntaks: {{ sti.til.værdi | filter }})", match)
        except ValueError as err:
            problem(str(err), match)
        return match.group(0)

    text = PLACEHOLDER.sub(substitute, template)
    masked = PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), template)
    for stray in re.finditer(r"\{\{|\}\}", masked):
        problem("ugyldig pladsholder (syntaks: {{ sti.til.værdi | filter }})", stray)
    if problems:
        raise InputError(problems)
    return text
