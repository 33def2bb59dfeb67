"""Provenance in the report: one Datagrundlag section, and a mark on each constructed value.

Every input row says `published: …` or `constructed: …` (data/processed/<slug>/provenance.csv). The report
says so once, in the Datagrundlag chapter (each input in plain words, published with its source or
constructed and against what), and marks the values that rest on constructed inputs where they stand: a
table's or figure's caption, a number quoted in running text. A table whose constructed inputs were built
to reproduce exactly that published table (their provenance names it) carries no mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:     # annotations only: the no-change build imports this module and must not pay for pandas
    import pandas as pd

MARK = "*"
MARK_NOTE = f"{MARK} Konstrueret tal, se Datagrundlag."
TEXT_MARK = "\\" + MARK          # the mark in Markdown (escaped, so it is no emphasis)
ALL_PUBLISHED = "Rapporten bygger udelukkende på offentliggjorte eller hentede tal; ingen tal er konstrueret."

_SEED = re.compile(r"\b(\d{3})_[0-9a-f]{8,}\.txt\b")
_REF = re.compile(r"\b(Tabel|Figur|Forslag|chapter|kap\.|afsnit)\s+(\d+(?:[.-]\d+)?)")
_FETCHED = re.compile(r"jobindsats\.dk\s+(\w+)(?:,\s*hentet\s+(\S+))?", re.I)


class Source(str):
    """A 'Kilde' text that knows whether the values it stands under rest on constructed inputs."""
    constructed: bool = False

    def __new__(cls, text: str, constructed: bool = False) -> "Source":
        obj = super().__new__(cls, text)
        obj.constructed = constructed
        return obj


def _rows(provenance: pd.DataFrame, files) -> pd.DataFrame:
    return provenance[provenance["file"].apply(lambda f: any(f == x or f.startswith(x) for x in files))]


def _texts(rows: pd.DataFrame) -> str:
    cols = [c for c in ("provenance", "agrees_with") if c in rows.columns]
    return " | ".join(str(v) for c in cols for v in rows[c] if v)


def names(text: str, label: str) -> bool:
    """Whether a provenance text names the published `label` ("Tabel 3", "overview table")."""
    return re.search(rf"(?<![\w.]){re.escape(label)}(?![\w.])", text, re.I) is not None


def constructed_behind(provenance: pd.DataFrame, files, reproduces: str | None = None) -> bool:
    """Whether values built from `files` rest on constructed figures: some input row is constructed, and not
    every constructed file was built to reproduce the published `reproduces` (named in its provenance)."""
    rows = _rows(provenance, files)
    built = rows[rows["kind"] == "constructed"]
    if built.empty:
        return False
    if not reproduces:
        return True
    return any(not names(_texts(rows[rows["file"] == f]), reproduces) for f in built["file"].unique())


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NOT_A_VALUE = re.compile(r"(?:tabel|figur|kapitel|forslag|nr\.)\s*$", re.I)


def quotes_value(text: str) -> bool:
    """Whether a filled placeholder or phrase holds a number that is a value (not a year, not a word)."""
    return any(not re.fullmatch(r"(?:19|20)\d\d", m.group(0)) for m in _NUMBER.finditer(text))


_REPO_PATH = re.compile(r"\b(?:data/raw|data|tools|servicetjek|notebooks|docs|tests)/(?:[\w.-]+/)*([\w.-]+)")


def without_paths(text: str) -> str:
    """A provenance text without repository paths ('tools/construct_extracts.py' -> 'construct_extracts.py')."""
    return _REPO_PATH.sub(r"\1", text)


def extract_files(provenance: pd.DataFrame, tables, without_area: str | None = None) -> list[str]:
    """The extracts of `tables` (ids such as 'ptv_a02'), leaving out those that hold only `without_area`
    (e.g. the national extracts, for a table that shows no national figure)."""
    rows = provenance[provenance["file"].str.startswith(tuple(f"extracts/{t}" for t in tables))]
    if without_area and "areas" in rows.columns:
        rows = rows[rows["areas"].astype(str) != without_area]
    return sorted(rows["file"].unique())


def mark_sentence(sentence: str) -> str:
    """The mark at the end of a sentence that quotes a value ('… ca. 58 mio. kr.*'): the sentence rests on
    constructed figures, whichever of its numbers they are. Years and table, figure or chapter numbers
    are no values."""
    for m in _NUMBER.finditer(sentence):
        if quotes_value(m.group(0)) and not _NOT_A_VALUE.search(sentence[:m.start()]):
            return sentence.rstrip() + MARK
    return sentence


# ------------------------------------------------------------------ the Datagrundlag section
_LABELS = {
    "kommune.yaml": "Rapportens år og kilden til den nationale prognose",
    "comparison_groups.yaml": "Sammenligningsgrupperne",
    "population.csv": "Befolkningen 16-64 år",
    "resources.csv": "Ressourceopgørelsen: udgifter pr. målgruppe, aktivitet og konto",
    "resource_persons.csv": "Fuldtidspersoner pr. målgruppe i ressourceopgørelsen",
    "resource_comparison.csv": "De øvrige jobcentres fordeling af udgifterne",
    "unit_costs.csv": "Enhedsomkostninger i de sammenlignede jobcentre",
    "exit_rates.csv": "Afgangsrater til job og uddannelse pr. målgruppe",
    "budget.csv": "Kommunens budgetforudsætninger pr. ydelsesgruppe",
    "benefit_costs.csv": "Ydelsesudgifter (netto) pr. fuldtidsperson pr. ydelsesgruppe",
    "national_forecast.csv": "National prognose for antallet på offentlig forsørgelse",
    "proposals.yaml": "Forslagskataloget",
    "goals.yaml": "Beskæftigelsesplanens mål",
}
_TABLES = {
    "ptv_a02": "Fuldtidspersoner på offentlig forsørgelse efter ydelsesgruppe",
    "y60a02": "Kontanthjælpsmodtagere efter visitationskategori",
    "y38a02": "Uddannelseshjælpsmodtagere efter visitationskategori",
    "y30r21": "STAR's benchmark: faktisk og forventet andel på offentlig forsørgelse",
}


def _extract_label(name: str) -> str:
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    table = next((t for t in _TABLES if stem.startswith(t)), stem.split("_")[0])
    parts = stem.split("_")
    period = parts[-1].replace("-", "–") if len(parts) > 2 else ""
    where = "hele landet" if "hele-landet" in stem else "kommunen og sammenligningsområderne"
    return (f"{_TABLES.get(table, 'Udtræk fra jobindsats.dk')} (jobindsats.dk, {table}), {where}"
            + (f", {period}" if period else ""))


def label(file: str, item: str, item_names: dict[str, str]) -> str:
    """The input in plain words: what it is, never where it lies."""
    if file.startswith(("extracts/", "opfoelgning/ptv")):
        return _extract_label(file)
    base = _LABELS.get(file, "Månedstal til opfølgningen" if file.startswith("opfoelgning/") else "Øvrigt input")
    if item:
        return f"{base}: {item_names.get(item, item_names.get(item.split('/')[0], item))}"
    return base


@dataclass
class Documents:
    """How the published documents the provenance cites are named in the report."""
    own: str = ""                     # the seed of the municipality's own published report
    own_name: str = "det offentliggjorte servicetjek"
    other_name: str = "en offentliggjort rapport"


def references(text: str, docs: Documents) -> list[str]:
    """The published sources a provenance text cites, in plain Danish ('servicetjekket fra 2020, Tabel 3')."""
    out: list[str] = []
    fetched = _FETCHED.search(text)
    if fetched:
        when = f", hentet {fetched.group(2)}" if fetched.group(2) else ""
        out.append(f"jobindsats.dk, tabel {fetched.group(1)}{when}")
    for part in re.split(r"[;|]", text):
        seed = _SEED.search(part)
        if not seed:
            continue
        doc = docs.own_name if seed.group(1) == docs.own else docs.other_name
        refs = [f"{'kap.' if k in ('chapter', 'kap.') else k} {n}" for k, n in _REF.findall(part)]
        out.append(doc + (f", {', '.join(dict.fromkeys(refs))}" if refs else ""))
    return list(dict.fromkeys(out))


@dataclass
class Entry:
    label: str
    kinds: set[str] = field(default_factory=set)
    published: list[str] = field(default_factory=list)
    agrees: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """Where the published part comes from; how the constructed part was made."""
        out = []
        if "published" in self.kinds:
            out.append("Offentliggjort i " + "; ".join(self.published) + "." if self.published else "Offentliggjort.")
        if "constructed" in self.kinds:
            out.append("Konstrueret (ikke offentliggjort)" + (
                f", så tallene stemmer med {'; '.join(self.agrees)}." if self.agrees else "."))
        return " ".join(out)


def entries(provenance: pd.DataFrame, docs: Documents, item_names: dict[str, str]) -> list[Entry]:
    """One entry per input (and per separately described item), in the provenance table's order."""
    out: dict[str, Entry] = {}
    for row in provenance.itertuples(index=False):
        item = str(row.item).split("/")[0]       # a proposal's lines are told under the proposal
        name = label(str(row.file), item, item_names)
        entry = out.setdefault(name, Entry(name))
        entry.kinds.add(str(row.kind))
        text = " | ".join(str(v) for v in (row.provenance, getattr(row, "agrees_with", "")) if v)
        target = entry.published if row.kind == "published" else entry.agrees
        target += [r for r in references(text, docs) if r not in target]
    return list(out.values())


