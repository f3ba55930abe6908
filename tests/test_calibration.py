"""Calibration: the SMM arithmetic on known answers, and a tiny-budget fit through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim import smm
from sim.calibrate import CalibrationConfig, Target, validate
from sim.config import compose
from sim.params import ConfigError
from sim.study import Range, check_ranges
from tests.conftest import cli

ROOT = Path(__file__).resolve().parent.parent

TINY = (
    "budget.maxiter=2",
    "budget.popsize=2",
    "replications=2",
    "workers=1",
    "cohort.scale=0.05",
)
"""A budget that runs in about a minute: 5 parameters x 2 x 3 generations, a twentieth of the cohort."""


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
    """With a tiny budget the fit is closer to the targets than the start values and than the median
    candidate drawn over the search ranges, and every output is written and consistent."""
    done = cli(*TINY, f"paths.results_dir={tmp_path}", cwd=tmp_path, module="sim.calibrate")
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
        (["cohort.scale=2"], 2, "cohort.scale=2.0 is out of range"),
        (["budget.popsize=zero"], 1, "budget.popsize"),  # a wrong type fails while Hydra composes (exit 1)
    ],
)
def test_bad_calibration_config_is_named_and_leaves_no_results(tmp_path, overrides, code, message):
    done = cli(*TINY, *overrides, f"paths.results_dir={tmp_path}", cwd=tmp_path, module="sim.calibrate")
    assert done.returncode == code, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "calibration").exists() or not list((tmp_path / "calibration").iterdir())


def test_an_unknown_target_is_named():
    cfg = CalibrationConfig(
        replications=2,
        parameters={"behaviour.return_case_abscond": Range(0.001, 0.01)},
        targets={"share_of_something": Target(0.3, 0.1)},
    )
    with pytest.raises(ConfigError, match="targets.share_of_something: unknown cohort outcome; choose from"):
        validate(cfg, compose())


def test_a_range_on_an_unknown_key_is_named():
    with pytest.raises(ConfigError, match="parameters.behaviour.no_such_hazard: not a key of the model config"):
        check_ranges("parameters", {"behaviour.no_such_hazard": Range(0.1, 0.2)}, compose())
    with pytest.raises(ConfigError, match="low=0.0 must be"):
        check_ranges("parameters", {"behaviour.return_case_abscond": Range(0.0, 0.0)}, compose())
