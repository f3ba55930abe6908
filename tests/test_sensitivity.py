"""Sensitivity analysis: known Sobol indices of the Ishigami function through the same pipeline, and a tiny real run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.studies.sensitivity import ISHIGAMI, ishigami_indices
from tests.conftest import cli


def _run(tmp_path, *overrides):
    done = cli(*overrides, "workers=1", f"paths.results_dir={tmp_path}", cwd=tmp_path, module="sim.studies.sensitivity")
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "sensitivity").iterdir()
    return run_dir


def test_sobol_recovers_the_ishigami_indices(tmp_path):
    """Sobol' sampling with N = 4096 (20 480 points): every index within 0.04 of its analytic value,
    and the analytic value inside the reported 95 % interval widened by 0.02 for the interval's own error."""
    run_dir = _run(tmp_path, "model=ishigami", "method=sobol", "samples=4096", "replications=1")
    got = pd.read_csv(run_dir / "indices.csv").set_index("parameter")
    for kind, values in ishigami_indices().items():
        for name, expected in values.items():
            assert got.loc[name, kind] == pytest.approx(expected, abs=0.04), (kind, name)
            assert abs(got.loc[name, kind] - expected) <= got.loc[name, f"{kind}_conf"] + 0.02, (kind, name)
    assert (run_dir / "figures" / "indices.png").exists() and (run_dir / "sensitivity.md").exists()


def test_noise_share_recovers_the_replication_variance(tmp_path):
    """Noise sd 2 on the Ishigami function (variance 13.84): the noise share is 4 / (13.84 + 4) ≈ 0.22 (± 0.03)."""
    a, b, pi = ISHIGAMI["a"], ISHIGAMI["b"], 3.141592653589793
    variance = 0.5 + a**2 / 8 + b * pi**4 / 5 + b**2 * pi**8 / 18
    run_dir = _run(tmp_path, "model=ishigami", "samples=512", "replications=4", "ishigami_noise_sd=2")
    variance_table = pd.read_csv(run_dir / "variance.csv").set_index("outcome")
    assert variance_table.loc["y", "noise_share"] == pytest.approx(4 / (variance + 4), abs=0.03)


def test_morris_sees_x3_act_only_through_its_interaction(tmp_path):
    """In Ishigami, x3 enters as b·x3⁴·sin(x1): its elementary effects average out in sign (|μ| ≪ μ*)
    while x2 acts alone (μ* large, σ small relative to μ*) — a screening pattern known from the formula."""
    run_dir = _run(tmp_path, "model=ishigami", "method=morris", "samples=200", "replications=1")
    got = pd.read_csv(run_dir / "indices.csv").set_index("parameter")
    assert abs(got.loc["x3", "mu"]) < 0.25 * got.loc["x3", "mu_star"]
    assert got.loc["x2", "mu_star"] > got.loc["x3", "mu_star"]


@pytest.mark.slow
def test_returnsim_sensitivity_reports_indices_and_noise_for_every_outcome(tmp_path):
    scenario = (
        "scenario=['warmup_days=30','horizon_days=150','output.figures=false','nations.SE.decisions_per_year=2000']"
    )
    run_dir = _run(tmp_path, scenario, "samples=2", "replications=2")
    indices = pd.read_csv(run_dir / "indices.csv")
    variance = pd.read_csv(run_dir / "variance.csv").set_index("outcome")
    points = pd.read_parquet(run_dir / "points.parquet")
    assert len(points) == 2 * (8 + 2) * 2  # N (D + 2) points x replications
    assert variance.loc["return_rate", "noise_share"] > 0  # the model is stochastic: replications differ
    assert set(indices["outcome"]) == {"return_rate", "share_ever_absconded"} | (
        set(variance.index[variance["points_undefined"] == 0]) - {"return_rate", "share_ever_absconded"}
    )
    assert (indices.groupby("outcome").size() == 8).all()


def test_bad_method_is_named(tmp_path):
    done = cli("method=fast", f"paths.results_dir={tmp_path}", cwd=tmp_path, module="sim.studies.sensitivity")
    assert done.returncode == 2
    assert "method='fast' is not allowed; choose one of sobol, morris" in done.stderr
    assert not (tmp_path / "sensitivity").exists() or not list((tmp_path / "sensitivity").iterdir())


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("seed=-1", "seed=-1 is out of range"),
        ("seed=9223372036854775808", "seed=9223372036854775808 is out of range"),
        ("ishigami_noise_sd=-0.5", "ishigami_noise_sd=-0.5 is out of range; allowed: >= 0"),
        ("morris_levels=3", "morris_levels=3 is out of range; allowed: an even number >= 2"),
        ("morris_levels=0", "morris_levels=0 is out of range"),
        ("workers=100000", "workers=100000 is out of range; allowed: 1 to"),  # 43 processes started before
        ("samples=1099511627776", "the study would run 16,492,674,416,640 simulations (samples=1,099,511,627,776"),
        ("replications=1000000000", "the study would run 160,000,000,000 simulations"),
    ],
)
def test_an_out_of_range_number_is_named(tmp_path, override, message):
    done = cli(
        "model=ishigami", override, f"paths.results_dir={tmp_path}", cwd=tmp_path, module="sim.studies.sensitivity"
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "sensitivity").exists() or not list((tmp_path / "sensitivity").iterdir())


