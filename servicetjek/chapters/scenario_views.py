"""Chapter 4 as the reader sees it: Figur 2, the paths, the potential and its sensitivity."""

from __future__ import annotations

import pandas as pd

from servicetjek.chapters.scenarios import BUDGET, FAVOURABLE, NATIONAL
from servicetjek.publish import formatting as fmt
from servicetjek.publish import style
from servicetjek.publish.report import figure_html, table_html

SCENARIOS = [BUDGET, NATIONAL, FAVOURABLE]


def paths_figure(paths: pd.DataFrame, kommune: str, band: pd.DataFrame | None = None):
    with style.figure() as (fig, ax):
        years = paths["year"]
        labels = {BUDGET: f"{kommune}s budgetforudsætninger", NATIONAL: "National prognose anvendt på kommunen",
                  FAVOURABLE: "Gunstigt scenarie (indhenter gabet)"}
        if band is not None:
            ax.fill_between(band["year"], band["low"], band["high"], color=style.PALETTE[3], alpha=0.5,
                            hatch=style.HATCHES[2], edgecolor=style.PALETTE[1], linewidth=0,
                            label="Følsomhed for gunstigt scenarie")
        shown = [name for name in SCENARIOS if name in paths]     # the public report has no budget path
        for i, name in enumerate(SCENARIOS):
            if name not in shown:
                continue
            ax.plot(years, paths[name], color=style.PALETTE[[0, 4, 2][i]], linestyle=style.LINESTYLES[i],
                    marker=style.MARKERS[i], label=labels[name])
        for name in shown:
            last = paths.iloc[-1]
            ax.annotate(fmt.number(last[name]), xy=(last["year"], last[name]), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=8)
        ax.set_xticks(list(years))
        ax.set_xlim(years.iloc[0] - 0.2, years.iloc[-1] + 0.5)
        ax.set_ylabel("Fuldtidspersoner")
        style.danish_ticks(ax)
        style.legend_below(ax)
        return fig


def paths_block(paths: pd.DataFrame, number: int, kommune: str, source: str, note: str,
                band: pd.DataFrame | None = None) -> str:
    fig = paths_figure(paths, kommune, band)
    years = paths["year"]
    return figure_html(fig, number, f"Udviklingen i det samlede antal ydelsesmodtagere fra {years.iloc[0]} til "
                       f"{years.iloc[-1]} – scenarieberegninger", source=source, note=note)


def paths_table(paths: pd.DataFrame, number: int, source: str, note: str | None = None) -> str:
    shown = [name for name in SCENARIOS if name in paths]
    body = pd.DataFrame({"Scenarie": shown})
    for _, row in paths.iterrows():
        body[str(int(row["year"]))] = [fmt.number(row[name]) for name in shown]
    return table_html(body, number, "Scenarierne for det samlede antal fuldtidspersoner", source=source,
                      note=note, first_column_header="Fuldtidspersoner")


def potential_table(potential: pd.DataFrame, number: int, source: str, note: str | None = None) -> str:
    body = pd.DataFrame({"": ["Fuldtidspersoner", "Mio. kr."]})
    for _, row in potential.iterrows():
        body[str(int(row["year"]))] = [fmt.number(row["persons"]), fmt.number(row["kr"] / 1e6, 1)]
    return table_html(body, number, "Potentiale: budgetforudsætninger minus gunstigt scenarie", source=source,
                      note=note)


def sensitivity_table(sens: pd.DataFrame, number: int, source: str, note: str | None = None) -> str:
    body = pd.DataFrame({
        "Variant": [v[:1].upper() + v[1:] for v in sens["variant"]],
        "Gunstigt scenarie": [fmt.number(v) for v in sens["favourable"]],
        "Potentiale, fuldtidspersoner": [fmt.number(v) for v in sens["persons"]],
        "Potentiale, mio. kr.": [fmt.number(v / 1e6, 1) for v in sens["kr"]],
    })
    year = int(sens["year"].iloc[0])
    return table_html(body, number, f"Følsomhed: potentialet i {year} under andre forudsætninger",
                      source=source, note=note, first_column_header="Variant")


def key_sentences(run, mun, ch, names: dict[str, str], sens: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """The chapter's sentences (chapters/scenario_text.py): 'paths' before Figur 2, 'potential' after the paths
    table. `run`: scenarios.Run; `mun`: the municipality; `ch`: the declared chapter; `names`: benefit group
    id -> label."""
    from servicetjek.chapters import scenario_text, status

    group = status.longrun_group(mun)
    return {"paths": scenario_text.path_sentences(run, (mun.name, group.role), ch, names),
            "potential": scenario_text.potential_sentences(run, ch, sens)}


def budget_block(drivers: pd.DataFrame, number, kommune: str, source: str) -> str:
    """Figur 3: the change per group from the latest actual year to the last budget year."""
    first, last = int(drivers["actual_year"].iloc[0]), int(drivers["budget_year"].iloc[0])
    shown = drivers.sort_values("change", ignore_index=True)
    with style.figure() as (fig, ax):
        colors = [style.PALETTE[0] if v >= 0 else style.PALETTE[2] for v in shown["change"]]
        ax.barh(shown["label"], shown["change"], color=colors)
        for y, value in enumerate(shown["change"]):
            ax.annotate(fmt.signed(value), xy=(value, y), xytext=(4 if value >= 0 else -4, 0),
                        textcoords="offset points", va="center", ha="left" if value >= 0 else "right", fontsize=8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(f"Ændring i fuldtidspersoner, {first}–{last}")
        style.danish_ticks(ax, axis="x")
        lo, hi = float(shown["change"].min()), float(shown["change"].max())
        pad = (hi - lo) * 0.15 or 1.0
        ax.set_xlim(min(lo, 0) - pad, max(hi, 0) + pad)
    return figure_html(fig, number, f"Budgetforudsætningerne: ændringen i fuldtidspersoner pr. ydelsesgruppe fra "
                       f"{first} (faktisk) til {last} (budget) i {kommune} Kommune", source=source,
                       note="Faktisk antal i det seneste statusår mod kommunens budgetforudsætning for det sidste "
                            "scenarieår.")
