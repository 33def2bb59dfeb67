"""Construct Slagelse's monthly follow-up extract (2019M01-2021M12) for the `opfoelgning` report.

Why this exists
---------------
The follow-up report (report.yaml, kind `opfoelgning`) sets the months after the servicetjek against
the budget path, the favourable scenario and landsplan.  No monthly jobindsats figures for 2020-2021 are
published in the seeds; this script *constructs* them, deterministically, in the jobindsats v2 CSV
format, and marks them constructed in ``opfoelgning/PROVENANCE.yaml``.  It never touches the bundled
servicetjek extracts (``extracts/``): the servicetjek report does not change.

How the numbers are made
------------------------
* **2019** is copied: Slagelse's months are the rows of the bundled
  ``extracts/ptv_a02_slagelse-sammenligning_2014M01-2019M12.csv`` (identical values); Hele landet's
  months are built around the bundled annual 2019 values (12-month mean = the annual value exactly).
* **2020-2021** per group: an annual design (``SLAGELSE``, ``NATIONAL`` below), then 12 months = a
  straight line through the year + the Covid-19 pattern (dagpenge and sygedagpenge up in spring 2020)
  + ±0,5 % noise from SHA-256 of a text key, rounded to 0,1 with the residual in one month, so every
  12-month mean equals the design exactly.  ``Ydelsesgrupper i alt`` is the sum of the 11 groups.
* Published figures it agrees with (seed 003, Social- og Beskæftigelsesudvalget 30.8.2021):
  - 5.780 helårspersoner on offentlig forsørgelse in 2020 (STAR's benchmark, without førtidspension and
    fleksjob): Slagelse's 2020 mean of the 9 other groups is 5.780 exactly;
  - over the latest 12 months Slagelse does worse than landsplan on goals 1, 4, 6 and 7 and better on
    2, 3 and 5 (goals.yaml): a larger rise in førtidspension and fleksjob (goal 1 worse, goal 2 better),
    a smaller fall in ledige (goal 4), integrationsydelse and uddannelseshjælp falling less (6, 7).
  The self-check asserts these.
* ``Antal personer`` = ceil(full-time persons × a factor per benefit); the percentage = full-time
  persons ÷ ``opfoelgning/population.csv`` × 100, rounded half up to 0,1.

Run::

    .venv/bin/python tools/construct_followup.py          # write + self-check
    .venv/bin/python tools/construct_followup.py --check  # self-check only
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "data" / "raw" / "slagelse" / "opfoelgning"
SOURCE = ROOT / "data" / "raw" / "slagelse" / "extracts" / "ptv_a02_slagelse-sammenligning_2014M01-2019M12.csv"
NATIONAL_2019 = ROOT / "data" / "raw" / "slagelse" / "extracts" / "ptv_a02_hele-landet_2017-2019.xlsx"
FILE = "ptv_a02_slagelse-hele-landet_2019M01-2021M12.csv"
SEED = "003_25c348f976263af5.txt"

LABELS = {"dagpenge": "A-dagpenge", "kontanthjaelp": "Kontanthjælp", "uddannelseshjaelp": "Uddannelseshjælp",
          "selvforsoergelse": "Integrationsydelse", "sygedagpenge": "Sygedagpenge",
          "jobafklaring": "Jobafklaringsforløb", "revalidering": "Revalidering",
          "ressourceforloeb": "Ressourceforløb", "ledighedsydelse": "Ledighedsydelse", "fleksjob": "Fleksjob",
          "foertidspension": "Førtidspension"}
GROUPS = list(LABELS)
TOTAL = "Ydelsesgrupper i alt"
PERSON_FACTOR = {"dagpenge": 1.35, "kontanthjaelp": 1.08, "uddannelseshjaelp": 1.1, "selvforsoergelse": 1.06,
                 "sygedagpenge": 1.3, "jobafklaring": 1.05, "revalidering": 1.1, "ressourceforloeb": 1.04,
                 "ledighedsydelse": 1.2, "fleksjob": 1.03, "foertidspension": 1.01}

# Slagelse: annual full-time persons (design).  2020: the 9 groups other than førtidspension and
# fleksjob sum to 5.780 (seed 003).
SLAGELSE = {
    2020: dict(dagpenge=1420, kontanthjaelp=1490, uddannelseshjaelp=720, selvforsoergelse=212, sygedagpenge=990,
               jobafklaring=296, revalidering=18, ressourceforloeb=430, ledighedsydelse=204, fleksjob=950,
               foertidspension=3600),
    2021: dict(dagpenge=1250, kontanthjaelp=1440, uddannelseshjaelp=713, selvforsoergelse=201, sygedagpenge=930,
               jobafklaring=290, revalidering=17, ressourceforloeb=420, ledighedsydelse=200, fleksjob=998,
               foertidspension=3760),
}
# Hele landet: the change from the year before, per group (ratio).
NATIONAL_CHANGE = {
    2020: dict(dagpenge=1.25, kontanthjaelp=1.03, uddannelseshjaelp=1.02, selvforsoergelse=0.90, sygedagpenge=1.06,
               jobafklaring=1.02, revalidering=0.95, ressourceforloeb=0.98, ledighedsydelse=1.02, fleksjob=1.03,
               foertidspension=0.995),
    2021: dict(dagpenge=0.87, kontanthjaelp=0.995, uddannelseshjaelp=0.96, selvforsoergelse=0.88, sygedagpenge=0.98,
               jobafklaring=0.98, revalidering=0.95, ressourceforloeb=1.0, ledighedsydelse=1.0, fleksjob=1.03,
               foertidspension=0.995),
}
POPULATION = {"Slagelse": {2019: 48_870, 2020: 48_880, 2021: 48_900},
              "Hele landet": {2019: 3_718_900, 2020: 3_720_500, 2021: 3_722_000}}
# Covid-19: extra share of the annual level per month of 2020 (mean removed afterwards).
COVID = {"dagpenge": [0, 0, 0.10, 0.30, 0.28, 0.18, 0.08, 0.02, 0, 0, 0, 0],
         "sygedagpenge": [0, 0, 0.06, 0.10, 0.04, 0, 0, 0, 0, 0, 0, 0]}


def u(*key: object) -> float:
    digest = hashlib.sha256("|".join(map(str, key)).encode("utf-8")).hexdigest()
    return int(digest[:13], 16) / 16 ** 13


def half_up(x: float, nd: int = 1) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-nd), rounding=ROUND_HALF_UP)


def months_for(area: str, group: str, year: int, level: float, before: float, after: float) -> list[float]:
    """12 values (tenths rounded) whose mean is exactly `level`."""
    raw = []
    for m in range(12):
        t = (m + 0.5) / 12
        trend = (before + level) / 2 + (after - (before + level) / 2) * t
        bump = COVID.get(group, [0] * 12)[m] * level if year == 2020 else 0.0
        raw.append(trend + bump + level * 0.005 * (2 * u(area, group, year, m) - 1))
    shift = level - sum(raw) / 12
    tenths = [round(10 * (x + shift)) for x in raw]
    tenths[int(u(area, group, year, "residual") * 12)] += round(120 * level) - sum(tenths)
    return [t / 10 for t in tenths]


def national_levels() -> dict[int, dict[str, float]]:
    sys.path.insert(0, str(ROOT))
    from servicetjek.inputs.extracts import read_extract

    frame = read_extract(NATIONAL_2019)
    frame = frame[(frame["year"] == 2019) & (frame["measure"] == "fuldtidspersoner") & (frame["sub_group"] == "")]
    levels = {2019: {g: float(v) for g, v in zip(frame["benefit_group"], frame["value"]) if g in LABELS}}
    for year in (2020, 2021):
        levels[year] = {g: round(levels[year - 1][g] * NATIONAL_CHANGE[year][g], 1) for g in GROUPS}
    return levels


def slagelse_2019() -> pd.DataFrame:
    """Slagelse's 2019 rows of the bundled servicetjek extract, as they are."""
    text = SOURCE.read_text(encoding="utf-8")
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    return frame[(frame["Area"] == "Slagelse") & frame["Periode"].str.startswith("2019")]


