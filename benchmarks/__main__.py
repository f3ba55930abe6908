"""Benchmark the engine: the default scenario, a 10x-arrivals variant and five countries for ten years.

Run ``uv run python -m benchmarks`` (or ``uv run returnsim-bench``). Each
configuration is run once to warm up, then ``--repeats`` times with the
garbage collector off while timing, the configurations in turn within each
repeat; the median is reported, and the 10x scaling is the median of the
repeats' paired ratios. The last line printed is JSON with migrants, events
processed, wall seconds of model time, µs per event, peak memory, and the
same number of events in a bare ``heapq`` competing-risks loop timed
alongside (``engine_ratio``; ``docs/developer.md``, "Benchmarks", states the targets).
``tracemalloc`` sees the kernels' arrays too (numba allocates them through
Python's raw allocator).
"""

from __future__ import annotations

import argparse
import gc
import heapq
import json
import math
import random
import statistics
import time
import tracemalloc
from typing import Any

from benchmarks import DESIGN_WARMUP, startup, sweep_plan
from sim.model.model import ReturnModel
from sim.params.compose import compose, load_params
from sim.params.scaling import scale_country
from sim.runs.runner import gc_paused

CONFIGS: dict[str, list[str]] = {
    "default": [DESIGN_WARMUP],
    "arrivals_x10": [*scale_country(compose(), "SE", 10), DESIGN_WARMUP],
    "nordic_10y": ["country=nordic", DESIGN_WARMUP, "horizon_days=3285"],
    "default_as_run": [],
    "history": ["history=sweden_2013_2023"],
}
"""Scenarios to time: overrides of the default config. ``default`` and ``arrivals_x10`` (capacities
scaled with the arrivals) are the 1 + 3 years of the speed targets; ``nordic_10y`` is all five
countries for ten years (target: under 15 s and 1 GB); ``default_as_run`` is the default config
unchanged (its 6-year warm-up included), the time a user waits for one replication; ``history`` is Sweden
2013-2023 at full volume after its 6-year warm-up (target: 1.5 s)."""
EXTRA = ("startup", "first_run", "sweep_start")
"""Measured apart from the scenarios: a command's start-up, a fresh clone's first run (:mod:`benchmarks.startup`),
the start of a 100 000-run sweep (:mod:`benchmarks.sweep_plan`)."""


def time_once(overrides: list[str], seed: int) -> dict[str, float]:
    """Build and run one model; return its size and model-time seconds."""
    params = load_params([*overrides, f"seed={seed}"])
    gc.collect()
    with gc_paused():
        start = time.perf_counter()
        model = ReturnModel(params)
        model.run()
        seconds = time.perf_counter() - start
    return {"migrants": model.cases_opened, "events": model.events_processed, "seconds": seconds}


def peak_memory_mb(overrides: list[str]) -> float:
    """Peak Python heap while building and running one model (tracemalloc)."""
    params = load_params(overrides)
    tracemalloc.start()
    ReturnModel(params).run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def bare_heapq_seconds(events: int, agents: int = 20_000, seed: int = 0) -> float:
    """The reference engine: a bare ``heapq`` loop of agents racing two exponential hazards, ``events`` pops."""
    rng = random.Random(seed)
    rates = (0.01, 0.02)
    total = sum(rates)
    heap = [(-math.log(1.0 - rng.random()) / total, i, 0) for i in range(agents)]
    heapq.heapify(heap)
    with gc_paused():
        start = time.perf_counter()
        for _ in range(events):
            t, i, _state = heapq.heappop(heap)
            target = 0 if rng.random() * total < rates[0] else 1
            heapq.heappush(heap, (t - math.log(1.0 - rng.random()) / total, i, target))
        seconds = time.perf_counter() - start
    return seconds


def main() -> None:
    """Time every configuration and print a table and a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each scenario (>= 1; medians)")
    parser.add_argument("--only", choices=sorted([*CONFIGS, *EXTRA]), action="append")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats={args.repeats} is out of range; allowed: >= 1")
    chosen = args.only or [*CONFIGS, *EXTRA]
    names = [name for name in chosen if name in CONFIGS]
    for name in names:
        time_once(CONFIGS[name], seed=0)  # warm-up: imports, caches
    # Round-robin: every repeat times each scenario (and its bare loop) in turn, so a change of
    # the machine's speed during the run shifts all of them alike rather than one scenario.
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    bares: dict[str, list[float]] = {name: [] for name in names}
    for i in range(args.repeats):
        for name in names:
            run = time_once(CONFIGS[name], seed=i)
            runs[name].append(run)
            bares[name].append(bare_heapq_seconds(int(run["events"]), seed=i))
    results: dict[str, Any] = {}
    for name in names:
        seconds = statistics.median(r["seconds"] for r in runs[name])
        events = statistics.median(r["events"] for r in runs[name])
        bare = statistics.median(bares[name])
        results[name] = {
            "migrants": int(statistics.median(r["migrants"] for r in runs[name])),
            "events": int(events),
            "seconds_median": round(seconds, 3),
            "us_per_event": round(seconds / events * 1e6, 2),
            "peak_memory_mb": round(peak_memory_mb(CONFIGS[name]), 1),
            "bare_heapq_us_per_event": round(bare / events * 1e6, 2),
            "engine_ratio": round(seconds / bare, 1),
        }
        print(f"{name:>14}: {results[name]}", flush=True)
    if "default" in results and "arrivals_x10" in results:
        paired = (x["seconds"] / d["seconds"] for x, d in zip(runs["arrivals_x10"], runs["default"], strict=True))
        results["scaling_x10"] = round(statistics.median(paired), 2)
    if "startup" in chosen:
        results["startup"] = startup.startup(args.repeats)
        print(f"{'startup':>14}: {results['startup']}", flush=True)
    if "first_run" in chosen:
        results["first_run"] = startup.first_run()
        print(f"{'first_run':>14}: {results['first_run']}", flush=True)
    if "sweep_start" in chosen:
        results["sweep_start"] = sweep_plan.sweep_start()
        print(f"{'sweep_start':>14}: {results['sweep_start']}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
