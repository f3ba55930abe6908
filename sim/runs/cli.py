"""The ``returnsim`` command: a Hydra app that runs one scenario, or a sweep of them with ``-m``.

The model, the tables and the plotting libraries are imported only once a
run is to start, so ``returnsim --help`` and a refused override answer at
once (Hydra composes and checks the config before :func:`app` runs).
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from sim.params.checks import ConfigError
from sim.params.compose import CONFIG_DIR, register_schema, to_params
from sim.params.entry import guarded
from sim.params.history import check_overrides

register_schema()


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def app(cfg: DictConfig) -> float | tuple[float, ...] | None:
    """Validate the config, run the replications, write results and print a summary.

    With ``goal.objectives`` set, return their means for an optimising sweeper (Optuna).
    """
    import pandas as pd

    from sim.outputs.columns import check_report
    from sim.outputs.files import RUN_LOCK, discard_run_dir, remove_partial_results
    from sim.outputs.locks import FolderInUse, FolderLock
    from sim.runs.multirun import FAILURE_FILE, failure_record
    from sim.runs.runner import format_summary, objective_values, run_scenario, scenario_in_words

    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    if hc.mode == RunMode.MULTIRUN:
        return _sweep_job(cfg, out_dir, Path(hc.sweep.dir), hc.job.num, list(hc.overrides.task))
    try:
        params = to_params(cfg)
        check_report(params)
        check_overrides(params.history, list(hc.overrides.task))
    except ConfigError as exc:
        discard_run_dir(out_dir)
        print(f"returnsim: invalid config: {exc}", file=sys.stderr)
        sys.exit(2)
    try:
        lock = FolderLock.acquire(out_dir, RUN_LOCK, "run")
    except FolderInUse as exc:
        print(
            f"returnsim: {exc}; nothing was written. Wait for it to end, or give this run its own folder.",
            file=sys.stderr,
        )
        sys.exit(2)
    except OSError as exc:
        print(f"returnsim: cannot lock {out_dir} for the run, nothing was run: {exc}", file=sys.stderr)
        sys.exit(1)
    lock.announce_takeover("returnsim")
    if (out_dir / "run.json").exists():
        if not params.overwrite:
            lock.release()
            print(
                f"returnsim: {out_dir} holds a finished run (run.json); nothing was written. Run into another folder "
                "(leave hydra.run.dir out for a new one), or add overwrite=true to replace it.",
                file=sys.stderr,
            )
            sys.exit(2)
        remove_partial_results(out_dir)  # every file of the run it replaces, so nothing of it mixes with the new
        (out_dir / FAILURE_FILE).unlink(missing_ok=True)
    if not params.output.quiet:
        print(scenario_in_words(params), flush=True)
    try:
        save_hydra_record(cfg, out_dir)
        results = run_scenario(params, out_dir)
    except Exception as exc:  # noqa: BLE001 - any failure: no partial result may pass for a result
        remove_partial_results(out_dir)
        try:
            error = failure_record(out_dir, list(hc.overrides.task), exc)
        except OSError:  # a full disk or read-only folder: the message below is all there is
            error = f"{type(exc).__name__}: {exc}"
        print(f"returnsim: the run failed, no results were kept in {out_dir}: {error}", file=sys.stderr)
        sys.exit(1)
    finally:
        lock.release()
    summary = pd.concat([r.summary for r in results], ignore_index=True)
    if not params.output.quiet:
        print(format_summary(params, summary))
        print(f"results: {out_dir}")
    return objective_values(params.goal.objectives, summary) if params.goal.objectives else None


def main() -> None:
    """The console entry point: ``--help`` from ``configs/`` at once, else the Hydra app (:func:`app`)."""
    if any(arg in ("--help", "-h") for arg in sys.argv[1:]):
        from sim.runs.info import help_text

        print(help_text())
        return
    guarded("returnsim", app)()


def _sweep_job(
    cfg: DictConfig, out_dir: Path, sweep_dir: Path, job: int, overrides: list[str]
) -> float | tuple[float, ...] | None:
    """One run of a sweep: skip it if already complete; on failure record it and let the others go on.

    With ``goal.objectives`` set it returns their means (NaN for a failed run: Optuna marks the trial failed).
    """
    import pandas as pd

    from sim.outputs.files import remove_partial_results
    from sim.outputs.saved import run_is_complete
    from sim.runs.multirun import FAILURE_FILE, failure_record, job_finished
    from sim.runs.runner import config_text, objective_values, run_scenario

    run = out_dir.name
    objectives = list(cfg.goal.objectives)
    try:
        params = to_params(cfg)
        if run_is_complete(out_dir, config_text(params)):
            print(job_finished(sweep_dir, job, run, "skipped", overrides), flush=True)
            summary = pd.read_parquet(out_dir / "summary.parquet")
            return objective_values(objectives, summary) if objectives else None
        (out_dir / FAILURE_FILE).unlink(missing_ok=True)
        save_hydra_record(cfg, out_dir)
        results = run_scenario(params, out_dir)
    except Exception as exc:  # noqa: BLE001 - any failure of one run is recorded; the sweep goes on
        remove_partial_results(out_dir)
        error = failure_record(out_dir, overrides, exc)
        print(f"returnsim: run {run} failed: {error}", file=sys.stderr, flush=True)
        print(job_finished(sweep_dir, job, run, "failed", overrides, error), flush=True)
        failed = tuple(float("nan") for _ in objectives)
        return (failed[0] if len(failed) == 1 else failed) if objectives else None
    print(job_finished(sweep_dir, job, run, "complete", overrides), flush=True)
    summary = pd.concat([r.summary for r in results], ignore_index=True)
    return objective_values(objectives, summary) if objectives else None


def save_hydra_record(cfg: DictConfig, out_dir: Path) -> None:
    """Hydra's record of the run in ``.hydra/`` (its config, Hydra's settings, the overrides), as Hydra writes it.

    Written here rather than by Hydra (``hydra.output_subdir: null``) so that a
    run refused at its folder's door (in use, or holding a finished run)
    leaves that folder's record as it was.
    """
    record = out_dir / ".hydra"
    record.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(cfg, record / "config.yaml")
    OmegaConf.save(HydraConfig.instance().cfg, record / "hydra.yaml")
    OmegaConf.save(HydraConfig.get().overrides.task, record / "overrides.yaml")
