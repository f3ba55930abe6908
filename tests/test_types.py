"""The type hints are true: mypy finds no error in the package, the benchmarks or the Hydra plugin.

The hints document what each function takes and returns; the state objects
the kernels work on are described by ``typing.Protocol``s (the engine's
``EngineState``, the police's ``PoliceState``...), and mypy checks that every
object passed as one satisfies it, so an interface that drifts from its
implementation fails here.
"""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_error(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # mypy finds the package from the working directory
    report, errors, status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "mypy_cache"),
            str(ROOT / "sim"),
            str(ROOT / "benchmarks"),
            str(ROOT / "hydra_plugins"),
        ]
    )
    assert status == 0, report + errors


def test_mypy_catches_an_agency_that_no_longer_fits_its_role(tmp_path, monkeypatch):
    """The check can fail: a state object without the police's lines is not the ``PoliceState`` kernels need."""
    monkeypatch.chdir(ROOT)  # else ``sim`` is not found, and an unfound module is not checked
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import numpy as np\n"
        "from sim.model.police import PoliceState\n"
        "class HalfPolice:\n"
        "    values: np.ndarray\n"
        "def give(p: PoliceState) -> None: ...\n"
        "give(HalfPolice())\n",
        encoding="utf-8",
    )
    report, _, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "mypy_cache"), str(probe)]
    )
    assert status == 1 and 'incompatible type "HalfPolice"; expected "PoliceState"' in report
