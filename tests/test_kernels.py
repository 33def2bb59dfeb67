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


def test_each_chapters_client_is_ready_and_sees_only_its_own_output(tmp_path):
    """nbclient connects a new client per chapter (km.client()); ours stops waiting at the kernel_info's
    idle status. The client must then be usable: its execution's output reaches it, none left over from
    the handshake or from an earlier client."""
    from jupyter_core.utils import run_sync

    kernels = Kernels(tmp_path)
    try:
        km = kernels.take()
        for n in range(3):
            kc = km.client()
            assert type(kc).__name__ == "ReadyClient"
            kc.start_channels()
            try:
                run_sync(kc.wait_for_ready)(timeout=60)
                printed = []

                def hook(msg, printed=printed):
                    printed.append(msg["content"].get("text", ""))

                reply = run_sync(kc.execute_interactive)(f"print('kapitel {n}')", timeout=60, output_hook=hook)
                assert reply["content"]["status"] == "ok"
                assert "".join(printed) == f"kapitel {n}\n"
            finally:
                kc.stop_channels()
    finally:
        kernels.shutdown()
