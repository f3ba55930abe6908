"""Figures of a sweep's report, in the style of :mod:`sim.outputs.figure_style`.

Scenarios are labelled by the compared levers' values, the baseline marked;
swept keys that are not levers (strata, e.g. the enforcement feedback off
and on) are colours. With several countries every country has its own row
of panels on its own scales and the pooled result its own row, last. Each
title says what the intervals cover and over how many seeds and draws.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import EngFormatter

from sim.analysis.collect import DRAW_KEY, swept_parameters, with_draw
from sim.analysis.headline import MIN_SEEDS
from sim.analysis.incidence import EVENTS
from sim.analysis.intervals import t_interval
from sim.outputs.figure_style import (
    COLUMN,
    PAGE,
    POOLED,
    WORDS,
    axis_label,
    design,
    fit_width,
    from_zero,
    key_words,
    metric_words,
    paper,
    plt,
    save,
)
from sim.outputs.metrics import UNITS

FLIGHT_METRICS = ["charters_flown", "charter_seat_utilisation", "charter_cost_paid_by_country", "forced_returns"]
"""The report's flights figure (drawn when the sweep varies ``flights``)."""


class Scenarios:
    """How a sweep's scenarios are drawn: a lever label each, a stratum each, and the baseline's label."""

    def __init__(self, runs: pd.DataFrame, baseline_of: dict[str, str], strata: list[str]) -> None:
        first = runs.drop_duplicates("scenario").assign(scenario=lambda d: d["scenario"].astype(str))
        first = first.set_index("scenario")
        order = list(runs["scenario"].cat.categories.astype(str))
        levers = [k for k in swept_parameters(runs) if k not in strata] or ["scenario"]
        if levers == ["scenario"]:
            first["scenario"] = first.index
        self.lever_of = {s: ", ".join(str(first.loc[s, k]) for k in levers) for s in order}
        self.stratum_of = {s: ", ".join(str(first.loc[s, k]) for k in strata) for s in order} if strata else {}
        self.baseline = {self.lever_of[b] for b in baseline_of.values()}
        self.order = list(dict.fromkeys(self.lever_of.values()))
        self.xlabel = ", ".join(key_words(k) for k in levers)
        self.legend = ", ".join(key_words(k) for k in strata)

    def label(self, data: pd.DataFrame) -> pd.DataFrame:
        """``data`` (with a ``scenario`` column) with ``lever`` and, with strata, ``stratum`` columns."""
        out = data.assign(lever=data["scenario"].astype(str).map(self.lever_of))
        if self.stratum_of:
            out["stratum"] = out["scenario"].astype(str).map(self.stratum_of)
        return out

    def styled(self, data: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
        """``data`` labelled for line figures: the lever as colour, the stratum (if any) as line style."""
        name = self.xlabel or "scenario"  # with no lever swept, the scenario itself is the hue
        out = self.label(data).drop(columns=name, errors="ignore").rename(columns={"lever": name})
        kws = {"hue": name, "hue_order": self.order}
        if self.stratum_of:
            out = out.rename(columns={"stratum": self.legend})
            kws["style"] = self.legend
        return out, kws

    def ticks(self, order: list[str], sep: str = "\n") -> list[str]:
        """Tick labels: the baseline's marked (on a line of its own, or after ``sep``)."""
        return [f"{x}{sep}(baseline)" if x in self.baseline else x for x in order]


def _countries(data: pd.DataFrame) -> list[str]:
    """Panel rows: each country, then the pooled result apart (a single country: that one)."""
    found = [str(c) for c in dict.fromkeys(data["country"])]
    return [c for c in found if c != "ALL"] + (["ALL"] if "ALL" in found else [])


def _long(runs: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    ids = ["scenario", DRAW_KEY, "seed", "replication", "country"]
    return with_draw(runs).melt(id_vars=ids, value_vars=metrics, var_name="metric", value_name="value")


def _design(runs: pd.DataFrame) -> str:
    """What the figure's intervals are over; with fewer than ``MIN_SEEDS`` seeds, that they carry no claim."""
    runs = with_draw(runs)
    seeds = runs["seed"].nunique()
    few = f" - too few seeds (< {MIN_SEEDS}) to carry a claim" if seeds < MIN_SEEDS else ""
    return design(seeds, runs[DRAW_KEY].nunique(), runs["replication"].nunique()) + few


def _panels(
    data: pd.DataFrame, y: str, metrics: list[str], order: list[str], scenarios: Scenarios, prefix: str = ""
) -> tuple[plt.Figure, np.ndarray]:
    """Points with 95 % t-intervals by lever value: a panel per metric and, with several countries, a row each.

    With several countries the metric heads its column and the country its
    row (on the y label); a panel whose metric has no value in any run (e.g.
    seat use for a country that organised no charter) says so.
    """
    countries = _countries(data)
    many = len(countries) > 1
    cols = len(metrics) if many else min(2, len(metrics))
    rows = len(countries) if many else -(-len(metrics) // cols)
    width = COLUMN if cols == 1 else PAGE
    height = (1.3 if many else 1.75) * rows + 0.9
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), squeeze=False, layout="constrained", sharex=True)
    cells = [(c, m) for c in countries for m in metrics] if many else [(countries[0], m) for m in metrics]
    hue = "stratum" if "stratum" in data.columns else None
    legend = None
    for i, (ax, (country, metric)) in enumerate(zip(axes.flat, cells, strict=False)):
        part = data[(data["country"] == country) & (data["metric"] == metric)]
        if part[y].notna().any():
            sns.pointplot(
                data=part, x="lever", y=y, hue=hue, order=order, errorbar=t_interval, linestyle="none",
                dodge=0.35 if hue else False, markersize=3, capsize=0.15, err_kws={"linewidth": 1.3}, ax=ax,
            )  # fmt: skip
            if ax.get_legend() is not None:
                legend = legend or ax.get_legend_handles_labels()
                ax.get_legend().remove()
        else:
            ax.text(0.5, 0.5, "no value\nin any run", ha="center", va="center", transform=ax.transAxes, color="0.4")
        if UNITS[metric] == "EUR":
            ax.yaxis.set_major_formatter(EngFormatter(sep=" "))
        unit = axis_label(metric, prefix)
        if many:
            if i < cols:
                ax.set_title(textwrap.fill(metric_words(metric), 24))
            ax.set_ylabel(f"{POOLED if country == 'ALL' else country}\n{unit}" if i % cols == 0 else unit)
        else:
            ax.set_title(metric_words(metric))
            ax.set_ylabel(unit)
        ax.set_xlabel("")
        crowded = sum(len(x) for x in order) > 16
        slanted = {"rotation": 30, "ha": "right", "rotation_mode": "anchor"} if crowded else {}
        ax.set_xticks(range(len(order)), scenarios.ticks(order, " " if crowded else "\n"), **slanted)
    for ax in axes.flat[len(cells) :]:
        ax.set_visible(False)
    if legend is not None:
        title = textwrap.fill(scenarios.legend, 16)
        fig.legend(*legend, title=title, loc="outside right center", frameon=False)
    fig.supxlabel(scenarios.xlabel)
    return fig, axes


def metrics_figure(
    runs: pd.DataFrame,
    metrics: list[str],
    baseline_of: dict[str, str],
    strata: list[str],
    stem: Path | None,
    title: str = "Outcomes by scenario",
) -> Path | plt.Figure:
    """Each metric by scenario: its mean with the 95 % t-interval over the runs; y axes from 0."""
    scenarios = Scenarios(runs, baseline_of, strata)
    data = scenarios.label(_long(runs, metrics))
    with paper():
        fig, axes = _panels(data, "value", metrics, scenarios.order, scenarios)
        for ax in axes.flat:
            if ax.get_visible():
                from_zero(ax)
        fig.suptitle(f"{title}: mean and 95 % CI over {_design(runs)}")
        return save(fig, stem)


def effects_figure(
    runs: pd.DataFrame, metrics: list[str], baseline_of: dict[str, str], strata: list[str], stem: Path | None
) -> Path | plt.Figure:
    """Each scenario's difference to its baseline, paired by draw and seed, with its 95 % t-interval.

    Over several posterior draws the interval is over the draws' mean
    effects (as ``effects.csv``'s), so it includes parameter uncertainty. The
    baseline is the line at 0.
    """
    keys = [DRAW_KEY, "seed", "replication", "country", "metric"]
    long = _long(runs, metrics)
    long["scenario"] = long["scenario"].astype(str)
    value = long.set_index(["scenario", *keys])["value"]
    diffs = long[long["scenario"].map(baseline_of) != long["scenario"]].copy()
    base_rows = diffs.assign(scenario=diffs["scenario"].map(baseline_of))[["scenario", *keys]]
    diffs["difference"] = diffs["value"].to_numpy() - value.reindex(pd.MultiIndex.from_frame(base_rows)).to_numpy()
    draws = with_draw(runs)[DRAW_KEY].nunique()
    if draws > 1:
        diffs = diffs.groupby(["scenario", DRAW_KEY, "country", "metric"], as_index=False, sort=False)[
            "difference"
        ].mean()
    scenarios = Scenarios(runs, baseline_of, strata)
    data = scenarios.label(diffs)
    order = [x for x in scenarios.order if x not in scenarios.baseline]
    over = f"{draws} posterior draws (parameter and seed uncertainty)" if draws > 1 else _design(runs)
    with paper():
        fig, axes = _panels(data, "difference", metrics, order, scenarios, prefix="difference, ")
        for ax in axes.flat:
            if ax.get_visible():
                ax.axhline(0.0, color="black", linewidth=0.8)
        fig.suptitle(f"Effect against the baseline (0), paired by seed: mean and 95 % CI over {over}")
        return save(fig, stem)


def stocks_figure(
    stocks: pd.DataFrame,
    warmup_days: int,
    runs: pd.DataFrame,
    baseline_of: dict[str, str],
    strata: list[str],
    stem: Path | None,
) -> Path | plt.Figure:
    """Open cases in each state over time (line: mean; band: 90 % of runs), a panel per state on its own scale."""
    scenarios = Scenarios(runs, baseline_of, strata)
    data, kws = scenarios.styled(stocks.assign(state=stocks["state"].map(WORDS)))
    cols = min(2, data["state"].nunique())
    with paper():
        grid = sns.relplot(
            data=data, x="day", y="cases", col="state", col_wrap=cols, kind="line", errorbar=("pi", 90),
            facet_kws={"sharey": False}, height=1.8, aspect=(PAGE / cols if cols > 1 else COLUMN) / 1.8, **kws,
        )  # fmt: skip
        for ax in grid.axes.flat:
            ax.axvline(warmup_days, color="0.5", linestyle=":", linewidth=0.8)
            from_zero(ax)
        grid.set_titles("{col_name}")
        grid.set_axis_labels("day (dotted: end of warm-up)", "open cases (persons)")
        sns.move_legend(grid, "upper center", bbox_to_anchor=(0.5, 0.0), ncols=6, frameon=False)
        fit_width(grid, PAGE if cols > 1 else COLUMN)
        grid.figure.suptitle(f"Open cases by state over time (band: 90 % of {_design(runs)})", y=1.03)
        return save(grid.figure, stem)


def incidence_figure(
    curves: pd.DataFrame, runs: pd.DataFrame, baseline_of: dict[str, str], strata: list[str], stem: Path | None
) -> Path | plt.Figure:
    """Cumulative incidence of the first events by scenario with 95 % bands; an event no case had is left out."""
    scenarios = Scenarios(runs, baseline_of, strata)
    seen = [e for e in EVENTS if curves.loc[curves["event"] == e, "incidence"].max() > 0]
    dashes = ["-", "--", ":", "-."]
    strata_names = list(dict.fromkeys(scenarios.stratum_of.values())) or [""]
    with paper():
        fig, axes = plt.subplots(1, len(seen), figsize=(PAGE, 2.4), squeeze=False, layout="constrained")
        for ax, event in zip(axes.flat, seen, strict=True):
            part = curves[curves["event"] == event]
            for scenario, line in part.groupby("scenario", sort=False):
                colour = f"C{scenarios.order.index(scenarios.lever_of[scenario])}"
                stratum = scenarios.stratum_of.get(scenario, "")
                dash = dashes[strata_names.index(stratum) % len(dashes)]
                label = scenarios.lever_of[scenario] + (f" ({stratum})" if stratum else "")
                ax.plot(line["days"], line["incidence"], color=colour, linestyle=dash, label=label)
                ax.fill_between(line["days"], line["ci_low"], line["ci_high"], color=colour, alpha=0.2, linewidth=0)
            ax.set_title(f"first event: {event}")
            ax.set_xlabel("days since decision")
            ax.set_ylim(0, None)
        axes.flat[0].set_ylabel("cumulative incidence (share)")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        title = textwrap.fill(scenarios.xlabel + (f" ({scenarios.legend})" if scenarios.legend else ""), 16)
        fig.legend(handles, labels, title=title, loc="outside right center", frameon=False)
        fig.suptitle("Return, absconding and expiry as competing risks (Aalen-Johansen; band: 95 % CI)")
        return save(fig, stem)
