"""The report of a sweep: its table, effects and intervals, figures, page, and what it refuses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.analysis.collect import collect_runs
from sim.analysis.effects import baselines, effect_uncertainty, effects, shares_of_total, strata_of
from sim.analysis.headline import design_warnings
from sim.outputs.columns import TABLES
from sim.outputs.columns_page import COLUMNS_PAGE
from sim.outputs.files import COMPLETION_MARKER, file_sha256
from sim.outputs.metrics import METRICS
from tests.conftest import METRICS_SHOWN, TINY, cli, damage


def test_report_table_has_a_row_per_run_and_every_metric(sweep):
    sweep_dir, _ = sweep
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    assert len(runs) == 2 * 4  # scenarios x seeds, one country, one replication
    assert list(runs.columns[:7]) == [
        "colocation",
        "scenario",
        "posterior_draw",
        "seed",
        "replication",
        "country",
        "run",
    ]
    assert (runs["posterior_draw"] == -1).all(), "no draw: the preset's values"
    assert set(METRICS) <= set(runs.columns)
    assert sorted(runs.groupby("colocation")["seed"].apply(sorted).tolist()) == [[0, 1, 2, 3]] * 2
    assert list(pd.unique(runs["scenario"].astype(str))) == ["none", "full"]  # the sweep's order


def test_report_writes_effects_figures_and_page(sweep):
    sweep_dir, _ = sweep
    table = pd.read_csv(sweep_dir / "effects.csv")
    assert set(table["metric"]) == {"return_rate", "share_ever_absconded", "mean_handover_delay_days"}
    assert set(table["scenario"]) == {"full"} and set(table["baseline"]) == {"none"}
    assert (table["pairs"] == 4).all()
    delay = table[table["metric"] == "mean_handover_delay_days"].iloc[0]
    assert delay["ci_high"] < 0, "co-location shortens the handover: the interval lies below zero"
    for name in ("metrics", "effects", "stocks", "incidence"):
        assert (sweep_dir / "figures" / f"{name}.png").stat().st_size > 20_000
        assert (sweep_dir / "figures" / f"{name}.svg").read_text().lstrip().startswith("<?xml")
    page = (sweep_dir / "report.md").read_text()
    assert "![effects](figures/effects.png)" in page and "colocation=none,full" in page
    assert re.search(r"\| SE +\| mean_handover_delay_days +\| full +\|", page)


def test_the_report_leads_with_a_headline_after_what_its_design_cannot_carry(sweep):
    """The tiny sweep has 4 seeds and a 60-day warm-up: both said before any number, then each effect in words."""
    sweep_dir, _ = sweep
    page = (sweep_dir / "report.md").read_text()
    head = page.split("## Design")[0]
    assert head.index("## Headline") < head.index("**Design warning: 4 seeds per scenario, fewer than 5")
    assert "**Design warning: a warm-up of 60 days, shorter than the steady state's 2,190: the open stocks" in head
    assert "(seed noise only: 4 seeds, at the preset's values)" in head
    assert re.search(r"\n- co-location: full: mean handover delay days -[\d.]+ \(-[\d.]+ to -[\d.]+\)\n", head)


def test_design_warnings_name_each_flaw_and_only_those():
    runs = pd.DataFrame(
        {
            "scenario": ["a"] * 10 + ["b"] * 10,
            "colocation": ["none"] * 10 + ["full"] * 10,
            "seed": list(range(10)) * 2,
            "replication": 0,
            "horizon_days": [1095] * 20,
        }
    )
    assert design_warnings(runs, warmup_days=2190, steady_warmup_days=2190) == []
    few = design_warnings(runs[runs["seed"] < 2], 2190, 2190)
    assert len(few) == 1 and few[0].startswith("2 seeds per scenario, fewer than 5")
    assert "shorter than the steady state's 2,190" in design_warnings(runs, 365, 2190)[0]
    runs["horizon_days"] = [1095, 4017] * 10
    assert design_warnings(runs, 2190, 2190) == [
        "the runs differ in horizon_days: their levels are different quantities, and so are effects measured on them"
    ]


def test_the_report_tables_columns_are_in_the_data_dictionary(sweep):
    sweep_dir, _ = sweep
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    overrides = OmegaConf.load(sweep_dir / runs["run"].iloc[0] / ".hydra" / "overrides.yaml")
    swept = {item.split("=")[0] for item in overrides} - {"seed"}  # the command line's keys: the open columns
    assert set(runs.columns) - swept == set(TABLES["runs"].columns)
    assert list(pd.read_csv(sweep_dir / "effects.csv").columns) == list(TABLES["effects"].columns)
    assert "## `effects`" in (sweep_dir / COLUMNS_PAGE).read_text()


def test_paired_interval_is_narrower_than_unpaired(sweep):
    """Common random numbers: scenarios sharing a seed share arrivals and behaviour, so paired differences vary less.

    Shown on the share ever absconded, which the shared arrivals and draws
    drive most directly (measured on the four seeds: correlation 0.82
    between the scenarios, paired differences' sd 0.014 against 0.031
    unpaired). The return rate at this size is not asserted: co-location's
    ten days' shorter handover moves later events apart, and with four seeds
    its correlation (0.06 measured) cannot be told from 0, when the paired
    t-interval (3 degrees of freedom) is wider than Welch's (about 6)."""
    sweep_dir, _ = sweep
    runs = collect_runs(sweep_dir)
    table = effects(runs, ["share_ever_absconded"], baselines(runs, ["colocation=none"]))
    paired = table["ci_high"] - table["ci_low"]
    unpaired = table["unpaired_ci_high"] - table["unpaired_ci_low"]
    assert (paired < unpaired).all(), table
    by_seed = runs.pivot_table(index="seed", columns="colocation", values="share_ever_absconded")
    differences = by_seed["full"] - by_seed["none"]
    assert differences.std() < np.sqrt(by_seed["full"].var() + by_seed["none"].var()) / 1.5


