"""Generate constructed public-data inputs for all 98 municipalities (issue 16), for the batch of
public-data reports (`build --all --rapport offentlig`) and its benchmark. No real extracts can be fetched
here, so every number written is constructed and marked so in the provenance the loader reads
(extracts/PROVENANCE.yaml, the population.csv column, kommune.yaml and comparison_groups.yaml).

How the numbers are made
------------------------
* Names: the 98 municipalities as jobindsats spells the areas, with a rounded 2020 population, are
  tools/construct_benchmark.py's ``POPULATION`` (one list; the y30r21 benchmark already covers them all).
* Template: Slagelse's own monthly series in its bundled (constructed) extracts: ptv_a02 2014-2019 by
  benefit group, y60a02 and y38a02 2017-2019 by visitation category, and its population 16-64.
* An area A's series = Slagelse's × population(A) / population(Slagelse) × a level (0,7-1,3) × a factor per
  benefit group (0,8-1,2) × a trend (-4 to +4 pct. a year from 2017). The factors come from SHA-256 of
  text keys (the area's name, the seed), so an area has the same numbers in every folder it appears in.
  'Ydelsesgrupper i alt' is the sum of the rounded groups; a visitation category uses its group's factor.
* Comparison groups: the near labour market is the five municipalities nearest in the list within the
  same region; the klynge is the six municipalities in other regions nearest in population.
* National series and the benchmark (y30r21, all 98) are copied from Slagelse's folder.

Output: <data dir>/raw/<slug>/ for each municipality, plus <data dir>/raw/reference/ (copied), so that
``SERVICETJEK_DATA=<data dir> python pipeline.py build --all --rapport offentlig`` builds them all. The data
dir must be given and must not be the project's data/ (generated data is never committed).

    .venv/bin/python tools/generate_kommuner.py /tmp/kommuner            # all 98
    .venv/bin/python tools/generate_kommuner.py /tmp/kommuner --antal 5  # the first 5 (tests)

Deterministic: no clock, no RNG state; the same arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from construct_benchmark import POPULATION  # noqa: E402 - the one list of the 98 names

TEMPLATE = ROOT / "data" / "raw" / "slagelse"
TEMPLATE_AREA = "Slagelse"
# POPULATION lists the municipalities region by region, in this order and these numbers.
REGIONS = (("Hovedstaden", "Albertslund", 29), ("Sjælland", "Faxe", 17), ("Syddanmark", "Assens", 22),
           ("Midtjylland", "Favrskov", 19), ("Nordjylland", "Brønderslev", 11))
NEAR, KLYNGE = 5, 6
COPIED = ("ptv_a02_hele-landet_2017-2019.xlsx", "y60a02_hele-landet_2017-2019.xlsx",
          "y38a02_hele-landet_2017-2019.json", "y30r21_hele-landet_2017QMAT02-2020QMAT04.csv")
MEASURES = ["Antal personer", "Antal fuldtidspersoner", "Fuldtidspersoner i pct. af befolkningen 16-64 år"]
PROVENANCE = "constructed: tools/generate_kommuner.py (seed {seed}); Slagelse's constructed series scaled by " \
             "population, a level, a factor per benefit group and a trend per area; not jobindsats data"
BOM = "\ufeff"


def u(*key: object) -> float:
    """A deterministic number in [0, 1) from a text key."""
    digest = hashlib.sha256("|".join(map(str, key)).encode("utf-8")).hexdigest()
    return int(digest[:12], 16) / 16 ** 12


def slugify(name: str) -> str:
    sys.path.insert(0, str(ROOT))
    from servicetjek.config import slugify as project_slugify

    return project_slugify(name)


def regions() -> dict[str, str]:
    """name -> region, from the order of POPULATION (checked against REGIONS)."""
    names, out, start = list(POPULATION), {}, 0
    for region, first, count in REGIONS:
        if names[start] != first:
            raise SystemExit(f"POPULATION's order changed: expected {first} to open {region}")
        out.update({n: region for n in names[start:start + count]})
        start += count
    if start != 98 or len(names) != 98:
        raise SystemExit(f"expected 98 municipalities, found {len(names)}")
    return out


def comparison(name: str, region_of: dict[str, str]) -> tuple[list[str], list[str]]:
    """(near labour market, klynge) members for a municipality."""
    same = [n for n in POPULATION if region_of[n] == region_of[name]]
    i = same.index(name)
    near = sorted((n for n in same if n != name), key=lambda n: (min(abs(same.index(n) - i),
                                                                       len(same) - abs(same.index(n) - i)), n))
    size = math.log(POPULATION[name])
    others = [n for n in POPULATION if region_of[n] != region_of[name]]
    klynge = sorted(others, key=lambda n: (abs(math.log(POPULATION[n]) - size), n))
    return near[:NEAR], klynge[:KLYNGE]


def factor(area: str, group: str, year: float, seed: int) -> float:
    level = 0.7 + 0.6 * u(seed, area, "level")
    per_group = 0.8 + 0.4 * u(seed, area, "group", group)
    trend = (1 + (u(seed, area, "trend") - 0.5) * 0.08) ** (year - 2017)
    return POPULATION[area] / POPULATION[TEMPLATE_AREA] * level * per_group * trend


def _read_csv(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    return frame.rename(columns={"Område": "Area"})


def template() -> dict[str, pd.DataFrame]:
    """Slagelse's own rows of its three comparison extracts, and its population."""
    ext = TEMPLATE / "extracts"
    ptv = _read_csv(next(ext.glob("ptv_a02_slagelse-*.csv")))
    raw = json.loads(next(ext.glob("y60a02_slagelse-*.json")).read_text(encoding="utf-8"))
    y60 = pd.DataFrame(raw["rows"], columns=raw["columns"]).rename(columns={"Område": "Area"})
    y38 = _read_csv(next(ext.glob("y38a02_slagelse-*.csv")))
    pop = pd.read_csv(TEMPLATE / "population.csv")
    own = {k: f[f["Area"] == TEMPLATE_AREA].drop(columns="Area") for k, f in
           (("ptv_a02", ptv), ("y60a02", y60), ("y38a02", y38))}
    own["population"] = pop
    return own


