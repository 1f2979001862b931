"""Quiet kernels for ``make figures``: only the runner's lines and real messages reach the console.

- Kernels run with CurveZMQ transport encryption (jupyter_client's ``transport_encryption="auto"``;
  the ipykernel kernelspec declares it), so ipykernel has no "running over TCP without
  encryption" warning to give.
- A kernel's own stderr (TensorFlow's C++ banners, asyncio's shutdown chatter) goes through a pipe
  to ``<executed notebook>.kernel.log`` in full; lines that are not known noise are also shown on
  the console, prefixed with the notebook's name. What a cell prints or warns stays in the notebook.
- :func:`quiet_stderr` does the same for TensorFlow's banners in the runner's own process.
"""
from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

NOISE = tuple(re.compile(pattern) for pattern in (
    r"Kernel is running over TCP without encryption",
    r"^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"port\.cc:\d+\] oneDNN custom operations are on",
    r"cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized",
    r"^To enable the following instructions: .* rebuild TensorFlow",
    r"meta_optimizer\.cc:\d+\] .*failed",  # grappler skipping an optimisation: harmless
    r"^Task was destroyed but it is pending!",
    r'^Message: "Task was destroyed but it is pending!',  # the same, as ipykernel's logger words it
    r"^task: <Task (pending|finished)",
))
TASK_DESTROYED = "Task was destroyed but it is pending"


def is_noise(line: str) -> bool:
    """Whether a line of a kernel's (or TensorFlow's) stderr is known chatter, not a message for the user."""
    return not line.strip() or any(pattern.search(line) for pattern in NOISE)


def _relay(read_fd: int, log_path: Path, label: str) -> None:
    """Copy a kernel's stderr into its log; show the lines that are not noise."""
    with os.fdopen(read_fd, "rb") as pipe, open(log_path, "ab") as log:
        for raw in pipe:
            log.write(raw)
            log.flush()
            line = raw.decode("utf-8", "replace").rstrip()
            if not is_noise(line):
                print(f"  {label}: {line}", file=sys.stderr, flush=True)


def kernel_manager_class(log_path: Path, label: str):
    """An ``AsyncKernelManager`` (for papermill's ``kernel_manager_class``) whose kernels are quiet as above."""
    import zmq
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if zmq.has("curve"):
                self.transport_encryption = "auto"

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            read_fd, write_fd = os.pipe()
            kw["stderr"] = write_fd
            try:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            except BaseException:
                os.close(read_fd)
                raise
            finally:
                os.close(write_fd)  # the kernel holds its copy; EOF comes when it (and its children) exit
            threading.Thread(target=_relay, args=(read_fd, Path(log_path), label), daemon=True).start()

    return QuietKernelManager


class _DropTaskDestroyed(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return TASK_DESTROYED not in record.getMessage()


def quiet_asyncio() -> None:
    """Keep asyncio's "Task was destroyed but it is pending!" (nbclient's shutdown) off this process's console."""
    logger = logging.getLogger("asyncio")
    if not any(isinstance(f, _DropTaskDestroyed) for f in logger.filters):
        logger.addFilter(_DropTaskDestroyed())


@contextmanager
def quiet_stderr():
    """Hold this process's stderr (file descriptor 2) in a file for the block, then show what is not noise."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            for raw in held:
                line = raw.decode("utf-8", "replace").rstrip()
                if not is_noise(line):
                    print(line, file=sys.stderr)
