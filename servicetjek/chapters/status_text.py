"""Chapter 3's analysis in words, from Tabel 1, Tabel 2 and Figur 1 (the reference report's chapter 3):

- the level and the change in the latest year, and which benefit groups drive it (Tabel 2);
- the share of the population against each comparison group, and which groups account for the difference
  (Tabel 1);
- the change over the period against the comparison groups, and how they developed against each other
  (Tabel 2);
- the long-run gap to the comparison group in persons, percent and money (Figur 1).

Every word for a direction, comparison, count or amount comes from publish/phrases.py; the Resume
(chapters/resume.py) uses `drivers` and `group_word` too, from the published values.
"""

from __future__ import annotations

import pandas as pd

from servicetjek.chapters.status import KeyFigures
from servicetjek.publish import formatting as fmt
from servicetjek.publish import phrases as ph

# A group counts as a driver when it moves at least this many full-time persons (and in the total's direction).
DRIVER_MIN_PERSONS = 10.0
# A group accounts for a share difference when it differs by at least this many percentage points.
SHARE_MIN_POINTS = 0.1
MAX_LISTED = 3


def group_word(label: str) -> str:
    """A benefit group's label in running text: 'Dagpenge mv.' -> 'dagpenge mv.'."""
    return ph.lower_first(label)


def drivers(changes: dict[str, float], total_change: float, minimum: float = DRIVER_MIN_PERSONS) -> tuple[list, list]:
    """(groups moving with the total, groups moving against it), each [(label, persons)] by size, at most
    MAX_LISTED; `changes` are the top-level groups' changes in persons, by label."""
    sign = 1 if total_change >= 0 else -1
    rows = sorted(changes.items(), key=lambda kv: -abs(kv[1]))
    with_total = [(k, v) for k, v in rows if v * sign >= minimum][:MAX_LISTED]
    against = [(k, v) for k, v in rows if -v * sign >= minimum][:MAX_LISTED]
    return with_total, against


def listed(items: list[tuple[str, float]], more: str = "") -> str:
    """'sygedagpenge (+74) og fleksjob (+127)'; with `more` ('flere på'/'færre på') before the first group."""
    text = ph.join([f"{group_word(k)} ({fmt.signed(v)})" for k, v in items])
    return f"{more} {text}" if more and text else text


def _top(dev: pd.DataFrame) -> pd.DataFrame:
    return dev[(dev["row_id"] != "i_alt") & ~dev["row_id"].str.contains("/")]


def level_sentences(kf: KeyFigures, dev: pd.DataFrame, ch) -> list[str]:
    """The level, the latest change and its drivers (Tabel 2)."""
    change = kf.change_latest
    word = ph.direction(change)
    out = [f"I {kf.year} modtog gennemsnitligt {fmt.number(kf.total)} fuldtidspersoner offentlig "
           f"forsørgelsesydelse i {kf.kommune} Kommune."]
    if word == "uændret":
        out.append(f"Antallet er stort set uændret fra {_prev(dev)} til {kf.year}.")
    else:
        out.append(f"Antallet er {word} med {ph.persons(abs(kf.total - kf.total_prev))}, eller "
                   f"{ph.percent(abs(change), 1)}, fra {_prev(dev)} til {kf.year}, "
                   f"jf. tabel {ch.table_number('status_development')}.")
        top = _top(dev)
        persons = dict(zip(top["label"], top[str(kf.year)] - top[_prev(dev)]))
        up, against = drivers(persons, kf.total - kf.total_prev)
        noun = "Stigningen" if change > 0 else "Faldet"
        if up:
            out.append(f"{noun} skyldes især {listed(up, 'flere på' if change > 0 else 'færre på')}.")
        if against:
            counter = "faldet" if change > 0 else "steget"
            out.append(f"Modsat er antallet {counter} for {listed(against)}.")
    # "af dem" after the sentences on the groups read as "of those groups": name the whole again
    out.append(f"Af de {fmt.number(kf.total)} fuldtidspersoner i {kf.year} er ca. "
               f"{fmt.number(fmt.round_to(kf.active, 100))} i målgruppen for en aktiv "
               "beskæftigelsesindsats (alle ydelsesgrupper undtagen førtidspension).")
    return out


def _prev(dev: pd.DataFrame) -> str:
    years = [c for c in dev.columns if str(c).isdigit()]
    return years[-2] if len(years) > 1 else years[-1]


