"""Chapter 3 as the reader sees it: Tabel 1, Tabel 2, Figur 1 and the key sentences."""

from __future__ import annotations

import pandas as pd

from servicetjek.chapters.status import KeyFigures
from servicetjek.publish import formatting as fmt
from servicetjek.publish import phrases, style
from servicetjek.publish.report import figure_html, table_html


def _row_classes(frame: pd.DataFrame) -> list[str]:
    return ["total" if r == "i_alt" else "sub" if "/" in r else "" for r in frame["row_id"]]


def _label(frame: pd.DataFrame) -> list[str]:
    return [("- " if "/" in r else "") + label for r, label in zip(frame["row_id"], frame["label"])]


def shares_table(table: pd.DataFrame, number: int, year: int, source: str, note: str | None = None) -> str:
    body = pd.DataFrame({"": _label(table)})
    for column in table.columns[2:]:
        body[column] = [fmt.pct_points(v, 1) for v in table[column]]
    return table_html(body, number, f"Andel af befolkningen ml. 16-64 år, som modtager offentlig "
                      f"forsørgelsesydelse i {year}", source=source, note=note, row_classes=_row_classes(table),
                      first_column_header=str(year))


def development_table(table: pd.DataFrame, number: int, kommune: str, years: list[int], source: str,
                      note: str | None = None) -> str:
    body = pd.DataFrame({"": _label(table)})
    for year in years:
        body[str(year)] = [fmt.number(v) for v in table[str(year)]]
    total = [r == "i_alt" for r in table["row_id"]]
    compare = [c for c in table.columns if c.startswith("change_period ")]

    def changes(column):
        return [fmt.change(v, 1 if t else None) for v, t in zip(table[column], total)]

    body["Udv. i perioden"] = changes("change_period")
    body["Udv. seneste år"] = changes("change_latest")
    for column in compare:
        body[f"{column.removeprefix('change_period ')} "] = changes(column)
    groups = [("", 1), (kommune, len(years) + 2)] + [(c.removeprefix("change_period "), 1) for c in compare]
    # the comparison columns hold the period change; say so in the header row
    body.columns = list(body.columns[: len(years) + 3]) + ["Udv. i perioden" + " " * (i + 1)
                                                          for i in range(len(compare))]
    return table_html(body, number, f"Udviklingen i antallet af fuldtidspersoner, {years[0]} til {years[-1]}",
                      source=source, note=note, header_groups=groups, row_classes=_row_classes(table))


def longrun_figure(table: pd.DataFrame, kommune: str, group_name: str, kf: KeyFigures):
    """Figur 1: the municipality against the comparison group's development from the same start."""
    indexed = f"{group_name} (indekseret)"
    with style.figure() as (fig, ax):
        years = table["year"]
        ax.plot(years, table[kommune], color=style.PALETTE[0], linestyle=style.LINESTYLES[0],
                marker=style.MARKERS[0], label=kommune)
        ax.plot(years, table[indexed], color=style.PALETTE[1], linestyle=style.LINESTYLES[1],
                marker=style.MARKERS[1], label=f"{kommune} med udviklingen i {phrases.definite(kf.longrun_role)}")
        ax.fill_between(years, table[indexed], table[kommune], where=table[kommune] >= table[indexed],
                        color=style.PALETTE[3], alpha=0.6, hatch=style.HATCHES[1], edgecolor=style.PALETTE[1],
                        linewidth=0, label="Potentiale")
        last = table.iloc[-1]
        ax.annotate(f"Gab {int(last['year'])}: {fmt.number(last['gap'])} fuldtidspersoner\n≈ {phrases.mio_kr(kf.gap_kr)}",
                    xy=(last["year"], (last[kommune] + last[indexed]) / 2), xytext=(-40, 45),
                    textcoords="offset points", ha="right", va="bottom", fontsize=8,
                    arrowprops={"arrowstyle": "-", "color": style.PALETTE[1], "linewidth": 0.8})
        ax.set_xticks(list(years))
        ax.set_ylabel("Fuldtidspersoner")
        style.danish_ticks(ax)
        style.legend_below(ax)
        return fig


def longrun_block(table: pd.DataFrame, number: int, kf: KeyFigures, kommune: str, group_name: str,
                  source: str) -> str:
    fig = longrun_figure(table, kommune, group_name, kf)
    years = table["year"]
    return figure_html(fig, number, f"Udviklingen i antal fuldtidspersoner {years.iloc[0]} til {years.iloc[-1]} "
                       "– illustration af potentiale", source=source,
                       note=f"Udviklingen i {phrases.definite(kf.longrun_role)} er lagt på {kommune}s niveau i {years.iloc[0]}; "
                            "pengebeløbet er gabet gange den gennemsnitlige nettoudgift pr. fuldtidsperson "
                            "i målgruppen for aktiv indsats.")


def key_sentences(kf: KeyFigures, shares: pd.DataFrame, development: pd.DataFrame, mun, ch) -> dict[str, list[str]]:
    """The chapter's sentences, written from its tables (chapters/status_text.py), by the place they stand:
    'level' and 'shares' before Tabel 1, 'period' after Tabel 2, 'longrun' after Figur 1. `ch` is the
    declared chapter (table and figure numbers)."""
    from servicetjek.chapters import status, status_text

    in_shares = [g for g in mun.groups.groups if g.name in shares.columns]
    in_dev = [g for g in mun.groups.groups if f"change_period {g.short_name}" in development.columns]
    return {
        "level": status_text.level_sentences(kf, development, ch),
        "shares": status_text.share_sentences(kf, shares, in_shares, ch),
        "period": status_text.period_sentences(kf, development, in_dev, ch),
        "longrun": status_text.longrun_sentences(kf, status.longrun_group(mun).role,
                                                 int(mun.config.years.longrun_start), ch),
    }
