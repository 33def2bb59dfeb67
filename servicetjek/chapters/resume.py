"""The Resume: a summary of every chapter that declares a Resume heading, written from the values the
chapters publish (chapters/values.py), so no number is computed twice, and with the chapters' own phrases
(publish/phrases.py: the same words, the same rounding, the same "tæt på" band)."""

from __future__ import annotations

from servicetjek.chapters.status_text import drivers, listed
from servicetjek.publish import formatting as fmt
from servicetjek.publish import phrases as ph


def _ref(chapter, table: str | None = None, figure: str | None = None) -> str:
    """'jf. tabel 2' / 'jf. figur 1' with the declared numbers; '' when the chapter doesn't show it."""
    if table and table in chapter.decl.tables:
        return f", jf. tabel {chapter.table_number(table)}"
    if figure and figure in chapter.decl.figures:
        return f", jf. figur {chapter.figure_number(figure)}"
    return ""


def status_sentences(values: dict, kommune: str, chapter) -> list[str]:
    st = values.get("status") or {}
    total = st.get("i_alt")
    if not total:
        return []
    span = st["years"]        # the status years (the extracts may reach further back)
    years = [int(span["first"]), int(span["previous"]), int(span["last"])]
    last, prev, first = total[years[-1]], total[years[-2]], total[years[0]]
    latest = st["change_latest"]["i_alt"]
    word = ph.direction(latest)
    change = "stort set uændret" if word == "uændret" else (
        f"{word} med {ph.persons(abs(last - prev))} ({ph.percent(abs(latest), 1)})")
    out = [f"I {years[-1]} modtog gennemsnitligt {fmt.number(last)} fuldtidspersoner offentlig "
           f"forsørgelsesydelse i {kommune} Kommune. Antallet er {change} fra {years[-2]} til {years[-1]}"
           f"{_ref(chapter, 'status_development')}."]
    labels = st.get("label") or {}
    persons = {labels.get(g, g): v for g, v in (st.get("change_latest_persons") or {}).items()
               if g in labels and g != "i_alt" and "/" not in g}
    up, _ = drivers(persons, last - prev)
    if up and word != "uændret":
        out.append(f"{'Stigningen' if latest > 0 else 'Faldet'} skyldes især "
                   f"{listed(up, 'flere på' if latest > 0 else 'færre på')}.")
    if years[0] != years[1]:
        period = st["change"]["i_alt"]
        pword = ph.direction(period)
        out.append(f"Over hele perioden {years[0]}–{years[-1]} er antallet "
                   + ("stort set uændret." if pword == "uændret" else
                      f"{pword} med {ph.persons(abs(last - first))} ({ph.percent(abs(period), 1)})."))
    if "foertidspension" in st:
        active = last - st["foertidspension"][years[-1]]
        out.append(f"Af de {fmt.number(last)} fuldtidspersoner i {years[-1]} er ca. "
                   f"{fmt.number(fmt.round_to(active, 100))} i målgruppen for en aktiv "
                   "beskæftigelsesindsats (alle ydelsesgrupper undtagen førtidspension).")
    return out + share_sentences(st, kommune, chapter)


def share_sentences(st: dict, kommune: str, chapter) -> list[str]:
    """The share against each comparison group, as Tabel 1 prints it."""
    gaps = st.get("share_gap") or {}
    own = (st.get("share") or {}).get("kommune", {}).get("i_alt")
    if own is None or not gaps:
        return []
    parts = []
    for role, gap in gaps.items():
        diff = gap["i_alt"]
        word = "på niveau med" if abs(diff) < 0.05 else (
            f"{fmt.pct_points(abs(diff))} procentpoint {'højere' if diff > 0 else 'lavere'} end i")
        parts.append(f"{word} {ph.definite(role)}")
    return [f"Andelen af befolkningen mellem 16 og 64 år på offentlig forsørgelse er {fmt.pct_points(own)} pct. i "
            f"{kommune} – {ph.join(parts)}{_ref(chapter, 'status_shares')}."]


