"""Run notebooks top to bottom with a client that cannot miss a kernel's reply, under a per-cell time limit.

`make execute` runs `python tools/execute.py notebooks/*.ipynb`: each notebook in place, in full mode, one after
another. The tests that execute notebooks use `Client` too.

Why not plain nbclient: it waits for a cell's reply with one asyncio poll of the kernel's socket, as long as the
cell's whole time limit. Sometimes that poll is never woken: the reply sits in the socket until the limit ends,
when the poll looks once more and finds it, and a cell that finished long ago stays busy that long (nbclient
issue #312). Measured with tools/reply_lag.py (2026-12-07, 2-core AMD EPYC Zen 3): in 100 runs of notebook 01,
5 replies came 29.7 to 29.8 s late under a 30 s limit, all of the cell with the sliders (ipywidgets' interact),
whose "idle" came on time. nbclient stands in for the sliders' Output widget and sends its state to the kernel on
that same socket while it waits; a send on a ZeroMQ socket can take the wake-up meant for a message arriving at
that moment, which is our reading of it. `Client` waits in slices of `SLICE` seconds, each ending with that
same last look, so a reply is found at most `SLICE` seconds after it came.

A cell that runs past its limit stops the run with a message naming the notebook, the cell and the versions.
"""

import argparse
import os
import sys
import time
from importlib.metadata import version
from pathlib import Path
from queue import Empty

import nbclient
import nbformat

SLICE = 0.5  # seconds: the longest a reply can wait unseen
# Per-cell limits, from the slowest cell of the stored full runs on a 2-core AMD EPYC Zen 3 (2026-12-07): 03 222 s
# (slide 42's ten epochs) and 04 about 1,300 s (seven seeds at 184 s each, when none are stored yet), about four
# times over; elsewhere 10 minutes, where the slowest cell took 85 s (00, timing eight networks).
LIMITS = {"03": 900, "04": 5400}
DEFAULT_LIMIT = 600
# In quick mode (the tests), the slowest cell of any notebook or student copy took 5.5 s on that CPU (04's
# seed runs; the set-up cells' imports 3 to 5 s). Ten times that, rounded: room for a slower machine, a cold
# disk cache at the first import of torch, and two kernels at once (a test of 04 runs two).
QUICK_LIMIT = 60
VERSIONS = ("nbclient", "jupyter_client", "ipykernel", "pyzmq", "tornado")


def versions() -> str:
    return ", ".join(f"{name} {version(name)}" for name in VERSIONS)


def limit_for(path: Path) -> int:
    return LIMITS.get(path.name[:2], DEFAULT_LIMIT)


def sliced(get_msg):
    """`get_msg(timeout)` of a kernel client's channel, waiting in slices of SLICE seconds."""
    async def wait(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = SLICE if deadline is None else min(SLICE, deadline - time.monotonic())
            try:
                return await get_msg(timeout=max(left, 0))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise
    return wait


class Client(nbclient.NotebookClient):
    """nbclient's NotebookClient whose waits for the kernel's messages cannot miss one (see the module's text)."""

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        kc.shell_channel.get_msg = sliced(kc.shell_channel.get_msg)
        kc.iopub_channel.get_msg = sliced(kc.iopub_channel.get_msg)
        return kc


class CellTimeout(RuntimeError):
    pass


def execute(nb, path: Path, timeout: int, cwd=None, client_class=None, **hooks):
    """Run `nb` (read from `path`) in a kernel started in `cwd` (default: its folder) with `Client` (or
    `client_class`); `hooks` are nbclient's on_* callbacks. A cell past `timeout` seconds raises CellTimeout."""
    current = []

    def started(cell, cell_index):
        current.append(cell_index)

    client = (client_class or Client)(nb, kernel_name="python3", timeout=timeout, on_cell_start=started,
                                      resources={"metadata": {"path": str(cwd or path.parent)}}, **hooks)
    try:
        return client.execute()
    except nbclient.exceptions.CellTimeoutError as error:
        raise CellTimeout(f"{path.name}: cell {current[-1]} ran past its limit of {timeout} s ({versions()}). "
                          f"If this machine is just slower, raise the limit: python tools/execute.py --timeout "
                          f"SECONDS {path}") from error


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: per notebook, see LIMITS)")
    args = parser.parse_args(argv)
    os.environ.setdefault("AMLD_QUICK", "0")
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        start = time.monotonic()
        try:
            execute(nb, path, args.timeout or limit_for(path))
        except CellTimeout as error:
            sys.exit(str(error))
        nbformat.write(nb, path)
        print(f"{path}: ran in {time.monotonic() - start:.0f} s")


if __name__ == "__main__":
    main()
