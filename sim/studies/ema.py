"""returnsim as an EMA Workbench model: uncertainties, levers and outcomes declared in config.

``returnsim_model(cfg, levers)`` turns a sensitivity config (``configs/sensitivity.yaml``)
into an EMA ``ReplicatorModel``, in the XLRM terms of the EMA Workbench:

- **X** (uncertainties): each range of ``cfg.parameters``, its name the config key as an
  identifier (:func:`ema_name`) and ``variable_name`` the key itself; a ``log`` range is sampled
  uniformly on its log10 scale (variable ``log10:<key>``);
- **L** (levers): the named config groups, each with every option in ``configs/<group>/``;
- **R** (outcomes): ``cfg.outcomes``, averaged over the replications;
- **M** (the model): :func:`run_experiment` on the scenario ``cfg.scenario`` (its
  countries, run length and any other override), seed ``cfg.seed``, replications
  ``0..cfg.replications-1``; each replication's last summary row (the pooled one
  with several countries), as in ``returnsim-sensitivity``.

Every value goes through the config and its validation; nothing is edited after.
EMA's evaluators run the experiments; :func:`discover` runs PRIM on the results
(``returnsim-discover``, :mod:`sim.studies.discovery`, is the worked example).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

with warnings.catch_warnings():  # EMA warns that an optional cluster back-end (ipyparallel) is missing
    warnings.simplefilter("ignore", UserWarning)
    from ema_workbench import CategoricalParameter, Constant, RealParameter, ReplicatorModel, ScalarOutcome
    from ema_workbench.analysis import prim

from sim.params.checks import ConfigError
from sim.params.compose import CONFIG_DIR, compose
from sim.runs.runner import run_replication
from sim.studies.sensitivity_config import SensitivityConfig, validate
from sim.studies.study import with_values

NOT_LEVERS = ("hydra", "paths")
"""Config groups that set how returnsim runs and where it writes, not the scenario: never a lever."""
LOG_PREFIX = "log10:"
"""A variable named ``log10:<key>`` holds the log10 of the key's value (a range with ``log: true``)."""


def ema_name(key: str) -> str:
    """A config key as an EMA name, a Python identifier (``origins.slow.x`` gives ``origins__slow__x``)."""
    return key.replace(".", "__")


def lever_options(group: str) -> list[str]:
    """The options of config group ``group`` (its YAML files), or a ConfigError naming the groups there are."""
    options = sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml")) if _is_group(group) else []
    if not options:
        groups = sorted(p.name for p in CONFIG_DIR.iterdir() if _is_group(p.name) and any(p.glob("*.yaml")))
        raise ConfigError(f"levers: {group!r} is not a config group; choose from {', '.join(groups)}")
    return options


def _is_group(name: str) -> bool:
    return name not in NOT_LEVERS and (CONFIG_DIR / name).is_dir()


def run_experiment(
    scenario: Sequence[str], seed: int, replication: int, outcomes: Sequence[str], **inputs: float | str
) -> dict[str, float]:
    """One replication of one EMA experiment: ``outcomes`` of the scenario with ``inputs`` set.

    An input named ``log10:<key>`` sets ``key`` to 10 to that power; a config
    group's name picks that option; any other input sets that config key.
    """
    groups = [f"{name}={value}" for name, value in inputs.items() if _is_group(name)]
    model = compose([*scenario, *groups, f"seed={seed}"])
    values = {}
    for name, value in inputs.items():
        if name.startswith(LOG_PREFIX):
            values[name.removeprefix(LOG_PREFIX)] = 10.0 ** float(value)
        elif not _is_group(name):
            values[name] = value
    row = run_replication(with_values(model, values), replication).summary.iloc[-1]
    return {name: float(row[name]) for name in outcomes}


def returnsim_model(cfg: SensitivityConfig, levers: Sequence[str] = ()) -> ReplicatorModel:
    """The EMA model of ``cfg``'s scenario: its ranges as uncertainties, ``levers`` (config groups) as levers."""
    for key, value, plain in [
        ("model", cfg.model, "returnsim"),
        ("scale", cfg.scale, 1.0),
        ("posterior", cfg.posterior, False),
        ("lever_assumptions", cfg.lever_assumptions, False),
        ("effect_of", cfg.effect_of, []),
    ]:
        if value != plain:
            raise ConfigError(f"{key}={value!r}: the EMA adapter varies the parameters ranges only; set {key}={plain}")
    validate(cfg, compose([*cfg.scenario, f"seed={cfg.seed}"]))
    model = ReplicatorModel("returnsim", function=run_experiment)
    model.uncertainties = [
        RealParameter(ema_name(key), math.log10(r.low), math.log10(r.high), variable_name=LOG_PREFIX + key)
        if r.log
        else RealParameter(ema_name(key), r.low, r.high, variable_name=key)
        for key, r in cfg.parameters.items()
    ]
    model.levers = [CategoricalParameter(group, lever_options(group)) for group in levers]
    model.constants = [
        Constant("scenario", tuple(cfg.scenario)),
        Constant("seed", cfg.seed),
        Constant("outcomes", tuple(cfg.outcomes)),
    ]
    model.outcomes = [ScalarOutcome(name, function=np.nanmean) for name in cfg.outcomes]
    model.replications = [{"replication": r} for r in range(cfg.replications)]
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
