"""Exclusions and dependencies between a catalogue's proposals (`udelukker`, `forudsætter` in proposals.yaml).

- A reference is a proposal id or its number (its place in the file); one pointing nowhere is an error.
- Exclusion is mutual: `udelukker: [3]` on forslag 1 also keeps forslag 1 out where forslag 3 counts.
- Dependencies may not form a cycle (forslag 1 requires 2, 2 requires 1).
- The total never adds two exclusive proposals. The catalogue declares how (`exclusive`):
  'afvis' (default): both in the total is an error — mark one `in_total: false`;
  'alternativer': the first (in order) counts, a later one exclusive with a counted one is shown as its
  alternative, outside the total. A proposal whose requirement is out of the total is out too.
"""

from __future__ import annotations

from pathlib import Path

from servicetjek.errors import Problem


def _name(p) -> str:
    return f"forslag '{p.id}' (nr. {p.number})"


def resolve(proposals, ref) -> object | None:
    for p in proposals:
        if (isinstance(ref, int) and p.number == ref) or (isinstance(ref, str) and p.id == ref):
            return p
    return None


def _field(field: str) -> str:
    return {"excludes": "udelukker", "requires": "forudsætter"}[field]


def _reference_problems(path: Path, proposals) -> list[Problem]:
    problems = []
    for p in proposals:
        for field in ("excludes", "requires"):
            for ref in getattr(p, field):
                target = resolve(proposals, ref)
                if target is None:
                    problems.append(Problem(path, f"{_name(p)}: '{_field(field)}' peger på et forslag, der ikke "
                                                  "findes", column=_field(field), value=ref))
                elif target.id == p.id:
                    problems.append(Problem(path, f"{_name(p)}: '{_field(field)}' peger på forslaget selv",
                                            column=_field(field), value=ref))
        both = {str(r) for r in p.excludes} & {str(r) for r in p.requires}
        if both:
            problems.append(Problem(path, f"{_name(p)}: et forslag kan ikke både udelukke og forudsætte det samme",
                                    column="udelukker", value=", ".join(sorted(both))))
    return problems


def requirements(proposals) -> dict[str, list[str]]:
    return {p.id: [t.id for t in (resolve(proposals, r) for r in p.requires) if t is not None] for p in proposals}


def exclusions(proposals) -> dict[str, set[str]]:
    """Every proposal's exclusive partners (both directions)."""
    out: dict[str, set[str]] = {p.id: set() for p in proposals}
    for p in proposals:
        for ref in p.excludes:
            t = resolve(proposals, ref)
            if t is not None and t.id != p.id:
                out[p.id].add(t.id)
                out[t.id].add(p.id)
    return out


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle as a list of ids (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def counted(proposals, mode: str) -> tuple[list[str], dict[str, str]]:
    """(ids in the total, in order; {id left out: why}) under the catalogue's mode."""
    excl, reqs = exclusions(proposals), requirements(proposals)
    number = {p.id: p.number for p in proposals}
    inside: list[str] = []
    why: dict[str, str] = {}
    for p in proposals:
        if not p.in_total:
            why[p.id] = "markeret som ikke med i totalen"
            continue
        clash = [o for o in inside if o in excl[p.id]]
        if clash and mode == "alternativer":
            why[p.id] = "alternativ til " + ", ".join(f"forslag {number[o]}" for o in clash)
            continue
        inside.append(p.id)
    changed = True
    while changed:           # a proposal whose requirement is out of the total is out too
        changed = False
        for pid in list(inside):
            missing = [r for r in reqs[pid] if r not in inside]
            if missing:
                inside.remove(pid)
                why[pid] = "forudsætter " + ", ".join(f"forslag {number[r]}" for r in missing)
                changed = True
    return inside, why


def relation_problems(path: Path, proposals, mode: str) -> list[Problem]:
    problems = _reference_problems(path, proposals)
    if problems:
        return problems
    cycle = find_cycle(requirements(proposals))
    if cycle:
        first = resolve(proposals, cycle[0])
        chain = " → ".join(f"forslag {resolve(proposals, c).number}" for c in cycle)
        problems.append(Problem(path, f"{_name(first)}: 'forudsætter' danner en kreds ({chain})",
                                column="forudsætter", value=", ".join(cycle)))
    if mode == "afvis":
        inside, _ = counted(proposals, mode)
        excl = exclusions(proposals)
        for i, a in enumerate(inside):
            for b in inside[i + 1:]:
                if b in excl[a]:
                    pa = resolve(proposals, a)
                    problems.append(Problem(path, f"{_name(pa)}: udelukker forslag {resolve(proposals, b).number}, "
                                                  "men begge indgår i totalen; sæt 'in_total: false' på det ene "
                                                  "eller 'exclusive: alternativer' i kataloget",
                                            column="udelukker", value=b))
    return problems
