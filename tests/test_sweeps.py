"""Sweeps end to end: progress, resume, failures, launchers, invalid runs, interruption."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from sim.outputs.files import COMPLETION_MARKER
from tests.conftest import SEEDS, TINY, cli


def test_progress_counts_runs_and_estimates_time_left(sweep):
    _, proc = sweep
    assert "returnsim: sweep of 8 runs started" in proc.stdout.splitlines()[0], "a line before the first run ends"
    lines = re.findall(r"returnsim: \[(#*) *\] (\d+)/(\d+) runs done.*runs/min", proc.stdout)
    assert [int(done) for _, done, _ in lines] == list(range(1, 9))
    assert {total for _, _, total in lines} == {"8"}
    assert [len(bar) for bar, _, _ in lines] == [round(20 * k / 8) for k in range(1, 9)], "the bar fills"
    assert "left" in proc.stdout


def test_resume_skips_complete_runs_and_redoes_a_broken_one(tmp_path):
    sweep_dir = tmp_path / "resume"
    args = ("seed=0,1", "colocation=none,full")
    first = cli("-m", *TINY, *args, f"hydra.sweep.dir={sweep_dir}", "report.auto=false", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    runs = sorted(p for p in sweep_dir.iterdir() if (p / COMPLETION_MARKER).exists())
    assert [p.name for p in runs] == ["colocation=full,seed=0", "colocation=full,seed=1"] + [
        "colocation=none,seed=0",
        "colocation=none,seed=1",
    ]
    broken = sweep_dir / "colocation=full,seed=1"
    (broken / "stocks.parquet").write_bytes(b"truncated")
    markers = {p.name: (p / COMPLETION_MARKER).stat().st_mtime_ns for p in runs}
    second = cli("-m", *TINY, *args, f"hydra.sweep.dir={sweep_dir}", "report.auto=false", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "4/4 runs done (3 skipped as complete, 0 failed)" in second.stdout
    for p in runs:
        redone = (p / COMPLETION_MARKER).stat().st_mtime_ns != markers[p.name]
        assert redone == (p == broken), p.name
    assert pd.read_parquet(broken / "stocks.parquet").shape[0] == 360


def test_a_failed_run_is_reported_and_the_others_finish(tmp_path):
    """One run fails while writing (a folder stands where its case register goes; an invalid config would stop
    the whole sweep before launch instead): it is named, its partial results removed, the other run reported."""
    sweep_dir = tmp_path / "failing"
    (sweep_dir / "seed=1" / "case_register.parquet").mkdir(parents=True)
    proc = cli("-m", *TINY, "seed=0,1", f"hydra.sweep.dir={sweep_dir}", cwd=tmp_path)
    assert proc.returncode == 1
    assert "1 of 2 runs failed" in proc.stderr and "seed=1" in proc.stderr
    assert "Traceback" not in proc.stderr
    failed = json.loads((sweep_dir / "seed=1" / "failed.json").read_text())
    assert failed["overrides"][-1] == "seed=1" and "case_register.parquet" in failed["error"]
    assert not list((sweep_dir / "seed=1").glob("*.parquet")), "no partial results kept"
    assert (sweep_dir / "seed=0" / COMPLETION_MARKER).exists()
    assert len(pd.read_parquet(sweep_dir / "runs.parquet")) == 1  # the report covers the run that finished
    page = (sweep_dir / "report.md").read_text()
    assert "## Runs left out" in page and "`seed=1`: no run.json" in page
    assert "could not be written" not in proc.stderr  # a sweep of seeds only (no lever) draws its figures too
    assert (sweep_dir / "figures" / "stocks.png").exists()


def test_a_sweep_that_chooses_the_countries_keeps_each_rows_country(tmp_path):
    """``country=...`` on a sweep's command line names the config group; the runs table keeps the codes."""
    sweep_dir = tmp_path / "two_countries"
    two = ("country=nordic", "countries=[SE,IS]", "nations.IS.decisions_per_year=100")
    proc = cli("-m", *TINY, *two, "seed=0,1", f"hydra.sweep.dir={sweep_dir}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    runs = pd.read_parquet(sweep_dir / "runs.parquet")
    assert set(runs["country"]) == {"SE", "IS", "ALL"} and set(runs["country_group"]) == {"nordic"}
    assert (sweep_dir / "report.md").exists()


@pytest.mark.slow
def test_sweep_on_the_submitit_launcher(tmp_path):
    """The cluster path (SLURM) with submitit's local executor: same runs, same report."""
    sweep_dir = tmp_path / "submitit"
    proc = cli("-m", "hydra/launcher=submitit_local", *TINY, "seed=0,1", f"hydra.sweep.dir={sweep_dir}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_parquet(sweep_dir / "runs.parquet")) == 2
    assert (sweep_dir / "report.md").exists()


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("nations.SE.detention_places=-5", "nations.SE.detention_places=-5 is out of range"),
        ("seed=0,9223372036854775808", "seed=9223372036854775808 is out of range"),
        ("report.metrics=[return_rate,returnrate]", "report.metrics: unknown name 'returnrate'"),
        ("report.stocks=[detained,jailed]", "report.stocks: unknown name 'jailed'"),
    ],
)
def test_a_sweep_with_an_invalid_run_stops_before_any_run_starts(tmp_path, override, named):
    """Checked once, before launch: exit 2, the run named, no sweep folder (not every job failing in turn)."""
    sweep_dir = tmp_path / "invalid"
    done = cli("-m", *TINY, "colocation=none,full", override, f"hydra.sweep.dir={sweep_dir}", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "the sweep was not started" in done.stderr and named in done.stderr
    assert "Traceback" not in done.stderr and not sweep_dir.exists()


def _register_hashes(sweep_dir: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text())["register_sha256"] for p in sorted(sweep_dir.glob("*/run.json"))}


