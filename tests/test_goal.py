"""Goal seeking: the sweeper finds a known optimum of a toy through the same search and goal logic, and the
model's goal-seeking experiment runs end to end on a tiny budget."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.goal import goal_front, pareto_front
from tests.conftest import cli, experiment_config
from tests.helpers.toy_goal.app import EXTRA, GOAL, toy

TOY = Path(__file__).resolve().parent / "helpers" / "toy_goal" / "app.py"


def test_the_pareto_front_keeps_exactly_the_rows_nothing_beats_on_every_objective():
    table = pd.DataFrame({"cost": [1, 2, 3, 2, 5], "output": [1, 3, 2, 3, 5]})
    front = pareto_front(table, ["cost", "output"], ["minimize", "maximize"])
    assert list(front) == [True, True, False, True, True], "only (3, 2) is beaten, by (2, 3); ties beat nothing"


def test_the_baseline_runs_with_every_setting_the_trials_share():
    """The sweeper's single-valued parameters (the feedback off) reach the baseline too; the searched ones do not."""
    from sim.runs.multirun import fixed_sweeper_params

    fixed = fixed_sweeper_params(experiment_config("goal_plus50"))
    assert "behaviour.enforcement_feedback.form=none" in fixed
    assert not any(item.startswith(("nations.", "colocation", "avr")) for item in fixed)


def test_one_objective_is_returned_as_a_number():
    from sim.runs.runner import objective_values

    summary = pd.DataFrame({"country": ["SE", "SE"], "forced_returns": [1.0, 3.0], "total_cost": [2.0, 2.0]})
    assert objective_values(["forced_returns"], summary) == 2.0
    assert objective_values(["forced_returns", "total_cost"], summary) == (2.0, 2.0)


def test_a_goal_no_trial_reaches_gives_an_empty_front():
    table = pd.DataFrame({"total_cost": [1.0, 2.0], "forced_returns": [1.0, 2.0]})
    marked, front = goal_front(table, ["total_cost", "forced_returns"], ["minimize", "maximize"], "forced_returns", 9)
    assert front.empty and not marked["reaches_goal"].any()


def test_the_sweeper_finds_the_cheapest_combination_that_reaches_a_toy_goal(tmp_path):
    """Through Hydra's Optuna sweeper (NSGA-II, ranges and choices, as experiments/goal_plus50.yaml) and the goal
    report's own selection, 40 trials of 18 combinations find the brute-force answer: full, 200 officers."""
    done = subprocess.run(
        [sys.executable, str(TOY), "-m", f"hydra.sweep.dir={tmp_path}"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.DataFrame([json.loads(p.read_text()) for p in tmp_path.glob("*/trial.json")])
    _, front = goal_front(table, ["total_cost", "forced_returns"], ["minimize", "maximize"], "forced_returns", GOAL)
    feasible = [(toy(o, m)[0], o, m) for o, m in itertools.product(range(100, 351, 50), EXTRA) if toy(o, m)[1] >= GOAL]
    best_cost, officers, mode = min(feasible)
    assert (officers, mode) == (200, "full")  # the toy's answer, by enumeration
    cheapest = front.iloc[0]
    assert (cheapest["officers"], cheapest["mode"], cheapest["total_cost"]) == (officers, mode, best_cost)


@pytest.mark.slow
def test_the_goal_experiment_runs_on_a_tiny_budget(tmp_path):
    proc = cli(
        "-m",
        "+experiment=goal_plus50",
        "hydra.sweeper.n_trials=4",
        "warmup_days=60",
        "horizon_days=120",
        f"paths.results_dir={tmp_path}",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = tmp_path / "goal_plus50"
    spec = json.loads((out / "goal.json").read_text())
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 4 and spec["baseline"] > 0
    assert trials["reaches_goal"].eq(trials["forced_returns"] >= 1.5 * spec["baseline"]).all()
    assert (out / "pareto.csv").exists() and (out / "figures" / "pareto.png").exists()
    assert "What would it take?" in (out / "goal.md").read_text()
