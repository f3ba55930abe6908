"""What a calibration leaves behind: the posterior's figures, the config preset and its record."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import seaborn as sns
from omegaconf import OmegaConf

from sim.analysis.markdown import config_section, table_markdown
from sim.outputs.figure_style import COLUMN, paper, plt, save
from sim.outputs.files import source_hash

if TYPE_CHECKING:
    from sim.params.ranges import Range
    from sim.studies.calibration_config import CalibrationConfig


BLUE = sns.color_palette("colorblind")[0]


def _axis_label(key: str, scale: str, width: int | None = None) -> str:
    """A parameter's axis label (its last key part in words, log10 marked), wrapped at ``width`` characters."""
    name = key.rsplit(".", 1)[-1].replace("_", " ")
    label = f"log10 {name}" if scale == "log10" else name
    return textwrap.fill(label, width) if width else label


def marginals_figure(particles: pd.DataFrame, summary: pd.DataFrame, stem: Path) -> Path:
    """Each parameter's weighted posterior over its whole prior range (the x-axis), median and 90 % interval.

    Log-range parameters are drawn in log10, the scale their prior is uniform
    on; a known true value (recovery check) is marked in black.
    """
    n = len(summary)
    cols = min(3, n)
    rows = -(-n // cols)
    with paper():
        fig, axes = plt.subplots(
            rows, cols, figsize=(COLUMN * cols, 2.0 * rows + 0.5), squeeze=False, layout="constrained"
        )
        for ax, (_, row) in zip(axes.flat, summary.iterrows(), strict=False):
            log = row["scale"] == "log10"
            to = np.log10 if log else (lambda v: v)
            coords = to(particles[row["parameter"]].to_numpy())
            low, high = to(row["low"]), to(row["high"])
            sns.histplot(
                data=pd.DataFrame({"x": coords, "weight": particles["weight"].to_numpy()}),
                x="x",
                weights="weight",
                bins=20,
                binrange=(low, high),
                stat="density",
                color=BLUE,
                ax=ax,
            )
            ax.axvspan(to(row["ci90_low"]), to(row["ci90_high"]), color=BLUE, alpha=0.12, linewidth=0)
            ax.axvline(to(row["median"]), color=BLUE, linewidth=1.2)
            ax.axhline(1.0 / (high - low), color="0.5", linestyle="--", linewidth=0.8)
            if not pd.isna(row["truth"]):
                ax.axvline(to(row["truth"]), color="black", linewidth=1.2)
            ax.set_xlim(low, high)
            ax.set_xlabel(_axis_label(row["parameter"], row["scale"]))
            ax.set_ylabel("density")
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        fig.suptitle("Posterior (bars, median and 90 % interval) and prior (dashed) of each parameter")
    return save(fig, stem)


def pairs_figure(particles: pd.DataFrame, ranges: dict[str, Range], stem: Path) -> Path:
    """Every pair of parameters: the particles, marker area by weight (a ridge is a trade-off the data leave open)."""
    keys = list(ranges)
    coords = pd.DataFrame({k: np.log10(particles[k]) if ranges[k].log else particles[k] for k in keys})
    size = 200.0 * particles["weight"] / particles["weight"].max()
    n = len(keys)
    with paper():
        fig, axes = plt.subplots(n, n, figsize=(1.1 * n + 0.8, 1.1 * n + 0.8), squeeze=False, layout="constrained")
        for i, yk in enumerate(keys):
            for j, xk in enumerate(keys):
                ax = axes[i, j]
                if j > i:
                    ax.set_visible(False)
                    continue
                if i == j:
                    sns.histplot(
                        data=coords.assign(weight=particles["weight"]),
                        x=xk,
                        weights="weight",
                        bins=15,
                        color=BLUE,
                        ax=ax,
                    )
                    ax.set_yticks([])
                    ax.set_ylabel("")
                else:
                    ax.scatter(coords[xk], coords[yk], s=size, color=BLUE, alpha=0.4, linewidths=0)
                    ax.set_ylim(*ranges[yk].bounds)
                ax.set_xlim(*ranges[xk].bounds)
                ax.tick_params(labelsize=6)
                scale = "log10" if ranges[xk].log else "linear"
                ax.set_xlabel(_axis_label(xk, scale, width=16) if i == n - 1 else "", fontsize=7)
                if j == 0 and i > 0:
                    ax.set_ylabel(_axis_label(yk, "log10" if ranges[yk].log else "linear", width=16), fontsize=7)
        fig.suptitle("Posterior particles by pair of parameters (area: weight; axes: prior ranges)")
    return save(fig, stem)


def predictive_figure(check: pd.DataFrame, predicted: pd.DataFrame, stem: Path) -> Path:
    """Each target's posterior-predictive distribution minus the observed value, in tolerance units.

    Points: the model's outcome at each ensemble draw; bar: the 90 %
    predictive interval of a published figure (tolerance added); 0 is the
    observed value, so a target is met when its bar crosses 0.
    """
    sd = check.set_index("target")["tolerance_sd"]
    observed = check.set_index("target")["observed"]
    long = (predicted[list(check["target"])] - observed) / sd
    long = long.melt(var_name="target", value_name="gap")
    with paper():
        fig, ax = plt.subplots(figsize=(COLUMN * 1.8, 0.4 * len(check) + 1.2))
        sns.stripplot(data=long, x="gap", y="target", color=BLUE, alpha=0.5, size=3, jitter=0.2, ax=ax)
        for i, row in enumerate(check.itertuples()):
            low = (row.pi90_low - row.observed) / row.tolerance_sd
            high = (row.pi90_high - row.observed) / row.tolerance_sd
            ax.plot([low, high], [i + 0.3, i + 0.3], color="black" if row.met else "firebrick", linewidth=2)
        ax.axvline(0.0, color="0.3", linewidth=0.8)
        ax.set_yticks(range(len(check)), [t.replace("_", " ") for t in check["target"]])
        ax.set_xlabel("(simulated − observed) / tolerance   (bar: 90 % predictive interval; red: not met)")
        ax.set_ylabel("")
        ax.set_title(f"Posterior-predictive check: {int(check['met'].sum())} of {len(check)} targets met")
    return save(fig, stem)


def _float(value: float) -> str:
    """A draw's value to four significant digits, always written as a float (``118.0``, not ``118``)."""
    text = f"{value:.4g}"
    return text if any(ch in text for ch in ".en") else f"{text}.0"


def preset_yaml(cfg: CalibrationConfig, summary: pd.DataFrame, ensemble: pd.DataFrame, figures: dict) -> str:
    """A ``# @package _global_`` preset: posterior medians as the values, the ensemble of draws, and its record."""
    values = OmegaConf.create({})
    own = f"nations.{cfg.nation}."
    for _, row in summary.iterrows():
        key = row["parameter"]
        OmegaConf.update(values, key, float(f"{row['median']:.4g}"), force_add=True)
        if key.startswith(own):  # the same value, and the same draw of an ensemble, in every country sharing it
            for code in cfg.shared_with:
                OmegaConf.update(values, f"nations.{code}.{key.removeprefix(own)}", f"${{{key}}}", force_add=True)
    header = [
        "# @package _global_",
        "# Calibrated parameters, written by `uv run returnsim-calibrate` (sim/studies/calibrate.py) on "
        f"{datetime.now(UTC):%Y-%m-%d}: ABC-SMC (pyabc) posterior medians; `posterior.draws` holds "
        f"{len(ensemble)} equally weighted draws of the posterior (the ensemble that experiments sample).",
        f"# Targets: {', '.join(cfg.targets)} (settings {', '.join(cfg.settings)}; scale {cfg.scale}).",
        f"# {figures['simulations']} simulations in {figures['generations']} generations, "
        f"{figures['seconds_abc']:.0f} s on {cfg.workers} workers; seed {cfg.seed}; final threshold "
        f"{figures['final_epsilon']:.3g} tolerance units; {figures['targets_met']} of {figures['targets']} "
        "targets inside the 90 % predictive interval.",
        f"# returnsim source sha256 {source_hash()[:16]}; the full record is calibration.md next to this file.",
        f"# {', '.join(cfg.shared_with) or 'No country'} share {cfg.nation}'s own fitted parameters "
        "(no target of theirs is among the data); the behaviour block is common to every country.",
    ]
    for _, row in summary.iterrows():
        header.append(
            f"#   {row['parameter']}: {row['median']:.4g} (90 % credible interval {row['ci90_low']:.3g} to "
            f"{row['ci90_high']:.3g}{'' if row['identified'] else '; not identified'})"
        )
    draws = [f"    - [{', '.join(_float(v) for v in row)}]" for row in ensemble.itertuples(index=False)]
    posterior = [
        "posterior:                     # equally weighted draws; draw i gives parameters[j] the value draws[i][j]",
        "  parameters:",
        *(f"    - {key}" for key in ensemble.columns),
        "  draws:",
        *draws,
    ]
    return "\n".join([*header, OmegaConf.to_yaml(values).rstrip(), *posterior]) + "\n"


def report_markdown(
    cfg: CalibrationConfig,
    summary: pd.DataFrame,
    check: pd.DataFrame,
    generations: pd.DataFrame,
    figures: dict,
) -> str:
    """The calibration's record: the posterior per parameter, the predictive check, the run, the exact config."""
    lines = [
        "# Calibration record",
        "",
        f"ABC-SMC (pyabc): {figures['simulations']} simulations in {figures['generations']} generations, "
        f"{figures['seconds_abc']:.0f} s ({figures['seconds']:.0f} s with the predictive check) on "
        f"{cfg.workers} workers. Final acceptance threshold {figures['final_epsilon']:.3g}: the Euclidean "
        "distance to the targets in tolerance units.",
        "",
        "## Posterior of each parameter",
        "",
        "Median and 90 % credible interval; `contraction` is 1 − posterior variance / prior variance on the",
        "prior's scale (0: the targets say nothing about it); `identified`: the 90 % interval covers less",
        "than half of the prior range.",
        "",
        table_markdown(
            summary[
                [
                    "parameter",
                    "start",
                    "median",
                    "ci90_low",
                    "ci90_high",
                    "truth",
                    "contraction",
                    "identified",
                    "scale",
                    "low",
                    "high",
                ]
            ]
        ),
        "",
        "![marginals](figures/marginals.png)",
        "",
        "![pairs](figures/pairs.png)",
        "",
        "## Posterior-predictive check",
        "",
        f"{figures['targets_met']} of {figures['targets']} targets lie inside the 90 % interval of what the",
        f"model predicts for a published figure ({cfg.ensemble} posterior draws, each run once, plus each",
        "target's tolerance as measurement error).",
        "",
        table_markdown(check.drop(columns=["source"])),
        "",
        "![predictive](figures/predictive.png)",
        "",
        "## Generations",
        "",
        table_markdown(generations),
        "",
        *config_section(cfg),
    ]
    return "\n".join(lines) + "\n"