def share_sentences(kf: KeyFigures, shares: pd.DataFrame, groups: list, ch) -> list[str]:
    """The share of the population against each comparison group, and the groups behind each difference
    (Tabel 1). `groups`: the municipality's comparison groups (name, role) in the table's order."""
    sh = shares.set_index("row_id")
    top = sh[(sh.index != "i_alt") & ~sh.index.str.contains("/")]
    own = kf.kommune
    quoted = [f"{fmt.pct_points(sh.at['i_alt', g.name])} pct. i {ph.group_name(g)}" for g in groups]
    out = [f"I {own} modtager {fmt.pct_points(kf.share)} pct. af befolkningen mellem 16 og 64 år offentlig "
           f"forsørgelsesydelse mod {ph.join(quoted)}, jf. tabel {ch.table_number('status_shares')}."]
    shown = sh[[own] + [g.name for g in groups]].astype(float).round(1)   # as Tabel 1 prints them
    for g in groups:
        diff = float(shown.at["i_alt", own] - shown.at["i_alt", g.name])
        if abs(diff) < 0.05:
            out.append(f"Andelen er på niveau med {ph.group_name(g)}.")
            continue
        word = "højere" if diff > 0 else "lavere"
        sign = 1 if diff > 0 else -1
        by_group = (shown.loc[top.index, own] - shown.loc[top.index, g.name]) * sign
        behind = by_group[by_group >= SHARE_MIN_POINTS - 1e-9].sort_values(ascending=False).head(MAX_LISTED)
        text = f"Andelen er {fmt.pct_points(abs(diff))} procentpoint {word} end i {ph.group_name(g)}"
        if len(behind):
            many = "flere" if diff > 0 else "færre"
            parts = [f"{group_word(sh.at[r, 'label'])} ({fmt.signed(v * sign, 1)})" for r, v in behind.items()]
            text += f", især fordi relativt {many} er på {ph.join(parts)}"
        out.append(text + ".")
    return out


def _judgement(kf: KeyFigures, compared: list) -> str:
    """The municipality's period change against each group's: less favourable (the group fell more or rose
    less), more favourable, or in line (within UNCHANGED_WITHIN); a mixed reading says both."""
    words = {}
    for g, c in compared:
        word = ph.compare(kf.change_period - c, "mindre gunstig end i", "mere gunstig end i", "på linje med")
        words.setdefault(word, []).append(ph.group_name(g))
    parts = [f"{word} {ph.join(names)}" for word, names in words.items()]
    return f"Udviklingen i {kf.kommune} har dermed været {', men '.join(parts)}."


def period_sentences(kf: KeyFigures, dev: pd.DataFrame, groups: list, ch) -> list[str]:
    """The change over the status period against the comparison groups (Tabel 2); for a period of one year
    (it is the latest change, said in `level_sentences`) only the comparison."""
    one_year = _prev(dev) == str(kf.first_year)
    d = dev.set_index("row_id")
    word = ph.direction(kf.change_period)
    out = [] if one_year else [
        f"Fra {kf.first_year} til {kf.year} er antallet {word}"
        + ("" if word == "uændret" else f" med {ph.persons(abs(kf.total - kf.total_first))} "
           f"({ph.percent(abs(kf.change_period), 1)})") + "."]
    compared = [(g, float(d.at["i_alt", f"change_period {g.short_name}"])) for g in groups
                if f"change_period {g.short_name}" in d.columns]
    if compared:
        parts = [f"{ph.direction(c)} med {ph.percent(abs(c), 1)} i {ph.group_name(g)}"
                 if not ph.is_unchanged(c) else f"uændret i {ph.group_name(g)}" for g, c in compared]
        when = f"Fra {kf.first_year} til {kf.year}" if one_year else "I samme periode"
        out.append(f"{when} er antallet {ph.join(parts)}, jf. tabel {ch.table_number('status_development')}.")
        out.append(_judgement(kf, compared))
        if len(compared) == 2:
            (g1, c1), (g2, c2) = compared
            if not ph.is_unchanged(c1 - c2):
                best, other = (g1, g2) if c1 < c2 else (g2, g1)
                out.append(f"Udviklingen har været mere gunstig i {ph.group_name(best)} end i {ph.group_name(other)}.")
    return out


def longrun_sentences(kf: KeyFigures, longrun_role: str, start: int, ch) -> list[str]:
    """The long-run gap (Figur 1): persons, percent and money; a negative or no gap reads as such."""
    group = ph.definite(longrun_role)
    figure = f"jf. figur {ch.figure_number('status_longrun')}"
    if round(kf.gap_persons) > 0:
        return [f"Havde udviklingen i {kf.kommune} siden {start} fulgt {group}, ville der i {kf.year} have været "
                f"ca. {ph.persons(kf.gap_persons).replace('fuldtidsperson', 'færre fuldtidsperson')} på ydelse, "
                f"svarende til {ph.percent(kf.gap_share)} og en mindreudgift på ca. {ph.mio_kr(kf.gap_kr)}, {figure}."]
    if round(kf.gap_persons) < 0:
        return [f"Udviklingen i {kf.kommune} siden {start} har været mere gunstig end i {group}: havde {kf.kommune} "
                f"fulgt {group}, ville der i {kf.year} have været ca. "
                f"{ph.persons(-kf.gap_persons).replace('fuldtidsperson', 'flere fuldtidsperson')} på ydelse, {figure}."]
    return [f"Udviklingen i {kf.kommune} siden {start} har fulgt {group}, {figure}."]