def build_rows() -> list[list[str]]:
    rows = [list(r) for r in slagelse_2019().itertuples(index=False)]
    national = national_levels()
    series = {("Slagelse", y): SLAGELSE[y] for y in (2020, 2021)}
    series.update({("Hele landet", y): national[y] for y in (2019, 2020, 2021)})
    s2019 = slagelse_2019()
    s2019_ftp = s2019.assign(v=s2019["Antal fuldtidspersoner"].str.replace(",", ".").astype(float))
    s_level_2019 = {g: s2019_ftp[s2019_ftp["Ydelsesgrupper"] == LABELS[g]]["v"].mean() for g in GROUPS}
    for (area, year), levels in sorted(series.items()):
        per_group = {}
        for g in GROUPS:
            prev = series.get((area, year - 1), s_level_2019 if area == "Slagelse" else levels)[g]
            nxt = series.get((area, year + 1), levels)[g]
            per_group[g] = months_for(area, g, year, levels[g], prev, nxt)
        pop = POPULATION[area][year]
        for m in range(12):
            period = f"{year}M{m + 1:02d}"
            total_ftp = total_persons = 0
            for g in GROUPS:
                ftp = per_group[g][m]
                persons = math.ceil(ftp * PERSON_FACTOR[g])
                total_ftp += round(10 * ftp)
                total_persons += persons
                rows.append(_row(area, period, LABELS[g], persons, ftp, pop))
            rows.append(_row(area, period, TOTAL, total_persons, total_ftp / 10, pop))
    rows.sort(key=lambda r: hashlib.sha256("|".join(r[:3]).encode()).hexdigest())
    return rows


def _row(area: str, period: str, label: str, persons: int, ftp: float, pop: int) -> list[str]:
    pct = half_up(ftp / pop * 100)
    return [area, period, label, str(persons), f"{ftp:.1f}".replace(".", ","), str(pct).replace(".", ",")]


