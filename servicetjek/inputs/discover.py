"""Which municipalities there are: the folders under data/raw/ with a kommune.yaml.

Kept apart from `municipality` (its pydantic models): a build that finds nothing changed resolves its
municipality and returns, and must not pay for importing pydantic."""

from __future__ import annotations

from servicetjek import config
from servicetjek.errors import InputError, Problem

CONFIG_FILE = "kommune.yaml"


def known_municipalities() -> dict[str, str]:
    """slug -> name for every folder under data/raw/ with a kommune.yaml."""
    from servicetjek.validation import safe_yaml

    found = {}
    if config.RAW_DIR.is_dir():
        for folder in sorted(config.RAW_DIR.iterdir()):
            file = folder / CONFIG_FILE
            if file.is_file():
                try:
                    data = safe_yaml(file)
                    name = data.get("name", folder.name) if isinstance(data, dict) else folder.name
                except InputError:      # a broken kommune.yaml affects only its own municipality
                    name = folder.name
                found[folder.name] = str(name)
    return found


def resolve(name: str) -> str:
    """'Næstved', 'naestved' or 'NÆSTVED' -> 'naestved'; unknown -> InputError listing the known ones.

    A known slug is found by its folder alone: reading every kommune.yaml (as the error's list does) cost
    a batch of 98 municipalities about half a second per call, several calls per municipality."""
    slug = config.slugify(name)
    if slug and (config.RAW_DIR / slug / CONFIG_FILE).is_file():     # slugify leaves only [a-z0-9-]
        return slug
    known = known_municipalities()
    listed = ", ".join(f"{n} ({s})" for s, n in known.items()) or "ingen"
    raise InputError(Problem(config.RAW_DIR, f"ukendt kommune {name!r}; kendte kommuner: {listed}"))
