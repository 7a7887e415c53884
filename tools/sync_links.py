"""Regenerate the Colab/Binder badges and the Colab install line from the repository address.

The address (owner/name) lives in one place, `[tool.amld]` of pyproject.toml. Run `make links` (or
`python tools/sync_links.py`) after changing it; `--check` only reports what is out of date (exit 1).
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BADGE_START = "[![Open In Colab]"
INSTALL_TAG = "colab-install"


def settings():
    """The repository address and branch from pyproject.toml."""
    section = (ROOT / "pyproject.toml").read_text().split("[tool.amld]")[1]
    repo = re.search(r'^repository = "([\w.-]+/[\w.-]+)"', section, re.M).group(1)
    branch = re.search(r'^branch = "([\w./-]+)"', section, re.M).group(1)
    return repo, branch


def badges(notebook: str, folder: str = "notebooks") -> str:
    """The Colab and Binder badges, in Markdown, for `<folder>/<notebook>`."""
    repo, branch = settings()
    colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{folder}/{notebook}"
    binder = f"https://mybinder.org/v2/gh/{repo}/{branch}?labpath={folder}%2F{notebook}"
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab}) "
            f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]({binder})")


def exercise_badge(notebook: str) -> str:
    """The third badge of the README's syllabus: the exercise copy (exercises/, `make student`) in Colab."""
    repo, branch = settings()
    return (f"[![Exercises in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"(https://colab.research.google.com/github/{repo}/blob/{branch}/exercises/{notebook})")


def install_cell_source() -> str:
    """The guarded cell that installs `helpers` on Colab, and does nothing elsewhere."""
    repo, branch = settings()
    return (
        "# On Colab only: install this lecture's `helpers` package (elsewhere this cell does nothing).\n"
        "# --no-deps: Colab already has torch, torchvision, numpy, matplotlib, ipywidgets and tqdm, and installing\n"
        "# the package's own requirements would replace its ipywidgets 7 and ask you to restart the runtime.\n"
        "import sys\n\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install -q --no-deps "git+https://github.com/{repo}.git@{branch}"'
    )


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def sync_notebook(path: Path) -> bool:
    """Bring the badges (first cell) and the Colab install cell of one notebook up to date; True if changed."""
    nb = json.loads(path.read_text())
    first = nb["cells"][0]
    lines = _source(first).split("\n")
    lines = [line for line in lines if not line.startswith(BADGE_START)]
    lines.insert(1, badges(path.name))  # right under the title
    new_first = "\n".join(lines)
    changed = new_first != _source(first)
    first["source"] = new_first
    for cell in nb["cells"]:
        if INSTALL_TAG in cell.get("metadata", {}).get("tags", []):
            if _source(cell) != install_cell_source():
                cell["source"], changed = install_cell_source(), True
    if changed:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return changed


def sync_readme(path: Path) -> bool:
    """Rewrite every badge line of the README's syllabus (a table row naming notebooks/NN-....ipynb)."""
    text = path.read_text()
    pattern = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*notebooks/([\w.-]+\.ipynb)\) "
                         r"\[!\[Launch Binder\]\([^)]*\)\]\([^)]*\)( \[!\[Exercises in Colab\]\([^)]*\)\]\([^)]*\))?")
    new = pattern.sub(lambda m: badges(m.group(1)) + " " + exercise_badge(m.group(1)), text)
    if new != text:
        path.write_text(new)
    return new != text


def main(check: bool) -> int:
    targets = sorted((ROOT / "notebooks").glob("*.ipynb"))
    stale = []
    for path in targets:
        before = path.read_text()
        if sync_notebook(path):
            stale.append(path)
            if check:
                path.write_text(before)
    before = (ROOT / "README.md").read_text()
    if sync_readme(ROOT / "README.md"):
        stale.append(ROOT / "README.md")
        if check:
            (ROOT / "README.md").write_text(before)
    for path in stale:
        print(("out of date: " if check else "updated: ") + str(path.relative_to(ROOT)))
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv[1:]))
