"""Notebook 04 keeps every finished run in a results file: a second execution trains nothing and says the same.

The bookkeeping is helpers/runs.py (tests/test_runs.py tests it alone); here it is the notebook that uses it.

The notebook runs in quick mode (conftest.py sets AMLD_QUICK=1), in a fresh kernel of this Python, with
AMLD_DATA pointing at a temporary folder that links to the MNIST files, so the results file starts empty.
Between two executions a torn line is appended to the results file, as a run killed while writing leaves it.
A third execution with one line of `Net` edited must not find the old runs: the key holds a fingerprint of the code.
Then the places where classes run it: the data folder mounted read-only (the results go to the cache folder
that the set-up cell names), a full disk (the runs stay in memory, and the notebook says what to free), and
two kernels running the notebook on one results file at once (no run lost, none counted twice).
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import helpers

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
from tools.execute import QUICK_LIMIT, Client  # noqa: E402  (needs nbclient)

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04-evaluation-protocol.ipynb"
BUDGET = re.compile(r"budget\s*: .*?seeds 0-(\d+),")
COUNTS = re.compile(r"reused (\d+) finished runs, trained (\d+) new")
SUMMARY = re.compile(r"here: (\d+) runs, \d+ epochs?\s+([\d.]+)%\s+([\d.]+)%\s+([\d.]+)%")
TORN = '{"experiment": "slide42-seeds", "n_train": 5'  # the start of a line whose writer was killed


def execute(edit=None):
    """Run the notebook top to bottom in a new python3 kernel (cwd notebooks/); return all it printed.

    `edit(source)`, if given, rewrites the source of the cell that defines `Net` first."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    if edit is not None:
        cell = next(c for c in nb.cells if "class Net(" in c.source)
        cell.source = edit(cell.source)
    client = Client(nb, kernel_name="python3", timeout=QUICK_LIMIT,
                    resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError if any cell fails, its asserts included
    return "".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for output in cell.outputs if output.get("name") == "stdout")


def one_match(pattern, text):
    matches = pattern.findall(text)
    assert len(matches) == 1, f"expected one line matching {pattern.pattern!r}, found {matches}"
    return matches[0]


def valid_runs(path):
    runs = []
    for line in path.read_text().splitlines():
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return runs


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    """A fresh data root holding only a link to this machine's MNIST files; the kernel inherits AMLD_DATA."""
    helpers.load_mnist(n_train=1, n_test=1)  # MNIST is here (downloaded if need be), or a clear DataError
    (tmp_path / "MNIST").mkdir()
    (tmp_path / "MNIST" / "raw").symlink_to(helpers.data_root() / "MNIST" / "raw", target_is_directory=True)
    monkeypatch.setenv("AMLD_DATA", str(tmp_path))
    monkeypatch.setenv("AMLD_QUICK", "1")
    return tmp_path


def test_second_execution_trains_nothing_and_reports_the_same(data_root):
    results = data_root / "results" / "04-seed-runs.jsonl"

    first = execute()
    n_seeds = int(one_match(BUDGET, first)) + 1
    assert n_seeds >= 2, f"quick mode should still run a few seeds, got {n_seeds}"
    assert one_match(COUNTS, first) == ("0", str(n_seeds)), "the first execution starts from an empty results file"
    runs = valid_runs(results)
    assert len(runs) == n_seeds == len(results.read_text().splitlines()), "one whole line per finished run"
    assert sorted(run["seed"] for run in runs) == list(range(n_seeds))
    for run in runs:
        assert run["mode"] == "quick" and run["epochs"] >= 1 and run["lr"] == 0.1 and run["batch_size"] == 100
        assert 0 <= run["test_error"] <= 1 and run["seconds"] >= 0
        assert len(run["wrong_images"]) == round(run["test_error"] * run["n_test"]), "the wrong test images are kept"
        assert len(run["code"]) == 12, "a run is filed under the fingerprint of the code that trained it"
        assert run["device"] and run["versions"]["torch"] and run["finished"]
    summary = one_match(SUMMARY, first)
    assert summary[0] == str(n_seeds)

    with open(results, "a") as f:  # a run killed in the middle of writing its line
        f.write(TORN)

    second = execute()
    assert one_match(COUNTS, second) == (str(n_seeds), "0"), "the second execution must re-use every run"
    assert "1 torn line skipped" in second
    assert one_match(SUMMARY, second) == summary, "worst / median / best must be the same numbers"
    assert valid_runs(results) == runs, "the results file must still hold exactly the same runs"
    assert TORN in results.read_text().splitlines(), "the torn line stays apart, on a line of its own"

    comment = "        x = x.view(-1, 256)  # the 64 x 2 x 2 = 256 values of each image in one row"

    def add_a_line(source):
        assert comment in source, "Net's forward has changed: update this test's edit"
        return source.replace(comment, comment + "\n        x = x * 1")  # the same network, one line more

    edited = execute(edit=add_a_line)
    assert one_match(COUNTS, edited) == ("0", str(n_seeds)), "an edited Net must not get the old runs back"
    codes = {run["code"] for run in valid_runs(results)}
    assert len(codes) == 2 and len(valid_runs(results)) == 2 * n_seeds, "the old runs stay, under their own key"


