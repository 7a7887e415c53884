"""Notebook 00 builds networks up to VGG-16's 138 M parameters: its kernel must stay within a memory bound.

It runs in quick mode in a fresh kernel, and bench/memory.py reads the kernel's peak resident memory when it has
exited. The bound is relative to the same kernel running only the notebook's set-up cell (its imports: torch,
torchvision, matplotlib), which weighs differently on each Python and PyTorch. Full mode, every notebook:
`python bench/memory.py` (bench/RESULTS.md keeps the table).
"""

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "00-why-deep-learning.ipynb"
sys.path.insert(0, str(ROOT / "bench"))
import memory  # noqa: E402

# Above the set-up cell alone, measured in quick mode: +153 MB (Python 3.11, torch 2.14.1, set-up 867 MB) and
# +170 to +381 MB over five runs (Python 3.13, set-up 945 MB). When the nine networks were still built with real
# weights to be counted, it was about +520 MB (1,385 MB on Python 3.11), which this bound catches.
EXTRA_BOUND_MB = 450


def test_notebook_00_stays_within_its_memory_bound_in_quick_mode(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    setup_cell = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"][1]  # after the Colab cell
    assert "helpers.setup(" in nb.cells[setup_cell].source
    nb.cells = nb.cells[: setup_cell + 1]
    nbformat.write(nb, tmp_path / "setup-only.ipynb")
    base = memory.peak_mb(tmp_path / "setup-only.ipynb", quick=True)
    peak = memory.peak_mb(NOTEBOOK, quick=True)
    assert 300 < base < peak, f"set-up cell alone {base:,.0f} MB, whole notebook {peak:,.0f} MB"
    assert peak - base < EXTRA_BOUND_MB, f"notebook 00's kernel peaked at {peak:,.0f} MB, {peak - base:,.0f} MB " \
                                         f"above its set-up cell alone (bound: {EXTRA_BOUND_MB} MB)"
