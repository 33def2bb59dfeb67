"""Chapter 7 as the reader sees it: the catalogue's intro, the overview table and one section per proposal.

Everything is computed by `catalogue` (effects, totals, numbering, placeholders); this module only
lays it out. Two overview layouts, declared in the catalogue (`layout:` in proposals.yaml) or chosen by
the notebook's parameter:

- 'years'  (the Slagelse report): the effect per year in 1.000 kr, investment/saving sub-lines with
           their konto, certainty, difficulty, heading rows and a computed "I alt" row;
- 'konto'  (the Næstved slides): the effect on konto 6 and konto 5 at full effect (the last year of
           the catalogue), certainty, time horizon, difficulty, risks and consequences; alternative
           scenarios under their proposal.

Numbers and counts are never typed: "Forslag N" comes from the proposal's place in the file, the
count and every amount in the texts from placeholders filled by `catalogue.render_*`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import pandas as pd

from servicetjek.chapters import catalogue_texts as cat_texts
from servicetjek.inputs import catalogue as cat_mod
from servicetjek.inputs.catalogue import Catalogue, Proposal
from servicetjek.publish import formatting as fmt
from servicetjek.publish.provenance import TEXT_MARK
from servicetjek.publish.report import choose_layout as choose
from servicetjek.publish.report import esc, heading, markdown_html, table_footer, table_html, table_mark
from servicetjek.publish.slots import mark_note

LAYOUTS = ("years", "konto")
ROW_CLASS = {"heading": "heading", "proposal": "", "line": "sub", "scenario": "sub", "total": "total"}
# ------------------------------------------------------------------ helpers
def choose_layout(cat: Catalogue, layout: str = "auto") -> str:
    """'years' or 'konto'. 'auto': the layout the catalogue declares (`layout:` in proposals.yaml,
    'years' when it declares none); no field switches it silently."""
    return choose(layout, LAYOUTS, lambda: cat.layout)


def _with_konto(label: str, konto) -> str:
    if konto is None or pd.isna(konto) or re.search(r"konto\s*\d", label, re.I):
        return label
    return f"{label} (konto {int(konto)})"


def proposal_heading(p: Proposal) -> str:
    return f"Forslag {p.number}: {p.title}"


def out_of_total(cat: Catalogue, p: Proposal) -> str:
    """' (alternativ til forslag 1, indgår ikke i total)' for a proposal the total leaves out, else ''."""
    why = cat_mod.left_out(cat).get(p.id)
    return f" ({why}, indgår ikke i total)" if why else ""


def _mio(value_1000kr: float) -> str:
    """-7500 -> '-7,5 mio. kr.'; +1000 -> '+1,0 mio. kr.'"""
    return f"{fmt.signed(value_1000kr / 1000, 1)}{fmt.NBSP}mio. kr."


# ------------------------------------------------------------------ the CSV table
def overview_csv(cat: Catalogue) -> pd.DataFrame:
    """catalogue_overview.csv: one row per proposal (its total, default scenario), per effect line
    (every line, every scenario's too), per scenario (its total with the common lines), and the
    catalogue's total; one column per year (effect_1000kr_<year>, negative = saving) and, for lines
    computed from persons, persons_<year>. Optional columns (scenario, benefit_group, horizon,
    persons_<year>) are left out when the catalogue has nothing for them."""
    years = cat.years
    rows = []

    def add(row_type, p, values, **extra):
        rec = {"row_type": row_type, "number": p.number if p else None, "proposal_id": p.id if p else None,
               "heading": p.heading if p else None, "scenario": None, "in_total": True, "line_id": None,
               "label": None, "konto": None, "kind": None, "benefit_group": None, "basis": None,
               "certainty": p.certainty if p and row_type == "proposal" else None,
               "difficulty": p.difficulty.level if p and row_type == "proposal" else None,
               "horizon": p.horizon if p and row_type == "proposal" else None}
        rec.update(extra)
        persons = rec.pop("persons", {})
        rec.update({f"effect_1000kr_{y}": values.get(y, float("nan")) for y in years})
        rec.update({f"persons_{y}": persons.get(y, float("nan")) for y in years})
        rows.append(rec)

    out = cat_mod.left_out(cat)
    for p in cat.proposals:
        add("proposal", p, cat_mod.proposal_total(cat, p), label=p.label, in_total=p.id not in out)
        for eff in cat_mod.line_effects(cat, p):
            add("line", p, eff.amounts, scenario=eff.scenario, in_total=eff.in_total and p.id not in out,
                line_id=eff.line_id, label=eff.label, konto=eff.konto, kind=eff.kind, benefit_group=eff.group,
                persons=eff.persons, basis=eff.basis)
        for s in p.scenarios:
            add("scenario", p, cat_mod.proposal_total(cat, p, s.id), scenario=s.id, in_total=s.default,
                label=s.label, horizon=s.horizon)
    add("total", None, cat_mod.catalogue_total(cat), label="I alt")
    frame = pd.DataFrame(rows)
    optional = ["scenario", "benefit_group", "horizon"] + [f"persons_{y}" for y in years]
    return frame.drop(columns=[c for c in optional if frame[c].isna().all()])


# ------------------------------------------------------------------ the overview table
def _years_table(cat: Catalogue, number: int, source: str | None, note: str | None) -> str:
    frame = cat_mod.overview_frame(cat)
    years = cat.years
    labels, classes = [], []
    for r in frame.itertuples(index=False):
        row = r.row
        if row == "proposal":
            labels.append(f"Forslag {int(r.number)}. {r.label}" + out_of_total(cat, cat.proposal(r.proposal_id)))
        elif row == "line":
            labels.append(_with_konto(r.label, r.konto))
        else:
            labels.append(r.label)
        classes.append(ROW_CLASS[row])
    body = pd.DataFrame({"": labels})
    headed = frame["row"] == "heading"
    for year in years:
        body[str(year)] = ["" if h else fmt.thousand_kr(v) for v, h in zip(frame[year], headed)]
    body["Sikkerhed ift. at opnå fuld effekt"] = [v if isinstance(v, str) else "" for v in frame["certainty"]]
    body["Sværhedsgrad i implementering"] = [v if isinstance(v, str) else "" for v in frame["difficulty"]]
    return table_html(body, number, f"Overblik over forslagene – økonomisk effekt {years[0]}-{years[-1]}",
                      source=source, note=note, header_groups=[("", 1), ("Økonomisk effekt", len(years)), ("", 2)],
                      row_classes=classes, first_column_header="Optimeringsforslag – beløb i 1.000 kr.")


def _konto_cell(cat: Catalogue, effects, konto: int, year: int) -> str:
    mine = [e for e in effects if e.konto == konto and year in e.amounts]
    if not mine:
        return ""
    kinds = {}
    for e in mine:
        kinds[e.kind] = kinds.get(e.kind, 0.0) + e.amounts[year]
    if len(kinds) == 1:
        return _mio(sum(kinds.values()))
    parts = [f"{k} {_mio(v)}" for k, v in kinds.items()]
    return f"{_mio(sum(kinds.values()))} (heraf {' og '.join(parts)})"


def _konto_table(cat: Catalogue, number: int, source: str | None, note: str | None) -> str:
    year = cat.years[-1]
    rows, classes = [], []
    columns = ["", "Økonomisk effekt konto 6", "Økonomisk effekt konto 5", "Sikkerhed ift. at opnå effekt",
               "Tidshorisont for fuld effekt", "Sværhedsgrad ift. at opnå effekt", "Risici ved at gennemføre ændring",
               "Konsekvens ved forslaget"]

    def difficulty(p: Proposal) -> str:
        return p.difficulty.level + (f", {p.difficulty.note}" if p.difficulty.note else "")

    def consequences(items) -> str:
        return " ".join(f"– {c}" for c in items)

    for h in cat.headings:
        members = [p for p in cat.proposals if p.heading == h.id]
        if not members:
            continue
        if len(cat.headings) > 1:
            rows.append([h.table_label] + [""] * 7)
            classes.append("heading")
        for p in members:
            effects = cat_mod.line_effects(cat, p)
            rows.append([proposal_heading(p) + out_of_total(cat, p)] + [""] * 7)
            classes.append("heading")
            if p.scenarios:
                for i, s in enumerate(p.scenarios):
                    counted = [e for e in effects if e.scenario in (None, s.id)]
                    rows.append([s.label + (" (indgår i total)" if s.default else ""),
                                 _konto_cell(cat, counted, 6, year), _konto_cell(cat, counted, 5, year),
                                 p.certainty if i == 0 else "", s.horizon or p.horizon or "",
                                 difficulty(p) if i == 0 else "", s.risks or p.risks or "",
                                 consequences(list(p.consequences) + list(s.consequences))])
                    classes.append("")
            else:
                counted = [e for e in effects if e.in_total]
                rows.append([p.short_title or p.title, _konto_cell(cat, counted, 6, year),
                             _konto_cell(cat, counted, 5, year), p.certainty, p.horizon or "", difficulty(p),
                             p.risks or "", consequences(p.consequences)])
                classes.append("")
    subtotal = cat_mod.catalogue_subtotals(cat, by="konto")
    rows.append(["I alt", _mio(subtotal[6][year]), _mio(subtotal[5][year])] + [""] * 5)
    classes.append("total")
    body = pd.DataFrame(rows, columns=columns)
    return table_html(body, number, f"Forslag til besparelser og investeringer – årlig økonomisk effekt i {year}",
                      source=source, note=note, row_classes=classes, css_class="st-catalogue",
                      first_column_header="Effektivisering og reduktionsforslag")


def overview_table(cat: Catalogue, number: int, layout: str = "auto", source: str | None = None,
                   note: str | None = None) -> str:
    layout = choose_layout(cat, layout)
    if layout == "konto":
        return _konto_table(cat, number, source, note)
    return _years_table(cat, number, source, note)


def overview_note(cat: Catalogue, layout: str) -> str:
    """The table's note, from the data: sign convention, scenarios, how person-based lines are computed."""
    parts = ["Negative beløb er besparelser, positive er investeringer eller merudgifter."]
    if choose_layout(cat, layout) == "konto":
        parts.append(f"Effekten er vist for {cat.years[-1]}, det sidste år i kataloget; mio. kr.")
    if any(p.scenarios for p in cat.proposals):
        parts.append("Hvor et forslag har alternative scenarier, indgår det markerede scenarie i totalen.")
    lines = [ln for p in cat.proposals for ln in p.all_lines()]
    if any(ln.on_group for ln in lines):
        parts.append(f"Effekter af flere eller færre på en ydelse er beregnet som fuldtidspersoner gange "
                     f"nettoudgiften pr. fuldtidsperson for ydelsen, afrundet til {fmt.number(cat.round_to)} "
                     "(1.000 kr.).")
    computed = sum(1 for ln in lines if ln.computed)
    parts.append(f"Af {len(lines)} effektlinjer er {computed} beregnet (personer, andel af budgettet, tendens eller "
                 f"årsværk × pris) og {len(lines) - computed} indtastede beløb.")
    return " ".join(parts)


# ------------------------------------------------------------------ the sections
def intro_html(cat: Catalogue, extra: Mapping | None = None) -> str:
    """The catalogue's intro with its placeholders filled; a generated summary when the data have none."""
    intros = cat_texts.render_intros(cat, extra)
    if intros.get(""):
        return f'<div class="st-text st-md">{markdown_html(intros[""])}</div>'
    ctx = cat_texts.catalogue_context(cat)
    last = cat.years[-1]
    total = ctx["total"].get(last, 0.0)
    word = "besparelse" if total < 0 else "merudgift"
    text = (f"Kataloget rummer {ctx['count']} forslag. Samlet giver de {ctx['count']} forslag en {word} på "
            f"{fmt.number(abs(total) / 1000, 1)} mio. kr. i {last}.")
    return f'<p class="st-text">{esc(text)}</p>'


def _facts(cat: Catalogue, p: Proposal) -> str:
    total = cat_mod.proposal_total(cat, p)
    parts = []
    if total:
        parts.append("Økonomisk effekt (1.000 kr.): " + ", ".join(f"{y}: {fmt.thousand_kr(v)}" for y, v in total.items()))
    parts.append(f"Sikkerhed: {p.certainty}")
    parts.append(f"Sværhedsgrad: {p.difficulty.level}")
    if p.horizon:
        parts.append(f"Tidshorisont: {p.horizon}")
    return f'<p class="st-proposal-facts">{esc(" · ".join(parts))}</p>'


class SubTables:
    """The tables inside the proposals' texts (effect lines per year): sub-tables of the overview, each
    captioned "Tabel <overview>a:", "…b:" … with the catalogue's Kilde."""

    def __init__(self, number: int | str, source: str | None):
        self.number, self.source, self.count = number, source, 0

    def __call__(self, fragment: str) -> str:
        return re.sub(r"<table>.*?</table>", self._wrap, fragment, flags=re.S)

    def _wrap(self, match: re.Match) -> str:
        self.count += 1
        number = f"{self.number}{'abcdefghijklmnopqrstuvwxyz'[(self.count - 1) % 26]}"
        head = re.search(r"<th[^>]*>(.*?)</th>", match.group(0), re.S)
        caption = html.unescape(re.sub(r"<[^>]+>", "", head.group(1))).strip() if head else "Økonomiske effekter"
        return (f'<figure class="st-subtable" id="tabel-{number}"><figcaption><span class="st-num">Tabel {number}:'
                f"</span> {esc(caption)}{table_mark(self.source)}</figcaption>{match.group(0)}"
                f"{table_footer(self.source, None)}</figure>")


def proposal_html(cat: Catalogue, p: Proposal, extra: Mapping | None = None, level: int = 4,
                  sub: SubTables | None = None) -> str:
    sections = cat_texts.render_sections(cat, p, extra)
    sub = sub or SubTables("", None)
    out = ""
    if p.theme:
        out += f'<p class="st-theme">{esc(p.theme.upper())}</p>'
    out += heading(proposal_heading(p), level, anchor=f"forslag-{p.number}")
    out += _facts(cat, p)
    for key, text in sections.items():
        out += heading(cat_mod.SECTION_TITLES[key], level + 1)
        out += f'<div class="st-text st-md">{sub(markdown_html(text))}</div>'
    return out + mark_note(any(TEXT_MARK in t for t in sections.values()))


def chapter_parts(cat: Catalogue, extra: Mapping | None = None, *, table_number: int, layout: str = "auto",
                  chapter_number: int = 7, source: str | None = None) -> dict[str, str]:
    """The chapter in order, as named HTML fragments: 'intro', 'overview', 'heading:<id>' and
    'proposal:<id>' (so a test can see exactly which parts an input change touches). The overview's note
    is `overview_note`, from the data."""
    parts = {"intro": intro_html(cat, extra),
             "overview": overview_table(cat, table_number, layout, source, overview_note(cat, layout))}
    intros = cat_texts.render_intros(cat, extra)
    used = [h for h in cat.headings if any(p.heading == h.id for p in cat.proposals)]
    sub = SubTables(table_number, source)
    for i, h in enumerate(used, start=1):
        title = f"{chapter_number}.{i}. {h.title}" if len(used) > 1 else h.title
        block = heading(title, 3, anchor=f"kapitel-{chapter_number}-{i}")
        if intros.get(h.id):
            block += f'<div class="st-text st-md">{markdown_html(intros[h.id])}</div>'
        parts[f"heading:{h.id}"] = block
        for p in cat.proposals:
            if p.heading == h.id:
                parts[f"proposal:{p.id}"] = proposal_html(cat, p, extra, sub=sub)
    return parts


def chapter_html(cat: Catalogue, extra: Mapping | None = None, **kwargs) -> str:
    return "".join(chapter_parts(cat, extra, **kwargs).values())


def text_of(fragment: str) -> str:
    """Visible text of an HTML fragment (tags dropped, entities decoded, style blocks removed)."""
    fragment = re.sub(r"<style.*?</style>", " ", fragment, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()
