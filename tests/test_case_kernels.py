"""The case engine's parts: counter-based draws, the case table, the hazards kernel.

The hazards kernel must give exactly the rates, targets and deadline that the
model description states (ODD, "Submodels": each state's competing hazards
and their multipliers), written out here once more in plain Python
(:func:`stated_hazards`) for any case and any rates in force: the test draws
both at random and compares them value for value. The draws are checked for
uniformity and independence with stated tolerances on a fixed, large sample.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.model.cases import COLUMNS, HISTORY, HOT, Codes, HotCase, register_frame
from sim.model.hazards import (
    DETENTION_LIMIT,
    DETENTION_REVIEW,
    EARLY_ABSCONDING_ENDS,
    NO_TIMER,
    RATES,
    case_hazards,
    draw_next,
)
from sim.model.queues import grown, key_of
from sim.model.queues import pop as timer_pop
from sim.model.queues import push as timer_push
from sim.model.states import ACTIVE, State
from sim.model.streams import case_seed, case_uniform, stream_key

KEY = stream_key(np.random.SeedSequence(entropy=20261203, spawn_key=(0, 1, 5)))


def _seed(key: np.uint64, sequence: int) -> np.uint64:
    """A case's seed as the 64-bit unsigned integer kernels take (numba gives it back as a Python int)."""
    return np.uint64(case_seed(key, sequence))


def _grid(cases: int, per_case: int) -> np.ndarray:
    return np.array([[case_uniform(_seed(KEY, i), k) for k in range(per_case)] for i in range(cases)])


def test_case_draws_are_uniform_and_independent_within_and_across_cases() -> None:
    """20 000 numbers (2 000 cases x 10): KS p > 0.001, correlations within 4 standard errors of 0."""
    grid = _grid(2000, 10)
    assert stats.kstest(grid.ravel(), "uniform").pvalue > 1e-3
    bound = 4.0 / math.sqrt(len(grid))
    assert abs(np.corrcoef(grid[:, 0], grid[:, 1])[0, 1]) < bound  # a case's consecutive draws
    assert abs(np.corrcoef(grid[:-1, 0], grid[1:, 0])[0, 1]) < bound  # neighbouring cases' first draws
    assert len(np.unique(grid)) == grid.size


def test_case_draws_are_a_pure_function_of_key_case_and_counter() -> None:
    """The same inputs give the same number in any order; another key gives other numbers."""
    first = case_uniform(_seed(KEY, 7), 3)
    _grid(10, 5)
    assert case_uniform(_seed(KEY, 7), 3) == first
    other = stream_key(np.random.SeedSequence(entropy=20261203, spawn_key=(0, 1, 6)))
    assert case_uniform(_seed(other, 7), 3) != first
    assert 0.0 <= first < 1.0


def test_the_case_tables_read_as_the_register() -> None:
    """Codes become texts (origins, countries, outcomes, information fields); rows come in migrant-id order."""
    hot, history = np.zeros(5, dtype=HOT), np.zeros(5, dtype=HISTORY)
    for name in ("entered", "outcome_day", "documents_day", "handover_decided_day", "handover_day", "flight_ready_day"):
        history[name] = np.nan
    history["closed_from"] = -1
    hot["willingness"][:2] = [0.5, 2.0]
    history["migrant_id"] = [11, 10, 12, 13, 14]
    hot["origin"][2:] = 1
    hot["country"][3:] = 1
    hot["state"][4] = State.RETURNED_FORCED
    history["closed_from"][4] = State.DETAINED
    history["fields_passed"][4] = 0b101
    history["moved_to"][3] = 2
    history["flight"][4] = 2
    frame = register_frame(hot, history, Codes(["Iraq", "Somalia"], ["SE", "NO"]))
    assert tuple(frame.columns) == COLUMNS
    assert frame["migrant_id"].tolist() == [10, 11, 12, 13, 14]
    assert frame["willingness"].tolist()[:2] == [2.0, 0.5]
    assert frame["origin"].tolist() == ["Iraq", "Iraq", "Somalia", "Somalia", "Somalia"]
    assert frame["country"].tolist() == ["SE", "SE", "SE", "NO", "NO"]
    assert frame["outcome"].tolist()[4] == "returned_forced" and frame["closed_from"].tolist()[4] == "detained"
    assert frame["fields_passed"].tolist()[4] == "address,identity_documents"
    assert frame["moved_to"].tolist()[3] == "NO" and frame["flight"].tolist()[4] == "charter"
    assert frame["detention_days"].isna().sum() == 0 and frame["outcome_day"].isna().all()
    assert HOT.itemsize <= 100  # the engine target: about 100 bytes of hot state per open case


