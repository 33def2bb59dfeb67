"""`fetch`: download jobindsats.dk extracts through the jobindsats API (v3).

    python pipeline.py fetch --kommune Kalundborg --years 2017-2019

For every table (default: ptv_a02, y60a02, y38a02) one request asks for the
municipality, its comparison areas (from data/raw/<slug>/comparison_groups.yaml
if it exists) and Hele landet, month by month over the years. Each response is
stored unchanged as data/raw/<slug>/extracts/<table>_<slug>_<years>.<json|csv>,
with an entry in extracts/PROVENANCE.yaml recording the request (URL and
parameters, never the key) and the retrieval time.

The API key is read from the environment variable JOBINDSATS_API_KEY only. It
is sent as `Authorization: Bearer <key>` and never printed, written or put in
an error message.

Nothing of a run is kept unless every table was fetched: the new extracts
folder is built in a temporary folder beside the target and swapped in whole.

Retries (429, 5xx, timeouts, dropped connections) use exponential backoff;
the environment variables JOBINDSATS_RETRIES (default 4), JOBINDSATS_BACKOFF
(first delay in seconds, default 1) and JOBINDSATS_TIMEOUT (seconds per
request, default 60) tune them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from servicetjek import config
from servicetjek.config import NATIONAL_AREA
from servicetjek.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, InputError, Problem
from servicetjek.inputs.fetch_store import MANIFEST, manifest_entry, store, stored_format  # noqa: F401 - re-exported
from servicetjek.inputs.secrets import ENV_KEY, api_key, key_problem, scrub

if TYPE_CHECKING:
    import requests

DEFAULT_API_URL = "https://api.jobindsats.dk/v3"
ENV_RETRIES, ENV_BACKOFF, ENV_TIMEOUT = "JOBINDSATS_RETRIES", "JOBINDSATS_BACKOFF", "JOBINDSATS_TIMEOUT"
# The tables the chapters read: all benefit groups, and the two split by visitationskategori.
DEFAULT_TABLES = ["ptv_a02", "y60a02", "y38a02"]
FORMATS = ("json", "csv")
MAX_RETRY_AFTER = 120.0


class FetchError(Exception):
    """The API or the network failed (exit status 1). The message never holds the key."""


# --------------------------------------------------------------------------
# The request shape: THE ONE PLACE to correct if the API differs.
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class ApiRequest:
    """One GET to the API (without the key, which the client adds as a header)."""

    table: str
    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    fmt: str  # "json" or "csv"

    def full_url(self) -> str:
        import requests

        return requests.Request(self.method, self.url, params=list(self.params)).prepare().url

    def as_record(self) -> dict:
        """For PROVENANCE.yaml and --dry-run: method, URL, parameters. No key."""
        return {"method": self.method, "url": self.url, "params": {k: v for k, v in self.params}}


def build_request(api_url: str, table: str, areas: list[str], years: tuple[int, int], fmt: str = "json") -> ApiRequest:
    """The v3 data request for one table, all areas, every month of the years.

    Shape (api.jobindsats.dk v3, as used in public clients of the API; check
    against STAR's "Brugervejledning til version 3" when a key is at hand):

        GET {base}/data/{table}?mgroup.*=*&period.M=2017M01,...,2019M12
            &hierarchy._nykom=Kalundborg,Holbæk,...,Hele landet&format=json
        Authorization: Bearer <key>

    `mgroup.*=*` asks for every measure group and measure, `period.M` lists
    the months, `hierarchy._nykom` the areas (municipalities as jobindsats
    spells them, and Hele landet), `format` json (v3 JSON `{"columns", "rows"}`)
    or csv (`;`-separated). The readers in extracts.py accept both.
    """
    first, last = years
    months = [f"{y}M{m:02d}" for y in range(first, last + 1) for m in range(1, 13)]
    params = (
        ("mgroup.*", "*"),
        ("period.M", ",".join(months)),
        ("hierarchy._nykom", ",".join(areas)),
        ("format", fmt),
    )
    return ApiRequest(table=table, method="GET", url=f"{api_url.rstrip('/')}/data/{table}", params=params, fmt=fmt)


def file_name(table: str, slug: str, years: tuple[int, int], fmt: str) -> str:
    span = f"{years[0]}-{years[1]}" if years[0] != years[1] else str(years[0])
    return f"{table}_{slug}_{span}.{fmt}"


# --------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------
@dataclass
class Response:
    request: ApiRequest
    body: bytes
    retrieved: str  # UTC ISO 8601


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class JobindsatsClient:
    """Sends ApiRequests with the key, retrying with exponential backoff."""

    api_key: str = field(repr=False)
    retries: int = 4
    backoff: float = 1.0
    max_delay: float = 30.0
    timeout: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    log: Callable[[str], None] = field(default=lambda msg: print(msg, file=sys.stderr), repr=False)

    def __post_init__(self) -> None:
        import requests

        problem = key_problem(self.api_key or "")
        if problem:     # before any header is built: requests would quote the key in its error
            raise InputError(Problem(ENV_KEY, f"{problem} (nøglen vises ikke)"))
        self._session = requests.Session()

    def __repr__(self) -> str:  # never show the key
        return (f"JobindsatsClient(api_key='***', retries={self.retries}, backoff={self.backoff}, "
                f"timeout={self.timeout})")

    def _scrub(self, text: str) -> str:
        return scrub(text, self.api_key)

    def get(self, req: ApiRequest) -> Response:
        import requests

        headers = {"Authorization": f"Bearer {self.api_key}",
                   "Accept": "application/json" if req.fmt == "json" else "text/csv"}
        attempts = self.retries + 1
        for attempt in range(attempts):
            retry_after = None
            try:
                resp = self._session.request(req.method, req.url, params=list(req.params), headers=headers,
                                             timeout=self.timeout)
            except requests.Timeout:
                reason = f"intet svar inden for {self.timeout:g} s"
            except requests.ConnectionError as err:
                reason = f"forbindelsen til {req.url} fejlede eller blev afbrudt ({type(err).__name__})"
            except (requests.RequestException, ValueError) as err:   # e.g. InvalidHeader: its text may hold the key
                raise FetchError(self._scrub(f"forespørgslen på tabel {req.table} kunne ikke sendes "
                                             f"({type(err).__name__}: {err})")) from None
            else:
                if resp.status_code == 200:
                    retrieved = _now()
                    _check_body(req, resp.content)
                    return Response(req, resp.content, retrieved)
                if resp.status_code == 429 or resp.status_code >= 500:
                    reason = f"HTTP {resp.status_code}" + (" (for mange forespørgsler)" if resp.status_code == 429 else "")
                    retry_after = _retry_after(resp.headers.get("Retry-After"))
                else:
                    raise FetchError(self._scrub(_client_error(req, resp)))
            if attempt == attempts - 1:
                raise FetchError(self._scrub(
                    f"jobindsats-API'et svarede ikke for tabel {req.table}: {reason}; opgav efter {attempts} forsøg"))
            delay = retry_after if retry_after is not None else min(self.max_delay, self.backoff * 2 ** attempt)
            self.log(self._scrub(f"  {req.table}: {reason}; prøver igen om {delay:.2f} s "
                                 f"(forsøg {attempt + 2} af {attempts})"))
            self.sleep(delay)
        raise AssertionError("unreachable")


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (numbers only; an HTTP date falls back to backoff)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _api_cause(resp: requests.Response) -> str | None:
    try:
        doc = resp.json()
    except ValueError:
        return None
    if isinstance(doc, dict):
        for key in ("cause", "message", "error", "detail"):
            if doc.get(key):
                return str(doc[key])
    return None


def _client_error(req: ApiRequest, resp: requests.Response) -> str:
    code = resp.status_code
    if code in (401, 403):
        return (f"jobindsats-API'et afviste nøglen (HTTP {code}): nøglen i {ENV_KEY} er forkert, udløbet "
                "eller har ikke adgang. Bestil eller forny nøglen hos STAR (jobindsats@star.dk), og sæt "
                f"{ENV_KEY} igen.")
    cause = _api_cause(resp)
    if code == 422:
        return (f"jobindsats-API'et kunne ikke besvare forespørgslen på tabel {req.table} (HTTP 422): "
                f"{cause or 'ingen årsag angivet'}. Tjek tabel, områdenavne og år.")
    if code == 404:
        return (f"jobindsats-API'et kender ikke adressen {req.url} (HTTP 404): findes tabellen "
                f"'{req.table}', og er --api-url rigtig?" + (f" Årsag: {cause}" if cause else ""))
    text = cause or resp.text[:200].strip() or resp.reason or ""
    return f"jobindsats-API'et afviste forespørgslen på tabel {req.table} (HTTP {code}): {text}"


def _check_body(req: ApiRequest, body: bytes) -> None:
    """The body must be in the shape the readers accept; it is stored unchanged."""
    if req.fmt == "json":
        try:
            doc = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise FetchError(f"svaret for tabel {req.table} er ikke gyldig JSON ({err})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("columns"), list) or not isinstance(doc.get("rows"), list):
            raise FetchError(f'svaret for tabel {req.table} har ikke formen {{"columns": [...], "rows": [[...]]}}')
    else:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise FetchError(f"svaret for tabel {req.table} er ikke UTF-8 ({err.reason})") from None
        first = text.splitlines()[0] if text.strip() else ""
        if ";" not in first:
            raise FetchError(f"svaret for tabel {req.table} er ikke en ';'-separeret CSV med overskriftsrække")


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
@dataclass(frozen=True)
class FetchOptions:
    api_url: str | None = None
    dry_run: bool = False
    tables: list[str] | None = None
    out_dir: Path | None = None
    fmt: str = "json"


def fetch(kommune: str, years: tuple[int, int], options: FetchOptions | None = None,
          client: JobindsatsClient | None = None, out=None) -> list[Path]:
    """Fetch the tables for a municipality, its comparison areas and Hele landet.

    `out_dir` is the extracts folder (default data/raw/<slug>/extracts). Returns
    the stored files ([] on a dry run). Raises InputError (bad input, missing
    key) or FetchError (network/API); on either nothing is written.
    """
    out = out or sys.stdout
    opts = options or FetchOptions()
    api_url, dry_run, tables, out_dir, fmt = opts.api_url, opts.dry_run, opts.tables, opts.out_dir, opts.fmt
    first, last = years
    if first > last:
        raise InputError(Problem("--years", "første år ligger efter sidste år", value=f"{first}-{last}"))
    if fmt not in FORMATS:
        raise InputError(Problem("--format", f"skal være en af {list(FORMATS)}", value=fmt))
    tables = _check_tables(tables or DEFAULT_TABLES)
    target = _target(kommune)
    api_url = api_url or DEFAULT_API_URL
    target_dir = Path(out_dir) if out_dir else config.municipality_dir(target.slug) / "extracts"
    requests_ = [build_request(api_url, t, target.areas, years, fmt) for t in tables]
    key = None if dry_run or client else api_key()
    print(f"{target.name}: {len(requests_)} tabel(ler) for {len(target.areas)} områder "
          f"({', '.join(target.areas)}), {first}-{last}", file=out)
    if target.note:
        print(f"  {target.note}", file=out)

    if dry_run:
        print(f"Tørkørsel: disse forespørgsler ville blive sendt (med 'Authorization: Bearer <{ENV_KEY}>'); "
              "intet hentes eller skrives.", file=out)
        for req in requests_:
            print(f"{req.method} {req.full_url()}", file=out)
            for name, value in req.params:
                print(f"    {name} = {value}", file=out)
            print(f"    -> {target_dir / file_name(req.table, target.slug, years, fmt)}", file=out)
        return []

    client = client or JobindsatsClient(api_key=key, **_settings())
    files: dict[str, tuple[bytes, dict]] = {}
    for req in requests_:
        print(f"  henter {req.table} ...", file=out, flush=True)
        resp = client.get(req)
        name = file_name(req.table, target.slug, years, fmt)
        files[name] = (resp.body, manifest_entry(resp, name, target.areas, years))
    stored = store(target_dir, files)
    for path in stored:
        print(f"  skrev {path} ({path.stat().st_size} bytes)", file=out)
    _warn_unreadable(stored, out)
    _warn_overlap(target_dir, stored, out)
    return stored


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
    from servicetjek.inputs.extracts import read_extract

    for path in paths:
        try:
            read_extract(path)
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
    p.add_argument("--api-url", metavar="URL", help=f"API'ets adresse (standard: {DEFAULT_API_URL})")
    p.add_argument("--dry-run", action="store_true",
                   help="vis de forespørgsler, der ville blive sendt (uden nøgle); hent og skriv intet")
    p.add_argument("--tables", metavar="T1,T2",
                   help="kommasepareret liste af tabeller (standard: " + ",".join(DEFAULT_TABLES) + ")")
    p.add_argument("--format", choices=FORMATS, default="json",
                   help="svarformat: json (v3 JSON, standard) eller csv (';'-separeret)")
    p.set_defaults(func=cmd_fetch)
    return p
