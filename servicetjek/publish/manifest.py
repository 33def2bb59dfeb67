"""manifest.json: every input (sha256, provenance), every output, package versions, time per step."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict
from pathlib import Path

from servicetjek import config
from servicetjek.files import sha256
from servicetjek.publish.provenance import without_paths

MANIFEST = "manifest.json"
VERSIONED = ("servicetjek", "pandas", "numpy", "matplotlib", "papermill", "nbconvert", "nbclient", "nbformat",
             "ipykernel", "weasyprint", "mistune", "babel", "pandera", "pydantic", "pyyaml", "openpyxl", "tqdm",
             "python-docx", "resvg-py")


def old_manifest(target: Path) -> dict:
    try:
        return json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def outputs_exist(target: Path, manifest: dict) -> bool:
    outs = manifest.get("outputs") or []
    return bool(outs) and all((target / o["path"]).is_file() for o in outs)


def _provenance_by_file(inp) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in inp.provenance.itertuples(index=False):
        out.setdefault(str(row.file), []).append({"item": str(row.item), "kind": str(row.kind),
                                                  "text": str(row.provenance)})
    return out


_TEXT_PROVENANCE = re.compile(r"<!--\s*provenance:\s*(.*?)\s*-->", re.S)


def _file_provenance(path: Path, rel: str, table: dict[str, list[dict]]) -> list[dict]:
    if rel in table:
        return table[rel]
    if path.suffix == ".md":
        match = _TEXT_PROVENANCE.search(path.read_text(encoding="utf-8"))
        if match:
            text = match.group(1)
            return [{"item": "", "kind": text.split(":")[0].strip(), "text": text}]
    if path.suffix == ".csv":
        import csv

        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames and "provenance" in reader.fieldnames:
                texts = sorted({row["provenance"] for row in reader if row.get("provenance")})
                return [{"item": "", "kind": t.split(":")[0].strip(), "text": t} for t in texts]
    if path.suffix in (".yaml", ".yml"):
        from servicetjek.errors import InputError
        from servicetjek.validation import safe_yaml

        try:
            data = safe_yaml(path)
        except InputError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("provenance"), str):
            text = data["provenance"]
            return [{"item": "", "kind": text.split(":")[0].strip(), "text": text}]
        if rel.endswith("PROVENANCE.yaml"):
            return [{"item": "", "kind": "description", "text": "provenance of every extract (this file)"}]
    return [{"item": "", "kind": "documentation" if path.suffix == ".md" else "unknown", "text": ""}]


def _versions() -> dict[str, str]:
    from importlib import metadata

    from servicetjek import __version__

    out = {"python": sys.version.split()[0], "servicetjek": __version__}
    for name in VERSIONED[1:]:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def write_manifest(state) -> None:
    """manifest.json in the build folder, from the build's state (see build.BuildState)."""
    import datetime as dt

    inp, finger = state.inp, state.finger
    table = _provenance_by_file(inp)
    mun_dir = config.municipality_dir(state.slug)
    inputs = []
    for rel, digest in finger.raw.items():
        path = mun_dir / rel
        inputs.append({"path": _data_rel(path), "sha256": digest, "provenance": _file_provenance(path, rel, table)})
    for rel, digest in finger.reference.items():
        path = config.REFERENCE_DIR / rel
        inputs.append({"path": _data_rel(path), "sha256": digest, "provenance": _file_provenance(path, rel, table)})
    for nb_path, digest in finger.notebooks.items():
        inputs.append({"path": Path(nb_path).name, "sha256": digest,
                       "provenance": [{"item": "", "kind": "code", "text": "chapter notebook"}]})
    for entry in inputs:       # the record names what made a file, never where it lies in the repository
        for item in entry["provenance"]:
            item["text"] = without_paths(item["text"])
    outputs = []
    for p in sorted(state.tmp.rglob("*")):
        if p.is_file() and p.name != MANIFEST:
            outputs.append({"path": str(p.relative_to(state.tmp)), "sha256": sha256(p), "bytes": p.stat().st_size})
    manifest = {
        "kommune": state.result.name,
        "slug": state.slug,
        "report": state.report.kind,
        "built": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "formats": state.formats,
        "constructed_inputs": bool(inp.constructed),
        "inputs": inputs,
        "outputs": outputs,
        "chapters": [asdict(r) for r in state.records],
        "steps_seconds": {k: round(v, 3) for k, v in state.steps.items()},
        "versions": _versions(),
        "cache": {"whole": state.whole, "report": state.report_key, "package": finger.package},
    }
    (state.tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")


def _data_rel(path: Path) -> str:
    """An input as the data name it ('slagelse/budget.csv', 'reference/…'), not where it lies in the repository."""
    try:
        return str(path.relative_to(config.RAW_DIR))
    except ValueError:
        return path.name
