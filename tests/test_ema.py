"""The EMA Workbench adapter: experiments run through EMA, replications, and PRIM on a known box."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sim.params.checks import ConfigError
from sim.params.ranges import Range
from sim.studies.ema import discover, ema_name, lever_options, returnsim_model, run_experiment
from sim.studies.sensitivity_config import load_config
from tests.conftest import cli

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from ema_workbench import Sample, SequentialEvaluator

TINY = "scenario=['output.figures=false','warmup_days=30','horizon_days=120']"
PARAMETERS = (
    "parameters={behaviour.return_case_abscond: {low: 0.002, high: 0.03, log: true},"
    " nations.SE.police_officers: {low: 120, high: 400}}"
)


def test_ema_runs_experiments_declared_in_the_sensitivity_config_with_replications():
    cfg = load_config([TINY, PARAMETERS, "replications=2", "outcomes=[return_rate,share_ever_absconded]"])
    model = returnsim_model(cfg, levers=["colocation"])
    assert [u.name for u in model.uncertainties] == [ema_name(key) for key in cfg.parameters]
    variables = {(f"log10:{key}" if r.log else key): key for key, r in cfg.parameters.items()}
    assert [v for u in model.uncertainties for v in u.variable_name] == list(variables)
    assert list(model.levers["colocation"].categories.keys()) == lever_options("colocation")
    policies = [Sample("none", colocation="none"), Sample("full", colocation="full")]
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=policies)
    assert len(experiments) == 4 and set(outcomes) == {"return_rate", "share_ever_absconded"}
    rates = outcomes["return_rate"]
    assert np.isfinite(rates).all() and ((0 <= rates) & (rates <= 1)).all()
    # the outcome is the mean over the two replications: recompute one by hand, through the config
    row = experiments.iloc[0]
    inputs = {variable: row[ema_name(key)] for variable, key in variables.items()} | {"colocation": row["colocation"]}
    by_hand = [run_experiment(cfg.scenario, cfg.seed, r, ["return_rate"], **inputs)["return_rate"] for r in (0, 1)]
    assert rates[0] == pytest.approx(np.mean(by_hand))
    assert by_hand[0] != by_hand[1]


def test_an_uncertainty_acts_through_the_config_it_names():
    """Third countries that accept fewer documents: a lower return rate (through refused documents) on each seed."""
    scenario = load_config([TINY]).scenario
    keys = [f"origins.{o}.accept_probability" for o in ("cooperative", "slow", "refuses_charters", "refuses_forced")]
    for seed in range(3):
        low = run_experiment(scenario, seed, 0, ["return_rate"], **dict.fromkeys(keys, 0.2))
        high = run_experiment(scenario, seed, 0, ["return_rate"], **dict.fromkeys(keys, 1.0))
        assert low["return_rate"] < high["return_rate"], seed


def test_what_the_adapter_cannot_honour_is_named():
    with pytest.raises(ConfigError, match="levers: 'coloc' is not a config group; choose from .*colocation"):
        returnsim_model(load_config([TINY]), levers=["coloc"])
    with pytest.raises(ConfigError, match="scale=0.15: the EMA adapter varies the parameters ranges only"):
        returnsim_model(load_config([TINY, "scale=0.15"]))
    with pytest.raises(ConfigError, match="outcomes: unknown metric 'no_such'"):
        returnsim_model(load_config([TINY, "outcomes=[no_such]"]))
    with pytest.raises(ConfigError, match="levers: 'hydra' is not a config group"):
        returnsim_model(load_config([TINY]), levers=["hydra"])
    cfg = load_config([TINY])
    cfg.parameters["behaviour.no_such"] = Range(0.0, 1.0)
    with pytest.raises(ConfigError, match="behaviour.no_such"):
        returnsim_model(cfg)


def test_prim_finds_a_known_box():
    """Cases of interest exactly where a < 0.7 and b > 18 000: PRIM's box restricts those two, not c."""
    rng = np.random.default_rng(1)
    x = pd.DataFrame(
        {"a": rng.uniform(0.5, 1.3, 1000), "b": rng.uniform(1e4, 2.5e4, 1000), "c": rng.uniform(0, 1, 1000)}
    )
    cases = ((x["a"] < 0.7) & (x["b"] > 18_000)).to_numpy()
    _, stats, limits, _ = discover(x, cases, density=0.9)
    box = limits.set_index("uncertainty")
    assert set(box.index) == {"a", "b"}
    assert box.loc["a", "max"] == pytest.approx(0.7, abs=0.05)
    assert box.loc["b", "min"] == pytest.approx(18_000, abs=800)
    assert stats["density"] >= 0.9 and stats["coverage"] >= 0.8


def test_scenario_discovery_runs_over_the_posterior_and_the_lever_ranges(tmp_path):
    """The worked example on four tiny worlds: one row per world, the preset's fitted parameters and the
    levers' assumed constants among the factors, the lever's effect per world, and its page."""
    import subprocess
    import sys

    scenario = "scenario=['output.figures=false','warmup_days=60','horizon_days=120']"
    args = ["--worlds", "4", "--set", "replications=1", "workers=1", scenario, "--out", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, "-m", "sim.studies.discovery", *args],
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
        [sys.executable, "-m", "sim.studies.discovery", "--reanalyse", str(out), "--min-gain=-1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert "fails (effect on the return rate < -1.0) in 0 worlds" in (out / "prim.md").read_text()


def test_scenario_discovery_reads_its_settings_from_yaml_and_refuses_unknown_keys(tmp_path, monkeypatch):
    from sim.params.checks import ConfigError
    from sim.studies import discovery

    settings = discovery.load_settings()
    assert settings["worlds"] >= 1 and "posterior=true" in settings["sensitivity"]
    bad = tmp_path / "discovery.yaml"
    bad.write_text("worlds: 4\nmin_gain: 0\ndensity: 0.8\nsensitivity: []\nwordls: 3\n")
    monkeypatch.setattr(discovery, "SETTINGS", bad)
    with pytest.raises(ConfigError, match="unknown keys \\['wordls'\\]"):
        discovery.load_settings()


def test_scenario_discovery_refuses_the_test_function_which_has_no_lever(tmp_path):
    """``model=ishigami`` has no lever to discover: a clear message and exit 2, no traceback, nothing written."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "sim.studies.discovery", "--worlds", "2", "--set", "model=ishigami", "--out", "out"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 2 and "model='ishigami' has no levers to discover" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-gain", "nan"], "--min-gain=nan is out of range; allowed: a finite number"),
        (["--min-gain", "inf"], "--min-gain=inf is out of range"),
        (["--worlds", "2000000000"], "the study would run 8,000,000,000 simulations (--worlds=2,000,000,000"),
        (["--reanalyse", "{text}"], "worlds.parquet is not a table of worlds"),
        (["--reanalyse", "{no_effect}"], "worlds.parquet has no column effect_return_rate"),
    ],
)
def test_scenario_discovery_refuses_runaway_sizes_and_foreign_worlds(tmp_path, args, message):
    """Refused before anything is sampled or run: exit 2, the argument named, no traceback."""
    text, no_effect = tmp_path / "text", tmp_path / "no_effect"
    text.mkdir()
    (text / "worlds.parquet").write_text("not parquet\n")
    no_effect.mkdir()
    pd.DataFrame({"behaviour.return_case_abscond": [0.01]}).to_parquet(no_effect / "worlds.parquet")
    args = [a.format(text=text, no_effect=no_effect) for a in args]
    done = cli(*args, cwd=tmp_path, module="sim.studies.discovery")
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
