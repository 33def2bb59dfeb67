"""The jobindsats API (v3): the request shape for each table the report needs, and the client that sends
it with the key (retries with backoff, errors in Danish, the key never shown). Used by inputs/fetch.py.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlparse

from servicetjek.errors import InputError, Problem
from servicetjek.inputs.secrets import ENV_KEY, key_problem, scrub

if TYPE_CHECKING:
    import requests

DEFAULT_API_URL = "https://api.jobindsats.dk/v3"
ENV_ALLOW_HTTP = "JOBINDSATS_ALLOW_HTTP"
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


@dataclass(frozen=True)
class TableSpec:
    """What the report needs from one table: its period type and the hierarchies (dimensions) that give the
    columns the readers use. The area hierarchy `_nykom` is always sent."""

    table: str
    title: str
    period: str = "M"                                    # "M" (months) or "QMAT" (12 months to a quarter)
    hierarchies: tuple[tuple[str, str], ...] = ()        # (hierarchy, values), "*" = every value
    all_areas: bool = False                              # every municipality (a ranking among all 98)


# The report's tables and the hierarchies that give its columns (hierarchy names as public clients of the
# v3 API send them; see README "Hente udtræk"). A table not listed gets months and the area only.
TABLE_SPECS = {
    "ptv_a02": TableSpec("ptv_a02", "offentligt forsørgede, alle ydelsesgrupper", "M", (("_ygrpa02", "*"),)),
    "y60a02": TableSpec("y60a02", "kontanthjælp efter visitationskategori", "M", (("_viskat_1kth", "*"),)),
    "y36a02": TableSpec("y36a02", "kontanthjælp efter visitationskategori (nyt tabel-id)", "M",
                        (("_viskat_1kth", "*"),)),
    "y38a02": TableSpec("y38a02", "uddannelseshjælp efter visitationskategori", "M", (("_viskat_2udh", "*"),)),
    "y30r21": TableSpec("y30r21", "STAR's benchmark: forventet og faktisk andel på offentlig forsørgelse", "QMAT",
                        (("_ygrp_y30r21", "*"),), all_areas=True),
}
# Everything the report's chapters read (status, scenarier: ptv_a02; the splits: y60a02, y38a02; benchmark: y30r21).
DEFAULT_TABLES = ["ptv_a02", "y60a02", "y38a02", "y30r21"]


def table_spec(table: str) -> TableSpec:
    return TABLE_SPECS.get(table) or TableSpec(table, table)


def periods(spec: TableSpec, years: tuple[int, int]) -> list[str]:
    first, last = years
    if spec.period == "QMAT":
        return [f"{y}QMAT{q:02d}" for y in range(first, last + 1) for q in range(1, 5)]
    return [f"{y}M{m:02d}" for y in range(first, last + 1) for m in range(1, 13)]


def build_request(api_url: str, table: str, areas: list[str], years: tuple[int, int], fmt: str = "json") -> ApiRequest:
    """The v3 data request for one table, its areas, every period of the years.

    Shape (api.jobindsats.dk v3, as public clients of the API send it; check against STAR's
    "Brugervejledning til version 3" when a key is at hand):

        GET {base}/data/{table}?mgroup.*=*&period.M=2017M01,...,2019M12
            &hierarchy._nykom=Kalundborg,Holbæk,...,Hele landet&hierarchy._ygrpa02=*&format=json
        Authorization: Bearer <key>

    `mgroup.*=*` asks for every measure group and measure, `period.<M|QMAT>` lists the periods,
    `hierarchy._nykom` the areas (municipalities as jobindsats spells them, and Hele landet; `*` for the
    benchmark, which ranks all 98), `hierarchy.<name>=*` every value of the table's own dimension
    (benefit group, visitationskategori), `format` json (v3 JSON `{"columns", "rows"}`) or csv.
    """
    spec = table_spec(table)
    params = (
        ("mgroup.*", "*"),
        (f"period.{spec.period}", ",".join(periods(spec, years))),
        ("hierarchy._nykom", "*" if spec.all_areas else ",".join(areas)),
        *((f"hierarchy.{name}", values) for name, values in spec.hierarchies),
        ("format", fmt),
    )
    return ApiRequest(table=table, method="GET", url=f"{api_url.rstrip('/')}/data/{table}", params=params, fmt=fmt)


def check_api_url(api_url: str) -> str:
    """Only https: the key travels in a header. Plain http only when JOBINDSATS_ALLOW_HTTP=1 (the tests'
    local replay server on 127.0.0.1)."""
    scheme = urlparse(api_url).scheme.lower()
    if scheme == "https" or (scheme == "http" and os.environ.get(ENV_ALLOW_HTTP) == "1"):
        return api_url
    if scheme == "http":
        raise InputError(Problem("--api-url", "afviser en usikker http://-adresse: nøglen sendes i klartekst. "
                                 f"Brug https:// (kun til test: sæt {ENV_ALLOW_HTTP}=1)", value=api_url))
    raise InputError(Problem("--api-url", "skal være en https://-adresse", value=api_url))


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