def _start_sweep(args: tuple[str, ...], cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_sweep_killed_midway_and_run_again_equals_an_uninterrupted_one(tmp_path, sig):
    """Stop a sweep once two runs are complete, run it again: every run complete, each case register identical
    (SHA-256) to the same run of a sweep never interrupted. SIGTERM goes to the sweep's own process only, as
    from ``kill`` or a scheduler: no process it started may outlive it (joblib's workers did, and went on
    simulating). SIGKILL goes to the whole process group (nothing can catch it): the lock it leaves behind
    does not block the folder, the next sweep takes it over."""
    args = ("-m", *TINY, "seed=0,1,2,3", "colocation=none,full", "report.auto=false")
    clean = tmp_path / "clean"
    assert cli(*args, f"hydra.sweep.dir={clean}", cwd=tmp_path).returncode == 0
    killed = tmp_path / "killed"
    proc = _start_sweep((*args, f"hydra.sweep.dir={killed}"), tmp_path)
    deadline = time.time() + 300
    while len(list(killed.glob("*/run.json"))) < 2 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    if proc.poll() is not None:
        pytest.skip("the sweep ended before it could be interrupted")
    started = psutil.Process(proc.pid).children(recursive=True)
    assert started, "the sweep runs its jobs in worker processes"
    if sig == signal.SIGTERM:
        os.kill(proc.pid, sig)
    else:
        os.killpg(proc.pid, sig)
    _, stderr = proc.communicate(timeout=60)
    assert len(list(killed.glob("*/run.json"))) < 8, "interrupted before the end"
    _, alive = psutil.wait_procs(started, timeout=10)
    if sig == signal.SIGTERM:
        assert not alive, f"processes outlived the stopped sweep: {[p.pid for p in alive]}"
        assert proc.returncode == 128 + signal.SIGTERM and "the sweep was stopped (SIGTERM)" in stderr, stderr
    again = cli(*args, f"hydra.sweep.dir={killed}", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    if sig == signal.SIGKILL:
        assert f"locked by the sweep of pid {proc.pid}" in again.stderr and "takes the folder over" in again.stderr
    assert _register_hashes(killed) == _register_hashes(clean) and len(_register_hashes(clean)) == 8


def test_a_second_sweep_into_a_running_sweeps_folder_is_refused_naming_the_first(tmp_path):
    """Two sweeps into one folder at once would run the same runs into the same folders: the second is refused
    (exit 2, the first's pid named) and the first runs every run itself, none skipped or done twice."""
    sweep_dir = tmp_path / "shared"
    args = ("-m", *TINY, SEEDS, "report.auto=false", "hydra.launcher.n_jobs=1", f"hydra.sweep.dir={sweep_dir}")
    first = _start_sweep(args, tmp_path)
    deadline = time.time() + 300
    while not (sweep_dir / ".progress").exists() and first.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    if first.poll() is not None:
        pytest.skip("the first sweep ended before the second could start")
    second = cli(*args, cwd=tmp_path)
    first_done = first.poll() is not None
    _, first_err = first.communicate(timeout=600)
    if first_done:
        pytest.skip("the first sweep ended while the second was starting")
    assert second.returncode == 2 and "Traceback" not in second.stderr, second.stderr
    assert f"the sweep was not started: {sweep_dir} is in use by the sweep of pid {first.pid}" in second.stderr
    assert first.returncode == 0, first_err
    records = [json.loads(p.read_text()) for p in (sweep_dir / ".progress").glob("*.json")]
    assert sorted(r["status"] for r in records) == ["complete"] * 4
    assert not (sweep_dir / "sweep.lock").exists()
