"""Shared helpers: compose configs once per override set, run small scenarios, one small sweep for many tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from sim.outputs.files import COMPLETION_MARKER, file_sha256
from sim.params.compose import AppConfig, load_params
from sim.runs.runner import ReplicationResult, run_replication

SMALL = (
    "nations.SE.decisions_per_year=4000",
    "nations.SE.case_officers=26",
    "nations.SE.police_officers=52",
    "nations.SE.detention_places=40",
    "nations.SE.escorts=28",
    "nations.SE.return_centre_places=150",
    "warmup_days=200",
    "horizon_days=900",
)
"""A quarter-size Sweden with few detention places, so that the place limit binds."""


@cache
def params(*overrides: str) -> AppConfig:
    """Composed and validated parameters for ``overrides`` (cached: composing costs ~50 ms)."""
    return load_params(list(overrides))


def run(*overrides: str, replication: int = 0) -> ReplicationResult:
    """One replication of the small scenario with ``overrides`` on top."""
    return run_replication(params(*SMALL, *overrides), replication)


def cli(*args: str, cwd: Path, module: str = "sim", timeout: float = 900) -> subprocess.CompletedProcess:
    """Run a returnsim command (``python -m <module> args``) in a fresh interpreter, as a user would."""
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def command(main: Callable[[], None], prog: str, *args: str, cwd: Path, monkeypatch, capsys) -> tuple[int, str, str]:
    """Run a command's console entry point in this process as ``prog args`` from ``cwd``: exit code, stdout, stderr.

    What a refused input prints and returns does not depend on a fresh interpreter; :func:`cli` keeps the
    few tests that need one (start-up, imports, signals).
    """
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", [prog, *args])
    monkeypatch.delenv("HYDRA_FULL_ERROR", raising=False)
    code = 0
    try:
        main()
    except SystemExit as ended:
        code = ended.code if isinstance(ended.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


TRACED = ("output.transitions=true", "seed=11", "nations.SE.detention_places=15")
"""The invariant tests' run: the small scenario with the transition log on and few enough detention
places that the place limit binds."""


@pytest.fixture(scope="session")
def traced() -> ReplicationResult:
    """A small real run with the transition log on, shared by the invariant tests."""
    return run(*TRACED)


TINY = ("nations.SE.decisions_per_year=2000", "warmup_days=60", "horizon_days=300")
"""A tiny Sweden for command-line runs and sweeps."""
SEEDS = "seed=0,1,2,3"


METRICS_SHOWN = "report.metrics=[return_rate,share_ever_absconded,mean_handover_delay_days]"


def small_sweep(sweep_dir: Path, *extra: str) -> object:
    return cli(
        "-m",
        *TINY,
        SEEDS,
        "colocation=none,full",
        METRICS_SHOWN,
        f"hydra.sweep.dir={sweep_dir}",
        *extra,
        cwd=sweep_dir.parent,
    )


@pytest.fixture(scope="session")
def sweep(tmp_path_factory) -> tuple[Path, object]:
    """A small real sweep: co-location none vs full, four seeds, with its report (sweep, report, compare tests)."""
    sweep_dir = tmp_path_factory.mktemp("sweep") / "colocation"
    proc = small_sweep(sweep_dir)
    assert proc.returncode == 0, proc.stderr
    return sweep_dir, proc


def damage(run_dir: Path, *, rehash: bool = False) -> None:
    """Overwrite the run's ``summary.parquet`` with text; with ``rehash``, record the text's hash in ``run.json``
    too (the hashes agree, but the Parquet file is not Parquet)."""
    (run_dir / "summary.parquet").write_text("not parquet\n")
    if rehash:
        meta = json.loads((run_dir / COMPLETION_MARKER).read_text())
        meta["files"]["summary.parquet"] = file_sha256(run_dir / "summary.parquet")
        (run_dir / COMPLETION_MARKER).write_text(json.dumps(meta))


def experiment_config(name: str):  # noqa: ANN201 - an omegaconf DictConfig
    """The named experiment as Hydra composes it for a sweep (what every experiment shares, hydra block included)."""
    from hydra import compose, initialize_config_dir

    from sim.params.compose import CONFIG_DIR, register_schema

    register_schema()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="config", overrides=[f"+experiment={name}"], return_hydra_config=True)
