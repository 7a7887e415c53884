"""Handouts: convert the committed notebooks, with their stored outputs, to HTML pages plus an index.

Executes nothing. `make html` writes html/; `python tools/handouts.py OUTDIR` writes elsewhere.
"""

import html
import json
import sys
from pathlib import Path

from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent


def title_of(notebook: Path) -> str:
    """The first Markdown heading of the notebook, without the leading #."""
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return line.lstrip("# ").strip()
    return notebook.stem


def build(outdir: Path) -> list[Path]:
    """Write one HTML page per notebook and an index.html into `outdir`; return the pages written."""
    outdir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()  # converts stored outputs only; no kernel is started
    pages, items = [], []
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        body, _ = exporter.from_filename(str(notebook))
        page = outdir / (notebook.stem + ".html")
        page.write_text(body, encoding="utf-8")
        pages.append(page)
        items.append(f'<li><a href="{page.name}">{html.escape(title_of(notebook))}</a></li>')
    index = outdir / "index.html"
    index.write_text(
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Deep Learning in PyTorch, 1. Introduction"
        "</title></head>\n<body><h1>Deep Learning in PyTorch, 1. Introduction</h1>\n"
        "<p>The lecture's notebooks with the outputs of their last full run.</p>\n<ol>\n"
        + "\n".join(items) + "\n</ol>\n</body></html>\n",
        encoding="utf-8",
    )
    return pages


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "html"
    written = build(out)
    print(f"wrote {len(written)} pages and index.html to {out}")
