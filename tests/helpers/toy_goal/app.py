"""The toy's task: what a returnsim run returns to the sweeper (its objectives), and a row for the goal's table."""

from __future__ import annotations

import json
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

EXTRA = {"none": 0.0, "partial": 20.0, "full": 50.0}
GAIN = {"none": 1.0, "partial": 1.5, "full": 2.0}
GOAL = 330.0


def toy(officers: int, mode: str) -> tuple[float, float]:
    """Cost and output of a combination."""
    return officers + EXTRA[mode], officers * GAIN[mode]


@hydra.main(version_base="1.3", config_path=".", config_name="config")
def main(cfg: DictConfig) -> tuple[float, float]:
    cost, output = toy(cfg.officers, cfg.mode)
    row = {"officers": cfg.officers, "mode": cfg.mode, "total_cost": cost, "forced_returns": output}
    (Path(HydraConfig.get().runtime.output_dir) / "trial.json").write_text(json.dumps(row))
    return cost, output


if __name__ == "__main__":
    main()
