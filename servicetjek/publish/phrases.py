"""The report's small vocabulary of phrases: every direction, comparison, rank, count and amount in running
text is written by these functions, whether the sentence is generated (the views, the Resume) or typed by the
consultant (the same functions are the placeholder filters, see publish/placeholders.py).

The thresholds are declared once, here:

- `UNCHANGED_WITHIN`: a relative change (a ratio) smaller than this is "uændret" (it prints as 0,0 pct.);
- `CLOSE_WITHIN`: an exit rate within this share of the comparison group's rate is "tæt på" it (3 pct.
  reproduces the reference report's reading of its Tabel 5). The chapter's sentences, the Resume and the
  reading of the cost-against-effect figure use this one threshold.

Running text writes "pct." and "procentpoint"; tables write "%" (formatting.percent).
"""

from __future__ import annotations

from servicetjek.publish import formatting as fmt

UNCHANGED_WITHIN = 0.0005
CLOSE_WITHIN = 0.03
# An amount in mio. kr. is quoted with one decimal below this many millions, whole millions above.
MIO_DECIMALS_BELOW = 10.0

ORDINALS = {1: "", 2: "næst", 3: "tredje", 4: "fjerde", 5: "femte", 6: "sjette", 7: "syvende", 8: "ottende",
            9: "niende", 10: "tiende", 11: "ellevte", 12: "tolvte", 13: "trettende", 14: "fjortende",
            15: "femtende", 16: "sekstende", 17: "syttende", 18: "attende", 19: "nittende", 20: "tyvende"}
NUMBER_WORDS = {2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "syv", 8: "otte", 9: "ni", 10: "ti",
                11: "elleve", 12: "tolv"}

# Definite forms of the comparison groups, by role: (definite, genitive).
DEFINITE = {
    "klynge": ("klyngen", "klyngens"),
    "near_labour_market": ("det nære arbejdsmarked", "det nære arbejdsmarkeds"),
    "national": ("hele landet", "hele landets"),
}


# ------------------------------------------------------------------ direction and comparison
def is_unchanged(ratio: float) -> bool:
    return abs(float(ratio)) < UNCHANGED_WITHIN


def direction(ratio: float, up: str = "steget", down: str = "faldet", same: str = "uændret") -> str:
    """A relative change in words: 'steget', 'faldet', or 'uændret' within UNCHANGED_WITHIN."""
    if is_unchanged(ratio):
        return same
    return up if ratio > 0 else down


def compare(deviation: float, higher: str = "højere", lower: str = "lavere", same: str = "på niveau med") -> str:
    """A relative deviation (own ÷ other − 1) in words; `same` within UNCHANGED_WITHIN."""
    return direction(deviation, higher, lower, same)


def deviation(ratio: float, higher: str = "højere end", lower: str = "lavere end", same: str = "på niveau med") -> str:
    """A relative deviation with its size: '19 pct. lavere end', 'under 1 pct. højere end', 'på niveau med'."""
    word = compare(ratio, higher, lower, same)
    return word if word == same else f"{percent(abs(float(ratio)))} {word}"


def is_close(deviation: float) -> bool:
    """Is a relative deviation (own ÷ other − 1, a ratio) within CLOSE_WITHIN?"""
    return abs(float(deviation)) < CLOSE_WITHIN


def level(deviation: float, higher: str = "højere end", lower: str = "lavere end", close: str = "tæt på") -> str:
    """A relative deviation read with the 'tæt på' threshold: `close` within CLOSE_WITHIN."""
    if is_close(deviation):
        return close
    return higher if deviation > 0 else lower


# ------------------------------------------------------------------ ranks and counts
def superlative(rank: int, word: str = "laveste") -> str:
    """1 -> 'laveste', 2 -> 'næstlaveste', 4 -> 'fjerdelaveste'."""
    rank = int(rank)
    if rank < 1:
        raise ValueError("en placering er mindst 1")
    prefix = ORDINALS.get(rank)
    return f"{prefix}{word}" if prefix is not None else f"{rank}.-{word}"


