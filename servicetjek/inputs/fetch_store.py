"""`fetch`'s storing step: the new extracts folder is built beside the old one (old files kept,
PROVENANCE.yaml merged and validated as `prepare` will read it), then swapped in whole."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import yaml

from servicetjek.errors import InputError
from servicetjek.files import swap_dir


def stored_format(fmt: str, body: bytes) -> str:
    from servicetjek.inputs.extracts import csv_format

    return "v3-json" if fmt == "json" else csv_format(body)


# --------------------------------------------------------------------------
# Storing: build the new extracts folder beside the old one, then swap
# --------------------------------------------------------------------------
MANIFEST = "PROVENANCE.yaml"


def manifest_entry(resp, name: str, areas: list[str], years: tuple[int, int]) -> dict:
    from servicetjek.inputs.fetch_api import table_spec

    spec = table_spec(resp.request.table)
    span = (f"{years[0]}QMAT01-{years[1]}QMAT04" if spec.period == "QMAT" else f"{years[0]}M01-{years[1]}M12")
    return {
        "file": name,
        "table": resp.request.table,
        "format": stored_format(resp.request.fmt, resp.body),
        "areas": "alle kommuner" if spec.all_areas else list(areas),
        "periods": span,
        "provenance": f"published: jobindsats.dk {resp.request.table}, hentet {resp.retrieved}",
        "request": resp.request.as_record(),
        "retrieved": resp.retrieved,
    }


def store(target_dir: Path, files: dict[str, tuple[bytes, dict]]) -> list[Path]:
    from pydantic import ValidationError

    from servicetjek.inputs.prepare import ExtractManifest

    parent = target_dir.parent
    created_parent = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.fetch.", dir=parent))
    try:
        entries: list[dict] = []
        if target_dir.is_dir():
            for item in target_dir.iterdir():
                if item.name not in files and item.name != MANIFEST and item.is_file():
                    shutil.copy2(item, stage / item.name)
            old = target_dir / MANIFEST
            if old.is_file():
                from servicetjek.validation import (
                    safe_yaml,  # here: `pipeline.py` registers fetch's subcommand on every run, and pydantic costs 0,2–0,4 s
                )

                doc = safe_yaml(old) or {}     # bounded: aliases and nesting capped
                listed = doc.get("files") if isinstance(doc, dict) else None
                entries = [e for e in (listed if isinstance(listed, list) else [])
                           if isinstance(e, dict) and e.get("file") not in files]
        for name, (body, entry) in files.items():
            (stage / name).write_bytes(body)
            entries.append(entry)
        manifest = {"files": entries}
        try:
            ExtractManifest.model_validate(manifest)  # what prepare will read
        except ValidationError as err:
            from servicetjek.validation import pydantic_problems

            raise InputError(pydantic_problems(target_dir / MANIFEST, err)) from None
        text = ("# jobindsats-udtræk; poster med 'request' og 'retrieved' er hentet med `pipeline.py fetch`.\n"
                + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=100))
        (stage / MANIFEST).write_text(text, encoding="utf-8")
        os.chmod(stage, 0o755)
        swap_dir(stage, target_dir)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if created_parent:
            shutil.rmtree(parent, ignore_errors=True)
        raise
    return [target_dir / name for name in files]
