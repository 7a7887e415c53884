"""List the numbers in the notebooks' prose that no stored output and no slide shows: places to check by hand.

    python tools/prose_numbers.py [--slides PATH_TO_SLIDES_TEXT] [NOTEBOOK ...]

A number written in a markdown cell must be printed by a cell (and the text says which), be the slide's (and
the text cites the slide), or say where and when it was measured. This lists, for each notebook, the numbers
of its markdown cells (with a decimal point, or of three digits or more) that appear in none of its stored text
outputs and not in the slides' text, with their context. It asserts nothing: numbers in a figure's title, or
computed from printed ones, are listed too and may be fine.
"""

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"(?<![\w.])\d[\d,{}]*(?:\.\d+)?(?:e[+-]?\d+)?(?![\w])")
CITED = re.compile(r"(slides?|deck|Table|cell|notebook|page)\s+[\d\-–, and]+$", re.IGNORECASE)


def canonical(number: str) -> str:
    return number.replace(",", "").replace("{}", "").rstrip(".")


def stored_text(nb) -> str:
    texts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            texts.append("".join(output.get("data", {}).get("text/plain", "")))
        if cell["cell_type"] == "code":
            texts.append("".join(cell["source"]))  # a value typed in the code (a slide's figure, a bound)
    return " ".join(texts)


def unexplained(path: Path, slides: str) -> list[tuple[int, str, str]]:
    nb = json.loads(path.read_text())
    known = {canonical(n) for n in NUMBER.findall(stored_text(nb) + " " + slides)}
    found = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        for match in NUMBER.finditer(text):
            number = canonical(match.group())
            if ("." not in number and len(number) < 3) or number in known:
                continue
            before = text[max(0, match.start() - 60):match.start()]
            if CITED.search(before) or re.fullmatch(r"(19|20)\d\d", number):  # a slide number, a year
                continue
            context = (before + match.group() + text[match.end():match.end() + 30]).replace("\n", " ")
            found.append((index, match.group(), context))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slides", type=Path, default=ROOT.parent / "shared" / "slides" / "amld-2018-introduction.txt")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    slides = args.slides.read_text() if args.slides.exists() else ""
    for path in args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb")):
        rows = unexplained(path, slides)
        print(f"== {path.name}: {len(rows)} number(s) in prose found in no stored output and no slide")
        for index, number, context in rows:
            print(f"  cell {index:3d}  {number:>12s}  ...{context}...")


if __name__ == "__main__":
    main()
