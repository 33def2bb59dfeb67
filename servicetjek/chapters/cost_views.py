"""Chapter 5 as the reader sees it: Tabel 3-5, Figur 4-6 and the key sentences.

Takes the tables of `costs` and returns finished HTML (caption, source, note) or matplotlib
figures in the one report style. Every number is formatted by `formatting`.
"""

from __future__ import annotations

import math
from typing import Unpack

import numpy as np
import pandas as pd

from servicetjek.chapters.costs import CostKeyFigures
from servicetjek.publish import formatting as fmt
from servicetjek.publish import phrases, style
from servicetjek.publish.formatting import round_to
from servicetjek.publish.report import Footer, figure_html, table_html

# Abbreviations the reference report itself uses (Tabel 5: "KTH i alt", "UDH i alt"), for figure labels.
SHORT = [("Kontanthjælp mv. ", "KTH "), ("Uddannelseshjælp mv. ", "UDH "),
         ("Integrationsydelse under int.program ", "Integrationsydelse "),
         ("uddannelsesparat", "udd.parat"), ("aktivitetsparat", "akt.parat")]
QUADRANT_LABELS = {
    "lav_omkostning_hoej_afgang": "Gode resultater\nmed lave omkostninger",
    "hoej_omkostning_hoej_afgang": "Gode resultater\nmed høje omkostninger",
    "lav_omkostning_lav_afgang": "Svagere resultater\nmed lave omkostninger",
    "hoej_omkostning_lav_afgang": "Svagere resultater\nmed høje omkostninger",
}
ROW_CLASS = {"total": "total", "sub": "sub", "group": "", "konto": "", "aggregate": ""}


def has_comparison(table: pd.DataFrame) -> bool:
    """Does a table hold the other jobcentres' published shares (Tabel 3, Figur 5)?"""
    return "others_share_pct" in table.columns and bool(table["others_share_pct"].notna().any())


def short_label(label: str) -> str:
    for long, short in SHORT:
        label = label.replace(long, short)
    return label


def _pct(value: float, decimals: int = 1, sign: bool = False) -> str:
    """A value already in percent: 13.4 -> '13,4 %'."""
    return fmt.percent(None if _nan(value) else value / 100, decimals, sign)


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _kr(value_1000kr: float) -> str:
    """A unit cost in 1.000 kr as the text writes it, to the nearest 100 kr: 25,19 -> '25.200'."""
    return fmt.number(round_to(value_1000kr * 1000, 100))


