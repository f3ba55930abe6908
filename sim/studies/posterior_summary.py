"""The posterior in numbers: each parameter's median, credible interval and contraction, and the predictive check."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.params.ranges import Range
from sim.studies.calibration_config import Target
from sim.studies.inference import Posterior


def parameter_summary(
    ranges: Mapping[str, Range], posterior: Posterior, start: Mapping[str, float], truth: Mapping[str, float]
) -> pd.DataFrame:
    """Each parameter's posterior: weighted median and 90 % credible interval, and how far the data narrowed it.

    ``contraction`` is 1 − posterior variance / prior variance in search
    coordinates (0: the targets say nothing; 1: pinned down). ``identified``:
    the 90 % interval covers less than half of the prior range.
    """
    w = posterior.particles["weight"].to_numpy()
    rows = []
    for key, r in ranges.items():
        coords = np.array([r.to_unit(v) for v in posterior.particles[key]])
        low, median, high = weighted_quantiles(coords, w, (0.05, 0.5, 0.95))
        mean = float(np.sum(w * coords))
        variance = float(np.sum(w * (coords - mean) ** 2))
        width = r.bounds[1] - r.bounds[0]
        rows.append(
            {
                "parameter": key,
                "start": start[key],
                "median": r.from_unit(median),
                "ci90_low": r.from_unit(low),
                "ci90_high": r.from_unit(high),
                "truth": truth.get(key, np.nan),
                "contraction": 1.0 - variance / (width**2 / 12.0),
                "ci90_share_of_prior": (high - low) / width,
                "identified": (high - low) / width < 0.5,
                "scale": "log10" if r.log else "linear",
                "low": r.low,
                "high": r.high,
            }
        )
    return pd.DataFrame(rows)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
    """Quantiles of a weighted sample (inverted empirical distribution function, midpoint convention)."""
    keep = weights > 0
    order = np.argsort(values[keep])
    v, w = values[keep][order], weights[keep][order] / weights[keep].sum()
    cumulative = np.cumsum(w) - 0.5 * w
    return np.interp(quantiles, cumulative, v)


def _factor(model: float, published: float) -> float:
    """How many times the model's median is off the published figure, either way (1: equal)."""
    if model <= 0 or published <= 0:
        return float("inf") if model != published else 1.0
    return max(model / published, published / model)


def predictive_check(
    targets: Mapping[str, Target], observed: Mapping[str, float], predicted: pd.DataFrame, observations: pd.DataFrame
) -> pd.DataFrame:
    """Each target against its posterior-predictive distribution.

    ``predicted``: the model's outcome at each ensemble draw; ``observations``:
    the same plus each target's tolerance as measurement error, i.e. what a
    published figure would be if the model were true. ``met``: the observed
    value lies inside the 90 % predictive interval of ``observations``;
    ``factor``: how many times the predicted median is off the published
    figure, either way.
    """
    rows = []
    for name, t in targets.items():
        low, high = np.quantile(observations[name], [0.05, 0.95])
        rows.append(
            {
                "target": name,
                "setting": t.setting,
                "moment": t.moment,
                "year": t.year,
                "observed": observed[name],
                "tolerance_sd": t.sd,
                "predicted_median": float(np.median(predicted[name])),
                "predicted_sd": float(predicted[name].std(ddof=1)),
                "pi90_low": low,
                "pi90_high": high,
                "met": bool(low <= observed[name] <= high),
                "factor": _factor(float(np.median(predicted[name])), observed[name]),
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)
