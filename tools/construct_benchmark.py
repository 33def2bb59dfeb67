"""Construct the bundled y30r21 extracts (STAR's benchmark) for Slagelse and Næstved.

Why this exists
---------------
STAR's benchmark (jobindsats table y30r21, "Forventet og faktisk antal og andel fuldtidspersoner på
offentlig forsørgelse") compares each municipality's actual number and share of full-time persons on
public benefits with the number and share expected from its framework conditions (rammevilkår), and
ranks all 98 municipalities. The seeds publish four figures of it, all for Slagelse (seed
``003_25c348f976263af5.txt``, punkt 10, "Aktuel status i Slagelse Kommune"):

* 2020QMAT04 (1. kvt. 2020 – 4. kvt. 2020): faktisk **5.780** helårspersoner, **230** more than the
  **5.550** expected, **0,47** procentpoint;
* rank **80** of 98 in 2020QMAT04, **83** in the previous opgørelse (2020QMAT02: 3. kvt. 2019 – 2. kvt. 2020).

Everything else is constructed here so that it agrees with them: the 97 other municipalities, the other
periods, Næstved (nothing published), the split into STAR's broad groups. Nothing written here is real
jobindsats data except the four published figures; the files are marked ``constructed`` in
``extracts/PROVENANCE.yaml`` (entries made by ``provenance_entries``, which tools/construct_extracts.py
includes when it writes that file).

How the numbers are made
------------------------
1. *Population base* P (persons 16-66, constant over the periods): Slagelse **48.940**, chosen so that
   230 / P = 0,47 pct. (and 5.780 / P = 11,81, 5.550 / P = 11,34 pct.); Næstved 51.150; every other
   municipality 0,62 x a rounded 2020 population (``POPULATION``, thousands).
2. *Pinned municipalities*: Slagelse and Næstved get the number expected, the difference in persons
   and the rank of ``PINNED`` in each period (Slagelse 2020QMAT02/04 as published, the rest constructed).
3. *The other 96*: a persistent level (SHA-256 of the name) plus period noise orders them; they fill
   the ranks left free around the pinned ones, and their difference in pct.-points is interpolated on a
   curve through the pinned values (best about -2,6, worst about +2,3). Expected share: 9-16 pct.
   (SHA-256), expected number = share x P; actual = expected + difference x P, both whole persons.
4. *Rank* = order of the difference in pct.-points computed from the whole-person numbers (ascending;
   1 = fewest on benefits relative to expected). Where rounding to whole persons would put another
   municipality on the wrong side of a pinned one, its actual number is moved one person at a time.
5. *Broad groups* (``Ydelsesgrupper``): each total is split into "A-dagpenge mv.", "Sygedagpenge mv."
   and "Kontanthjælp mv." by a per-municipality profile (largest remainder, so they add up exactly); the
   rank is given for "Ydelsesgrupper i alt" only (the groups' rank column is empty).
6. *Formats*: Slagelse gets a v2 CSV (``Area``, decimal comma, rows unsorted) with all 8 periods
   2017QMAT02-2020QMAT04; Næstved a v3 JSON with 2017QMAT02-2018QMAT04 (its report is from 2019). Both
   are cut from the same national construction, so they agree where they overlap.

Run::

    .venv/bin/python tools/construct_benchmark.py          # write + self-check
    .venv/bin/python tools/construct_benchmark.py --check  # self-check only

Deterministic: no clock, no RNG state; re-running gives byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
SEED = "003_25c348f976263af5.txt"
TABLE = "y30r21"
PERIODS = ["2017QMAT02", "2017QMAT04", "2018QMAT02", "2018QMAT04",
           "2019QMAT02", "2019QMAT04", "2020QMAT02", "2020QMAT04"]
GROUPS = ["Ydelsesgrupper i alt", "A-dagpenge mv.", "Sygedagpenge mv.", "Kontanthjælp mv."]
MEASURES = ["Forventet antal", "Faktisk antal", "Forskel mellem forventet og faktisk antal",
            "Forventet andel (pct.)", "Faktisk andel (pct.)",
            "Forskel mellem forventet og faktisk andel (pct. point)", "Placering på benchmarkranglisten"]

# The 98 municipalities as jobindsats spells the areas, with a rounded 2020 population (thousands).
POPULATION = {
    "Albertslund": 27.7, "Allerød": 25.9, "Ballerup": 48.5, "Bornholm": 39.5, "Brøndby": 35.3, "Dragør": 14.5,
    "Egedal": 43.5, "Fredensborg": 41.0, "Frederiksberg": 104.0, "Frederikssund": 45.3, "Furesø": 41.0,
    "Gentofte": 75.0, "Gladsaxe": 69.5, "Glostrup": 23.3, "Gribskov": 41.0, "Halsnæs": 31.3, "Helsingør": 63.0,
    "Herlev": 28.9, "Hillerød": 51.5, "Hvidovre": 53.5, "Høje-Taastrup": 50.9, "Hørsholm": 25.0, "Ishøj": 23.0,
    "København": 632.0, "Lyngby-Taarbæk": 56.0, "Rudersdal": 56.5, "Rødovre": 40.5, "Tårnby": 43.0,
    "Vallensbæk": 16.5,
    "Faxe": 36.5, "Greve": 50.5, "Guldborgsund": 60.5, "Holbæk": 71.5, "Kalundborg": 48.5, "Køge": 61.0,
    "Lejre": 28.5, "Lolland": 41.0, "Næstved": 82.5, "Odsherred": 32.8, "Ringsted": 35.0, "Roskilde": 88.0,
    "Slagelse": 79.0, "Solrød": 23.0, "Sorø": 30.0, "Stevns": 22.8, "Vordingborg": 45.5,
    "Assens": 41.0, "Billund": 26.5, "Esbjerg": 115.5, "Fanø": 3.5, "Fredericia": 51.5, "Faaborg-Midtfyn": 51.5,
    "Haderslev": 55.5, "Kerteminde": 24.0, "Kolding": 93.0, "Langeland": 12.2, "Middelfart": 39.0,
    "Nordfyns": 29.5, "Nyborg": 32.0, "Odense": 205.0, "Svendborg": 58.5, "Sønderborg": 74.0, "Tønder": 37.0,
    "Varde": 49.5, "Vejen": 42.5, "Vejle": 116.0, "Ærø": 6.0, "Aabenraa": 58.5,
    "Favrskov": 48.5, "Hedensted": 46.5, "Herning": 89.0, "Holstebro": 58.5, "Horsens": 90.0,
    "Ikast-Brande": 41.0, "Lemvig": 19.5, "Norddjurs": 37.5, "Odder": 23.0, "Randers": 98.0,
    "Ringkøbing-Skjern": 56.5, "Samsø": 3.7, "Silkeborg": 93.5, "Skanderborg": 62.0, "Skive": 46.0,
    "Struer": 21.0, "Syddjurs": 42.5, "Viborg": 96.5, "Aarhus": 350.0,
    "Brønderslev": 36.0, "Frederikshavn": 59.5, "Hjørring": 64.5, "Jammerbugt": 38.0, "Læsø": 1.8,
    "Mariagerfjord": 42.0, "Morsø": 20.0, "Rebild": 30.5, "Thisted": 43.5, "Vesthimmerlands": 36.5,
    "Aalborg": 217.0,
}
BASE = {"Slagelse": 48940, "Næstved": 51150}     # persons 16-66 (see 1.)
# period -> (expected persons, actual - expected persons, rank)
PINNED = {
    "Slagelse": {"2017QMAT02": (5640, 270, 84), "2017QMAT04": (5600, 260, 82), "2018QMAT02": (5570, 250, 81),
                 "2018QMAT04": (5520, 250, 79), "2019QMAT02": (5490, 250, 82), "2019QMAT04": (5460, 260, 86),
                 "2020QMAT02": (5730, 260, 83),                 # rank published (003)
                 "2020QMAT04": (5550, 230, 80)},                # all published (003)
    "Næstved": {"2017QMAT02": (6150, 40, 52), "2017QMAT04": (6120, 25, 49), "2018QMAT02": (6090, 10, 47),
                "2018QMAT04": (6060, -15, 44), "2019QMAT02": (6040, -20, 42), "2019QMAT04": (6010, -30, 40),
                "2020QMAT02": (6280, -25, 41), "2020QMAT04": (6100, -35, 39)},
}
FILES = {  # folder -> (file name, format, periods)
    "slagelse": (f"{TABLE}_hele-landet_2017QMAT02-2020QMAT04.csv", "v2-csv", PERIODS),
    "naestved": (f"{TABLE}_hele-landet_2017QMAT02-2018QMAT04.json", "v3-json", PERIODS[:4]),
}
PROVENANCE = ("constructed: tools/construct_benchmark.py; all 98 municipalities, each period; Slagelse 2020QMAT04 "
              "faktisk 5.780 / forventet 5.550 / +0,47 pct.-point / nr. 80 and 2020QMAT02 nr. 83 as published, "
              "everything else constructed around them")
AGREES = [f"published: {SEED}, punkt 10 (5.780 helårspersoner, 230 flere end forventet, 0,47 procentpoint, "
          "nr. 80, forrige opgørelse nr. 83)"]


def u(*key: object) -> float:
    """A deterministic number in [0, 1) from a text key."""
    digest = hashlib.sha256("|".join(map(str, key)).encode("utf-8")).hexdigest()
    return int(digest[:12], 16) / 16 ** 12


def base(area: str) -> int:
    return BASE.get(area) or int(round(POPULATION[area] * 620, -1))


def pp(diff_persons: int, area: str) -> float:
    return diff_persons / base(area) * 100


def _curve(free: int, low: float, high: float, k: int) -> float:
    """k-th of `free` values between low and high (exclusive), evenly with a mild S-shape."""
    t = (k + 1) / (free + 1)
    return low + (high - low) * (3 * t * t - 2 * t * t * t) * 0.6 + (high - low) * t * 0.4


def period_table(period: str) -> dict[str, tuple[int, int]]:
    """area -> (expected persons, actual persons) for 'Ydelsesgrupper i alt' in one period."""
    pinned = {a: v[period] for a, v in PINNED.items()}
    anchors = sorted([(0, -2.6)] + [(r, pp(d, a)) for a, (_, d, r) in pinned.items()] + [(99, 2.3)])
    others = sorted((a for a in POPULATION if a not in pinned),
                    key=lambda a: u("level", a) * 2 + u("noise", a, period) * 0.6)
    free_ranks = [r for r in range(1, 99) if r not in {v[2] for v in pinned.values()}]
    out = {a: (e, e + d) for a, (e, d, _) in pinned.items()}
    target: dict[str, float] = {}
    for area, rank in zip(others, free_ranks):
        lo = max((x for x in anchors if x[0] < rank), key=lambda x: x[0])
        hi = min((x for x in anchors if x[0] > rank), key=lambda x: x[0])
        slots = [r for r in free_ranks if lo[0] < r < hi[0]]
        target[area] = _curve(len(slots), lo[1] + 0.01, hi[1] - 0.01, slots.index(rank))
        share = 9.0 + 7.0 * u("share", area) + 0.3 * u("share", area, period)
        expected = round(share * base(area) / 100)
        out[area] = (expected, expected + round(target[area] * base(area) / 100))
    # whole persons may put a small municipality on the wrong side of a pinned one: move it
    for area, rank in zip(others, free_ranks):
        for pin, (_, d, prank) in pinned.items():
            below = rank < prank
            while True:
                e, f = out[area]
                ok = (f - e) / base(area) < d / base(pin) if below else (f - e) / base(area) > d / base(pin)
                if ok:
                    break
                out[area] = (e, f - 1 if below else f + 1)
    return out


def ranks(table: dict[str, tuple[int, int]]) -> dict[str, int]:
    order = sorted(table, key=lambda a: ((table[a][1] - table[a][0]) / base(a), a))
    return {a: i + 1 for i, a in enumerate(order)}


def apportion(total: int, weights: list[float]) -> list[int]:
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def records(periods: list[str]) -> list[list]:
    """[area, period, group, expected, actual, diff, expected share, actual share, diff pp, rank]."""
    rows = []
    for period in periods:
        table = period_table(period)
        rank = ranks(table)
        for area, (e, f) in table.items():
            profile = [0.16 + 0.06 * u("dp", area), 0.20 + 0.06 * u("sdp", area), 0.58 + 0.08 * u("kth", area)]
            drift = [profile[0] * (1 + 0.3 * u("dpd", area, period)), profile[1], profile[2]]
            parts = zip(GROUPS, [e, *apportion(e, profile)], [f, *apportion(f, drift)])
            for group, pe, pf in parts:
                n = base(area)
                rows.append([area, period, group, pe, pf, pf - pe, round(pe / n * 100, 2), round(pf / n * 100, 2),
                             round((pf - pe) / n * 100, 2), rank[area] if group == GROUPS[0] else None])
    return sorted(rows, key=lambda r: u("order", r[0], r[1], r[2]))


def _dk(x: object) -> str:
    if x is None:
        return ""
    return str(x).replace(".", ",")


def render(folder: str) -> bytes:
    name, fmt, periods = FILES[folder]
    rows = records(periods)
    if fmt == "v2-csv":
        lines = [";".join(["Area", "Periode", "Ydelsesgrupper", *MEASURES])]
        lines += [";".join([r[0], r[1], r[2], *(_dk(x) for x in r[3:])]) for r in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    doc = {"columns": ["Periode", "Område", "Ydelsesgrupper", *MEASURES],
           "rows": [[r[1], r[0], r[2], *r[3:]] for r in rows]}
    return (json.dumps(doc, ensure_ascii=False, indent=None, separators=(",", ":")) + "\n").encode("utf-8")


def provenance_entries(folder: str) -> list[dict]:
    """This script's entries for extracts/PROVENANCE.yaml (included by tools/construct_extracts.py)."""
    if folder not in FILES:
        return []
    name, fmt, periods = FILES[folder]
    return [{"file": name, "table": TABLE, "format": fmt, "areas": "alle 98 kommuner",
             "periods": f"{periods[0]}-{periods[-1]}", "provenance": PROVENANCE,
             "agrees_with": AGREES if folder == "slagelse" else []}]


