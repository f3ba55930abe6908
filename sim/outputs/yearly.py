"""Outcomes by year of the measured horizon, to lay a run next to yearly statistics.

A run with a history (``history=sweden_2013_2023``) has calendar years
(``year`` 2013, 2014, ...: :func:`sim.params.history.year_bounds`); a run
without one has years of 365 days numbered from 1 (the last may be
shorter). Counts are of events in the year, stocks those at the end of the
year's last day. Return cases and the other removals that share detention
places and escorts (Dublin transfers, expulsions after a crime, refusals of
entry) are counted apart where the columns say so, together where the
published figures count them together (detention, escorts). The counts of
all years add up to the horizon's in ``summary``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.states import ACTIVE, State
from sim.params.history import year_bounds
from sim.params.schema import ScenarioParams

RETURNED = (State.RETURNED_VOLUNTARY, State.RETURNED_ASSISTED, State.RETURNED_FORCED)
CLOSURES = {
    "returned_voluntary": State.RETURNED_VOLUNTARY,
    "assisted_departures": State.RETURNED_ASSISTED,
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
WORKABLE = [State.POLICE_CASE.label, State.DETAINED.label, State.AWAITING_FLIGHT.label]
"""The police's located cases: the person is where the police can reach them, their removal not yet done."""
AGENCY = [State.VOLUNTARY_PERIOD.label, State.RETURN_CASE.label]
CLASSES = ["police_green", "police_yellow", "police_red"]
POOLED_SHARES = {
    "return_rate": ("returns", "decisions"),
    "share_handovers_absconded": ("handed_to_police_absconded", "handed_to_police"),
    "detention_occupancy_share": ("detention_population_mean", "detention_places_mean"),
}
"""Ratio columns recomputed from their pooled parts for the ``ALL`` countries' rows."""


def yearly(
    register: pd.DataFrame,
    stocks: pd.DataFrame,
    flights: pd.DataFrame,
    classes: pd.DataFrame,
    detentions: pd.DataFrame,
    params: ScenarioParams,
) -> pd.DataFrame:
    """One row per replication, country and year of the horizon (and ``ALL`` countries when several).

    ``classes`` has the workable police cases by class at each year's end
    (:meth:`sim.model.model.ReturnModel.police_classes`), ``detentions`` every
    return case's detention entry (:meth:`sim.model.model.ReturnModel.detentions`).
    """
    bounds = year_bounds(params.history, params.horizon_days)
    rows = []
    codes = list(register["country"].cat.categories) if len(register) else []
    for (rep, code), reg in register.groupby(["replication", "country"], observed=True):
        mine = _Country(
            reg,
            stocks[(stocks["replication"] == rep) & (stocks["country"] == code)],
            flights[(flights["replication"] == rep) & (flights["country"] == code)],
            classes[(classes["replication"] == rep) & (classes["country"] == code)],
            detentions[(detentions["replication"] == rep) & detentions["migrant_id"].isin(reg["migrant_id"])],
        )
        rows += [_year(mine, params.warmup_days, rep, str(code), *b) for b in bounds]
    df = pd.DataFrame(rows)
    if len(codes) > 1 and len(df):
        keys = ["replication", "year", "first_day", "last_day"]
        counts = [c for c in df.columns if c not in (*keys, "country", *POOLED_SHARES, "detention_mean_stay_days")]
        pooled = df.groupby(keys, as_index=False)[counts].sum()
        for share, (part, whole) in POOLED_SHARES.items():
            pooled[share] = pooled[part] / pooled[whole].where(pooled[whole] > 0)
        pooled["detention_mean_stay_days"] = pooled["detention_days_ended"] / pooled["detention_spells_ended"].where(
            pooled["detention_spells_ended"] > 0
        )
        df = pd.concat([df, pooled.assign(country="ALL")[df.columns]], ignore_index=True)
    return df


class _Country:
    """One country's tables of one replication as arrays, read once for all its years."""

    def __init__(
        self, reg: pd.DataFrame, st: pd.DataFrame, fl: pd.DataFrame, cl: pd.DataFrame, det: pd.DataFrame
    ) -> None:
        self.decided = reg["decision_day"].to_numpy()
        self.new = ~reg["matched"].to_numpy()
        self.closed = reg["outcome_day"].to_numpy()
        self.outcome = reg["outcome"].cat.codes.to_numpy()  # the categories are the states, in order
        self.supervised = (reg["flight"] == "supervised").to_numpy()
        self.handed = reg["handover_decided_day"].to_numpy()
        self.absconded_ground = (reg["handover_ground"] == "absconded").to_numpy()
        self.days = st["day"].to_numpy()
        self.stocks = {c: st[c].to_numpy() for c in ("detention_occupied", "detention_places")}
        self.flows = {name: st[f"flow_{name}"].to_numpy() for name in _FLOWS}
        self.end = st.set_index("day")
        self.flight_days, self.boarded = fl["day"].to_numpy(), fl["boarded"].to_numpy()
        self.classes = cl.set_index("day")
        self.detained_days, self.detained_ids = det["day"].to_numpy(), det["migrant_id"].to_numpy()


