"""returnsim as an EMA Workbench model: uncertainties, levers, outcomes, replications.

``returnsim_model()`` gives a ``ReplicatorModel`` whose function runs one
replication of the model for an experiment; EMA's evaluators run the
experiments (in parallel with ``MultiprocessingEvaluator``), and its analysis
tools (PRIM, feature scoring) find the conditions under which a policy works.
``experiments/scenario_discovery.py`` is the worked example.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

with warnings.catch_warnings():  # EMA warns that an optional cluster back-end (ipyparallel) is missing
    warnings.simplefilter("ignore", UserWarning)
    from ema_workbench import (
        CategoricalParameter,
        Constant,
        IntegerParameter,
        RealParameter,
        ReplicatorModel,
        ScalarOutcome,
    )
    from ema_workbench.analysis import prim

from sim.params.compose import load_params
from sim.runs.runner import run_replication

UNCERTAINTIES = {
    "return_case_departure": ("behaviour.return_case_departure", 0.008, 0.04),
    "return_case_abscond": ("behaviour.return_case_abscond", 0.002, 0.03),
    "police_case_abscond": ("behaviour.police_case_abscond", 0.002, 0.03),
    "enforcement_strength": ("behaviour.enforcement_feedback.strength", 0.0, 2.0),
    "decisions_per_year": ("nations.SE.decisions_per_year", 10_000, 25_000),
    "cooperation": (None, 0.5, 1.3),
}
"""name: (config key, low, high), the behaviour ranges about the calibrated values as in
``configs/sensitivity.yaml``. ``cooperation`` multiplies every origin's acceptance probability
(capped at 1): third countries more or less willing than assumed."""

LEVERS = {
    "colocation": ["none", "partial", "full"],
    "info_sharing": ["restricted", "extended"],
    "avr": ["none", "standard", "reintegration"],
    "police_officers": (150, 400),
    "detention_places": (300, 1000),
}
"""Policy config groups (options) and Swedish capacities (integer ranges)."""

OUTCOMES = ("return_rate", "share_ever_absconded", "median_days_to_return", "detention_days_per_forced_return")


def run_returnsim(
    seed: int = 0,
    horizon_days: int | None = None,
    warmup_days: int | None = None,
    cooperation: float = 1.0,
    **inputs: float | str,
) -> dict[str, float]:
    """One replication for one EMA experiment: the Swedish summary metrics of :data:`OUTCOMES`.

    ``horizon_days`` and ``warmup_days`` override the config's run length when given.
    """
    overrides = [f"seed={seed}", "output.figures=false"]
    lengths = (("horizon_days", horizon_days), ("warmup_days", warmup_days))
    overrides += [f"{k}={v}" for k, v in lengths if v is not None]
    for name, value in inputs.items():
        if name in UNCERTAINTIES:
            overrides.append(f"{UNCERTAINTIES[name][0]}={value}")
        elif name in ("police_officers", "detention_places"):
            overrides.append(f"nations.SE.{name}={int(value)}")
        elif name in LEVERS:
            overrides.append(f"{name}={value}")
        else:
            raise KeyError(f"run_returnsim: unknown input {name!r}")
    params = load_params(overrides)
    for origin in params.origins.values():
        origin.accept_probability = min(1.0, origin.accept_probability * cooperation)
    row = run_replication(params, 0).summary.iloc[-1]
    return {name: float(row[name]) for name in OUTCOMES}


def returnsim_model(
    replications: int = 3,
    horizon_days: int | None = None,
    warmup_days: int | None = None,
    levers: Sequence[str] | None = None,
) -> ReplicatorModel:
    """The EMA model: uncertainties, the chosen levers (default all), outcomes averaged over ``replications`` seeds."""
    model = ReplicatorModel("returnsim", function=run_returnsim)
    model.uncertainties = [RealParameter(name, lo, hi) for name, (_key, lo, hi) in UNCERTAINTIES.items()]
    chosen = list(LEVERS) if levers is None else list(levers)
    model.levers = [
        CategoricalParameter(name, LEVERS[name])
        if isinstance(LEVERS[name], list)
        else IntegerParameter(name, *LEVERS[name])
        for name in chosen
    ]
    model.constants = [Constant("horizon_days", horizon_days), Constant("warmup_days", warmup_days)]  # None: config
    model.outcomes = [ScalarOutcome(name, function=np.nanmean) for name in OUTCOMES]
    model.replications = [{"seed": s} for s in range(replications)]
    return model


def discover(
    x: pd.DataFrame, cases: np.ndarray, density: float = 0.8
) -> tuple[int, pd.Series, pd.DataFrame, pd.DataFrame]:
    """PRIM scenario discovery: the box of ``x`` (uncertainties) that holds the ``cases`` of interest.

    Peels one box and picks, on its peeling trajectory, the box with the highest
    coverage among those whose density is at least ``density`` (the last one if
    none is). Returns its index, its statistics, its limits (a row per restricted
    uncertainty, with PRIM's quasi-p values) and the whole trajectory.
    """
    box = prim.Prim(x, cases, mass_min=0.05).find_box()
    trajectory = box.peeling_trajectory
    dense = trajectory.index[trajectory["density"] >= density]
    chosen = int(dense[trajectory.loc[dense, "coverage"].argmax()]) if len(dense) else len(trajectory) - 1
    box.select(chosen)
    stats, limits = box.inspect(chosen, style="data")[0]
    limits.columns = ["min", "max", "qp_value_min", "qp_value_max"]  # EMA's (box, statistic) column pairs
    return chosen, stats, limits.rename_axis("uncertainty").reset_index(), trajectory
