"""The migration agency's kernel: capacity, order, the talks' consequences and the handover's package."""

from __future__ import annotations

import numpy as np

from sim.model.agency import AGENCY_VALUES, COERCION, new_agencies, notice_abscond, open_return_case, work_day
from sim.model.engine import COSTS, COUNTRY_VALUES, new_engine
from sim.model.hazards import RATES
from sim.model.moves import open_cases
from sim.model.queues import dated_pop
from sim.model.states import State
from sim.model.streams import stream_key

BASE = {
    "talks_per_day": 2.5,
    "talk_interval_days": 10.0,
    "talks_before_handover": 3,
    "refusal_handover_probability": 0.0,
    "abscond_detection_days": 0.0,
    "cost_talk": 100.0,
    "avr_offered": 1.0,
    "avr_uptake": 0.3,
    "field_loss_probability": 0.0,
    "handover_admin_days": 0.0,
    "fields_allowed": 0b00111,
}


def _setup(cases: int, **values: float) -> tuple[object, object, np.ndarray, np.ndarray]:
    """An agency and ``cases`` return cases waiting for a first talk (no hazards: the engine's rates are 0)."""
    given = BASE | values
    agencies = new_agencies(
        np.array([[given[name] for name in AGENCY_VALUES]]),
        np.array([stream_key(np.random.SeedSequence(entropy=9, spawn_key=(0, 1, 2)))], dtype=np.uint64),
    )
    engine = new_engine(
        1, 1, 100, np.zeros((1, len(RATES))), np.zeros((1, len(COUNTRY_VALUES))), np.zeros((1, 1), np.uint64), False
    )
    ones = np.ones(cases)
    open_cases(engine, 0, 0, np.zeros(cases), np.zeros(cases, np.int64), ones, ones, np.zeros((cases, 4), np.bool_))
    hot, history = engine.hot[:cases], engine.history[:cases]
    hot["state"], hot["documents"] = State.RETURN_CASE, True
    for row in range(cases):
        open_return_case(agencies, 0, row)
    return agencies, engine, hot, history


def test_talks_spend_the_daily_capacity_with_credit_and_lead_to_a_handover_after_the_set_number() -> None:
    """2.5 talks a day: 2, 3, 2, 3 ... talks; each case talked to thrice, 10 days apart, then handed over."""
    agencies, engine, hot, history = _setup(5)
    talks_by_day = []
    for day in range(1, 41):
        before = int(hot["talks"].sum())
        work_day(agencies, engine, 0, day)
        talks_by_day.append(int(hot["talks"].sum()) - before)
    assert talks_by_day[:4] == [2, 3, 0, 0]  # five cases: all talked to on days 1-2, next talks 10 days later
    assert hot["talks"].tolist() == [3] * 5 and hot["handover_announced"].all()
    assert engine.costs[0, COSTS.index("talks")] == (15 + 5) * 100.0  # a handover takes a unit of capacity, as a talk
    handed = []
    while True:
        row, _, _ = dated_pop(engine.intake_times, engine.intake_keys, engine.intake_size, 0, 1e9)
        if row < 0:
            break
        handed.append(row)
    assert sorted(handed) == list(range(5))
    assert (history["handover_ground"] == COERCION).all() and (history["package"] == 0b00111).all()


def test_an_absence_noticed_is_handed_over_before_any_talk_and_refusal_ends_talks_at_once() -> None:
    """Capacity 1: the noticed absconder's handover takes the day; with refusal certain, one talk is the last."""
    agencies, engine, hot, history = _setup(3, talks_per_day=1.0, refusal_handover_probability=1.0)
    hot[2]["state"] = State.ABSCONDED
    notice_abscond(agencies, 0, 2, 0.5, 0.0)  # noticed at once (no detection delay)
    work_day(agencies, engine, 0, 1)  # the notice creates a handover, which takes the day's capacity
    assert hot["talks"].tolist() == [0, 0, 0] and history[2]["handover_ground"] == 2
    work_day(agencies, engine, 0, 2)
    assert hot["talks"].tolist() == [1, 0, 0] and hot[0]["handover_announced"]


def test_avr_is_taken_up_in_the_share_set_and_documents_are_requested_once() -> None:
    """4 000 first talks: AVR taken by 30 % (± 2.5 points); a case without documents gets one request."""
    agencies, engine, hot, history = _setup(4000, talks_per_day=4000.0, talks_before_handover=9)
    hot["documents"][::2] = False
    work_day(agencies, engine, 0, 1)
    assert hot["avr_offered"].all() and abs(hot["avr_takes"].mean() - 0.3) < 0.025
    assert engine.requests_size == 2000 and (history["document_requests"] == ~hot["documents"]).all()
    assert hot["document_pending"].sum() == 2000
