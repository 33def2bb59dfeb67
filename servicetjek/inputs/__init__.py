"""Inputs: jobindsats extracts, the municipality's own figures, validation (`prepare`), fetch, scaffold."""


def load(kommune: str, check: bool = True):
    """The prepared inputs of one municipality (see `loader.load`)."""
    from servicetjek.inputs.loader import load as _load

    return _load(kommune, check)
