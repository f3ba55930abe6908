"""Competing risks from the case register: return, absconding and expiry as first events.

Time since decision to the first of *return*, *absconding* and *expiry* is a
competing-risks problem with censoring at the end of the run (cases still
open). Its cumulative incidence functions, with pointwise 95 % intervals from
their standard errors, come from statsmodels' Aalen-Johansen estimator
(``CumIncidenceRight``), which handles the many tied whole days exactly.
(lifelines' estimator breaks ties by random jitter and requires pandas < 3.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import CumIncidenceRight

from sim.model.states import RETURNED, State

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

    Columns: event, days, incidence, ci_low, ci_high (the estimate ± 1.96
    standard errors, within [0, 1]; NaN after the last case at risk). An
    event no case had is 0 throughout.
    """
    days = np.asarray(days, dtype=float)
    event = np.asarray(event, dtype=int)
    with np.errstate(divide="ignore", invalid="ignore"):  # the variance is undefined where no one is left at risk
        fit = CumIncidenceRight(days, event)
    at = np.searchsorted(fit.times, grid, side="right") - 1  # the step function's value at each grid time
    frames = []
    for k, name in enumerate(EVENTS, start=1):
        if k <= len(fit.cinc) and (event == k).any():
            cif = np.where(at >= 0, fit.cinc[k - 1][np.maximum(at, 0)], 0.0)
            se = np.where(at >= 0, fit.cinc_se[k - 1][np.maximum(at, 0)], 0.0)
        else:
            cif = se = np.zeros(len(grid))
        half = stats.norm.ppf(0.975) * se
        frames.append(
            pd.DataFrame(
                {
                    "event": name,
                    "days": grid,
                    "incidence": cif,
                    "ci_low": np.clip(cif - half, 0.0, 1.0),
                    "ci_high": np.clip(cif + half, 0.0, 1.0),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
