"""Calibration: the ABC adapter on a toy model with a known posterior, parameter recovery on the real
model, a tiny-budget posterior through the command line (bad configs: test_calibration_config.py)."""

from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.params.checks import ConfigError
from sim.params.compose import compose, load_params
from sim.params.ranges import Range
from sim.studies.calibrate import calibrate
from sim.studies.calibration_config import CalibrationConfig, Setting, Target
from sim.studies.inference import Schedule, run_abc
from sim.studies.posterior_summary import weighted_quantiles
from sim.studies.study import worker_map
from tests.conftest import cli

ROOT = Path(__file__).resolve().parent.parent

TINY = (
    "abc.population_size=4",
    "abc.max_populations=1",
    "ensemble=3",
    "workers=1",
    "scale=0.03",
    'scenario=["calibration=none","output.figures=false","warmup_days=365"]',
)
"""A budget that runs in about a minute: one generation of four particles, every setting at 3 %."""


def toy_model(values: dict[str, float]) -> dict[str, float]:
    """y ~ Normal(mu, 0.1): with a flat prior the posterior of mu given y is about Normal(y, 0.1)."""
    return {"y": values["mu"] + 0.1 * float(np.random.normal())}


TOY_SCHEDULE = Schedule(
    population_size=200,
    max_populations=6,
    min_epsilon=0.05,
    epsilon_quantile=0.5,
    max_walltime_minutes=5,
    max_simulations=50_000,
    kernel_scaling=1.0,
)


def _toy_posterior(tmp_path: Path, map_, name: str):  # noqa: ANN001, ANN202
    return run_abc(toy_model, {"y": 0.3}, {"y": 0.1}, {"mu": Range(-2.0, 2.0)}, TOY_SCHEDULE, map_, 7, tmp_path / name)


def test_abc_on_a_toy_model_finds_the_known_posterior_and_does_not_depend_on_the_workers(tmp_path):
    """y = 0.3 observed with noise sd 0.1: the posterior of mu is centred on 0.3 and has sd near
    0.1 (ABC with a small threshold; tolerance 0.03 and 0.04), far narrower than the prior (sd 1.15).
    Two workers give exactly the particles of one: each particle's random state comes from the seed."""
    serial = _toy_posterior(tmp_path, map, "serial.db")
    w, mu = serial.particles["weight"].to_numpy(), serial.particles["mu"].to_numpy()
    mean = float(np.sum(w * mu))
    sd = float(np.sqrt(np.sum(w * (mu - mean) ** 2)))
    assert mean == pytest.approx(0.3, abs=0.03)
    assert sd == pytest.approx(0.1, abs=0.04)
    low, high = weighted_quantiles(mu, w, (0.05, 0.95))
    assert low < 0.3 < high
    assert serial.generations["epsilon"].is_monotonic_decreasing
    with worker_map(2) as pool_map:
        parallel = _toy_posterior(tmp_path, pool_map, "parallel.db")
    pd.testing.assert_frame_equal(serial.particles, parallel.particles)


def test_broad_kernels_keep_the_weights_even_with_few_particles_per_dimension(tmp_path):
    """Nine parameters, thirteen noisy linear targets, 100 particles (the calibration's proportions): with
    Silverman's bandwidth (kernel_scaling 1) a few particles take most of the weight (effective sample
    size 3 of 100 by the fifth generation); with the configured scaling every generation keeps 30 or more."""
    matrix = np.random.default_rng(1).normal(size=(13, 9))
    observed = dict(enumerate(matrix @ np.random.default_rng(2).uniform(-1, 1, 9)))
    observed = {f"y{i}": float(v) for i, v in observed.items()}
    schedule = dataclasses.replace(
        TOY_SCHEDULE,
        population_size=100,
        max_populations=5,
        kernel_scaling=float(OmegaConf.load(ROOT / "configs" / "calibrate.yaml").abc.kernel_scaling),
    )
    posterior = run_abc(
        functools.partial(linear_model, matrix),
        observed,
        dict.fromkeys(observed, 1.0),
        {f"m{j}": Range(-2.0, 2.0) for j in range(9)},
        schedule,
        map,
        11,
        tmp_path / "linear.db",
    )
    assert (posterior.generations["effective_sample_size"] >= 30).all(), posterior.generations


