"""Notebook 02's sliders, used as a person uses them: JupyterLab in headless Chromium."""

from conftest import TOKEN

NOTEBOOK = "notebooks/02-polynomial-capacity.ipynb"


def open_and_run_all(page, lab_url, path):
    page.goto(f"{lab_url}/lab/tree/{path}?reset&token={TOKEN}")  # reset: only this notebook open
    page.wait_for_selector(".jp-Notebook")
    # The kernel has started when the toolbar names it and reports it idle.
    page.wait_for_selector(".jp-KernelName:has-text('Python 3')")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-content").get_by_text("Run All Cells", exact=True).click()


def degree_slider(page, scope=".jp-Notebook"):
    """The "degree" slider of notebook 02's interact widget, inside `scope`."""
    return page.locator(f"{scope} .widget-slider", has=page.locator(".widget-label", has_text="degree")).first


def run_notebook_02(page, lab_url):
    """Open notebook 02 in JupyterLab and run every cell, as a reader does; return once its sliders are live."""
    open_and_run_all(page, lab_url, NOTEBOOK)
    degree_slider(page).wait_for(timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")


def move_slider(page, slider, presses=0, drag=0):
    """Move a slider of an interact widget right; return its state before and after.

    `presses` right-arrow presses on the focused handle (JupyterLab), or a mouse drag of `drag` pixels (in a
    slideshow the arrow keys change slides). The state is the slider's value (its readout), the printed MSE line
    and the figure's image data.
    """
    widget = slider.locator("xpath=ancestor::*[contains(@class, 'widget-interact')][1]")
    mse, figure = widget.locator("pre", has_text="train MSE"), widget.locator("img").first
    figure.wait_for()

    def state():
        return {"value": float(slider.locator(".widget-readout").inner_text()), "text": mse.inner_text(),
                "image": figure.get_attribute("src")}

    slider.scroll_into_view_if_needed()  # JupyterLab leaves far-away cells unrendered: their readout is empty
    before = state()
    handle = slider.locator(".ui-slider-handle, .noUi-handle").first  # ipywidgets 7, ipywidgets 8
    handle.scroll_into_view_if_needed()
    for _ in range(max(presses, 1)):  # one step at a time: each waits for its new line and figure
        text = mse.inner_text()
        if presses:
            handle.focus()
            handle.press("ArrowRight")
        else:
            box = handle.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + drag, y, steps=10)
            page.mouse.up()
        page.wait_for_function(  # the interact widget clears its output, prints a new line and draws a new figure
            """([box, old]) => [...box.querySelectorAll('pre')].some(
                   p => p.innerText.includes('train MSE') && p.innerText !== old) && box.querySelector('img')""",
            arg=[widget.element_handle(), text], timeout=30_000)
        page.wait_for_timeout(300)
    return before, state()


def test_degree_slider_redraws_the_fit_and_the_errors(page, lab_url, tmp_path):
    run_notebook_02(page, lab_url)
    slider = degree_slider(page)
    page.screenshot(path=str(tmp_path / "before.png"))
    before, after = move_slider(page, slider, presses=3)
    page.screenshot(path=str(tmp_path / "after.png"))

    assert after["value"] == before["value"] + 3
    assert after["text"] != before["text"] and "test MSE" in after["text"]
    assert after["image"] != before["image"], "the figure was not redrawn"
    assert (tmp_path / "after.png").stat().st_size > 10_000
