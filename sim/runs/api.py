"""The Python API for notebooks and scripts: run a scenario, sweep levers, compare with intervals.

In the spirit of Mesa's ``batch_run`` and the EMA Workbench's
``perform_experiments``, on the same configs as the command line: every call
composes ``configs/`` with Hydra and validates it exactly as ``returnsim``
does, so there is no second source of defaults, and a run here equals the
command-line run of the same overrides and seed.

>>> from sim import build, run, sweep, effects
>>> result = run(["colocation=full"], replications=4)          # doctest: +SKIP
>>> model = build(["colocation=full"]); model.run_until(400)    # doctest: +SKIP
>>> model.migrants[0].history                                   # doctest: +SKIP
>>> result.intervals("return_rate")                              # doctest: +SKIP
>>> table = sweep({"colocation": ["none", "full"]}, seeds=range(4))  # doctest: +SKIP
>>> effects(table, baseline={"colocation": "none"})              # doctest: +SKIP
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
from hydra.errors import HydraException
from joblib import Parallel, delayed
from omegaconf.errors import OmegaConfBaseException
from tqdm.auto import tqdm

from sim.analysis.collect import DRAW_KEY, tidy_runs
from sim.analysis.effects import baselines
from sim.analysis.effects import effects as paired_effects
from sim.analysis.intervals import summary_intervals
from sim.model.model import ReturnModel
from sim.outputs.columns import check_report
from sim.outputs.metrics import METRICS
from sim.params.checks import ConfigError, check_workers
from sim.params.compose import AppConfig, load_params
from sim.params.entry import composition_message
from sim.runs.runner import ReplicationResult, config_text, run_replication, write_results


@dataclass
class Results:
    """What :func:`run` produced: the validated parameters and every replication's tables, concatenated (once)."""

    params: AppConfig
    replications: list[ReplicationResult]

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Every metric per replication and country (``columns.md``: the data dictionary)."""
        return pd.concat([r.summary for r in self.replications], ignore_index=True)

    @cached_property
    def register(self) -> pd.DataFrame:
        """The case register: a row per case and replication."""
        return pd.concat([r.register for r in self.replications], ignore_index=True)

    @cached_property
    def stocks(self) -> pd.DataFrame:
        """Daily stocks and queues per country and replication."""
        return pd.concat([r.stocks for r in self.replications], ignore_index=True)

    @cached_property
    def yearly(self) -> pd.DataFrame:
        """Outcomes by year of the horizon and stocks at each year's end, per country and replication."""
        return pd.concat([r.yearly for r in self.replications], ignore_index=True)

    @cached_property
    def flights(self) -> pd.DataFrame:
        """A row per charter (or EU operation) and country on board."""
        return pd.concat([r.flights for r in self.replications], ignore_index=True)

    @property
    def config(self) -> str:
        """The exact, fully resolved config, as ``config.yaml`` of a results folder holds it."""
        return config_text(self.params)

    def intervals(self, *metrics: str) -> pd.DataFrame:
        """Mean and 95 % t-interval over replications (seed noise only) of ``metrics`` (all when none), per country."""
        return summary_intervals(self.summary, list(metrics) or None)

    def save(self, out_dir: str | Path) -> Path:
        """Write the results folder the command line would write (config, tables, figures, ``run.json``)."""
        out_dir = Path(out_dir)
        write_results(self.params, self.replications, out_dir)
        return out_dir

    def plot_stocks(self):  # noqa: ANN201 - a matplotlib Figure; matplotlib loads only when drawing
        """Open cases by state over time (the run's ``figures/stocks.png``); returns the figure."""
        from sim.outputs import figures as plots

        return plots.stocks_figure(self.stocks, self.params.warmup_days, None)

    def plot_outcomes(self):  # noqa: ANN201
        """Where the horizon's decisions stand at the end (the run's ``figures/outcomes.png``); returns the figure."""
        from sim.outputs import figures as plots

        return plots.outcomes_figure(self.register, self.params.warmup_days, None)

    def plot_flights(self):  # noqa: ANN201
        """Charters per country, their seat use and who paid (``figures/flights.png``); None when none flew."""
        from sim.outputs import figures as plots

        return plots.flights_figure(self.summary, None)


def run(
    overrides: Sequence[str] = (),
    *,
    replications: int | None = None,
    seed: int | None = None,
    progress: bool = True,
) -> Results:
    """Run one scenario: ``overrides`` in command-line syntax (``"colocation=full"``) on the default config.

    ``replications`` and ``seed`` are shorthands for the config keys of the
    same name. A wrong key, option or value raises
    :class:`~sim.params.checks.ConfigError` naming it, before anything runs.
    """
    params = _params(overrides, replications=replications, seed=seed)
    steps = tqdm(range(params.replications), desc="replications", unit="rep", disable=not progress)
    return Results(params, [run_replication(params, r) for r in steps])


