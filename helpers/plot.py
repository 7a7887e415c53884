"""One plotting style for a projector, and the few figures that more than one notebook draws.

Every function returns the figure or the axes and never calls `plt.show()`: the notebook decides.
"""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

# Okabe-Ito: a palette that colour-blind readers can tell apart.
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

STYLE = {
    "figure.figsize": (8, 5), "figure.dpi": 80, "savefig.dpi": 100, "font.size": 14, "axes.titlesize": 15,
    "axes.labelsize": 14, "legend.fontsize": 12, "lines.linewidth": 2.5, "lines.markersize": 7, "axes.grid": True,
    "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=COLORS),
}


def use_style() -> None:
    """Apply the lecture's plot style (large fonts, thick lines, colour-blind-safe colours)."""
    mpl.rcParams.update(STYLE)


def _axes(ax):
    return ax if ax is not None else plt.subplots()[1]


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


def scatter_fit(x, y, x_line=None, y_line=None, ax=None, xlabel="", ylabel="", title="",
                label="data", line_label="model"):
    """Scatter the points (x, y) and, if given, draw the curve (x_line, y_line) over them."""
    ax = _axes(ax)
    ax.scatter(_np(x), _np(y), color=COLORS[0], label=label, zorder=3)
    if x_line is not None:
        ax.plot(_np(x_line), _np(y_line), color=COLORS[1], label=line_label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    if label or line_label:
        ax.legend()
    return ax


def error_curves(x, curves, bands=None, ax=None, xlabel="", ylabel="", title="", logy=True):
    """Draw named curves `{name: values}` against `x`, log scale by default.

    `bands` maps a name to `(low, high)` arrays, drawn as a light band around that curve.
    """
    ax = _axes(ax)
    for i, (name, values) in enumerate(curves.items()):
        color = COLORS[i % len(COLORS)]
        ax.plot(_np(x), _np(values), marker="o", color=color, label=name)
        if bands and name in bands:
            low, high = bands[name]
            ax.fill_between(_np(x), _np(low), _np(high), color=color, alpha=0.15, linewidth=0)
    if logy:
        ax.set_yscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend()
    return ax


def image_grid(images, captions=(), ncols=8, title="", size=1.5):
    """Show grayscale images (N x 1 x H x W or N x H x W) in a grid, each with its caption."""
    images = _np(images).reshape(len(images), *images.shape[-2:])
    nrows = max(1, -(-len(images) // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap="gray_r")
            if i < len(captions):
                ax.set_title(str(captions[i]), fontsize=12)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def histogram(values, bins=20, ax=None, xlabel="", title="", marks=None):
    """Histogram of `values`; `marks` maps a label to an x position drawn as a dashed vertical line."""
    ax = _axes(ax)
    ax.hist(_np(values), bins=bins, color=COLORS[0], alpha=0.8, edgecolor="white")
    for i, (name, x) in enumerate((marks or {}).items()):
        ax.axvline(x, color=COLORS[(i + 1) % len(COLORS)], linestyle="--", label=name)
    if marks:
        ax.legend()
    ax.set(xlabel=xlabel, ylabel="count", title=title)
    return ax