def stated_hazards(case: dict[str, Any], t: float, r: dict[str, float], factor: float) -> tuple[list, list, float, int]:
    """Each state's competing hazards (rates and the states they lead to) and its deadline, as the ODD states them.

    Departure hazards scale with the person's willingness and the enforcement
    ``factor`` of their origin; abscond hazards with their propensity, times
    both return-centre multipliers for a centre resident. The decision's
    expiry replaces a later deadline; a deadline already passed falls due now.
    """
    s, a = case["state"], case["abscond_propensity"]
    if case["in_return_centre"]:
        a *= r["return_centre_abscond_multiplier"] * r["centre_abscond_multiplier"]
    deadline, on_deadline = math.inf, -1
    if s == State.VOLUNTARY_PERIOD:
        dep = r["voluntary_period_departure"] * case["willingness"] * factor
        hazards = [(dep, State.RETURNED_VOLUNTARY), (r["voluntary_period_abscond"] * a, State.ABSCONDED)]
        deadline, on_deadline = case["since"] + r["voluntary_departure_days"], int(State.RETURN_CASE)
    elif s in (State.RETURN_CASE, State.POLICE_CASE):
        kind = "return_case" if s == State.RETURN_CASE else "police_case"
        dep, ab = r[f"{kind}_departure"] * case["willingness"] * factor, r[f"{kind}_abscond"] * a
        if not case["documents"]:
            dep *= r["no_document_departure_multiplier"]
        target = State.RETURNED_VOLUNTARY
        if s == State.RETURN_CASE:
            dep *= r["talk_departure_multiplier"] if case["talks"] else 1.0
            if case["avr_offered"]:
                ab *= r["avr_abscond_multiplier"]
                dep *= r["avr_departure_multiplier"] if case["avr_takes"] else 1.0
            target = State.RETURNED_ASSISTED if case["avr_takes"] else target  # a grant taken: an assisted return
            ab *= r["handover_announced_abscond_multiplier"] if case["handover_announced"] else 1.0
        else:
            ab *= r["released_abscond_multiplier"] if case["released"] else 1.0
            ab *= r["blocked_abscond_multiplier"] if case["unenforceable"] else 1.0  # removal blocked (red class)
        hazards = [(dep, target), (ab, State.ABSCONDED), (r["permit_after_impediment"], State.PERMIT_GRANTED)]
    elif s == State.ABSCONDED:  # the first days after absconding: every exit at its early rate, until they end
        early = t < case["since"] + r["absconded_early_days"]
        m = r["absconded_early_exit_multiplier"] if early else 1.0
        if early:
            deadline, on_deadline = case["since"] + r["absconded_early_days"], EARLY_ABSCONDING_ENDS
        hazards = [
            (m * r["absconded_chance_encounter"], State.POLICE_CASE),
            (m * r["absconded_leave_unrecorded"], State.DEPARTED_UNRECORDED),
            (m * r["absconded_registered_departure"], State.RETURNED_VOLUNTARY),
            (m * r["absconded_move_nordic"], State.MOVED_NORDIC),
            (m * r["absconded_other_closure"], State.CLOSED_OTHER),
        ]
    elif s == State.AWAITING_FLIGHT:
        ab = r["police_case_abscond"] * a * r["handover_announced_abscond_multiplier"]
        hazards = [(ab * (r["released_abscond_multiplier"] if case["released"] else 1.0), State.ABSCONDED)]
    else:  # detained: the next review or the legal maximum length, whichever comes first
        hazards = []
        if case["detention_review"] < case["detention_limit"]:
            deadline, on_deadline = case["detention_review"], DETENTION_REVIEW
        else:
            deadline, on_deadline = case["detention_limit"], DETENTION_LIMIT
    if case["expiry_day"] <= deadline:
        deadline, on_deadline = case["expiry_day"], int(State.EXPIRED)
    return [h for h, _ in hazards], [int(s) for _, s in hazards], max(deadline, t), on_deadline


FLAGS = ("in_return_centre", "documents", "avr_offered", "avr_takes", "handover_announced", "released", "unenforceable")


