"""Calibration: the SMM arithmetic on known answers, and a tiny-budget fit through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim import smm
from sim.calibrate import Budget, CalibrationConfig, Setting, Target, validate
from sim.config import compose
from sim.params import ConfigError
from sim.study import Range, check_ranges
from tests.conftest import cli

ROOT = Path(__file__).resolve().parent.parent

TINY = (
    "budget.maxiter=1",
    "budget.popsize=1",
    "replications=2",
    "workers=1",
    "scale=0.05",
)
"""A budget that runs in about a minute: 9 parameters x 1 x 2 generations, every setting at a twentieth."""

POOR_START = 'scenario=["calibration=none","output.figures=false","behaviour.return_case_departure=0.002"]'
"""Start the search far from the targets (a seventh of the hand-set voluntary departure hazard), so
that a search that works must improve on the start even with the tiny budget."""


def test_sandwich_covariance_of_a_linear_model_is_the_least_squares_covariance():
    """Moments linear in the parameters, W = I and S = s²I: cov = s² (A'A)⁻¹ (known answer)."""
    a = np.array([[1.0, 0.5], [0.2, 2.0], [1.5, -0.3]])
    jac = smm.jacobian(lambda xs: [np.atleast_2d(a @ x) for x in xs], np.array([0.3, -0.1]), np.array([0.01, 0.01]))
    np.testing.assert_allclose(jac, a, rtol=1e-9)
    cov = smm.sandwich_covariance(jac, np.eye(3), 0.04 * np.eye(3))
    np.testing.assert_allclose(cov, 0.04 * np.linalg.inv(a.T @ a), rtol=1e-9)
    strengths, _ = smm.identification(jac, np.full(3, 0.2))
    np.testing.assert_allclose(strengths, np.linalg.svd(a / 0.2, compute_uv=False), rtol=1e-9)


def test_moment_covariance_adds_tolerance_data_and_simulation_noise():
    rng = np.random.default_rng(0)
    moments = rng.normal(size=(400, 2)) * [0.1, 0.2]
    cov = smm.moment_covariance(moments, np.array([0.03, 0.01]), data_share=0.25)
    expected = np.diag([0.03**2, 0.01**2]) + np.cov(moments, rowvar=False) * (0.25 + 1 / 400)
    np.testing.assert_allclose(cov, expected)
    assert smm.distance(
        np.array([[0.5, 0.2], [0.7, 0.2]]), np.array([0.5, 0.3]), np.array([0.1, 0.1])
    ) == pytest.approx(1.0 + 1.0)


@pytest.mark.slow
def test_tiny_calibration_beats_the_start_and_the_prior(tmp_path):
    """From a poor start a tiny budget ends closer to the targets than the start values and than the
    median candidate drawn over the search ranges, and every output is written and consistent."""
    done = cli(*TINY, POOR_START, f"paths.results_dir={tmp_path}", cwd=tmp_path, module="sim.calibrate")
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "calibration").iterdir()
    figures = json.loads((run_dir / "calibration.json").read_text())
    assert figures["distance_fitted"] < figures["distance_start"]
    assert figures["distance_fitted"] < figures["distance_prior_median"]
    fitted = pd.read_csv(run_dir / "fitted.csv")
    spec = OmegaConf.load(ROOT / "configs" / "calibrate.yaml")
    assert list(fitted["parameter"]) == list(spec.parameters)
    assert (fitted["low"] <= fitted["fitted"]).all() and (fitted["fitted"] <= fitted["high"]).all()
    assert (fitted["ci95_low"] <= fitted["fitted"]).all() and (fitted["fitted"] <= fitted["ci95_high"]).all()
    identified = pd.read_csv(run_dir / "identification.csv")
    assert len(identified) == len(fitted) and (identified["singular_value"].diff().dropna() <= 0).all()
    targets = pd.read_csv(run_dir / "targets.csv")
    assert list(targets["target"]) == list(spec.targets)
    assert set(targets["setting"]) == set(spec.settings), "every setting feeds at least one target"
    assert len(spec.parameters) <= len(spec.targets) - 4, "over-identified: at most targets - 4 free parameters"
    assert (run_dir / "figures" / "targets.png").stat().st_size > 10_000
    preset = OmegaConf.load(run_dir / "calibrated.yaml")
    model = compose([f"{k}={OmegaConf.select(preset, k)}" for k in fitted["parameter"]])
    for key, value in zip(fitted["parameter"], fitted["fitted"], strict=True):
        assert OmegaConf.select(model, key) == pytest.approx(value, rel=1e-3)


