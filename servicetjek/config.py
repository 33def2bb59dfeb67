"""All paths, rooted at the project folder (never the current directory)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# SERVICETJEK_DATA lets tests point the whole pipeline at a copy of data/.
DATA_DIR = Path(os.environ.get("SERVICETJEK_DATA", PROJECT_DIR / "data")).resolve()
RAW_DIR = DATA_DIR / "raw"
REFERENCE_DIR = RAW_DIR / "reference"
PROCESSED_DIR = DATA_DIR / "processed"
REPORTS_DIR = Path(os.environ.get("SERVICETJEK_REPORTS", PROJECT_DIR / "reports")).resolve()
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
TAXONOMY_FILE = REFERENCE_DIR / "taxonomy.yaml"
SEEDS_DIR = PROJECT_DIR.parent / "shared" / "seeds"
# SERVICETJEK_REPORT points a test at a modified report declaration.
REPORT_FILE = PROJECT_DIR / "report.yaml"
NATIONAL_AREA = "Hele landet"   # jobindsats's own name for the whole country

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(name: str) -> str:
    """'Næstved' -> 'naestved'; 'Høje-Taastrup' -> 'hoeje-taastrup'."""
    text = name.strip().translate(_DANISH).lower()
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = []
    for ch in text:
        out.append(ch if ch.isalnum() else "-")
    return "-".join(part for part in "".join(out).split("-") if part)


def municipality_dir(slug: str) -> Path:
    return RAW_DIR / slug


def processed_dir(slug: str) -> Path:
    return PROCESSED_DIR / slug


def report_dir(slug: str) -> Path:
    return REPORTS_DIR / slug