@settings(max_examples=300, deadline=None)
@given(
    state=st.sampled_from(list(ACTIVE)),
    flags=st.tuples(*(st.booleans() for _ in FLAGS)),
    talks=st.integers(0, 3),
    rates=st.lists(st.floats(0.0, 2.0), min_size=len(RATES), max_size=len(RATES)),
    days=st.tuples(*(st.floats(0.0, 900.0) for _ in range(5))),
    people=st.tuples(st.floats(0.05, 5.0), st.floats(0.05, 5.0), st.floats(0.1, 3.0)),
)
def test_hazard_kernel_gives_the_stated_hazards(
    state: State, flags: tuple[bool, ...], talks: int, rates: list[float], days: tuple[float, ...], people: Any
) -> None:
    """For any case and rates in force, the kernel's rates, targets and deadline are the ones the ODD states."""
    values = dict(zip(RATES, rates, strict=True))
    t, since, expiry, limit, review = days
    willingness, propensity, factor = people
    table = np.zeros(1, dtype=HOT)
    case = table[0]
    attributes = {"state": state, "since": since, "expiry_day": expiry, "detention_limit": limit}
    attributes |= {"detention_review": review, "willingness": willingness, "abscond_propensity": propensity}
    attributes |= {"talks": talks, **dict(zip(FLAGS, flags, strict=True))}
    for name, value in attributes.items():
        case[name] = value
    packed = tuple(values[name] for name in RATES)
    n, got_rates, got_targets, deadline, on_deadline = case_hazards(case, t, packed, factor)
    want_rates, want_targets, want_deadline, want_on_deadline = stated_hazards(attributes, t, values, factor)
    assert list(got_rates[:n]) == pytest.approx(want_rates, rel=1e-12)
    assert list(got_targets[:n]) == want_targets
    assert (deadline, on_deadline) == (want_deadline, want_on_deadline)


def _return_case(rates: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    table = np.zeros(1, dtype=HOT)
    table[0]["state"] = State.RETURN_CASE
    table[0]["expiry_day"] = math.inf
    table[0]["willingness"] = table[0]["abscond_propensity"] = 1.0
    table[0]["documents"] = True
    values = dict.fromkeys(RATES, 1.0) | dict.fromkeys(("return_case_departure", "return_case_abscond"), 0.0)
    values |= rates
    return table, np.array([values[name] for name in RATES])


@pytest.mark.parametrize("departure, abscond, permit", [(0.02, 0.01, 0.001), (0.05, 0.0, 0.01)])
def test_the_race_ends_at_the_total_rate_with_each_hazard_in_proportion(
    departure: float, abscond: float, permit: float
) -> None:
    """20 000 races of a return case: mean time within 4 % of 1/total, each target's share within 0.01."""
    table, par = _return_case(
        {"return_case_departure": departure, "return_case_abscond": abscond, "permit_after_impediment": permit}
    )
    total = departure + abscond + permit
    times, targets = [], []
    for seq in range(20_000):
        table[0]["seed"] = case_seed(KEY, seq)
        table[0]["draws"] = 0
        when, target = draw_next(table[0], 10.0, tuple(par), 1.0)
        times.append(when - 10.0)
        targets.append(target)
    assert abs(np.mean(times) * total - 1.0) < 0.04
    counts = np.bincount(targets, minlength=len(State)) / len(targets)
    assert abs(counts[State.RETURNED_VOLUNTARY] - departure / total) < 0.01
    assert abs(counts[State.ABSCONDED] - abscond / total) < 0.01
    assert abs(counts[State.PERMIT_GRANTED] - permit / total) < 0.01
    assert table[0]["epoch"] == 20_000 and table[0]["draws"] == 2


def test_a_state_nothing_can_end_draws_no_timer_and_a_deadline_wins_a_later_hazard() -> None:
    """No rate and no deadline: no timer and no draw used. A voluntary period ends at its deadline first."""
    table, par = _return_case({"permit_after_impediment": 0.0})
    assert draw_next(table[0], 0.0, tuple(par), 1.0) == (math.inf, NO_TIMER) and table[0]["draws"] == 0
    table, par = _return_case({"voluntary_period_departure": 1e-9, "voluntary_period_abscond": 0.0})
    table[0]["state"] = State.VOLUNTARY_PERIOD
    par[RATES.index("voluntary_departure_days")] = 14.0
    table[0]["since"] = 3.0
    assert draw_next(table[0], 3.0, tuple(par), 1.0) == (17.0, State.RETURN_CASE)


def test_the_kernels_typed_view_of_a_case_names_every_column_of_the_hot_table() -> None:
    """:class:`HotCase` (what the type checker knows of a row) and :data:`HOT` (the row) list the same fields."""
    assert tuple(HotCase.__annotations__) == HOT.names


def test_timer_heap_gives_timers_back_by_time_then_row_and_grows_between_kernels() -> None:
    """2 000 random timers (with ties) come out in (time, row) order, whatever the order they went in."""
    rng = np.random.default_rng(5)
    times, keys, size = np.zeros(4), np.zeros(4, dtype=np.int64), np.zeros(1, dtype=np.int64)
    entries = [(float(rng.integers(50)), int(row), int(rng.integers(2**32))) for row in rng.permutation(2000)]
    for time, row, epoch in entries:
        times, keys = grown(times, size[0] + 1), grown(keys, size[0] + 1)
        timer_push(times, keys, size, time, key_of(row, epoch))
    out = [timer_pop(times, keys, size) for _ in range(len(entries))]
    assert out == sorted(entries) and size[0] == 0
    size[0] = len(times)
    with pytest.raises(IndexError):  # a kernel never writes past the array
        timer_push(times, keys, size, 1.0, key_of(1, 0))
