"""The folder swap is one atomic exchange where the system allows it; prepare holds a lock and removes
what a killed run left beside its output."""

from __future__ import annotations

import os
import shutil

import pytest


def _folder(path, text):
    path.mkdir()
    (path / "x.txt").write_text(text, encoding="utf-8")
    return path


def test_swap_is_one_exchange_no_moment_without_target(tmp_path, monkeypatch):
    from servicetjek import files

    new, target = _folder(tmp_path / ".t.new", "ny"), _folder(tmp_path / "t", "gammel")

    def no_rename(*args):      # the two-rename path would leave a moment with no target
        raise AssertionError("os.replace called")

    monkeypatch.setattr(os, "replace", no_rename)
    files.swap_dir(new, target)
    assert (target / "x.txt").read_text(encoding="utf-8") == "ny"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]


def test_swap_falls_back_to_renames(tmp_path, monkeypatch):
    from servicetjek import files

    monkeypatch.setattr(files, "_exchange", lambda a, b: False)
    new, target = _folder(tmp_path / ".t.new", "ny"), _folder(tmp_path / "t", "gammel")
    files.swap_dir(new, target)
    assert (target / "x.txt").read_text(encoding="utf-8") == "ny"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]
    files.swap_dir(_folder(tmp_path / ".t.first", "første"), tmp_path / "u")   # no target yet
    assert (tmp_path / "u" / "x.txt").read_text(encoding="utf-8") == "første"


def test_kill_after_the_swap_leaves_new_output_and_next_prepare_cleans(data_copy, monkeypatch):
    """A kill between the exchange and the removal of the old folder (simulated: the removal raises)."""
    from servicetjek import config
    from servicetjek.inputs.prepare import prepare

    root = data_copy.root
    for name, value in {"DATA_DIR": root, "RAW_DIR": root / "raw", "REFERENCE_DIR": root / "raw" / "reference",
                        "PROCESSED_DIR": root / "processed",
                        "TAXONOMY_FILE": root / "raw" / "reference" / "taxonomy.yaml"}.items():
        monkeypatch.setattr(config, name, value)
    prepare("naestved")
    first = (data_copy.processed / "naestved" / "meta.json").read_bytes()
    real_rmtree = shutil.rmtree

    def killed(path, *args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(shutil, "rmtree", killed)
    with pytest.raises(KeyboardInterrupt):
        prepare("naestved")
    monkeypatch.setattr(shutil, "rmtree", real_rmtree)
    names = sorted(p.name for p in data_copy.processed.iterdir())
    assert "naestved" in names and len(names) == 2          # the output whole, the old copy left over
    assert (data_copy.processed / "naestved" / "meta.json").read_bytes() == first
    (data_copy.processed / ".naestved.old.12345").mkdir()   # what a kill between two renames left
    prepare("naestved")
    assert sorted(p.name for p in data_copy.processed.iterdir()) == ["naestved"]
