"""What returnsim-calibrate refuses before any simulation: bad settings, targets, ranges and budgets."""

from __future__ import annotations

import pytest

from sim.params.checks import ConfigError
from sim.params.compose import compose
from sim.params.ranges import Range
from sim.studies.calibrate import main as calibrate_main
from sim.studies.calibration_config import CalibrationConfig, Setting, Target, validate
from sim.studies.study import check_ranges
from tests.conftest import command
from tests.test_calibration import TINY, TOY_SCHEDULE


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        (["scale=2"], 2, "scale=2.0 is out of range"),
        (["targets.statute_barred_4y.moment=stay"], 2, "targets.statute_barred_4y.moment='stay' is unknown"),
        (["targets.statute_barred_4y.setting=y2000"], 2, "targets.statute_barred_4y.setting='y2000'"),
        (["abc.population_size=zero"], 2, "abc.population_size"),  # a wrong type, named while Hydra composes
        (["abc.epsilon_quantile=1.5"], 2, "abc.epsilon_quantile=1.5 is out of range"),
        (["ensemble=1"], 2, "ensemble=1 is out of range"),
        (["workers=100000"], 2, "workers=100000 is out of range; allowed: 1 to"),  # took 3 GB and rising before
        (["abc.kernel_scaling=0"], 2, "abc.kernel_scaling=0.0 is out of range"),
        (['scenario=["calibration=none","posterior_draw=0"]'], 2, "a calibration or sensitivity study varies"),
        (["shared_with=[SE]"], 2, "shared_with: 'SE'; choose from NO, DK, FI, IS"),
        (['recovery=["behaviour.no_such=1"]'], 2, "recovery: 'behaviour.no_such=1'; write key=value with a key"),
        (['recovery=["behaviour.return_case_abscond=0.9"]'], 2, "lies outside its range"),
        (["settings.sweden_history.days=1", "scale=0.001"], 2, "the setting gives no data for this outcome"),
        (["+foo=1"], 2, "unknown key 'foo'"),
        (["+abc.speed=2"], 2, "unknown key 'abc.speed'"),
        (["seed=9223372036854775808"], 2, "seed=9223372036854775808 is out of range"),
        (["spare_targets=30"], 2, "13 free parameters for 40 targets; with spare_targets=30 at most 10"),
        (["preset=../../outside.yaml"], 2, "preset='../../outside.yaml' is not allowed"),
        (["nation=XX"], 2, "nation='XX'; choose from SE, NO, DK, FI, IS"),
        (['scenario=["nations.SE.detention_places=-5"]'], 2, "sets nations.SE.detention_places in every year"),
        (['scenario=["nations.SE.police_officers=-5"]'], 2, "nations.SE.police_officers"),
        (  # a probability's range beyond 1: refused before pyabc samples anything
            ["parameters={nations.SE.locate_probability_per_search: {low: 0.005, high: 5}}"],
            2,
            "parameters.nations.SE.locate_probability_per_search.high=5.0 is out of range; allowed: a finite number "
            "and >= 0.0 and <= 1.0",
        ),
    ],
)
def test_bad_calibration_config_is_named_and_leaves_no_results(tmp_path, overrides, code, message, monkeypatch, capsys):
    argv = [*TINY, *overrides, f"paths.results_dir={tmp_path}"]
    returned, _, err = command(
        calibrate_main, "returnsim-calibrate", *argv, cwd=tmp_path, monkeypatch=monkeypatch, capsys=capsys
    )
    assert returned == code, err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "calibration").exists() or not list((tmp_path / "calibration").iterdir())


def _config(**targets: Target) -> CalibrationConfig:
    return CalibrationConfig(
        seed=0,
        workers=1,
        scale=0.1,
        abc=TOY_SCHEDULE,
        ensemble=5,
        spare_targets=0,
        preset="calibrated.yaml",
        nation="SE",
        shared_with=[],
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
    with pytest.raises(ConfigError, match="2 free parameters for 1 targets; with spare_targets=0 at most 1"):
        validate(cfg, compose())


def test_a_range_on_an_unknown_key_is_named():
    with pytest.raises(ConfigError, match="parameters.behaviour.no_such_hazard: not a key of the model config"):
        check_ranges("parameters", {"behaviour.no_such_hazard": Range(0.1, 0.2)}, compose())
    with pytest.raises(ConfigError, match="low=0.0 must be"):
        check_ranges("parameters", {"behaviour.return_case_abscond": Range(0.0, 0.0)}, compose())


def test_a_range_outside_the_keys_own_allowed_values_is_refused():
    """A study's range must lie inside what the schema allows the key: a probability in [0, 1], a count >= 0."""
    with pytest.raises(ConfigError, match=r"parameters.nations.SE.police_officers.low=-10 is out of range"):
        check_ranges("parameters", {"nations.SE.police_officers": Range(-10, 100)}, compose())
    with pytest.raises(ConfigError, match=r"parameters.behaviour.vulnerable_share.high=1.5 is out of range"):
        check_ranges("parameters", {"behaviour.vulnerable_share": Range(0.1, 1.5)}, compose())
    check_ranges("parameters", {"nations.SE.locate_probability_per_search": Range(0.0, 1.0)}, compose())
