"""Editions: every build of a report is kept under reports/<slug>/editions/<kind>-<NNN>/ (its report
files, its tables and its manifest); the newest also stays at the current paths.

    pipeline.py editions --kommune K                   list the editions
    pipeline.py editions --kommune K --prune --keep N  delete all but the N newest of each kind
    pipeline.py diff --kommune K [A B]                 what changed between two editions (diff.py)

A build that changes nothing (the cache says so) makes no new edition.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from servicetjek import config
from servicetjek.files import pause_point

FOLDER = "editions"
MANIFEST = "manifest.json"
LABEL = re.compile(r"^(?P<kind>[a-z][a-z0-9_]*)-(?P<number>\d{3,})$")


@dataclass(frozen=True)
class Edition:
    label: str
    kind: str
    number: int
    path: Path

    @property
    def manifest(self) -> dict:
        return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))

    @property
    def built(self) -> str:
        try:
            return str(self.manifest.get("built", ""))
        except (OSError, ValueError):
            return ""


def editions_dir(slug: str) -> Path:
    return config.report_dir(slug) / FOLDER


def list_editions(slug: str, kind: str | None = None) -> list[Edition]:
    """The editions of a municipality's reports, oldest first (per kind by number)."""
    folder = editions_dir(slug)
    out = []
    if folder.is_dir():
        for sub in folder.iterdir():
            match = LABEL.match(sub.name)
            if sub.is_dir() and match and (kind is None or match["kind"] == kind):
                out.append(Edition(sub.name, match["kind"], int(match["number"]), sub))
    return sorted(out, key=lambda e: (e.kind, e.number))


def find(slug: str, label: str) -> Edition:
    from servicetjek.errors import InputError

    for edition in list_editions(slug):
        if edition.label == label:
            return edition
    known = ", ".join(e.label for e in list_editions(slug)) or "ingen"
    raise InputError(f"udgaven '{label}' findes ikke under {editions_dir(slug)}; kendte: {known}")


def remove_partial(slug: str) -> None:
    """An edition a killed build was copying (`.<label>.tmp`); call holding the build's lock."""
    folder = editions_dir(slug)
    for partial in folder.glob(".*.tmp") if folder.is_dir() else []:
        shutil.rmtree(partial, ignore_errors=True)


def record(slug: str, kind: str, built: Path) -> str:
    """Copy the report just built (its report files, tables/ and manifest) into a new edition."""
    existing = list_editions(slug, kind)
    label = f"{kind}-{(existing[-1].number + 1 if existing else 1):03d}"
    target = editions_dir(slug) / label
    tmp = editions_dir(slug) / f".{label}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "tables").mkdir(parents=True)
    for path in built.iterdir():
        if path.is_file():
            shutil.copy2(path, tmp / path.name)
    for path in (built / "tables").glob("*.csv"):
        shutil.copy2(path, tmp / "tables" / path.name)
    pause_point("build:edition-copied")
    tmp.rename(target)
    return label


def prune(slug: str, keep: int, kind: str | None = None) -> list[str]:
    """Delete all but the `keep` newest editions of each kind (at least one is always kept)."""
    keep = max(1, keep)
    removed = []
    kinds = sorted({e.kind for e in list_editions(slug, kind)})
    for k in kinds:
        for edition in list_editions(slug, k)[:-keep]:
            shutil.rmtree(edition.path)
            removed.append(edition.label)
    return removed


def latest_two(slug: str, kind: str | None = None) -> tuple[Edition, Edition]:
    """The two newest editions of a kind (default: the kind of the most recently built edition)."""
    from servicetjek.errors import InputError

    all_editions = list_editions(slug, kind)
    if kind is None and all_editions:
        newest = max(all_editions, key=lambda e: (e.built, e.number))
        all_editions = [e for e in all_editions if e.kind == newest.kind]
    if len(all_editions) < 2:
        from servicetjek.errors import Problem

        raise InputError(Problem(editions_dir(slug), f"der skal være mindst to udgaver at sammenligne"
                                                     f"{' af ' + all_editions[0].kind if all_editions else ''}; "
                                                     f"fandt {len(all_editions)} (se pipeline.py editions)"))
    return all_editions[-2], all_editions[-1]
