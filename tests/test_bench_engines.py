"""The benchmark times the model, and the timers' benchmark times the timers' kernel inside a run."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.__main__ import time_once
from benchmarks.timers import timed_run
from sim.model import model as return_model
from sim.model import timers
from sim.params.compose import load_params
from sim.runs.runner import run_replication
from tests.conftest import cli

ROOT = Path(__file__).resolve().parents[1]


def test_a_timed_run_counts_its_cases_and_events_as_the_runner_does():
    """The benchmark's model is the runner's: the same cases opened and timers fired for one config and seed."""
    short = ["warmup_days=100", "horizon_days=200", "output.figures=false"]
    timed = time_once(short, seed=3)
    result = run_replication(load_params([*short, "seed=3"]), 0)
    assert timed["migrants"] == len(result.register) > 0 and timed["events"] == result.events > 0


def test_the_benchmark_command_reports_its_figures():
    proc = cli("--only", "default", "--repeats", "1", cwd=ROOT, module="benchmarks")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])["default"]
    assert result["migrants"] > 60_000 and result["events"] > 120_000 and result["peak_memory_mb"] > 0


def test_the_timers_kernel_is_timed_inside_the_run_and_put_back():
    seconds, inside, events = timed_run(["warmup_days=100", "horizon_days=200", "output.figures=false"], seed=0)
    assert 0.0 < inside < seconds and events > 0
    assert return_model.fire_timers is timers.fire_timers
