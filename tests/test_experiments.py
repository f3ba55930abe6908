"""Every named experiment runs end to end with a tiny horizon and two seeds, so none of them rots."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.params.compose import register_schema
from tests.conftest import cli, experiment_config

EXPERIMENTS = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "experiments").glob("*.yaml"))
GOAL_SEEKING = {"goal_plus50"}
"""Experiments on an optimising sweeper: a goal and a Pareto front, no lever against a baseline (test_goal.py)."""
LEVER_EXPERIMENTS = [name for name in EXPERIMENTS if name not in GOAL_SEEKING]


def _spec(name: str) -> dict:
    """The experiment's report block and sweep parameters as Hydra composes them."""
    cfg = experiment_config(name)
    return {
        "report": OmegaConf.to_container(cfg.report, resolve=True),
        "hydra": {"sweeper": {"params": OmegaConf.to_container(cfg.hydra.sweeper.params, resolve=True)}},
    }


def _scenarios(spec: dict, *, baselines: bool = False) -> int:
    """Scenarios of the sweep; with ``baselines``, how many of them are baselines (one per stratum)."""
    params = spec["hydra"]["sweeper"]["params"]
    levers = {item.partition("=")[0] for item in spec["report"]["baseline"]}
    return math.prod(
        len(str(v).split(",")) for k, v in params.items() if k != "seed" and not (baselines and k in levers)
    )


OVER_A_HISTORY = ("horizon_days=1100", "history.scale=0.02")
"""An experiment over a history changes its levers on 1 January 2016 (day 1 096): the tiny run reaches it, small."""


def _run_tiny(name: str, results: Path, *extra: str) -> None:
    """The experiment's whole sweep with a tiny horizon and two seeds, into ``results``."""
    over_a_history = bool(experiment_config(name).history.years)
    proc = cli(
        "-m",
        f"+experiment={name}",
        *extra,
        "warmup_days=20",
        *(OVER_A_HISTORY if over_a_history else ("horizon_days=40",)),
        "seed=0,1",
        f"paths.results_dir={results}",
        cwd=results,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_the_named_experiments_exist():
    assert set(EXPERIMENTS) >= {
        "colocation",
        "info_sharing",
        "avr",
        "capacity",
        "local_optimisation",
        "joint_flights",
        "attaches",
        "nordic_package",
        "colocation_channels",
        "monitoring",
        "goal_plus50",
        "denmark_departure_centres",
        "north_africa_avr",
    }


def test_the_goal_seeking_experiments_are_those_with_objectives():
    register_schema()
    from sim.params.compose import compose

    with_objectives = {name for name in EXPERIMENTS if compose([f"+experiment={name}"]).goal.objectives}
    assert with_objectives == GOAL_SEEKING


@pytest.mark.slow
@pytest.mark.parametrize("name", LEVER_EXPERIMENTS)
def test_experiment_runs_with_a_tiny_horizon(name, tmp_path):
    spec = _spec(name)
    _run_tiny(name, tmp_path)
    out = tmp_path / name  # hydra.sweep.dir of every experiment: results/<name>/
    runs = pd.read_parquet(out / "runs.parquet")
    countries = runs["country"].nunique()
    assert len(runs) == _scenarios(spec) * 2 * countries
    assert runs["scenario"].nunique() == _scenarios(spec)
    table = pd.read_csv(out / "effects.csv")
    assert set(table["metric"]) == set(spec["report"]["metrics"])
    compared = _scenarios(spec) - _scenarios(spec, baselines=True)
    assert len(table) == compared * len(spec["report"]["metrics"]) * countries
    assert (out / "figures" / "effects.png").exists() and (out / "report.md").exists()
    assert spec["report"]["title"] in (out / "report.md").read_text()
    if spec["report"].get("total"):  # a decomposition: each other scenario's effect as a share of the total's
        shares = pd.read_csv(out / "shares.csv")
        assert set(shares["metric"]) <= set(spec["report"]["metrics"]) and len(shares) > 0


@pytest.mark.slow
def test_an_experiment_with_posterior_uncertainty_runs_every_scenario_on_every_draw(tmp_path):
    """``uncertainty=posterior``: the same draws and seeds for every scenario, and a report over the draws."""
    _run_tiny(
        "colocation",
        tmp_path,
        "uncertainty=posterior",
        "uncertainty.draws=2",
        "posterior.parameters=[behaviour.return_case_abscond]",
        "posterior.draws=[[0.005],[0.02]]",
    )
    runs = pd.read_parquet(tmp_path / "colocation" / "runs.parquet")
    cells = runs.groupby("scenario", observed=True)[["posterior_draw", "seed"]].apply(
        lambda g: sorted(map(tuple, g.drop_duplicates().to_numpy()))
    )
    assert set(map(tuple, cells)) == {((0, 0), (0, 1), (1, 0), (1, 1))}
    assert (pd.read_csv(tmp_path / "colocation" / "effects.csv")["draws"] == 2).all()