def _year(c: _Country, warmup: int, rep: int, code: str, year: int, first: int, last: int) -> dict:
    """One country's row for the year of horizon days ``first`` to ``last``."""
    lo, hi = warmup + first - 1, warmup + last
    decided = (c.decided > lo) & (c.decided <= hi) & c.new
    closed = (c.closed > lo) & (c.closed <= hi)
    outcomes = np.bincount(c.outcome[closed], minlength=len(State))
    handed = (c.handed > lo) & (c.handed <= hi)
    days = (c.days > lo) & (c.days <= hi)
    flow = {name: c.flows[name][days].sum() for name in _FLOWS}
    n_decisions, n_returns = int(decided.sum()), int(sum(outcomes[s] for s in RETURNED))
    n_handed = int(handed.sum())
    entries = int(flow["detention_entries"] + flow["other_detention_entries"])
    spells = flow["detention_spells_ended"] + flow["other_detention_entries"]
    stay_days = flow["detention_days"] + flow["other_detention_days"]
    population, places = c.stocks["detention_occupied"][days].mean(), c.stocks["detention_places"][days].mean()
    forced = closed & (c.outcome == State.RETURNED_FORCED)
    escorted = int((forced & ~c.supervised).sum())
    in_year = (c.detained_days > lo) & (c.detained_days <= hi)
    persons = len(np.unique(c.detained_ids[in_year]))
    end = c.end.loc[hi] if hi in c.end.index else None

    def at_year_end(columns: list[str]) -> int:
        return int(end[columns].sum()) if end is not None else 0

    wanted = at_year_end(["wanted"])
    workable = at_year_end(WORKABLE)
    n_days = int(days.sum())
    return {
        "replication": rep,
        "country": code,
        "year": year,
        "first_day": first,
        "last_day": last,
        "decisions": n_decisions,
        "returns": n_returns,
        "registered_departures": n_returns,
        "return_rate": n_returns / n_decisions if n_decisions else np.nan,
        **{col: int(outcomes[state]) for col, state in CLOSURES.items()},
        "handed_to_police": n_handed,
        "handed_to_police_absconded": int((handed & c.absconded_ground).sum()),
        "share_handovers_absconded": (handed & c.absconded_ground).sum() / n_handed if n_handed else np.nan,
        "detention_entries": entries,
        "detention_entries_other": int(flow["other_detention_entries"]),
        "detention_persons": int(persons + flow["other_detention_entries"]),
        "detention_days_ended": float(stay_days),
        "detention_spells_ended": float(spells),
        "detention_mean_stay_days": stay_days / spells if spells else np.nan,
        "detention_population_mean": float(population) if n_days else np.nan,
        "detention_places_mean": float(places) if n_days else np.nan,
        "detention_occupancy_share": float(population / places) if n_days and places > 0 else np.nan,
        "detention_refused_full": int(flow["detention_refused_full"] + flow["other_refused_full"]),
        "released_for_room": int(flow["released_for_room"]),
        "registered_departures_incl_dublin": n_returns + int(flow["dublin_transfers"]),
        "other_removals": int(flow["other_removals"]),
        "escorted_removals_all_grounds": escorted + int(flow["other_escorted"]),
        "charter_returnees": int(c.boarded[(c.flight_days > lo) & (c.flight_days <= hi)].sum()),
        "wanted_end": wanted,
        "police_workable_end": workable,
        "police_open_end": wanted + workable,
        "agency_open_end": at_year_end(AGENCY),
        **{f"{name}_end": int(c.classes.loc[hi, name].sum()) if hi in c.classes.index else 0 for name in CLASSES},
        **{f"end_{col}": at_year_end([col]) for col in STOCKS_AT_YEAR_END},
    }


_FLOWS = (
    "detention_entries",
    "other_detention_entries",
    "detention_spells_ended",
    "detention_days",
    "other_detention_days",
    "detention_refused_full",
    "other_refused_full",
    "released_for_room",
    "other_removals",
    "other_escorted",
    "dublin_transfers",
)
"""The stock table's daily counts (``flow_*``) the yearly table sums."""
