"""Chapter 7's economics as the reader sees it: the proposals' economics, the link to the scenario
potential and "investér eller spar". The numbers come from `economics`; this module only lays them out."""

from __future__ import annotations

import math

import pandas as pd

from servicetjek.chapters import economics
from servicetjek.inputs.catalogue import Catalogue
from servicetjek.inputs.effect_lines import BASIS_LABEL
from servicetjek.publish import formatting as fmt
from servicetjek.publish.report import esc, table_html


def group_names() -> dict[str, str]:
    from servicetjek.inputs.taxonomy import load

    return {g.id: g.display_name for g in load().benefit_groups}


def _n(value, decimals: int = 0) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else fmt.number(value, decimals)


def _label(row) -> str:
    return row.label if pd.isna(row.number) else f"Forslag {int(row.number)}. {row.label}"


def certainty_note() -> str:
    parts = [f"{level}: vægt {fmt.number(c.weight, 2)}, interval ±{fmt.percent(c.width)}"
             for level, c in economics.CERTAINTY.items()]
    return ("Forventet effekt = investeringer + vægt × besparelser (og merudgifter); lav og høj = investeringer + "
            "(1 ∓ bredde) × besparelser. Sikkerhed: " + "; ".join(parts) + ". Investeringer regnes som sikre.")


def economics_table(cat: Catalogue, frame: pd.DataFrame, number: int, source: str | None = None) -> str:
    """Per proposal: lines computed/typed, persons moved, investment, break-even, payback, range."""
    year = cat.years[-1]
    body = pd.DataFrame({
        "": [_label(r) + ("" if r.in_total else f" ({r.note}, indgår ikke i total)") for r in frame.itertuples()],
        "Effektlinjer beregnet / indtastet": [f"{int(r.lines_computed)} / {int(r.lines_typed)}"
                                              for r in frame.itertuples()],
        f"Personer {year}": [r.persons for r in frame.itertuples()],
        "Investering i alt": [fmt.thousand_kr(v) if v else "" for v in frame["investment_1000kr"]],
        "Break-even, fuldtidspersoner pr. år": [_n(v, 1) for v in frame["break_even_persons"]],
        "Tjent hjem": ["" if pd.isna(v) else str(int(v)) for v in frame["payback_year"]],
        "Lav": [fmt.thousand_kr(v) for v in frame["low_1000kr"]],
        "Central": [fmt.thousand_kr(v) for v in frame["central_1000kr"]],
        "Høj": [fmt.thousand_kr(v) for v in frame["high_1000kr"]],
        "Forventet": [fmt.thousand_kr(v) for v in frame["expected_1000kr"]],
    })
    classes = ["total" if pd.isna(n) else "" for n in frame["number"]]
    note = ("Personer: ændringen i antal fuldtidspersoner pr. ydelsesgruppe (negativ = færre på ydelsen). "
            "Beregnede linjer: " + "; ".join(v.split(": ", 1)[1] for k, v in BASIS_LABEL.items() if k != "typed")
            + "; de øvrige er indtastede beløb"
            + ". Break-even: de fuldtidspersoner, der skal ud af forslagets ydelsesgruppe i investeringens største år, "
            "for at investeringen betaler sig selv (investering ÷ nettoudgift pr. fuldtidsperson). Tjent hjem: det "
            f"første år, hvor den samlede effekt fra {cat.years[0]} er en besparelse. " + certainty_note())
    return '<div class="st-econ">' + table_html(body, number, f"Forslagenes økonomi – personer, break-even og forventet effekt i {year} "
                                    "(1.000 kr.)", source=source, note=note, row_classes=classes,
                      header_groups=[("", 6), (f"Effekt {year} efter sikkerhed", 4)],
                      first_column_header="Forslag") + "</div>"


