"""Competing risks from the case register: return, absconding and expiry as first events.

Time since decision to the first of *return*, *absconding* and *expiry* is a
competing-risks problem with censoring at the end of the run (cases still
open). Its cumulative incidence functions are estimated with the
Aalen-Johansen estimator: with ``n_j`` cases at risk and ``d_kj`` events of
kind ``k`` at time ``t_j``, and ``S`` the Kaplan-Meier survival from any event,

    CIF_k(t) = sum over t_j <= t of S(t_j-) * d_kj / n_j.

A few lines of numpy; it handles tied times exactly (expiry falls on the
same day for many cases), which the jittering estimators of general survival
packages do not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def cumulative_incidence(days: np.ndarray, event: np.ndarray, grid: np.ndarray) -> dict[str, np.ndarray]:
    """Aalen-Johansen cumulative incidence of each event in :data:`EVENTS` at the times in ``grid``."""
    days = np.asarray(days, dtype=float)
    event = np.asarray(event, dtype=int)
    times, inverse = np.unique(days, return_inverse=True)
    counts = np.zeros((len(times), len(EVENTS) + 1))
    np.add.at(counts, (inverse, event), 1.0)
    leaving = counts.sum(axis=1)
    at_risk = len(days) - np.concatenate(([0.0], np.cumsum(leaving)[:-1]))
    any_event = counts[:, 1:].sum(axis=1)
    survival = np.cumprod(1.0 - any_event / at_risk)
    before = np.concatenate(([1.0], survival[:-1]))
    position = np.searchsorted(times, grid, side="right") - 1
    curves = {}
    for k, name in enumerate(EVENTS, start=1):
        cif = np.cumsum(before * counts[:, k] / at_risk)
        curves[name] = np.where(position >= 0, cif[np.maximum(position, 0)], 0.0)
    return curves
