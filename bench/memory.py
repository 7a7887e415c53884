"""How much memory does each notebook's kernel need?  `python bench/memory.py [--quick] [notebook ...]`

Binder guarantees 1 GB and kills a kernel above 2 GB; the lecture's budget is 1.5 GB per notebook, in full mode
on a CPU. Each notebook runs top to bottom in a fresh kernel, in a process of its own, and the kernel's peak
resident memory is read when it has exited (`getrusage(RUSAGE_CHILDREN).ru_maxrss`, the largest finished child
of that process: the kernel). Full mode by default (AMLD_QUICK=0), quick mode with --quick. Nothing is written
into the notebooks. Run it alone: it takes as long as the notebooks themselves (about 15 minutes on 2 cores).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MB = 1500
# Runs one notebook in a fresh python3 kernel, then prints the peak resident memory (kB) of that kernel.
RUNNER = """
import os, resource, sys
import nbclient, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(nb, kernel_name="python3", timeout=120 if os.environ["AMLD_QUICK"] == "1" else None,
                        resources={"metadata": {"path": sys.argv[2]}}).execute()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_mb(notebook, quick):
    """Run `notebook` top to bottom in a new kernel; return its kernel's peak resident memory in MB."""
    env = {**os.environ, "AMLD_QUICK": "1" if quick else "0"}
    result = subprocess.run([sys.executable, "-c", RUNNER, str(notebook), str(notebook.parent)],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"{notebook.name} failed:\n{result.stderr[-3000:]}")
    return int(result.stdout.split()[-1]) / 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: every notebook in notebooks/)")
    parser.add_argument("--quick", action="store_true", help="quick mode (AMLD_QUICK=1) instead of full mode")
    args = parser.parse_args()
    notebooks = [Path(n).resolve() for n in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))

    import torch

    print(f"mode    : {'quick' if args.quick else 'full'}; torch {torch.__version__}; {os.cpu_count()} cores; "
          f"budget {BUDGET_MB:,} MB per kernel")
    print(f"{'notebook':36s} {'peak MB':>8s} {'minutes':>8s}  verdict")
    over = []
    for notebook in notebooks:
        start = time.perf_counter()
        peak = peak_mb(notebook, args.quick)
        verdict = "within budget" if peak < BUDGET_MB else "OVER BUDGET"
        if peak >= BUDGET_MB:
            over.append(notebook.name)
        print(f"{notebook.name:36s} {peak:8,.0f} {(time.perf_counter() - start) / 60:8.1f}  {verdict}", flush=True)
    if over:
        sys.exit(f"over the {BUDGET_MB:,} MB budget: {', '.join(over)}")


if __name__ == "__main__":
    main()
