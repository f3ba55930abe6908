"""The benchmark times either engine, and the timers' benchmark times the timers' kernel inside a compiled run."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.__main__ import time_once
from benchmarks.timers import timed_run
from sim.model import compiled_run, day_kernel
from tests.conftest import cli

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_times_the_engine_it_is_asked_for():
    """Each engine runs: the same direct decisions (shared arrival draws), other timers (their own draws)."""
    short = ["warmup_days=100", "horizon_days=200", "output.figures=false"]
    interpreted, compiled = (time_once([*short, f"engine={engine}"], seed=0) for engine in ("interpreted", "compiled"))
    assert interpreted["migrants"] == compiled["migrants"] > 0 and interpreted["events"] != compiled["events"]


def test_the_benchmark_command_takes_an_engine():
    proc = cli("--only", "default", "--repeats", "1", "--engine", "compiled", cwd=ROOT, module="benchmarks")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])["default"]
    assert result["migrants"] > 60_000 and result["events"] > 120_000 and result["peak_memory_mb"] > 0


def test_the_timers_kernel_is_timed_inside_the_run_and_put_back():
    seconds, inside, events = timed_run(["warmup_days=100", "horizon_days=200", "output.figures=false"], seed=0)
    assert 0.0 < inside < seconds and events > 0
    assert compiled_run.fire_timers is day_kernel.fire_timers
