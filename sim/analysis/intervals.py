"""Confidence intervals of means, and a run's summary as mean and interval per metric."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.outputs.metrics import METRICS, UNITS


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Student-t confidence interval of the mean (scipy's one-sample t result); nan without two values."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) < 2:
        return (np.nan, np.nan)
    if no_spread(values):  # scipy's interval is undefined without spread: the mean is known exactly
        mean = float(values.mean())
        return (mean, mean)
    ci = stats.ttest_1samp(values, 0.0).confidence_interval(level)
    return (float(ci.low), float(ci.high))


def no_spread(values: np.ndarray) -> bool:
    """Whether the values are all equal up to rounding (a t-interval of them would be undefined)."""
    values = np.asarray(values, dtype=float)
    return len(values) == 0 or bool(np.allclose(values, values[0], rtol=1e-12, atol=0.0))


def summary_intervals(summary: pd.DataFrame, metrics: list[str] | None = None) -> pd.DataFrame:
    """Each metric's mean over replications with its 95 % t-interval, per country.

    Columns: country, metric, unit, mean, ci_low, ci_high, replications. The
    interval covers the noise between replications (random seeds) only, at
    the run's parameter values.
    """
    metrics = list(METRICS) if metrics is None else metrics
    rows = []
    for country, group in summary.groupby("country", sort=False, observed=True):
        for metric in metrics:
            values = group[metric].to_numpy(dtype=float)
            low, high = t_interval(values)
            rows.append(
                {
                    "country": country,
                    "metric": metric,
                    "unit": UNITS[metric],
                    "mean": float(np.nanmean(values)) if np.isfinite(values).any() else np.nan,
                    "ci_low": low,
                    "ci_high": high,
                    "replications": int(np.isfinite(values).sum()),
                }
            )
    return pd.DataFrame(rows)
