"""What would it take? The trials of a goal-seeking sweep, the goal, and the Pareto front.

A goal-seeking sweep (Hydra's Optuna sweeper; ``experiments/goal_plus50.yaml``)
runs the model on combinations of capacities and levers the sampler proposes.
Here its run folders are read like any sweep's (:func:`sim.analysis.collect.collect_runs`),
each trial is one run (its replications averaged, the pooled country), a trial
reaches the goal when its target metric is at least ``target_factor`` times
the baseline's (the run in ``baseline/``, the config without the sweeper's
choices, on the same seeds), and the Pareto front is the trials that reach
the goal and that no other such trial beats on every objective at once.
Nothing here runs the model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.collect import collect_runs, swept_parameters
from sim.analysis.markdown import table_markdown
from sim.outputs.files import output_set, write_table, write_text
from sim.outputs.metrics import METRICS

GOAL_FILE = "goal.json"
"""Written when the sweep starts: objectives, their directions, the target metric and factor, the baseline's value."""
BASELINE_DIR = "baseline"


def trials(sweep_dir: Path) -> tuple[pd.DataFrame, list[str]]:
    """One row per complete trial: its choices and each metric's mean; and the names of the choices."""
    skipped: dict[str, str] = {}
    runs = collect_runs(sweep_dir, skipped)
    choices = swept_parameters(runs)
    pooled = runs[runs["country"] == "ALL"] if (runs["country"] == "ALL").any() else runs
    metrics = [m for m in METRICS if m in pooled.columns]
    table = pooled.groupby("run", sort=False).agg({**dict.fromkeys(choices, "first"), **dict.fromkeys(metrics, "mean")})
    return table.reset_index(), choices


def pareto_front(table: pd.DataFrame, objectives: list[str], directions: list[str]) -> pd.Series:
    """Whether each row is on the Pareto front: no other row is as good on every objective and better on one."""
    signs = np.array([1.0 if d == "minimize" else -1.0 for d in directions])
    values = table[objectives].to_numpy(dtype=float) * signs  # every objective to minimise
    on_front = []
    for row in values:
        dominated = np.any(np.all(values <= row, axis=1) & np.any(values < row, axis=1))
        on_front.append(not dominated and not np.isnan(row).any())
    return pd.Series(on_front, index=table.index, dtype=bool)


def goal_front(
    table: pd.DataFrame, objectives: list[str], directions: list[str], target_metric: str, target: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trials marked ``reaches_goal``, and the Pareto front of those that do, cheapest (first objective) first."""
    table = table.assign(reaches_goal=table[target_metric] >= target)
    reaching = table[table["reaches_goal"]]
    return table, reaching.loc[pareto_front(reaching, objectives, directions)].sort_values(objectives[0])


def write_goal_report(sweep_dir: Path) -> Path:
    """Write ``trials.csv``, ``pareto.csv``, ``goal.md`` and ``figures/pareto`` into the sweep folder."""
    from sim.analysis.goal_figure import pareto_figure  # matplotlib only when drawing

    spec = json.loads((sweep_dir / GOAL_FILE).read_text(encoding="utf-8"))
    objectives, directions = spec["objectives"], spec["directions"]
    target_metric, target = spec["target_metric"], spec["target_factor"] * spec["baseline"]
    table, choices = trials(sweep_dir)
    table, front = goal_front(table, objectives, directions, target_metric, target)
    reaching = table[table["reaches_goal"]]
    shown = [*choices, *objectives, *(m for m in (target_metric, "return_rate") if m not in objectives)]
    page = sweep_dir / "goal.md"
    page.unlink(missing_ok=True)  # the page marks the goal report complete: none until this one's is written
    with output_set():  # the tables, figure and page together, or none of them
        write_table(sweep_dir / "trials.csv", table)
        write_table(sweep_dir / "pareto.csv", front[["run", *shown]])
        figure = pareto_figure(table, front, objectives, target_metric, target, spec["baseline"], sweep_dir / "figures")
        lines = [
            f"# What would it take? {target_metric} at {spec['target_factor']:g} x the baseline",
            "",
            f"The baseline (the config without the sweeper's choices, same seeds) gives {target_metric} = "
            f"{spec['baseline']:,.1f}; the goal is {target:,.1f}. {len(table)} trials (each the mean of its "
            f"replications) searched {', '.join(choices) or 'nothing'}; {len(reaching)} reach the goal.",
            "",
            f"Objectives: {', '.join(f'{o} ({d})' for o, d in zip(objectives, directions, strict=True))}. The Pareto "
            "front below holds the trials that reach the goal and that no other such trial beats on every objective; "
            f"the first row is the cheapest by {objectives[0]}. Intervals: none (each trial's replications are "
            "averaged; re-run a chosen combination with more seeds for its interval).",
            "",
            table_markdown(front[shown]) if len(front) else "No trial reaches the goal.",
            "",
            f"![Pareto front]({Path(figure).relative_to(sweep_dir).as_posix()})",
        ]
        write_text(page, "\n".join(lines) + "\n")
    return page
