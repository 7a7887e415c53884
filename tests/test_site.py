"""The course site (`make site`, tools/course_site.py): built from the committed notebooks, read with no network."""

import re
from pathlib import Path

import nbformat
import pytest

from tools import course_site

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built into a temporary folder; the notebooks must come out of it unchanged."""
    before = {path: path.read_bytes() for path in NOTEBOOKS}
    out = tmp_path_factory.mktemp("site")
    pages = course_site.build(out)
    assert {path: path.read_bytes() for path in before} == before, "make site must not execute or change notebooks"
    return out, pages


def test_a_page_per_notebook_and_nothing_from_another_host(site):
    out, pages = site
    assert [page.stem for page in pages] == [path.stem for path in NOTEBOOKS]
    for page in [out / "index.html", *pages]:
        text = page.read_text()
        assert "<script" not in text, f"{page.name} has a script"
        assert not re.search(r"<(?:link|img|iframe|source)\b[^>]*(?:src|href)=\"(?:https?:)?//", text), page.name
        assert "@import" not in text and "url(http" not in text, page.name
    for path in NOTEBOOKS:  # each notebook's static deck loads reveal.js from the site, and nothing else
        deck = (out / f"{path.stem}.slides.html").read_text()
        assert re.findall(r"<script src=\"([^\"]*)\"", deck) == ["reveal.js/dist/reveal.js"], path.stem
        assert not re.search(r"<(?:link|img|iframe|source)\b[^>]*(?:src|href)=\"(?:https?:)?//", deck), path.stem
    assert not [line for line in (out / "reveal.js" / "dist" / "theme" / "white.css").read_text().splitlines()
                if "@import" in line or "url(http" in line], "the deck's theme must not fetch fonts"


def test_formulas_become_mathml_and_code_keeps_its_dollars():
    text = course_site.math_to_mathml("Loss $\\hat{L}(f)$, `echo $HOME`, and\n$$\\sum_{n=1}^{N} x_n$$ for \\$5 or $120")
    assert text.count("<math") == 2 and 'display="block"' in text and "`echo $HOME`" in text
    assert text.endswith("for \\$5 or $120") and "\\hat" not in text


def test_answers_solutions_and_set_up_are_folded(site):
    out, pages = site
    for path, page in zip(NOTEBOOKS, pages, strict=True):
        nb = nbformat.read(path, as_version=4)
        text = page.read_text()
        solutions = sum("solution" in cell.metadata.get("tags", []) for cell in nb.cells)
        answers = sum(cell.source.count("<details><summary>Answer</summary>") for cell in nb.cells)
        assert text.count("<summary>Solution</summary>") == solutions, page.name
        assert text.count("<summary>Check</summary>") == solutions, page.name
        assert text.count("<summary>Answer</summary>") == answers >= 5, page.name
        assert "<summary>Colab set-up (does nothing elsewhere)</summary>" in text, page.name
        assert "<summary>Set-up: imports, device, settings</summary>" in text, page.name
        assert "<details open" not in text, page.name


def test_offline_every_formula_figure_link_and_deck_works(site, browser):
    out, pages = site
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    left = []  # requests for anything but the site's own files: each is aborted and counted

    def only_the_site(route):
        if route.request.url.startswith(out.as_uri()):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_site)
    page = context.new_page()
    page.goto((out / "index.html").as_uri())
    titles = [row["title"] for row in course_site.syllabus()]
    for title in titles:  # the index reaches every page, and every page leads back to the index
        page.get_by_role("link", name=title, exact=True).click()
        page.wait_for_load_state()
        assert title in page.title()
        heights = page.evaluate("[...document.querySelectorAll('math')].filter(m => !m.closest('details:not([open])'))"
                                ".map(m => m.getBoundingClientRect().height)")  # the formulas not folded away
        assert len(heights) > 5 and min(heights) > 0, f"{title}: formulas not typeset: {heights}"
        prose = " ".join(page.locator(".jp-MarkdownOutput").all_inner_texts())
        raw = re.findall(r"\$[^$\n]*\$|\\\(|\\[a-zA-Z]+", prose)  # a $...$ span, \( or a command
        assert not raw, f"{title}: raw TeX left in the page: {raw[:5]}"
        images = page.evaluate("[...document.images].map(i => i.complete && i.naturalWidth > 0)")
        assert images and all(images), f"{title}: {images.count(False)} of {len(images)} figures do not decode"
        page.locator("nav.site-nav").first.get_by_role("link", name="Index").click()
        page.wait_for_load_state()
    page.get_by_role("link", name=titles[0], exact=True).click()
    for title in titles[1:]:  # next, next, ... through the course
        page.locator("nav.site-nav a.next").first.click()
        page.wait_for_load_state()
        assert title in page.title()
    assert page.locator("nav.site-nav a.next").count() == 0, "the last page has no next"
    page.emulate_media(media="print")  # printed, the answers and the solutions stay folded
    assert not page.locator("nav.site-nav").first.is_visible()
    folded = page.locator("details.site-fold, details")
    assert folded.count() > 0 and all(not folded.nth(i).evaluate("d => d.open") for i in range(folded.count()))
    solution = page.locator("details.site-fold:has(> summary:text-is('Solution')) .jp-InputArea").first
    assert not solution.is_visible(), "a printed page shows a solution"
    page.emulate_media(media="screen")
    page.goto((out / "02-polynomial-capacity.slides.html").as_uri())  # a static deck, as projected in class
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    assert page.evaluate("Reveal.getIndices().h") == 0 and page.evaluate("Reveal.getTotalSlides()") > 5
    page.keyboard.press("ArrowRight")
    page.wait_for_function("Reveal.getIndices().h === 1")
    heights = page.evaluate("[...Reveal.getCurrentSlide().querySelectorAll('math')]"
                            ".map(m => m.getBoundingClientRect().height)")
    assert heights and min(heights) > 0, "the deck's second slide shows its formulas"
    context.close()
    assert left == [], f"requests that tried to leave the site: {left}"