def join(items: list[str], word: str = "og") -> str:
    """['a', 'b', 'c'] -> 'a, b og c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def lower_first(label: str) -> str:
    return label[:1].lower() + label[1:]


# ------------------------------------------------------------------ Tabel 3
def cost_totals_table(table: pd.DataFrame, number: int, kommune: str, year: int, source: str,
                      note: str | None = None) -> str:
    has_others = has_comparison(table)
    body = pd.DataFrame({"": table["label"]})
    body["Fuldtidspersoner"] = [fmt.number(v, missing="") for v in table["full_time_persons"]]
    body["Udgifter"] = [fmt.number(v) for v in table["expenses_1000kr"]]
    konto = table["row_type"] == "konto"
    body["Procent"] = [_pct(v, 0 if k else 1) for v, k in zip(table["share_pct"], konto)]
    groups = [("Udgifter målt i 1.000 kr.", 1), (kommune, 3)]
    if has_others:
        body["Procent "] = [_pct(v, 0 if k else 1) for v, k in zip(table["others_share_pct"], konto)]
        groups.append(("Øvrige jobcentre", 1))
    return table_html(body, number, f"De samlede omkostninger til beskæftigelsesindsats i {kommune} i {year}",
                      source=source, note=note, header_groups=groups,
                      row_classes=[ROW_CLASS[t] for t in table["row_type"]])


# ------------------------------------------------------------------ Tabel 4
def unit_cost_table(table: pd.DataFrame, number: int, kommune: str, year: int, layout: str,
                    **footer: Unpack[Footer]) -> str:
    """'summary': the municipality, lowest, highest, mean and deviation; 'all': every jobcentre side by side."""
    body = pd.DataFrame({"": table["label"]})
    body[kommune] = [fmt.number(v, 1) for v in table["kommune_1000kr"]]
    others = int(table["others_count"].max())
    if layout == "all":
        for column in [c for c in table.columns if c.startswith("unit_cost_1000kr_")]:
            body[column.removeprefix("unit_cost_1000kr_")] = [fmt.number(v, 1) for v in table[column]]
        body["Gennemsnit (øvrige jobcentre)"] = [fmt.number(v, 1) for v in table["mean_others_1000kr"]]
        caption = (f"Enhedsomkostninger til beskæftigelsesindsats i {kommune} og de {others} øvrige jobcentre, "
                   f"{year}")
    else:
        body["Kommune med laveste enhedsomk."] = [fmt.number(v, 1) for v in table["lowest_other_1000kr"]]
        body["Kommune med højeste enhedsomk."] = [fmt.number(v, 1) for v in table["highest_other_1000kr"]]
        body[f"Gennemsnit (ekskl. {kommune})"] = [fmt.number(v, 1) for v in table["mean_others_1000kr"]]
        caption = f"De samlede enhedsomkostninger til beskæftigelsesindsats i {kommune} og andre kommuner, {year}"
    body["Afvigelse fra gns."] = [_pct(v, 0, sign=True) for v in table["deviation_pct"]]
    return table_html(body, number, caption, source=footer.get("source"), note=footer.get("note"),
                      row_classes=[ROW_CLASS[t] for t in table["row_type"]],
                      first_column_header="1.000 kr. pr. fuldtidsperson")


# ------------------------------------------------------------------ Figur 4
def deviation_figure(table: pd.DataFrame, kommune: str):
    """Horizontal bars: each target group's deviation from the mean, and the total below a gap."""
    groups = table[table["row_type"] == "group"]
    total = table[table["row_id"] == "samlet"]
    labels = list(groups["label"]) + list(total["label"])
    values = list(groups["deviation_pct"]) + list(total["deviation_pct"])
    positions = list(range(len(groups))) + [len(groups) + 0.6] * len(total)
    height = 0.9 + 0.27 * len(labels)
    with style.figure(figsize=(style.FIGSIZE[0], height)) as (fig, ax):
        for pos, value, label in zip(positions, values, labels):
            high = value > 0
            is_total = label in list(total["label"])
            ax.barh(pos, value, height=0.68, color=style.PALETTE[2] if high else style.PALETTE[0],
                    hatch=style.HATCHES[1] if high else style.HATCHES[0], edgecolor="white", linewidth=0.5,
                    alpha=1.0 if is_total else 0.9)
            ax.annotate(_pct(value, 0, sign=True), xy=(value, pos), xytext=(4 if value >= 0 else -4, 0),
                        textcoords="offset points", ha="left" if value >= 0 else "right", va="center",
                        fontsize=8, fontweight="bold" if is_total else "normal")
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks(positions)
        ax.set_yticklabels(labels)
        for tick, label in zip(ax.get_yticklabels(), labels):
            if label in list(total["label"]):
                tick.set_fontweight("bold")
        ax.invert_yaxis()
        low, high = min(values + [0]), max(values + [0])
        pad = (high - low) * 0.14 + 2
        ax.set_xlim(low - pad, high + pad)
        ax.set_xlabel(f"Afvigelse fra gennemsnittet af de øvrige jobcentre (ekskl. {kommune})")
        style.danish_ticks(ax, "x", percent=True)
        ax.grid(axis="y", visible=False)
        return fig


def deviation_block(table: pd.DataFrame, number: int, kommune: str, source: str, note: str | None = None) -> str:
    return figure_html(deviation_figure(table, kommune), number,
                       f"Procentvis afvigelse af enhedsomkostninger i {kommune} Kommune fra gennemsnittet",
                       source=source, note=note)