def test_the_default_scenario_uses_the_committed_preset():
    preset = OmegaConf.load(ROOT / "configs" / "calibration" / "sweden_2013.yaml")
    model = compose()
    for key in ("behaviour", "nations"):
        for path, value in _leaves(preset.get(key, {}), key):
            assert OmegaConf.select(model, path) == pytest.approx(value), path


def _leaves(node, prefix):
    for k, v in node.items():
        if hasattr(v, "items"):
            yield from _leaves(v, f"{prefix}.{k}")
        else:
            yield f"{prefix}.{k}", v


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        (["scale=2"], 2, "scale=2.0 is out of range"),
        (["targets.detention_stay_2015.moment=stay"], 2, "targets.detention_stay_2015.moment='stay' is unknown"),
        (["targets.detention_stay_2015.setting=y2000"], 2, "targets.detention_stay_2015.setting='y2000'"),
        (["budget.popsize=zero"], 1, "budget.popsize"),  # a wrong type fails while Hydra composes (exit 1)
        (["+foo=1"], 2, "foo: unknown key"),
        (["+budget.speed=2"], 2, "budget.speed: unknown key"),
        (["seed=4294967296"], 2, "seed=4294967296 is out of range"),  # scipy's optimiser takes a 32-bit seed
    ],
)
def test_bad_calibration_config_is_named_and_leaves_no_results(tmp_path, overrides, code, message):
    done = cli(*TINY, *overrides, f"paths.results_dir={tmp_path}", cwd=tmp_path, module="sim.calibrate")
    assert done.returncode == code, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "calibration").exists() or not list((tmp_path / "calibration").iterdir())


def _config(**targets: Target) -> CalibrationConfig:
    return CalibrationConfig(
        replications=2,
        workers=1,
        scale=0.1,
        jacobian_step=0.02,
        budget=Budget(maxiter=0, popsize=1),
        settings={
            "cohort": Setting(kind="cohort", days=730, follow_days=1461),
            "year": Setting(kind="period", days=365),
        },
        parameters={"behaviour.return_case_abscond": Range(0.001, 0.01)},
        targets=targets,
    )


def test_an_unknown_outcome_of_a_setting_is_named():
    cohort_target = Target(setting="cohort", moment="detention_entries", value=0.3, sd=0.1)
    with pytest.raises(ConfigError, match="targets.t.moment='detention_entries' is unknown; choose from share_"):
        validate(_config(t=cohort_target), compose())
    with pytest.raises(ConfigError, match="targets.t.moment='share_of_something' is unknown"):
        validate(_config(t=Target(setting="year", moment="share_of_something", value=0.3, sd=0.1)), compose())
    validate(_config(t=Target(setting="year", moment="detention_entries", value=3000, sd=300)), compose())


def test_more_parameters_than_targets_are_refused():
    cfg = _config(t=Target(setting="year", moment="detention_entries", value=3000, sd=300))
    cfg.parameters["behaviour.police_case_abscond"] = Range(0.001, 0.01)
    with pytest.raises(ConfigError, match="2 free parameters for 1 targets cannot be identified"):
        validate(cfg, compose())


def test_a_range_on_an_unknown_key_is_named():
    with pytest.raises(ConfigError, match="parameters.behaviour.no_such_hazard: not a key of the model config"):
        check_ranges("parameters", {"behaviour.no_such_hazard": Range(0.1, 0.2)}, compose())
    with pytest.raises(ConfigError, match="low=0.0 must be"):
        check_ranges("parameters", {"behaviour.return_case_abscond": Range(0.0, 0.0)}, compose())
