"""The follow-up report as the reader sees it: the scoreboard, the months against the paths, the
catalogue's proposals as targets, and the sentences written from them."""

from __future__ import annotations

import pandas as pd

from servicetjek.publish import formatting as fmt
from servicetjek.publish import style
from servicetjek.publish.report import figure_html, table_html

MONTH_NAMES = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
               "november", "december"]


def month_label(period: str) -> str:
    """'2021M12' -> 'december 2021'."""
    return f"{MONTH_NAMES[int(period[5:]) - 1]} {period[:4]}"


def window_label(periods: list[str], end: str) -> str:
    start = periods[periods.index(end) - 11]
    return f"{month_label(start)} – {month_label(end)}"


def _list(numbers: list[int]) -> str:
    text = [str(n) for n in numbers]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " og " + text[-1]


# ------------------------------------------------------------------ scoreboard
def scoreboard_table(sb: pd.DataFrame, number: int, kommune: str, window: str, source: str) -> str:
    body = pd.DataFrame({
        "Mål": [f"{n}. {g}" for n, g in zip(sb["number"], sb["goal"])],
        "God retning": ["fald" if g == "ned" else "stigning" for g in sb["good"]],
        f"{kommune} (pct.)": [fmt.pct_points(v, 2) for v in sb["share_kommune"]],
        "Landsplan (pct.)": [fmt.pct_points(v, 2) for v in sb["share_land"]],
        f"Udv. {kommune}": [fmt.percent(v, 1, sign=True) for v in sb["development_kommune"]],
        "Udv. landsplan": [fmt.percent(v, 1, sign=True) for v in sb["development_land"]],
        "Afvigelse (pct.-point)": [fmt.signed(v, 1) for v in sb["deviation_pp"]],
        "Vurdering": ["bedre" if p > 0 else "dårligere" for p in sb["performance"]],
        "Retning mod forrige måned": list(sb["direction"]),
    })
    return table_html(body, number, f"Beskæftigelsesplanens mål: {kommune} mod landsplan, seneste 12 måneder "
                      f"({window})", source=source, first_column_header="Mål",
                      note="Andel: fuldtidspersoner i pct. af befolkningen 16-64 år, gennemsnit over 12 måneder. "
                           "Udv.: de seneste 12 måneder mod de 12 måneder før. Afvigelse: kommunens udvikling minus "
                           "landsplans, i procentpoint. Vurdering ud fra målets gode retning. Retning: om "
                           "afvigelsen er blevet bedre eller dårligere siden opgørelsen en måned tidligere.")


def scoreboard_sentences(sb: pd.DataFrame, kommune: str, window: str) -> list[str]:
    worse = [int(n) for n, p in zip(sb["number"], sb["performance"]) if p <= 0]
    better = [int(n) for n, p in zip(sb["number"], sb["performance"]) if p > 0]
    out = [f"Skemaet viser {kommune} Kommunes udvikling på beskæftigelsesplanens {len(sb)} politiske mål over de "
           f"seneste 12 måneder ({window}) sammenholdt med landsplan, og afvigelsen i procentpoint."]
    if worse:
        out.append(f"{kommune} Kommune præsterer dårligere end landsplan på mål {_list(worse)}"
                   + (f" og bedre på mål {_list(better)}." if better else "."))
    else:
        out.append(f"{kommune} Kommune præsterer bedre end landsplan på alle mål.")
    moved = sb[sb["direction"] != "uændret"]
    if len(moved):
        up = [int(n) for n, d in zip(moved["number"], moved["direction"]) if d == "bedre"]
        down = [int(n) for n, d in zip(moved["number"], moved["direction"]) if d == "dårligere"]
        parts = ([f"forbedret på mål {_list(up)}"] if up else []) + ([f"forværret på mål {_list(down)}"] if down else [])
        out.append("Sammenlignet med opgørelsen en måned tidligere er afvigelsen " + " og ".join(parts) + ".")
    return out


# ------------------------------------------------------------------ months against the paths
def months_figure(months: pd.DataFrame, kommune: str):
    with style.figure() as (fig, ax):
        x = list(range(len(months)))
        ax.plot(x, months["actual"], color=style.PALETTE[0], linestyle=style.LINESTYLES[0], marker=style.MARKERS[0],
                markersize=3, label=f"Faktisk, {kommune}")
        ax.step(x, months["budget"], where="mid", color=style.PALETTE[1], linestyle=style.LINESTYLES[1],
                label="Budgetforudsætninger")
        ax.step(x, months["favourable"], where="mid", color=style.PALETTE[2], linestyle=style.LINESTYLES[2],
                label="Gunstigt scenarie")
        ticks = [i for i, p in enumerate(months["period"]) if p.endswith(("M01", "M07"))]
        ax.set_xticks(ticks)
        ax.set_xticklabels([month_label(months["period"].iloc[i])[:3] + ". " + months["period"].iloc[i][:4]
                            for i in ticks])
        ax.set_ylabel("Fuldtidspersoner")
        style.danish_ticks(ax)
        style.legend_below(ax)
        return fig


def months_block(months: pd.DataFrame, number: int, kommune: str, source: str) -> str:
    return figure_html(months_figure(months, kommune), number,
                       f"Fuldtidspersoner på offentlig forsørgelse måned for måned mod budget og gunstigt scenarie, "
                       f"{month_label(months['period'].iloc[0])} – {month_label(months['period'].iloc[-1])}",
                       source=source, note="Budget og gunstigt scenarie er årsniveauer fra servicetjekkets kapitel "
                                           "om scenarier; de er holdt konstante gennem året.")