def rank(position: int, word: str = "laveste", article: str = "den") -> str:
    """'den fjerdelaveste' (article '' leaves it out; 'de' for a plural noun)."""
    text = superlative(position, word)
    return f"{article} {text}" if article else text


def count(n: float, singular: str, plural: str) -> str:
    """'1 andet jobcenter', '12 andre jobcentre' (the number in Danish format)."""
    n = float(n)
    return f"{fmt.number(n)} {singular if round(abs(n)) == 1 else plural}"


def number_word(n: int) -> str:
    """'to', 'tre' … 'tolv' for small counts in running text, digits above."""
    return NUMBER_WORDS.get(int(n), fmt.number(n))


# ------------------------------------------------------------------ amounts
def percent(ratio: float, decimals: int = 0) -> str:
    """A ratio in running text: 0.186 -> '19 pct.'; a nonzero value that would print as 0 -> 'under 1 pct.'
    (or 'under 0,1 pct.'), never '0 pct.'. The sign is kept; combine with a word for the direction."""
    ratio = float(ratio)
    shown = fmt.number(abs(ratio) * 100, decimals)
    if ratio != 0 and shown == fmt.number(0, decimals):
        return f"under {fmt.number(10 ** -decimals, decimals)} pct."
    return f"{fmt.number(ratio * 100, decimals)} pct."


def signed_percent(ratio: float, decimals: int = 0) -> str:
    """A change with its sign in running text: '+7 pct.', '-1,4 pct.' ('under 1 pct.' for a tiny one)."""
    text = percent(ratio, decimals)
    return text if text.startswith(("-", "under", "0 ")) else "+" + text


def points(value: float, decimals: int = 0) -> str:
    """A difference already in percentage points: '9 procentpoint' (never '0' for a nonzero value)."""
    value = float(value)
    if value != 0 and fmt.number(abs(value), decimals) == fmt.number(0, decimals):
        return f"under {fmt.number(10 ** -decimals, decimals)} procentpoint"
    return f"{fmt.number(value, decimals)} procentpoint"


def mio_kr(kroner: float) -> str:
    """An amount in kr. as running text quotes it, the same rounding wherever it is quoted: one decimal below
    MIO_DECIMALS_BELOW mio. kr., whole millions above ('58 mio. kr.', '3,6 mio. kr.')."""
    mio = float(kroner) / 1e6
    decimals = 1 if abs(mio) < MIO_DECIMALS_BELOW else 0
    return f"{fmt.number(mio, decimals)} mio. kr."


def kr(kroner: float, step: float = 100) -> str:
    """A unit cost in kr. as running text quotes it, to the nearest `step`: '25.200 kr.'"""
    return f"{fmt.number(fmt.round_to(float(kroner), step))} kr."


def persons(n: float) -> str:
    """'1 fuldtidsperson', '125 fuldtidspersoner'."""
    return count(n, "fuldtidsperson", "fuldtidspersoner")


# ------------------------------------------------------------------ names and lists
def definite(role: str, genitive: bool = False) -> str:
    """The definite form of a comparison group by its role: 'klyngen', 'det nære arbejdsmarked'."""
    forms = DEFINITE.get(role)
    if forms is None:
        raise ValueError(f"ukendt sammenligningsgruppe {role!r}; kendte: {', '.join(DEFINITE)}")
    return forms[1] if genitive else forms[0]


def group_name(group, genitive: bool = False) -> str:
    """A ComparisonGroup in running text: its definite form by role."""
    return definite(group.role, genitive)


def join(items, word: str = "og") -> str:
    """['a', 'b', 'c'] -> 'a, b og c'."""
    items = [str(i) for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def lower_first(label: str) -> str:
    """'Dagpenge mv.' -> 'dagpenge mv.'; an abbreviation stays ('KTH i alt')."""
    if label[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
