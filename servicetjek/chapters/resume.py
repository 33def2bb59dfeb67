"""The Resume: a summary of every chapter that declares a Resume heading, written from the values the
chapters publish (chapters/values.py), so no number is computed twice."""

from __future__ import annotations

from servicetjek.publish import formatting as fmt


def status_sentences(values: dict, kommune: str, chapter) -> list[str]:
    st = values.get("status") or {}
    total = st.get("i_alt")
    if not total:
        return []
    span = st["years"]        # the status years (the extracts may reach further back)
    years = [int(span["first"]), int(span["previous"]), int(span["last"])]
    last, prev, first = total[years[-1]], total[years[-2]], total[years[0]]
    word = "steget" if last >= prev else "faldet"
    out = [f"I {years[-1]} modtog gennemsnitligt {fmt.number(last)} fuldtidspersoner offentlig "
           f"forsørgelsesydelse i {kommune} Kommune. Antallet er {word} med {fmt.number(abs(last - prev))} "
           f"fuldtidspersoner ({fmt.change(st['change_latest']['i_alt'], 1)}) fra {years[-2]} til {years[-1]}."]
    if years[0] != years[1]:
        out.append(f"Over hele perioden {years[0]}–{years[-1]} er antallet "
                   f"{'steget' if last >= first else 'faldet'} med {fmt.number(abs(last - first))} "
                   f"fuldtidspersoner ({fmt.change(st['change']['i_alt'], 1)}).")
    if "foertidspension" in st:
        active = last - st["foertidspension"][years[-1]]
        out.append(f"Heraf er ca. {fmt.number(round(active, -2))} i målgruppen for en aktiv "
                   "beskæftigelsesindsats (alle ydelsesgrupper undtagen førtidspension).")
    return out


def longrun_sentences(values: dict, kommune: str, chapter) -> list[str]:
    lr = values.get("longrun") or {}
    if lr.get("gap_persons", 0) <= 0:
        return []
    return [f"Havde udviklingen siden {lr['start']} fulgt det nære arbejdsmarked, ville der i "
            f"{lr['year']} have været ca. {fmt.number(lr['gap_persons'])} færre fuldtidspersoner på ydelse."]


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
    return [f"Scenarierne for den fremtidige udvikling viser et potentiale på ca. "
            f"{fmt.number(sc['potential_persons'])} fuldtidspersoner i {sc['last_year']} i forhold til kommunens "
            f"budgetforudsætninger, svarende til ca. {fmt.mio_kr(sc['potential_kr'], 1)}"]


def unit_cost_sentences(values: dict, kommune: str, chapter) -> list[str]:
    uc = values.get("unit_costs") or {}
    row = next((r for r in ("samlet", "i_alt", "total") if r in uc.get("kommune", {})), None)
    if row is None or uc.get("mean", {}).get(row) is None:
        return []
    own, mean = uc["kommune"][row], uc["mean"][row]
    dev = uc.get("deviation", {}).get(row)
    dev = own / mean - 1 if dev is None else dev
    word = "lavere" if dev < 0 else "højere"
    return [f"{kommune} Kommune brugte {fmt.number(round(own * 1000, -2))} kr. pr. fuldtidsperson i målgrupperne for "
            f"beskæftigelsesindsatsen mod gennemsnitligt {fmt.number(round(mean * 1000, -2))} kr. i de sammenlignede "
            f"jobcentre, dvs. {fmt.number(abs(dev) * 100, 0)} pct. {word} enhedsomkostninger."]


def catalogue_sentences(values: dict, kommune: str, chapter) -> list[str]:
    cat = values.get("catalogue") or {}
    count = cat.get("count")
    totals = {str(y): v for y, v in (cat.get("total") or {}).items() if y != "sum"}
    if not count or not totals:
        return []
    years = [y for y in sorted(totals) if totals[y]] or sorted(totals)
    amounts = ", ".join(f"{fmt.number(totals[y])} i {y}" for y in years)
    amounts = " og".join(amounts.rsplit(",", 1)) if len(years) > 1 else amounts
    return [f"Kataloget i kapitel {chapter.number} rummer {count} forslag til optimering af effekter og indsats.",
            f"Samlet har forslagene en økonomisk effekt på {amounts} (1.000 kr.; et negativt beløb er "
            "en besparelse)."]


# Which sentences a published root contributes, in this order within its chapter's section.
SENTENCES = {
    "status": status_sentences,
    "longrun": longrun_sentences,
    "benchmark": benchmark_sentences,
    "scenario": scenario_sentences,
    "unit_costs": unit_cost_sentences,
    "catalogue": catalogue_sentences,
}


def resume_sections(values: dict, report, kommune: str) -> list[tuple[str, list[str]]]:
    """[(heading, sentences)] for every chapter with a Resume heading, in the report's order."""
    out = []
    for chapter in report.chapters:
        if not chapter.decl.resume:
            continue
        sentences = [s for root in chapter.decl.publishes if root in SENTENCES
                     for s in SENTENCES[root](values, kommune, chapter)]
        if sentences:
            out.append((chapter.decl.resume, sentences))
    return out
