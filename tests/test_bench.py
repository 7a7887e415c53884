"""The speed benchmark keeps running on the notebooks' current code (a smoke run on tiny sizes; no timing is judged)."""

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "mnist_speed.py"


def test_benchmark_runs_the_notebooks_code_and_prints_its_figures():
    result = subprocess.run([sys.executable, str(BENCH), "--n-train", "1000", "--epochs", "1", "--together", "2",
                             "--together-steps", "2"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    assert re.search(r"limit     : [\d,]+ GFLOPS, float32 \d+ x \d+ matrix product", out), out
    for loop in ("NCHW         ", "channels last"):
        assert re.search(rf"{loop} : +[\d.]+ s per epoch .* [\d,]+ GFLOPS = \d+% of the matrix product; "
                         r"test error after 1 epoch [\d.]+%", out), out
    assert re.search(r"ratio         : channels last / NCHW seconds per epoch \(medians\) = [\d.]+", out), out
    assert "10 SGD steps in the NCHW training (expected 10)" in out, out
    assert re.search(r"speed-up      : [\d.]+x for training 2 seeds together", out), out