def test_lever_assumptions_adds_the_lever_ranges_that_apply_to_the_scenario():
    """With co-location full, the handover delay varies over full's range (1-7 days), not none's."""
    from sim.studies.sensitivity import problem_and_evaluator

    cfg = _config(scenario=["colocation=full", "avr=none"])
    plain, *_ = problem_and_evaluator(cfg)
    cfg.lever_assumptions = True
    problem, factors, _, evaluate = problem_and_evaluator(cfg)
    assert set(plain["names"]) < set(problem["names"])
    (handover,) = [f for f in factors if f.key == "colocation.handover_admin_days"]
    (model,) = evaluate.models
    assert [handover.value(u, model) for u in (0.0, 1.0)] == [1.0, 7.0]
    assert "avr.uptake" not in problem["names"], "avr=none has no uptake to vary"
    assert "colocation.days_per_week" not in problem["names"], "a range only for partial"


def _config(**changes):
    """The committed sensitivity config, typed, with ``changes``."""
    from sim.studies.sensitivity_config import load_config

    cfg = load_config()
    for key, value in changes.items():
        setattr(cfg, key, value)
    return cfg


def test_a_posterior_factor_follows_the_draws_marginal():
    from sim.studies.factors import PosteriorFactor

    factor = PosteriorFactor("behaviour.return_case_abscond", (0.004, 0.001, 0.003, 0.002, 0.005))
    assert [factor.value(u, None) for u in (0.0, 0.5, 1.0)] == pytest.approx([0.001, 0.003, 0.005])
    assert factor.value(0.125, None) == pytest.approx(0.0015)  # between draws: interpolated


def test_a_lever_effect_study_varies_the_posterior_and_the_levers_assumptions_in_one_world():
    """posterior + lever assumptions + effect_of=[colocation=full]: every fitted parameter of the preset is
    a factor, and a handover-delay coordinate sits at the same quantile of none's range (7-28 days) in the
    scenario and of full's (1-7) in the lever's scenario."""
    from sim.studies.factors import AssumptionFactor, PosteriorFactor
    from sim.studies.sensitivity import problem_and_evaluator

    cfg = _config(parameters={}, posterior=True, lever_assumptions=True, effect_of=["colocation=full"])
    problem, factors, _, evaluate = problem_and_evaluator(cfg)
    posterior = [f.key for f in factors if isinstance(f, PosteriorFactor)]
    assert posterior == list(evaluate.models[0].posterior.parameters) and len(posterior) == 13
    (handover,) = [f for f in factors if f.key == "colocation.handover_admin_days"]
    assert isinstance(handover, AssumptionFactor)
    scenario, lever = evaluate.models
    assert handover.value(0.5, scenario) == pytest.approx(17.5) and handover.value(0.5, lever) == pytest.approx(4.0)
    assert problem["bounds"][factors.index(handover)] == [0.0, 1.0]


def test_a_lever_effect_is_the_paired_difference_of_the_two_scenarios():
    """The effect at a point equals the lever's outcomes minus the scenario's, replication by replication."""
    from sim.studies.sensitivity import ReturnsimPoint, problem_and_evaluator

    tiny = ["output.figures=false", "warmup_days=30", "horizon_days=120", "nations.SE.decisions_per_year=1500"]
    cfg = _config(scenario=tiny, replications=2, effect_of=["colocation=full"], lever_assumptions=True)
    _, factors, outcomes, evaluate = problem_and_evaluator(cfg)
    point = np.full(len(factors), 0.3)
    point[[i for i, f in enumerate(factors) if f.source == "range"]] = [
        f.bounds[0] for f in factors if f.source == "range"
    ]
    effect = evaluate(point)
    alone = [ReturnsimPoint([model], factors, outcomes, 2)(point) for model in evaluate.models]
    assert effect.shape == (2, len(outcomes))
    np.testing.assert_array_equal(effect, alone[1] - alone[0])
    assert np.abs(effect).sum() > 0, "co-location changes something in 120 days"


def test_an_effect_of_that_changes_nothing_is_named(tmp_path):
    done = cli(
        "effect_of=['colocation=none']", f"paths.results_dir={tmp_path}", cwd=tmp_path, module="sim.studies.sensitivity"
    )
    assert done.returncode == 2, done.stderr
    assert "effect_of=['colocation=none'] changes nothing" in done.stderr and "Traceback" not in done.stderr