# Where classes run it: a read-only data folder, a full disk, two kernels on one results file.
RESULTS = re.compile(r"results    : (.+)")
TESTS = str(Path(__file__).resolve().parent)
RUNNER = f"import sys; sys.path.insert(0, {TESTS!r}); import test_notebook04_resume as t; print(t.execute(), end='')"


def mount_namespace():
    """The command prefix that runs a shell in a mount namespace of its own (root only), or skip/fail."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        if os.environ.get("CI"):
            pytest.fail("CI runs as root with unshare(1): these tests must run there")
        pytest.skip("needs root and unshare(1) to mount a read-only folder or a full disk")
    return ["unshare", "--mount", "sh", "-c"]


def execute_in_shell(script, env=None):
    """Run the notebook in a new process after `script` (sh) has set up its mounts; return what it printed."""
    command = mount_namespace() + [f'{script} && exec "$@"', "sh", sys.executable, "-c", RUNNER]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_a_read_only_data_folder_keeps_the_results_in_the_cache(data_root, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")  # outside the data root, which is read-only
    out = execute_in_shell(f'mount --bind "{data_root}" "{data_root}" && mount -o remount,ro,bind "{data_root}"',
                           {"XDG_CACHE_HOME": str(cache)})
    shown = one_match(RESULTS, out).strip()
    assert shown == str(cache / "amld-dl-intro" / "results"), f"the set-up cell said {shown}"
    n_seeds = int(one_match(BUDGET, out)) + 1
    assert one_match(COUNTS, out) == ("0", str(n_seeds))
    runs = valid_runs(Path(shown) / "04-seed-runs.jsonl")
    assert sorted(run["seed"] for run in runs) == list(range(n_seeds)), "every run is where the set-up cell said"
    assert not (data_root / "results").exists(), "nothing may be written in the read-only data folder"


def test_a_full_disk_keeps_the_runs_in_memory_and_says_what_to_free(data_root, tmp_path_factory):
    full = tmp_path_factory.mktemp("full")
    fill = f'{{ head -c 65536 /dev/zero > "{full}/x" 2>/dev/null; true; }} && ! (echo > "{full}/y") 2>/dev/null'
    out = execute_in_shell(f'mount -t tmpfs -o size=8k tmpfs "{full}" && {fill}', {"AMLD_RESULTS": str(full)})
    n_seeds = int(one_match(BUDGET, out)) + 1
    assert f"NOT SAVED: {n_seeds} run(s)" in out and "No space left on device" in out, out
    assert "free space" in out and "AMLD_RESULTS" in out, "the message must say what to do"
    assert one_match(SUMMARY, out)[0] == str(n_seeds), "the runs kept in memory are all in the summary"


def test_two_kernels_on_one_results_file_lose_no_run_and_count_none_twice(data_root):
    results = data_root / "results" / "04-seed-runs.jsonl"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # one core each: two torch kernels on two cores slow each other down
    kernels = [subprocess.Popen([sys.executable, "-c", RUNNER], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env) for _ in range(2)]
    outputs = [kernel.communicate(timeout=600) for kernel in kernels]
    for kernel, (out, err) in zip(kernels, outputs, strict=True):
        assert kernel.returncode == 0, out[-3000:] + err[-3000:]
    n_seeds = int(one_match(BUDGET, outputs[0][0])) + 1
    lines = results.read_text().splitlines()
    runs = valid_runs(results)
    assert len(runs) == len(lines), "two kernels appending at once must not tear each other's lines"
    assert sorted({run["seed"] for run in runs}) == list(range(n_seeds)), "no run may be lost"
    for out, _ in outputs:
        assert one_match(SUMMARY, out)[0] == str(n_seeds), "each seed counts once in a kernel's summary"
    third = execute()
    assert one_match(COUNTS, third) == (str(n_seeds), "0"), "a third kernel re-uses every run"
    assert one_match(SUMMARY, third)[0] == str(n_seeds), "a seed written twice still counts once"
