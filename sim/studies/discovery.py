"""``returnsim-discover``: the plausible worlds in which full co-location does not raise the return rate.

Run:  uv run returnsim-discover                  (400 worlds x 2 scenarios x 2 seeds)
      uv run returnsim-discover --worlds 40 --set replications=1 \
          "scenario=['output.figures=false','warmup_days=730','horizon_days=365']"      (quick)

A world is a point in the unknowns that the calibration and the levers' assumptions leave open: each
fitted parameter of the preset at a quantile of its marginal posterior, each of the levers' assumed
constants at a quantile of its stated range (``configs/assumptions/levers.yaml``): the factors of
``returnsim-sensitivity posterior=true lever_assumptions=true`` (``sim/studies/factors.py``), whose config
(``configs/sensitivity.yaml``, changed with ``--set``) also gives the scenario, its scale, the seeds
and the lever (``effect_of``). Worlds are a Latin hypercube over the factors' coordinates; each runs
without and with the lever on the same seeds (common random numbers), and the lever fails in a world
where its effect on the return rate, averaged over the seeds, is below ``--min-gain``. PRIM (EMA
Workbench, ``sim.studies.ema.discover``) then finds the box of factor values that holds most failures, or, when
the lever fails in most worlds (at least ``--density`` of them, so the whole space is already such a
box), the box that holds most of the worlds where it works. ``--reanalyse FOLDER`` redoes the PRIM step on
a folder's ``worlds.parquet`` (another ``--min-gain`` or ``--density``) without running the model. Writes
``<paths.results_dir>/scenario_discovery/<time>/``: ``worlds.parquet`` (factor values, effect per world),
``prim_box.csv``, ``prim_trajectory.csv`` and ``prim.md``. Every default is in ``configs/discovery.yaml``.
"""

from __future__ import annotations

import argparse
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from omegaconf import OmegaConf
from scipy.stats import qmc

from sim.analysis.markdown import table_markdown
from sim.outputs.files import output_set, write_table, write_text
from sim.params.checks import ConfigError, plain_mapping
from sim.params.compose import CONFIG_DIR
from sim.params.entry import guarded
from sim.studies.ema import discover
from sim.studies.factors import values_at
from sim.studies.sensitivity import ReturnsimPoint, problem_and_evaluator
from sim.studies.sensitivity_config import SensitivityConfig, load_config
from sim.studies.study import check_simulations, worker_map

SETTINGS = CONFIG_DIR / "discovery.yaml"
"""The study's settings: worlds, the failure threshold, PRIM's density and the sensitivity config's overrides."""
SETTING_KEYS = {"worlds", "min_gain", "density", "sensitivity"}


def load_settings() -> dict[str, Any]:
    """``configs/discovery.yaml``, every key present and no other."""
    settings = plain_mapping(OmegaConf.load(SETTINGS))
    if set(settings) != SETTING_KEYS:
        unknown, missing = set(settings) - SETTING_KEYS, SETTING_KEYS - set(settings)
        raise ConfigError(
            f"{SETTINGS.name}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}; "
            f"allowed: {', '.join(sorted(SETTING_KEYS))}"
        )
    return settings


def saved_worlds(folder: Path, cfg: SensitivityConfig) -> pd.DataFrame:
    """The worlds a past study wrote (``--reanalyse``), refused unless a table with each outcome's effect column."""
    path = folder / "worlds.parquet"
    try:
        worlds = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise ConfigError(f"--reanalyse: {path} is not a table of worlds ({type(exc).__name__}: {exc})") from None
    needed = dict.fromkeys(["effect_return_rate", *(f"effect_{name}" for name in cfg.outcomes)])
    missing = [column for column in needed if column not in worlds.columns]
    if missing or worlds.empty:
        raise ConfigError(
            f"--reanalyse: {path} has {'no rows' if worlds.empty else 'no column ' + ', '.join(missing)}; "
            "give a folder this script wrote with the same outcomes"
        )
    return worlds


