"""`fetch`: download jobindsats.dk extracts through the jobindsats API (v3).

    python pipeline.py fetch --kommune Kalundborg --years 2017-2019

For every table the report needs (ptv_a02, y60a02, y38a02 and STAR's benchmark
y30r21; the request shapes are in fetch_api.py) one request asks for the
municipality, its comparison areas (from data/raw/<slug>/comparison_groups.yaml
if it exists) and Hele landet, month by month over the years (y30r21: every
municipality, QMAT periods), with the hierarchies that give the columns the
readers use (benefit group, visitationskategori). Each response is
stored unchanged as data/raw/<slug>/extracts/<table>_<slug>_<years>.<json|csv>,
with an entry in extracts/PROVENANCE.yaml recording the request (URL and
parameters, never the key) and the retrieval time.

The API key is read from the environment variable JOBINDSATS_API_KEY only. It
is sent as `Authorization: Bearer <key>` and never printed, written or put in
an error message. Only an https:// API URL is used (plain http:// only with
JOBINDSATS_ALLOW_HTTP=1, for the tests' local replay server).

Nothing of a run is kept unless every table was fetched: the new extracts
folder is built in a temporary folder beside the target and swapped in whole.

Retries (429, 5xx, timeouts, dropped connections) use exponential backoff;
the environment variables JOBINDSATS_RETRIES (default 4), JOBINDSATS_BACKOFF
(first delay in seconds, default 1) and JOBINDSATS_TIMEOUT (seconds per
request, default 60) tune them.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from servicetjek import config
from servicetjek.config import NATIONAL_AREA
from servicetjek.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, InputError, Problem
from servicetjek.inputs.fetch_api import (  # noqa: F401  (FetchError, JobindsatsClient, build_request: public API)
    DEFAULT_API_URL,
    DEFAULT_TABLES,
    ENV_KEY,
    FORMATS,
    FetchError,
    JobindsatsClient,
    Response,
    build_request,
    check_api_url,
    file_name,
    table_spec,
)
from servicetjek.inputs.fetch_store import MANIFEST, manifest_entry, store  # noqa: F401 - MANIFEST re-exported
from servicetjek.inputs.secrets import api_key

ENV_RETRIES, ENV_BACKOFF, ENV_TIMEOUT = "JOBINDSATS_RETRIES", "JOBINDSATS_BACKOFF", "JOBINDSATS_TIMEOUT"


# --------------------------------------------------------------------------
# What to fetch
# --------------------------------------------------------------------------
@dataclass
class Target:
    name: str
    slug: str
    area: str
    areas: list[str]
    note: str = ""


def parse_years(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text or "")
    if not match:
        raise InputError(Problem("--years", "skal være et år eller et interval, f.eks. 2017-2019", value=text))
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if first > last or first < 1990 or last > 2100:
        raise InputError(Problem("--years", "skal være stigende år mellem 1990 og 2100", value=text))
    return first, last


def _target(kommune: str) -> Target:
    from servicetjek.inputs.municipality import (
        CONFIG_FILE,
        GROUPS_FILE,
        ComparisonGroups,
        KommuneConfig,
        load_yaml_model,
    )

    slug = config.slugify(kommune)
    if not slug:
        raise InputError(Problem("--kommune", "kommunens navn er tomt", value=kommune))
    folder = config.municipality_dir(slug)
    name = area = kommune.strip()
    if (folder / CONFIG_FILE).is_file():
        cfg = load_yaml_model(folder / CONFIG_FILE, KommuneConfig)
        name, area = cfg.name, cfg.area
    areas = [area]
    if (folder / GROUPS_FILE).is_file():
        groups = load_yaml_model(folder / GROUPS_FILE, ComparisonGroups)
        for group in groups.groups:
            areas += [m for m in group.members if m not in areas]
        note = f"områder fra {folder / GROUPS_FILE}"
    else:
        note = (f"{folder / GROUPS_FILE} findes ikke endnu: henter kun {area} og {NATIONAL_AREA}. "
                "Udfyld sammenligningsgrupperne og kør fetch igen for at hente dem.")
    if NATIONAL_AREA not in areas:
        areas.append(NATIONAL_AREA)
    return Target(name=name, slug=slug, area=area, areas=areas, note=note)


def _check_tables(tables: list[str]) -> list[str]:
    from servicetjek.inputs.taxonomy import load as load_taxonomy

    known = load_taxonomy().tables
    tables = [t.strip().lower() for t in tables if t.strip()]
    if not tables:
        raise InputError(Problem("--tables", "ingen tabeller angivet"))
    unknown = [t for t in tables if t not in known]
    if unknown:
        raise InputError(Problem("--tables", f"ukendt tabel; læserne kender {sorted(known)} "
                                 "(reference/taxonomy.yaml, afsnittet tables)", value=", ".join(unknown)))
    return list(dict.fromkeys(tables))


def _settings() -> dict:
    out = {}
    for env, key, kind, default in ((ENV_RETRIES, "retries", int, 4), (ENV_BACKOFF, "backoff", float, 1.0),
                                    (ENV_TIMEOUT, "timeout", float, 60.0)):
        raw = os.environ.get(env)
        try:
            value = kind(raw) if raw not in (None, "") else default
        except ValueError:
            raise InputError(Problem(env, "skal være et tal", value=raw)) from None
        if value < 0 or (key == "timeout" and value == 0):
            raise InputError(Problem(env, "skal være positiv", value=raw))
        out[key] = value
    return out


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------
@dataclass
class FetchOptions:
    """How to fetch: the API, the tables, the format; `dry_run` only prints the requests."""

    api_url: str | None = None
    dry_run: bool = False
    tables: list[str] | None = None
    out_dir: Path | None = None
    fmt: str = "json"


def fetch(kommune: str, years: tuple[int, int], options: FetchOptions | None = None,
          client: JobindsatsClient | None = None, out=None) -> list[Path]:
    """Fetch the tables for a municipality, its comparison areas and Hele landet.

    `options.out_dir` is the extracts folder (default data/raw/<slug>/extracts). Returns the stored files
    ([] on a dry run). Raises InputError (bad input, missing key, an http:// URL) or FetchError
    (network/API); on either nothing is written.
    """
    opt = options or FetchOptions()
    out = out or sys.stdout
    first, last = years
    if first > last:
        raise InputError(Problem("--years", "første år ligger efter sidste år", value=f"{first}-{last}"))
    if opt.fmt not in FORMATS:
        raise InputError(Problem("--format", f"skal være en af {list(FORMATS)}", value=opt.fmt))
    tables = _check_tables(opt.tables or DEFAULT_TABLES)
    target = _target(kommune)
    api_url = check_api_url(opt.api_url or DEFAULT_API_URL)
    target_dir = Path(opt.out_dir) if opt.out_dir else config.municipality_dir(target.slug) / "extracts"
    requests_ = [build_request(api_url, t, target.areas, years, opt.fmt) for t in tables]
    key = None if opt.dry_run or client else api_key()
    print(f"{target.name}: {len(requests_)} tabel(ler) for {len(target.areas)} områder "
          f"({', '.join(target.areas)}), {first}-{last}", file=out)
    if target.note:
        print(f"  {target.note}", file=out)
    if opt.dry_run:
        _print_dry_run(requests_, target_dir, target.slug, years, opt.fmt, out)
        return []

    client = client or JobindsatsClient(api_key=key, **_settings())
    files: dict[str, tuple[bytes, dict]] = {}
    for req in requests_:
        print(f"  henter {req.table} ...", file=out, flush=True)
        resp = client.get(req)
        name = file_name(req.table, target.slug, years, opt.fmt)
        files[name] = (resp.body, manifest_entry(resp, name, target.areas, years))
    stored = store(target_dir, files)
    for path in stored:
        print(f"  skrev {path} ({path.stat().st_size} bytes)", file=out)
    _warn_unreadable(stored, out)
    _warn_overlap(target_dir, stored, out)
    return stored


def _print_dry_run(requests_: list, target_dir: Path, slug: str, years: tuple[int, int], fmt: str, out) -> None:
    print(f"Tørkørsel: disse forespørgsler ville blive sendt (med 'Authorization: Bearer <{ENV_KEY}>'); "
          "intet hentes eller skrives.", file=out)
    for req in requests_:
        spec = table_spec(req.table)
        hierarchies = ", ".join(f"{k.removeprefix('hierarchy.')}={v if len(v) < 40 else v[:37] + '…'}"
                                for k, v in req.params if k.startswith("hierarchy."))
        print(f"tabel {req.table} ({spec.title}): periode {spec.period}, hierarkier {hierarchies}", file=out)
        print(f"{req.method} {req.full_url()}", file=out)
        for name, value in req.params:
            print(f"    {name} = {value}", file=out)
        print(f"    -> {target_dir / file_name(req.table, slug, years, fmt)}", file=out)


def _warn_overlap(folder: Path, stored: list[Path], out) -> None:
    """Older extracts of the same table may hold the same rows; prepare rejects rows found in two files."""
    from servicetjek.inputs.taxonomy import load as load_taxonomy

    taxonomy = load_taxonomy()
    new = {p.name for p in stored}
    tables = {taxonomy.table_id(n) for n in new}
    others = sorted(p.name for p in folder.iterdir() if p.name not in new and p.name != MANIFEST
                    and not p.name.startswith(".") and taxonomy.table_id(p.name) in tables)
    if others:
        print(f"  BEMÆRK: {folder} har også ældre udtræk af de samme tabeller: {', '.join(others)}. "
              "prepare afviser rækker, der findes i to filer; fjern de gamle filer (og deres poster i "
              f"{MANIFEST}), hvis de dækker de samme områder og perioder.", file=out)


def _warn_unreadable(paths: list[Path], out) -> None:
    """The files are kept as the API sent them; say so if the readers cannot use them yet."""
    from servicetjek.inputs.benchmark_extract import is_benchmark, read_benchmark
    from servicetjek.inputs.extracts import read_extract

    for path in paths:
        try:
            (read_benchmark if is_benchmark(path) else read_extract)(path)
        except InputError as err:
            print(f"  ADVARSEL: {path.name} er gemt, men kan ikke læses af prepare endnu:\n{err.render()}", file=out)


def cmd_fetch(args: argparse.Namespace) -> int:
    try:
        if args.years:
            years = parse_years(args.years)
        else:
            years = _years_from_config(args.kommune)
        tables = args.tables.split(",") if args.tables else None
        fetch(args.kommune, years, FetchOptions(api_url=args.api_url, dry_run=args.dry_run, tables=tables,
                                                fmt=args.format))
    except InputError as err:
        print(f"FEJL i input:\n{err.render()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except FetchError as err:
        print(f"FEJL: {err}\nIntet er skrevet.", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _years_from_config(kommune: str) -> tuple[int, int]:
    from servicetjek.inputs.municipality import CONFIG_FILE, KommuneConfig, load_yaml_model

    file = config.municipality_dir(config.slugify(kommune)) / CONFIG_FILE
    if not file.is_file():
        raise InputError(Problem("--years", f"mangler; angiv årene, f.eks. --years 2017-2019 ({file} findes ikke)"))
    years = load_yaml_model(file, KommuneConfig).years
    return years.longrun_start, years.latest


def register(subparsers) -> argparse.ArgumentParser:
    """Add `fetch` to pipeline.py's subcommands."""
    p = subparsers.add_parser(
        "fetch", help="hent jobindsats-udtræk via jobindsats' API til data/raw/<slug>/extracts/",
        description="Henter de tabeller, kapitlerne bruger (standard: " + ", ".join(DEFAULT_TABLES) + "), fra "
                    "jobindsats' API (v3) for kommunen, dens sammenligningsområder (fra comparison_groups.yaml, "
                    "hvis den findes) og hele landet, måned for måned. Svarene gemmes uændret i "
                    "data/raw/<slug>/extracts/ med forespørgsel og hentetidspunkt i PROVENANCE.yaml. "
                    f"Nøglen læses kun fra miljøvariablen {ENV_KEY} og skrives aldrig nogen steder. "
                    "Fejler én tabel, gemmes intet fra kørslen.",
        epilog="Exit-status: 0 = hentet, 1 = API- eller netværksfejl (intet skrevet), 2 = fejl i input, f.eks. "
               f"manglende {ENV_KEY} eller ugyldig --years (intet skrevet). Genforsøg ved 429/5xx/timeout styres "
               f"af {ENV_RETRIES} (antal, standard 4), {ENV_BACKOFF} (første ventetid i sekunder, standard 1) og "
               f"{ENV_TIMEOUT} (sekunder pr. forespørgsel, standard 60).")
    p.add_argument("--kommune", required=True, metavar="NAVN",
                   help="kommunens navn, som jobindsats staver det, f.eks. Kalundborg")
    p.add_argument("--years", metavar="FRA-TIL",
                   help="årene, f.eks. 2017-2019 (standard: longrun_start til seneste statusår i kommune.yaml)")
    p.add_argument("--api-url", metavar="URL", help=f"API'ets https://-adresse (standard: {DEFAULT_API_URL})")
    p.add_argument("--dry-run", action="store_true",
                   help="vis de forespørgsler, der ville blive sendt (uden nøgle); hent og skriv intet")
    p.add_argument("--tables", metavar="T1,T2",
                   help="kommasepareret liste af tabeller (standard: " + ",".join(DEFAULT_TABLES) + ")")
    p.add_argument("--format", choices=FORMATS, default="json",
                   help="svarformat: json (v3 JSON, standard) eller csv (';'-separeret)")
    p.set_defaults(func=cmd_fetch)
    return p
