"""Where the compiled engine's time goes: the migrants' timers against the rest of the day.

The benchmark's ``engine_ratio`` divides a whole run's time by the migrant
events (live timers fired), so on the compiled engine it also carries the
agencies' daily work (which grows with the caseload, not with the timers)
and the Python between the kernels each day. This script times the
timers' kernel (:func:`sim.model.timers.fire_timers`, every call of the
day loop) apart from the rest, on the benchmark's scenarios, and prints per
scenario the run's seconds, the kernel's seconds, the kernel's µs per event
and its ratio to the bare ``heapq`` loop of the same events (JSON on the
last line)::

    uv run python -m benchmarks.timers --only default --repeats 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from benchmarks.__main__ import CONFIGS, bare_heapq_seconds
from sim.model import model as return_model
from sim.params.compose import load_params
from sim.runs.runner import gc_paused


def timed_run(overrides: list[str], seed: int) -> tuple[float, float, int]:
    """One run: its seconds, the seconds inside the timers' kernel, and the events fired."""
    kernel = return_model.fire_timers
    inside = 0.0

    def fire_timers(*args: Any) -> tuple[int, int, float]:
        nonlocal inside
        start = time.perf_counter()
        result = kernel(*args)
        inside += time.perf_counter() - start
        return result

    params = load_params([*overrides, f"seed={seed}"])
    return_model.fire_timers = fire_timers  # type: ignore[assignment]  # measured, then put back
    try:
        with gc_paused():
            start = time.perf_counter()
            run = return_model.ReturnModel(params)
            run.run()
            seconds = time.perf_counter() - start
    finally:
        return_model.fire_timers = kernel
    return seconds, inside, run.events_processed


def main() -> None:
    """Time the scenarios' runs and their timers' kernel; print medians and the ratio to the bare loop."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each scenario (>= 1; medians)")
    parser.add_argument("--only", choices=sorted(CONFIGS), action="append")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats={args.repeats} is out of range; allowed: >= 1")
    results: dict[str, Any] = {}
    for name in args.only or list(CONFIGS):
        timed_run(CONFIGS[name], seed=0)  # warm-up: numba's cache, imports
        runs = [timed_run(CONFIGS[name], seed=i) for i in range(args.repeats)]
        events = statistics.median(r[2] for r in runs)
        kernel = statistics.median(r[1] for r in runs)
        bare = statistics.median(bare_heapq_seconds(int(r[2]), seed=i) for i, r in enumerate(runs))
        results[name] = {
            "events": int(events),
            "seconds_median": round(statistics.median(r[0] for r in runs), 3),
            "timers_seconds_median": round(kernel, 3),
            "timers_us_per_event": round(kernel / events * 1e6, 3),
            "timers_ratio_to_bare_heapq": round(kernel / bare, 2),
        }
        print(f"{name:>14}: {results[name]}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