def study() -> None:
    """Sample the worlds, run the lever's effect in each, find the PRIM box and write the tables."""
    settings = load_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=settings["worlds"], help="Latin-hypercube points")
    parser.add_argument("--set", nargs="*", default=[], help="more overrides of configs/sensitivity.yaml")
    parser.add_argument("--min-gain", type=float, default=settings["min_gain"], help="effect below which it fails")
    parser.add_argument("--density", type=float, default=settings["density"], help="PRIM: least share of failures")
    parser.add_argument("--out", type=Path, help="results folder (default: <paths.results_dir>/scenario_discovery)")
    parser.add_argument("--reanalyse", type=Path, help="a results folder of this script: PRIM on its worlds only")
    args = parser.parse_args()
    if args.worlds < 1:
        parser.error(f"--worlds={args.worlds} is out of range; allowed: >= 1")
    if not 0 < args.density <= 1:
        parser.error(f"--density={args.density} is out of range; allowed: > 0 and <= 1")
    if not math.isfinite(args.min_gain):
        parser.error(f"--min-gain={args.min_gain} is out of range; allowed: a finite number")
    args.overrides = [*settings["sensitivity"], *args.set]
    cfg = load_config(args.overrides)
    if args.reanalyse:
        with output_set():  # PRIM's tables and page together, or none of them
            explain(saved_worlds(args.reanalyse, cfg), cfg, args, args.reanalyse)
        return
    formula = f"--worlds={args.worlds:,} x replications={cfg.replications:,} x 2 scenarios (lever and without)"
    check_simulations(args.worlds * cfg.replications * 2, formula, cfg.max_simulations)
    problem, factors, outcomes, evaluate = problem_and_evaluator(cfg)
    if not isinstance(evaluate, ReturnsimPoint):
        parser.error(f"model={cfg.model!r} has no levers to discover; discovery runs the returnsim model")
    unit = qmc.LatinHypercube(d=len(factors), seed=cfg.seed).random(args.worlds)
    low, high = np.array(problem["bounds"]).T
    coords = low + unit * (high - low)
    with worker_map(cfg.workers, chunksize=4) as pool_map:
        effects = np.stack(list(pool_map(evaluate, coords)))  # worlds x replications x outcomes
    lever = evaluate.models[-1]
    values = pd.DataFrame([values_at(factors, row, lever) for row in coords])  # the values in the lever's scenario
    mean = effects.mean(axis=1)
    worlds = values.assign(**{f"effect_{name}": mean[:, j] for j, name in enumerate(outcomes)})
    root = args.out or Path(cfg.paths.results_dir) / "scenario_discovery"
    out = root / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    with output_set():  # the worlds, PRIM's tables and page together, or none of them
        write_table(out / "worlds.parquet", worlds)
        explain(worlds, cfg, args, out)


def explain(worlds: pd.DataFrame, cfg: SensitivityConfig, args: argparse.Namespace, out: Path) -> None:
    """PRIM on the worlds where the lever fails (or, if it fails in most, where it works); write ``prim.md``."""
    factors = [c for c in worlds.columns if not c.startswith("effect_")]
    gain = worlds["effect_return_rate"].to_numpy()
    fails = gain < args.min_gain
    lines = [
        f"# Scenario discovery: when does `{' '.join(cfg.effect_of)}` not raise the return rate?",
        "",
        f"{len(worlds)} worlds (Latin hypercube over {len(factors)} factors: the preset's marginal "
        f"posterior and the levers' assumed ranges) x 2 scenarios x {cfg.replications} seeds, scale "
        f"{cfg.scale}. The lever fails (effect on the return rate < {args.min_gain}) in {int(fails.sum())} "
        f"worlds ({fails.mean():.0%}); mean effect {gain.mean():+.4f} (5-95 % of worlds "
        f"{np.quantile(gain, 0.05):+.4f} to {np.quantile(gain, 0.95):+.4f}). An effect here is a mean over "
        f"{cfg.replications} seeds, so a world near zero may fail by noise.",
    ]
    works_rarely = fails.mean() >= args.density
    cases = ~fails if works_rarely else fails
    if 0 < cases.sum() < len(cases):
        chosen, stats, limits, trajectory = discover(worlds[factors], cases, args.density)
        write_table(out / "prim_trajectory.csv", trajectory)
        write_table(out / "prim_box.csv", limits)
        which = "works (raises the return rate)" if works_rarely else "fails"
        lines += [
            "",
            f"PRIM box of the worlds where the lever {which}: box {chosen}, coverage {stats['coverage']:.2f}, "
            f"density {stats['density']:.2f}, mass {stats['mass']:.2f}, restricted dimensions "
            f"{int(stats['res_dim'])}.",
            "",
            table_markdown(limits),
        ]
    else:
        lines += ["", "No PRIM box: the lever fails in all or none of the worlds."]
    lines += ["", "Settings (configs/sensitivity.yaml with): " + " ".join(args.overrides)]
    write_text(out / "prim.md", "\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"results: {out}")


main = guarded("returnsim-discover", study)

if __name__ == "__main__":
    main()
