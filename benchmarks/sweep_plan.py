"""How soon a large sweep starts: ``returnsim -m 'seed=range(0,100000)'`` until its first run is done.

The sweep (tiny runs: 30 days of warm-up and horizon) is started in a fresh
interpreter and stopped with SIGTERM once its first progress line is
printed; measured are the seconds until the sweep's start line (its jobs
planned and checked), until its first run ended, and the size of
``sweep.json``. Hydra's basic sweeper composed every job's config before the
first run (about 1.4 s a job: a day and a half for this plan); the checked
sweeper (``hydra_plugins/returnsim_sweeper``) leaves that to the sweep
callback, which composes each distinct config once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 100_000
TINY = ["warmup_days=30", "horizon_days=30", "report.auto=false", "output.figures=false"]


def sweep_start(runs: int = RUNS) -> dict[str, float]:
    """Seconds to the sweep's start line and to its first finished run; size of its ``sweep.json`` in bytes."""
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    with tempfile.TemporaryDirectory() as tmp:
        sweep_dir = Path(tmp) / "sweep"
        args = ["-m", "sim", "-m", f"seed=range(0,{runs})", *TINY, f"hydra.sweep.dir={sweep_dir}"]
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *args], cwd=tmp, env=env, stdout=subprocess.PIPE, text=True)
        planned = first = float("nan")
        assert proc.stdout is not None
        for line in proc.stdout:
            if "sweep of" in line and "started" in line:
                planned = time.perf_counter() - start
            if f"1/{runs} runs done" in line:
                first = time.perf_counter() - start
                break
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        size = (sweep_dir / "sweep.json").stat().st_size
    return {
        "runs": runs,
        "planned_seconds": round(planned, 1),
        "first_run_seconds": round(first, 1),
        "sweep_json_bytes": size,
    }
