"""Outcomes by year of the measured horizon, to lay a run next to yearly statistics.

Year ``k`` holds the horizon's days ``365 (k - 1) + 1`` to ``365 k`` (the
last year may be shorter). Counts are of events in the year (decisions,
returns by kind, other closures); stocks are those at the end of the year's
last day. The counts of all years add up to the horizon's in ``summary``.
"""

from __future__ import annotations

import pandas as pd

from sim.model.states import ACTIVE, State

YEAR_DAYS = 365
CLOSURES = {
    "returned_voluntary": State.RETURNED_VOLUNTARY,
    "returned_assisted": State.RETURNED_ASSISTED,
    "forced_returns": State.RETURNED_FORCED,
    "expired": State.EXPIRED,
    "permits_granted": State.PERMIT_GRANTED,
    "moved_out": State.MOVED_NORDIC,
    "departed_unrecorded": State.DEPARTED_UNRECORDED,
    "closed_other": State.CLOSED_OTHER,
}
"""Count column -> the outcome it counts, among the cases that closed in the year."""
STOCKS_AT_YEAR_END = [*(s.label for s in ACTIVE), "departure_position", "wanted", "police_queue", "detention_occupied"]
"""Stock series recorded at the end of each year (columns of ``stocks``, prefixed ``end_``)."""


def yearly(register: pd.DataFrame, stocks: pd.DataFrame, warmup_days: int, horizon_days: int) -> pd.DataFrame:
    """One row per replication, country and year of the horizon (and ``ALL`` countries when several)."""
    rows = []
    codes = list(register["country"].cat.categories) if len(register) else []
    for (rep, code), reg in register.groupby(["replication", "country"], observed=True):
        st = stocks[(stocks["replication"] == rep) & (stocks["country"] == code)]
        rows += _country_years(reg, st, warmup_days, horizon_days, rep, str(code))
    df = pd.DataFrame(rows)
    if len(codes) > 1 and len(df):
        counts = [c for c in df.columns if c not in ("replication", "country", "year", "first_day", "last_day")]
        pooled = df.groupby(["replication", "year", "first_day", "last_day"], as_index=False)[counts].sum()
        pooled["return_rate"] = pooled["returns"] / pooled["decisions"]
        df = pd.concat([df, pooled.assign(country="ALL")[df.columns]], ignore_index=True)
    return df


def _country_years(
    reg: pd.DataFrame, stocks: pd.DataFrame, warmup_days: int, horizon_days: int, rep: int, code: str
) -> list[dict]:
    rows = []
    returned = {State.RETURNED_VOLUNTARY.label, State.RETURNED_ASSISTED.label, State.RETURNED_FORCED.label}
    for year, first in enumerate(range(1, horizon_days + 1, YEAR_DAYS), start=1):
        last = min(first + YEAR_DAYS - 1, horizon_days)
        lo, hi = warmup_days + first - 1, warmup_days + last
        decided = (reg["decision_day"] > lo) & (reg["decision_day"] <= hi) & ~reg["matched"]
        closed = reg[(reg["outcome_day"] > lo) & (reg["outcome_day"] <= hi)]
        n_decisions, n_returns = int(decided.sum()), int(closed["outcome"].isin(returned).sum())
        end = stocks[stocks["day"] == hi]
        row = {
            "replication": rep,
            "country": code,
            "year": year,
            "first_day": first,
            "last_day": last,
            "decisions": n_decisions,
            "returns": n_returns,
            "return_rate": n_returns / n_decisions if n_decisions else float("nan"),
            **{col: int((closed["outcome"] == state.label).sum()) for col, state in CLOSURES.items()},
            **{f"end_{col}": int(end[col].iloc[0]) for col in STOCKS_AT_YEAR_END},
        }
        rows.append(row)
    return rows