def build_all() -> dict[Path, bytes]:
    return {RAW / folder / "extracts" / FILES[folder][0]: render(folder) for folder in FILES}


def check() -> list[str]:
    """Read the files back with plain csv/json and assert the published figures and the design."""
    fails, report = [], []
    csv_text = (RAW / "slagelse" / "extracts" / FILES["slagelse"][0]).read_text(encoding="utf-8")
    header, *lines = [line.split(";") for line in csv_text.splitlines()]
    rows = [dict(zip(header, line)) for line in lines]
    doc = json.loads((RAW / "naestved" / "extracts" / FILES["naestved"][0]).read_text(encoding="utf-8"))
    jrows = [dict(zip(doc["columns"], r)) for r in doc["rows"]]

    def pick(period, area, group="Ydelsesgrupper i alt"):
        hit = [r for r in rows if r["Periode"] == period and r["Area"] == area and r["Ydelsesgrupper"] == group]
        return hit[0] if len(hit) == 1 else fails.append(f"{period} {area} {group}: {len(hit)} rows")

    s4, s2 = pick("2020QMAT04", "Slagelse"), pick("2020QMAT02", "Slagelse")
    for label, got, want in (("faktisk", s4["Faktisk antal"], "5780"), ("forventet", s4["Forventet antal"], "5550"),
                             ("forskel", s4["Forskel mellem forventet og faktisk antal"], "230"),
                             ("pp", s4["Forskel mellem forventet og faktisk andel (pct. point)"], "0,47"),
                             ("rank", s4["Placering på benchmarkranglisten"], "80"),
                             ("rank 2020QMAT02", s2["Placering på benchmarkranglisten"], "83")):
        if got != want:
            fails.append(f"Slagelse {label}: {got} != {want}")
    for period in PERIODS:
        total = [r for r in rows if r["Periode"] == period and r["Ydelsesgrupper"] == GROUPS[0]]
        if sorted(int(r["Placering på benchmarkranglisten"]) for r in total) != list(range(1, 99)):
            fails.append(f"{period}: ranks are not 1..98")
        if {r["Area"] for r in total} != set(POPULATION):
            fails.append(f"{period}: not the 98 municipalities")
        for area in {r["Area"] for r in total}:
            parts = [r for r in rows if r["Periode"] == period and r["Area"] == area and r["Ydelsesgrupper"] != GROUPS[0]]
            tot = pick(period, area)
            for m in ("Forventet antal", "Faktisk antal"):
                if sum(int(r[m]) for r in parts) != int(tot[m]):
                    fails.append(f"{period} {area}: groups do not add up ({m})")
    for r in jrows:           # Næstved's file is cut from the same construction
        twin = pick(r["Periode"], r["Område"], r["Ydelsesgrupper"])
        if twin and str(r["Faktisk antal"]) != twin["Faktisk antal"]:
            fails.append(f"{r['Periode']} {r['Område']}: the two files disagree")
    if build_all() != {p: p.read_bytes() for p in build_all()}:
        fails.append("files on disk differ from a fresh build")
    if fails:
        print("SELF-CHECK FAILED:", *fails[:20], sep="\n  - ")
        raise SystemExit(1)
    report.append("Slagelse 2020QMAT04: 5.780 / 5.550 / +230 / +0,47 pp / nr. 80; 2020QMAT02 nr. 83")
    report.append(f"{len(PERIODS)} periods x 98 municipalities x {len(GROUPS)} groups; ranks 1..98; groups add up")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only read the files back and assert the targets")
    args = ap.parse_args(argv)
    if not args.check:
        for path, data in build_all().items():
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)} ({len(data):,} bytes)")
    for line in check():
        print("ok:", line)
    print("SELF-CHECK PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
