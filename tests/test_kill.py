"""Kill tests: SIGKILL a real `prepare` and `build` exactly between two of their steps (the pause hook
`files.pause_point`, switched on by SERVICETJEK_PAUSE_AT), then check that the previous output is whole
(before the swap: byte for byte; after it: the new output, every file the manifest lists present and
intact) and that the next run leaves nothing behind (no temporary, .old or .build folder, no held lock).

`make test` kills the build after every step but the middle chapters; SERVICETJEK_FULL_KILLS=1 kills it
after every chapter too.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import PROJECT, DataCopy, tree_digest

from servicetjek.files import PAUSE_ENV, PAUSE_MARKER_ENV, sha256

PIPELINE = str(PROJECT / "pipeline.py")
PREPARE_STEPS = ["prepare:validated", "prepare:locked", "prepare:written", "swap:exchanged", "prepare:swapped"]
PREPARE_AFTER_SWAP = {"swap:exchanged", "prepare:swapped"}


def _run(data_copy: DataCopy, *args: str, pause: str | None = None) -> subprocess.Popen:
    env = data_copy.env()
    if pause:
        env[PAUSE_ENV] = pause
        env[PAUSE_MARKER_ENV] = str(_marker(data_copy, pause))
    return subprocess.Popen([sys.executable, PIPELINE, *args], env=env, cwd=data_copy.root.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _marker(data_copy: DataCopy, step: str) -> Path:
    return data_copy.root.parent / f"paused-{step.replace(':', '-')}"


def _kill_at(data_copy: DataCopy, step: str, *args: str) -> None:
    """Run the command until it reaches `step`, then SIGKILL it there."""
    proc = _run(data_copy, *args, pause=step)
    marker = _marker(data_copy, step)
    deadline = time.monotonic() + 900
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"ended (status {proc.returncode}) before the step {step}:\n{proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"never reached {step}")
        time.sleep(0.05)
    assert int(marker.read_text(encoding="utf-8")) == proc.pid
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    marker.unlink()


def _complete(data_copy: DataCopy, *args: str) -> None:
    proc = _run(data_copy, *args)
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err


def _toggle_text(path: Path, i: int) -> None:
    """A visible change, different each time: every run has something new to write."""
    base = path.read_text(encoding="utf-8").split("\nÆndret i kørsel ")[0]
    path.write_text(f"{base}\nÆndret i kørsel {'abcdefghijklmnopqrstuvwxyz'[i % 26]}.\n", encoding="utf-8")


def _locks_free(folder: Path) -> None:
    """Lock files stay (removing one another process waits on would let two in); none is held."""
    for lock in folder.glob("*.lock") if folder.is_dir() else []:
        with open(lock) as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)     # raises if a killed run still held it
            fcntl.flock(handle, fcntl.LOCK_UN)


def _no_leftovers(data_copy: DataCopy, reports: Path | None = None) -> None:
    assert [p.name for p in data_copy.processed.iterdir() if p.name.startswith(".")] == []
    _locks_free(data_copy.root / ".locks")
    if reports is not None:
        hidden = sorted(p.name for p in reports.iterdir() if p.name.startswith(".") and p.name not in (".locks",
                                                                                                      ".failed"))
        assert hidden == [], hidden
        assert not list(reports.rglob(".*.tmp")), "a half-recorded edition"
        _locks_free(reports / ".locks")


def test_kill_at_every_step_of_prepare(data_copy):
    target = data_copy.processed / "naestved"
    text = data_copy.raw / "naestved" / "texts" / "indledning.md"
    _complete(data_copy, "prepare", "--kommune", "Næstved")
    for i, step in enumerate(PREPARE_STEPS):
        old = tree_digest(target)
        _toggle_text(text, i)
        _kill_at(data_copy, step, "prepare", "--kommune", "Næstved")
        killed = tree_digest(target)
        _complete(data_copy, "prepare", "--kommune", "Næstved")
        new = tree_digest(target)
        assert new != old
        assert killed == (new if step in PREPARE_AFTER_SWAP else old), step
        _no_leftovers(data_copy)


# ------------------------------------------------------------------ build
def _chapter_ids() -> list[str]:
    from servicetjek import declaration

    return [c.decl.id for c in declaration.report().notebooks()]


def _build_steps() -> list[str]:
    chapters = _chapter_ids()
    if not os.environ.get("SERVICETJEK_FULL_KILLS"):
        chapters = [chapters[0], chapters[-1]]
    return (["build:locked", "swap:exchanged", "build:prepared"] + [f"build:chapter:{c}" for c in chapters]
            + ["build:html", "build:pdf", "build:docx", "build:manifest", "build:carried", "build:swapped",
               "build:edition-copied"])


BUILD_AFTER_SWAP = {"build:swapped", "build:edition-copied"}


def _whole(report: Path) -> dict:
    """Every output the manifest lists is there, byte for byte."""
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    for output in manifest["outputs"]:
        assert sha256(report / output["path"]) == output["sha256"], output["path"]
    return manifest


def _report_files(report: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(report).items() if not k.startswith("editions/")}


def test_kill_at_every_step_of_build(data_copy):
    reports = data_copy.root.parent / "reports"
    report = reports / "slagelse"
    text = data_copy.raw / "slagelse" / "texts" / "vurdering.md"
    _complete(data_copy, "build", "--kommune", "Slagelse", "--quiet")
    for i, step in enumerate(_build_steps()):
        old = _report_files(report)
        _whole(report)
        _toggle_text(text, i)
        _kill_at(data_copy, step, "build", "--kommune", "Slagelse", "--quiet")
        if step in BUILD_AFTER_SWAP:
            assert _report_files(report) != old, step
        else:
            assert _report_files(report) == old, step
        _whole(report)
    _complete(data_copy, "build", "--kommune", "Slagelse", "--quiet")
    _whole(report)
    _no_leftovers(data_copy, reports)
