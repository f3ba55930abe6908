"""Operational metrics of an effective, humane and sustainable return process (docs/ODD.md, 7.12).

Every metric is computed over the measured horizon ``(warmup, end]`` from the
case register and the flight table; from the model itself only its
parameters, its last day, each country's cost and event counters, and the
transit route's counters are read (costs and the route are not in the register).
"""

from __future__ import annotations

from functools import reduce
from operator import add
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.model.states import ACTIVE, RETURNED, State

if TYPE_CHECKING:
    from sim.model.results import CountryCounts, FinishedRun

RETURNED_LABELS = [s.label for s in RETURNED]
ACTIVE_LABELS = [s.label for s in ACTIVE]

METRICS = {
    # effective
    "decisions": "final decisions in the horizon (a matched mover's case is not a new decision)",
    "returns": "registered returns (voluntary, assisted, forced) in the horizon",
    "return_rate": "returns / decisions in the horizon",
    "cohort_return_rate_12m": "share of decisions (horizon, >= 12 months before its end) returned within 365 days",
    "median_days_to_return": "median days from decision to return, returns in the horizon",
    "p90_days_to_return": "90th percentile of days from decision to return",
    "backlog_end": "open cases at the end",
    "cost_per_return": "EUR spent by the country in the horizon per return",
    "total_cost": "EUR spent by the country in the horizon: talks, police actions, detention days, removals, "
    "charters and transfers, AVR grants, observers, the transit programme's places",
    # absconding
    "share_ever_absconded": "share of the horizon's decisions that absconded at least once",
    "absconded_end": "absconded stock at the end",
    "departure_position_end": "open cases at the end whose person is still here and known (not absconded)",
    "expired": "decisions that expired (statute of limitation) in the horizon",
    "handed_to_police": "cases the police registered in the horizon",
    "share_handovers_absconded": "share of the horizon's handovers to the police made on the absconded ground",
    "registered_departures_after_absconding": "returns in the horizon registered after absconding (exit check, notice)",
    "permits_granted": "cases closed with a residence permit after an impediment to enforcement, in the horizon",
    "closed_other": "cases closed without departure for other reasons (written off) in the horizon",
    "mean_handover_delay_days": "mean days from handover decision to police registration",
    "located": "absconded people located in the horizon",
    "requests_followed_up": "document requests an attaché (own or, in a network, another's) followed up",
    "document_requests_via_nordic_embassy": "document requests a Nordic neighbour's embassy took, the country "
    "having none in the origin (attaches.embassy_access=nordic)",
    "document_requests_remote": "document requests sent without an embassy in the origin (diplomatic note, "
    "or the origin's embassy accredited elsewhere)",
    # humane
    "voluntary_share_of_returns": "voluntary and assisted returns / returns",
    "share_detained": "share of the horizon's decisions detained at least once",
    "detention_days_per_forced_return": "detention days in the horizon / forced returns",
    "released_at_limit": "releases at the legal maximum in the horizon",
    "detention_refused_full": "detention requests of the horizon refused for want of a free place",
    "detention_entries": "detention spells started in the horizon",
    "detention_mean_stay_days": "mean length of the detention spells that ended in the horizon",
    "escorts_per_return": "escort officers per return",
    # sustainable
    "reintegration_share_of_returns": "returns with reintegration support / returns",
    # secondary movement
    "moved_out": "absconded people who moved to another Nordic country in the horizon",
    "movers_matched": "movers from elsewhere matched to their earlier decision (info_sharing=nordic)",
    "movers_new_case": "movers from elsewhere who got a new decision here, unmatched",
    # flights
    "forced_returns": "removals by the police in the horizon",
    "charters_flown": "charters and EU operations that carried returnees of the country in the horizon",
    "charters_organised": "charters the country organised (national or joint)",
    "joint_flights": "joint Nordic charters and EU operations that carried the country's returnees",
    "charter_seat_utilisation": "returnees / seats on the charters the country organised",
    "charter_returnees": "the country's returnees removed on charters or EU operations",
    "charter_cost_per_returnee": "aircraft and transfer cost per charter returnee (EUR, whoever paid)",
    "charter_cost_paid_by_country": "EUR the country paid for charter seats and transfers",
    "charter_cost_paid_by_frontex": "EUR Frontex paid for the country's charter returnees",
    "share_forced_returns_monitored": "forced returns on operations with independent observers / forced returns",
    "monitoring_cost": "EUR the country paid for observers on its monitored operations (shared by returnees)",
    "median_days_ready_to_departure": "median days from ready for removal (documents, case done) to departure",
    "detention_days_awaiting_flight_per_forced_return": "detention days after ready for removal / forced returns",
    # the North African transit route (transit=north_africa; 0 when off)
    "transit_decisions": "decisions in the horizon for people who came by the North African route (part of decisions)",
    "transit_cost": "EUR the country paid for the route's assisted-return places (shared by decisions; in total_cost)",
    "transit_assisted_returns": "assisted returns home from the North African route in the horizon (route-wide)",
    "transit_onward_nordic": "people who set out from the route and applied in a Nordic country (route-wide)",
    "transit_stock_end": "people stranded on the route at the horizon's end (route-wide)",
}
"""Summary metrics and what each one means (column name -> definition)."""


