"""Shared fixtures: a private copy of data/ so tests can break inputs without touching the real ones."""

from __future__ import annotations

import hashlib
import html as htmllib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent
RAW = PROJECT / "data" / "raw"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class DataCopy:
    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "processed"

    def env(self) -> dict:
        env = dict(os.environ)
        env["SERVICETJEK_DATA"] = str(self.root)
        env["SERVICETJEK_REPORTS"] = str(self.root.parent / "reports")
        return env

    def pipeline(self, *args: str) -> Run:
        proc = subprocess.run([sys.executable, str(PROJECT / "pipeline.py"), *args], capture_output=True,
                              text=True, env=self.env(), cwd=self.root.parent, timeout=600)
        return Run(proc.returncode, proc.stdout, proc.stderr)

    def extract(self, slug: str, fmt: str) -> Path:
        """The first bundled extract of a format (v2-csv, v3-csv, v3-json, xlsx)."""
        manifest = yaml.safe_load((self.raw / slug / "extracts" / "PROVENANCE.yaml").read_text(encoding="utf-8"))
        for entry in manifest["files"]:
            if entry["format"] == fmt:
                return self.raw / slug / "extracts" / entry["file"]
        raise LookupError(f"no {fmt} extract for {slug}")


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def data_copy(tmp_path) -> DataCopy:
    root = tmp_path / "data"
    shutil.copytree(RAW, root / "raw")
    (root / "processed").mkdir()
    return DataCopy(root)


@pytest.fixture(scope="session")
def prepared():
    """Both bundled municipalities, validated in memory (nothing written)."""
    from servicetjek.inputs.prepare import validate

    cache = {}

    def get(slug: str):
        if slug not in cache:
            cache[slug] = validate(slug)
        return cache[slug]

    return get


def declaration_copy(folder: Path) -> Path:
    """report.yaml and the notebooks it names, copied into `folder`; point SERVICETJEK_REPORT at the
    returned file to build with a modified declaration."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(PROJECT / "report.yaml", folder / "report.yaml")
    shutil.copytree(PROJECT / "notebooks", folder / "notebooks", ignore=shutil.ignore_patterns(".*"))
    return folder / "report.yaml"


def main_report():
    from servicetjek import declaration

    return declaration.report()


def running_text(page: str) -> str:
    """A report page's running text, one paragraph, list item or caption a line (tables and figures left out)."""
    page = re.sub(r"<(style|script|svg|table)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"</(p|li|h\d|figcaption|div)>", "\n", page)
    page = htmllib.unescape(re.sub(r"<[^>]+>", "", page))
    return re.sub(r"[ \t\xa0]+", " ", re.sub(r"\n\s*\n+", "\n", page))


# What a committee member would stop at (#10): a nonzero share printed as 0, a count with the wrong grammatical
# number, a negative count or amount in running text, a word twice, a broken clause.
ABSURD = {
    "0 pct.": re.compile(r"(?<![\d,.])0 (?:pct\.|procentpoint)"),
    "1 andre / 1 målgrupper": re.compile(r"(?<![\d.,])1 (?:andre|målgrupper|fuldtidspersoner|jobcentre)\b"),
    "a negative count or amount": re.compile(r"(?:ca\. |på |med )-\d[\d.,]* (?:fuldtidsperson|mio\. kr\.|pct\.)"),
    "a word twice": re.compile(r"\b(\w{2,}) \1\b"),
    "a broken clause": re.compile(r"\bmens (?:er|ligger) (?:den|det)\b"),
}


def absurdities(text: str) -> list[str]:
    return [f"{name}: …{text[max(0, m.start() - 60):m.end() + 20]}…" for name, pattern in ABSURD.items()
            for m in pattern.finditer(text)]
