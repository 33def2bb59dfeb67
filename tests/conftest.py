"""Shared fixtures: a private copy of data/ so tests can break inputs without touching the real ones."""

from __future__ import annotations

import hashlib
import os
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