def longrun_sentences(values: dict, kommune: str, chapter) -> list[str]:
    lr = values.get("longrun") or {}
    gap = lr.get("gap_persons", 0)
    group = lr.get("group", "sammenligningsgruppen")
    ref = _ref(chapter, figure="status_longrun")
    if round(gap) > 0:
        return [f"Havde udviklingen siden {lr['start']} fulgt {group}, ville der i {lr['year']} have været ca. "
                f"{fmt.number(gap)} færre fuldtidspersoner på ydelse, svarende til en mindreudgift på ca. "
                f"{ph.mio_kr(lr['gap_kr'])}{ref}."]
    if round(gap) < 0:
        return [f"Udviklingen siden {lr['start']} har været mere gunstig end i {group}: der var i {lr['year']} "
                f"ca. {fmt.number(-gap)} færre fuldtidspersoner på ydelse, end hvis {kommune} havde fulgt {group}{ref}."]
    return []


def benchmark_sentences(values: dict, kommune: str, chapter) -> list[str]:
    bm = values.get("benchmark")
    if not bm:
        return []
    word = "flere" if bm["forskel"] > 0 else "færre"
    out = (f"I STAR's benchmark for {bm['period_label']} havde {kommune} {fmt.number(bm['faktisk'])} helårspersoner "
           f"på offentlig forsørgelse, {fmt.number(abs(bm['forskel']))} {word} end forventet ud fra rammevilkårene "
           f"({fmt.signed(bm['forskel_pp'], 2)} procentpoint), og var nr. {bm['placering']} af {bm['count']} kommuner")
    if "previous_placering" in bm:
        out += f" (forrige opgørelse: nr. {bm['previous_placering']})"
    return [out + "."]


def scenario_sentences(values: dict, kommune: str, chapter) -> list[str]:
    sc = values.get("scenario")
    if not sc:
        return []
    persons = sc["potential_persons"]
    ref = _ref(chapter, "scenario_potential")
    if round(persons) <= 0:
        return [f"Scenarierne for den fremtidige udvikling viser intet potentiale i {sc['last_year']} i forhold til "
                f"kommunens budgetforudsætninger{ref}."]
    return [f"Scenarierne for den fremtidige udvikling viser et potentiale på ca. {fmt.number(persons)} "
            f"fuldtidspersoner i {sc['last_year']} i forhold til kommunens budgetforudsætninger, svarende til ca. "
            f"{ph.mio_kr(sc['potential_kr'])}{ref}."]


def unit_cost_sentences(values: dict, kommune: str, chapter) -> list[str]:
    uc = values.get("unit_costs") or {}
    row = next((r for r in ("samlet", "i_alt", "total") if r in uc.get("kommune", {})), None)
    if row is None or uc.get("mean", {}).get(row) is None:
        return []
    own, mean = uc["kommune"][row], uc["mean"][row]
    dev = uc.get("deviation", {}).get(row)
    dev = own / mean - 1 if dev is None else dev
    word = ph.compare(dev, "højere", "lavere", "")
    level = f"dvs. {ph.percent(abs(dev))} {word} enhedsomkostninger" if word else "dvs. enhedsomkostninger på niveau"
    out = [f"{kommune} Kommune brugte {ph.kr(own * 1000)} pr. fuldtidsperson i målgrupperne for "
           f"beskæftigelsesindsatsen mod gennemsnitligt {ph.kr(mean * 1000)} i de sammenlignede jobcentre, "
           f"{level}{_ref(chapter, 'cost_unit')}."]
    if "rank" in uc and "jobcentres" in uc:
        side = ph.rank(uc["rank"], "laveste", "de") if dev < 0 else ph.rank(uc["rank_high"], "højeste", "de")
        out.append(f"Det er {side} enhedsomkostninger af de {fmt.number(uc['jobcentres'])} jobcentre.")
    persons = (values.get("resources") or {}).get("persons")
    if persons and word:
        extra = (mean - own) * persons * 1000
        out.append(f"Med enhedsomkostninger på niveau med gennemsnittet ville udgiften være ca. "
                   f"{ph.mio_kr(abs(extra))} {'højere' if extra > 0 else 'lavere'} om året.")
    return out


