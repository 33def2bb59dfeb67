"""Input errors: what was wrong, where, and the exit statuses the CLI gives them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1       # the job failed (a chapter, the API)
EXIT_BAD_INPUT = 2    # bad input: every problem named, nothing written


@dataclass
class Problem:
    """One bad input, located as precisely as the format allows."""

    file: Path | str
    message: str
    row: int | str | None = None      # line number (CSV), row index (JSON), Excel row, or an item id
    column: str | None = None
    value: object = None
    line: int | None = None           # line in a text or YAML file

    def __str__(self) -> str:
        where = [str(self.file)]
        if self.line is not None:
            where.append(f"linje {self.line}")
        if self.row is not None:
            where.append(f"række {self.row}")
        if self.column is not None:
            where.append(f"kolonne '{self.column}'")
        text = ", ".join(where) + f": {self.message}"
        if self.value is not None:
            text += f" (værdi: {self.value!r})"
        return text


class InputError(Exception):
    """Bad input. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems = [p if isinstance(p, Problem) else Problem("", p) for p in problems]
        super().__init__(self.render())

    def render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} fejl i input:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ProblemCollector:
    """Collect problems per entity; raise them all at the end."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, *args, **kwargs) -> None:
        self.problems.append(Problem(*args, **kwargs))

    def extend(self, error: InputError) -> None:
        self.problems.extend(error.problems)

    def run(self, func, *args, **kwargs):
        """Call func; keep its InputError instead of raising. Returns None on error."""
        try:
            return func(*args, **kwargs)
        except InputError as err:
            self.extend(err)
            return None

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)
