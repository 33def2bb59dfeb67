"""The build's cache keys: sha256 of the raw files, the reference files, the package, the declaration and the
notebooks. Imports nothing heavy, so a build with nothing changed returns at once."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from servicetjek import config
from servicetjek.files import sha256

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_SUFFIXES = (".py", ".css", ".html")


def digest(items) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def file_digests(folder: Path) -> dict[str, str]:
    """{path relative to folder: sha256} of every file (hidden files and caches left out)."""
    out = {}
    if folder.is_dir():
        for p in sorted(folder.rglob("*")):
            rel = p.relative_to(folder)
            if p.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                out[str(rel)] = sha256(p)
    return out


def package_digest() -> str:
    files = {str(p.relative_to(PACKAGE_DIR)): sha256(p) for p in sorted(PACKAGE_DIR.rglob("*"))
             if p.is_file() and p.suffix in PACKAGE_SUFFIXES and "__pycache__" not in p.parts}
    return digest(files)


def matches(rel: str, globs: list[str]) -> bool:
    return any(fnmatch.fnmatch(rel, g) or rel == g for g in globs)


@dataclass
class Fingerprint:
    raw: dict[str, str]
    reference: dict[str, str]
    package: str
    declaration: str
    notebooks: dict[str, str]

    @classmethod
    def take(cls, slug: str, notebooks: list[Path], declaration: Path) -> "Fingerprint":
        return cls(file_digests(config.municipality_dir(slug)), file_digests(config.REFERENCE_DIR), package_digest(),
                   sha256(declaration), {str(p): sha256(p) for p in notebooks})

    def whole(self, formats: list[str], kind: str) -> str:
        return digest([self.raw, self.reference, self.package, self.declaration, self.notebooks, sorted(formats),
                       kind, sys.version])

    def chapter_key(self, chapter, params: dict, constructed: bool) -> str:
        """A chapter's key: its notebook, the package, the reference files, the raw files it declares, its
        place in the report (numbers) and its parameters."""
        globs = chapter.dependencies()
        raw = {rel: h for rel, h in self.raw.items() if matches(rel, globs)}
        place = [chapter.number, chapter.table_numbers, chapter.figure_numbers, chapter.decl.model_dump()]
        return digest([self.notebooks[str(chapter.notebook)], self.package, self.reference, raw, place, params,
                       constructed, sys.version])
