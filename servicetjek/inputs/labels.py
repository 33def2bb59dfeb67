"""Benefit-group and visitation labels of one extract: mapped, set aside, or unknown.

A label outside the report's scope (ptv_a02's `Efterløn`) or a broad aggregate (`Kontanthjælp mv.`) is
read and set aside; `prepare` names every one of them in ONE note. An unknown label is an error that
names the label once, with all its rows, and the nearest known label.
"""

from __future__ import annotations

from pathlib import Path

from servicetjek.errors import Problem
from servicetjek.inputs.taxonomy import Taxonomy, suggest


def set_aside_note(aside: list[tuple[str, str, str, int]]) -> str:
    """One note naming every label set aside: (kind, label, file, rows)."""
    parts = []
    for kind in ("uden for rapportens ydelsesgrupper", "bredt aggregat (ikke en smal ydelsesgruppe)"):
        entries = [e for e in aside if e[0] == kind]
        if entries:
            shown = "; ".join(f"'{label}' ({file}, {fmt_rows(n)})" for _, label, file, n in entries)
            parts.append(f"{kind}: {shown}")
    return "Sat til side ved indlæsning, indgår ikke i rapporten — " + ". ".join(parts) + "."


def fmt_rows(n: int) -> str:
    return f"{n} række" if n == 1 else f"{n} rækker"


class LabelLog:
    """Classifies the benefit-group and visitation labels of one file; remembers what it set aside and
    every unknown label with all its rows (one problem per label, with the nearest known label)."""

    def __init__(self, path: Path, taxonomy: Taxonomy):
        self.path, self.taxonomy = path, taxonomy
        self.aside: list[tuple[str, str, str, int]] = []
        self._aside_rows: dict[tuple[str, str], int] = {}
        self._unknown: dict[tuple[str, str, str], list[int]] = {}

    def _set_aside(self, kind: str, label: str) -> None:
        self._aside_rows[(kind, label)] = self._aside_rows.get((kind, label), 0) + 1

    def group(self, label: str, loc: int, column: str) -> str | None:
        found = self.taxonomy.classify_group(label)
        if found is None:
            self._unknown.setdefault(("ydelsesgruppe", column, label), []).append(loc)
            return None
        kind, ident = found
        if kind == "group":
            return ident
        self._set_aside("bredt aggregat (ikke en smal ydelsesgruppe)" if kind == "aggregate"
                        else "uden for rapportens ydelsesgrupper", label)
        return None

    def benchmark_group(self, label: str, loc: int, column: str) -> str | None:
        """y30r21: 'i_alt' or a broad aggregate id; a narrow group there is an unknown label."""
        found = self.taxonomy.classify_group(label)
        if found is not None and found[0] == "aside":
            self._set_aside("uden for rapportens ydelsesgrupper", label)
            return None
        if found is None or (found[0] == "group" and found[1] != "i_alt"):
            self._unknown.setdefault(("ydelsesgruppe i benchmarket (kun i alt og brede grupper)", column, label),
                                     []).append(loc)
            return None
        return found[1]

    def sub_group(self, group: str, label: str, loc: int, column: str) -> str | None:
        sub = self.taxonomy.sub_group_id(group, label)
        if sub is None and self.taxonomy.sub_group_aside(label):
            self._set_aside("uden for rapportens ydelsesgrupper", label)
        elif sub is None:
            self._unknown.setdefault((f"visitationskategori for {group}", column, label), []).append(loc)
        return sub

    def problems(self) -> list[Problem]:
        self.aside = [(kind, label, self.path.name, n) for (kind, label), n in self._aside_rows.items()]
        out = []
        for (what, column, label), rows in self._unknown.items():
            group = what.removeprefix("visitationskategori for ")
            known = (self.taxonomy.known_group_labels() if what.startswith("ydelsesgruppe")
                     else self.taxonomy.known_sub_labels(group))
            near = suggest(label, known)
            shown = ", ".join(map(str, rows[:10])) + (f" … ({len(rows)} rækker i alt)" if len(rows) > 10 else "")
            hint = f"; mente du '{near}'?" if near else ""
            out.append(Problem(self.path, f"ukendt {what} '{label}' (ikke i reference/taxonomy.yaml) i række "
                                          f"{shown}{hint}", column=column, value=label))
        return out