def build(overrides: Sequence[str] = (), *, seed: int | None = None, replication: int = 0) -> ReturnModel:
    """The model of one replication of a scenario, built and not yet run: to step and look into.

    ``model.run_until(day)`` (Mesa) runs it to the end of ``day``;
    ``model.migrants[i]`` is the i-th case opened (its ``state``, ``origin``,
    ``history``...), ``model.agents`` the agencies, authorities and attachés;
    ``model.case_register()``, ``model.stocks()`` the run's tables so far.
    Run to its end, it is the replication :func:`run` runs.
    """
    return ReturnModel(_params(overrides, seed=seed), replication)


def sweep(
    levers: Mapping[str, Iterable[object]],
    *,
    seeds: Iterable[int] = range(4),
    overrides: Sequence[str] = (),
    workers: int = 1,
    progress: bool = True,
) -> pd.DataFrame:
    """Run every combination of ``levers``' values with every seed; one tidy table of their summaries.

    ``levers`` maps a config key to its values (``{"colocation": ["none",
    "full"]}``); ``overrides`` apply to every run. The table has a row per
    scenario, seed, replication and country, the levers as columns, a
    ``scenario`` label in the order given, and every metric: the layout of a
    report's ``runs.parquet``, so :func:`effects` pairs it by seed (and by
    posterior draw: sweep ``posterior_draw`` over draws of the calibration's
    posterior to include parameter uncertainty in the intervals). Runs are
    pure functions of their config and seed, so ``workers`` (processes)
    changes the speed, never the table. Every config is validated before the
    first run starts.
    """
    check_workers(workers)
    if not isinstance(levers, Mapping):
        raise ConfigError(f"sweep: levers={levers!r}; give a mapping of config keys to lists of values")
    keys = list(levers)
    combos = list(itertools.product(*(list(levers[k]) for k in keys)))
    seeds = list(seeds)
    if not combos or not seeds:
        raise ConfigError("sweep: give at least one value for each lever and at least one seed")
    tasks = []
    for combo in combos:
        values = {k: str(v) if isinstance(v, (list, tuple, dict)) else v for k, v in zip(keys, combo, strict=True)}
        for seed in seeds:
            lever_overrides = [f"{k}={_override_value(v)}" for k, v in zip(keys, combo, strict=True)]
            params = _params([*overrides, *lever_overrides], seed=seed)
            tasks += [(values, params, r) for r in range(params.replications)]
    summaries = Parallel(n_jobs=workers, return_as="generator")(
        delayed(_summary)(params, replication) for _, params, replication in tasks
    )
    bar = tqdm(summaries, total=len(tasks), desc="runs", unit="run", disable=not progress)
    frames = [
        summary.assign(**{**values, DRAW_KEY: params.posterior_draw, "run": f"run{job}", "job": job})
        for job, ((values, params, _), summary) in enumerate(zip(tasks, bar, strict=True))
    ]
    return tidy_runs(frames)


def effects(table: pd.DataFrame, baseline: Mapping[str, object], metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Each scenario's paired effect against ``baseline`` with its intervals: the columns of ``effects.csv``.

    ``baseline`` picks the baseline scenario by lever values
    (``{"colocation": "none"}``); a swept key not named there is a stratum
    with its own baseline, as in a report.
    """
    if isinstance(metrics, str):
        raise ConfigError(f"effects: metrics must be a list of metric names, not the string {metrics!r}")
    chosen = list(metrics or METRICS)
    unknown = [m for m in chosen if m not in METRICS]
    if unknown:
        raise ConfigError(f"effects: unknown metric {unknown[0]!r} in metrics; choose from {', '.join(METRICS)}")
    spec = [f"{k}={_override_value(v)}" for k, v in baseline.items()]
    return paired_effects(table, chosen, baselines(table, spec))


def _params(overrides: Sequence[str], **shorthands: int | None) -> AppConfig:
    """Validated parameters of ``overrides`` and the shorthands (``seed``, ``replications``), each checked first."""
    for key, value in shorthands.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"{key}={value!r}: give a whole number (int), or None for the config's value")
    extra = [f"{key}={value}" for key, value in shorthands.items() if value is not None]
    if isinstance(overrides, str) or not isinstance(overrides, Sequence):
        raise ConfigError(f"overrides must be a list of key=value strings, not {overrides!r}")
    for i, item in enumerate(overrides):
        if not isinstance(item, str) or "=" not in item:
            raise ConfigError(f"overrides[{i}]={item!r} is not a key=value string (e.g. 'colocation=full')")
    try:
        params = load_params([*overrides, *extra])
    except (HydraException, OmegaConfBaseException) as exc:  # composition: an unknown option, key or syntax
        raise ConfigError(f"{composition_message(exc)} (overrides: {[*overrides, *extra]})") from None
    check_report(params)  # as the command line does: a report block naming an unknown metric is an error
    return params


def _summary(params: AppConfig, replication: int) -> pd.DataFrame:
    return run_replication(params, replication).summary


def _override_value(value: object) -> str:
    """A Python value as a Hydra override value (lists as ``[a,b]``)."""
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_override_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