def section_html(number: int, title: str, items: list[Entry], warnings: list[str] | None = None) -> str:
    """The Datagrundlag chapter: what the report rests on, input by input, and any warnings about values."""
    from servicetjek.publish.report import esc

    out = f'<h2 class="st-heading" id="kapitel-{number}">{esc(f"{number}. {title}")}</h2>'
    built = any("constructed" in e.kinds for e in items)
    if built:
        out += ('<p class="st-text">Rapporten bygger på offentliggjorte tal og på tal, der er konstrueret, så de '
                "stemmer med de offentliggjorte nøgletal. Konstruerede tal er ikke offentliggjort af nogen "
                f"kilde. Tabeller, figurer og tal i teksten, der bygger på dem, er mærket med {MARK}. Tabeller, "
                "der gengiver offentliggjorte tal nøjagtigt, er ikke mærket.</p>")
    else:
        out += f'<p class="st-text">{esc(ALL_PUBLISHED)}</p>'
    out += '<dl class="st-provenance">' + "".join(
        f"<dt>{esc(e.label)}</dt><dd>{esc(e.sentence())}</dd>"
        for e in items) + "</dl>"
    if warnings:      # plausible-but-odd values, when a check supplies them
        out += ('<h3 class="st-subheading">Tal, der bør efterprøves</h3><ul class="st-warnings">'
                + "".join(f"<li>{esc(w)}</li>" for w in warnings) + "</ul>")
    return out
