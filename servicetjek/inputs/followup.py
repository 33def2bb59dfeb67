"""The follow-up report's own inputs (report kind `opfoelgning`): the employment plan's goals
(`goals.yaml`) and the newer monthly extracts (`opfoelgning/`: jobindsats extracts in the API's formats,
`population.csv` and `PROVENANCE.yaml`). Validated together; every problem is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field

from servicetjek import config
from servicetjek.errors import InputError, Problem
from servicetjek.validation import PROVENANCE_PATTERN, Strict, pydantic_problems, safe_yaml

GOALS_FILE = "goals.yaml"
FOLDER = "opfoelgning"
POPULATION_FILE = f"{FOLDER}/population.csv"
PROVENANCE_FILE = f"{FOLDER}/PROVENANCE.yaml"
EXTRACT_SUFFIXES = (".csv", ".json", ".xlsx")
INPUTS = [GOALS_FILE, PROVENANCE_FILE, POPULATION_FILE, f"{FOLDER}/ptv_a02_*"]


class Measure(Strict):
    groups: list[str] | Literal["all"]
    minus: list[str] = Field(default_factory=list)


class Goal(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    short: str = Field(min_length=1)
    measure: Measure
    good: Literal["ned", "op"]


class Goals(Strict):
    provenance: str = Field(pattern=PROVENANCE_PATTERN)
    table: Literal["ptv_a02"] = "ptv_a02"
    goals: list[Goal] = Field(min_length=1)


class ExtractEntry(Strict):
    file: str
    table: str
    format: str
    areas: list[str]
    periods: str
    provenance: str = Field(pattern=PROVENANCE_PATTERN)
    agrees_with: list[str] = Field(default_factory=list)


class FollowupManifest(Strict):
    files: list[ExtractEntry] = Field(min_length=1)


@dataclass
class FollowUp:
    goals: list[Goal]
    monthly: pd.DataFrame          # area, period, year, month, benefit_group, value (full-time persons)
    population: pd.DataFrame       # area, year, persons
    provenance: list[str]          # every provenance text of the follow-up inputs
    table: pd.DataFrame = field(default_factory=pd.DataFrame)   # the same by file: file, item, kind, provenance, …

    @property
    def constructed(self) -> bool:
        return any(p.startswith("constructed") for p in self.provenance)

    @property
    def periods(self) -> list[str]:
        return sorted(self.monthly["period"].unique())


def missing_inputs(folder: Path) -> list[Problem]:
    """One problem per follow-up input that is not there (globs: no file matches)."""
    out = []
    for rel in INPUTS:
        if not any(p.is_file() for p in folder.glob(rel)):
            out.append(Problem(folder / rel, "filen mangler (opfølgningsrapporten kræver den; se data/raw/README.md)"))
    return out


def _goals(path: Path, groups: set[str], problems: list[Problem]) -> Goals | None:
    try:
        goals = Goals.model_validate(safe_yaml(path))
    except InputError as err:
        problems += err.problems
        return None
    except Exception as err:   # pydantic.ValidationError
        problems += pydantic_problems(path, err)
        return None
    for goal in goals.goals:
        named = ([] if goal.measure.groups == "all" else goal.measure.groups) + goal.measure.minus
        for g in named:
            if g not in groups:
                problems.append(Problem(path, f"målet '{goal.id}': ukendt ydelsesgruppe '{g}'; kendte: "
                                              f"{', '.join(sorted(groups))}"))
    return goals


def _monthly(folder: Path, area: str, problems: list[Problem]) -> tuple[pd.DataFrame | None, list[str]]:
    from servicetjek.inputs.extracts import read_extract

    manifest_path = folder / PROVENANCE_FILE
    try:
        manifest = FollowupManifest.model_validate(safe_yaml(manifest_path))
    except InputError as err:
        problems += err.problems
        return None, []
    except Exception as err:   # pydantic.ValidationError
        problems += pydantic_problems(manifest_path, err)
        return None, []
    frames, listed = [], {e.file for e in manifest.files}
    for path in sorted((folder / FOLDER).glob("ptv_a02_*")):
        if path.name not in listed:
            problems.append(Problem(path, f"udtrækket står ikke i {PROVENANCE_FILE}"))
            continue
        try:
            frames.append(read_extract(path))
        except InputError as err:
            problems += err.problems
    if not frames:
        return None, []
    tidy = pd.concat(frames, ignore_index=True)
    tidy = tidy[(tidy["measure"] == "fuldtidspersoner") & (tidy["sub_group"] == "") & (tidy["period_type"] == "M")]
    monthly = tidy[["area", "period", "year", "benefit_group", "value"]].copy()
    monthly["month"] = monthly["period"].str[5:].astype(int)
    for name in (area, config.NATIONAL_AREA):
        periods = sorted(monthly.loc[monthly["area"] == name, "period"].unique())
        if len(periods) < 24:
            problems.append(Problem(folder / FOLDER, f"'{name}' har {len(periods)} måneder; opfølgningen kræver "
                                                     "mindst 24 sammenhængende måneder"))
    return monthly.reset_index(drop=True), [(f"{FOLDER}/{e.file}", e.provenance, " | ".join(e.agrees_with))
                                            for e in manifest.files]


def load(slug: str, groups: set[str]) -> FollowUp:
    """The validated follow-up inputs of one municipality; InputError names every problem."""
    from servicetjek.inputs.municipality import load as load_municipality

    folder = config.municipality_dir(slug)
    problems = missing_inputs(folder)
    if problems:
        raise InputError(problems)
    mun = load_municipality(slug)
    goals = _goals(folder / GOALS_FILE, groups, problems)
    monthly, files = _monthly(folder, mun.config.area, problems)
    population = pd.read_csv(folder / POPULATION_FILE)
    if monthly is not None:
        have = set(zip(population["area"], population["year"]))
        for area, year in sorted(set(zip(monthly["area"], monthly["year"]))):
            if (area, year) not in have:
                problems.append(Problem(folder / POPULATION_FILE, f"mangler befolkningen for {area} {year}"))
    if problems:
        raise InputError(problems)
    rows = files + [(GOALS_FILE, goals.provenance, "")] + [(POPULATION_FILE, t, "")
                                                           for t in sorted(set(population["provenance"]))]
    table = pd.DataFrame([(f, "", t.split(":")[0].strip(), t, a) for f, t, a in rows],
                         columns=["file", "item", "kind", "provenance", "agrees_with"])
    return FollowUp(goals.goals, monthly, population[["area", "year", "persons"]], [r[1] for r in rows], table)
