"""The API key: validated before use (no control characters), masked in every letter case, never printed."""

from __future__ import annotations

import uuid

import pytest
from conftest import tree_digest
from test_fetch import KALUNDBORG, api, fetch  # noqa: F401 - the replay server fixture

SECRET = f"Secret-Key-{uuid.uuid4().hex}"


@pytest.mark.parametrize("bad", ["\n", "\r", "\r\n", "\t", "\x1b", "\x7f", "\u2028", " ", "\x85"])
def test_key_with_control_character_is_bad_input_and_never_shown(data_copy, api, bad):  # noqa: F811
    key = SECRET[:12] + bad + SECRET[12:]
    before = tree_digest(data_copy.root)
    run = fetch(data_copy, *KALUNDBORG, "--tables", "ptv_a02", "--api-url", api.url, key=key)
    assert run.returncode == 2, run.stderr
    assert "JOBINDSATS_API_KEY" in run.stderr and "Traceback" not in run.stderr
    for part in (SECRET[:12], SECRET[12:], key):
        assert part not in run.stdout + run.stderr
    assert api.seen == []
    assert tree_digest(data_copy.root) == before


def test_client_refuses_key_with_newline_without_showing_it():
    from servicetjek.errors import InputError
    from servicetjek.inputs.fetch import JobindsatsClient

    with pytest.raises(InputError) as err:
        JobindsatsClient(api_key=f"{SECRET}\nX-Injected: 1")
    assert SECRET not in str(err.value) and "kontroltegn" in str(err.value)


@pytest.mark.parametrize("echo", [str.lower, str.upper, str.swapcase, lambda k: k])
def test_key_echoed_in_any_case_is_masked(api, echo):  # noqa: F811
    from servicetjek.inputs.fetch import FetchError, JobindsatsClient, build_request

    client = JobindsatsClient(api_key=SECRET, retries=0, backoff=0, sleep=lambda s: None, log=lambda m: None)
    api.script = {"ptv_a02": [(400, {}, f"bad token: Bearer {echo(SECRET)}".encode())]}
    with pytest.raises(FetchError) as err:
        client.get(build_request(api.url, "ptv_a02", ["Kalundborg"], (2019, 2019)))
    assert SECRET.lower() not in str(err.value).lower() and "***" in str(err.value)


def test_key_echoed_in_retry_log_is_masked(api):  # noqa: F811
    from servicetjek.inputs.fetch import FetchError, JobindsatsClient, build_request
    from servicetjek.inputs.secrets import scrub

    logged: list[str] = []
    client = JobindsatsClient(api_key=SECRET, retries=1, backoff=0, sleep=lambda s: None, log=logged.append)
    api.script = {"ptv_a02": [(500, {}, b"")]}
    with pytest.raises(FetchError):
        client.get(build_request(api.url + "/" + SECRET.upper(), "ptv_a02", ["Kalundborg"], (2019, 2019)))
    assert logged and all(SECRET.lower() not in line.lower() for line in logged)
    assert scrub(f"x {SECRET.upper()} y", SECRET) == "x *** y"


def test_url_encoded_key_is_masked():
    from urllib.parse import quote

    from servicetjek.inputs.secrets import scrub

    key = "AbC/d+e=f"
    assert scrub(f"url?key={quote(key, safe='')} and {quote(key).lower()} and {key.upper()}", key) == \
        "url?key=*** and *** and ***"
