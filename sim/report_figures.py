"""Figures of a sweep's report (seaborn), sized and labelled to be read at a paper's column width."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim.intervals import t_interval  # noqa: E402
from sim.metrics import UNITS  # noqa: E402
from sim.output import atomic_write  # noqa: E402
from sim.report import DRAW_KEY, with_draw  # noqa: E402
from sim.report import swept_parameters as swept  # noqa: E402

PANEL_WIDTH = 3.3
"""Inches: one panel fits a journal's column."""
CONTEXT = {"font.size": 9, "axes.titlesize": 9, "axes.labelsize": 9, "legend.fontsize": 8}


def _long_metrics(runs: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    ids = ["scenario", DRAW_KEY, "seed", "replication", "country"]
    long = with_draw(runs).melt(id_vars=ids, value_vars=metrics, var_name="metric", value_name="value")
    long["scenario"] = long["scenario"].astype(str)
    return long


def _point_panels(data: pd.DataFrame, y: str, order: list[str], **kws: object) -> sns.FacetGrid:
    """A panel per metric: ``y`` by scenario as points with their 95 % t-interval, a colour per country."""
    many = data["country"].nunique() > 1 or "hue" in kws
    kws.setdefault("hue", "country" if many else None)
    return sns.catplot(
        data=data,
        x="scenario",
        y=y,
        col="metric",
        col_wrap=min(2, data["metric"].nunique()),
        kind="point",
        order=order,
        errorbar=t_interval,
        dodge=0.3 if many else False,
        sharey=False,
        height=2.6,
        aspect=PANEL_WIDTH / 2.6,
        capsize=0.15,
        **kws,
    )


def metrics_figure(runs: pd.DataFrame, metrics: list[str], xlabel: str, stem: Path) -> Path:
    """Each metric by scenario: mean over seeds with its 95 % t-interval (a panel per metric)."""
    long = _long_metrics(runs, metrics)
    order = list(runs["scenario"].cat.categories.astype(str))
    with sns.plotting_context("paper", rc=CONTEXT), sns.axes_style("whitegrid"):
        grid = _point_panels(long, "value", order)
        _label_panels(grid, metrics, xlabel)
        grid.figure.suptitle("Outcomes by scenario (mean and 95 % CI across seeds)", y=1.02)
        return save(grid.figure, stem)


def effects_figure(
    runs: pd.DataFrame, metrics: list[str], baseline_of: dict[str, str], strata: list[str], stem: Path
) -> Path:
    """Each scenario's difference to its baseline, paired by draw and seed, with its 95 % t-interval.

    Over several posterior draws the interval is over the draws' mean
    effects (as ``effects.csv``'s), so it includes parameter uncertainty.
    With strata (swept keys other than the compared lever, e.g. the enforcement
    feedback off and on) the x axis is the lever and the colour the stratum;
    several countries are then shown pooled (``ALL``).
    """
    keys = [DRAW_KEY, "seed", "replication", "country", "metric"]
    long = _long_metrics(runs, metrics)
    value = long.set_index(["scenario", *keys])["value"]
    diffs = long[long["scenario"].map(baseline_of) != long["scenario"]].copy()
    base_rows = diffs.assign(scenario=diffs["scenario"].map(baseline_of))[["scenario", *keys]]
    diffs["difference"] = diffs["value"].to_numpy() - value.reindex(pd.MultiIndex.from_frame(base_rows)).to_numpy()
    order = [s for s in runs["scenario"].cat.categories.astype(str) if baseline_of[s] != s]
    xlabel, hue = "scenario", {}
    if strata:
        first = runs.drop_duplicates("scenario").assign(scenario=lambda d: d["scenario"].astype(str))
        first = first.set_index("scenario")
        levers = [k for k in swept(runs) if k not in strata]
        lever_of = {s: ", ".join(str(first.loc[s, k]) for k in levers) for s in order}
        stratum_of = {s: ", ".join(str(first.loc[s, k]) for k in strata) for s in order}
        diffs["stratum"] = diffs["scenario"].map(stratum_of)
        diffs["scenario"] = diffs["scenario"].map(lever_of)
        if diffs["country"].nunique() > 1:
            diffs = diffs[diffs["country"] == "ALL"]
        order = list(dict.fromkeys(lever_of.values()))
        xlabel, hue = ", ".join(levers), {"hue": "stratum"}
    draws = with_draw(runs)[DRAW_KEY].nunique()
    title = "Effect against the baseline, paired by seed (95 % CI)"
    if draws > 1:
        by = [c for c in ("scenario", "stratum", DRAW_KEY, "country", "metric") if c in diffs.columns]
        diffs = diffs.groupby(by, as_index=False, sort=False)["difference"].mean()
        title = f"Effect against the baseline over {draws} posterior draws (95 % CI over the draws)"
    with sns.plotting_context("paper", rc=CONTEXT), sns.axes_style("whitegrid"):
        grid = _point_panels(diffs, "difference", order, linestyle="none", **hue)
        for ax in grid.axes.flat:
            ax.axhline(0.0, color="black", linewidth=0.8)
        _label_panels(grid, metrics, xlabel, prefix="difference, ")
        if strata and grid.legend is not None:
            grid.legend.set_title(", ".join(" ".join(k.split(".")[-2:]).replace("_", " ") for k in strata))
        grid.figure.suptitle(title, y=1.02)
        return save(grid.figure, stem)


def stocks_figure(stocks: pd.DataFrame, warmup_days: int, stem: Path) -> Path:
    """Open cases in each state over time by scenario (line: mean; band: 90 % of seeds)."""
    with sns.plotting_context("paper", rc=CONTEXT), sns.axes_style("whitegrid"):
        grid = sns.relplot(
            data=stocks,
            x="day",
            y="cases",
            hue="scenario",
            col="state",
            col_wrap=min(2, stocks["state"].nunique()),
            kind="line",
            errorbar=("pi", 90),
            facet_kws={"sharey": False},
            height=2.4,
            aspect=PANEL_WIDTH / 2.4,
        )
        for ax in grid.axes.flat:
            ax.axvline(warmup_days, color="grey", linestyle=":", linewidth=1)
        grid.set_titles("{col_name}")
        grid.set_axis_labels("day (dotted: end of warm-up)", "open cases (persons)")
        grid.figure.suptitle("Open cases by state over time (band: 90 % of seeds)", y=1.02)
        return save(grid.figure, stem)


def incidence_figure(curves: pd.DataFrame, stem: Path) -> Path:
    """Cumulative incidence of return, absconding and expiry as first events, by scenario."""
    with sns.plotting_context("paper", rc=CONTEXT), sns.axes_style("whitegrid"):
        grid = sns.relplot(
            data=curves,
            x="days",
            y="incidence",
            hue="scenario",
            col="event",
            kind="line",
            height=2.4,
            aspect=PANEL_WIDTH / 2.4,
        )
        grid.set_titles("first event: {col_name}")
        grid.set_axis_labels("days since decision", "cumulative incidence (share)")
        for ax in grid.axes.flat:
            ax.set_ylim(0.0, max(0.05, float(np.nanmax(curves["incidence"])) * 1.05))
        grid.figure.suptitle("Return, absconding and expiry as competing risks (Aalen-Johansen)", y=1.04)
        return save(grid.figure, stem)


def _label_panels(grid: sns.FacetGrid, metrics: list[str], xlabel: str, prefix: str = "") -> None:
    """Title each panel with its metric, label the y axis with the unit, and leave room between panels."""
    for ax, metric in zip(grid.axes.flat, metrics, strict=False):
        ax.set_title(metric.replace("_", " "))
        ax.set_ylabel(f"{prefix}{UNITS[metric]}")
        ax.set_xlabel(xlabel)
        ax.tick_params(axis="x", labelrotation=30)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    grid.figure.subplots_adjust(wspace=0.3, hspace=0.45)


def save(fig: plt.Figure, stem: Path) -> Path:
    """Write ``stem.png`` (300 dpi) and ``stem.svg``; return the PNG's path."""
    for suffix, dpi in ((".png", 300), (".svg", None)):
        path = stem.with_suffix(suffix)
        atomic_write(
            path, lambda tmp, s=suffix, d=dpi: fig.savefig(tmp, format=s.lstrip("."), dpi=d, bbox_inches="tight")
        )
    plt.close(fig)
    return stem.with_suffix(".png")
