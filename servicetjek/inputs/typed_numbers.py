"""No number typed twice: a number typed in a consultant's text that equals, within display rounding, a value the
report computes is rejected at `prepare` (exit 2), naming the file, the line, the number and the placeholder
that would supply it.

A number that is not data ("4 hovedveje", "i juni 2020", a figure the municipality told the consultant) is
marked as text by writing it as a string placeholder: `{{ "25" }} pct.` renders "25 pct." and is never checked.
Numbers below 10 without decimals (counts of ways, months) and the years of the report are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path

from servicetjek.errors import Problem
from servicetjek.publish import formatting as fmt
from servicetjek.publish.placeholders import PLACEHOLDER

NUMBER = re.compile(r"(?<![\w.,-])-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?(?![\w.,]\d)")
MIN_WHOLE = 10
# How a published value may be written, and the filters that write it so.
FORMS = (("", 1.0), (" | pct", 100.0), (" | mio", 0.001), (" | x1000", 1000.0))


def _leaves(values: Mapping, prefix: str = "") -> Iterator[tuple[str, float]]:
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            yield from _leaves(value, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield path, float(value)


def _typed(text: str) -> tuple[float, int]:
    """'9.743' -> (9743, 0); '19,9' -> (19.9, 1)."""
    whole, _, decimals = text.replace(".", "").partition(",")
    return float(f"{whole}.{decimals}" if decimals else whole), len(decimals)


def _shown(value: float, decimals: int) -> float:
    return float(Decimal(fmt.number(value, decimals).replace(".", "").replace(",", ".")))


def _match(number: float, decimals: int, leaves: list[tuple[str, float]], most: int = 3) -> list[str]:
    """The placeholders that write `number` from a published value (at most `most`)."""
    found: list[str] = []
    round_100 = decimals == 0 and abs(number) >= 1000 and number % 100 == 0
    for path, value in leaves:
        for suffix, factor in FORMS:
            shown = value * factor
            for sign, filt in ((1, ""), (-1, " | abs")):
                if sign == -1 and shown >= 0:
                    continue
                candidate = abs(shown) if sign == -1 else shown
                pipe = filt + suffix + (f" | d{decimals}" if decimals else "")
                if _shown(candidate, decimals) == number:
                    found.append(f"{{{{ {path}{pipe} }}}}")
                elif round_100 and fmt.round_to(candidate, 100) == number:
                    found.append(f"{{{{ {path}{filt}{suffix} | r100 }}}}")
                if len(found) >= most:
                    return found
    return found


def check_typed_numbers(text: str, values: Mapping, file: Path | str, years: set[int] = frozenset()) -> list[Problem]:
    """Every number typed outside a placeholder that a published value would supply, one problem each."""
    leaves = list(_leaves({k: v for k, v in values.items() if k != "kommune"}))
    masked = PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)
    problems = []
    for m in NUMBER.finditer(masked):
        number, decimals = _typed(m.group(0))
        if (decimals == 0 and abs(number) < MIN_WHOLE) or (decimals == 0 and int(number) in years):
            continue
        placeholders = _match(number, decimals, leaves)
        if placeholders:
            placeholder = " eller ".join(placeholders)
            line = 1 + masked.count("\n", 0, m.start())
            problems.append(Problem(file, f"tallet {m.group(0)} er skrevet i teksten, men rapporten beregner det; "
                                          f"brug fx {placeholder} (eller skriv {{{{ \"{m.group(0)}\" }}}}, hvis tallet "
                                          "ikke er data)", line=line, value=m.group(0)))
    return problems