def files() -> dict[Path, bytes]:
    header = ["Area", "Periode", "Ydelsesgrupper", "Antal personer", "Antal fuldtidspersoner",
              "Fuldtidspersoner i pct. af befolkningen 16-64 år"]
    lines = [";".join(header)] + [";".join(r) for r in build_rows()]
    pop_lines = ["area,year,age_band,persons,provenance"] + [
        f'{area},{year},16-64,{persons},"constructed: tools/construct_followup.py; 2019 = population.csv"'
        for area, years in POPULATION.items() for year, persons in years.items()]
    provenance = {
        "files": [{
            "file": FILE, "table": "ptv_a02", "format": "v2-csv", "areas": ["Slagelse", "Hele landet"],
            "periods": "2019M01-2021M12",
            "provenance": "constructed: tools/construct_followup.py; Slagelse 2019 copied from the servicetjek "
                          "extract, 2020-2021 and Hele landet's months constructed around annual designs",
            "agrees_with": [f"published: {SEED}, punkt 3 (mål 1, 4, 6 og 7 dårligere end landsplan)",
                            f"published: {SEED}, punkt 10 (5.780 helårspersoner på offentlig forsørgelse 2020)"],
        }],
    }
    head = ("# Generated by tools/construct_followup.py -- do not edit by hand.\n"
            "# The follow-up report's monthly extract (constructed, deterministic).\n")
    return {FOLDER / FILE: ("\n".join(lines) + "\n").encode("utf-8"),
            FOLDER / "population.csv": ("\n".join(pop_lines) + "\n").encode("utf-8"),
            FOLDER / "PROVENANCE.yaml": (head + yaml.safe_dump(provenance, allow_unicode=True, sort_keys=False,
                                                               width=110)).encode("utf-8")}


def check() -> list[str]:
    """Read the files back and assert the targets (exit 1 on failure)."""
    frame = pd.read_csv(FOLDER / FILE, sep=";", decimal=",")
    frame["year"] = frame["Periode"].str[:4].astype(int)
    fails, out = [], []
    old = slagelse_2019()
    new = frame[(frame["Area"] == "Slagelse") & (frame["year"] == 2019)]
    if len(old) != len(new) or set(map(tuple, old.values.tolist())) != {
            (a, p, g, str(n), f"{f:.1f}".replace(".", ","), f"{c:.1f}".replace(".", ","))
            for a, p, g, n, f, c, _y in new.values.tolist()}:
        fails.append("Slagelse 2019 differs from the servicetjek extract")
    annual = frame.groupby(["Area", "year", "Ydelsesgrupper"])["Antal fuldtidspersoner"].mean()
    for year, design in SLAGELSE.items():
        for g, v in design.items():
            if abs(annual[("Slagelse", year, LABELS[g])] - v) > 1e-6:
                fails.append(f"Slagelse {g} {year}: {annual[('Slagelse', year, LABELS[g])]} != {v}")
    bench = sum(SLAGELSE[2020][g] for g in GROUPS if g not in ("foertidspension", "fleksjob"))
    if bench != 5780:
        fails.append(f"2020 benchmark persons {bench} != 5.780")
    out.append(f"Slagelse 2020 without førtidspension/fleksjob: {bench} (seed 003: 5.780)")
    goals = yaml.safe_load((FOLDER.parent / "goals.yaml").read_text(encoding="utf-8"))["goals"]
    for goal in goals:
        labels = [LABELS[g] for g in goal["measure"]["groups"]] if goal["measure"]["groups"] != "all" else [TOTAL]
        minus = [LABELS[g] for g in goal["measure"].get("minus", [])]

        def level(area, year, labels=labels, minus=minus):
            return (sum(annual[(area, year, x)] for x in labels) - sum(annual[(area, year, x)] for x in minus))
        dev = {a: 100 * (level(a, 2021) / level(a, 2020) - 1) for a in ("Slagelse", "Hele landet")}
        better = (dev["Slagelse"] < dev["Hele landet"]) == (goal["good"] == "ned")
        want = goal["id"] not in ("maal1", "maal4", "maal6", "maal7")
        if better != want:
            fails.append(f"{goal['id']}: better={better}, seed 003 says {want}")
        out.append(f"{goal['id']}: Slagelse {dev['Slagelse']:+.2f} %, landsplan {dev['Hele landet']:+.2f} %, "
                   f"{'bedre' if better else 'dårligere'}")
    if fails:
        print("SELF-CHECK FAILED:\n  - " + "\n  - ".join(fails))
        raise SystemExit(1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only read the files back and assert the targets")
    args = ap.parse_args(argv)
    if not args.check:
        built = files()
        if built != files():
            raise SystemExit("not deterministic")
        FOLDER.mkdir(parents=True, exist_ok=True)
        for path, data in built.items():
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")
    for line in check():
        print("ok:", line)
    print("SELF-CHECK PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