def _year(period: str) -> float:
    return int(period[:4]) + (int(period[5:]) - 1) / 12 if "M" in period else float(period[:4])


def scaled(rows: pd.DataFrame, area: str, key: str, group_of, pop: dict[int, int], seed: int) -> pd.DataFrame:
    """The template's rows for one area: counts scaled, rounded, the share recomputed from its population."""
    out = rows.copy()
    groups = out.apply(group_of, axis=1)
    per_group = {g: factor(area, g, 2017, seed) for g in groups.unique()}    # without the trend
    trend = 1 + (u(seed, area, "trend") - 0.5) * 0.08
    f = (groups.map(per_group) * trend ** (out["Periode"].map(_year) - 2017)).to_numpy()
    out["Antal personer"] = (out["Antal personer"] * f).round().astype(int)
    out["Antal fuldtidspersoner"] = (out["Antal fuldtidspersoner"] * f).round(1)
    out.insert(0, "Area", area)
    if key == "ptv_a02":        # 'I alt' is the sum of the groups
        parts = out[out["Ydelsesgrupper"] != "Ydelsesgrupper i alt"]
        total = parts.groupby("Periode", as_index=False)[["Antal personer", "Antal fuldtidspersoner"]].sum()
        total.insert(0, "Area", area)
        total.insert(2, "Ydelsesgrupper", "Ydelsesgrupper i alt")
        out = pd.concat([parts, total], ignore_index=True)
    years = out["Periode"].str[:4].astype(int)
    out[MEASURES[2]] = (out["Antal fuldtidspersoner"] / years.map(pop) * 100).round(1)
    return out


def _write_csv(frame: pd.DataFrame, path: Path, v3: bool) -> None:
    frame = frame.rename(columns={"Area": "Område"}) if v3 else frame
    text = frame.to_csv(sep=";", decimal=",", index=False, float_format="%.1f", lineterminator="\n")
    path.write_text((BOM if v3 else "") + text, encoding="utf-8")


def area_population(area: str, base: pd.DataFrame) -> dict[int, int]:
    own = base[base["area"] == TEMPLATE_AREA].set_index("year")["persons"]
    return {int(y): int(round(p * POPULATION[area] / POPULATION[TEMPLATE_AREA])) for y, p in own.items()}