def linear_model(matrix: np.ndarray, values: dict[str, float]) -> dict[str, float]:
    """y = A x + standard normal noise."""
    y = matrix @ np.array([values[f"m{j}"] for j in range(matrix.shape[1])]) + np.random.normal(size=len(matrix))
    return {f"y{i}": float(v) for i, v in enumerate(y)}


def test_weighted_quantiles_know_their_answers():
    values = np.array([3.0, 1.0, 2.0, 4.0])
    np.testing.assert_allclose(weighted_quantiles(values, np.ones(4), (0.5,)), [2.5])
    np.testing.assert_allclose(weighted_quantiles(values, np.array([0, 0, 1.0, 0]), (0.05, 0.5, 0.95)), [2, 2, 2])
    np.testing.assert_allclose(weighted_quantiles(values, np.array([1.0, 0, 0, 1.0]), (0.5,)), [3.5])


RECOVERY_TRUTH = {"behaviour.return_case_departure": 0.006, "behaviour.return_case_abscond": 0.012}


@pytest.mark.slow
def test_the_posterior_recovers_known_parameters_from_simulated_data(tmp_path):
    """The targets are the model's own outcomes at known hazards (one run, as a published figure is one
    year): each 90 % credible interval covers less than 60 % of its prior range (the prior's own
    covers 90 %) and holds the true value."""
    cfg = CalibrationConfig(
        seed=3,
        workers=2,
        scale=0.05,
        scenario=["calibration=none", "output.figures=false", "warmup_days=365"],
        settings={"year": Setting(kind="period", days=365)},
        parameters={key: Range(0.001, 0.05, log=True) for key in RECOVERY_TRUTH},
        targets={
            "return_rate": Target(setting="year", moment="return_rate", value=0.0, sd=0.02),
            "absconded": Target(setting="year", moment="share_ever_absconded", value=0.0, sd=0.02),
            "voluntary": Target(setting="year", moment="voluntary_share_of_returns", value=0.0, sd=0.03),
            "handovers": Target(setting="year", moment="handed_to_police", value=0.0, sd=300.0),
        },
        abc=Schedule(
            population_size=30,
            max_populations=4,
            min_epsilon=1.0,
            epsilon_quantile=0.5,
            max_walltime_minutes=10,
            max_simulations=2000,
            kernel_scaling=3.0,
        ),
        ensemble=10,
        spare_targets=2,
        preset="calibrated.yaml",
        nation="SE",
        shared_with=[],
        recovery=[f"{k}={v}" for k, v in RECOVERY_TRUTH.items()],
    )
    figures = calibrate(cfg, tmp_path)
    summary = pd.read_csv(tmp_path / "parameters.csv").set_index("parameter")
    for key, truth in RECOVERY_TRUTH.items():
        row = summary.loc[key]
        assert row["truth"] == pytest.approx(truth)
        assert row["ci90_low"] <= truth <= row["ci90_high"], row.to_dict()
        assert row["ci90_share_of_prior"] < 0.6, row.to_dict()
    assert figures["simulations"] <= 1000
    check = pd.read_csv(tmp_path / "predictive_check.csv")
    assert list(check["target"]) == list(cfg.targets), "the predictive check has a row per target"


