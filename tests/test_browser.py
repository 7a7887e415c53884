"""Notebook 02's sliders, used as a person uses them: JupyterLab in headless Chromium."""

from conftest import TOKEN

NOTEBOOK = "notebooks/02-polynomial-capacity.ipynb"


def open_and_run_all(page, lab_url, path):
    page.goto(f"{lab_url}/lab/tree/{path}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook")
    # The kernel has started when the toolbar names it and reports it idle.
    page.wait_for_selector(".jp-KernelName:has-text('Python 3')")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-content").get_by_text("Run All Cells", exact=True).click()


def test_degree_slider_redraws_the_fit_and_the_errors(page, lab_url, tmp_path):
    open_and_run_all(page, lab_url, NOTEBOOK)
    slider = page.locator(".widget-slider", has=page.locator(".widget-label", has_text="degree")).first
    slider.wait_for(timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")
    widget = page.locator(".jupyter-widgets.widget-interact, .widget-interact").filter(has=slider).first
    mse = widget.locator("pre", has_text="train MSE")
    figure = widget.locator("img").first
    mse.wait_for()
    before_text, before_image = mse.inner_text(), figure.get_attribute("src")
    handle = slider.locator(".noUi-handle")
    before_value = handle.get_attribute("aria-valuenow")
    slider.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "before.png"))

    handle.focus()
    for _ in range(3):
        handle.press("ArrowRight")
    page.wait_for_function(  # the interact widget clears its output and prints a new line
        """([box, old]) => [...box.querySelectorAll('pre')].some(
               p => p.innerText.includes('train MSE') && p.innerText !== old)""",
        arg=[widget.element_handle(), before_text], timeout=30_000)
    page.screenshot(path=str(tmp_path / "after.png"))

    assert float(handle.get_attribute("aria-valuenow")) == float(before_value) + 3
    assert mse.inner_text() != before_text and "test MSE" in mse.inner_text()
    assert figure.get_attribute("src") != before_image, "the figure was not redrawn"
    assert (tmp_path / "after.png").stat().st_size > 10_000
