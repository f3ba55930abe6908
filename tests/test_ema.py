"""The EMA Workbench adapter: experiments run through EMA, replications, and PRIM on a known box."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sim.studies.ema import OUTCOMES, UNCERTAINTIES, discover, returnsim_model, run_returnsim

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from ema_workbench import Sample, SequentialEvaluator

TINY = {"horizon_days": 120, "warmup_days": 30}


def test_ema_runs_a_handful_of_experiments_with_replications():
    model = returnsim_model(replications=2, levers=["colocation"], **TINY)
    policies = [Sample("none", colocation="none"), Sample("full", colocation="full")]
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=policies)
    assert len(experiments) == 4 and set(outcomes) == set(OUTCOMES)
    assert set(UNCERTAINTIES) <= set(experiments.columns)
    rates = outcomes["return_rate"]
    assert np.isfinite(rates).all() and ((0 <= rates) & (rates <= 1)).all()
    # the outcome is the mean over the two seeds: recompute one by hand
    row = experiments.iloc[0]
    inputs = {name: row[name] for name in UNCERTAINTIES} | {"colocation": row["colocation"]}
    by_hand = [run_returnsim(seed=s, **TINY, **inputs)["return_rate"] for s in (0, 1)]
    assert rates[0] == pytest.approx(np.mean(by_hand))
    assert by_hand[0] != by_hand[1]


def test_cooperation_scales_third_country_acceptance_through_document_decisions():
    """Less cooperative third countries: a lower return rate (through refused documents) on each of 3 seeds."""
    for seed in range(3):
        low = run_returnsim(seed=seed, cooperation=0.3, **TINY)
        high = run_returnsim(seed=seed, cooperation=1.3, **TINY)
        assert low["return_rate"] < high["return_rate"], seed


def test_prim_finds_a_known_box():
    """Cases of interest exactly where cooperation < 0.7 and arrivals > 18 000: PRIM's box restricts those two."""
    rng = np.random.default_rng(1)
    x = pd.DataFrame({name: rng.uniform(lo, hi, 1000) for name, (_k, lo, hi) in UNCERTAINTIES.items()})
    cases = ((x["cooperation"] < 0.7) & (x["decisions_per_year"] > 18_000)).to_numpy()
    _, stats, limits, _ = discover(x, cases, density=0.9)
    box = limits.set_index("uncertainty")
    assert set(box.index) == {"cooperation", "decisions_per_year"}
    assert box.loc["cooperation", "max"] == pytest.approx(0.7, abs=0.05)
    assert box.loc["decisions_per_year", "min"] == pytest.approx(18_000, abs=800)
    assert stats["density"] >= 0.9 and stats["coverage"] >= 0.8


def test_scenario_discovery_runs_over_the_posterior_and_the_lever_ranges(tmp_path):
    """The worked example on four tiny worlds: one row per world, the preset's fitted parameters and the
    levers' assumed constants among the factors, the lever's effect per world, and its page."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    scenario = "scenario=['output.figures=false','warmup_days=60','horizon_days=120']"
    args = ["--worlds", "4", "--set", "replications=1", "workers=1", scenario, "--out", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, str(root / "experiments" / "scenario_discovery.py"), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (out,) = tmp_path.iterdir()
    worlds = pd.read_parquet(out / "worlds.parquet")
    assert len(worlds) == 4 and worlds["effect_return_rate"].notna().all()
    assert {"behaviour.return_case_abscond", "colocation.handover_admin_days"} <= set(worlds.columns)
    assert worlds["colocation.handover_admin_days"].between(1.0, 7.0).all(), "full co-location's range"
    assert "worlds (Latin hypercube over" in (out / "prim.md").read_text()
    again = subprocess.run(  # the PRIM step alone on the saved worlds: a lever that never fails has no box
        [sys.executable, str(root / "experiments" / "scenario_discovery.py"), "--reanalyse", str(out), "--min-gain=-1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert "fails (effect on the return rate < -1.0) in 0 worlds" in (out / "prim.md").read_text()