def gap_table(budget_gap: pd.DataFrame, favourable_gap: pd.DataFrame, number: int, source: str) -> str:
    body = pd.DataFrame({
        "År": [f"{y} ({m} mdr.)" for y, m in zip(budget_gap["year"], budget_gap["months"])],
        "Faktisk": [fmt.number(v) for v in budget_gap["actual"]],
        "Budget": [fmt.number(v) for v in budget_gap["path"]],
        "Forskel, personer": [fmt.signed(v) for v in budget_gap["gap_persons"]],
        "Forskel, mio. kr.": [fmt.signed(v / 1e6, 1) for v in budget_gap["gap_kr"]],
        "Gunstigt scenarie": [fmt.number(v) for v in favourable_gap["path"]],
        "Forskel, personer ": [fmt.signed(v) for v in favourable_gap["gap_persons"]],
        "Forskel, mio. kr. ": [fmt.signed(v / 1e6, 1) for v in favourable_gap["gap_kr"]],
    })
    return table_html(body, number, "Faktisk antal fuldtidspersoner mod budget og gunstigt scenarie, år til dato",
                      source=source, header_groups=[("", 2), ("Mod budget", 3), ("Mod gunstigt scenarie", 3)],
                      note="Gennemsnitligt antal fuldtidspersoner i årets måneder. Forskel i kr.: forskellen pr. "
                           "ydelsesgruppe gange nettoudgiften pr. fuldtidsperson, for de måneder, der er gået. "
                           "Negativ: færre personer og lavere udgift end stien.")


def gap_sentences(budget_gap: pd.DataFrame, favourable_gap: pd.DataFrame, kommune: str) -> list[str]:
    last, fav = budget_gap.iloc[-1], favourable_gap.iloc[-1]

    def side(persons: float) -> str:
        return "under" if persons < 0 else "over"

    return [f"I {int(last['year'])} ({int(last['months'])} måneder) var der i gennemsnit "
            f"{fmt.number(last['actual'])} fuldtidspersoner på offentlig forsørgelse i {kommune} Kommune. Det er "
            f"{fmt.number(abs(last['gap_persons']))} {side(last['gap_persons'])} budgetforudsætningerne, svarende "
            f"til {fmt.mio_kr(abs(last['gap_kr']), 1)} {'mindre' if last['gap_kr'] < 0 else 'mere'} i "
            f"forsørgelsesudgifter år til dato.",
            f"Mod det gunstige scenarie er antallet {fmt.number(abs(fav['gap_persons']))} fuldtidspersoner "
            f"{side(fav['gap_persons'])} ({fmt.mio_kr(abs(fav['gap_kr']), 1)})."]


# ------------------------------------------------------------------ the catalogue as targets
def targets_table(targets: pd.DataFrame, number: int, source: str) -> str:
    body = pd.DataFrame({
        "Forslag": [f"{p}. {t}" for p, t in zip(targets["proposal"], targets["title"])],
        "Effektlinje": list(targets["line"]),
        "År": [str(y) for y in targets["year"]],
        "Forventet, personer": [fmt.signed(v) for v in targets["persons"]],
        "1.000 kr.": [fmt.number(v) for v in targets["amount_1000kr"]],
        "Alle forslag i gruppen": [fmt.signed(v) for v in targets["expected"]],
        "Faktisk mod budget": [fmt.signed(v) for v in targets["happened"]],
        "Status": list(targets["status"]),
    })
    return table_html(body, number, "Katalogets forslag som mål: effektlinjer mod udviklingen i grupperne",
                      source=source, first_column_header="Forslag",
                      note="Forventet: forslagets effekt i fuldtidspersoner i året (effektlinjen i kataloget). Alle "
                           "forslag i gruppen: summen af forslagenes linjer på samme ydelsesgruppe og år. Faktisk mod "
                           "budget: årets gennemsnit minus budgetforudsætningen for gruppen. På sporet: gruppen har "
                           "bevæget sig mindst så langt i forslagenes retning. En indikator, ikke et bevis for, at "
                           "forslagene er årsagen.")


def targets_sentences(targets: pd.DataFrame) -> list[str]:
    if targets.empty:
        return ["Ingen af katalogets effektlinjer med personer falder i de måneder, udtrækkene dækker."]
    on = targets[targets["status"] == "på sporet"]
    behind = targets[targets["status"] == "bagud"]
    out = [f"Katalogets forslag har {len(targets)} effektlinjer med personer i de år, udtrækkene dækker; "
           f"{len(on)} er på sporet og {len(behind)} bagud."]
    for label, part in (("på sporet", on), ("bagud", behind)):
        if len(part):
            kr = part["amount_1000kr"].sum()
            out.append(f"Linjerne {label} står for {fmt.mio_kr(abs(kr) * 1000, 1)} "
                       f"{'i besparelse' if kr < 0 else 'i merudgift'} i kataloget.")
    out.append("Sammenligningen er en indikator: at en gruppe har bevæget sig som forventet, viser ikke, at det "
               "skyldes forslagene; konjunkturen og andre forhold påvirker også udviklingen.")
    return out
