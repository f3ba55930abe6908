"""Bad configuration fails early, naming the key and what is allowed."""

from __future__ import annotations

import re

import pytest
from hydra.errors import ConfigCompositionException, HydraException

from sim.params.checks import ConfigError
from sim.params.compose import compose, load_params, to_params
from tests.conftest import cli


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("colocation.field_loss_probability=1.5", "colocation.field_loss_probability"),
        ("nations.SE.police_officers=-3", "nations.SE.police_officers"),
        ("colocation.mode=sometimes", "choose one of none, partial, full"),
        ("info_sharing.fields=[address,shoe_size]", "shoe_size"),
        ("origins.slow.share=0.9", "sum to 1"),
        ("nations.SE.attache_posts=[atlantis]", "atlantis"),
        ("behaviour.return_case_abscond=inf", "a finite number"),
        ("nations.SE.decisions_per_year=nan", "a finite number"),
        ("+foo=1", "foo: unknown key"),
        ("+nations.SE.foo=1", "nations.SE.foo: unknown key"),
        ("+colocation.speed=2", "colocation.speed: unknown key"),
        ("calibration=none uncertainty=posterior", "the calibration preset holds 0 posterior draws"),
        ("uncertainty.lever_seed=-1", "uncertainty.lever_seed=-1 is out of range"),
        (
            "calibration=none posterior_draw=0",
            "posterior_draw=0 is out of range; allowed: -1 .the preset holds no draws.",
        ),
        ("posterior_draw=50", "posterior_draw=50 is out of range; allowed: -1 .the preset.s values. or 0-49"),
        ("seed=-1", "seed=-1 is out of range"),
        ("nations.SE.decisions_per_year=1e30", r"nations.SE.decisions_per_year=1e\+30 is out of range; .*<= 1000000"),
        ("nations.NO.decisions_per_year=1e9", "nations.NO.decisions_per_year"),
        ("name=../x", "name='../x' is not allowed: it names one folder"),
        ("name=a/b", "name='a/b' is not allowed"),
        ("name=..", "name='..' is not allowed"),
        ("seed=9223372036854775808", "seed=9223372036854775808 is out of range; allowed: .* <= 9223372036854775807"),
    ],
)
def test_out_of_range_or_unknown_values_raise_config_error(override, expected):
    with pytest.raises(ConfigError, match=expected.replace("[", r"\[")):
        load_params(override.split(" "))  # one override, or several separated by spaces


@pytest.mark.parametrize("override", ["nations.SE.not_a_key=1", "nations.SE.escorts=many", "colocation=sometimes"])
def test_unknown_keys_types_and_options_fail_when_composing(override):
    with pytest.raises((ConfigCompositionException, HydraException, ConfigError)):
        load_params([override])


def test_a_value_missing_from_the_yaml_is_named():
    """The YAML files are the only source of defaults: leaving one out is an error, not a silent fallback."""
    cfg = compose()
    cfg.nations.SE.escorts = "???"
    with pytest.raises(ConfigError, match="nations.SE.escorts.*missing"):
        to_params(cfg)


@pytest.mark.parametrize(
    ("override", "mentions"),
    [
        ("nations.SE.police_officers=-5", "nations.SE.police_officers"),
        ("colocation=sometimes", "colocation"),
        ("nations.SE.escorts=many", "escorts"),
        ("+nations.SE.foo=1", "nations.SE.foo"),
        ("behaviour.police_case_abscond=inf", "behaviour.police_case_abscond"),
        ("seed=99999999999999999999", "seed=99999999999999999999 is out of range"),  # Parquet stores an int64
        ("nations.SE.decisions_per_year=1e30", "nations.SE.decisions_per_year=1e+30 is out of range"),  # numpy Poisson
        ("nations.SE.decisions_per_year=900000", "the run would open about 8,100,000 cases"),  # memory: max_cases
    ],
)
def test_cli_rejects_bad_config_without_traceback_or_results(tmp_path, override, mentions):
    proc = cli(override, f"paths.results_dir={tmp_path / 'results'}", cwd=tmp_path)
    assert proc.returncode != 0
    assert mentions in proc.stderr
    assert "Traceback" not in proc.stderr
    left = list((tmp_path / "results").rglob("*")) if (tmp_path / "results").exists() else []
    assert not [p for p in left if p.is_file()], f"a rejected run left files behind: {left}"


@pytest.mark.parametrize(
    ("module", "extra"),
    [
        ("sim", ()),
        ("sim.studies.sensitivity", ("model=ishigami", "samples=4", "replications=1")),
        (
            "sim.studies.calibrate",
            ("abc.population_size=2", "abc.max_populations=1", "ensemble=2", "workers=1", "scale=0.02"),
        ),
    ],
)
def test_a_run_name_that_is_not_a_folder_name_is_refused_and_nothing_is_written_outside_results(
    tmp_path, module, extra
):
    results = tmp_path / "inside" / "results"
    proc = cli("name=../../outside", *extra, f"paths.results_dir={results}", cwd=tmp_path, module=module)
    assert proc.returncode == 2, proc.stderr
    assert "name='../../outside' is not allowed" in proc.stderr and "Traceback" not in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["inside"], "a folder was made outside the results folder"
    assert not [p for p in results.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (  # 1 million a year over a year and a day, eight times: 8 million cases in one command, not one million
            ["nations.SE.decisions_per_year=1000000", "warmup_days=0", "horizon_days=365", "replications=8"],
            "the run would open about 8,000,000 cases (replications x decisions_per_year",
        ),
        (  # a billion days without a single arrival: the daily tables alone would take about 100 GiB
            ["nations.SE.decisions_per_year=0", "warmup_days=1000000000"],
            "warmup_days + horizon_days = 1,000,001,095 days, above max_days=36,500",
        ),
    ],
)
def test_the_whole_command_is_bounded_before_anything_is_allocated(overrides, message):
    """max_cases bounds every replication together, max_days the run's length; both are refused when composed."""
    with pytest.raises(ConfigError, match=re.escape(message)):
        to_params(compose(overrides))
