"""The course site: the committed notebooks as pages that read anywhere, offline too. Executes nothing.

`make site` writes site/: index.html (the syllabus of the README), one page per notebook with previous/next links,
and its static slide deck; `python tools/course_site.py OUTDIR` writes elsewhere. Nothing comes from another host:
formulas are turned into MathML here (the browser draws them, no MathJax), a widget is shown as a snapshot of its
stored state (its figure, its sliders' values), badges become plain links, pages load no script, and decks load
only the reveal.js that tools/site_template/reveal.js/ holds. The Colab and set-up cells, exercise solutions,
checks and question answers are folded (<details>), so a printed page gives no answer away.

Built with nbconvert (already needed to run the notebooks) and a template of ours, tools/site_template/, rather
than Sphinx or MkDocs: one small extra package (latex2mathml) instead of a few dozen, and no theme that fetches
scripts or fonts.
"""

import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
from latex2mathml.converter import convert as latex_to_mathml
from nbconvert import HTMLExporter, SlidesExporter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tools.sync_links when run as a script

from tools.sync_links import badges, exercise_badge  # noqa: E402

TITLE = "Deep Learning in PyTorch, 1. Introduction"
TEMPLATES = ROOT / "tools" / "site_template"
# Math in Markdown: code spans and \$ are kept as they are; $$...$$ is displayed, $...$ inline.
MATH = re.compile(r"(`+)(?:.+?)\1|\\\$|\$\$(.+?)\$\$|\$([^$]+?)\$", re.DOTALL)
BADGE = re.compile(r"\[!\[([^\]]*)\]\([^)]*\)\]\(([^)]*)\)")  # [![alt](image)](link) -> [alt](link)
ROW = re.compile(r"\| (\d\d) \| \[([^\]]+)\]\(notebooks/([\w.-]+\.ipynb)\) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|")
BADGE_ANY = re.compile(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
CSS = """
nav.site-nav { display: flex; gap: 1.5em; padding: 0.6em 1em; margin: 0 0 1em; border-bottom: 1px solid #ccc;
               font: 14px sans-serif; }
nav.site-nav:last-of-type { border-top: 1px solid #ccc; border-bottom: none; margin: 1em 0 0; }
nav.site-nav .next { margin-left: auto; }
math { font-size: 1.1em; }
details.site-fold { margin: 0.3em 0 0.3em 1em; }
details.site-fold > summary { cursor: pointer; color: #555; font: 13px sans-serif; }
.site-widget { font: 13px monospace; color: #555; margin: 0.2em 0; }
table.syllabus { border-collapse: collapse; font: 15px sans-serif; }
table.syllabus td, table.syllabus th { border: 1px solid #ccc; padding: 0.4em 0.6em; vertical-align: top; }
@media print {
  nav.site-nav { display: none; }
  img { max-width: 100%; page-break-inside: avoid; }
}
"""


def syllabus() -> list[dict]:
    """The README's syllabus table, a dict per notebook (number, title, file, slides, what, time)."""
    rows = []
    for line in (ROOT / "README.md").read_text().splitlines():
        match = ROW.match(line)
        if match:
            number, title, name, slides, what, time = (g.strip() for g in match.groups())
            rows.append(dict(number=number, title=title, name=name, slides=slides, what=what, time=time))
    if not rows:
        raise ValueError("README.md: no syllabus rows found (| NN | [title](notebooks/NN-....ipynb) | ... |)")
    return rows


def math_to_mathml(markdown: str) -> str:
    """`markdown` with every $...$ and $$...$$ turned into MathML (code spans untouched)."""
    def one(match):
        if match.group(2) is None and match.group(3) is None:  # a code span or \$
            return match.group(0)
        display, tex = (True, match.group(2)) if match.group(2) is not None else (False, match.group(3))
        tex = tex.replace(r"\arg", r"\mathrm{arg}")  # latex2mathml has no \arg
        return latex_to_mathml(tex.strip(), display="block" if display else "inline")
    return MATH.sub(one, markdown)


def snapshot(model_id: str, state: dict) -> list:
    """The outputs that show widget `model_id` as stored: its Output widgets' outputs, a line per control."""
    model = state.get(model_id)
    if model is None:
        return []
    name, values = model["model_name"], model["state"]
    if name == "OutputModel":
        return [nbformat.from_dict(output) for output in values.get("outputs", [])]
    outputs = []
    if "description" in values and "value" in values:
        label = f"{values['description']} {values['value']}"
        line = f'<div class="site-widget">{html.escape(label)} (as stored)</div>'
        outputs.append(nbformat.v4.new_output("display_data", {"text/html": line}))
    elif name == "HTMLModel":
        outputs.append(nbformat.v4.new_output("display_data", {"text/html": values.get("value", "")}))
    for child in values.get("children", []):
        outputs += snapshot(child.removeprefix("IPY_MODEL_"), state)
    return outputs


def fold_label(cell, previous_code) -> str | None:
    """What to call the cell when it is folded, or None when it is shown."""
    tags = cell.metadata.get("tags", [])
    hidden = cell.metadata.get("jupyter", {}).get("source_hidden")
    if "colab-install" in tags:
        return "Colab set-up (does nothing elsewhere)"
    if "helpers.setup(" in cell.source:
        return "Set-up: imports, device, settings"
    if "solution" in tags:
        return "Solution"
    if hidden and previous_code is not None and "solution" in previous_code.metadata.get("tags", []):
        return "Check"
    if hidden:
        return "Checks of the lesson's claims"
    return None


def prepare(nb, name: str):
    """The notebook as the site shows it: math as MathML, widgets as snapshots, badges as links, folds marked."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    previous_code = None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            source = cell.source
            if i == 0:  # the badges under the title, and the exercise copy's, as plain links
                links = " · ".join(BADGE.sub(r"[\1](\2)", badge) for badge in BADGE_ANY.findall(open_links(name)))
                source = source.replace(badges(name), links)
            cell.source = math_to_mathml(source)
            continue
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            view = output.get("data", {}).get(WIDGET_VIEW)
            outputs += snapshot(view["model_id"], state) if view else [output]
        cell.outputs = outputs
        label = fold_label(cell, previous_code)
        if label:
            cell.metadata["site_fold"] = label
        previous_code = cell
    nb.metadata.pop("widgets", None)
    return nb


def nav(rows, index) -> str:
    """The bar on top and at the bottom of a page: the index, the slides, the previous and the next notebook."""
    links = ['<a href="index.html">Index</a>', f'<a href="{Path(rows[index]["name"]).stem}.slides.html">Slides</a>']
    if index > 0:
        before = rows[index - 1]
        links.append(f'<a href="{Path(before["name"]).stem}.html">&larr; {html.escape(before["title"])}</a>')
    if index + 1 < len(rows):
        after = rows[index + 1]
        links.append(f'<a class="next" href="{Path(after["name"]).stem}.html">{html.escape(after["title"])} &rarr;</a>')
    return '<nav class="site-nav">' + "".join(links) + "</nav>"


def open_links(name: str) -> str:
    """Colab, Binder and the exercise copy in Colab, as the README's badges (Markdown)."""
    return badges(name) + " " + exercise_badge(name)


def index_page(rows) -> str:
    def links(name):
        return " · ".join(BADGE.sub(r'<a href="\2">\1</a>', badge) for badge in BADGE_ANY.findall(open_links(name)))

    def row(r):
        stem = Path(r["name"]).stem
        return (f'<tr><td>{r["number"]}</td><td><a href="{stem}.html">{html.escape(r["title"])}</a></td>'
                f'<td><a href="{stem}.slides.html" title="the slide deck">{html.escape(r["slides"])}</a></td>'
                f'<td>{html.escape(r["what"])}</td><td>{html.escape(r["time"])}</td><td>{links(r["name"])}</td></tr>')

    body = "\n".join(row(r) for r in rows)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{TITLE}</title>"
            f"<style>{CSS} body {{ font: 16px sans-serif; max-width: 70em; margin: 2em auto; }}</style></head>\n"
            f"<body><h1>{TITLE}</h1>\n<p>After François Fleuret's lecture at the Applied Machine Learning Days (EPFL, "
            "2018). Each page is a notebook with the outputs of its last full run; the set-up, the exercises' "
            "solutions and checks and the questions' answers are folded. Open a notebook to run it (Colab, Binder), "
            "or the exercise copy to solve its exercises.</p>\n<table class=\"syllabus\"><tr><th>#</th>"
            "<th>notebook</th><th>slides</th><th>what you do</th><th>full run</th><th>open</th></tr>\n"
            f"{body}\n</table>\n</body></html>\n")


