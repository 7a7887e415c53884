"""Notebook 02 presented as RISE slides in headless Chromium at 1280 x 720: step through, run the slider."""

import json

from test_browser import NOTEBOOK, open_and_run_all

from conftest import ROOT, TOKEN

WIDTH, HEIGHT = 1280, 720
PRESENT = "[...document.querySelectorAll('.reveal .slides section.present')].pop()"


def expected_slides():
    """Slides and subslides that hold something a viewer sees (not only skipped cells or notes)."""
    count, visible = 0, False
    for cell in json.loads((ROOT / NOTEBOOK).read_text())["cells"]:
        kind = cell["metadata"].get("slideshow", {}).get("slide_type", "-")
        if kind in ("slide", "subslide"):
            count += visible
            visible = False
        visible = visible or kind not in ("skip", "notes")
    return count + visible


def present_box(page):
    return page.evaluate(f"""() => {{ const s = {PRESENT}; const r = s.getBoundingClientRect();
        return {{id: location.hash, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                 text: s.innerText.slice(0, 80), slider: !!s.querySelector('.widget-slider, .jp-CodeCell')}}; }}""")


def test_slides_step_through_fit_the_screen_and_the_slider_slide_runs(page, lab_url, tmp_path):
    # A teacher runs the notebook once (same kernel session), then presents it.
    open_and_run_all(page, lab_url, NOTEBOOK)
    page.locator(".widget-slider").first.wait_for(timeout=120_000)
    page.goto(f"{lab_url}/rise/{NOTEBOOK}?token={TOKEN}")
    page.wait_for_selector(".reveal .slides section.present")
    page.wait_for_timeout(1500)

    seen, overflows, slider_slide = [], [], None
    for step in range(300):
        box = present_box(page)
        if not seen or box["id"] != seen[-1]:
            seen.append(box["id"])
            page.screenshot(path=str(tmp_path / f"slide-{len(seen):02d}.png"))
            if box["bottom"] > HEIGHT + 2 or box["top"] < -2 or box["right"] > WIDTH + 2 or box["left"] < -2:
                overflows.append(f"{box['id']} ({box['text'][:40]!r}): {box}")
            if slider_slide is None and "interact" in page.evaluate(f"() => {PRESENT}.innerText"):
                slider_slide = box["id"]
        page.keyboard.press("Space")
        page.wait_for_timeout(250)
        if present_box(page)["id"] == box["id"] and step and page.evaluate(
                f"() => !{PRESENT}.querySelector('.fragment:not(.visible)')"):
            break  # the last slide, every fragment shown

    assert len(seen) == expected_slides(), f"stepped through {len(seen)} slides: {seen}"
    assert not overflows, "slides overflow 1280 x 720:\n" + "\n".join(overflows)

    # Go back to the slide with the sliders, run its cell as a presenter does (Shift+Enter), move the degree.
    assert slider_slide is not None, "no slide shows the interactive cell"
    page.goto(f"{lab_url}/rise/{NOTEBOOK}?token={TOKEN}{slider_slide}")
    page.wait_for_selector(".reveal .slides section.present")
    code = page.locator(".reveal .slides section.present .jp-CodeCell").filter(has_text="interact").first
    code.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    slider = page.locator(".reveal section.present .widget-slider",
                          has=page.locator(".widget-label", has_text="degree")).first
    slider.wait_for(timeout=60_000)
    handle = slider.locator(".noUi-handle")
    before = handle.get_attribute("aria-valuenow")
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_function("([h, old]) => h.getAttribute('aria-valuenow') !== old",
                           arg=[handle.element_handle(), before])
    page.screenshot(path=str(tmp_path / "slider-slide.png"))
    assert float(handle.get_attribute("aria-valuenow")) == float(before) + 1
