"""Notebook 00 builds networks up to VGG-16's 138 M parameters: its kernel must stay within a memory bound.

It runs in quick mode in a fresh kernel, and bench/memory.py reads the kernel's peak resident memory when it has
exited. Full mode, every notebook: `python bench/memory.py` (bench/RESULTS.md keeps the table).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import memory  # noqa: E402

# Measured here in quick mode: 1,067 MB (a kernel with torch alone: 720 MB); 1,385 MB when the nine networks were
# still built with real weights to be counted, which this bound would catch.
QUICK_BOUND_MB = 1_250


def test_notebook_00_stays_within_its_memory_bound_in_quick_mode():
    peak = memory.peak_mb(ROOT / "notebooks" / "00-why-deep-learning.ipynb", quick=True)
    assert 300 < peak < QUICK_BOUND_MB, f"notebook 00's kernel peaked at {peak:,.0f} MB"
