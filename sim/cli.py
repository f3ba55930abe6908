"""The ``returnsim`` command: a Hydra app that runs one scenario (or a sweep with ``-m``)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.config import CONFIG_DIR, register_schema, to_params
from sim.params import ConfigError
from sim.runner import format_summary, run_scenario

register_schema()


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    """Validate the config, run the replications, write results and print a summary."""
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        params = to_params(cfg)
    except ConfigError as exc:
        _discard(out_dir)
        print(f"returnsim: invalid config: {exc}", file=sys.stderr)
        sys.exit(2)
    results = run_scenario(params, out_dir)
    if not params.output.quiet:
        print(format_summary(pd.concat([r.summary for r in results], ignore_index=True)))
        print(f"results: {out_dir}")


def _discard(out_dir: Path) -> None:
    """Remove a run directory that holds nothing but Hydra's own bookkeeping."""
    if out_dir.exists() and all(p.name in {".hydra", "cli.log"} or p.suffix == ".log" for p in out_dir.iterdir()):
        shutil.rmtree(out_dir)
