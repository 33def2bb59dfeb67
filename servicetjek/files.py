"""Small file helpers with no heavy imports (the build's cache check must start fast)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def swap_dir(new: Path, target: Path) -> None:
    """Put the folder `new` in place of `target` in two renames; the old one is removed afterwards.

    Readers see either the old folder or the new one, never a half-written one.
    """
    import os
    import shutil

    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old.{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
