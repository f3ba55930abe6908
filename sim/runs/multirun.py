"""Sweeps: progress, resume and failures across a Hydra multirun, and its report at the end.

A sweep folder holds one run folder per job, named by the job's overrides
(``hydra.sweep.subdir``), so running the same sweep again finds each run
again: a run whose results are complete (:func:`sim.outputs.saved.run_is_complete`)
is skipped, a missing or broken one is redone. Each job, when it ends, drops
a small record in the sweep's ``.progress/`` folder and prints how many runs
are done out of how many, with an estimate of the time left; the records
work with any launcher whose workers share the sweep folder (joblib,
submitit on a cluster's shared disk). A job that fails writes ``failed.json``
(its overrides and the error) into its folder and lets the others go on; the
sweep then ends with a list of failed runs and exit code 1.

While it runs, a sweep holds its folder's lock (``sweep.lock``,
:class:`sim.outputs.locks.FolderLock`): a second sweep into the same folder
is refused, naming the first. Stopped by a signal (SIGTERM, SIGINT, SIGHUP),
it ends every process it started before it exits, so no worker goes on
simulating for a sweep that is gone; the runs in flight are left
incomplete and are redone when the same sweep is started again.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from types import FrameType
from typing import Any

import pandas as pd
import psutil
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from sim.outputs.files import write_json
from sim.outputs.locks import FolderInUse, FolderLock
from sim.params.folders import SWEEP_FILE, bare_key

PROGRESS_DIR = ".progress"
FAILURE_FILE = "failed.json"
SWEEP_LOCK = "sweep.lock"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class SweepCallback(Callback):
    """Hydra callback (``hydra.callbacks.sweep``): count the sweep's runs first, report and list failures last."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        """Check every run's config, then record how many runs the sweep has; forget an earlier attempt's progress.

        A run whose config is invalid stops the whole sweep here, before any
        run starts or any folder is written: exit 2, the run and its error named.
        """
        jobs = _jobs(config)
        if jobs:
            _check_jobs(jobs)
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            self.lock = FolderLock.acquire(sweep_dir, SWEEP_LOCK, "sweep")
        except FolderInUse as exc:
            print(f"returnsim: the sweep was not started: {exc}", file=sys.stderr, flush=True)
            sys.exit(2)
        self.lock.announce_takeover("returnsim")
        _stop_workers_on_signal(self.lock)
        progress = sweep_dir / PROGRESS_DIR
        progress.mkdir(parents=True, exist_ok=True)
        for old in progress.glob("*.json"):
            old.unlink()
        total, swept = _plan(jobs)
        total = total or config.hydra.sweeper.get("n_trials")  # an optimising sweeper: its trials
        write_json(sweep_dir / SWEEP_FILE, {"total": total, "swept": swept, "started": time.time()})
        if config.goal.objectives:
            _start_goal(config, sweep_dir)
        print(
            f"returnsim: sweep of {total or 'an unknown number of'} runs started in {sweep_dir}; a line after each run",
            flush=True,
        )

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Write the sweep's report, then name every failed run and exit non-zero if there was one."""
        sweep_dir = Path(config.hydra.sweep.dir)
        if lock := getattr(self, "lock", None):
            lock.release()
        records = _records(sweep_dir)
        failed = [r for r in records if r["status"] == "failed"]
        if config.goal.objectives and len(failed) < len(records):
            from sim.analysis.goal import write_goal_report  # imported late, as the report below

            print(f"returnsim: goal report written to {write_goal_report(sweep_dir)}", flush=True)
        if config.report.auto and len(failed) < len(records):
            from sim.analysis.report import write_report  # imported late: a run of the sweep does not load the analysis

            try:  # the failed runs are left out of it, listed on its page, and named below
                report, _ = write_report(sweep_dir, allow_incomplete=True)
                print(f"returnsim: report written to {report}", flush=True)
            except Exception as exc:  # a report problem must not hide which runs failed
                print(f"returnsim: the report could not be written: {exc}", file=sys.stderr, flush=True)
        if failed:
            lines = [f"  {r['run']}: {' '.join(r['overrides'])}: {r['error']}" for r in failed]
            print(
                f"returnsim: {len(failed)} of {len(records)} runs failed (details in each run's {FAILURE_FILE}):",
                *lines,
                sep="\n",
                file=sys.stderr,
                flush=True,
            )
            sys.exit(1)


