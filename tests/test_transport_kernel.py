"""The transport service's kernel: escorted seats within capacity and seats a week, order kept, removal."""

from __future__ import annotations

import numpy as np

from sim.model.moves import enqueue_ready, move
from sim.model.states import State
from sim.model.transport import (
    TRANSPORT_VALUES,
    book_escorted,
    fly_escorted,
    new_flight,
    new_transport,
    remove,
    waiting_for,
)
from tests.helpers.engine_cases import engine_with_police

TRANSPORT = {
    "escorted_per_day": 2.0,
    "booking_lead_days": 3.0,
    "medical_removal_failure": 0.0,
    "escorts_per_returnee": 2,
    "cost_escorted_removal": 1000.0,
    "health_failure_avoided": 0.0,
    "monitored_stop_multiplier": 1.0,
}


def _ready(cases: int, seats_per_week: float, **values: float) -> tuple[object, object, object]:
    engine, police = engine_with_police(cases)
    given = TRANSPORT | values
    transport = new_transport(
        np.array([[given[n] for n in TRANSPORT_VALUES]]), np.full((1, 1), seats_per_week), police.key + np.uint64(7)
    )
    for row in range(cases):
        move(engine, row, State.RETURN_CASE, 0.1)
        move(engine, row, State.POLICE_CASE, 0.2)
        move(engine, row, State.AWAITING_FLIGHT, 0.3)
        enqueue_ready(engine, 0, row, 0.3)
    return engine, police, transport


def test_escorted_seats_are_booked_within_capacity_first_come_and_flown_on_their_day() -> None:
    """Two escorts a day, plenty of seats: rows 0-1 on day 1, 2-3 on day 2; removed three days later."""
    engine, police, transport = _ready(5, seats_per_week=70.0)
    book_escorted(transport, engine, police, 0, 1)
    book_escorted(transport, engine, police, 0, 2)
    assert engine.hot["booked_on"][:5].tolist() == [0, 1, 2, 3, -1]
    assert transport.flights["day"][:4].tolist() == [4.0, 4.0, 5.0, 5.0]
    assert fly_escorted(transport, engine, police, 4).tolist() == []
    assert engine.hot["state"][:5].tolist() == [State.RETURNED_FORCED] * 2 + [State.AWAITING_FLIGHT] * 3
    assert engine.history["flight"][:2].tolist() == [1, 1] and engine.history["escorts"][0] == 2
    assert transport.removed[0, 0] == 2 and transport.escorted_costs[0] == 2000.0


def test_without_a_seat_today_people_keep_their_place_and_unused_escort_time_does_not_carry_over() -> None:
    """One seat a week to the destination: a seat builds up over a week; the rest wait in order; credit capped."""
    engine, police, transport = _ready(3, seats_per_week=1.0)
    for day in range(1, 8):  # seven sevenths of a seat add up to just under one in floating point
        book_escorted(transport, engine, police, 0, day)
        assert engine.hot["booked_on"][:3].tolist() == [-1, -1, -1] and transport.credit[0] <= 1.0
    book_escorted(transport, engine, police, 0, 8)
    assert engine.hot["booked_on"][:3].tolist() == [0, -1, -1]
    assert engine.ready[0, engine.ready_head[0] % engine.ready.shape[1]] == 1  # row 1 first in line
    assert engine.ready_tail[0] - engine.ready_head[0] == 2 and transport.credit[0] <= 1.0


def test_vulnerable_people_are_stopped_in_the_share_set_and_go_back_to_the_police() -> None:
    """2 000 vulnerable returnees, medical stop 25 %: within 3 points; stopped ones are police cases again."""
    engine, police, transport = _ready(2000, seats_per_week=0.0, medical_removal_failure=0.25)
    engine.history["vulnerable"][:2000] = True
    removed = 0
    for row in range(2000):
        flight = new_flight(transport, 1.0, 0, 2, 0, 150, -1)
        engine.hot[row]["booked_on"] = flight
        removed += remove(transport, engine, police, row, flight, 1)
    assert abs(1.0 - removed / 2000 - 0.25) < 0.03 and transport.removal_failed[0] == 2000 - removed
    assert (engine.hot["state"][:2000] == State.POLICE_CASE).sum() == 2000 - removed


def test_a_charter_waiting_line_lists_each_person_once_longest_waiting_first() -> None:
    """Someone who became ready again is in the ready line twice; a charter's line lists them once."""
    engine, _, _ = _ready(3, 0.0)
    enqueue_ready(engine, 0, 1, 0.5)  # ready again: a second entry for row 1
    rows, countries = waiting_for(engine, np.array([0]), 0)
    assert rows.tolist() == [0, 1, 2] and countries.tolist() == [0, 0, 0]
