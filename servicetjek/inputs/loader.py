"""What a chapter notebook loads: the prepared tables of one municipality.

`load` reads data/processed/<slug>/; if that is missing or older than the raw
inputs (their sha256 differ from meta.json's), it runs `prepare` first, so a
notebook never shows numbers from stale data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from servicetjek import config
from servicetjek.inputs import municipality, owndata
from servicetjek.inputs.municipality import Municipality
from servicetjek.inputs.taxonomy import Taxonomy
from servicetjek.inputs.taxonomy import load as load_taxonomy

_CORE = {"extracts", "annual", "population", "provenance"}
STRING_COLUMNS = {"area": str, "benefit_group": str, "sub_group": str, "measure": str, "source_file": str,
                  "period": str, "period_type": str}


@dataclass
class Inputs:
    municipality: Municipality
    taxonomy: Taxonomy
    annual: pd.DataFrame
    population: pd.DataFrame
    own: dict[str, pd.DataFrame]
    provenance: pd.DataFrame
    meta: dict
    folder: Path

    @property
    def slug(self) -> str:
        return self.municipality.slug

    @property
    def constructed(self) -> bool:
        return bool(self.meta.get("constructed_inputs"))

    @cached_property
    def value_warnings(self) -> list[str]:
        """prepare's warnings about plausible-but-odd values, worded for the report's Datagrundlag (the file
        by its name, no path)."""
        path = self.folder / "warnings.json"
        if not path.is_file():
            return []
        out = []
        for w in json.loads(path.read_text(encoding="utf-8")):
            where = ", ".join(str(x) for x in (Path(w["file"]).name, w.get("row"), w.get("column") and
                                               f"kolonne {w['column']}") if x)
            value = f" (værdi: {w['value']})" if w.get("value") not in (None, "") else ""
            out.append(f"{where}: {w['message']}{value}")
        return out

    @cached_property
    def national_forecast(self) -> pd.DataFrame:
        return self.own["national_forecast"]

    @cached_property
    def benefit_costs(self) -> pd.Series:
        return owndata.cost_by_group(self.own["benefit_costs"])

    def catalogue(self):
        """The validated proposal catalogue. Its one source is the raw YAML, which `prepare` validated."""
        if "_catalogue" not in self.__dict__:
            from servicetjek.inputs.catalogue import load_catalogue

            self.__dict__["_catalogue"] = load_catalogue(self.municipality.folder / "proposals.yaml",
                                                         self.own["benefit_costs"],
                                                         self.municipality.config.years.scenario,
                                                         self.own.get("budget"))
        return self.__dict__["_catalogue"]

    @classmethod
    def from_prepared(cls, prepared) -> "Inputs":
        """The same view of the inputs, from what `prepare` holds in memory (before it writes)."""
        meta = {"constructed_inputs": prepared.constructed_inputs}
        inp = cls(prepared.municipality, load_taxonomy(), prepared.annual, prepared.population,
                  dict(prepared.own), prepared.provenance, meta, config.processed_dir(prepared.municipality.slug))
        if prepared.catalogue is not None:
            inp.__dict__["_catalogue"] = prepared.catalogue
        return inp


def fresh(folder: Path, known: dict[str, str] | None = None) -> bool:
    """The prepared folder was written from the raw files as they are now. `known`: sha256 already taken
    of the municipality's raw files ({path relative to its folder: digest}), so they are not read twice."""
    from servicetjek.files import sha256

    slug_dir = config.municipality_dir(folder.name)
    known = {str(slug_dir / rel): digest for rel, digest in (known or {}).items()}
    meta_file = folder / "meta.json"
    if not meta_file.is_file():
        return False
    recorded = json.loads(meta_file.read_text(encoding="utf-8")).get("inputs", {})
    for name, digest in recorded.items():
        path = config.DATA_DIR / name if not Path(name).is_absolute() else Path(name)
        current = known.get(str(path)) or (sha256(path) if path.is_file() else None)
        if current != digest:
            return False
    current = {str(p.relative_to(config.DATA_DIR)) for p in slug_dir.rglob("*") if p.is_file()}
    return current <= set(recorded)


def load(kommune: str, check: bool = True) -> Inputs:
    """The prepared inputs; with `check`, re-run `prepare` first when the raw inputs changed (the build
    checks once and passes check=False to its chapters)."""
    from servicetjek.inputs.prepare import prepare

    slug = municipality.resolve(kommune)
    folder = config.processed_dir(slug)
    if check and not fresh(folder):
        prepare(slug)
    mun = municipality.load(slug)
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    annual = pd.read_csv(folder / "annual.csv", dtype=STRING_COLUMNS, keep_default_na=False)
    annual["value"] = pd.to_numeric(annual["value"], errors="coerce")
    population = pd.read_csv(folder / "population.csv", dtype={"area": str, "age_band": str})
    own = {path.stem: pd.read_csv(path) for path in sorted(folder.glob("*.csv")) if path.stem not in _CORE}
    provenance = pd.read_csv(folder / "provenance.csv", keep_default_na=False)
    return Inputs(mun, load_taxonomy(), annual, population, own, provenance, meta, folder)