# ------------------------------------------------------------------ Figur 5
def composition_figure(comp: pd.DataFrame, kommune: str):
    has_others = has_comparison(comp)
    labels = list(comp["label"])
    y = np.arange(len(labels))
    bar = 0.38 if has_others else 0.6
    with style.figure(figsize=(style.FIGSIZE[0], 0.9 + 0.55 * len(labels))) as (fig, ax):
        series = [(kommune, comp["kommune_share_pct"], style.PALETTE[0], style.HATCHES[0])]
        if has_others:
            series.append(("Øvrige jobcentre", comp["others_share_pct"], style.PALETTE[3], style.HATCHES[1]))
        for i, (name, values, color, hatch) in enumerate(series):
            offset = (i - (len(series) - 1) / 2) * bar
            ax.barh(y + offset, values, height=bar, color=color, hatch=hatch, edgecolor="white", linewidth=0.5,
                    label=name)
            for pos, value in zip(y + offset, values):
                ax.annotate(_pct(value, 1), xy=(value, pos), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=8)
        shares = [comp["kommune_share_pct"]] + ([comp["others_share_pct"]] if has_others else [])
        xmax = float(np.nanmax(pd.concat(shares))) * 1.15
        if has_others:
            for pos, diff in zip(y, comp["difference_pct_points"]):
                ax.annotate(f"{fmt.signed(diff, 1)} pct.-point", xy=(xmax, pos), xytext=(8, 0),
                            textcoords="offset points", va="center", ha="left", fontsize=8,
                            fontweight="bold", color=style.PALETTE[2] if diff > 0 else style.PALETTE[0])
            ax.annotate(f"{kommune} i forhold\ntil øvrige", xy=(1, 1), xycoords="axes fraction", xytext=(8, 2),
                        textcoords="offset points", va="bottom", ha="left", fontsize=7.5, color="#4a5560")
        ax.set_yticks(y)
        ax.set_yticklabels(labels)
        ax.invert_yaxis()
        ax.set_xlim(0, xmax)
        ax.set_xlabel("Andel af de samlede udgifter til beskæftigelsesindsats")
        style.danish_ticks(ax, "x", percent=True)
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right")
        return fig


def composition_block(comp: pd.DataFrame, number: int, kommune: str, year: int, source: str,
                      note: str | None = None) -> str:
    has_others = has_comparison(comp)
    caption = (f"Sammensætningen af udgifterne til beskæftigelsesindsats i {kommune} og de øvrige jobcentre, {year}"
               if has_others else f"Sammensætningen af udgifterne til beskæftigelsesindsats i {kommune}, {year}")
    return figure_html(composition_figure(comp, kommune), number, caption, source=source, note=note)


# ------------------------------------------------------------------ Tabel 5
def exit_rate_headers(mun) -> dict[str, str]:
    """Column headers from the municipality's comparison groups (no name typed in code)."""
    near = mun.groups.by_role("near_labour_market")
    klynge = mun.groups.by_role("klynge")
    return {
        "kommune_pct": "Afgangsrate",
        "klynge_ekskl_pct": f"{klynge.short_name if klynge else 'Klynge'} ekskl. {mun.name}",
        "naert_ekskl_pct": f"{near.short_name if near else 'Nært arbejdsmarked'} ekskl. {mun.name}",
    }


def exit_rates_table(table: pd.DataFrame, number: int, headers: dict[str, str], year: int, source: str,
                     note: str | None = None) -> str:
    body = pd.DataFrame({"": table["label"]})
    for column in ("kommune_pct", "klynge_ekskl_pct", "naert_ekskl_pct"):
        if column in table.columns:
            body[headers[column]] = [_pct(v, 1) for v in table[column]]
    classes = ["total" if kind == "total" else "" for kind in table["row_type"]]
    return table_html(body, number, f"Afgangsrate for de enkelte målgrupper {year}", source=source, note=note,
                      row_classes=classes, first_column_header="Målgruppe")


