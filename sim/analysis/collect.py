"""A sweep folder as one tidy table: every complete run's summary, overrides, scenario, seed and draw.

Also the per-run series the report draws (stocks over time, cumulative
incidence), read from each run's own files; nothing here runs the model.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.outputs.files import REDO
from sim.outputs.metrics import METRICS
from sim.outputs.saved import DamagedRun, inspect_run, plain_yaml, read_plain_yaml, read_saved_config
from sim.params.checks import plain_mapping

SEED_KEYS = ("seed", "replication")


DRAW_KEY = "posterior_draw"
"""The posterior draw a run used (-1: the preset's values); runs are paired by draw as well as by seed."""


IGNORED_KEYS = ("experiment", "paths.results_dir", "report.auto", "report.allow_incomplete")
"""Overrides that name where or how a run is reported, not what it simulates."""


class ReportError(RuntimeError):
    """A sweep folder cannot be reported (nothing complete in it, a run not complete, or not a sweep)."""


REPAIR = (
    f"To repair them, {REDO}; to report the complete runs only, pass --allow-incomplete "
    "(or set report.allow_incomplete=true for the sweep)."
)


# --- collecting runs ----------------------------------------------------------------
def run_dirs(sweep_dir: Path) -> list[Path]:
    """Run folders of a sweep (each holds Hydra's ``.hydra/overrides.yaml``), in job order."""
    found = [p.parent.parent for p in sweep_dir.glob("*/.hydra/overrides.yaml")]
    return sorted(found, key=_job_number)


def _job_number(run_dir: Path) -> int:
    try:
        return int(
            read_plain_yaml(run_dir / ".hydra" / "hydra.yaml")["hydra"]["job"]["num"]  # type: ignore[index]
        )
    except Exception:  # noqa: BLE001 - a run without Hydra's record sorts last
        return sys.maxsize


def _overrides(run_dir: Path) -> dict[str, object]:
    """The run's task overrides as ``{key: value}``, values read as YAML (numbers become numbers)."""
    items = read_plain_yaml(run_dir / ".hydra" / "overrides.yaml")
    if not isinstance(items, list):
        raise ValueError("not a list of overrides")
    found: dict[str, object] = {}
    for item in items:
        key, _, value = str(item).partition("=")
        key = key.lstrip("+~")
        if key not in IGNORED_KEYS and key not in SEED_KEYS:  # DRAW_KEY is kept: the caller takes it out
            found[key] = plain_yaml(value) if value else value
    return found


def collect_runs(sweep_dir: Path, skipped: dict[str, str] | None = None) -> pd.DataFrame:
    """Every complete run's summary with its overrides: a row per run x country x replication.

    A run folder that is not complete (failed, unfinished or damaged) is an
    error naming each such run and why; with a ``skipped`` dict the runs are
    left out instead, and ``skipped`` receives each one's name and reason.
    """
    frames = []
    problems: dict[str, str] = {}
    for order, run_dir in enumerate(run_dirs(sweep_dir)):
        try:
            run = inspect_run(run_dir)
        except DamagedRun as exc:
            problems[run_dir.name] = str(exc)
            continue
        try:
            overrides = _overrides(run_dir)
        except (OSError, ValueError, TypeError, yaml.YAMLError) as exc:
            problems[run_dir.name] = f".hydra/overrides.yaml is damaged ({type(exc).__name__}: {exc})"
            continue
        summary = pd.read_parquet(run_dir / "summary.parquet")
        overrides.pop(DRAW_KEY, None)  # the draw comes from the run's own config, wherever it was set
        summary[DRAW_KEY] = run.params.posterior_draw
        for key, value in overrides.items():
            summary[_column_for(key, summary)] = str(value) if isinstance(value, (list, dict)) else value
        summary["run"] = run_dir.name
        summary["job"] = order
        frames.append(summary)
    if problems and (skipped is None or not frames):  # none complete: each run's reason, not "no runs"
        raise incomplete_error(sweep_dir, problems)
    if skipped is not None:
        skipped.update(problems)
    if not frames:
        if (sweep_dir / "run.json").exists():
            raise ReportError(
                f"{sweep_dir} is a single run, not a sweep: a report compares a sweep's runs "
                "(returnsim -m ...); to compare single runs use returnsim-compare RUN_DIR RUN_DIR ..."
            )
        raise ReportError(
            f"{sweep_dir}: no complete runs found (a run is complete once its run.json is written); "
            "give a sweep folder (results/<name>/sweep_<time>, or results/<experiment>)"
        )
    return tidy_runs(frames)


def _column_for(key: str, summary: pd.DataFrame) -> str:
    """The runs table's column for override ``key``: its name, or ``<key>_group`` where the summary has it.

    ``country=nordic`` chooses the config group; the summary's ``country`` is each row's code.
    """
    return f"{key}_group" if key in summary.columns else key


def tidy_runs(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Runs' summaries (each with its overrides, ``posterior_draw``, ``run`` and ``job``) as one tidy table.

    Adds the ``scenario`` label (the values of the swept parameters, in the
    order the runs were started) and sorts by scenario, draw, seed,
    replication and country; the layout of ``runs.parquet``.
    """
    runs = pd.concat(frames, ignore_index=True)
    params = swept_parameters(runs)
    runs["scenario"] = _scenario_labels(runs, params)
    first_cols = [*params, "scenario", DRAW_KEY, "seed", "replication", "country", "run"]
    others = [c for c in runs.columns if c not in first_cols and c != "job"]
    order = runs.groupby("scenario", sort=False)["job"].min().sort_values().index
    runs["scenario"] = pd.Categorical(runs["scenario"], categories=list(order), ordered=True)
    return runs.sort_values(["scenario", DRAW_KEY, "seed", "replication", "country"], kind="stable")[
        first_cols + others
    ].reset_index(drop=True)


def skipped_lines(skipped: dict[str, str]) -> str:
    """One indented line per run left out: its folder and why."""
    return "\n".join(f"  {run}: {reason}" for run, reason in skipped.items())


def incomplete_error(sweep_dir: Path, skipped: dict[str, str]) -> ReportError:
    """The error for a sweep with runs that are not complete: each run and why, and what to do."""
    return ReportError(f"{sweep_dir}: {len(skipped)} run(s) not complete:\n{skipped_lines(skipped)}\n{REPAIR}")


def swept_parameters(runs: pd.DataFrame) -> list[str]:
    """Override columns whose value differs between runs (the scenario's coordinates)."""
    fixed = {DRAW_KEY, "seed", "replication", "country", "run", "job", "scenario", *METRICS}
    candidates = [c for c in runs.columns if c not in fixed]
    return [c for c in candidates if runs[c].astype(str).nunique() > 1]


def _scenario_labels(runs: pd.DataFrame, params: list[str]) -> pd.Series:
    if not params:
        return pd.Series("all runs", index=runs.index)
    if len(params) == 1:
        return runs[params[0]].astype(str)
    return runs[params].astype(str).apply(lambda row: ", ".join(f"{k}={v}" for k, v in row.items()), axis=1)


def with_draw(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` with a ``posterior_draw`` column (-1, the preset's values, where a table has none)."""
    return runs if DRAW_KEY in runs.columns else runs.assign(**{DRAW_KEY: -1})


# --- reading the runs' own tables -------------------------------------------------
def run_config(run_dir: Path) -> dict:
    """The config a run saved (``config.yaml``), as plain containers, interpolations left as written."""
    return plain_mapping(read_saved_config(run_dir / "config.yaml"))


def _scenario_of_runs(runs: pd.DataFrame) -> dict[str, str]:
    return dict(zip(runs["run"], runs["scenario"].astype(str), strict=False))


def stock_series(sweep_dir: Path, runs: pd.DataFrame, states: list[str]) -> pd.DataFrame:
    """Daily stocks of ``states`` (summed over countries) per run and replication, with the scenario."""
    frames = []
    for run, scenario in _scenario_of_runs(runs).items():
        path = sweep_dir / run / "stocks.parquet"
        if not path.exists():
            continue
        stocks = pd.read_parquet(path, columns=["replication", "day", *states])
        summed = stocks.groupby(["replication", "day"], as_index=False)[states].sum()
        summed["run"], summed["scenario"] = run, scenario
        frames.append(summed)
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).melt(
        id_vars=["run", "scenario", "replication", "day"], value_vars=states, var_name="state", value_name="cases"
    )


def yearly_runs(sweep_dir: Path, runs: pd.DataFrame) -> pd.DataFrame:
    """Every run's ``yearly.csv`` (a row per replication, country and year) beside its keys in ``runs``.

    The keys are those :func:`sim.analysis.effects.effects` pairs by (the
    scenario, the posterior draw, the seed, the replication, the country),
    so a year's rows are compared as the runs' summaries are.
    """
    keys = runs.drop_duplicates("run").set_index("run")
    frames = []
    for run in keys.index:
        path = sweep_dir / run / "yearly.csv"
        if not path.exists():
            continue
        yearly = pd.read_csv(path)
        for column in (c for c in keys.columns if c not in yearly.columns and c != "country"):
            yearly[column] = keys.loc[run, column]
        yearly["run"] = run
        frames.append(yearly)
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    table["scenario"] = pd.Categorical(table["scenario"], categories=runs["scenario"].cat.categories, ordered=True)
    return table


def incidence_curves(sweep_dir: Path, runs: pd.DataFrame, points: int = 200) -> pd.DataFrame:
    """Cumulative incidence of return, absconding and expiry by days since decision, per scenario."""
    from sim.analysis.incidence import cumulative_incidence, first_events

    columns = ["decision_day", "matched", "outcome", "outcome_day", "entered_absconded"]
    pooled: dict[str, list[pd.DataFrame]] = {}
    horizon = 0.0
    for run, scenario in _scenario_of_runs(runs).items():
        path = sweep_dir / run / "case_register.parquet"
        if not path.exists():
            continue
        cfg = run_config(sweep_dir / run)
        end = cfg["warmup_days"] + cfg["horizon_days"]
        horizon = max(horizon, cfg["horizon_days"])
        register = pd.read_parquet(path, columns=columns)
        pooled.setdefault(scenario, []).append(first_events(register, cfg["warmup_days"], end))
    grid = np.linspace(0.0, horizon, points)
    rows = []
    for scenario, frames in pooled.items():
        events = pd.concat(frames, ignore_index=True)
        rows.append(cumulative_incidence(events["days"], events["event"], grid).assign(scenario=scenario))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
