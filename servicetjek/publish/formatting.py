"""Danish number formats (Babel, locale da_DK): 9.743 · 19,9 · -17 % · 58 mio. kr.

Values are rounded half away from zero first (as in the spreadsheets the
reports come from), then Babel writes them with Danish separators.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

LOCALE = "da_DK"
NBSP = "\u00a0"
MINUS = "-"


def _round(value: float, decimals: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | int | None, decimals: int = 0, missing: str = "-") -> str:
    """9743 -> '9.743'; 19.94 (1) -> '19,9'; -0.0 -> '0'."""
    if _is_missing(value):
        return missing
    rounded = _round(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(rounded, format=pattern, locale=LOCALE, decimal_quantization=False)


def signed(value: float | None, decimals: int = 0, missing: str = "-") -> str:
    """+125 / -41: the sign always shown (changes)."""
    if _is_missing(value):
        return missing
    text = number(value, decimals)
    return text if text.startswith(MINUS) or _round(value, decimals) == 0 else "+" + text


def percent(ratio: float | None, decimals: int = 0, sign: bool = False, missing: str = "-") -> str:
    """-0.17 -> '-17 %'; 0.0042 (1) -> '0,4 %'. The argument is a ratio, not percentage points."""
    if _is_missing(ratio):
        return missing
    text = (signed if sign else number)(ratio * 100, decimals)
    return f"{text}{NBSP}%"


def pct_points(value: float | None, decimals: int = 1, missing: str = "-") -> str:
    """A share already in percent: 19.93 -> '19,9'."""
    return number(value, decimals, missing)


def mio_kr(kroner: float | None, decimals: int = 0, missing: str = "-") -> str:
    """58_123_000 -> '58 mio. kr.'"""
    if _is_missing(kroner):
        return missing
    return f"{number(kroner / 1e6, decimals)}{NBSP}mio.{NBSP}kr."


def thousand_kr(kroner_1000: float | None, missing: str = "-") -> str:
    """Amounts in 1.000 kr as the tables print them: -17500 -> '-17.500'."""
    return number(kroner_1000, 0, missing)


def change(ratio: float | None, decimals: int | None = None, missing: str = "-") -> str:
    """A development as Tabel 2 prints it: whole percent, but one decimal where
    a whole percent would read '0 %' (e.g. -0,4 %). Pass decimals to fix it."""
    if _is_missing(ratio):
        return missing
    if decimals is None:
        decimals = 1 if 0.0005 <= abs(ratio) < 0.005 else 0
    return percent(ratio, decimals)


def round_to(value: float, step: float) -> float:
    """Round half away from zero to a multiple of step: 4.850 (100) -> 4.900, never banker's 4.800."""
    quotient = (Decimal(repr(float(value))) / Decimal(repr(float(step)))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(quotient * Decimal(repr(float(step))))
