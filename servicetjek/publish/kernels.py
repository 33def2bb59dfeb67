"""The chapters' kernel: one per build (one per worker process in a batch), started ahead and reset
between chapters; no secret in its environment."""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

KERNEL = "python3"
# Environment variables never handed to a kernel (nothing in a notebook may see a secret).
SECRET_ENV = re.compile(r"(API_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL)", re.I)
# Quiet kernels (no transport warning on stderr) without an SQLite history file per run.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.enabled=False"]

WARMUP = """def _servicetjek_warmup():
    import importlib, pkgutil, servicetjek
    for module in pkgutil.walk_packages(servicetjek.__path__, "servicetjek."):
        importlib.import_module(module.name)
    import matplotlib.pyplot, IPython.display
_servicetjek_warmup()
del _servicetjek_warmup
import gc as _gc
_gc.collect()
_gc.freeze()      # the imported modules out of the collector's sight: %reset's gc.collect() then scans only
del _gc           # what the chapters made (0,2 s a chapter before)
"""

RESET = """get_ipython().run_line_magic("reset", "-f")
import matplotlib.pyplot
matplotlib.pyplot.close("all")
del matplotlib
"""


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not SECRET_ENV.search(k)}


@contextlib.contextmanager
def no_secrets():
    """Kernels inherit the environment: hide anything that looks like a secret while they run."""
    hidden = {k: os.environ.pop(k) for k in list(os.environ) if SECRET_ENV.search(k)}
    try:
        yield
    finally:
        os.environ.update(hidden)


def _ready_client():
    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        """papermill's nbclient connects a new client to the shared kernel for every chapter, and
        jupyter_client's wait_for_ready ends by draining IOPub until it has been silent for 0,2 s: 0,2 s of
        idle waiting per chapter. This client does the same handshake (kernel_info until its reply and
        IOPub traffic arrive, which shows the subscription is connected) but stops draining at the
        request's own 'idle' status, which the kernel sends last."""

        async def _async_wait_for_ready(self, timeout=None):
            from queue import Empty

            timeout = timeout or 60
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                msg_id = self.kernel_info()
                try:
                    reply = await self._async_recv_reply(msg_id, timeout=max(deadline - time.monotonic(), 0.1))
                    while True:
                        msg = await self.iopub_channel.get_msg(timeout=0.2)
                        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                                and msg["content"].get("execution_state") == "idle"):
                            self._handle_kernel_info_reply(reply)
                            return
                except (Empty, TimeoutError):
                    continue        # IOPub not connected yet (its status messages were lost): ask again
            raise RuntimeError(f"kernen svarede ikke inden for {timeout} s")

        wait_for_ready = _async_wait_for_ready     # the base class binds its own function to this name

    return ReadyClient


class Kernels:
    """One kernel per build, started ahead (it imports the package, pandas and matplotlib while the inputs
    are checked) and reset between chapters (`%reset -f`: every chapter starts with an empty namespace, as
    in a fresh kernel, but the imported modules stay loaded). Nothing runs in it with store_history, so
    each chapter's execution counts are its own."""

    def __init__(self, cwd: Path, keep: bool = False):
        self.cwd = cwd
        self.pair = None
        self.used = False
        self.keep = keep          # shared by the builds of a batch worker: close() leaves it running

    def move(self, cwd: Path) -> None:
        """The next build's folder: the kernel changes into it at its next reset."""
        self.cwd = cwd
        self.used = self.pair is not None

    def prestart(self) -> None:
        if self.pair is None:
            from jupyter_client import BlockingKernelClient
            from jupyter_client.manager import AsyncKernelManager
            from jupyter_core.utils import run_sync

            km = AsyncKernelManager(kernel_name=KERNEL)
            km.client_factory = _ready_client()
            run_sync(km.start_kernel)(extra_arguments=KERNEL_ARGS, cwd=str(self.cwd), env=clean_env())
            kc = BlockingKernelClient()
            kc.load_connection_info(km.get_connection_info())
            kc.start_channels()
            kc.execute(WARMUP, silent=True, store_history=False)
            self.pair = (km, kc)

    def take(self):
        from servicetjek.publish.execute import BuildFailed

        if self.pair is not None and not self._alive():      # a chapter of an earlier build killed it
            self.shutdown()
        self.prestart()
        km, kc = self.pair
        if self.used:
            # into the build's folder first: a failed build's folder is gone, and %reset fails there
            chdir = f"import os as _os\n_os.chdir({str(self.cwd)!r})\ndel _os\n"
            msg_id = kc.execute(chdir + RESET, silent=True, store_history=False)
            while True:
                reply = kc.get_shell_msg(timeout=60)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            if reply["content"].get("status") != "ok":
                raise BuildFailed(f"FEJL: kernen kunne ikke nulstilles: {reply['content'].get('evalue')}")
        self.used = True
        return km

    def _alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return bool(run_sync(self.pair[0].is_alive)())

    def close(self) -> None:
        if not self.keep:
            self.shutdown()

    def shutdown(self) -> None:
        if self.pair is not None:
            from jupyter_core.utils import run_sync

            km, kc = self.pair
            self.pair = None
            try:
                kc.stop_channels()
            finally:
                run_sync(km.shutdown_kernel)(now=True)


_SHARED: Kernels | None = None


def shared(cwd: Path) -> Kernels:
    """The one kernel of this process for a batch (build_many): started by the first build, moved into each
    next build's folder and reset there, shut down when the batch or the worker process ends."""
    global _SHARED
    if _SHARED is None:
        import atexit

        _SHARED = Kernels(cwd, keep=True)
        atexit.register(_SHARED.shutdown)
    else:
        _SHARED.move(cwd)
    return _SHARED


def shutdown_shared() -> None:
    if _SHARED is not None:
        _SHARED.shutdown()
