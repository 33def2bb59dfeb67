"""The benchmark chapter as the reader sees it: three tables, the rank figure and the key sentences."""

from __future__ import annotations

import math

import pandas as pd

from servicetjek.chapters.benchmark import BenchmarkFigures, period_key, period_label
from servicetjek.publish import formatting as fmt
from servicetjek.publish import phrases as ph
from servicetjek.publish import style
from servicetjek.publish.report import figure_html, table_html


def _pp(value: float) -> str:
    return fmt.signed(value, 2) if not pd.isna(value) else "-"


def latest_table(table: pd.DataFrame, number: int, kf: BenchmarkFigures, source: str, note: str | None = None) -> str:
    body = pd.DataFrame({
        "": table["label"],
        "Forventet": [fmt.number(v) for v in table["forventet"]],
        "Faktisk": [fmt.number(v) for v in table["faktisk"]],
        "Forskel": [fmt.signed(v) for v in table["forskel"]],
        "Forventet ": [fmt.number(v, 2) for v in table["forventet_andel"]],
        "Faktisk ": [fmt.number(v, 2) for v in table["faktisk_andel"]],
        "Forskel, pct.-point": [_pp(v) for v in table["forskel_pp"]],
        "Forskel, mio. kr.": [fmt.signed(v / 1e6, 1) for v in table["forskel_kr"]],
    })
    groups = [("", 1), ("Helårspersoner", 3), ("Andel af befolkningen, pct.", 3), ("", 1)]
    classes = ["total" if g == "i_alt" else "sub" for g in table["group"]]
    return table_html(body, number, f"Faktisk og forventet antal og andel på offentlig forsørgelse i {kf.kommune}, "
                      f"{kf.period_label}", source=source, note=note, header_groups=groups, row_classes=classes)


def comparison_table(table: pd.DataFrame, number: int, kf: BenchmarkFigures, source: str,
                     note: str | None = None) -> str:
    median = table["area"].str.endswith(", median")
    body = pd.DataFrame({
        "": table["area"],
        "Placering": [fmt.number(v, 0 if float(v).is_integer() else 1) for v in table["placering"]],
        "Forventet andel": [fmt.number(v, 2) for v in table["forventet_andel"]],
        "Faktisk andel": [fmt.number(v, 2) for v in table["faktisk_andel"]],
        "Forskel, pct.-point": [_pp(v) for v in table["forskel_pp"]],
        "Forskel, helårspersoner": [fmt.signed(v) for v in table["forskel"]],
    })
    classes = ["total" if a == kf.kommune else "sub" if m else "" for a, m in zip(table["area"], median)]
    return table_html(body, number, f"Placering på STAR's benchmarkrangliste blandt {kf.count} kommuner, "
                      f"{kf.period_label}: {kf.kommune} og sammenligningskommunerne", source=source, note=note,
                      row_classes=classes)


def reach_table(table: pd.DataFrame, number: int, kf: BenchmarkFigures, source: str, note: str | None = None) -> str:
    body = pd.DataFrame({
        "": table["target"],
        "Forskel, pct.-point": [_pp(v) for v in table["target_pp"]],
        "Færre helårspersoner": [fmt.number(v) if v > 0 else "allerede nået" for v in table["persons"]],
        "Mio. kr. om året": [fmt.number(v / 1e6, 1) if v > 0 else "-" for v in table["kr"]],
        "Placering": [fmt.number(v) for v in table["placering"]],
    })
    return table_html(body, number, f"Hvad skal der til? Færre helårspersoner på offentlig forsørgelse i "
                      f"{kf.kommune} for at nå et mål, {kf.period_label}", source=source, note=note)


def rank_figure(history: pd.DataFrame, kommune: str):
    with style.figure() as (fig, ax):
        x = list(range(len(history)))
        count = int(history["count"].max())
        ax.axhspan(math.ceil(count / 2), count + 0.5, color=style.PALETTE[3], alpha=0.35, linewidth=0,
                   label="Nederste halvdel af ranglisten")
        ax.plot(x, history["placering"], color=style.PALETTE[0], linestyle=style.LINESTYLES[0],
                marker=style.MARKERS[0], label=kommune)
        for xi, rank in zip(x, history["placering"]):
            ax.annotate(fmt.number(rank), xy=(xi, rank), xytext=(0, 7), textcoords="offset points",
                        ha="center", fontsize=8)
        ax.set_ylim(count + 0.5, 0.5)          # nr. 1 at the top
        ax.set_xticks(x)
        ax.set_xticklabels([p.replace("QMAT", " QMAT") for p in history["period"]], fontsize=7)
        ax.set_ylabel(f"Placering (1 = bedst, {count} = dårligst)")
        style.legend_below(ax)
        return fig


def _quarter(period: str) -> str:
    """'2020QMAT04' -> '4. kvt. 2020': a caption speaks Danish, not the API's period codes."""
    year, quarter = period_key(period)
    return f"{quarter}. kvt. {year}"


def rank_block(history: pd.DataFrame, number: int, kf: BenchmarkFigures, source: str) -> str:
    first, last = history.iloc[0], history.iloc[-1]
    return figure_html(rank_figure(history, kf.kommune), number,
                       f"{kf.kommune}s placering på STAR's benchmarkrangliste, opgørelserne til og med "
                       f"{_quarter(first['period'])} til {_quarter(last['period'])}",
                       source=source,
                       note="Placering efter forskellen mellem faktisk og forventet andel på offentlig forsørgelse "
                            "(nr. 1 har færrest i forhold til det forventede). Hver periode er 12 måneder til og "
                            f"med kvartalet, f.eks. {last['period']} = {period_label(last['period'])}.",
                       alt=f"Linjediagram: {kf.kommune}s placering i hver opgørelse, fra nr. "
                           f"{int(first['placering'])} til nr. {int(last['placering'])}.")


def key_sentences(kf: BenchmarkFigures) -> list[str]:
    more = kf.forskel > 0
    out = [f"Ifølge STAR's benchmark havde {kf.kommune} Kommune i perioden {kf.period_label} "
           f"{fmt.number(kf.faktisk)} helårspersoner på offentlig forsørgelse. Det er {fmt.number(abs(kf.forskel))} "
           f"{'flere' if more else 'færre'} end de {fmt.number(kf.forventet)}, der kunne forventes ud fra "
           f"kommunens rammevilkår, svarende til {fmt.number(abs(kf.forskel_pp), 2)} procentpoint."]
    rank = f"{kf.kommune} er nr. {kf.placering} af {kf.count} kommuner på benchmarkranglisten"
    if kf.previous_placering is not None:
        moved = kf.previous_placering - kf.placering
        word = ("en fremgang" if moved > 0 else "en tilbagegang") + f" på {abs(moved)} plads{'er' if abs(moved) != 1 else ''}"
        rank += (f", {word} fra nr. {kf.previous_placering} i den forrige opgørelse ({kf.previous_label})" if moved
                 else f", den samme plads som i den forrige opgørelse ({kf.previous_label})")
    out.append(rank + ".")
    if more:
        out.append(f"Skulle {kf.kommune} have været på det forventede niveau, skulle {fmt.number(kf.reach_persons)} "
                   f"færre have været på offentlig forsørgelse, svarende til ca. {ph.mio_kr(kf.reach_kr)} "
                   "om året i nettoudgifter til forsørgelse.")
    else:
        out.append(f"{kf.kommune} har dermed færre på offentlig forsørgelse end forventet; forskellen svarer til "
                   f"ca. {ph.mio_kr(abs(kf.forskel_kr))} om året i nettoudgifter til forsørgelse.")
    return out
