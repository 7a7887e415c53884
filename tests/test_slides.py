"""The notebooks presented as slides in headless Chromium at 1280 x 720, as a teacher presents them.

The slides are jupyterlab-slideshow's deck mode: JupyterLab's own notebook, one slide at a time, so code and
widgets run on a slide exactly as in the notebook (ipywidgets 8 included).
"""

import json

import pytest
from test_browser import degree_slider, move_slider, run_notebook_02

from conftest import ROOT, TOKEN

WIDTH, HEIGHT = 1280, 720
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in view
DECKS = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
# What is on screen: the active cell, the first cell of the slide (its id) and the box around the slide's
# cells; `scrolls` counts the cells and outputs whose content is taller than they are (cut off, or scrolled).
ON_SCREEN = f"""() => {{
    const cells = [...document.querySelectorAll('{PANEL} .jp-Cell')];
    const on = cells.filter(c => c.classList.contains('jp-deck-mod-onscreen'));
    const boxes = on.map(c => c.getBoundingClientRect());
    const cut = [...on, ...on.flatMap(c => [...c.querySelectorAll('.jp-OutputArea')])]
        .filter(e => e.scrollHeight > e.clientHeight + 2);
    return {{active: cells.findIndex(c => c.classList.contains('jp-mod-active')), id: cells.indexOf(on[0]),
            top: Math.min(...boxes.map(b => b.top)), bottom: Math.max(...boxes.map(b => b.bottom)),
            left: Math.min(...boxes.map(b => b.left)), right: Math.max(...boxes.map(b => b.right)),
            scrolls: cut.length, text: on.length ? on[0].innerText.slice(0, 60) : ''}}; }}"""


def expected_slides(notebook):
    """Slides and subslides that hold something a viewer sees (not only skipped cells or notes)."""
    count, visible = 0, False
    for cell in json.loads((ROOT / notebook).read_text())["cells"]:
        kind = cell["metadata"].get("slideshow", {}).get("slide_type", "-")
        if kind in ("slide", "subslide"):
            count += visible
            visible = False
        visible = visible or kind not in ("skip", "notes")
    return count + visible


def on_screen(page):
    """What the current slide shows, once it has settled (two equal looks 100 ms apart)."""
    last = None
    for _ in range(40):
        box = page.evaluate(ON_SCREEN)
        if box == last:
            return box
        last = box
        page.wait_for_timeout(100)
    return last


def present(page):
    """Start the deck on the notebook's first cell, with the toolbar's deck button (as a teacher does)."""
    page.locator(f"{PANEL} .jp-Cell").first.click()
    page.locator(f"{PANEL} .jp-NotebookPanel-toolbar [title='Toggle Deck']").click()
    page.wait_for_selector(".jp-deck-mod-onscreen")
    page.wait_for_timeout(500)


@pytest.fixture
def deck(page):
    """The page; afterwards Escape leaves the deck, which JupyterLab would otherwise reopen on the next page."""
    yield page
    page.keyboard.press("Escape")
    page.wait_for_selector(".jp-deck-mod-onscreen", state="detached", timeout=10_000)


def overflow(box):
    if box["scrolls"] or box["bottom"] > HEIGHT + 2 or box["top"] < -2 or box["right"] > WIDTH + 2 or box["left"] < -2:
        return (f"cell {box['id']} {box['text'][:40]!r}: top {box['top']:.0f}, bottom {box['bottom']:.0f}, left "
                f"{box['left']:.0f}, right {box['right']:.0f}, cut-off parts {box['scrolls']}")
    return None


def step_through(page, shots):
    """Press Space until nothing changes; return the slides seen and those that overflow the screen."""
    seen, overflows, stuck = [], [], 0
    for _ in range(400):
        box = on_screen(page)
        if not seen or box["id"] != seen[-1]:
            seen.append(box["id"])
            page.screenshot(path=str(shots / f"slide-{len(seen):02d}.png"))
        problem = overflow(box)  # every step: a fragment shown later can push a slide off the screen
        if problem and problem not in overflows:
            overflows.append(problem)
        page.keyboard.press("Space")
        stuck = stuck + 1 if on_screen(page)["active"] == box["active"] else 0
        if stuck == 3:
            return seen, overflows  # three presses changed nothing: the last slide, every fragment shown
    pytest.fail("the deck never ended")


@pytest.mark.parametrize("notebook", DECKS, ids=lambda n: n.split("/")[-1][:2])
def test_deck_steps_through_and_fits_1280x720(deck, lab_url, tmp_path, notebook):
    page = deck
    page.goto(f"{lab_url}/lab/tree/{notebook}?reset&token={TOKEN}")  # reset: only this notebook open
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    present(page)
    seen, overflows = step_through(page, tmp_path)
    assert len(seen) == expected_slides(notebook), f"stepped through {len(seen)} slides (first cells {seen})"
    assert not overflows, f"slides overflow {WIDTH} x {HEIGHT} (screenshots in {tmp_path}):\n" + "\n".join(overflows)


def test_slider_slide_runs_live_in_the_deck(deck, lab_url, tmp_path):
    """As in class: run notebook 02, present it, run the slider slide again and move the degree slider."""
    page, problems = deck, []
    page.on("console", lambda m: problems.append(m.text[:200]) if m.type in ("error", "warning") and
            ("widget" in m.text.lower() or "Unsatisfied version" in m.text) else None)
    run_notebook_02(page, lab_url)
    present(page)
    for _ in range(100):  # slides and fragments
        if "interact(show_fit" in " ".join(page.locator(".jp-deck-mod-onscreen").all_inner_texts()):
            break
        page.keyboard.press("Space")
        on_screen(page)
    else:
        pytest.fail("no slide shows the interact(show_fit, ...) cell")
    cell = page.locator(".jp-deck-mod-onscreen.jp-CodeCell", has_text="interact(show_fit").first
    prompt = cell.locator(".jp-InputPrompt")
    ran_before = prompt.inner_text()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")  # run it in place (Shift+Enter would also go to the next slide)
    page.wait_for_function("([p, old]) => p.innerText !== old && !p.innerText.includes('*')",  # [n] -> [*] -> [n+1]
                           arg=[prompt.element_handle(), ran_before], timeout=60_000)
    slider = degree_slider(page, scope=".jp-deck-mod-onscreen")
    slider.wait_for(timeout=60_000)
    page.screenshot(path=str(tmp_path / "slider-before.png"))
    before, after = move_slider(page, slider, drag=40)
    page.screenshot(path=str(tmp_path / "slider-after.png"))
    assert after["value"] > before["value"], f"the degree did not move: {before['value']} -> {after['value']}"
    assert after["text"] != before["text"] and "test MSE" in after["text"]
    assert after["image"] != before["image"], "the figure was not redrawn"
    assert overflow(on_screen(page)) is None, f"the slider slide overflows once run: {overflow(on_screen(page))}"
    assert not problems, "the widgets' front end complained:\n" + "\n".join(problems)