def _stop_workers_on_signal(lock: FolderLock) -> None:
    """On a stop signal, end every process this sweep started (joblib's workers and theirs), then exit 128 + signal.

    Without this, joblib's workers outlive a sweep stopped by SIGTERM and go on
    simulating for it. The runs in flight are left incomplete (a run's folder
    is complete only once its results are written), so the same sweep started
    again redoes them.
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        children = psutil.Process().children(recursive=True)
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.terminate()
        _, alive = psutil.wait_procs(children, timeout=5)
        for child in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        lock.release()
        print(
            f"returnsim: the sweep was stopped ({signal.Signals(signum).name}) and the {len(children)} processes it "
            "started were ended; runs in flight are left incomplete and are redone when the same sweep starts again",
            file=sys.stderr,
            flush=True,
        )
        os._exit(128 + signum)  # at once: joblib's exit handlers would wait for the workers ended above

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)


def _start_goal(config: DictConfig, sweep_dir: Path) -> None:
    """A goal-seeking sweep: run the baseline (the config without the sweeper's choices) and record the goal.

    The baseline runs on the same seeds and replications as every trial, into
    ``baseline/`` (skipped when already complete); ``goal.json`` keeps the
    objectives, the sweeper's directions and the baseline's target metric.
    """
    from sim.analysis.goal import BASELINE_DIR, GOAL_FILE
    from sim.outputs.saved import run_is_complete
    from sim.params.compose import compose, to_params
    from sim.runs.runner import config_text, objective_means, run_scenario

    goal = config.goal
    directions = config.hydra.sweeper.get("direction")
    directions = [directions] if isinstance(directions, str) else list(directions or [])
    if len(directions) != len(goal.objectives):
        print(
            f"returnsim: goal.objectives has {len(goal.objectives)} metrics but hydra.sweeper.direction "
            f"{len(directions)} directions; give one direction (minimize or maximize) per objective",
            file=sys.stderr,
            flush=True,
        )
        sys.exit(2)
    params = to_params(compose([*config.hydra.overrides.task, *fixed_sweeper_params(config)]))
    baseline_dir = sweep_dir / BASELINE_DIR
    if run_is_complete(baseline_dir, config_text(params)):
        summary = pd.read_parquet(baseline_dir / "summary.parquet")
    else:
        summary = pd.concat([r.summary for r in run_scenario(params, baseline_dir)], ignore_index=True)
    (baseline,) = objective_means([goal.target_metric], summary)
    spec = {
        "objectives": list(goal.objectives),
        "directions": directions,
        "target_metric": goal.target_metric,
        "target_factor": goal.target_factor,
        "baseline": baseline,
    }
    write_json(sweep_dir / GOAL_FILE, spec)
    print(
        f"returnsim: goal {goal.target_metric} >= {goal.target_factor:g} x {baseline:,.1f} (the baseline)", flush=True
    )


def fixed_sweeper_params(config: DictConfig) -> list[str]:
    """The sweeper's parameters that take one value (no choice, range or list): every trial runs with them.

    The goal's baseline runs with them too, so that it differs from a trial only in what the sweeper searches.
    """
    params = config.hydra.sweeper.get("params") or {}
    parser = OverridesParser.create()
    overrides = parser.parse_overrides([f"{k}={v}" for k, v in params.items()])
    return [o.input_line for o in overrides if o.input_line is not None and not o.is_sweep_override()]


def _jobs(config: DictConfig) -> list[list[str]] | None:
    """Each job's overrides as the basic sweeper makes them (None for another sweeper, or syntax only it knows)."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    if not str(config.hydra.sweeper.get("_target_", "")).endswith(("BasicSweeper", "CheckedSweeper")):
        return None  # an optimising sweeper (Optuna) proposes its jobs as it goes
    try:
        params = config.hydra.sweeper.get("params") or {}
        arguments = [f"{k}={v}" for k, v in params.items()] + list(config.hydra.overrides.task)
        loader = GlobalHydra.instance().config_loader() if GlobalHydra.instance().is_initialized() else None
        overrides = OverridesParser.create(config_loader=loader).parse_overrides(arguments)
        (jobs,) = BasicSweeper.split_arguments(overrides, None)
    except Exception:  # noqa: BLE001 - progress is then shown without a total, and jobs are checked as they run
        return None
    return [list(job) for job in jobs]


def _check_jobs(jobs: list[list[str]]) -> None:
    """Compose and validate every distinct job's config; on the first invalid one, name it and exit 2.

    Jobs that differ only in their seed share a config but for the seed, so
    one of them is composed and every seed is checked against its range.
    """
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from sim.outputs.columns import check_report
    from sim.params.checks import SEED, ConfigError, check_number
    from sim.params.compose import compose, to_params

    seen: set[tuple[str, ...]] = set()
    for number, job in enumerate(jobs):
        others = tuple(sorted(item for item in job if bare_key(item.partition("=")[0]) != "seed"))
        try:
            for item in job:
                key, _, value = item.partition("=")
                if bare_key(key) == "seed":
                    check_number("seed", int(value), SEED)
            if others in seen:
                continue
            seen.add(others)
            check_report(to_params(compose(job)))
        except (ConfigError, HydraException, OmegaConfBaseException, ValueError) as exc:
            reason = " ".join(str(exc).split("Config search path:")[0].split())  # every line, not Hydra's search path
            if exc.__cause__ is not None:  # Hydra's "Error merging override" says why only in its cause
                reason += f" ({' '.join(str(exc.__cause__).split())})"
            print(
                f"returnsim: the sweep was not started: run #{number} ({' '.join(job)}) has an invalid config: "
                f"{reason}",
                file=sys.stderr,
                flush=True,
            )
            sys.exit(2)


def _plan(jobs: list[list[str]] | None) -> tuple[int | None, list[str] | None]:
    """How many jobs the sweep has, and which keys take more than one value."""
    if jobs is None:
        return None, None
    values: dict[str, set[str]] = {}
    for job in jobs:
        for item in job:
            key, _, value = item.partition("=")
            values.setdefault(bare_key(key), set()).add(value)
    return len(jobs), sorted(k for k, v in values.items() if len(v) > 1)


def job_finished(sweep_dir: Path, job: int, run: str, status: str, overrides: list[str], error: str = "") -> str:
    """Record one job's end (``complete``, ``skipped`` or ``failed``); return the progress line to print."""
    write_json(
        sweep_dir / PROGRESS_DIR / f"{job}.json",
        {"run": run, "status": status, "overrides": overrides, "error": error, "ended": time.time()},
    )
    return progress_line(sweep_dir)


def progress_line(sweep_dir: Path) -> str:
    """``k/N runs done (s skipped, f failed); about T left`` from the sweep's records."""
    records = _records(sweep_dir)
    try:
        sweep = json.loads((sweep_dir / SWEEP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        sweep = {"total": None, "started": None}
    total, started = sweep["total"], sweep["started"]
    done = len(records)
    skipped = sum(r["status"] == "skipped" for r in records)
    failed = sum(r["status"] == "failed" for r in records)
    bar = f"[{'#' * round(20 * done / total):<20}] " if total else ""
    line = (
        f"returnsim: {bar}{done}/{total if total else '?'} runs done ({skipped} skipped as complete, {failed} failed)"
    )
    worked = done - skipped
    if started and worked:
        elapsed = time.time() - started
        line += f"; {60 * worked / elapsed:.1f} runs/min"
        if total and done < total:
            line += f"; about {_duration((total - done) * elapsed / worked)} left"
    return line


def failure_record(run_dir: Path, overrides: list[str], exc: BaseException) -> str:
    """Write ``failed.json`` for a run that raised; return the one-line error."""
    error = f"{type(exc).__name__}: {exc}"
    write_json(
        run_dir / FAILURE_FILE,
        {"overrides": overrides, "error": error, "traceback": traceback.format_exception(exc)},
    )
    return error


def _records(sweep_dir: Path) -> list[dict[str, Any]]:
    records = []
    for path in sorted((sweep_dir / PROGRESS_DIR).glob("*.json")):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # being written by another worker
    return records


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
