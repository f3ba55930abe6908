"""The interpreted and the compiled engine on the same scenario, replications in turn: outcomes and time.

Development-stage check of the compiled kernels (:mod:`sim.model.compiled_run`)
on what they cover: Sweden's default (one country, national flights). Each repeat runs one
replication of each engine (the interpreted on seeds ``seed``, ``seed + 1``
...; the compiled on replications 1, 2, ...), then prints each outcome's
mean and standard deviation for both, their difference, and two tests that
the engines agree: Welch's t-test on the means and the F-test on the
variances (two-sided p-values; replications are independent, so a small p
says the engines differ in distribution, not only by chance). The compiled
engine, four to six times faster, can run more replications
(``--compiled-repeats``), which sharpens both tests. Last, each side's seconds
per replication (building the model included, composing the config not)::

    uv run python -m benchmarks.engines --repeats 5
    uv run python -m benchmarks.engines --repeats 96 --compiled-repeats 200
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats

from sim.model.compiled_run import CompiledRun
from sim.model.engine import EVENTS
from sim.model.model import ReturnModel
from sim.model.states import State
from sim.params.compose import load_params

SCENARIO = ["output.figures=false"]
STATES = (
    State.RETURNED_VOLUNTARY,
    State.RETURNED_ASSISTED,
    State.RETURNED_FORCED,
    State.ABSCONDED,
    State.DEPARTED_UNRECORDED,
    State.EXPIRED,
    State.MOVED_NORDIC,
)
COUNTS = ("handed_to_police", "located", "detention_entries", "released_at_limit", "detention_days")


def interpreted(seed: int) -> tuple[list[float], float]:
    """One replication of the interpreted engine: the outcomes and the seconds it took (building the model included)."""
    params = load_params([*SCENARIO, f"seed={seed}"])
    start = time.perf_counter()
    model = ReturnModel(params)
    for _ in range(params.warmup_days + params.horizon_days):
        model.step()
    country = model.countries["SE"]
    outcomes = [float(country.stock[s]) for s in STATES] + [float(country.events[k]) for k in COUNTS]
    return outcomes, time.perf_counter() - start


def compiled(replication: int) -> tuple[list[float], float]:
    """One replication of the compiled engine: the outcomes and the seconds it took (building the run included)."""
    params = load_params(SCENARIO)
    start = time.perf_counter()
    run = CompiledRun(params, replication)
    run.run()
    e = run.engine
    outcomes = [float(e.stocks[0][s]) for s in STATES] + [float(e.events[0][EVENTS.index(k)]) for k in COUNTS]
    return outcomes, time.perf_counter() - start


def agreement(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Two-sided p-values that ``a`` and ``b`` have equal means (Welch) and variances (F-test); nan if undefined."""
    if min(len(a), len(b)) < 2 or a.var() == 0.0 or b.var() == 0.0:
        return float("nan"), float("nan")
    ratio = b.var(ddof=1) / a.var(ddof=1)
    dfs = (len(b) - 1, len(a) - 1)
    p_spreads = 2.0 * min(stats.f.cdf(ratio, *dfs), stats.f.sf(ratio, *dfs))
    return float(stats.ttest_ind(a, b, equal_var=False).pvalue), float(p_spreads)


def main() -> None:
    """Run the repeats and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="replications of each engine")
    parser.add_argument("--compiled-repeats", type=int, help="replications of the compiled engine (default: --repeats)")
    args = parser.parse_args()
    extra = (args.compiled_repeats or args.repeats) - args.repeats
    seed = load_params(SCENARIO).seed
    compiled(0)  # compile (or load the compiled cache) before timing
    sides: dict[str, list[tuple[list[float], float]]] = {"interpreted": [], "compiled": []}
    for r in range(args.repeats):
        sides["interpreted"].append(interpreted(seed + r))
        sides["compiled"].append(compiled(r + 1))
    for r in range(args.repeats, args.repeats + max(0, extra)):
        sides["compiled"].append(compiled(r + 1))
    a = np.array([o for o, _ in sides["interpreted"]])
    b = np.array([o for o, _ in sides["compiled"]])
    print(f"replications: interpreted {len(a)}, compiled {len(b)}")
    print(
        f"{'outcome':28s} {'interpreted mean (sd)':>24s} {'compiled mean (sd)':>24s} {'difference':>11s}"
        f" {'p means':>8s} {'p spreads':>10s}"
    )
    for i, name in enumerate([s.label for s in STATES] + list(COUNTS)):
        mean_a, mean_b = a[:, i].mean(), b[:, i].mean()
        p_means, p_spreads = agreement(a[:, i], b[:, i])
        print(
            f"{name:28s} {mean_a:14.0f} ({a[:, i].std(ddof=1):6.0f}) {mean_b:14.0f} ({b[:, i].std(ddof=1):6.0f})"
            f" {100 * (mean_b / mean_a - 1):+10.1f}% {p_means:8.3f} {p_spreads:10.3f}"
        )
    for side, runs in sides.items():
        print(f"seconds per replication, {side}: {', '.join(f'{s:.2f}' for _, s in runs)}")


if __name__ == "__main__":
    main()