def coverage_sentence(frame: pd.DataFrame) -> str:
    """The catalogue against the scenario potential, each amount rounded as it is quoted everywhere else
    (phrases.mio_kr); a catalogue larger than the potential, or no potential at all, is said as such."""
    from servicetjek.publish import phrases as ph

    total = frame[frame["benefit_group"] == "i_alt"].iloc[0]
    year, catalogue, gap = int(total["year"]), float(total["catalogue_kr"]), float(total["gap_kr"])
    what = "forskellen mellem budgetforudsætningerne og det gunstige scenarie"
    if round(gap / 1e5) <= 0:
        return (f"Kapitel 4's scenarier giver intet potentiale i {year} ({what}), så kataloget på ca. "
                f"{ph.mio_kr(catalogue)} går ud over det.")
    if catalogue > gap:
        return (f"Kataloget på ca. {ph.mio_kr(catalogue)} i {year} er større end potentialet på ca. {ph.mio_kr(gap)} "
                f"– {what}.")
    return (f"Kataloget dækker ca. {ph.mio_kr(catalogue)} af potentialet på ca. {ph.mio_kr(gap)} i {year} – {what}.")


def potential_table(frame: pd.DataFrame, number: int, source: str | None = None) -> str:
    names = {**group_names(), "ikke_fordelt": "Ikke fordelt på ydelsesgrupper", "i_alt": "I alt"}
    year = int(frame["year"].iloc[0])
    body = pd.DataFrame({
        "": [names.get(g, g) for g in frame["benefit_group"]],
        "Budget": [_n(v) for v in frame["budget"]],
        "Gunstigt scenarie": [_n(v) for v in frame["favourable"]],
        "Potentiale, personer": [fmt.number(v) for v in frame["gap_persons"]],
        "Potentiale, mio. kr.": [fmt.number(v / 1e6, 1) for v in frame["gap_kr"]],
        "Kataloget, personer": [fmt.number(v) for v in frame["catalogue_persons"]],
        "Kataloget, mio. kr.": [fmt.number(v / 1e6, 1) for v in frame["catalogue_kr"]],
        "Rest, mio. kr.": [fmt.number(v / 1e6, 1) for v in frame["rest_kr"]],
    })
    classes = ["total" if g == "i_alt" else "" for g in frame["benefit_group"]]
    note = (f"Fuldtidspersoner i {year}. Potentiale = budgetforudsætning − gunstigt scenarie (kapitel 4) gange "
            "nettoudgiften pr. fuldtidsperson; kataloget = de forslag, der indgår i totalen (færre på en ydelse er "
            "positivt); rest = potentiale − kataloget. Beløb, der ikke hviler på en ydelsesgruppe (indtastede beløb "
            "og investeringer), står i rækken 'Ikke fordelt'. Summen af potentialet er kapitel 4's potentiale; "
            "CSV-filen har beløbene i kr.")
    return ('<div class="st-econ">' + table_html(body, number, f"Kataloget og potentialet i {year} pr. ydelsesgruppe", source=source,
                       note=note, row_classes=classes, first_column_header="Ydelsesgruppe") + "</div>"
            + f'<p class="st-text">{esc(coverage_sentence(frame))}</p>')


def invest_or_cut_table(cat: Catalogue, frame: pd.DataFrame, number: int, source: str | None = None) -> str:
    year = cat.years[-1]
    names = group_names()
    body = pd.DataFrame({
        "": [f"Forslag {int(r.number)}. {r.label}" for r in frame.itertuples()],
        "Art": [r.kind for r in frame.itertuples()],
        "Investering i alt": [fmt.thousand_kr(v) if v else "" for v in frame["investment_1000kr"]],
        "Besparelse, der tabes uden investeringen": [_n(v) for v in frame["saving_lost_1000kr"]],
        f"Besparelse {year}": [fmt.thousand_kr(v) for v in frame["saving_1000kr"]],
        f"Effekt på personer {year}": [r.persons_text or "ikke opgjort" for r in frame.itertuples()],
        "Svarer til fuldtidspersoner": [f"{_n(r.persons_equivalent)} ({names.get(r.group, r.group)})"
                                        if isinstance(r.group, str) and not pd.isna(r.persons_equivalent) else ""
                                        for r in frame.itertuples()],
    })
    note = ("For en investering: den besparelse (alle år), der ikke opnås, hvis investeringen ikke foretages. For en "
            "besparelse: forslagets effekt på antallet af fuldtidspersoner; 'svarer til' er det antal fuldtidspersoner "
            "på ydelsesgruppen, hvis nettoudgift svarer til besparelsen – bliver så mange flere på ydelsen, er "
            "besparelsen tabt. Beløb i 1.000 kr.")
    return '<div class="st-econ">' + table_html(body, number, "Investér eller spar – hvad hvert forslag betyder for personer og besparelser",
                      source=source, note=note, first_column_header="Forslag") + "</div>"