UNITS = {
    "decisions": "cases",
    "returns": "persons",
    "return_rate": "share",
    "cohort_return_rate_12m": "share",
    "median_days_to_return": "days",
    "p90_days_to_return": "days",
    "backlog_end": "cases",
    "cost_per_return": "EUR",
    "total_cost": "EUR",
    "share_ever_absconded": "share",
    "absconded_end": "persons",
    "departure_position_end": "cases",
    "expired": "cases",
    "handed_to_police": "cases",
    "share_handovers_absconded": "share",
    "registered_departures_after_absconding": "persons",
    "permits_granted": "cases",
    "closed_other": "cases",
    "mean_handover_delay_days": "days",
    "located": "persons",
    "requests_followed_up": "requests",
    "document_requests_via_nordic_embassy": "requests",
    "document_requests_remote": "requests",
    "voluntary_share_of_returns": "share",
    "share_detained": "share",
    "detention_days_per_forced_return": "days",
    "released_at_limit": "persons",
    "detention_refused_full": "requests",
    "detention_entries": "spells",
    "detention_mean_stay_days": "days",
    "escorts_per_return": "escorts",
    "reintegration_share_of_returns": "share",
    "moved_out": "persons",
    "movers_matched": "persons",
    "movers_new_case": "persons",
    "forced_returns": "persons",
    "charters_flown": "flights",
    "charters_organised": "flights",
    "joint_flights": "flights",
    "charter_seat_utilisation": "share",
    "charter_returnees": "persons",
    "charter_cost_per_returnee": "EUR",
    "charter_cost_paid_by_country": "EUR",
    "charter_cost_paid_by_frontex": "EUR",
    "share_forced_returns_monitored": "share",
    "monitoring_cost": "EUR",
    "median_days_ready_to_departure": "days",
    "detention_days_awaiting_flight_per_forced_return": "days",
    "transit_decisions": "cases",
    "transit_cost": "EUR",
    "transit_assisted_returns": "persons",
    "transit_onward_nordic": "persons",
    "transit_stock_end": "persons",
}
"""Unit of each metric, for axis labels."""


def summarise(model: FinishedRun, register: pd.DataFrame, flights: pd.DataFrame) -> pd.DataFrame:
    """One row per country plus ``ALL`` (when several), with every metric in :data:`METRICS`."""
    start, end = model.params.warmup_days, model.end_day
    flights = flights[(flights["day"] > start) & (flights["day"] <= end)]
    rows = [
        _country_metrics(model, c, register[register["country"] == code], flights)
        for code, c in model.countries.items()
    ]
    if len(rows) > 1:
        rows.append(_country_metrics(model, None, register, flights))
    df = pd.DataFrame(rows)
    df.insert(0, "replication", model.replication)
    df.insert(1, "seed", model.params.seed)
    return df