def exit_rate_sentences(values: dict, kommune: str, chapter) -> list[str]:
    """How many target groups have exit rates above, below or close to the klynge's (the chapter's band)."""
    ex = values.get("exit_rates") or {}
    dev = ex.get("deviation") or {}
    groups = [g for g in dev if g in (ex.get("kommune") or {})]
    aggregates = {"i_alt", "syg_jobafklaring", "udh_i_alt", "kth_i_alt"}
    words = [ph.level(dev[g], "højere", "lavere", "tæt på") for g in groups if g not in aggregates]
    if not words:
        return []
    high, low, close = (words.count(w) for w in ("højere", "lavere", "tæt på"))
    items = []
    if high:
        items.append(f"højere end i klyngen for {ph.count(high, 'målgruppe', 'målgrupper')}")
    if low:
        items.append(f"lavere{'' if high else ' end i klyngen'} for {ph.count(low, 'målgruppe', 'målgrupper')}")
    if close:
        items.append(f"tæt på klyngens for {ph.count(close, 'målgruppe', 'målgrupper')}")
    text = f"Afgangsraterne til job og uddannelse er {ph.join(items)}"
    return [text + f"{_ref(chapter, 'exit_rates')}."]


def catalogue_sentences(values: dict, kommune: str, chapter) -> list[str]:
    cat = values.get("catalogue") or {}
    count = cat.get("count")
    totals = {str(y): v for y, v in (cat.get("total") or {}).items() if y != "sum"}
    if not count or not totals:
        return []
    years = [y for y in sorted(totals) if totals[y]] or sorted(totals)
    return [f"Kataloget i kapitel {chapter.number} rummer {ph.count(count, 'forslag', 'forslag')} til optimering "
            "af effekter og indsats.",
            f"Samlet giver forslagene {_net_effects({y: totals[y] for y in years})}."]


def _net_effects(totals: dict) -> str:
    """{year: 1.000 kr.} in words, as the catalogue's text quotes amounts: 'en nettoudgift på 1,0 mio. kr. i 2020,
    en nettobesparelse på 17,5 mio. kr. i 2021 og 53 mio. kr. i 2022' (a word said once for a run of years)."""
    parts, last = [], None
    for year, amount in totals.items():
        word = ph.compare(amount, "en nettoudgift på", "en nettobesparelse på", "ingen nettoeffekt")
        amount_text = "" if word == "ingen nettoeffekt" else f" {ph.mio_kr(abs(amount) * 1000)}"
        parts.append(f"{'' if word == last and amount_text else word}{amount_text} i {year}".strip())
        last = word
    return ph.join(parts)


# Which sentences a published root contributes, in this order within its chapter's section.
SENTENCES = {
    "status": status_sentences,
    "longrun": longrun_sentences,
    "benchmark": benchmark_sentences,
    "scenario": scenario_sentences,
    "unit_costs": unit_cost_sentences,
    "exit_rates": exit_rate_sentences,
    "catalogue": catalogue_sentences,
}


def resume_sections(values: dict, report, kommune: str) -> list[tuple[str, list[str]]]:
    """[(heading, sentences)] for every chapter with a Resume heading, in the report's order; a sentence
    quoting values that rest on constructed inputs carries the mark."""
    from servicetjek.publish.placeholders import MARKED
    from servicetjek.publish.provenance import mark_last_number

    marked = values.get(MARKED, ())
    out = []
    for chapter in report.chapters:
        if not chapter.decl.resume:
            continue
        sentences = [mark_last_number(s) if root in marked else s
                     for root in chapter.decl.publishes if root in SENTENCES
                     for s in SENTENCES[root](values, kommune, chapter)]
        if sentences:
            out.append((chapter.decl.resume, sentences))
    return out