# ------------------------------------------------------------------ Figur 6
def bubble_figure(bubbles: pd.DataFrame, kommune: str, exit_deviation: str = "relative"):
    shown = bubbles[bubbles["included"]].reset_index(drop=True)
    with style.figure(figsize=(style.FIGSIZE[0], 5.2)) as (fig, ax):
        x, y = shown["unit_cost_deviation_pct"], shown["y_pct"]
        size = shown["full_time_persons"].fillna(0)
        scale = 1400.0 / max(float(size.max()), 1.0)
        areas = size * scale + 12
        good = [q.endswith("hoej_afgang") for q in shown["quadrant"]]
        close = [phrases.is_close(v / 100) for v in shown["exit_deviation_pct"]]   # the one "tæt på" band
        for px, py, area, ok, near in zip(x, y, areas, good, close):
            colour = style.PALETTE[3] if near else style.PALETTE[0] if ok else style.PALETTE[2]
            ax.scatter([px], [py], s=area, c=colour, alpha=0.55 if not near else 0.8, edgecolors="#333333",
                       linewidths=0.6, zorder=3, hatch=style.HATCHES[0 if ok or near else 1])
        xr = max(abs(float(x.min())), abs(float(x.max())), 10.0) * 1.3
        span = max(float(y.max()) - float(y.min()), 10.0)
        ax.set_xlim(-xr, xr)
        ax.set_ylim(min(float(y.min()), 0) - span * 0.35, max(float(y.max()), 0) + span * 0.35)
        ax.axhline(0, color="#333333", linewidth=0.8, zorder=1)
        ax.axvline(0, color="#333333", linewidth=0.8, zorder=1)
        corners = {"lav_omkostning_hoej_afgang": (0.015, 0.985, "left", "top"),
                   "hoej_omkostning_hoej_afgang": (0.985, 0.985, "right", "top"),
                   "lav_omkostning_lav_afgang": (0.015, 0.015, "left", "bottom"),
                   "hoej_omkostning_lav_afgang": (0.985, 0.015, "right", "bottom")}
        quadrant_texts = []
        for quadrant, (qx, qy, ha, va) in corners.items():
            quadrant_texts.append(ax.text(qx, qy, QUADRANT_LABELS[quadrant], transform=ax.transAxes, ha=ha, va=va,
                                          fontsize=8, color="#4a5560", style="italic", zorder=2,
                                          bbox={"boxstyle": "round,pad=0.3", "facecolor": "white",
                                                "edgecolor": "#d5dbe0", "alpha": 0.9}))
        radii = [math.sqrt(a / math.pi) for a in areas]   # points
        _place_labels(ax, list(x), list(y), radii, [short_label(v) for v in shown["label"]], quadrant_texts)
        ax.set_xlabel(f"Enhedsomkostninger: afvigelse fra gennemsnittet af de øvrige jobcentre (ekskl. {kommune})")
        if exit_deviation == "relative":
            ax.set_ylabel("Afgangsrate: afvigelse fra klyngen")
            style.danish_ticks(ax, "y", percent=True)
        else:
            ax.set_ylabel("Afgangsrate: afvigelse fra klyngen (pct.-point)")
            style.danish_ticks(ax, "y", decimals=1)
        style.danish_ticks(ax, "x", percent=True)
        return fig


