"""Chapter 5's analysis in words, from Tabel 3–5 and Figur 4–6 (the reference report's chapter 5):

- what the municipality spends, for how many, and the konto 5 / konto 6 split (Tabel 3);
- the unit cost against the other jobcentres' mean, its rank, and what the municipality would spend at the
  mean (Tabel 4);
- which target groups lie above or below the mean (Figur 4);
- how the composition of costs differs (Figur 5);
- exit rates by group and for the aggregates (KTH i alt, UDH i alt) against the klynge (Tabel 5);
- the reading of the cost-against-effect figure (Figur 6), with the same "tæt på" band as Tabel 5's reading.

Words, counts, ranks and amounts from publish/phrases.py.
"""

from __future__ import annotations

import math

from servicetjek.chapters.costs import CostKeyFigures
from servicetjek.publish import formatting as fmt
from servicetjek.publish import phrases as ph


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _groups(labels: list[str]) -> str:
    return ph.join([ph.lower_first(x) for x in labels])


def _rate(value: float) -> str:
    """An exit rate (already in percent) in running text: '7,0 pct.'."""
    return f"{fmt.number(value, 1)} pct."


def intro_sentences(kf: CostKeyFigures, ch) -> list[str]:
    others = ph.count(kf.jobcentres - 1, "andet jobcenter", "andre jobcentre")
    return [f"I analysen er {kf.kommune} Kommunes ressourceforbrug til beskæftigelsesindsats sammenlignet med "
            f"{others}. Sammenligningen omfatter de samlede udgifter til beskæftigelsesindsats for "
            "ydelsesmodtagere – både jobcenteradministration og beskæftigelsesrettede tilbud."]


def total_sentences(kf: CostKeyFigures, ch) -> list[str]:
    return [
        f"{kf.kommune} Kommune anvendte i {kf.year} samlet ca. {ph.mio_kr(kf.total_1000kr * 1000)} til "
        f"beskæftigelsesindsats for de {fmt.number(kf.persons)} fuldtidspersoner, der var på offentlig forsørgelse "
        f"og i målgruppen for en beskæftigelsesrettet indsats, jf. tabel {ch.table_number('cost_totals')}.",
        f"{ph.cap(ph.percent(kf.konto5_share / 100))} af udgifterne går til beskæftigelsestilbud og følgeudgifter "
        f"på konto 5, mens {ph.percent(kf.konto6_share / 100)} vedrører sagsbehandling, virksomhedsservice, "
        "administration og ledelse, som finansieres under hovedkonto 6 og er serviceudgifter.",
    ]


def unit_rank(kf: CostKeyFigures) -> str:
    """'de fjerdelaveste enhedsomkostninger af de 13 jobcentre' (counted from the side the municipality is on)."""
    if kf.unit_deviation < 0 or kf.unit_rank == 1:
        word = ph.rank(kf.unit_rank, "laveste", "de")
    else:
        word = ph.rank(kf.jobcentres - kf.unit_rank + 1, "højeste", "de")
    return f"{word} enhedsomkostninger af de {fmt.number(kf.jobcentres)} jobcentre i sammenligningen"


def unit_sentences(kf: CostKeyFigures, ch) -> list[str]:
    """[0] before Tabel 4 (slot 'unit'), the rest after it, with Figur 4 (slot 'unit_groups')."""
    dev = kf.unit_deviation / 100
    others = ph.count(kf.jobcentres - 1, "andet jobcenter", "andre jobcentre")
    mean = "et gennemsnit i " + others if kf.jobcentres > 2 else others
    word = ph.compare(dev, "højere end", "lavere end", "på niveau med")
    amount = "" if word.startswith("på") else ph.percent(abs(dev)) + " "
    first = (f"{kf.kommune} har i {kf.year} en gennemsnitlig udgift på {ph.kr(kf.unit_total * 1000)} pr. "
             f"fuldtidsperson på tværs af alle ydelser mod {mean} på {ph.kr(kf.unit_mean * 1000)}, "
             f"jf. tabel {ch.table_number('cost_unit')}. Det svarer til, at enhedsomkostningerne i {kf.kommune} "
             f"er {amount}{word} gennemsnittet. {kf.kommune} har {unit_rank(kf)}.")
    extra = (kf.unit_mean - kf.unit_total) * kf.persons * 1000      # kr. at the mean unit cost
    out = [first]
    if not ph.is_unchanged(dev):
        more = "merudgift" if extra > 0 else "mindreudgift"
        out.append(f"Havde {kf.kommune} haft enhedsomkostninger på niveau med gennemsnittet, ville det svare til "
                   f"en {more} på ca. {ph.mio_kr(abs(extra))} om året.")
    figure = f"jf. figur {ch.figure_number('cost_deviation')}"
    if kf.unit_deviation < 0 and kf.above_mean:
        out.append(f"Kun for {_groups(kf.above_mean)} har {kf.kommune} højere enhedsomkostninger end "
                   f"gennemsnittet, {figure}.")
    elif kf.unit_deviation >= 0 and kf.below_mean:
        out.append(f"Kun for {_groups(kf.below_mean)} har {kf.kommune} lavere enhedsomkostninger end "
                   f"gennemsnittet, {figure}.")
    elif kf.unit_deviation < 0:
        out.append(f"{kf.kommune} har lavere enhedsomkostninger end gennemsnittet for alle målgrupper, {figure}.")
    else:
        out.append(f"{kf.kommune} har højere enhedsomkostninger end gennemsnittet for alle målgrupper, {figure}.")
    if kf.far_below_mean:
        out.append(f"Markant lavere enhedsomkostninger end gennemsnittet ses for {_groups(kf.far_below_mean)}.")
    if kf.far_above_mean:          # the same reading the other way (a municipality above the mean)
        out.append(f"Markant højere enhedsomkostninger end gennemsnittet ses for {_groups(kf.far_above_mean)}.")
    return out


