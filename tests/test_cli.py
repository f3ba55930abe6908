"""The ``returnsim`` command end to end: files written, config saved, summary complete."""

from __future__ import annotations

import json

import pandas as pd
from omegaconf import OmegaConf

from sim.metrics import METRICS
from sim.register import COLUMNS
from tests.conftest import cli


def test_run_writes_every_output(tmp_path):
    proc = cli(
        "nations.SE.decisions_per_year=2000",
        "warmup_days=60",
        "horizon_days=200",
        "replications=2",
        "seed=7",
        f"paths.results_dir={tmp_path / 'results'}",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = [p.parent for p in (tmp_path / "results").rglob("run.json")]
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["status"] == "complete" and meta["seed"] == 7 and set(meta["register_sha256"]) == {"0", "1"}
    assert meta["versions"]["mesa"].startswith("3.5")
    cfg = OmegaConf.load(run_dir / "config.yaml")
    assert cfg.seed == 7 and cfg.nations.SE.decisions_per_year == 2000 and cfg.replications == 2
    reg = pd.read_parquet(run_dir / "case_register.parquet")
    assert list(reg.columns) == ["replication", *COLUMNS]
    assert set(reg["replication"]) == {0, 1}
    summary = pd.read_csv(run_dir / "summary.csv")
    assert set(METRICS) <= set(summary.columns) and len(summary) == 2
    stocks = pd.read_parquet(run_dir / "stocks.parquet")
    assert len(stocks) == 2 * 260
    for fig in ("stocks.png", "outcomes.png"):
        assert (run_dir / "figures" / fig).stat().st_size > 10_000
    assert not list(run_dir.rglob("*.tmp")), "no temporary files left behind"
    assert "return_rate" in proc.stdout