@pytest.mark.slow
def test_tiny_calibration_writes_a_posterior_its_check_and_a_preset_the_model_reads(tmp_path):
    done = cli(*TINY, f"paths.results_dir={tmp_path}", cwd=tmp_path, module="sim.studies.calibrate")
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "calibration").iterdir()
    spec = OmegaConf.load(ROOT / "configs" / "calibrate.yaml")
    check = pd.read_csv(run_dir / "predictive_check.csv")
    history = OmegaConf.load(ROOT / "configs" / "history" / "sweden_2013_2023.yaml").history
    published = [f"{f.metric}_{f.year}" for f in history.published if f.year <= history.fitted_until]
    assert list(check["target"]) == [*published, *spec.targets], "a row per target: the history's, then the cohort's"
    assert len(spec.parameters) <= len(check) - 4, "over-identified: at most targets - 4 free parameters"
    particles = pd.read_parquet(run_dir / "posterior.parquet")
    assert list(particles.columns) == [*spec.parameters, "weight", "distance"]
    assert len(particles) == 4 and particles["weight"].sum() == pytest.approx(1.0)
    for key, r in spec.parameters.items():
        assert particles[key].between(r.low, r.high).all(), key
    summary = pd.read_csv(run_dir / "parameters.csv")
    assert (summary["ci90_low"] <= summary["median"]).all() and (summary["median"] <= summary["ci90_high"]).all()
    assert len(pd.read_parquet(run_dir / "predictive.parquet")) == 3
    figures = json.loads((run_dir / "calibration.json").read_text())
    assert figures["targets_met"] == int(check["met"].sum()) and figures["generations"] == 1
    for name in ("marginals", "pairs", "predictive"):
        assert (run_dir / "figures" / f"{name}.png").stat().st_size > 10_000, name
    preset = OmegaConf.load(run_dir / "calibrated.yaml")
    assert list(preset.posterior.parameters) == list(spec.parameters) and len(preset.posterior.draws) == 3
    model = compose([f"{k}={OmegaConf.select(preset, k)}" for k in summary["parameter"]])
    for key, value in zip(summary["parameter"], summary["median"], strict=True):
        assert OmegaConf.select(model, key) == pytest.approx(value, rel=1e-3)
    shared = OmegaConf.merge(compose(), preset)  # the other Nordic countries follow Sweden's own parameters
    assert shared.nations.NO.locate_probability_per_search == preset.nations.SE.locate_probability_per_search
    shared.nations.SE.detention_risk_threshold = 4.5
    assert shared.nations.IS.detention_risk_threshold == 4.5


def test_the_default_scenario_uses_the_committed_preset():
    preset = OmegaConf.load(ROOT / "configs" / "calibration" / "sweden_2013_2019.yaml")
    model = compose()
    for key in ("behaviour", "nations"):
        for path, value in _leaves(preset.get(key, {}), key):
            assert OmegaConf.select(model, path) == pytest.approx(value), path


def test_the_default_preset_holds_a_posterior_ensemble_experiments_can_use():
    """The default preset (calibration=sweden_2013_2019): 50 draws of the fitted parameters, inside their prior
    ranges; a draw replaces the medians, and the other Nordic countries follow Sweden's drawn police parameters."""
    spec = OmegaConf.load(ROOT / "configs" / "calibrate.yaml")
    params = load_params(["uncertainty=posterior"])
    assert params.posterior.parameters == list(spec.parameters) and len(params.posterior.draws) == 50
    for j, key in enumerate(params.posterior.parameters):
        r = spec.parameters[key]
        assert all(r.low * 0.999 <= draw[j] <= r.high * 1.001 for draw in params.posterior.draws), key
    drawn = load_params(["posterior_draw=7", "countries=[SE,NO]"])
    j = params.posterior.parameters.index("nations.SE.locate_probability_per_search")
    assert drawn.nations["SE"].locate_probability_per_search == params.posterior.draws[7][j]
    assert drawn.nations["NO"].locate_probability_per_search == params.posterior.draws[7][j]


def test_a_posterior_draw_must_give_every_parameter_a_value():
    with pytest.raises(ConfigError, match=r"posterior.draws\[0\] has 1 values for 2 parameters"):
        load_params(
            [
                "posterior.parameters=[behaviour.return_case_departure,behaviour.return_case_abscond]",
                "posterior.draws=[[0.01]]",
            ]
        )


def _leaves(node, prefix):
    for k, v in node.items():
        if hasattr(v, "items"):
            yield from _leaves(v, f"{prefix}.{k}")
        else:
            yield f"{prefix}.{k}", v