def _place_labels(ax, xs, ys, radii_pt, labels, obstacles=()) -> None:
    """Put each bubble's label where it covers the fewest other labels and bubbles (largest bubble first).

    Candidates lie around the bubble (right, left, above, below, diagonals, then further out with a
    leader line); the score is the overlap with placed labels, bubbles, the quadrant labels and the
    axes' edge."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    pt = fig.dpi / 72.0
    frame = ax.get_window_extent(renderer)
    centres = [ax.transData.transform((x, y)) for x, y in zip(xs, ys)]
    circles = [(cx, cy, r * pt) for (cx, cy), r in zip(centres, radii_pt)]
    fixed = [(b.x0, b.y0, b.x1, b.y1) for b in (t.get_window_extent(renderer) for t in obstacles)]
    placed: list[tuple] = []

    def overlap(a, b) -> float:
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return w * h if w > 0 and h > 0 else 0.0

    for i in sorted(range(len(xs)), key=lambda k: -radii_pt[k]):
        probe = ax.text(0, 0, labels[i], fontsize=7.5)
        box = probe.get_window_extent(renderer)
        probe.remove()
        w, h = box.width, box.height
        cx, cy, r = circles[i]
        best = None
        for step, distance in enumerate((r + 3 * pt, r + 12 * pt, r + 24 * pt)):
            for angle in (0, 180, 90, 270, 35, 145, 325, 215):
                dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
                tx, ty = cx + dx * distance, cy + dy * distance
                x0 = tx if dx > 0.3 else tx - w if dx < -0.3 else tx - w / 2
                y0 = ty if dy > 0.3 else ty - h if dy < -0.3 else ty - h / 2
                rect = (x0, y0, x0 + w, y0 + h)
                score = 3 * sum(overlap(rect, p) for p in placed) + 3 * sum(overlap(rect, f) for f in fixed)
                for j, (ox, oy, orad) in enumerate(circles):
                    score += overlap(rect, (ox - orad * 0.8, oy - orad * 0.8, ox + orad * 0.8, oy + orad * 0.8)) * (
                        1.0 if j != i else 3.0)
                outside = (max(0, frame.x0 - rect[0]) + max(0, rect[2] - frame.x1)
                           + max(0, frame.y0 - rect[1]) + max(0, rect[3] - frame.y1))
                # prefer beside the bubble, then above/below, then diagonal, then further out
                preference = 0.0 if angle in (0, 180) else 0.06 if angle in (90, 270) else 0.09
                score += outside * h * 10 + (step * 0.15 + preference) * w * h
                if best is None or score < best[0]:
                    best = (score, rect, tx, ty, dx, dy, step)
        _, rect, tx, ty, dx, dy, step = best
        placed.append(rect)
        ha = "left" if dx > 0.3 else "right" if dx < -0.3 else "center"
        va = "bottom" if dy > 0.3 else "top" if dy < -0.3 else "center"
        arrow = {"arrowstyle": "-", "color": "#4a5560", "linewidth": 0.7, "shrinkA": 1, "shrinkB": r / pt}
        ax.annotate(labels[i], xy=(xs[i], ys[i]), xytext=tuple(ax.transData.inverted().transform((tx, ty))),
                    textcoords="data", ha=ha, va=va, fontsize=7.5, zorder=4,
                    arrowprops=arrow if step > 0 else None)


def bubble_block(bubbles: pd.DataFrame, number: int, kommune: str, source: str, exit_deviation: str = "relative",
                 note: str | None = None) -> str:
    fig = bubble_figure(bubbles, kommune, exit_deviation)
    excluded = list(bubbles[~bubbles["included"]]["label"])
    mapped = bubbles[bubbles["included"] & (bubbles["unit_cost_row"] != bubbles["target_group"])]
    notes = [note] if note else []
    notes.append("Prikkernes størrelse afspejler målgruppens antal fuldtidspersoner. Afgangsraterne sammenlignes "
                 "med klyngen (ekskl. kommunen), så afvigelsen viser, om kommunen ligger højere eller lavere, "
                 "end man kan forvente med kommunens rammevilkår. Lyse prikker: afgangsraten ligger tæt på "
                 f"klyngens (inden for {phrases.percent(phrases.CLOSE_WITHIN)} af den).")
    for row in mapped.itertuples():
        notes.append(f"For {lower_first(row.label)} er enhedsomkostningen for {lower_first(row.unit_cost_label)} "
                     "brugt.")
    if excluded:
        notes.append(f"{join(excluded)} indgår ikke i figuren, da "
                     f"{'målgruppen er' if len(excluded) == 1 else 'målgrupperne er'} meget lille.")
    return figure_html(fig, number, "Sammenligning af resultater og indsats – prikkernes størrelse afspejler "
                       "målgruppens størrelse", source=source, note=" ".join(notes))


# ------------------------------------------------------------------ sentences
def key_sentences(kf: CostKeyFigures, ch) -> dict[str, list[str]]:
    """The chapter's sentences, written from the numbers (chapters/cost_text.py), by the part of the chapter
    they belong to: intro, totals, unit, composition, exit, bubble. `ch`: the declared chapter."""
    from servicetjek.chapters import cost_text

    return cost_text.key_sentences(kf, ch)
