"""The data dictionary's tables of a sweep's report: the effects and the shares of a total."""

from __future__ import annotations

from sim.outputs.column_types import COUNTRY, Column, Table

EFFECT = "computed per country and metric from the runs paired by posterior draw, seed and replication"
EFFECTS = Table(
    files="effects.csv (sweep folder)",
    row="a scenario compared with its baseline, a country and a metric",
    computed=f"{EFFECT} (sim/analysis/effects.py: effects, effect_uncertainty)",
    columns={
        "country": COUNTRY,
        "metric": Column("the summary metric (see summary)", "name"),
        "scenario": Column("the scenario", "label"),
        "baseline": Column("the baseline scenario it is compared with (same enforcement-feedback setting)", "label"),
        "pairs": Column("paired runs (draw, seed, replication) in both", "count"),
        "baseline_mean": Column("the metric's mean in the baseline", "metric's unit"),
        "baseline_ci_low": Column(
            "95 % t-interval of the baseline mean, low end (over draws when several)", "metric's unit"
        ),
        "baseline_ci_high": Column("95 % t-interval of the baseline mean, high end", "metric's unit"),
        "scenario_mean": Column("the metric's mean in the scenario", "metric's unit"),
        "scenario_ci_low": Column(
            "95 % t-interval of the scenario mean, low end (over draws when several)", "metric's unit"
        ),
        "scenario_ci_high": Column("95 % t-interval of the scenario mean, high end", "metric's unit"),
        "difference": Column("mean paired effect, scenario minus baseline", "metric's unit"),
        "se": Column("standard error of the effect: parameter and seed uncertainty", "metric's unit"),
        "ci_low": Column("95 % interval of the effect, low end (parameter and seed uncertainty)", "metric's unit"),
        "ci_high": Column("95 % interval of the effect, high end", "metric's unit"),
        "se_stochastic": Column("standard error from seed noise alone", "metric's unit"),
        "stochastic_ci_low": Column("95 % interval from seed noise alone, low end", "metric's unit"),
        "stochastic_ci_high": Column("95 % interval from seed noise alone, high end", "metric's unit"),
        "worlds_low": Column("5th percentile of the draws' mean effects (plausible worlds)", "metric's unit"),
        "worlds_high": Column("95th percentile of the draws' mean effects", "metric's unit"),
        "sd_parameter": Column("sd of the effect between posterior draws", "metric's unit"),
        "sd_stochastic": Column("sd of one run's effect from its seed", "metric's unit"),
        "robust_share": Column("share of draws whose mean effect has the overall sign", "share"),
        "draws": Column("posterior draws in the complete draws x seeds table", "count"),
        "unpaired_ci_low": Column("Welch 95 % interval of the difference of means, unpaired, low end", "metric's unit"),
        "unpaired_ci_high": Column("Welch 95 % interval, high end", "metric's unit"),
    },
)

SHARES = Table(
    files="shares.csv (sweep folder, when the report names a total)",
    row="a channel's scenario and a metric, in the pooled country (ALL) or the only one",
    computed="from the runs paired by posterior draw, seed and replication (sim/analysis/effects.py: shares_of_total)",
    columns={
        "metric": Column("the summary metric", "name"),
        "scenario": Column("the scenario whose effect is a part (e.g. one co-location channel alone)", "label"),
        "total": Column("the scenario whose effect is the whole (report.total)", "label"),
        "baseline": Column("the baseline both are compared with", "label"),
        "effect": Column("mean paired effect of the scenario", "metric's unit"),
        "total_effect": Column("mean paired effect of the whole", "metric's unit"),
        "share": Column("effect / total_effect", "ratio"),
        "share_ci_low": Column(
            "95 % bootstrap interval of the share, low end (resampling draws when several, else seeds)", "ratio"
        ),
        "share_ci_high": Column("95 % bootstrap interval of the share, high end", "ratio"),
    },
)
