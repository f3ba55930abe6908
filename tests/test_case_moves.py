"""The compiled engine's moves and timers: stocks, the register's days, and the race's outcome shares.

The agencies are not kernels yet: where a timer needs one (the voluntary
period's end here), the test plays the agency by moving the case on.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.cases import HISTORY, HOT
from sim.model.engine import COSTS, COUNTRY_VALUES, EVENTS, FIELDS, TRANSITION, new_engine
from sim.model.hazards import RATES
from sim.model.moves import move, next_timer, open_cases
from sim.model.states import State
from sim.model.streams import stream_key

CASES = 20_000
VP_DAYS, VP_DEPARTURE, RC_DEPARTURE, RC_ABSCOND = 30.0, 0.01, 0.02, 0.01


def _engine(last_day: int) -> object:
    rates = dict.fromkeys(RATES, 1.0) | {"voluntary_period_abscond": 0.0, "permit_after_impediment": 0.0}
    rates |= {name: 0.0 for name in RATES if name.startswith("absconded_")}  # absconded people stay so
    rates |= {"voluntary_period_departure": VP_DEPARTURE, "voluntary_departure_days": VP_DAYS}
    rates |= {"return_case_departure": RC_DEPARTURE, "return_case_abscond": RC_ABSCOND}
    values = dict.fromkeys(COUNTRY_VALUES, 0.0) | {"statute_of_limitation_days": 1460.0, "return_centre_places": 0}
    keys = np.array([[stream_key(np.random.SeedSequence(entropy=7, spawn_key=(0, 1, 5)))]], dtype=np.uint64)
    return new_engine(
        1,
        1,
        last_day,
        np.array([[rates[name] for name in RATES]]),
        np.array([[values[name] for name in COUNTRY_VALUES]]),
        keys,
        log=True,
    )


def _run(e: object, days: int) -> int:
    handed = 0
    for day in range(1, days + 1):
        while True:
            row, target, time = next_timer(e, day)
            if row < 0:
                break
            move(e, row, target, time)  # the test plays every agency by moving the case on
            handed += target == State.RETURN_CASE
    return handed


def test_cases_leave_the_voluntary_period_and_the_return_case_in_the_shares_of_their_hazards() -> None:
    """20 000 cases on day 0: the shares departing in the voluntary period and after it match the race (± 0.01)."""
    e = _engine(last_day=3000)
    n = CASES
    traits = np.zeros((n, 4), dtype=np.bool_)
    traits[:, 0] = True  # documents: the departure hazard is not reduced
    open_cases(e, 0, 0, np.zeros(n), np.zeros(n, dtype=np.int64), np.ones(n), np.ones(n), traits)
    handed = _run(e, 3000)
    hot, history = e.hot[:n], e.history[:n]
    in_period = 1.0 - math.exp(-VP_DEPARTURE * VP_DAYS)
    assert abs(handed / n - (1.0 - in_period)) < 0.01
    assert abs((history["closed_from"] == State.VOLUNTARY_PERIOD).mean() - in_period) < 0.01
    in_rc = np.isfinite(history["entered"][:, State.RETURN_CASE])
    assert in_rc.sum() == handed
    absconded = np.isfinite(history["entered"][in_rc, State.ABSCONDED]).mean()
    assert abs(absconded - RC_ABSCOND / (RC_DEPARTURE + RC_ABSCOND)) < 0.015
    returned = hot["state"][in_rc] == State.RETURNED_VOLUNTARY
    assert abs(returned.mean() + absconded - 1.0) < 1e-9  # a return case ends by departing or absconding


def test_stocks_the_register_days_and_the_log_agree_with_the_cases() -> None:
    """After any number of days every case is counted once in its state's stock, with consistent days."""
    e = _engine(last_day=400)
    for day in range(0, 400, 5):
        n = 50
        traits = np.zeros((n, 4), dtype=np.bool_)
        open_cases(e, 0, 0, np.full(n, float(day)), np.zeros(n, dtype=np.int64), np.ones(n), np.ones(n), traits)
        _run_days(e, day + 1, day + 5)
    hot, history = e.hot[: e.size], e.history[: e.size]
    assert e.size == 80 * 50
    assert e.stocks[0].tolist() == np.bincount(hot["state"], minlength=len(State)).tolist()
    assert e.events[0, EVENTS.index("decisions")] == e.size
    closed = hot["state"] >= State.RETURNED_VOLUNTARY
    assert np.isnan(history["outcome_day"][~closed]).all() and (history["outcome_day"][closed] >= 0).all()
    assert (history["outcome_day"][closed] >= history["decision_day"][closed]).all()
    assert (history["closed_from"][closed] >= 0).all() and (history["closed_from"][~closed] == -1).all()
    assert (e.open_by_origin[0, 0] == (~closed).sum()).all()
    log = e.log[: e.log_size]
    assert (np.diff(log["time"][log["old"] >= 0]) >= -1.0).all()  # fired day by day
    assert (log["old"] == -1).sum() == e.size
    cases, last = np.unique(log["case"][::-1], return_index=True)  # each case's last entry
    assert (cases == np.arange(e.size)).all() and (log["new"][::-1][last] == hot["state"]).all()


def _run_days(e: object, first: int, last: int) -> None:
    for day in range(first, last + 1):
        while True:
            row, target, time = next_timer(e, day)
            if row < 0:
                break
            move(e, row, target, time)


def test_every_field_of_the_engine_reads_back_as_made() -> None:
    """Python reads each field by name (the proxy's attribute list and the kernels' order cannot drift apart)."""
    e = _engine(last_day=123)
    assert len(FIELDS) == len(set(FIELDS))
    assert e.last_day == 123 and e.size == 0 and e.log_on and e.log_size == 0
    assert e.rates.shape == (1, len(RATES)) and e.values.shape == (1, len(COUNTRY_VALUES))
    assert e.stocks.shape == (1, len(State)) and e.events.shape == (1, len(EVENTS)) and e.costs.shape == (1, len(COSTS))
    assert e.hot.dtype == HOT and e.history.dtype == HISTORY and e.log.dtype == TRANSITION
    assert e.keys.dtype == np.uint64 and e.sequences.shape == e.keys.shape and e.heap_size.tolist() == [0]
    for name in ("factors", "open_by_origin"):
        assert getattr(e, name).shape == (1, 1)
    assert e.detention_occupied.shape == e.centre_occupied.shape == (1,)
    assert e.timer_times.dtype == np.float64 and e.timer_keys.dtype == np.int64
