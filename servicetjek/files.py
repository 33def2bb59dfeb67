"""Small file helpers with no heavy imports (the build's cache check must start fast)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PAUSE_ENV = "SERVICETJEK_PAUSE_AT"          # test hook: see pause_point
PAUSE_MARKER_ENV = "SERVICETJEK_PAUSE_MARKER"


def pause_point(step: str) -> None:
    """Test hook for kill tests: with SERVICETJEK_PAUSE_AT=<step> the process writes its pid to the file
    SERVICETJEK_PAUSE_MARKER and sleeps at that step, so a test can SIGKILL it exactly between two steps.
    Unset (production) it is one environment lookup. The steps: prepare:validated, prepare:locked,
    prepare:written, swap:exchanged (the old folder not yet removed), prepare:swapped; build:locked, build:prepared, build:chapter:<id>, build:html,
    build:pdf, build:manifest, build:carried, build:swapped, build:edition-copied."""
    if os.environ.get(PAUSE_ENV) != step:
        return
    import time

    marker = os.environ.get(PAUSE_MARKER_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(3600)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def links_outside(folder: Path, root: Path) -> list[tuple[Path, Path]]:
    """(link, target) for every symbolic link under `folder` that resolves outside `root`."""
    root = root.resolve()
    found = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                found.append((path, target))
    return found


def check_size(path: Path, limit: int, hint: str = "") -> None:
    """InputError when the file is over `limit` bytes: refused before it is read (a 50 MB extract
    took 85 s and 2 GB to reject by its contents)."""
    size = path.stat().st_size
    if size > limit:
        from servicetjek.errors import InputError, Problem

        mb = lambda n: f"{n / 1e6:.1f}".replace(".", ",")  # noqa: E731
        raise InputError(Problem(path, f"filen er for stor ({mb(size)} MB; grænsen er {mb(limit)} MB){hint}"))


def _exchange(a: Path, b: Path) -> bool:
    """Swap the two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where the system or
    file system cannot."""
    import ctypes
    import errno
    import os

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_dir(new: Path, target: Path) -> None:
    """Put the folder `new` in place of `target`; the old one is removed afterwards.

    Where the system allows, one atomic exchange: at every moment `target` is the whole old folder or the
    whole new one, and a kill leaves at most the old one under `new`'s name (removed by the next run).
    Elsewhere two renames.
    """
    import os
    import shutil

    if target.is_dir() and not target.is_symlink() and _exchange(new, target):
        pause_point("swap:exchanged")
        shutil.rmtree(new, ignore_errors=True)      # now the old folder
        return
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old.{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def locked(path: Path):
    """An exclusive lock on the file `path` (created if need be), held for the `with` block; other
    processes wait. The lock goes with the process, so a killed run never leaves it taken."""
    import contextlib
    import fcntl

    @contextlib.contextmanager
    def hold():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    return hold()