def test_each_stratum_is_compared_with_its_own_baseline():
    """A swept key that is not the compared lever (the feedback off / on) makes strata: each scenario's
    baseline has the baseline's lever value and the scenario's own value of the other key."""
    runs = pd.DataFrame(
        {
            "colocation": ["none", "full", "none", "full"],
            "behaviour.enforcement_feedback.form": ["none", "none", "removal_risk", "removal_risk"],
            "seed": 0,
            "return_rate": [0.5, 0.6, 0.55, 0.7],
        }
    )
    runs["scenario"] = pd.Categorical(["a", "b", "c", "d"], categories=["a", "b", "c", "d"], ordered=True)
    assert baselines(runs, ["colocation=none"]) == {"a": "a", "b": "a", "c": "c", "d": "c"}
    assert strata_of(runs, ["colocation=none"]) == ["behaviour.enforcement_feedback.form"]
    runs["replication"], runs["country"] = 0, "SE"
    table = effects(runs, ["return_rate"], baselines(runs, ["colocation=none"]))
    assert table.set_index("scenario")["difference"].round(6).to_dict() == {"b": 0.1, "d": 0.15}


def test_a_channel_share_is_its_effect_over_the_total_effect():
    """Two channels each give half of the total's effect on every seed: their shares are one half."""
    rows = []
    for seed in range(5):
        base = 0.5 + 0.01 * seed  # seed noise, shared by every scenario of the seed (paired)
        for scenario, effect in (("none", 0.0), ("one", 0.02), ("other", 0.02), ("full", 0.04)):
            rows.append(
                {"colocation": scenario, "seed": seed, "replication": 0, "country": "SE", "return_rate": base + effect}
            )
    runs = pd.DataFrame(rows)
    runs["scenario"] = pd.Categorical(runs["colocation"], categories=["none", "one", "other", "full"], ordered=True)
    shares = shares_of_total(runs, ["return_rate"], baselines(runs, ["colocation=none"]), ["colocation=full"])
    assert set(shares["scenario"]) == {"one", "other"}
    assert shares["share"].tolist() == pytest.approx([0.5, 0.5])
    assert shares["total_effect"].tolist() == pytest.approx([0.04, 0.04])
    assert list(shares.columns) == list(TABLES["shares"].columns)