def _country_metrics(model: FinishedRun, country: CountryCounts | None, reg: pd.DataFrame, fl: pd.DataFrame) -> dict:
    start, end = model.params.warmup_days, model.end_day
    countries = list(model.countries.values()) if country is None else [country]
    costs = reduce(add, (c.costs - c.costs_at_warmup for c in countries))  # the horizon's, summed over countries
    events = reduce(add, (c.events - c.events_at_warmup for c in countries))
    in_horizon = (reg["decision_day"] > start) & ~reg["matched"]
    cohort = reg[in_horizon]
    ended_in = (reg["outcome_day"] > start) & (reg["outcome_day"] <= end)
    returned = reg[ended_in & reg["outcome"].isin(RETURNED_LABELS)]
    n_returns = len(returned)
    days = (returned["outcome_day"] - returned["decision_day"]).to_numpy()
    early = reg[in_horizon & (reg["decision_day"] <= end - 365)]
    early_returned = early["outcome"].isin(RETURNED_LABELS) & (early["outcome_day"] - early["decision_day"] <= 365)
    forced = returned[returned["outcome"] == State.RETURNED_FORCED.label]
    handed = reg[(reg["handover_day"] > start) & (reg["handover_day"] <= end)]
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
        "total_cost": float(sum(costs.values())),
        "share_ever_absconded": float(cohort["ever_absconded"].mean()) if len(cohort) else np.nan,
        "absconded_end": int((reg["outcome"] == State.ABSCONDED.label).sum()),
        "departure_position_end": int(reg["outcome"].isin(ACTIVE_LABELS).sum())
        - int((reg["outcome"] == State.ABSCONDED.label).sum()),
        "expired": int((ended_in & (reg["outcome"] == State.EXPIRED.label)).sum()),
        "handed_to_police": int(events["handed_to_police"]),
        "share_handovers_absconded": float((handed["handover_ground"] == "absconded").mean())
        if len(handed)
        else np.nan,
        "registered_departures_after_absconding": int((returned["closed_from"] == State.ABSCONDED.label).sum()),
        "permits_granted": int((ended_in & (reg["outcome"] == State.PERMIT_GRANTED.label)).sum()),
        "closed_other": int((ended_in & (reg["outcome"] == State.CLOSED_OTHER.label)).sum()),
        "mean_handover_delay_days": float((handed["handover_day"] - handed["handover_decided_day"]).mean())
        if len(handed)
        else np.nan,
        "located": int(events["located"]),
        "requests_followed_up": int(events["requests_followed_up"]),
        "document_requests_via_nordic_embassy": int(events["requests_via_nordic_embassy"]),
        "document_requests_remote": int(events["requests_remote"]),
        "voluntary_share_of_returns": _ratio(n_returns - len(forced), n_returns),
        "share_detained": float((cohort["times_detained"] > 0).mean()) if len(cohort) else np.nan,
        "detention_days_per_forced_return": _ratio(events["detention_days"], len(forced)),
        "released_at_limit": int(events["released_at_limit"]),
        "detention_refused_full": int(events["detention_refused_full"]),
        "detention_entries": int(events["detention_entries"]),
        "detention_mean_stay_days": _ratio(events["detention_days"], events["detention_spells_ended"]),
        "escorts_per_return": _ratio(returned["escorts"].sum(), n_returns),
        "reintegration_share_of_returns": _ratio(returned["reintegration_support"].sum(), n_returns),
        "moved_out": int((ended_in & (reg["outcome"] == State.MOVED_NORDIC.label)).sum()),
        "movers_matched": int(events["movers_matched"]),
        "movers_new_case": int(events["movers_new_case"]),
        "forced_returns": len(forced),
        **_flight_metrics(fl if country is None else fl[fl["country"] == country.code], country, fl, len(forced)),
        "median_days_ready_to_departure": float((forced["outcome_day"] - forced["flight_ready_day"]).median())
        if len(forced)
        else np.nan,
        "detention_days_awaiting_flight_per_forced_return": _ratio(
            events["detention_days_awaiting_flight"], len(forced)
        ),
        "transit_decisions": int(events["transit_decisions"]),
        "transit_cost": float(costs["transit_programme"]),
        **_route_metrics(model),
    }


def _route_metrics(model: FinishedRun) -> dict:
    """The transit route's own flows over the horizon (the same for every country: the route is shared)."""
    route = model.transit
    if route is None:
        return {"transit_assisted_returns": 0, "transit_onward_nordic": 0, "transit_stock_end": 0}
    flows = route.events - route.events_at_warmup
    return {
        "transit_assisted_returns": int(flows["assisted_returns"]),
        "transit_onward_nordic": int(flows["onward_nordic"]),
        "transit_stock_end": route.stock,
    }


def _flight_metrics(mine: pd.DataFrame, country: CountryCounts | None, every: pd.DataFrame, forced: int) -> dict:
    """Charter outcomes of one country (rows of the flight table with its returnees) or of all."""
    carried = mine[mine["boarded"] > 0]
    organised = every.drop_duplicates("flight_id")
    organised = organised[organised["kind"] != "eu_operation"]
    if country is not None:
        organised = organised[organised["organiser"] == country.code]
    returnees = int(mine["boarded"].sum())
    paid, frontex = float(mine["paid_by_country"].sum()), float(mine["paid_by_frontex"].sum())
    return {
        "charters_flown": carried["flight_id"].nunique(),
        "charters_organised": len(organised),
        "joint_flights": carried.loc[carried["kind"] != "charter", "flight_id"].nunique(),
        "charter_seat_utilisation": _ratio(organised["boarded_total"].sum(), organised["seats"].sum()),
        "charter_returnees": returnees,
        "charter_cost_per_returnee": _ratio(paid + frontex, returnees),
        "charter_cost_paid_by_country": paid,
        "charter_cost_paid_by_frontex": frontex,
        "share_forced_returns_monitored": _ratio(mine["boarded"][mine["monitored"].astype(bool)].sum(), forced),
        "monitoring_cost": float(mine["paid_for_monitoring"].sum()),
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
