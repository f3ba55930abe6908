"""How much of the 10x scenario's extra cost per event is the processor's cache, not the engine.

Run alone, the default scenario's open cases (about 20 000) and their queues
nearly fit in the processor's last-level cache; the 10x scenario's do not, so
each of its events waits longer on memory. This script builds both models and
runs them one day at a time in turn, in one process: each finds the cache
filled by the other, as the 10x model always does, and the machine's speed
drifts alike for both. ``uv run python -m benchmarks.lockstep`` prints each
model's seconds, the time ratio and the events ratio, summed over seeds.
"""

from __future__ import annotations

import argparse
import json
import time

from benchmarks import DESIGN_WARMUP
from sim.model.model import ReturnModel
from sim.params.compose import compose, load_params
from sim.params.scaling import scale_country
from sim.runs.runner import gc_paused


def lockstep(scale: int, seed: int) -> dict[int, tuple[float, int]]:
    """Seconds and events of the default and the ``scale``-times model, run day by day in turn."""
    models = {
        1: ReturnModel(load_params([DESIGN_WARMUP, f"seed={seed}"])),
        scale: ReturnModel(load_params([*scale_country(compose(), "SE", scale), DESIGN_WARMUP, f"seed={seed}"])),
    }
    seconds = dict.fromkeys(models, 0.0)
    with gc_paused():
        for day in range(1, models[1].end_day + 1):
            for size, model in models.items():
                start = time.perf_counter()
                model.run_until(day)
                seconds[size] += time.perf_counter() - start
    return {size: (seconds[size], model.events_processed) for size, model in models.items()}


def main() -> None:
    """Run the pair for each seed and print the totals as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    seconds = {1: 0.0, args.scale: 0.0}
    events = {1: 0, args.scale: 0}
    for seed in range(args.seeds):
        for size, (s, e) in lockstep(args.scale, seed).items():
            seconds[size] += s
            events[size] += e
    print(
        json.dumps(
            {
                "default_seconds": round(seconds[1], 2),
                f"x{args.scale}_seconds": round(seconds[args.scale], 2),
                "time_ratio": round(seconds[args.scale] / seconds[1], 2),
                "events_ratio": round(events[args.scale] / events[1], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
