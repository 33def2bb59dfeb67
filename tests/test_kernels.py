"""The batch's shared kernel (servicetjek.publish.kernels): it survives a build whose folder is gone."""

from __future__ import annotations

import shutil

from servicetjek.publish.kernels import Kernels


def test_shared_kernel_survives_a_failed_builds_folder(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    kernels = Kernels(first, keep=True)
    try:
        kernels.take()
        kernels.pair[1].execute_interactive("pass", timeout=120)   # as a chapter would: warm-up done
        shutil.rmtree(first)          # a failed build removes its folder with the kernel still in it
        kernels.move(second)
        kernels.take()                # reset in the next build's folder
        printed = []
        reply = kernels.pair[1].execute_interactive(
            "import os; print(os.getcwd())", timeout=60,
            output_hook=lambda msg: printed.append(msg["content"].get("text", "")))
        assert reply["content"]["status"] == "ok"
        assert str(second) in "".join(printed)
    finally:
        kernels.shutdown()
