"""The canonical benefit-group taxonomy, loaded from data/raw/reference/taxonomy.yaml.

Every jobindsats label (old and new names) is mapped here and nowhere else.
"""

from __future__ import annotations

import difflib
import unicodedata
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from servicetjek import config
from servicetjek.errors import InputError, Problem
from servicetjek.validation import Strict, safe_yaml

Labels = dict[str, str]    # jobindsats label -> id of its source (taxonomy.yaml `sources`)


class SubGroup(Strict):
    id: str
    name: str
    labels: Labels


class BenefitGroup(Strict):
    id: str
    name: str
    short_name: str | None = None
    labels: Labels
    sub_groups: list[SubGroup] = Field(default_factory=list)
    active_target_group: bool = True
    total: bool = False

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class AggregateGroup(Strict):
    """A broad group of STAR's benchmark ("Kontanthjælp mv."): never one of the narrow groups."""

    id: str
    name: str
    labels: Labels
    covers: list[str]


class OutOfScope(Strict):
    benefit_group: Labels = Field(default_factory=dict)
    sub_group: Labels = Field(default_factory=dict)


Kind = Literal["group", "aggregate", "aside"]


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
    sources: dict[str, str]
    benefit_groups: list[BenefitGroup]
    aggregate_groups: list[AggregateGroup] = Field(default_factory=list)
    out_of_scope: OutOfScope = Field(default_factory=OutOfScope)
    sub_group_columns: list[str]
    tables: dict[str, str | None]
    measures: list[Measure]
    dimension_columns: DimensionColumns
    target_groups: list[TargetGroup]
    target_group_aggregates: list[TargetAggregate]
    benchmark_measures: list[Measure] = Field(default_factory=list)

    @model_validator(mode="after")
    def _labels_unique(self) -> "Taxonomy":
        seen: dict[str, str] = {}
        named = [(g.id, g.labels) for g in self.benefit_groups]
        named += [(f"aggregat {a.id}", a.labels) for a in self.aggregate_groups]
        named += [("uden for rapporten", self.out_of_scope.benefit_group)]
        for owner, labels in named:
            for label in labels:
                key = norm(label)
                if key in seen and seen[key] != owner:
                    raise ValueError(f"label {label!r} maps to both {seen[key]} and {owner}")
                seen[key] = owner
        all_labels = [labels for _, labels in named] + [self.out_of_scope.sub_group]
        all_labels += [s.labels for g in self.benefit_groups for s in g.sub_groups]
        for labels in all_labels:
            for label, source in labels.items():
                if source not in self.sources:
                    raise ValueError(f"label {label!r} names unknown source {source!r}; known: {sorted(self.sources)}")
        ids = {g.id for g in self.benefit_groups}
        for table, group in self.tables.items():
            if group is not None and group not in ids:
                raise ValueError(f"table {table} names unknown group {group}")
        for tg in self.target_groups:
            for cover in tg.covers:
                if cover.group not in ids:
                    raise ValueError(f"target group {tg.id} covers unknown group {cover.group}")
        for agg in self.aggregate_groups:
            if agg.id in ids or set(agg.covers) - ids:
                raise ValueError(f"aggregate {agg.id}: id taken or covers unknown groups")
        return self

    # -- lookups ----------------------------------------------------------
    def group(self, group_id: str) -> BenefitGroup:
        for group in self.benefit_groups:
            if group.id == group_id:
                return group
        raise KeyError(group_id)

    def group_id(self, label: str) -> str | None:
        """The narrow benefit group a label names (never a broad aggregate)."""
        found = self._groups_by_key.get(norm(label))
        return found[1] if found and found[0] == "group" else None

    @cached_property
    def _groups_by_key(self) -> dict[str, tuple[Kind, str]]:
        """norm(label) or id -> ('group', id), ('aggregate', id) or ('aside', ''): an extract's every row is
        classified, so the labels are normalised once, not per row. Groups win over aggregates over aside."""
        index: dict[str, tuple[Kind, str]] = {norm(x): ("aside", "") for x in self.out_of_scope.benefit_group}
        for agg in self.aggregate_groups:
            index.update({norm(x): ("aggregate", agg.id) for x in agg.labels} | {agg.id: ("aggregate", agg.id)})
        for group in self.benefit_groups:
            index.update({norm(x): ("group", group.id) for x in group.labels} | {group.id: ("group", group.id)})
        return index

    def aggregate_id(self, label: str) -> str | None:
        key = norm(label)
        for agg in self.aggregate_groups:
            if key == agg.id or key in {norm(x) for x in agg.labels}:
                return agg.id
        return None

    def classify_group(self, label: str) -> tuple[Kind, str] | None:
        """('group', id), ('aggregate', id), ('aside', label) or None for an unknown label."""
        found = self._groups_by_key.get(norm(label))
        if found is None:
            return None
        return (found[0], label) if found[0] == "aside" else found

    def sub_group_id(self, group_id: str, label: str) -> str | None:
        key = norm(label)
        for sub in self.group(group_id).sub_groups:
            if key in {norm(x) for x in sub.labels} or key == sub.id:
                return sub.id
        return None

    def sub_group_aside(self, label: str) -> bool:
        return norm(label) in {norm(x) for x in self.out_of_scope.sub_group}

    def known_group_labels(self) -> list[str]:
        labels = [x for g in self.benefit_groups for x in g.labels]
        labels += [x for a in self.aggregate_groups for x in a.labels]
        return labels + list(self.out_of_scope.benefit_group)

    def known_sub_labels(self, group_id: str) -> list[str]:
        return [x for s in self.group(group_id).sub_groups for x in s.labels] + list(self.out_of_scope.sub_group)

    def source_of(self, label: str) -> str | None:
        """The source (description) of a known label."""
        key = norm(label)
        pools = [g.labels for g in self.benefit_groups] + [a.labels for a in self.aggregate_groups]
        pools += [s.labels for g in self.benefit_groups for s in g.sub_groups]
        pools += [self.out_of_scope.benefit_group, self.out_of_scope.sub_group]
        for labels in pools:
            for text, source in labels.items():
                if norm(text) == key:
                    return self.sources[source]
        return None

    def measure(self, label: str) -> Measure | None:
        key = norm(label)
        for measure in self.measures:
            if key in {norm(x) for x in measure.labels} or key == measure.id:
                return measure
        return None

    def benchmark_measure(self, label: str) -> Measure | None:
        key = norm(label)
        for measure in self.benchmark_measures:
            if key in {norm(x) for x in measure.labels} or key == measure.id:
                return measure
        return None

    def group_name(self, group_id: str) -> str:
        """Name of a narrow group or a broad aggregate."""
        for group in [*self.benefit_groups, *self.aggregate_groups]:
            if group.id == group_id:
                return group.name
        raise KeyError(group_id)

    def target_group(self, label_or_id: str) -> TargetGroup | None:
        key = norm(label_or_id)
        for tg in self.target_groups:
            if key == tg.id or key in {norm(x) for x in tg.labels}:
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


def clean(text: object) -> str:
    """A label as read: Unicode NFC, surrounding and repeated whitespace removed (case kept)."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def norm(label: object) -> str:
    """The key labels are compared by: clean, then case-folded."""
    return _norm(label) if isinstance(label, str) else clean(label).casefold()


@lru_cache(maxsize=4096)      # every row of an extract is classified; there are few distinct labels
def _norm(label: str) -> str:
    return clean(label).casefold()


def suggest(label: str, known: list[str]) -> str | None:
    """The nearest known label (difflib), or None if nothing is close."""
    by_key = {norm(x): x for x in known}
    match = difflib.get_close_matches(norm(label), list(by_key), n=1, cutoff=0.6)
    return by_key[match[0]] if match else None


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
