"""What every validated input shares: the strict pydantic base, the provenance rule, bounded YAML, and
the conversion of pydantic and pandera errors into `Problem`s (file, row, column, value)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from servicetjek.errors import InputError, Problem

# ------------------------------------------------------------------ models


class Strict(BaseModel):
    """Unknown fields are errors; validated values are not changed afterwards."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------ provenance
# Every input figure is published (with its source) or constructed (and how).
PROVENANCE_PATTERN = r"^(published|constructed): *\S.*$"
PROVENANCE_RULE = "provenance skal være 'published: <kilde>' eller 'constructed: <hvordan>'"


def check_provenance(text: str) -> str:
    text = str(text).strip()
    if not re.match(PROVENANCE_PATTERN, text, re.S):
        raise ValueError(PROVENANCE_RULE)
    return text


def provenance_kind(text: str) -> str:
    """'published' or 'constructed'."""
    return check_provenance(text).split(":", 1)[0]


Provenance = Annotated[str, AfterValidator(check_provenance)]


# ------------------------------------------------------------------ YAML
MAX_ALIASES = 100      # a YAML alias bomb expands a few lines into gigabytes
MAX_DEPTH = 40
MAX_YAML_BYTES = 5_000_000
MAX_EXPANDED_NODES = 200_000   # what the document becomes once every alias is followed


def _expanded_size(node, memo: dict) -> int:
    """Nodes in the document with aliases followed (shared nodes counted each time they are reached)."""
    key = id(node)
    if key not in memo:
        memo[key] = 0     # a recursive alias counts once
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = []
        memo[key] = 1 + sum(_expanded_size(child, memo) for child in children)
    return memo[key]


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader with a cap on aliases and nesting, and duplicate keys as errors."""

    def __init__(self, stream):
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_document(self):
        # Few aliases can still nest into billions of nodes (a list of 9 aliases to a list of 9 ...):
        # every later walk over the data (pydantic, the text checks) would expand them.
        node = super().compose_document()
        if node is not None and _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise yaml.YAMLError(f"for mange aliaser: dokumentet udfolder sig til over {MAX_EXPANDED_NODES:,} "
                                 "elementer".replace(",", "."))
        return node

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"for mange aliaser (over {MAX_ALIASES})")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.YAMLError(f"for dybt indlejret (over {MAX_DEPTH} niveauer)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"nøglen {key!r} er gentaget", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


BoundedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def safe_yaml(path: Path) -> Any:
    """The YAML file's data; a missing, oversized or invalid file is an InputError naming the line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(Problem(path, "filen mangler"))
    if path.stat().st_size > MAX_YAML_BYTES:
        raise InputError(Problem(path, f"filen er for stor (over {MAX_YAML_BYTES:,} byte)".replace(",", ".")))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(Problem(path, "filen er ikke UTF-8")) from None
    try:
        return yaml.load(text, Loader=BoundedLoader)   # noqa: S506 - a SafeLoader subclass
    except yaml.reader.ReaderError as err:     # e.g. a NUL byte: the reader gives a position, not a line
        raise InputError(Problem(path, f"ugyldigt tegn i YAML ({chr(err.character)!r})",
                                 line=text[: err.position].count("\n") + 1)) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(Problem(path, f"ugyldig YAML: {getattr(err, 'problem', None) or err}",
                                 row=mark.line + 1 if mark else None)) from None


def load_yaml_model(path: Path, model: type[BaseModel]):
    """Read a YAML file and validate it with a pydantic model; errors name the file and field."""
    data = safe_yaml(path)
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as err:
        raise InputError(pydantic_problems(path, err)) from None


# ------------------------------------------------------------------ pydantic → Problem
MESSAGES = {
    "missing": "feltet mangler",
    "extra_forbidden": "ukendt felt",
    "string_pattern_mismatch": "skal være et id med små bogstaver, tal, - og _",
}


def _column(loc: tuple) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def pydantic_problems(path: Path | str, err: ValidationError,
                      locate: Callable[[tuple], tuple[str | None, tuple]] | None = None) -> list[Problem]:
    """One Problem per pydantic error. `locate(loc)` may name the item (e.g. "forslag 'x' (nr. 2)") and
    return the rest of the location."""
    problems = []
    for item in err.errors():
        name, rest = locate(item["loc"]) if locate else (None, item["loc"])
        msg = MESSAGES.get(item["type"], item["msg"].removeprefix("Value error, "))
        if item["type"] == "literal_error":
            msg = f"ugyldig værdi; {item['msg']}"
        value = item.get("input") if item["type"] != "missing" else None
        problems.append(Problem(path, f"{name}: {msg}" if name else msg, column=_column(rest) or None,
                                value=None if isinstance(value, (dict, list)) else value))
    return problems


# ------------------------------------------------------------------ pandera → Problem
def check_message(check: str) -> str:
    """The Danish message for a failed pandera check (our own checks carry their message as `error`)."""
    if "unique" in check or "duplicate" in check.lower():
        return "dubleret række (samme nøgle som en anden række)"
    if "nullable" in check:
        return "værdien mangler"
    if "non_negative" in check or "greater_than_or_equal_to(0" in check:
        return "negativt antal"
    return f"opfylder ikke kravet {check}"


def pandera_problems(path: Path | str, err, locate: Callable[[Any, Any, Any], tuple]) -> list[Problem]:
    """One Problem per failing cell, in file order. `locate(index, column, failure case)` gives the row
    (line), the column as the file names it, and the cell's text."""
    problems, seen = [], set()
    for _, case in err.failure_cases.iterrows():
        message = check_message(str(case.get("check")))
        row, column, value = locate(case.get("index"), case.get("column"), case.get("failure_case"))
        if (row, column, message) not in seen:
            seen.add((row, column, message))
            problems.append(Problem(path, message, row=row, column=column, value=value))
    return sorted(problems, key=lambda p: (p.row or 0, str(p.column)))