def test_report_lists_a_damaged_run_and_fails_unless_told_to_leave_it_out(sweep, tmp_path):
    sweep_dir, _ = sweep
    copy = tmp_path / "copy"
    shutil.copytree(sweep_dir, copy)
    for name in ("report.md", "runs.parquet", "effects.csv"):
        (copy / name).unlink()
    damage(copy / "colocation=none,seed=2")
    done = cli(str(copy), module="sim.analysis.report", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "colocation=none,seed=2: summary.parquet is damaged" in done.stderr and "Traceback" not in done.stderr
    assert "--allow-incomplete" in done.stderr
    assert not [n for n in ("report.md", "runs.parquet", "effects.csv") if (copy / n).exists()]
    tolerated = cli(str(copy), "--allow-incomplete", module="sim.analysis.report", cwd=tmp_path)
    assert tolerated.returncode == 0, tolerated.stderr
    assert "colocation=none,seed=2: summary.parquet is damaged" in tolerated.stdout
    assert len(pd.read_parquet(copy / "runs.parquet")) == 7  # the other runs
    page = (copy / "report.md").read_text()
    assert "## Runs left out" in page and "`colocation=none,seed=2`: summary.parquet is damaged" in page


def test_report_names_a_saved_config_it_cannot_use_and_a_folder_it_cannot_write(sweep, tmp_path):
    """Runs saved by an older returnsim without a report block (hashes re-recorded, so they look intact):
    exit 2, the file named, nothing written. A sweep on a read-only file system: exit 1, one line."""
    sweep_dir, _ = sweep
    old = tmp_path / "old"
    shutil.copytree(sweep_dir, old)
    for name in ("report.md", "runs.parquet", "effects.csv"):
        (old / name).unlink()
    for marker in old.glob(f"*/{COMPLETION_MARKER}"):
        saved = OmegaConf.load(marker.parent / "config.yaml")
        del saved["report"]
        OmegaConf.save(saved, marker.parent / "config.yaml")
        meta = json.loads(marker.read_text())
        meta["files"]["config.yaml"] = file_sha256(marker.parent / "config.yaml")
        marker.write_text(json.dumps(meta))
    done = cli(str(old), module="sim.analysis.report", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "config.yaml is not a valid config now: report" in done.stderr
    assert not [n for n in ("report.md", "runs.parquet", "effects.csv") if (old / n).exists()]
    mount = tmp_path / "read_only"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        shutil.copytree(sweep_dir, mount / "sweep")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        done = cli(str(mount / "sweep"), module="sim.analysis.report", cwd=tmp_path)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "returnsim-report: cannot write" in done.stderr and "Read-only file system" in done.stderr
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_effect_uncertainty_splits_parameter_and_seed_parts_on_a_known_case():
    """Ten draws whose true effects are +1 (eight) and -1 (two), crossed with four seed streams that shift
    every draw's effect alike (-0.1, 0.1, -0.1, 0.1): robust share 0.8, worlds from -1 to +1, parameter
    sd exactly the sd of the true effects, seed sd 0.115 and a seeds-only standard error of
    0.115 / sqrt(4) (four streams, not forty runs), far below the one that includes the draws."""
    true = np.array([1.0] * 8 + [-1.0] * 2)
    noise = np.array([-0.1, 0.1, -0.1, 0.1])
    diff = (true[:, None] + noise[None, :]).ravel()
    draws, streams = np.repeat(np.arange(10), 4), np.tile(np.arange(4), 10)
    out = effect_uncertainty(diff, draws, streams)
    assert out["draws"] == 10 and out["difference"] == pytest.approx(0.6)
    assert out["robust_share"] == pytest.approx(0.8)
    assert out["worlds_low"] == pytest.approx(-1.0) and out["worlds_high"] == pytest.approx(1.0)
    assert out["sd_parameter"] == pytest.approx(np.std(true, ddof=1))
    assert out["sd_stochastic"] == pytest.approx(np.std(noise, ddof=1))
    assert out["se_stochastic"] == pytest.approx(np.std(noise, ddof=1) / 2)
    expected_se = np.sqrt(np.var(true, ddof=1) / 10 + np.var(noise, ddof=1) / 4)  # ten draws' and four streams' parts
    assert out["se"] == pytest.approx(expected_se)
    assert out["ci_low"] < 0.6 - 1.9 * out["se"] and out["ci_high"] > 0.6 + 1.9 * out["se"]
    one = effect_uncertainty(diff[:4], draws[:4], streams[:4])
    assert one["draws"] == 1 and np.isnan(one["robust_share"]) and np.isnan(one["worlds_low"])
    assert (one["ci_low"], one["ci_high"]) == (one["stochastic_ci_low"], one["stochastic_ci_high"])


def test_an_effect_without_any_spread_is_a_point_not_an_error():
    """A year before a lever starts: every paired run is identical, the effect is 0 in every draw and seed
    (a posterior history sweep's report ended in ZeroDivisionError)."""
    draws, streams = np.repeat([0, 1, 2], 2), np.tile([0, 1], 3)
    out = effect_uncertainty(np.zeros(6), draws, streams)
    assert out["difference"] == 0 and out["ci_low"] == out["ci_high"] == 0 and out["se"] == 0


def test_a_sweep_over_posterior_draws_reports_parameter_and_seed_uncertainty(tmp_path):
    """Three draws of the abscond hazard (a tenth to three times the preset's) x two seeds x two scenarios,
    paired: the report has a row per effect with three draws, and on the same runs the standard error with
    parameter uncertainty is at least the one of seed noise alone, and well above it where the drawn hazard
    moves the effect. (How the spread splits into parameter and seed parts is checked on a known case above:
    with two seeds a draw, the split of this small run is mostly noise.)"""
    sweep_dir = tmp_path / "posterior"
    done = cli(
        "-m",
        *TINY,
        "seed=0,1",
        "colocation=none,full",
        "posterior_draw=0,1,2",
        "posterior.parameters=[behaviour.return_case_abscond]",
        "posterior.draws=[[0.001],[0.01],[0.03]]",
        METRICS_SHOWN,
        f"hydra.sweep.dir={sweep_dir}",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    assert sorted(runs["posterior_draw"].unique()) == [0, 1, 2] and len(runs) == 12
    absconded = runs.groupby("posterior_draw")["share_ever_absconded"].mean()
    assert absconded.is_monotonic_increasing, "each run used its draw's hazard"
    table = pd.read_csv(sweep_dir / "effects.csv")
    assert (table["draws"] == 3).all() and (table["pairs"] == 6).all()
    assert (table["se"] >= table["se_stochastic"]).all(), "parameter uncertainty only adds (each part counts >= 0)"
    absconding = table[table["metric"] == "share_ever_absconded"].iloc[0]
    assert absconding["se"] > 2 * absconding["se_stochastic"], (  # measured 0.0073 against 0.0020
        "the drawn hazard sets how many abscond before the handover, and so how many co-location's faster handover "
        "keeps from absconding"
    )
    page = (sweep_dir / "report.md").read_text()
    assert "plausible worlds (90 %)" in page and "posterior draws: 3" in page


def _rehash(run_dir: Path, name: str) -> None:
    meta = json.loads((run_dir / COMPLETION_MARKER).read_text())
    meta["files"][name] = file_sha256(run_dir / name)
    (run_dir / COMPLETION_MARKER).write_text(json.dumps(meta))


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (
            lambda text: text.replace("question:", "question: ${oc.env:RETURNSIM_SECRET}\n  old_question:"),
            "interpolation",
        ),
        (lambda text: text + "extra:\n  _target_: builtins.open\n  file: config.yaml\n", "_target_"),
        (lambda text: text + "hydra:\n  callbacks: {}\n", "hydra block"),
        (lambda text: text + "bomb: &a [1, 2]\nboom: [*a, *a, *a]\n", "an alias (*a) at line"),  # a billion laughs
        (lambda text: text + "# " + "x" * (9 * 1024 * 1024) + "\n", "more than returnsim writes"),  # read for minutes
    ],
)
def test_a_saved_config_that_would_evaluate_anything_is_refused(tmp_path, monkeypatch, edit, named):
    """Results folders are data: a config.yaml crafted to read the environment or build an object (its hash
    re-recorded, so the folder looks intact) is refused by reproduce and report, and nothing in it runs."""
    monkeypatch.setenv("RETURNSIM_SECRET", "s3cr3t-value")
    proc = cli(*TINY, "seed=5", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    run = tmp_path / "run"
    config = run / "config.yaml"
    config.write_text(edit(config.read_text()))
    _rehash(run, "config.yaml")
    before = config.read_text()
    done = cli(str(run), module="sim.runs.reproduce", cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    assert named in done.stderr and "Traceback" not in done.stderr
    assert "s3cr3t-value" not in done.stdout + done.stderr
    assert config.read_text() == before, "nothing in the folder was evaluated (builtins.open would empty it)"


def test_report_does_not_resolve_what_a_sweeps_record_holds(sweep, tmp_path, monkeypatch):
    """multirun.yaml with an environment resolver among the overrides: the page shows it as written."""
    monkeypatch.setenv("RETURNSIM_SECRET", "s3cr3t-value")
    sweep_dir, _ = sweep
    copy = tmp_path / "copy"
    shutil.copytree(sweep_dir, copy)
    record = copy / "multirun.yaml"
    record.write_text(
        record.read_text().replace("task:\n", "task:\n    - report.title=${oc.env:RETURNSIM_SECRET}\n", 1)
    )
    done = cli(str(copy), module="sim.analysis.report", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (copy / "report.md").read_text()
    assert "s3cr3t-value" not in page and "${oc.env:RETURNSIM_SECRET}" in page


def test_an_alias_bomb_in_a_sweeps_record_is_refused_without_expanding_it(sweep, tmp_path):
    """A YAML alias bomb in a run's .hydra/overrides.yaml took 3 GB and more: the run is named as damaged."""
    sweep_dir, _ = sweep
    copy = tmp_path / "copy"
    shutil.copytree(sweep_dir, copy)
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (copy / "colocation=full,seed=0" / ".hydra" / "overrides.yaml").write_text("\n".join(levels) + "\n")
    done = cli(str(copy), module="sim.analysis.report", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "colocation=full,seed=0" in done.stderr and "an alias (*a0)" in done.stderr
    assert "Traceback" not in done.stderr
