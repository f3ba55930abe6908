"""Effects of each scenario against its baseline, paired by draw, seed and replication.

Each effect has its 95 % interval, the interval of seed noise alone, the
unpaired (Welch) interval and, over posterior draws, its spread in
plausible worlds and its parameter and stochastic parts.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from sim.analysis.collect import DRAW_KEY, ReportError, swept_parameters, with_draw
from sim.analysis.intervals import no_spread, t_interval


# --- effects --------------------------------------------------------------------------
def baselines(runs: pd.DataFrame, baseline: list[str]) -> dict[str, str]:
    """Each scenario's baseline: the scenario with the ``baseline`` values and the same other swept values.

    The keys named in ``baseline`` are the levers compared; any other swept
    key (e.g. ``behaviour.enforcement_feedback.form``) defines strata, and
    each scenario is compared with the baseline of its own stratum. Empty
    ``baseline``: the first scenario, for every scenario. Baselines map to
    themselves.
    """
    scenarios = [str(s) for s in runs["scenario"].cat.categories]
    if not baseline:
        return dict.fromkeys(scenarios, scenarios[0])
    wanted = {}
    for item in baseline:
        key, _, value = item.partition("=")
        if key not in runs.columns:
            raise ReportError(f"report.baseline: {key!r} is not a parameter of this sweep")
        wanted[key] = str(yaml.safe_load(value))
    strata = [p for p in swept_parameters(runs) if p not in wanted]
    first = runs.drop_duplicates("scenario").set_index("scenario")
    found: dict[str, str] = {}
    for scenario in scenarios:
        row = first.loc[scenario]
        matches = [
            s
            for s in scenarios
            if all(str(first.loc[s, k]) == v for k, v in wanted.items())
            and all(str(first.loc[s, k]) == str(row[k]) for k in strata)
        ]
        if len(matches) != 1:
            raise ReportError(
                f"report.baseline {baseline} matches {len(matches)} scenarios for {scenario!r}; it must match one"
            )
        found[scenario] = matches[0]
    return found


def strata_of(runs: pd.DataFrame, baseline: list[str]) -> list[str]:
    """Swept keys that are not the compared levers: each value is a stratum with its own baseline."""
    named = {item.partition("=")[0] for item in baseline}
    return [p for p in swept_parameters(runs) if named and p not in named]


def effects(runs: pd.DataFrame, metrics: list[str], baseline_of: dict[str, str]) -> pd.DataFrame:
    """Difference of each scenario to its baseline, paired by (draw, seed, replication), per country and metric."""
    runs = with_draw(runs)
    keys = [DRAW_KEY, "seed", "replication", "country"]
    rows = []
    for scenario in runs["scenario"].cat.categories:
        baseline = baseline_of[str(scenario)]
        if scenario == baseline:
            continue
        base = runs[runs["scenario"] == baseline].set_index(keys)
        other = runs[runs["scenario"] == scenario].set_index(keys)
        for country in other.index.get_level_values("country").unique():
            for metric in metrics:
                rows.append(_effect(base, other, country, metric, str(scenario), baseline))
    return pd.DataFrame(rows)


def shares_of_total(
    runs: pd.DataFrame, metrics: list[str], baseline_of: dict[str, str], total: list[str]
) -> pd.DataFrame:
    """Each scenario's effect as a share of the ``total`` scenario's effect in its stratum, per metric.

    The share is the ratio of the mean paired differences (effect of the
    scenario over effect of the total, both against the same baseline and
    seeds); its 95 % interval is a percentile bootstrap over the paired seeds
    (scipy), or over the draws' mean effects when the runs cover several
    posterior draws. The pooled ``ALL`` country where there are several.
    """
    runs = with_draw(runs)
    keys = [DRAW_KEY, "seed", "replication"]
    countries = runs["country"].unique()
    runs = runs[runs["country"] == ("ALL" if "ALL" in countries else countries[0])]
    wanted = {k: str(yaml.safe_load(v)) for k, _, v in (item.partition("=") for item in total)}
    first = runs.drop_duplicates("scenario").assign(scenario=lambda d: d["scenario"].astype(str)).set_index("scenario")
    rows = []
    for scenario, baseline in baseline_of.items():
        if scenario == baseline or all(str(first.loc[scenario, k]) == v for k, v in wanted.items()):
            continue
        whole = [
            s
            for s, b in baseline_of.items()
            if b == baseline and s != b and all(str(first.loc[s, k]) == v for k, v in wanted.items())
        ]
        if len(whole) != 1:
            raise ReportError(
                f"report.total {total} matches {len(whole)} scenarios for {scenario!r}; it must match one"
            )
        frames = {
            name: runs[runs["scenario"].astype(str) == name].set_index(keys)[metrics]
            for name in (scenario, whole[0], baseline)
        }
        for metric in metrics:
            pairs = pd.concat(
                [frames[n][metric].rename(n) for n in (scenario, whole[0], baseline)], axis=1, join="inner"
            ).dropna()
            if pairs.empty:
                continue
            part = pairs[scenario] - pairs[baseline]
            full = pairs[whole[0]] - pairs[baseline]
            if part.index.get_level_values(DRAW_KEY).nunique() > 1:  # resample whole draws, not runs
                part, full = part.groupby(level=DRAW_KEY).mean(), full.groupby(level=DRAW_KEY).mean()
            part, full = part.to_numpy(), full.to_numpy()
            rows.append(
                {
                    "metric": metric,
                    "scenario": scenario,
                    "total": whole[0],
                    "baseline": baseline,
                    "effect": part.mean(),
                    "total_effect": full.mean(),
                    "share": part.mean() / full.mean() if full.mean() else np.nan,
                    **dict(zip(("share_ci_low", "share_ci_high"), _ratio_interval(part, full), strict=True)),
                }
            )
    return pd.DataFrame(rows)


def _ratio_interval(part: np.ndarray, full: np.ndarray) -> tuple[float, float]:
    """95 % bootstrap interval of mean(part) / mean(full) over paired seeds (nan when it cannot be formed)."""
    if len(part) < 3 or not full.mean() or np.ptp(part) == 0 and np.ptp(full) == 0:
        return (np.nan, np.nan)
    result = stats.bootstrap(
        (part, full),
        lambda a, b, axis: a.mean(axis=axis) / b.mean(axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=2000,
        random_state=0,
        method="percentile",
    )
    return (result.confidence_interval.low, result.confidence_interval.high)


def _effect(base: pd.DataFrame, other: pd.DataFrame, country: str, metric: str, scenario: str, baseline: str) -> dict:
    b = base.xs(country, level="country")[metric]
    s = other.xs(country, level="country")[metric]
    pairs = pd.concat([b.rename("b"), s.rename("s")], axis=1, join="inner").dropna()
    diff = pairs["s"] - pairs["b"]
    u_low, u_high = _welch_interval(s.dropna().to_numpy(), b.dropna().to_numpy())
    return {
        "country": country,
        "metric": metric,
        "scenario": scenario,
        "baseline": baseline,
        "pairs": len(diff),
        "baseline_mean": b.mean(),
        "baseline_ci_low": _level_interval(b)[0],
        "baseline_ci_high": _level_interval(b)[1],
        "scenario_mean": s.mean(),
        "scenario_ci_low": _level_interval(s)[0],
        "scenario_ci_high": _level_interval(s)[1],
        **effect_uncertainty(
            diff.to_numpy(),
            diff.index.get_level_values(DRAW_KEY).to_numpy(),
            pd.factorize(diff.index.droplevel(DRAW_KEY).to_flat_index())[0],
        ),
        "unpaired_ci_low": u_low,
        "unpaired_ci_high": u_high,
    }


def _level_interval(values: pd.Series) -> tuple[float, float]:
    """95 % t-interval of a scenario's mean: over its runs, or over its draws' means when it has several draws."""
    draws = values.index.get_level_values(DRAW_KEY)
    if draws.nunique() > 1:
        return t_interval(values.groupby(level=DRAW_KEY).mean().to_numpy())
    return t_interval(values.to_numpy())


def effect_uncertainty(diff: np.ndarray, draws: np.ndarray, streams: np.ndarray) -> dict[str, float]:
    """An effect's mean and what we do not know about it, from paired differences by posterior draw and seed.

    The runs cross draws with seeds: seed stream s (a seed and replication)
    has the same random numbers in every draw. With D draws and S streams, a
    two-way analysis of variance of the differences gives the mean squares
    of draws, streams and the rest (MS_D, MS_S, MS_E) and from them:

    - ``se``: standard error of the mean effect, √((MS_D + MS_S − MS_E)/DS)
      with the parameter and the seed part each counted at least 0
      (parameter and seed uncertainty; with one draw, seed noise only);
      ``ci_low``/``ci_high``: its 95 % t-interval (Satterthwaite's degrees of
      freedom).
    - ``se_stochastic``, ``stochastic_ci_low``/``_high``: what seed noise
      alone gives, √(MS_S/DS) on S − 1 degrees of freedom.
    - ``worlds_low``/``worlds_high``: 5th and 95th percentiles of the draws'
      mean effects: where the effect lies in 90 % of plausible worlds.
    - ``sd_parameter``: sd of the effect between draws, √((MS_D − MS_E)/S);
      ``sd_stochastic``: sd of one run's effect from its seed,
      √(σ²_streams + σ²_rest) (both at least 0).
    - ``robust_share``: share of draws whose mean effect has the sign of the
      overall mean ("moves the outcome that way in 94 % of plausible worlds").

    Differences not in a complete draws x streams table are left out.
    """
    names = ["difference", "se", "ci_low", "ci_high", "se_stochastic", "stochastic_ci_low", "stochastic_ci_high"]
    names += ["worlds_low", "worlds_high", "sd_parameter", "sd_stochastic", "robust_share"]
    out: dict[str, float] = dict.fromkeys(names, float("nan"))
    table = pd.DataFrame({"diff": diff, "draw": draws, "stream": streams}).pivot_table(
        index="draw", columns="stream", values="diff", aggfunc="mean"
    )
    table = table.dropna(axis=1)  # streams every draw has
    out["draws"] = len(table)
    x = table.to_numpy()
    if x.size == 0:
        return out
    n_draws, n_streams = x.shape
    mean = float(x.mean())
    out["difference"] = mean
    if n_draws == 1:
        out["ci_low"], out["ci_high"] = t_interval(x[0])
        out["stochastic_ci_low"], out["stochastic_ci_high"] = out["ci_low"], out["ci_high"]
        if n_streams > 1:
            out["sd_stochastic"] = float(x[0].std(ddof=1))
            out["se"] = out["se_stochastic"] = out["sd_stochastic"] / np.sqrt(n_streams)
        return out
    draw_means = x.mean(axis=1)
    out["worlds_low"], out["worlds_high"] = (float(q) for q in np.quantile(draw_means, [0.05, 0.95]))
    out["robust_share"] = float(np.mean(np.sign(draw_means) == np.sign(mean))) if mean else float("nan")
    if n_streams == 1:  # one run per draw: the draws' spread holds both parts, which cannot be told apart
        out["ci_low"], out["ci_high"] = t_interval(draw_means)
        out["se"] = float(draw_means.std(ddof=1) / np.sqrt(n_draws))
        return out
    stream_means = x.mean(axis=0)
    ms_d = n_streams * float(np.sum((draw_means - mean) ** 2)) / (n_draws - 1)
    ms_s = n_draws * float(np.sum((stream_means - mean) ** 2)) / (n_streams - 1)
    rest = x - draw_means[:, None] - stream_means[None, :] + mean
    ms_e = float(np.sum(rest**2)) / ((n_draws - 1) * (n_streams - 1))
    total = max(ms_d + ms_s - ms_e, ms_s, ms_d, 0.0)
    out["se"] = float(np.sqrt(total / (n_draws * n_streams)))
    half = 0.0  # no spread at all (a year before the lever: paired runs identical) is a point, not an error
    if total > 0:
        cells = (n_draws - 1) * (n_streams - 1)
        dof = total**2 / (ms_d**2 / (n_draws - 1) + ms_s**2 / (n_streams - 1) + ms_e**2 / cells)
        half = stats.t.ppf(0.975, max(dof, 1.0)) * out["se"]
    out["ci_low"], out["ci_high"] = mean - half, mean + half
    out["se_stochastic"] = float(np.sqrt(ms_s / (n_draws * n_streams)))
    half = stats.t.ppf(0.975, n_streams - 1) * out["se_stochastic"]
    out["stochastic_ci_low"], out["stochastic_ci_high"] = mean - half, mean + half
    out["sd_parameter"] = float(np.sqrt(max(0.0, (ms_d - ms_e) / n_streams)))
    out["sd_stochastic"] = float(np.sqrt(max(0.0, (ms_s - ms_e) / n_draws) + ms_e))
    return out


def _welch_interval(s: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Unpaired (Welch) interval of mean(s) - mean(b); a point when neither sample varies."""
    if len(s) < 2 or len(b) < 2:
        return (np.nan, np.nan)
    if no_spread(s) and no_spread(b):
        d = s.mean() - b.mean()
        return (d, d)
    with warnings.catch_warnings():  # one sample without spread: its variance is 0, which scipy flags needlessly
        warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
        ci = stats.ttest_ind(s, b, equal_var=False).confidence_interval(level)
    return (ci.low, ci.high)
