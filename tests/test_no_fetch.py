"""Nothing is fetched: a remote image planted in a municipality's texts gets no request, neither at
`prepare` (refused, naming file, line and URL) nor at the PDF build (WeasyPrint's fetcher refuses it)."""

from __future__ import annotations

import base64
import http.server
import threading

import pytest
import yaml

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):       # noqa: N802 - the http.server name
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()


def _page(body: str) -> str:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'


def test_write_pdf_fetches_nothing(listener, tmp_path):
    from servicetjek.publish.render import write_pdf

    url, hits = listener
    target = tmp_path / "r.pdf"
    write_pdf(_page(f'<p>x</p><img src="{url}/x.png"><div style="background: url({url}/bg.png)">y</div>'
                    f'<link rel="stylesheet" href="{url}/s.css"><img src="//127.0.0.1:1/y.png">'), target)
    assert target.read_bytes().startswith(b"%PDF")
    assert hits == []


def test_write_pdf_keeps_data_urls(tmp_path):
    from servicetjek.publish.render import write_pdf

    data = "data:image/png;base64," + base64.b64encode(PNG).decode()
    with_image, without = tmp_path / "a.pdf", tmp_path / "b.pdf"
    write_pdf(_page(f'<img src="{data}" style="width:5cm">'), with_image)
    write_pdf(_page('<span style="width:5cm"></span>'), without)
    assert b"/Image" in with_image.read_bytes() and b"/Image" not in without.read_bytes()


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/x.png", "https://example.org/x.png", "file:///etc/hostname",
                                 "ftp://example.org/x.png", "x.png"])
def test_fetcher_refuses_all_but_data(url):
    from servicetjek.publish.render import local_only_fetcher

    with pytest.raises(ValueError):
        local_only_fetcher()(url)


@pytest.mark.parametrize("snippet", ["![x]({url}/x.png)", "![x][ref]\n\n[ref]: {url}/ref.png",
                                     '<img src="{url}/raw.png">', "| a |\n|---|\n| ![t]({url}/cell.png) |"])
def test_prepare_refuses_remote_image_in_text(data_copy, listener, snippet):
    from test_prepare import assert_rejected

    url, hits = listener
    path = data_copy.raw / "naestved" / "texts" / "indledning.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + ["", snippet.format(url=url)]) + "\n", encoding="utf-8")
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if url in text)
    assert line > len(lines)
    err = assert_rejected(data_copy, "naestved", "indledning.md", f"linje {line}", url, "ekstern ressource")
    assert hits == [], err


def test_prepare_refuses_remote_image_in_proposal(data_copy, listener):
    from test_prepare import assert_rejected

    url, hits = listener
    path = data_copy.raw / "slagelse" / "proposals.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["proposals"][1]["sections"]["beskrivelse"] = f"Se figuren:\n\n![figur]({url}/forslag.png)\n"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if url in text)
    err = assert_rejected(data_copy, "slagelse", "proposals.yaml", f"linje {line}", f"{url}/forslag.png")
    assert hits == [], err
