"""Figures of one run: stocks over time and the split of outcomes (seaborn)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim.output import atomic_write  # noqa: E402
from sim.states import ACTIVE, State  # noqa: E402

STATE_ORDER = [s.label for s in State]


def stocks_figure(stocks: pd.DataFrame, warmup_days: int, path: Path | None) -> plt.Figure | None:
    """Open cases by state over time, with a band across replications; saved to ``path``, or returned without one."""
    long = stocks.melt(
        id_vars=["replication", "day", "country"],
        value_vars=[s.label for s in ACTIVE],
        var_name="state",
        value_name="cases",
    )
    grid = sns.relplot(
        data=long,
        x="day",
        y="cases",
        hue="state",
        col="country",
        col_wrap=_wrap(long),
        kind="line",
        errorbar=("pi", 90),
        height=3.5,
        aspect=1.6,
        facet_kws={"sharey": False},
    )
    for ax in grid.axes.flat:
        ax.axvline(warmup_days, color="grey", linestyle=":", linewidth=1)
    grid.set_axis_labels("day (dotted line: end of warm-up)", "open cases")
    grid.figure.suptitle("Open return cases by state", y=1.03)
    return _save(grid.figure, path)


def outcomes_figure(register: pd.DataFrame, warmup_days: int, path: Path | None) -> plt.Figure | None:
    """Where the horizon's decisions stand at the end of the run, as shares; saved to ``path``, or returned."""
    cohort = register[(register["decision_day"] > warmup_days) & ~register["matched"]]
    shares = (
        cohort.groupby(["replication", "country"], observed=True)["outcome"]
        .value_counts(normalize=True)
        .rename("share")
        .reset_index()
    )
    order = [s for s in STATE_ORDER if s in set(shares["outcome"].astype(str))]
    grid = sns.catplot(
        data=shares,
        y="outcome",
        x="share",
        col="country",
        col_wrap=_wrap(shares),
        kind="bar",
        order=order,
        errorbar=("pi", 90),
        height=3.5,
        aspect=1.4,
        color="steelblue",
    )
    grid.set_axis_labels("share of decisions in the horizon", "state at end of run")
    grid.figure.suptitle("Outcome of the horizon's decisions", y=1.03)
    return _save(grid.figure, path)


def _wrap(df: pd.DataFrame) -> int | None:
    """Three panels a row when there are more than three countries."""
    return 3 if df["country"].nunique() > 3 else None


def _save(fig: plt.Figure, path: Path | None) -> plt.Figure | None:
    """Save and close the figure; without a path, hand it back (a notebook shows it)."""
    if path is None:
        return fig
    atomic_write(path, lambda tmp: fig.savefig(tmp, format=path.suffix.lstrip("."), dpi=150, bbox_inches="tight"))
    plt.close(fig)
    return None
