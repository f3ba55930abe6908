"""What a sensitivity analysis leaves behind: the figure of indices and a one-page summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import seaborn as sns

from sim.analysis.markdown import config_section, table_markdown
from sim.outputs.figure_style import COLUMN, paper, plt, save

if TYPE_CHECKING:
    from sim.studies.sensitivity_config import SensitivityConfig


def indices_figure(indices: pd.DataFrame, method: str, stem: Path) -> Path:
    """A panel per outcome: Sobol S1 and ST (or Morris μ* and σ) per parameter, with 95 % intervals."""
    if method == "sobol":
        parts: list[tuple[str, str | None, str]] = [("S1", "S1_conf", "first order S1"), ("ST", "ST_conf", "total ST")]
        xlabel = "Sobol index (share of variance)"
    else:
        parts = [("mu_star", "mu_star_conf", "μ*"), ("sigma", None, "σ")]
        xlabel = "Morris elementary effect (outcome units per search-range unit)"
    outcomes = list(dict.fromkeys(indices["outcome"]))
    params = list(dict.fromkeys(indices["parameter"]))
    colours = sns.color_palette("colorblind", len(parts))
    with paper():
        fig, axes = plt.subplots(
            1,
            len(outcomes),
            figsize=(COLUMN * len(outcomes), 0.35 * len(params) + 1.4),
            sharey=True,
            squeeze=False,
        )
        for ax, outcome in zip(axes[0], outcomes, strict=True):
            rows = indices[indices["outcome"] == outcome].set_index("parameter").loc[params]
            height = 0.8 / len(parts)
            for k, (col, conf, label) in enumerate(parts):
                y = [i - 0.4 + height * (k + 0.5) for i in range(len(params))]
                xerr = rows[conf].to_numpy() if conf else None
                ax.barh(y, rows[col].to_numpy(), height=height, xerr=xerr, color=colours[k], label=label, capsize=2)
            ax.set_yticks(range(len(params)), _labels(params))
            ax.invert_yaxis()
            ax.set_title(outcome.replace("_", " "))
            ax.set_xlabel(xlabel)
        axes[0][0].legend(loc="lower right")
        fig.tight_layout()
    return save(fig, stem)


def _labels(keys: list[str]) -> list[str]:
    """Each key's last part in words; with the part before it where two keys share a last part."""
    last = [k.split(".")[-1] for k in keys]
    named = [
        k.split(".")[-2] + " " + tail if last.count(tail) > 1 else tail for k, tail in zip(keys, last, strict=True)
    ]
    return [name.replace("_", " ") for name in named]


def report_markdown(cfg: SensitivityConfig, indices: pd.DataFrame, variance: pd.DataFrame, points: int) -> str:
    """Indices and the noise share of each outcome, with the exact config."""
    what = (
        f"Each outcome is the paired effect of `{' '.join(cfg.effect_of)}`: the lever's scenario minus the "
        "scenario, on the same seeds, each factor at the same quantile of the range that applies to each. "
        if cfg.effect_of
        else ""
    )
    lines = [
        f"# Sensitivity analysis ({cfg.method}, model {cfg.model})",
        "",
        f"{points} points × {cfg.replications} replications on the same seeds (common random numbers)"
        f"{f', {cfg.samples} base samples (N)' if cfg.method == 'sobol' else ''}. {what}"
        "Indices are computed on each point's mean over the replications; `noise_share` is the share of an "
        "outcome's variance over all runs that lies between replications of one point (stochastic noise). "
        "`source`: a stated range (`range`), the preset's marginal posterior (`posterior`: a quantile of its "
        "draws; correlations between parameters are not kept), or a lever's assumed range (`assumption`). "
        "`ST_half_samples`: the total index from the first N/2 base samples; where it differs from `ST` by "
        "more than `ST_conf`, N is too small for that index.",
        "",
        "## Indices (95 % confidence intervals: `_conf`)",
        "",
        table_markdown(indices) if not indices.empty else "No outcome was defined at every point.",
        "",
        "## Variance and noise",
        "",
        table_markdown(variance),
        "",
        "![indices](figures/indices.png)",
        "",
        *config_section(cfg),
    ]
    return "\n".join(lines) + "\n"
