"""What a calibration leaves behind: the targets figure, the config preset and its record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import seaborn as sns
from omegaconf import OmegaConf

from sim.output import source_hash
from sim.report import config_section, table_markdown
from sim.report_figures import CONTEXT, PANEL_WIDTH, plt, save

if TYPE_CHECKING:
    from sim.calibrate import CalibrationConfig


def targets_figure(table: pd.DataFrame, stem: Path) -> Path:
    """Each target relative to its published value: tolerance, and simulated at the start and fitted values.

    Targets are shares, days and counts per year, so each is drawn as a
    multiple of its published value (1 = met), bars its tolerance or the sd over seeds.
    """
    rows = []
    for _, t in table.iterrows():
        v = t["published"]
        rows.append({"target": t["target"], "source": "published", "value": 1.0, "sd": t["tolerance_sd"] / v})
        rows.append(
            {"target": t["target"], "source": "start values", "value": t["start_mean"] / v, "sd": t["start_sd"] / v}
        )
        rows.append(
            {"target": t["target"], "source": "calibrated", "value": t["fitted_mean"] / v, "sd": t["fitted_sd"] / v}
        )
    long = pd.DataFrame(rows)
    palette = {"published": "black", "start values": "0.6", "calibrated": sns.color_palette("colorblind")[0]}
    with sns.plotting_context("paper", rc=CONTEXT), sns.axes_style("whitegrid"):
        fig, ax = plt.subplots(figsize=(PANEL_WIDTH * 1.6, 0.45 * len(table) + 1.2))
        offsets = {"published": -0.2, "start values": 0.0, "calibrated": 0.2}
        order = list(table["target"])
        for source, group in long.groupby("source", sort=False):
            y = [order.index(t) + offsets[source] for t in group["target"]]
            ax.errorbar(
                group["value"], y, xerr=group["sd"], fmt="o", ms=4, capsize=2, color=palette[source], label=source
            )
        ax.set_yticks(range(len(order)), [t.replace("_", " ") for t in order])
        ax.invert_yaxis()
        ax.axvline(1.0, color="0.3", linewidth=0.8)
        ax.set_xlabel("simulated ÷ published (bars: published tolerance / sd over seeds)")
        ax.set_title("Calibration targets: the Swedish return process, 2013–2022")
        ax.legend(loc="lower right", frameon=True)
    return save(fig, stem)


def preset_yaml(cfg: CalibrationConfig, fitted: pd.DataFrame, figures: dict[str, float]) -> str:
    """A ``# @package _global_`` config preset with the fitted values, headed by how it was produced."""
    values = OmegaConf.create({})
    for _, row in fitted.iterrows():
        OmegaConf.update(values, row["parameter"], float(f"{row['fitted']:.4g}"), force_add=True)
    header = [
        "# @package _global_",
        "# Calibrated parameters, written by `uv run returnsim-calibrate` (sim/calibrate.py) on "
        f"{datetime.now(UTC):%Y-%m-%d}.",
        f"# Targets: {', '.join(cfg.targets)} (settings {', '.join(cfg.settings)}; scale {cfg.scale}).",
        f"# Budget: maxiter={cfg.budget.maxiter}, popsize={cfg.budget.popsize}, replications={cfg.replications}, "
        f"seed={cfg.seed}; {figures['candidates']} candidates in {figures['seconds']:.0f} s.",
        f"# Distance to targets: start {figures['distance_start']:.3g}, fitted {figures['distance_fitted']:.3g}.",
        f"# returnsim source sha256 {source_hash()[:16]}; the full record is calibration.md next to this file.",
    ]
    for _, row in fitted.iterrows():
        header.append(
            f"#   {row['parameter']}: {row['fitted']:.4g} (95 % CI {row['ci95_low']:.3g} to {row['ci95_high']:.3g})"
        )
    return "\n".join(header) + "\n" + OmegaConf.to_yaml(values)


def report_markdown(
    cfg: CalibrationConfig,
    fitted: pd.DataFrame,
    targets: pd.DataFrame,
    identified: pd.DataFrame,
    figures: dict[str, float],
) -> str:
    """The calibration's record: fitted values with intervals, targets vs simulated, the exact config."""
    lines = [
        "# Calibration record",
        "",
        f"Distance to targets (sum of squared gaps in tolerance units): start values {figures['distance_start']:.3g}, "
        f"median of the first generation drawn over the ranges {figures['distance_prior_median']:.3g}, "
        f"fitted {figures['distance_fitted']:.3g}; {figures['candidates']} candidates in {figures['seconds']:.0f} s.",
        "",
        "## Fitted parameters (95 % interval from the SMM sandwich covariance)",
        "",
        table_markdown(
            fitted[["parameter", "start", "fitted", "ci95_low", "ci95_high", "identified", "scale", "low", "high"]]
        ),
        "",
        "## Targets and simulated values (mean ± sd over the replications)",
        "",
        table_markdown(targets),
        "",
        "![targets](figures/targets.png)",
        "",
        "## Identification",
        "",
        "Singular values of the moments' Jacobian in tolerance units, and their directions (loadings on the",
        "parameters' search coordinates). A direction with a small singular value (below about 1) is a",
        "combination of parameters that the targets, with their tolerances, hardly constrain: its interval is wide.",
        "",
        table_markdown(identified),
        "",
        *config_section(cfg),
    ]
    return "\n".join(lines) + "\n"
