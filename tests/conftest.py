"""Shared helpers: compose configs once per override set and run small scenarios."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

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


TRACED = ("output.transitions=true", "seed=11", "nations.SE.detention_places=15")
"""The invariant tests' run: the small scenario with the transition log on and few enough detention
places that the place limit binds."""


@pytest.fixture(scope="session")
def traced() -> ReplicationResult:
    """A small real run with the transition log on, shared by the invariant tests."""
    return run(*TRACED)
