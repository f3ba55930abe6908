"""The ``returnsim`` command end to end: files written, config saved, summary complete."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from omegaconf import OmegaConf

from sim.model.cases import COLUMNS
from sim.outputs.metrics import METRICS
from tests.conftest import cli

ROOT = Path(__file__).resolve().parent.parent


def test_run_writes_every_output(tmp_path):
    proc = cli(
        "nations.SE.decisions_per_year=2000",
        "warmup_days=60",
        "horizon_days=200",
        "replications=2",
        "seed=7",
        "colocation=full",
        f"paths.results_dir={tmp_path / 'results'}",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Levers: co-location full, information sharing restricted, "), proc.stdout
    assert "; no history (a steady state" in proc.stdout.splitlines()[0]
    (run_dir,) = [p.parent for p in (tmp_path / "results").rglob("run.json")]
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["status"] == "complete" and meta["seed"] == 7 and set(meta["register_sha256"]) == {"0", "1"}
    assert meta["versions"]["mesa"].startswith("3.5")
    cfg = OmegaConf.load(run_dir / "config.yaml")
    assert cfg.seed == 7 and cfg.nations.SE.decisions_per_year == 2000 and cfg.replications == 2
    changed = yaml.safe_load((run_dir / "overrides.yaml").read_text())  # what the run changed, and nothing else
    assert changed["colocation.mode"] == {"run": "full", "default": "none"}
    assert changed["seed"]["run"] == 7 and changed["nations.SE.decisions_per_year"]["run"] == 2000
    assert "replications" in changed and "nations.SE.escorts" not in changed
    assert "behaviour.vulnerable_share" not in changed
    assert "overrides.yaml" in meta["files"]
    reg = pd.read_parquet(run_dir / "case_register.parquet")
    assert list(reg.columns) == ["replication", *COLUMNS]
    assert set(reg["replication"]) == {0, 1}
    summary = pd.read_csv(run_dir / "summary.csv")
    assert set(METRICS) <= set(summary.columns) and len(summary) == 2
    stocks = pd.read_parquet(run_dir / "stocks.parquet")
    assert len(stocks) == 2 * 260
    for fig in ("stocks.png", "outcomes.png"):
        assert (run_dir / "figures" / fig).stat().st_size > 10_000
    assert not list(run_dir.rglob("*.tmp")), "no temporary files left behind"
    assert "return_rate" in proc.stdout


SMALL_RUN = ("nations.SE.decisions_per_year=2000", "warmup_days=60", "horizon_days=200")


def test_a_run_whose_report_names_an_unknown_metric_is_refused(tmp_path):
    proc = cli(*SMALL_RUN, "report.metrics=[returnrate]", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "report.metrics: unknown name 'returnrate'; choose from decisions," in proc.stderr
    assert not (tmp_path / "run").exists()


def test_single_runs_folders_are_named_to_the_microsecond():
    """Two runs started in one second get two folders (a run into a folder another run holds: tests/test_locks.py)."""
    saved = OmegaConf.to_container(OmegaConf.load(ROOT / "configs" / "config.yaml"))
    assert saved["hydra"]["run"]["dir"].endswith("%S_%f}")


def test_a_finished_run_is_not_replaced_unless_overwrite_is_asked_for(tmp_path):
    """A second run into a finished run's folder is refused (exit 2) and leaves every byte of it, Hydra's record
    included; with overwrite=true it replaces the run, and nothing of the old run is left beside the new."""
    folder = tmp_path / "run"
    first = cli(*SMALL_RUN, "output.figures=false", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.suffix != ".log"}
    again = cli(*SMALL_RUN, "horizon_days=100", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert again.returncode == 2 and "Traceback" not in again.stderr, again.stderr
    assert f"{folder} holds a finished run (run.json); nothing was written" in again.stderr
    assert "overwrite=true" in again.stderr
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.suffix != ".log"}
    assert after == before
    replaced = cli(*SMALL_RUN, "horizon_days=100", "overwrite=true", f"hydra.run.dir={folder}", cwd=tmp_path)
    assert replaced.returncode == 0, replaced.stderr
    assert OmegaConf.load(folder / "config.yaml").horizon_days == 100
    assert "overwrite=true" in OmegaConf.load(folder / ".hydra" / "overrides.yaml")
    assert (folder / "figures").exists(), "the new run's figures"
    assert len(pd.read_parquet(folder / "stocks.parquet")) == 160, "the new run's days only"


@pytest.mark.parametrize("results_dir", ["", "/"])
def test_a_results_folder_at_the_file_systems_root_is_refused(tmp_path, results_dir):
    """``paths.results_dir=`` (empty) put the run under ``/default/...`` with exit 0."""
    existed = Path("/default").exists()
    proc = cli(*SMALL_RUN, f"paths.results_dir={results_dir}", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"paths.results_dir={results_dir!r} would write runs under the file system's root" in proc.stderr
    assert Path("/default").exists() == existed and not list(tmp_path.iterdir())


def test_a_run_into_a_full_disk_ends_with_a_message_and_keeps_no_partial_results(tmp_path):
    """A 256 KB file system holds Hydra's record but not the results: exit 1, a message, nothing that looks
    like a result (no run.json, no Parquet) and the folder not claimed any more."""
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        proc = cli(*SMALL_RUN, f"hydra.run.dir={mount / 'run'}", cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert "the run failed, no results were kept" in proc.stderr and "No space left" in proc.stderr
        assert "Traceback" not in proc.stderr
        left = {p.name for p in (mount / "run").iterdir()}
        assert left <= {".hydra", "failed.json", "returnsim.log", "cli.log"}, left
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_config_file_that_is_not_yaml_is_named_without_a_traceback(tmp_path):
    """A malformed file in a config folder the user points to: exit 2, the file and line named, nothing run."""
    configs = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", configs)
    broken = configs / "colocation" / "full.yaml"
    last_line = len(broken.read_text().splitlines()) + 1
    broken.write_text(broken.read_text() + "oops: [unclosed\n")
    proc = cli(
        *SMALL_RUN,
        "colocation=full",
        f"paths.results_dir={tmp_path / 'results'}",
        "--config-path",
        str(configs),
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert (
        "is not valid YAML" in proc.stderr
        and "colocation/full.yaml" in proc.stderr
        and f"line {last_line}" in proc.stderr
    )
    assert "Traceback" not in proc.stderr and not (tmp_path / "results").exists()


def test_a_run_into_a_read_only_folder_ends_with_a_message(tmp_path):
    """A read-only file system (a tmpfs mounted read-only; skipped where none can be mounted): exit 1, the
    folder named, no traceback. As root a plain chmod would not stop the writes, hence the mount."""
    mount = tmp_path / "read_only"
    mount.mkdir()
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mount)], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a read-only tmpfs here")
    try:
        proc = cli(*SMALL_RUN, f"hydra.run.dir={mount / 'run'}", cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert f"cannot write {mount / 'run'}: Read-only file system" in proc.stderr
        assert "Traceback" not in proc.stderr and not list(mount.iterdir())
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_an_override_hydra_cannot_parse_says_how_to_quote(tmp_path):
    proc = cli("countries=[SE,NO", f"paths.results_dir={tmp_path / 'results'}", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "cannot read the override 'countries=[SE,NO'" in proc.stderr and "quoted inside it" in proc.stderr
    assert not (tmp_path / "results").exists()


def test_the_benchmark_refuses_zero_repeats_before_timing_anything(tmp_path):
    proc = cli("--repeats", "0", cwd=ROOT, module="benchmarks")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "--repeats=0 is out of range; allowed: >= 1" in proc.stderr
