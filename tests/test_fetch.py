"""`pipeline.py fetch` against a local replay server on 127.0.0.1 (no test reaches the internet).

The server replays recorded responses in the API's documented shapes
(tests/fixtures/jobindsats/: v3 JSON columns/rows, v2 CSV) and scripted
failures: 401, 422 with a cause, 429 with Retry-After, 500, a dropped
connection and a slow answer (timeout).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from conftest import PROJECT, Run, tree_digest

FIXTURES = PROJECT / "tests" / "fixtures" / "jobindsats"
KEY = f"test-key-{uuid.uuid4().hex}"


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


OK_JSON = {"ptv_a02": body("ptv_a02.json"), "y60a02": body("y60a02.json")}


def ok(data: bytes, ctype: str = "application/json") -> tuple:
    return (200, {"Content-Type": ctype}, data)


class Replay:
    """A scripted HTTP server: per table a list of actions, the last one repeats."""

    def __init__(self) -> None:
        self.script: dict[str, list] = {}
        self.seen: list[dict] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                url = urlparse(self.path)
                table = url.path.rstrip("/").split("/")[-1]
                replay.seen.append({"path": url.path, "query": parse_qs(url.query), "headers": dict(self.headers)})
                actions = replay.script.get(table) or [(404, {}, b'{"cause": "ukendt tabel"}')]
                action = actions.pop(0) if len(actions) > 1 else actions[0]
                if action == "drop":  # close the socket without any response
                    self.close_connection = True
                    self.connection.close()
                    return
                if isinstance(action, tuple) and action[0] == "sleep":
                    time.sleep(action[1])
                    action = action[2]
                status, headers, data = action
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v3"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def hits(self, table: str) -> int:
        return sum(1 for s in self.seen if s["path"].endswith(f"/{table}"))


@pytest.fixture
def api():
    replay = Replay()
    replay.thread.start()
    yield replay
    replay.server.shutdown()
    replay.server.server_close()


def fetch(data_copy, *args: str, key: str | None = KEY, **env_extra: str) -> Run:
    env = data_copy.env()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.pop("JOBINDSATS_API_KEY", None)
    if key is not None:
        env["JOBINDSATS_API_KEY"] = key
    env.update({"JOBINDSATS_BACKOFF": "0.01", "JOBINDSATS_RETRIES": "3", "JOBINDSATS_TIMEOUT": "5",
                "JOBINDSATS_ALLOW_HTTP": "1"})      # the replay server is plain http on 127.0.0.1
    env.update(env_extra)
    proc = subprocess.run([sys.executable, str(PROJECT / "pipeline.py"), "fetch", *args], capture_output=True,
                          text=True, env=env, cwd=data_copy.root.parent, timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def assert_no_key(data_copy, run: Run) -> None:
    assert KEY not in run.stdout and KEY not in run.stderr
    for path in data_copy.root.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


KALUNDBORG = ("--kommune", "Kalundborg", "--years", "2017-2019")


# --------------------------------------------------------------------------
# Success
# --------------------------------------------------------------------------
def test_fetch_stores_responses_unchanged_with_provenance(data_copy, api):
    from servicetjek.inputs.extracts import read_extract
    from servicetjek.inputs.prepare import ExtractManifest

    api.script = {t: [ok(b)] for t, b in OK_JSON.items()}
    run = fetch(data_copy, *KALUNDBORG, "--tables", "ptv_a02,y60a02", "--api-url", api.url)
    assert run.returncode == 0, run.stderr
    folder = data_copy.raw / "kalundborg" / "extracts"
    stored = {p.name for p in folder.iterdir()}
    assert stored == {"ptv_a02_kalundborg_2017-2019.json", "y60a02_kalundborg_2017-2019.json", "PROVENANCE.yaml"}
    for table, data in OK_JSON.items():
        path = folder / f"{table}_kalundborg_2017-2019.json"
        assert path.read_bytes() == data  # byte-identical
        assert not read_extract(path).empty
    # No comparison_groups.yaml yet: only the municipality and Hele landet, and it says so.
    assert "comparison_groups.yaml findes ikke" in run.stdout
    manifest = yaml.safe_load((folder / "PROVENANCE.yaml").read_text(encoding="utf-8"))
    ExtractManifest.model_validate(manifest)
    entry = next(e for e in manifest["files"] if e["table"] == "ptv_a02")
    assert entry["format"] == "v3-json"
    assert entry["areas"] == ["Kalundborg", "Hele landet"]
    assert entry["request"]["url"] == f"{api.url}/data/ptv_a02"
    assert entry["request"]["params"]["hierarchy._nykom"] == "Kalundborg,Hele landet"
    assert entry["request"]["params"]["period.M"].startswith("2017M01,") and entry["request"]["params"]["period.M"].endswith("2019M12")
    assert entry["retrieved"].endswith("Z") and entry["retrieved"][:4].isdigit()
    assert entry["provenance"] == f"published: jobindsats.dk ptv_a02, hentet {entry['retrieved']}"
    # The server saw the key as a Bearer token, and nothing else carries it.
    assert {s["headers"].get("Authorization") for s in api.seen} == {f"Bearer {KEY}"}
    assert all(KEY not in json.dumps(s["query"]) for s in api.seen)
    assert_no_key(data_copy, run)


def test_fetch_v2_csv_and_comparison_areas_merge_into_existing_folder(data_copy, api):
    from servicetjek.inputs.extracts import read_extract
    from servicetjek.inputs.prepare import ExtractManifest

    csv = body("y38a02_v2.csv")
    api.script = {"y38a02": [ok(csv, "text/csv; charset=utf-8")]}
    folder = data_copy.raw / "naestved" / "extracts"
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "PROVENANCE.yaml"}
    run = fetch(data_copy, "--kommune", "Næstved", "--years", "2019", "--tables", "y38a02", "--format", "csv",
                "--api-url", api.url)
    assert run.returncode == 0, run.stderr
    new = folder / "y38a02_naestved_2019.csv"
    assert new.read_bytes() == csv
    assert not read_extract(new).empty
    # The areas come from comparison_groups.yaml; Hele landet is a member there already.
    areas = api.seen[0]["query"]["hierarchy._nykom"][0].split(",")
    assert areas == ["Næstved", "Vordingborg", "Faxe", "Haderslev", "Sønderborg", "Viborg", "Hele landet"]
    assert api.seen[0]["query"]["format"] == ["csv"]
    # The earlier extracts and their entries are kept.
    for name, data in before.items():
        assert (folder / name).read_bytes() == data
    manifest = ExtractManifest.model_validate(yaml.safe_load((folder / "PROVENANCE.yaml").read_text(encoding="utf-8")))
    assert {f.file for f in manifest.files} == set(before) | {new.name}
    assert next(f for f in manifest.files if f.file == new.name).format == "v2-csv"
    # Older y38a02 extracts in the folder may overlap: the run says so.
    assert "BEMÆRK" in run.stdout and "y38a02_hele-landet_2017-2018.csv" in run.stdout
    assert_no_key(data_copy, run)


# --------------------------------------------------------------------------
# Retries
# --------------------------------------------------------------------------
@pytest.mark.parametrize("first", [
    pytest.param((429, {"Retry-After": "0.05"}, b'{"cause": "rate limit"}'), id="429-retry-after"),
    pytest.param((500, {}, b"internal error"), id="500"),
    pytest.param((503, {}, b""), id="503"),
    pytest.param("drop", id="dropped-connection"),
    pytest.param(("sleep", 1.5, ok(OK_JSON["ptv_a02"])), id="timeout"),
])
def test_transient_failure_is_retried(data_copy, api, first):
    api.script = {"ptv_a02": [first, ok(OK_JSON["ptv_a02"])]}
    run = fetch(data_copy, *KALUNDBORG, "--tables", "ptv_a02", "--api-url", api.url, JOBINDSATS_TIMEOUT="0.5")
    assert run.returncode == 0, run.stderr
    assert api.hits("ptv_a02") == 2
    assert "prøver igen" in run.stderr
    path = data_copy.raw / "kalundborg" / "extracts" / "ptv_a02_kalundborg_2017-2019.json"
    assert path.read_bytes() == OK_JSON["ptv_a02"]
    assert_no_key(data_copy, run)


def test_retry_after_is_honoured(data_copy, api):
    api.script = {"ptv_a02": [(429, {"Retry-After": "0.3"}, b""), ok(OK_JSON["ptv_a02"])]}
    start = time.monotonic()
    run = fetch(data_copy, *KALUNDBORG, "--tables", "ptv_a02", "--api-url", api.url, JOBINDSATS_BACKOFF="0")
    assert run.returncode == 0, run.stderr
    assert "prøver igen om 0.30 s" in run.stderr
    assert time.monotonic() - start >= 0.3


def test_persistent_500_fails_after_retries_and_writes_nothing(data_copy, api):
    before = tree_digest(data_copy.root)
    # The first table succeeds; the second keeps failing: nothing of the run is kept.
    api.script = {"ptv_a02": [ok(OK_JSON["ptv_a02"])], "y60a02": [(500, {}, b"boom")]}
    run = fetch(data_copy, *KALUNDBORG, "--tables", "ptv_a02,y60a02", "--api-url", api.url)
    assert run.returncode == 1
    assert api.hits("y60a02") == 4  # JOBINDSATS_RETRIES=3 -> 4 attempts
    assert "opgav efter 4 forsøg" in run.stderr and "Intet er skrevet" in run.stderr
    assert not (data_copy.raw / "kalundborg").exists()
    assert tree_digest(data_copy.root) == before
    assert_no_key(data_copy, run)


def test_failure_keeps_existing_extracts_untouched(data_copy, api):
    before = tree_digest(data_copy.root)
    api.script = {"y38a02": [(500, {}, b"boom")]}
    run = fetch(data_copy, "--kommune", "naestved", "--tables", "y38a02", "--api-url", api.url)
    assert run.returncode == 1
    assert tree_digest(data_copy.root) == before
    assert not [p for p in (data_copy.raw / "naestved").iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------
# Client errors
# --------------------------------------------------------------------------
@pytest.mark.parametrize("status", [401, 403])
def test_rejected_key_gives_clear_message(data_copy, api, status):
    before = tree_digest(data_copy.root)
    api.script = {"ptv_a02": [(status, {"Content-Type": "application/json"}, b'{"cause": "invalid token"}')]}
    run = fetch(data_copy, *KALUNDBORG, "--tables", "ptv_a02", "--api-url", api.url)
    assert run.returncode == 1
    assert f"afviste nøglen (HTTP {status})" in run.stderr and "JOBINDSATS_API_KEY" in run.stderr
    assert api.hits("ptv_a02") == 1  # not retried
    assert tree_digest(data_copy.root) == before
    assert_no_key(data_copy, run)


def test_422_shows_the_api_cause(data_copy, api):
    cause = "Område 'Kalundborgg' findes ikke i hierarkiet _nykom"
    api.script = {"ptv_a02": [(422, {"Content-Type": "application/json"},
                               json.dumps({"cause": cause}, ensure_ascii=False).encode())]}
    run = fetch(data_copy, *KALUNDBORG, "--tables", "ptv_a02", "--api-url", api.url)
    assert run.returncode == 1
    assert "HTTP 422" in run.stderr and cause in run.stderr
    assert not (data_copy.raw / "kalundborg").exists()


def test_malformed_body_is_not_stored(data_copy, api):
    api.script = {"ptv_a02": [ok(b'{"data": []}')]}
    run = fetch(data_copy, *KALUNDBORG, "--tables", "ptv_a02", "--api-url", api.url)
    assert run.returncode == 1 and '"columns"' in run.stderr
    assert not (data_copy.raw / "kalundborg").exists()


# --------------------------------------------------------------------------
# Bad input and dry run
# --------------------------------------------------------------------------
def test_missing_key_is_bad_input(data_copy, api):
    before = tree_digest(data_copy.root)
    run = fetch(data_copy, *KALUNDBORG, "--api-url", api.url, key=None)
    assert run.returncode == 2
    assert "JOBINDSATS_API_KEY" in run.stderr
    assert api.seen == []
    assert tree_digest(data_copy.root) == before


@pytest.mark.parametrize("args, text", [
    (("--kommune", "Kalundborg", "--years", "2019-2017"), "--years"),
    (("--kommune", "Kalundborg", "--years", "sidste år"), "--years"),
    (("--kommune", "Kalundborg"), "--years"),  # no kommune.yaml to take the years from
    (("--kommune", "Kalundborg", "--years", "2019", "--tables", "y99z99"), "ukendt tabel"),
])
def test_bad_arguments_exit_2(data_copy, api, args, text):
    run = fetch(data_copy, *args, "--api-url", api.url)
    assert run.returncode == 2 and text in run.stderr
    assert api.seen == []


def test_dry_run_prints_requests_and_writes_nothing(data_copy, api):
    before = tree_digest(data_copy.root)
    run = fetch(data_copy, *KALUNDBORG, "--api-url", api.url, "--dry-run")
    assert run.returncode == 0, run.stderr
    assert api.seen == []
    for table in ("ptv_a02", "y60a02", "y38a02", "y30r21"):
        assert f"GET {api.url}/data/{table}?" in run.stdout
    assert "hierarchy._nykom = Kalundborg,Hele landet" in run.stdout
    # every table with the hierarchies that give the readers' columns
    for line in ("tabel ptv_a02 (", "_ygrpa02=*", "tabel y60a02 (", "_viskat_1kth=*", "tabel y38a02 (",
                 "_viskat_2udh=*", "tabel y30r21 (STAR's benchmark", "_ygrp_y30r21=*", "periode QMAT"):
        assert line in run.stdout, line
    # the benchmark ranks all 98: every municipality, QMAT periods
    y30 = run.stdout[run.stdout.index("tabel y30r21"):]
    assert "hierarchy._nykom = *" in y30 and "period.QMAT = 2017QMAT01," in y30 and "2019QMAT04" in y30
    assert tree_digest(data_copy.root) == before and not (data_copy.raw / "kalundborg").exists()
    assert_no_key(data_copy, run)
    # Works without a key too.
    assert fetch(data_copy, *KALUNDBORG, "--api-url", api.url, "--dry-run", key=None).returncode == 0


@pytest.mark.parametrize("url_env, ok_", [("http", False), ("ftp", False)])
def test_plain_http_api_url_is_refused_without_the_test_flag(data_copy, api, url_env, ok_):
    url = api.url if url_env == "http" else "ftp://example.org/v3"
    run = fetch(data_copy, *KALUNDBORG, "--api-url", url, JOBINDSATS_ALLOW_HTTP="")
    assert run.returncode == 2 and "--api-url" in run.stderr
    assert ("http://" in run.stderr and "JOBINDSATS_ALLOW_HTTP" in run.stderr) if url_env == "http" \
        else "https://" in run.stderr
    assert api.seen == [] and not (data_copy.raw / "kalundborg").exists()


def test_benchmark_y30r21_is_fetched_and_readable(data_copy, api):
    from servicetjek.inputs.benchmark_extract import read_benchmark

    payload = body("y30r21.json")
    api.script = {"y30r21": [ok(payload)]}
    run = fetch(data_copy, *KALUNDBORG, "--tables", "y30r21", "--api-url", api.url)
    assert run.returncode == 0, run.stderr
    path = data_copy.raw / "kalundborg" / "extracts" / "y30r21_kalundborg_2017-2019.json"
    assert path.read_bytes() == payload and "ADVARSEL" not in run.stdout
    table = read_benchmark(path)
    assert set(table["group"]) == {"i_alt", "kontanthjaelp_mv"}
    query = api.seen[0]["query"]
    assert query["hierarchy._nykom"] == ["*"] and query["hierarchy._ygrp_y30r21"] == ["*"]
    assert query["period.QMAT"][0].split(",")[:2] == ["2017QMAT01", "2017QMAT02"]
    manifest = yaml.safe_load((path.parent / "PROVENANCE.yaml").read_text(encoding="utf-8"))
    entry = manifest["files"][0]
    assert entry["areas"] == "alle kommuner" and entry["periods"] == "2017QMAT01-2019QMAT04"


def test_years_default_from_kommune_yaml(data_copy, api):
    run = fetch(data_copy, "--kommune", "Slagelse", "--api-url", api.url, "--dry-run")
    assert run.returncode == 0, run.stderr
    assert "period.M = 2014M01," in run.stdout and "2019M12" in run.stdout


# --------------------------------------------------------------------------
# In-process: the key never shows in a repr or an exception
# --------------------------------------------------------------------------
def test_client_masks_key_in_repr_and_errors(api):
    from servicetjek.inputs.fetch import FetchError, JobindsatsClient, build_request

    client = JobindsatsClient(api_key=KEY, retries=1, backoff=0, sleep=lambda s: None, log=lambda m: None)
    assert KEY not in repr(client) and "***" in repr(client)
    # An API that echoes the key in its error body still does not leak it.
    api.script = {"ptv_a02": [(400, {}, f"bad header Bearer {KEY}".encode())]}
    with pytest.raises(FetchError) as err:
        client.get(build_request(api.url, "ptv_a02", ["Kalundborg"], (2019, 2019)))
    assert KEY not in str(err.value) and "HTTP 400" in str(err.value)


def test_broken_existing_manifest_is_bad_input_and_untouched(data_copy, api):
    manifest = data_copy.raw / "naestved" / "extracts" / "PROVENANCE.yaml"
    manifest.write_text("files:\n- file: x.csv\n  table: x\n  format: v9\n  provenance: 'published: x'\n",
                        encoding="utf-8")
    before = tree_digest(data_copy.root)
    api.script = {"y38a02": [ok(body("y38a02_v2.csv"), "text/csv")]}
    run = fetch(data_copy, "--kommune", "naestved", "--tables", "y38a02", "--format", "csv", "--api-url", api.url)
    assert run.returncode == 2 and "PROVENANCE.yaml" in run.stderr
    assert tree_digest(data_copy.root) == before
