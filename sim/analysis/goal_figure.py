"""The figure of a goal-seeking sweep: every trial's cost against the target metric and against absconding."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import EngFormatter

from sim.outputs.figure_style import PAGE, axis_label, metric_words, paper, save


def pareto_figure(
    table: pd.DataFrame,
    front: pd.DataFrame,
    objectives: list[str],
    target_metric: str,
    target: float,
    baseline: float,
    out: Path,
) -> Path:
    """Cost (the first objective) against the target metric and against each other objective, goal marked."""
    cost = objectives[0]
    others = [target_metric, *(o for o in objectives[1:] if o != target_metric)]
    with paper():
        fig, axes = plt.subplots(1, len(others), figsize=(PAGE, 2.6), squeeze=False)
        for ax, metric in zip(axes[0], others, strict=True):
            reach = table["reaches_goal"]
            ax.scatter(table.loc[~reach, cost], table.loc[~reach, metric], s=10, c="0.7", label="below the goal")
            ax.scatter(table.loc[reach, cost], table.loc[reach, metric], s=10, c="C0", label="reaches the goal")
            ax.scatter(front[cost], front[metric], s=28, facecolors="none", edgecolors="C3", label="Pareto front")
            if metric == target_metric:
                ax.axhline(target, ls="--", c="C3", lw=0.8, label="goal")
                ax.axhline(baseline, ls=":", c="0.3", lw=0.8, label="baseline")
            ax.xaxis.set_major_formatter(EngFormatter())
            ax.set_xlabel(f"{metric_words(cost)}, {axis_label(cost)}")
            ax.set_ylabel(f"{metric_words(metric)}, {axis_label(metric)}")
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.suptitle("Each trial (mean of its replications) against its cost")
        fig.tight_layout(rect=(0, 0.08, 1, 0.95))
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
        return save(fig, out / "pareto")
