"""Scenario discovery: the uncertain conditions under which co-location fails to raise the return rate.

Run:  uv run python experiments/scenario_discovery.py                 (200 scenarios x 2 policies x 3 seeds)
      uv run python experiments/scenario_discovery.py --scenarios 20 --replications 1 \
          --warmup-days 730 --horizon-days 365                          (quick)

Samples the uncertainties of :mod:`sim.ema` (behaviour, arrivals, third-country
cooperation) by Latin hypercube, runs each scenario with ``colocation=none`` and
``colocation=full`` (other levers at their defaults, the same seeds: common random
numbers), and marks a scenario where full co-location raises the return rate by less
than ``--min-gain`` as a failure. PRIM (EMA Workbench) then finds the box of
uncertain conditions that holds most failures. Writes to ``results/scenario_discovery/``:
``experiments.parquet`` (inputs and outcomes of every run), ``scenarios.parquet`` (the gain per
scenario), ``prim_box.csv`` (the box's limits), ``prim_trajectory.csv`` and ``prim.md``.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd

from sim.ema import UNCERTAINTIES, discover, returnsim_model
from sim.output import write_table, write_text
from sim.report import table_markdown

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    from ema_workbench import MultiprocessingEvaluator, Sample, SequentialEvaluator


def main() -> None:
    """Run the experiments, find the PRIM box and write the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--horizon-days", type=int, default=None, help="default: the config's horizon_days")
    parser.add_argument("--warmup-days", type=int, default=None, help="default: the config's warmup_days")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--min-gain", type=float, default=0.0, help="return-rate gain below which the lever fails")
    parser.add_argument("--density", type=float, default=0.8, help="PRIM: least share of failures inside the box")
    parser.add_argument("--out", type=Path, default=Path("results/scenario_discovery"))
    args = parser.parse_args()

    model = returnsim_model(args.replications, args.horizon_days, args.warmup_days, levers=["colocation"])
    policies = [Sample("colocation_none", colocation="none"), Sample("colocation_full", colocation="full")]
    evaluator = (
        MultiprocessingEvaluator(model, n_processes=args.workers) if args.workers > 1 else SequentialEvaluator(model)
    )
    with evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=args.scenarios, policies=policies)
    runs = pd.concat([experiments.reset_index(drop=True), pd.DataFrame(outcomes)], axis=1)
    runs["policy"] = runs["policy"].astype(str)

    wide = runs.pivot_table(index="scenario", columns="policy", values="return_rate")
    x = runs[runs["policy"] == "colocation_none"].set_index("scenario")[list(UNCERTAINTIES)].sort_index()
    gain = (wide["colocation_full"] - wide["colocation_none"]).loc[x.index]
    fails = (gain < args.min_gain).to_numpy()
    scenarios = x.assign(gain=gain, fails=fails)

    args.out.mkdir(parents=True, exist_ok=True)
    write_table(args.out / "experiments.parquet", runs.astype({c: str for c in ("model", "colocation")}))
    write_table(args.out / "scenarios.parquet", scenarios.reset_index())
    summary = ["# Scenario discovery: when does full co-location fail to raise the return rate?", ""]
    summary.append(
        f"{len(x)} scenarios x 2 policies x {args.replications} seeds; the lever fails (gain < {args.min_gain}) in "
        f"{int(fails.sum())} scenarios ({fails.mean():.0%}). Mean gain {gain.mean():.4f}."
    )
    if 0 < fails.sum() < len(fails):
        chosen, stats, limits, trajectory = discover(x.reset_index(drop=True), fails, args.density)
        write_table(args.out / "prim_trajectory.csv", trajectory)
        write_table(args.out / "prim_box.csv", limits)
        summary += [
            "",
            f"PRIM box {chosen}: coverage {stats['coverage']:.2f}, density {stats['density']:.2f}, "
            f"mass {stats['mass']:.2f}, restricted dimensions {int(stats['res_dim'])}.",
            "",
            table_markdown(limits),
        ]
    else:
        summary += ["", "No PRIM box: the lever fails in all or none of the scenarios."]
    write_text(args.out / "prim.md", "\n".join(summary) + "\n")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
