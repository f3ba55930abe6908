"""One style for every figure returnsim draws: sizes a paper can print, words for states and keys, saving.

Widths are a journal's column (:data:`COLUMN`, 3.5 in) or page
(:data:`PAGE`, 7 in); fonts are 7-9 pt at that size; every figure is saved
as a 300 dpi PNG and an SVG. Each figure states what its intervals cover and
over how many seeds (and posterior draws) in its title.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import overload

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from sim.model.states import State  # noqa: E402
from sim.outputs.files import atomic_write  # noqa: E402
from sim.outputs.metrics import UNITS  # noqa: E402

COLUMN = 3.5
"""Inches: a journal's column."""
PAGE = 7.0
"""Inches: a journal's page width."""
RC = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7,
    "figure.titlesize": 9,
    "lines.linewidth": 1.2,
}
DPI = 300

STATE_WORDS = {
    State.VOLUNTARY_PERIOD: "voluntary departure period",
    State.RETURN_CASE: "return case (migration agency)",
    State.ABSCONDED: "absconded",
    State.POLICE_CASE: "police case",
    State.DETAINED: "detained",
    State.AWAITING_FLIGHT: "awaiting flight",
    State.RETURNED_VOLUNTARY: "returned voluntarily",
    State.RETURNED_ASSISTED: "returned with assistance (AVR)",
    State.RETURNED_FORCED: "removed (forced return)",
    State.MOVED_NORDIC: "moved to another Nordic country",
    State.DEPARTED_UNRECORDED: "left, unrecorded",
    State.EXPIRED: "decision expired",
    State.PERMIT_GRANTED: "residence permit granted",
    State.CLOSED_OTHER: "closed for other reasons",
}
"""Each state in words, for axes and legends."""
WORDS = {s.label: words for s, words in STATE_WORDS.items()}
"""State label (as in the tables) -> words."""
POOLED = "all countries"
"""How the pooled ``ALL`` rows of a multi-country run are labelled."""


@contextmanager
def paper() -> Iterator[None]:
    """The plotting context and style of every returnsim figure."""
    with sns.plotting_context("paper", rc=RC), sns.axes_style("ticks", {"axes.grid": True, "grid.color": ".92"}):
        yield


def metric_words(metric: str) -> str:
    """A metric's name in words (``share_ever_absconded`` -> ``share ever absconded``)."""
    return metric.replace("_", " ")


def key_words(key: str) -> str:
    """A config key in words, its last two parts (``a.enforcement_feedback.form``: ``enforcement feedback form``)."""
    return " ".join(key.split(".")[-2:]).replace("_", " ")


def axis_label(metric: str, prefix: str = "") -> str:
    """The y label of a metric's panel: the unit, with a prefix (``difference, ``)."""
    return f"{prefix}{UNITS[metric]}"


def from_zero(ax: plt.Axes) -> None:
    """Start the y axis at 0 (every metric is a count, share, duration or cost), so heights read as sizes."""
    low, high = ax.get_ylim()
    if low > 0:
        ax.set_ylim(0, high)


def fit_width(grid: sns.FacetGrid, width: float = PAGE) -> None:
    """Give a seaborn grid the page's width again after its legend was moved (seaborn widens it for the legend)."""
    grid.figure.set_size_inches(width, grid.figure.get_size_inches()[1])
    grid.tight_layout()


def design(seeds: int, draws: int = 1, replications: int = 1) -> str:
    """What an interval is over, in words: ``4 seeds``, ``10 posterior draws x 3 seeds``."""
    runs = f"{seeds} seed{'s' if seeds != 1 else ''}"
    if replications > 1:
        runs += f" x {replications} replications"
    return f"{draws} posterior draws x {runs}" if draws > 1 else runs


@overload
def save(fig: plt.Figure, stem: Path) -> Path: ...
@overload
def save(fig: plt.Figure, stem: None) -> plt.Figure: ...
@overload
def save(fig: plt.Figure, stem: Path | None) -> Path | plt.Figure: ...
def save(fig: plt.Figure, stem: Path | None) -> Path | plt.Figure:
    """Write ``stem.png`` (300 dpi) and ``stem.svg`` and close the figure; return the PNG's path.

    Without a stem the figure is returned open (a notebook shows it).
    """
    if stem is None:
        return fig
    for fmt, dpi in (("png", DPI), ("svg", None)):
        atomic_write(stem.with_suffix(f".{fmt}"), partial(fig.savefig, format=fmt, dpi=dpi, bbox_inches="tight"))
    plt.close(fig)
    return stem.with_suffix(".png")


def png_of(drawn: object) -> Path:
    """The PNG's path of a figure drawn with a stem (what :func:`save` returned for it)."""
    if not isinstance(drawn, Path):
        raise TypeError("the figure was drawn without a stem, so it was not written")
    return drawn