def write_municipality(name: str, folder: Path, tpl: dict[str, pd.DataFrame], seed: int,
                       region_of: dict[str, str]) -> None:
    near, klynge = comparison(name, region_of)
    areas = [name, *near, *klynge]
    pops = {a: area_population(a, tpl["population"]) for a in areas}
    ext = folder / "extracts"
    ext.mkdir(parents=True)
    slug = slugify(name)
    files = []
    specs = (("ptv_a02", "2014M01-2019M12", lambda r: r["Ydelsesgrupper"], False),
             ("y60a02", "2017M01-2019M12", lambda r: "Kontanthjælp", True),
             ("y38a02", "2017M01-2019M12", lambda r: "Uddannelseshjælp", True))
    provenance = PROVENANCE.format(seed=seed)
    for table, periods, group_of, v3 in specs:
        frame = pd.concat([scaled(tpl[table], a, table, group_of, pops[a], seed) for a in areas], ignore_index=True)
        file = f"{table}_{slug}-sammenligning_{periods}.csv"
        _write_csv(frame, ext / file, v3)
        files.append({"file": file, "table": table, "format": "v3-csv" if v3 else "v2-csv", "areas": areas,
                      "periods": periods, "provenance": provenance})
    for file in COPIED:
        shutil.copyfile(TEMPLATE / "extracts" / file, ext / file)
        files.append({"file": file, "table": file.split("_")[0], "format": _format(file), "areas": "Hele landet",
                      "provenance": "constructed: copied by tools/generate_kommuner.py from the bundled "
                                    "data/raw/slagelse/extracts (constructed there)"})
    _write_yaml(ext / "PROVENANCE.yaml", {"files": files})
    pop_rows = [(a, y, "16-64", p, provenance) for a in areas for y, p in sorted(pops[a].items())]
    national = tpl["population"][tpl["population"]["area"] == "Hele landet"]
    pop_rows += [(r.area, int(r.year), r.age_band, int(r.persons), r.provenance) for r in national.itertuples()]
    pd.DataFrame(pop_rows, columns=["area", "year", "age_band", "persons", "provenance"]).to_csv(
        folder / "population.csv", index=False, lineterminator="\n")
    _write_yaml(folder / "kommune.yaml", _settings(name, provenance))
    _write_yaml(folder / "comparison_groups.yaml", {"groups": [
        {"id": "naert", "role": "near_labour_market", "name": f"Nabokommuner i Region {region_of[name]}",
         "short_name": "Nabokommuner", "members": near, "provenance": f"constructed: the {NEAR} nearest in "
                                                                      "tools/generate_kommuner.py's list, same region"},
        {"id": "klynge", "role": "klynge", "name": "Klynge", "short_name": "Klynge", "members": klynge,
         "provenance": f"constructed: the {KLYNGE} municipalities in other regions nearest in population"},
        {"id": "landet", "role": "national", "name": "Hele landet", "short_name": "Hele landet",
         "members": ["Hele landet"], "provenance": "constructed: the whole country, as jobindsats names it"}]})


def _format(file: str) -> str:
    return {".xlsx": "xlsx", ".json": "v3-json"}.get(Path(file).suffix, "v2-csv")


def _settings(name: str, provenance: str) -> dict:
    base = _read_yaml(TEMPLATE / "kommune.yaml")
    return {"name": name, "area": name,
            "report": {"title": "Beskæftigelsesområdet i offentlige tal", "subtitle": "", "consultant": "",
                       "published": base["report"]["published"]},
            "years": base["years"], "national_forecast": base["national_forecast"],
            "allow_missing_months": False, "provenance": provenance}


def _read_yaml(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write_yaml(path: Path, data: dict) -> None:
    import yaml

    header = "# Generated by tools/generate_kommuner.py -- constructed, not real data; do not commit.\n"
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")


def generate(data_dir: Path, count: int | None = None, seed: int = 16) -> list[str]:
    """Write <data_dir>/raw/<slug>/ for the first `count` municipalities (all 98 by default); returns the
    names. An existing folder of a municipality is replaced (the folder is the generator's own)."""
    data_dir = data_dir.resolve()
    if data_dir == (ROOT / "data").resolve() or data_dir.is_relative_to((ROOT / "data" / "raw").resolve()):
        raise SystemExit("FEJL: skriv ikke genererede data i projektets data/; angiv en anden mappe")
    region_of = regions()
    tpl = template()
    raw = data_dir / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "data" / "raw" / "reference", raw / "reference", dirs_exist_ok=True)
    names = list(POPULATION)[:count] if count else list(POPULATION)
    for name in names:
        folder = raw / slugify(name)
        shutil.rmtree(folder, ignore_errors=True)
        write_municipality(name, folder, tpl, seed, region_of)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Konstruerede offentlige data for de 98 kommuner")
    parser.add_argument("data_dir", type=Path, help="datamappen (skrives i <mappe>/raw/); aldrig projektets data/")
    parser.add_argument("--antal", type=int, default=None, help="kun de første N kommuner (standard: alle 98)")
    parser.add_argument("--seed", type=int, default=16, help="frø for de konstruerede faktorer (standard: 16)")
    args = parser.parse_args(argv)
    names = generate(args.data_dir, args.antal, args.seed)
    print(f"skrev {len(names)} kommuner i {args.data_dir / 'raw'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
