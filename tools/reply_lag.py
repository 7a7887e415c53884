"""How late does a notebook client see the kernel's replies? Runs a notebook N times in quick mode and measures.

    python tools/reply_lag.py --runs 50                    # notebook 01 and its student copy, tools/execute's client
    python tools/reply_lag.py --runs 50 --client nbclient  # nbclient's own client, as nbconvert and the tests had it
    python tools/reply_lag.py --notebook notebooks/02-polynomial-capacity.ipynb --runs 5 --out lags.jsonl

For every cell of every run it records the delay between the kernel's timestamp on its execute_reply and the
moment the client got it, and the same for the kernel's "idle" status that ends the cell. A reply lost in nbclient's
wait surfaces when the cell's limit (--limit, 30 s) ends, so its delay is close to that limit. Prints the versions of
the messaging stack, a summary (cells, replies later than 1 s and 5 s, the worst) and writes one JSON line per
cell with --out. Not part of the test suite: 50 runs (of each copy) of notebook 01 took 13 to 15 minutes on a
2-core AMD EPYC Zen 3 (2026-12-07).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbclient
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools import student  # noqa: E402
from tools.execute import Client, execute, versions  # noqa: E402


def stamped(get_msg, seen):
    """`get_msg` that appends (delay, message type) for each message the client gets."""
    async def wait(timeout=None):
        msg = await get_msg(timeout=timeout)
        seen.append((time.time() - msg["header"]["date"].timestamp(), msg))
        return msg
    return wait


def recording(base, seen):
    """A subclass of the client class `base` that records in `seen` each message it gets, with its delay."""
    class Recording(base):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            kc.shell_channel.get_msg = stamped(kc.shell_channel.get_msg, seen)
            kc.iopub_channel.get_msg = stamped(kc.iopub_channel.get_msg, seen)
            return kc
    return Recording


def one_run(nb, path, base, limit, workdir):
    """Execute `nb` with client class `base`; per cell, the delays of its execute_reply and closing idle status."""
    seen, cells = [], {}

    def executed(cell, cell_index, execute_reply):
        mine = [(delay, msg) for delay, msg in seen
                if msg["parent_header"].get("msg_id") == execute_reply["parent_header"]["msg_id"]]
        cells[cell_index] = {
            "reply": next((d for d, m in mine if m["msg_type"] == "execute_reply"), None),
            "idle": next((d for d, m in mine if m["msg_type"] == "status"
                          and m["content"]["execution_state"] == "idle"), None)}

    execute(nb, path, limit, cwd=workdir, client_class=recording(base, seen), on_cell_executed=executed)
    return cells


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", type=Path, default=Path("notebooks/01-learning-from-data.ipynb"))
    parser.add_argument("--runs", type=int, default=50, help="runs of the notebook, and as many of its student copy")
    parser.add_argument("--client", choices=["sliced", "nbclient"], default="sliced")
    parser.add_argument("--limit", type=int, default=30, help="seconds per cell")
    parser.add_argument("--out", type=Path, help="write one JSON line per cell here")
    args = parser.parse_args(argv)
    os.environ["AMLD_QUICK"] = "1"
    base = Client if args.client == "sliced" else nbclient.NotebookClient
    solved = nbformat.read(args.notebook, as_version=4)
    copies = {"solved": solved, "student": student.student_copy(nbformat.read(args.notebook, as_version=4))}
    print(f"{args.notebook.name}, {args.runs} runs of each copy, client {args.client}, {versions()}", flush=True)
    rows, start = [], time.monotonic()
    with tempfile.TemporaryDirectory() as workdir:
        os.environ["AMLD_RESULTS"] = str(Path(workdir) / "results")
        for run in range(args.runs):
            for copy, nb in copies.items():
                nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # a fresh copy each run
                for index, delays in one_run(nb, args.notebook, base, args.limit, workdir).items():
                    rows.append({"run": run, "copy": copy, "cell": index, **delays})
            late = [r for r in rows if (r["reply"] or 0) > 5]
            print(f"run {run + 1}/{args.runs}: {len(rows)} cells, {len(late)} replies later than 5 s, "
                  f"{time.monotonic() - start:.0f} s", flush=True)
    if args.out:
        args.out.write_text("".join(json.dumps({**r, "client": args.client, "versions": versions()}) + "\n"
                                    for r in rows))
    for key in ("reply", "idle"):
        delays = sorted(r[key] for r in rows if r[key] is not None)
        worst = max(rows, key=lambda r: r[key] or 0)
        print(f"{key}: {len(delays)} cells, median {delays[len(delays) // 2]:.3f} s, later than 1 s: "
              f"{sum(d > 1 for d in delays)}, later than 5 s: {sum(d > 5 for d in delays)}, worst {delays[-1]:.2f} s "
              f"(run {worst['run']}, {worst['copy']} copy, cell {worst['cell']})")


if __name__ == "__main__":
    main()
