"""Notebook 02's validation exercise: its check fails for a copied answer and passes for the right one.

The notebook's cells up to the D_val check run once in quick mode (nbclient); then the check cell runs again
after D_val is set to a copy of best_D, to the degree of the lowest training error, and to the right answer.
"""

from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "02-polynomial-capacity.ipynb"


def test_the_d_val_check_catches_copied_answers(monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "google.colab" not in c.source]
    check = next(i for i, c in enumerate(cells) if 'check("D_val"' in c.source)
    solution = cells[check - 1]
    assert "solution" in solution.metadata.get("tags", []) and "D_val" in solution.source
    placeholder, answer = solution.source.split("# --- solution ---")
    tries = {
        "copied best_D": "D_val = best_D",
        "lowest training error": "D_val = int(torch.tensor([mse(fit(D, x_train[:7], y_train[:7]), x_train[:7], "
                                 "y_train[:7]) for D in range(7)]).argmin())",
        "the solution": answer,
    }
    run = [nbformat.v4.new_code_cell(c.source) for c in cells[:check - 1]]
    run.append(nbformat.v4.new_code_cell(placeholder))
    for source in tries.values():
        run += [nbformat.v4.new_code_cell(source), nbformat.v4.new_code_cell(cells[check].source)]
    monkeypatch.setenv("AMLD_QUICK", "1")
    client = nbclient.NotebookClient(nbformat.v4.new_notebook(cells=run, metadata=nb.metadata), timeout=120,
                                     kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()
    verdicts = ["".join(o.get("text", "") for o in c.outputs if o.output_type == "stream").strip()
                for c in run[-2 * len(tries) + 1::2]]
    verdicts = [line for v in verdicts for line in v.splitlines() if line.startswith("D_val:")]
    assert len(verdicts) == len(tries), verdicts
    for (name, _), verdict in zip(tries.items(), verdicts, strict=True):
        expected = "D_val: correct" if name == "the solution" else "D_val: not yet"
        assert verdict.startswith(expected), f"{name}: {verdict}"
