"""The committed notebooks as files: clean stored outputs, links, slide structure, and the README's syllabus."""

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import sync_links  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = ["00-why-deep-learning", "01-learning-from-data", "02-polynomial-capacity", "03-mnist-cnn-gpu",
            "04-evaluation-protocol"]
# No slide_type means "continue the slide". The explicit "-" that JupyterLab's property inspector can write means
# the same to RISE and nbconvert, but jupyterlab-slideshow 0.3.4 hides such cells: it is refused here.
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", None}
MAX_CODE_LINES_PER_SLIDE = 20
ABSOLUTE_PATH = re.compile(r"(/(work|tmp|root|home|Users)/[^\s\"'<>]+|[A-Z]:\\\\Users)")


def load(path):
    return json.loads(path.read_text())


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"])


def test_the_syllabus_is_complete():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return request.param


def test_valid_small_and_python3(notebook):
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert notebook.stat().st_size < 2_000_000, "over 2 MB: shrink the figures or the outputs"


def test_outputs_come_from_one_clean_run(notebook):
    counts = [c["execution_count"] for c in code_cells(load(notebook))]
    assert counts == list(range(1, len(counts) + 1)), "run `make execute`: counts must be 1..n in order"


def test_no_errors_warnings_or_machine_paths_in_outputs(notebook):
    for i, cell in enumerate(code_cells(load(notebook))):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"code cell {i} stored an error: {output.get('ename')}"
            assert output.get("name") != "stderr", f"code cell {i} stored stderr: {''.join(output['text'])[:300]}"
            text = json.dumps({k: v for k, v in output.get("data", {}).items() if not k.startswith("image/")})
            text += "".join(output.get("text", ""))
            match = ABSOLUTE_PATH.search(text)
            assert match is None, f"code cell {i} shows a path of this machine: {match and match.group(0)}"


def test_badges_and_colab_cell_follow_the_repository_address(notebook):
    nb = load(notebook)
    assert sync_links.badges(notebook.name) in source(nb["cells"][0]), "run `make links`"
    installs = [c for c in nb["cells"] if sync_links.INSTALL_TAG in c["metadata"].get("tags", [])]
    assert len(installs) == 1 and source(installs[0]) == sync_links.install_cell_source(), "run `make links`"


def test_readme_lists_every_notebook_with_its_badges():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme
        row = sync_links.badges(path.name) + " " + sync_links.exercise_badge(path.name)
        assert row in readme, f"README badges of {path.name} drifted: run `make links`"


def test_set_up_first_and_checks_last(notebook):
    cells = code_cells(load(notebook))
    setup = [i for i, c in enumerate(cells) if "helpers.setup(" in source(c)]
    assert setup and setup[0] <= 2, "the set-up cell (helpers.setup) comes first, after the Colab cell"
    assert "QUICK" in source(cells[setup[0]]), "the set-up cell shows how quick mode shrinks the lesson"
    assert "assert " in source(cells[-1]), "the last code cell checks the lesson's claims"


def slides(nb):
    """Group the cells into slides (a slide or subslide starts a new group)."""
    groups = []
    for cell in nb["cells"]:
        kind = cell["metadata"].get("slideshow", {}).get("slide_type")
        if kind in ("slide", "subslide") or not groups:
            groups.append([])
        groups[-1].append((kind, cell))
    return groups


def test_every_notebook_is_a_slide_deck(notebook):
    nb = load(notebook)
    kinds = [c["metadata"].get("slideshow", {}).get("slide_type") for c in nb["cells"]]
    assert all(k in SLIDE_TYPES for k in kinds), f"slide types {set(kinds) - SLIDE_TYPES}: leave them out instead"
    assert kinds[0] == "slide" and kinds.count("slide") >= 3
    assert "notes" in kinds, "speaker notes help the teacher"
    cells = code_cells(nb)
    setup = next(c for c in cells if "helpers.setup(" in source(c))
    for cell in (setup, cells[-1]):
        assert cell["metadata"]["slideshow"]["slide_type"] == "skip", "set-up and check cells are not slides"
    for group in slides(nb):
        lines = sum(len(source(c).splitlines()) for kind, c in group
                    if c["cell_type"] == "code" and kind not in ("skip", "notes"))
        assert lines <= MAX_CODE_LINES_PER_SLIDE, f"a slide has {lines} lines of code: split it"
