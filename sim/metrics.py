"""Operational metrics of an effective, humane and sustainable return process (DESIGN.md Outputs).

Every metric is computed from the case register and the model's counters
over the measured horizon ``(warmup, end]``; nothing is read from the model's
internal state except costs and flights, which the register does not hold.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.states import ACTIVE, RETURNED, State

if TYPE_CHECKING:
    from sim.country import CountrySystem
    from sim.model import ReturnModel

RETURNED_LABELS = [s.label for s in RETURNED]
ACTIVE_LABELS = [s.label for s in ACTIVE]

METRICS = {
    # effective
    "decisions": "final decisions in the horizon",
    "returns": "registered returns (voluntary, assisted, forced) in the horizon",
    "return_rate": "returns / decisions in the horizon",
    "cohort_return_rate_12m": "share of decisions (horizon, >= 12 months before its end) returned within 365 days",
    "median_days_to_return": "median days from decision to return, returns in the horizon",
    "p90_days_to_return": "90th percentile of days from decision to return",
    "backlog_end": "open cases at the end",
    "cost_per_return": "SEK spent in the horizon per return",
    # absconding
    "share_ever_absconded": "share of the horizon's decisions that absconded at least once",
    "absconded_end": "absconded stock at the end",
    "expired": "decisions that expired (statute of limitation) in the horizon",
    "handed_to_police": "cases the police registered in the horizon",
    "mean_handover_delay_days": "mean days from handover decision to police registration",
    "located": "absconded people located in the horizon",
    # humane
    "voluntary_share_of_returns": "voluntary and assisted returns / returns",
    "share_detained": "share of the horizon's decisions detained at least once",
    "detention_days_per_forced_return": "detention days in the horizon / forced returns",
    "released_at_limit": "releases at the legal maximum in the horizon",
    "escorts_per_return": "escort officers per return",
    # sustainable
    "reintegration_share_of_returns": "returns with reintegration support / returns",
    # flights
    "forced_returns": "removals by the police in the horizon",
    "charters_flown": "national charters in the horizon",
    "charter_seat_utilisation": "charter passengers / charter seats",
    "joint_flights": "joint (Nordic/Frontex) charters in the horizon",
}
"""Summary metrics and what each one means (column name -> definition)."""


def summarise(model: ReturnModel, register: pd.DataFrame) -> pd.DataFrame:
    """One row per country plus ``ALL`` (when several), with every metric in :data:`METRICS`."""
    rows = [_country_metrics(model, c, register[register["country"] == code]) for code, c in model.countries.items()]
    if len(rows) > 1:
        rows.append(_country_metrics(model, None, register))
    df = pd.DataFrame(rows)
    df.insert(0, "replication", model.replication)
    df.insert(1, "seed", model.params.seed)
    return df


def _country_metrics(model: ReturnModel, country: CountrySystem | None, reg: pd.DataFrame) -> dict:
    start, end = model.params.warmup_days, model.end_day
    countries = list(model.countries.values()) if country is None else [country]
    costs = sum((c.costs - c.costs_at_warmup for c in countries), Counter())
    events = sum((c.events - c.events_at_warmup for c in countries), Counter())
    in_horizon = reg["decision_day"] > start
    cohort = reg[in_horizon]
    ended_in = (reg["outcome_day"] > start) & (reg["outcome_day"] <= end)
    returned = reg[ended_in & reg["outcome"].isin(RETURNED_LABELS)]
    n_returns = len(returned)
    days = (returned["outcome_day"] - returned["decision_day"]).to_numpy()
    early = reg[in_horizon & (reg["decision_day"] <= end - 365)]
    early_returned = early["outcome"].isin(RETURNED_LABELS) & (early["outcome_day"] - early["decision_day"] <= 365)
    forced = returned[returned["outcome"] == State.RETURNED_FORCED.label]
    handed = reg[(reg["handover_day"] > start) & (reg["handover_day"] <= end)]
    flights = [f for c in countries for f in c.transport.flown if start < f.day <= end]
    seats = sum(f.seats for f in flights)
    return {
        "country": "ALL" if country is None else country.code,
        "decisions": len(cohort),
        "returns": n_returns,
        "return_rate": _ratio(n_returns, len(cohort)),
        "cohort_return_rate_12m": float(early_returned.mean()) if len(early) else np.nan,
        "median_days_to_return": float(np.median(days)) if n_returns else np.nan,
        "p90_days_to_return": float(np.percentile(days, 90)) if n_returns else np.nan,
        "backlog_end": int(reg["outcome"].isin(ACTIVE_LABELS).sum()),
        "cost_per_return": _ratio(sum(costs.values()), n_returns),
        "share_ever_absconded": float(cohort["ever_absconded"].mean()) if len(cohort) else np.nan,
        "absconded_end": int((reg["outcome"] == State.ABSCONDED.label).sum()),
        "expired": int((ended_in & (reg["outcome"] == State.EXPIRED.label)).sum()),
        "handed_to_police": int(events["handed_to_police"]),
        "mean_handover_delay_days": float((handed["handover_day"] - handed["handover_decided_day"]).mean())
        if len(handed)
        else np.nan,
        "located": int(events["located"]),
        "voluntary_share_of_returns": _ratio(n_returns - len(forced), n_returns),
        "share_detained": float((cohort["times_detained"] > 0).mean()) if len(cohort) else np.nan,
        "detention_days_per_forced_return": _ratio(events["detention_days"], len(forced)),
        "released_at_limit": int(events["released_at_limit"]),
        "escorts_per_return": _ratio(returned["escorts"].sum(), n_returns),
        "reintegration_share_of_returns": _ratio(returned["reintegration_support"].sum(), n_returns),
        "forced_returns": len(forced),
        "charters_flown": len(flights),
        "charter_seat_utilisation": _ratio(sum(f.boarded for f in flights), seats),
        "joint_flights": 0,
    }


def _ratio(num: float, den: float) -> float:
    return float(num) / den if den else np.nan


def cohort_outcomes(register: pd.DataFrame, first_day: float, last_day: float, follow_days: float) -> dict[str, float]:
    """Outcomes of the decisions made in ``(first_day, last_day]``, each followed for ``follow_days``.

    The measures of the audit office's 2013-2014 cohort (RiR 2020:7): share
    closed with a registered departure, share statute-barred, number handed
    to police, share of police cases closed with departure, removals.
    """
    cohort = register[(register["decision_day"] > first_day) & (register["decision_day"] <= last_day)]
    within = cohort["outcome_day"] - cohort["decision_day"] <= follow_days + 1e-6  # expiry falls on the last day
    returned = within & cohort["outcome"].isin(RETURNED_LABELS)
    police = (cohort["handover_day"] - cohort["decision_day"]) <= follow_days
    n = len(cohort)
    return {
        "cases": n,
        "share_registered_departure": _ratio(returned.sum(), n),
        "share_statute_barred": _ratio((within & (cohort["outcome"] == State.EXPIRED.label)).sum(), n),
        "share_handed_to_police": _ratio(police.sum(), n),
        "share_of_police_cases_departed": _ratio((returned & police).sum(), police.sum()),
        "share_removed_by_police": _ratio((within & (cohort["outcome"] == State.RETURNED_FORCED.label)).sum(), n),
    }
