"""The notebooks presented as RISE slides in headless Chromium at 1280 x 720, as a teacher presents them."""

import json

import pytest
from test_browser import NOTEBOOK, degree_slider, move_slider, run_notebook_02

from conftest import ROOT, TOKEN

WIDTH, HEIGHT = 1280, 720
PRESENT = "[...document.querySelectorAll('.reveal .slides section.present')].pop()"
DECKS = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


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


def present_box(page):
    """Where the current slide lies on the screen, once its transition has ended."""
    return page.evaluate(f"""async () => {{
        let last = null;
        for (let i = 0; i < 40; i++) {{
            const s = {PRESENT}; const r = s.getBoundingClientRect();
            const box = {{id: location.hash.split('/').slice(0, 2).join('/'), top: r.top, bottom: r.bottom,
                          left: r.left, right: r.right, text: s.innerText.slice(0, 60)}};
            if (last && JSON.stringify(box) === JSON.stringify(last)) return box;
            last = box;
            await new Promise(resolve => setTimeout(resolve, 100));
        }}
        return last; }}""")


def open_deck(page, lab_url, notebook):
    page.goto(f"{lab_url}/rise/{notebook}?token={TOKEN}")
    page.wait_for_selector(".reveal .slides section.present")
    page.wait_for_timeout(1000)


def step_through(page, shots):
    """Press Space until nothing changes; return the slides seen and those that overflow the screen."""
    seen, overflows, stuck = [], [], 0
    for _ in range(400):
        box = present_box(page)
        if not seen or box["id"] != seen[-1]:
            seen.append(box["id"])
            page.screenshot(path=str(shots / f"slide-{len(seen):02d}.png"))
            if box["bottom"] > HEIGHT + 2 or box["top"] < -2 or box["right"] > WIDTH + 2 or box["left"] < -2:
                overflows.append(f"{box['id']} {box['text'][:40]!r}: top {box['top']:.0f}, bottom "
                                 f"{box['bottom']:.0f}, left {box['left']:.0f}, right {box['right']:.0f}")
        page.keyboard.press("Space")
        done = page.evaluate(f"() => !{PRESENT}.querySelector('.fragment:not(.visible)')")
        stuck = stuck + 1 if present_box(page)["id"] == box["id"] and done else 0
        if stuck == 3:
            return seen, overflows  # three presses changed nothing: the last slide, every fragment shown
    pytest.fail("the deck never ended")


@pytest.mark.parametrize("notebook", DECKS, ids=lambda n: n.split("/")[-1][:2])
def test_deck_steps_through_and_fits_1280x720(page, lab_url, tmp_path, notebook):
    open_deck(page, lab_url, notebook)
    seen, overflows = step_through(page, tmp_path)
    assert len(seen) == expected_slides(notebook), f"stepped through {len(seen)} slides: {seen}"
    assert not overflows, f"slides overflow {WIDTH} x {HEIGHT} (screenshots in {tmp_path}):\n" + "\n".join(overflows)


def test_slider_slide_runs_live_in_the_deck(page, lab_url, tmp_path):
    """As in class: run notebook 02 in JupyterLab, open its deck, run the slider slide, move the degree slider."""
    run_notebook_02(page, lab_url)
    deck = page.context.new_page()  # a second tab, on the same kernel
    open_deck(deck, lab_url, NOTEBOOK)
    for _ in range(100):  # slides and fragments
        if deck.evaluate(f"() => {PRESENT}.innerText.includes('interact(show_fit')"):
            break
        deck.keyboard.press("Space")
        present_box(deck)
    else:
        pytest.fail("no slide shows the interact(show_fit, ...) cell")
    deck.locator(".reveal .slides section.present .jp-CodeCell .cm-content").first.click()
    deck.keyboard.press("Shift+Enter")
    slider = degree_slider(deck, scope=".reveal .slides section.present")
    slider.wait_for(timeout=60_000)
    deck.screenshot(path=str(tmp_path / "slider-before.png"))
    before, after = move_slider(deck, slider, drag=40)
    deck.screenshot(path=str(tmp_path / "slider-after.png"))
    assert after["value"] > before["value"], f"the degree did not move: {before['value']} -> {after['value']}"
    assert after["text"] != before["text"] and "test MSE" in after["text"]
    assert after["image"] != before["image"], "the figure was not redrawn"
    box = present_box(deck)
    assert box["bottom"] <= HEIGHT + 2, f"the slider slide overflows once run: bottom {box['bottom']:.0f} px"
    deck.close()