def composition_sentences(kf: CostKeyFigures, ch) -> list[str]:
    comp = kf.composition
    figure = f"jf. figur {ch.figure_number('cost_composition')}"
    out = []
    for activity, what in (("kontaktforloeb", "kontaktforløb og sagsbehandling"), ("tilbud", "beskæftigelsestilbud")):
        if activity not in comp:
            continue
        share, diff = comp[activity]
        text = f"{kf.kommune} anvender {ph.percent(share / 100)} af de samlede ressourcer på {what}"
        if not _nan(diff):
            if abs(round(diff)) == 0:
                text += ", på niveau med de øvrige jobcentre"
            else:
                text += (f"; andelen ligger {ph.points(abs(diff))} {'over' if diff > 0 else 'under'} "
                         "de øvrige jobcentre")
        out.append(f"{text}, {figure}.")
    return out


def exit_sentences(kf: CostKeyFigures, ch) -> list[str]:
    table = f"jf. tabel {ch.table_number('exit_rates')}"
    out = []
    if kf.exit_better:
        out.append(f"{kf.kommune} har højere afgangsrater til job og uddannelse end klyngen for "
                   f"{_groups(kf.exit_better)}, {table}.")
    if kf.exit_worse:
        out.append(f"Afgangsraterne er lavere end i klyngen for {_groups(kf.exit_worse)}.")
    if kf.exit_level:
        out.append(f"For {_groups(kf.exit_level)} ligger afgangsraterne tæt på klyngens "
                   f"(inden for {ph.percent(ph.CLOSE_WITHIN)} af klyngens afgangsrate).")
    by_word: dict[str, list[str]] = {}
    for label, (own, klynge) in kf.aggregates.items():
        if _nan(own) or _nan(klynge) or not klynge:
            continue
        word = ph.level(own / klynge - 1, "højere end", "lavere end", "tæt på")
        name = "alle målgrupper" if label.lower() == "i alt" else ph.lower_first(label)
        by_word.setdefault(word, []).append(f"{name} ({_rate(own)} mod {_rate(klynge)})")
    # one sentence for the aggregate rows ("Samlet set …" twice in a row read as a stutter)
    clauses = []
    for word, items in by_word.items():
        verb = "ligger" if word == "tæt på" else "er"
        what = "tæt på klyngens" if word == "tæt på" else f"{word} i klyngen"
        # main clause inverted ("er afgangsraten"), the "mens" clause straight ("mens den er")
        reading = f"{verb} afgangsraten {what}" if not clauses else f"den {verb} {what}"
        clauses.append(f"{reading} for {ph.join(items)}")
    if clauses:
        out.append(f"I tabellens nederste rækker {', mens '.join(clauses)}, jf. tabel {ch.table_number('exit_rates')}.")
    return out


def bubble_sentences(kf: CostKeyFigures, ch) -> list[str]:
    q = kf.quadrants
    figure = f"jf. figur {ch.figure_number('cost_vs_effect')}"
    out = []
    if q.get("lav_omkostning_hoej_afgang"):
        out.append(f"Høj omkostningseffektivitet – højere afgangsrater end klyngen med færre ressourcer end de "
                   f"øvrige jobcentre – ses for {_groups(q['lav_omkostning_hoej_afgang'])}, {figure}.")
    if q.get("hoej_omkostning_hoej_afgang"):
        out.append(f"For {_groups(q['hoej_omkostning_hoej_afgang'])} bruger {kf.kommune} flere ressourcer end "
                   "gennemsnittet og opnår samtidig højere afgangsrater end klyngen.")
    if q.get("lav_omkostning_lav_afgang"):
        out.append(f"For {_groups(q['lav_omkostning_lav_afgang'])} er afgangsraterne lavere end i klyngen, samtidig "
                   "med at der anvendes færre ressourcer på indsatsen.")
    if q.get("hoej_omkostning_lav_afgang"):
        out.append(f"For {_groups(q['hoej_omkostning_lav_afgang'])} er udgifterne relativt høje, mens "
                   "afgangsraterne er lavere end i klyngen.")
    level = kf.bubble_level
    if level.get("lav"):
        out.append(f"For {_groups(level['lav'])} ligger afgangsraterne tæt på klyngens med færre ressourcer end "
                   "gennemsnittet.")
    if level.get("hoej"):
        out.append(f"For {_groups(level['hoej'])} ligger afgangsraterne tæt på klyngens, mens ressourceforbruget "
                   "er højere end gennemsnittet.")
    return out


def key_sentences(kf: CostKeyFigures, ch) -> dict[str, list[str]]:
    unit = unit_sentences(kf, ch)
    return {"intro": intro_sentences(kf, ch), "totals": total_sentences(kf, ch), "unit": unit[:1],
            "unit_groups": unit[1:],
            "composition": composition_sentences(kf, ch), "exit": exit_sentences(kf, ch),
            "bubble": bubble_sentences(kf, ch)}
