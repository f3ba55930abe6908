"""Competing risks from the case register: return, absconding and expiry as first events.

Time since decision to the first of *return*, *absconding* and *expiry* is a
competing-risks problem with censoring at the end of the run (cases still
open). Its cumulative incidence functions, with 95 % pointwise intervals,
come from lifelines' Aalen-Johansen estimator. Cases share whole days, and
the estimator breaks ties by moving times by at most 1e-4 days at random;
its generator is seeded, so the curves are reproducible.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from lifelines import AalenJohansenFitter

from sim.states import RETURNED, State

EVENTS = ("returned", "absconded", "expired")
"""First events, coded 1, 2, 3 (0: censored)."""

_RETURNED = [s.label for s in RETURNED]


def first_events(register: pd.DataFrame, warmup_days: float, end_day: float) -> pd.DataFrame:
    """Days from decision to the first event (or censoring at ``end_day``) of the horizon's decisions.

    Absconding comes first whenever it happened (a person who absconded and
    later left counts as absconded); otherwise the case's outcome if it is a
    return or expiry; a case still open at the end is censored.
    """
    reg = register[(register["decision_day"] > warmup_days) & ~register["matched"].astype(bool)]
    outcome = reg["outcome"].astype(str)
    absconded = reg["entered_absconded"].notna()
    returned = ~absconded & outcome.isin(_RETURNED)
    expired = ~absconded & (outcome == State.EXPIRED.label)
    event = np.select([absconded, returned, expired], [2, 1, 3], default=0)
    when = np.where(absconded, reg["entered_absconded"], np.where(event > 0, reg["outcome_day"], end_day))
    return pd.DataFrame({"days": when - reg["decision_day"].to_numpy(), "event": event}, index=reg.index)


def cumulative_incidence(days: np.ndarray, event: np.ndarray, grid: np.ndarray) -> pd.DataFrame:
    """Aalen-Johansen cumulative incidence of each event in :data:`EVENTS` at ``grid``, with its 95 % interval.

    Columns: event, days, incidence, ci_low, ci_high. An event no case had is
    0 throughout (its interval too).
    """
    days = np.asarray(days, dtype=float)
    event = np.asarray(event, dtype=int)
    frames = []
    for k, name in enumerate(EVENTS, start=1):
        if not (event == k).any():
            zero = np.zeros(len(grid))
            frames.append(
                pd.DataFrame({"event": name, "days": grid, "incidence": zero, "ci_low": zero, "ci_high": zero})
            )
            continue
        fitter = AalenJohansenFitter(seed=k, calculate_variance=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tie-breaking notice: handled by the seeded jitter above
            fitter.fit(days, event, event_of_interest=k)
        curve = fitter.cumulative_density_.iloc[:, 0]
        bounds = fitter.confidence_interval_cumulative_density_
        at = np.searchsorted(curve.index.to_numpy(), grid, side="right") - 1
        inside = at >= 0
        pick = np.maximum(at, 0)

        def value(series: pd.Series, inside: np.ndarray = inside, pick: np.ndarray = pick) -> np.ndarray:
            return np.where(inside, series.ffill().to_numpy()[pick], 0.0)

        low = np.minimum(value(bounds.iloc[:, 0]), value(bounds.iloc[:, 1]))  # lifelines' labels are not ordered
        high = np.maximum(value(bounds.iloc[:, 0]), value(bounds.iloc[:, 1]))
        frames.append(
            pd.DataFrame({"event": name, "days": grid, "incidence": value(curve), "ci_low": low, "ci_high": high})
        )
    return pd.concat(frames, ignore_index=True)
