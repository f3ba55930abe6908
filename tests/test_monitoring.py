"""Independent monitoring of joint Nordic operations: an observer count and cost, no effect unless assumed."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.charters import JOINT_CHARTER
from sim.model.model import ReturnModel
from sim.model.moves import move, open_cases
from sim.model.states import State
from sim.model.transport import new_flight, remove
from sim.outputs.files import frame_hash
from sim.runs.runner import run_replication
from tests.conftest import params

POOL = (
    "countries=[SE,NO,DK]",
    "flights=joint_nordic",
    "nations.SE.decisions_per_year=4000",
    "nations.NO.decisions_per_year=2000",
    "nations.DK.decisions_per_year=2000",
    "nations.SE.medical_removal_failure=0.3",  # enough stopped removals to see an effect on them
    "nations.NO.medical_removal_failure=0.3",
    "nations.DK.medical_removal_failure=0.3",
    "warmup_days=200",
    "horizon_days=500",
)


def _run(*overrides: str):
    return run_replication(params(*POOL, *overrides), 0)


def test_monitoring_with_no_assumed_effect_changes_no_case_and_counts_observers_and_their_cost():
    off, on = _run(), _run("monitoring=joint_nordic")
    assert frame_hash(on.register) == frame_hash(off.register), "observers alone change no case"
    p = params(*POOL)
    flights = on.flights[on.flights["day"] > p.warmup_days]  # the horizon's, as the summary counts them
    monitored = flights[flights["monitored"]]
    assert (
        set(monitored["kind"]) == {"joint_charter"}
        and not flights[~flights["monitored"]]["kind"].eq("joint_charter").any()
    )
    cfg = params(*POOL, "monitoring=joint_nordic").monitoring
    per_operation = cfg.observers_per_operation * cfg.observer_days_per_operation * cfg.cost_per_observer_day
    operations = monitored["flight_id"].nunique()
    assert monitored["paid_for_monitoring"].sum() == pytest.approx(per_operation * operations)
    pooled = on.summary.set_index("country").loc["ALL"]
    share = monitored["boarded"].sum() / pooled["forced_returns"]
    assert 0 < pooled["share_forced_returns_monitored"] == share < 1
    assert off.summary.set_index("country").loc["ALL", "monitoring_cost"] == 0


def _stops(monitored: bool, multiplier: float, n: int = 400) -> int:
    """Removals stopped among ``n`` vulnerable returnees of SE on one joint charter each (medical stop chance 0.3)."""
    run = ReturnModel(params(*POOL, "monitoring=joint_nordic", f"monitoring.removal_stop_multiplier={multiplier}"))
    e, tr = run.engine, run.transport
    ones = np.ones(n)
    documented_vulnerable = np.tile([True, True, False, False], (n, 1))
    first = open_cases(e, 0, 0, np.zeros(n), np.zeros(n, dtype=np.int64), ones, ones, documented_vulnerable)
    stops = 0
    for row in range(first, first + n):
        for state in (State.RETURN_CASE, State.POLICE_CASE, State.AWAITING_FLIGHT):
            move(e, row, state, 0.0)
        flight = new_flight(tr, 1.0, 0, JOINT_CHARTER, 0, 10, -1)
        tr.flights[flight]["monitored"] = monitored
        e.hot[row]["booked_on"] = flight
        stops += not remove(tr, e, run.police, row, flight, 1)
    assert tr.removal_failed[0] == stops
    return stops


def test_the_assumed_effect_scales_the_chance_a_removal_is_stopped_on_monitored_operations_only():
    """On a monitored flight the medical stop chance is multiplied by ``removal_stop_multiplier`` (0: none
    stopped; 1: the binomial count of 0.3; 2: more); on an unmonitored one the multiplier is ignored, and as
    every vulnerable returnee draws one number, the same people are stopped."""
    assert _stops(True, 0.0) == 0, "observers who never let a removal be stopped"
    plain = _stops(True, 1.0)
    assert 0.3 * 400 - 4 * (400 * 0.21) ** 0.5 < plain < 0.3 * 400 + 4 * (400 * 0.21) ** 0.5  # binomial, 4 sd
    assert _stops(True, 2.0) > plain
    assert _stops(False, 0.0) == plain, "an unmonitored flight ignores the assumption (same random numbers)"


def test_observers_on_all_charters_never_fly_with_other_member_states_operations():
    flights = _run("flights=frontex", "monitoring=all_charters").flights
    assert (flights["kind"] == "eu_operation").any(), "the check saw EU operations"
    assert not flights.loc[flights["kind"] == "eu_operation", "monitored"].any()
    assert flights.loc[flights["kind"] != "eu_operation", "monitored"].all()
