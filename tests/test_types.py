"""The type hints are true: mypy finds no error in the package or the benchmarks.

The hints document what each function takes and returns, and the agencies
reach each other only through the ``typing.Protocol``s of
``sim/model/roles.py``; mypy checks that every class passed as a role
satisfies it, so an interface that drifts from its implementation fails here.
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
        ]
    )
    assert status == 0, report + errors


def test_mypy_catches_an_agency_that_no_longer_fits_its_role(tmp_path, monkeypatch):
    """The check can fail: a police unit without ``enqueue`` is not the ``Police`` the transport service needs."""
    monkeypatch.chdir(ROOT)  # else ``sim`` is not found, and an unfound module is not checked
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from sim.model.roles import Police\n"
        "class HalfPolice:\n"
        "    def intake(self, m, fields, day): ...\n"
        "def give(p: Police) -> None: ...\n"
        "give(HalfPolice())\n",
        encoding="utf-8",
    )
    report, _, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "mypy_cache"), str(probe)]
    )
    assert status == 1 and 'incompatible type "HalfPolice"; expected "Police"' in report
