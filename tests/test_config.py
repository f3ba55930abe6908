"""Bad configuration fails early, naming the key and what is allowed."""

from __future__ import annotations

import re
import sys

import pytest
from hydra.errors import ConfigCompositionException, HydraException

from sim.params.checks import ConfigError
from sim.params.compose import compose, load_params, to_params
from sim.runs import api
from sim.runs.cli import main as cli_main
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
        ("+foo=1", "unknown key 'foo'"),
        ("+nations.SE.foo=1", "unknown key 'nations.SE.foo'"),
        ("+colocation.speed=2", "unknown key 'colocation.speed'"),
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


MISTYPED = [
    ("colocaton=full", "unknown key 'colocaton'; did you mean 'colocation'? The keys at the top level are seed, "),
    ("+colocaton=full", "unknown key 'colocaton'; did you mean 'colocation'?"),
    (
        "nations.SE.escort=3",
        "unknown key 'nations.SE.escort'; did you mean 'nations.SE.escorts'? The keys at nations.SE",
    ),
    ("behaviour.enforcement_feedback.strenght=1", "did you mean 'behaviour.enforcement_feedback.strength'?"),
    ("nations.XX.escorts=3", "unknown key 'nations.XX'. The keys at nations are SE, NO, DK, FI, IS"),
    ("colocation=fulll", "colocation='fulll' is not an option; did you mean 'full'? The options of colocation are "),
    (
        "colocation.mode=fulll",
        "colocation.mode='fulll' is not allowed; choose one of none, partial, full, handover_only, detention_only, "
        "charters_only; did you mean 'full'?",
    ),
]


@pytest.mark.parametrize(("override", "expected"), MISTYPED)
def test_a_mistyped_key_or_option_names_the_closest_allowed_in_the_command_and_the_api(
    override, expected, monkeypatch, capsys, tmp_path
):
    """Not Hydra's advice to add the key with ``+`` (which the schema then refuses), nor a class name."""
    with pytest.raises(ConfigError) as raised:
        api.run([override])
    assert expected in str(raised.value)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["returnsim", override])
    with pytest.raises(SystemExit) as ended:
        cli_main()
    err = capsys.readouterr().err
    assert ended.value.code == 2 and expected in err, err
    assert "+colocaton" not in err and "AppConfig" not in err and "Traceback" not in err
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


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