def build(outdir: Path) -> list[Path]:
    """Write index.html, one page and one slide deck (NN-....slides.html) per notebook and reveal.js into
    `outdir`; return the pages written."""
    rows = syllabus()
    outdir.mkdir(parents=True, exist_ok=True)
    pages = HTMLExporter(template_name="lab", template_file="page.html.j2", extra_template_paths=[str(TEMPLATES)])
    decks = SlidesExporter(template_name="reveal", template_file="deck.html.j2", extra_template_paths=[str(TEMPLATES)],
                           reveal_url_prefix="reveal.js", reveal_theme="white", reveal_width="1280",
                           reveal_height="720")
    written = []
    for i, row in enumerate(rows):
        nb = prepare(nbformat.read(ROOT / "notebooks" / row["name"], as_version=4), row["name"])
        resources = {"metadata": {"name": row["title"]}, "site": {"css": CSS, "nav": nav(rows, i)}}
        stem = Path(row["name"]).stem
        (outdir / f"{stem}.slides.html").write_text(decks.from_notebook_node(nb, resources=resources)[0],
                                                    encoding="utf-8")
        page = outdir / f"{stem}.html"
        page.write_text(pages.from_notebook_node(nb, resources=resources)[0], encoding="utf-8")
        written.append(page)
    shutil.copytree(TEMPLATES / "reveal.js", outdir / "reveal.js", dirs_exist_ok=True)
    (outdir / "index.html").write_text(index_page(rows), encoding="utf-8")
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    written = build(out)
    print(f"wrote index.html, {len(written)} pages and their slide decks to {out}")
