import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from helpers import plot


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_use_style_sets_large_fonts_and_colour_blind_palette():
    with matplotlib.rc_context():
        plot.use_style()
        assert matplotlib.rcParams["font.size"] >= 14
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == plot.COLORS[0]


def test_scatter_fit_draws_points_and_line():
    x = torch.arange(5.0)
    ax = plot.scatter_fit(x, 2 * x, x, 2 * x, xlabel="Age (years)", ylabel="P")
    assert len(ax.collections) == 1 and len(ax.lines) == 1
    assert ax.get_xlabel() == "Age (years)"


def test_error_curves_log_scale_with_band():
    d = np.arange(4)
    ax = plot.error_curves(d, {"train": [1, 0.1, 0.01, 0.001], "test": [1, 0.5, 0.6, 2]},
                           bands={"test": ([0.5] * 4, [3] * 4)})
    assert ax.get_yscale() == "log" and len(ax.lines) == 2 and len(ax.collections) == 1


def test_image_grid_has_one_titled_panel_per_image():
    fig = plot.image_grid(torch.rand(10, 1, 28, 28), captions=list(range(10)), ncols=4)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 12 and len(shown) == 10
    assert [ax.get_title() for ax in shown] == [str(i) for i in range(10)]


def test_histogram_with_marks():
    ax = plot.histogram(np.random.default_rng(0).normal(size=100), marks={"median": 0.0})
    assert len(ax.patches) == 20 and len(ax.lines) == 1


def test_nothing_is_shown(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() was called"))
    plot.scatter_fit([1, 2], [3, 4])
    plot.image_grid(torch.rand(2, 28, 28))
