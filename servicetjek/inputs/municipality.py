"""A municipality's settings (kommune.yaml, comparison_groups.yaml) and its input files.

Municipalities are discovered from the folders under data/raw/: adding one is
adding a folder, never a code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from servicetjek import config
from servicetjek.errors import InputError, Problem
from servicetjek.inputs.discover import CONFIG_FILE, known_municipalities, resolve  # noqa: F401 - re-exported
from servicetjek.validation import Provenance, Strict, check_provenance, load_yaml_model, safe_yaml  # noqa: F401 - re-exported

GROUPS_FILE = "comparison_groups.yaml"
class ReportInfo(Strict):
    title: str
    subtitle: str = ""
    consultant: str = ""
    published: str = ""


class Years(Strict):
    status: list[int] = Field(min_length=2)
    longrun_start: int
    scenario: list[int] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> "Years":
        if self.status != sorted(set(self.status)):
            raise ValueError("years.status skal være stigende årstal uden gentagelser")
        if self.scenario != sorted(set(self.scenario)) or self.scenario[0] <= self.status[-1]:
            raise ValueError("years.scenario skal være stigende og ligge efter det seneste statusår")
        if self.longrun_start > self.status[0]:
            raise ValueError("years.longrun_start må ikke ligge efter det første statusår")
        return self

    @property
    def latest(self) -> int:
        return self.status[-1]

    @property
    def extract_years(self) -> list[int]:
        return list(range(self.longrun_start, self.latest + 1))


class KommuneConfig(Strict):
    name: str
    area: str
    report: ReportInfo
    years: Years
    national_forecast: str
    allow_missing_months: bool = False
    provenance: Provenance



class ComparisonGroup(Strict):
    id: str
    role: Literal["near_labour_market", "klynge", "national"]
    name: str
    short_name: str
    members: list[str] = Field(min_length=1)
    provenance: Provenance



class ComparisonGroups(Strict):
    groups: list[ComparisonGroup] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "ComparisonGroups":
        ids = [g.id for g in self.groups]
        if len(ids) != len(set(ids)):
            raise ValueError(f"gentagne gruppe-id'er: {ids}")
        return self

    def by_role(self, role: str) -> ComparisonGroup | None:
        return next((g for g in self.groups if g.role == role), None)


@dataclass(frozen=True)
class Municipality:
    slug: str
    folder: Path
    config: KommuneConfig
    groups: ComparisonGroups

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def extracts_dir(self) -> Path:
        return self.folder / "extracts"

    @property
    def areas(self) -> list[str]:
        """The municipality and every comparison member, as jobindsats spells them."""
        out = [self.config.area]
        for group in self.groups.groups:
            out += [m for m in group.members if m not in out]
        return out


def load(name: str) -> Municipality:
    slug = resolve(name)
    folder = config.municipality_dir(slug)
    cfg = load_yaml_model(folder / CONFIG_FILE, KommuneConfig)
    groups = load_yaml_model(folder / GROUPS_FILE, ComparisonGroups)
    problems = [Problem(folder / GROUPS_FILE, f"gruppen '{g.id}' indeholder kommunen selv; "
                        "sammenligninger er ekskl. kommunen", column="members", value=cfg.area)
                for g in groups.groups if cfg.area in g.members]
    if config.slugify(cfg.name) != slug:     # the build finds the municipality by its name's slug
        problems.append(Problem(folder / CONFIG_FILE, f"navnet passer ikke til mappen '{slug}' (navnet giver "
                                f"'{config.slugify(cfg.name)}'); ret navnet eller omdøb mappen", column="name",
                                value=cfg.name))
    if problems:
        raise InputError(problems)
    return Municipality(slug=slug, folder=folder, config=cfg, groups=groups)
