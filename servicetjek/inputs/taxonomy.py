"""The canonical benefit-group taxonomy, loaded from data/raw/reference/taxonomy.yaml.

Every jobindsats label (old and new names) is mapped here and nowhere else.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator

from servicetjek import config
from servicetjek.errors import InputError, Problem
from servicetjek.validation import Strict, safe_yaml


class SubGroup(Strict):
    id: str
    name: str
    labels: list[str]


class BenefitGroup(Strict):
    id: str
    name: str
    short_name: str | None = None
    labels: list[str]
    sub_groups: list[SubGroup] = Field(default_factory=list)
    active_target_group: bool = True
    total: bool = False

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Measure(Strict):
    id: str
    labels: list[str]
    count: bool


class Cover(Strict):
    group: str
    sub_group: str | None = None


class TargetGroup(Strict):
    id: str
    name: str
    labels: list[str]
    covers: list[Cover]


class TargetAggregate(Strict):
    id: str
    name: str
    of: list[str]


class DimensionColumns(Strict):
    area: list[str]
    period: list[str]
    benefit_group: list[str]


class Taxonomy(Strict):
    benefit_groups: list[BenefitGroup]
    sub_group_columns: list[str]
    tables: dict[str, str | None]
    measures: list[Measure]
    dimension_columns: DimensionColumns
    target_groups: list[TargetGroup]
    target_group_aggregates: list[TargetAggregate]

    @model_validator(mode="after")
    def _labels_unique(self) -> "Taxonomy":
        seen: dict[str, str] = {}
        for group in self.benefit_groups:
            for label in group.labels:
                key = label.casefold()
                if key in seen and seen[key] != group.id:
                    raise ValueError(f"label {label!r} maps to both {seen[key]} and {group.id}")
                seen[key] = group.id
        ids = {g.id for g in self.benefit_groups}
        for table, group in self.tables.items():
            if group is not None and group not in ids:
                raise ValueError(f"table {table} names unknown group {group}")
        for tg in self.target_groups:
            for cover in tg.covers:
                if cover.group not in ids:
                    raise ValueError(f"target group {tg.id} covers unknown group {cover.group}")
        return self

    # -- lookups ----------------------------------------------------------
    def group(self, group_id: str) -> BenefitGroup:
        for group in self.benefit_groups:
            if group.id == group_id:
                return group
        raise KeyError(group_id)

    def group_id(self, label: str) -> str | None:
        key = _norm(label)
        for group in self.benefit_groups:
            if key in {_norm(x) for x in group.labels} or key == group.id:
                return group.id
        return None

    def sub_group_id(self, group_id: str, label: str) -> str | None:
        key = _norm(label)
        for sub in self.group(group_id).sub_groups:
            if key in {_norm(x) for x in sub.labels} or key == sub.id:
                return sub.id
        return None

    def measure(self, label: str) -> Measure | None:
        key = _norm(label)
        for measure in self.measures:
            if key in {_norm(x) for x in measure.labels} or key == measure.id:
                return measure
        return None

    def target_group(self, label_or_id: str) -> TargetGroup | None:
        key = _norm(label_or_id)
        for tg in self.target_groups:
            if key == tg.id or key in {_norm(x) for x in tg.labels}:
                return tg
        return None

    def table_id(self, filename: str) -> str:
        stem = Path(filename).name.split(".")[0]
        parts = stem.split("_")
        return "_".join(parts[:2]) if parts[0] == "ptv" else parts[0]

    @property
    def group_ids(self) -> list[str]:
        return [g.id for g in self.benefit_groups]

    @property
    def active_group_ids(self) -> list[str]:
        return [g.id for g in self.benefit_groups if g.active_target_group and not g.total]

    @property
    def count_measures(self) -> set[str]:
        return {m.id for m in self.measures if m.count}


def _norm(label: str) -> str:
    return " ".join(str(label).split()).casefold()


@lru_cache(maxsize=4)
def _load(path: str) -> Taxonomy:
    file = Path(path)
    if not file.is_file():
        raise InputError(Problem(file, "taksonomien mangler"))
    data = safe_yaml(file)
    try:
        return Taxonomy.model_validate(data)
    except ValueError as err:
        raise InputError(Problem(file, f"ugyldig taksonomi: {err}")) from None


def load(path: Path | None = None) -> Taxonomy:
    return _load(str(path or config.TAXONOMY_FILE))
