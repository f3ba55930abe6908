"""The history figure: each yearly series the history publishes, the model's band against the published points.

One panel per published series (a column of the yearly table, in the order
the history lists them): the model's median over the runs given (the
replications of a run, or the runs of a sweep over seeds and posterior
draws) and the band where 90 % of them lie; the published figures as points,
filled in the fitted years and open in the forecast years, with the
boundary between the two marked. Counts are per year at the history's full
size (a run at ``history.scale`` is divided by it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.artist import Artist

from sim.outputs.columns import YEARLY
from sim.outputs.figure_style import PAGE, metric_words, paper, plt, save
from sim.params.history import History

SCALE_FREE = ("share", "rate", "days")
"""Series whose name says they do not grow with a country's size (shares, rates, days)."""


def history_figure(yearly: pd.DataFrame, history: History, country: str, stem: Path | None) -> Path | plt.Figure:
    """The published series of ``history`` against the model's yearly table (one row per run, year, country)."""
    metrics = list(dict.fromkeys(f.metric for f in history.published))
    mine = yearly[yearly["country"] == country]
    runs = mine.groupby("year").size().max() if len(mine) else 0
    cols = 3
    rows = -(-len(metrics) // cols)
    with paper():
        fig, axes = plt.subplots(rows, cols, figsize=(PAGE, 1.75 * rows), layout="constrained", squeeze=False)
        for ax, metric in zip(axes.flat, metrics, strict=False):
            scale = 1.0 if any(w in metric for w in SCALE_FREE) else history.scale
            by_year = mine.groupby("year")[metric]
            years = np.array(sorted(mine["year"].unique()))
            median = by_year.median().reindex(years) / scale
            ax.plot(years, median, color="C0", linewidth=1.2, label="model (median)")
            if runs > 1:
                low = by_year.quantile(0.05).reindex(years) / scale
                high = by_year.quantile(0.95).reindex(years) / scale
                ax.fill_between(years, low, high, color="C0", alpha=0.25, linewidth=0, label="model (90 % of runs)")
            for fitted, style in ((True, {"color": "k"}), (False, {"facecolor": "white", "edgecolor": "k"})):
                points = [
                    f for f in history.published if f.metric == metric and (f.year <= history.fitted_until) == fitted
                ]
                if points:
                    label = "published, fitted" if fitted else "published, forecast check"
                    ax.scatter(
                        [f.year for f in points], [f.value for f in points], s=14, zorder=3, label=label, **style
                    )
            ax.axvline(history.fitted_until + 0.5, color="0.5", linestyle=":", linewidth=0.8)
            ax.set_title(metric_words(metric))
            ax.set_ylabel(YEARLY.columns[metric].unit)
            ax.set_ylim(0, None)
            ax.set_xticks(years[::2])
        for ax in list(axes.flat)[len(metrics) :]:
            ax.set_visible(False)
        legend: dict[str, Artist] = {}
        for ax in axes.flat[: len(metrics)]:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                legend.setdefault(label, handle)
        fig.legend(list(legend.values()), list(legend), loc="outside lower center", ncols=4, frameon=False)
        fig.suptitle(
            f"{history.name}: {country}, the model against the published figures "
            f"(dotted: fitted to {history.fitted_until} | forecast after; {runs} run{'s' if runs != 1 else ''})"
        )
    return save(fig, stem) if stem is not None else fig
