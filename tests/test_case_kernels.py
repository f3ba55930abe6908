"""The compiled case engine's parts: counter-based draws, the case table, the hazards kernel.

The hazards kernel must give exactly the rates, targets and deadline of the
interpreted hazards (:mod:`sim.model.hazards`) for any case and any rates in
force: the test draws both at random and compares them value for value. The
draws are checked for uniformity and independence with stated tolerances on
a fixed, large sample.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.model.case_draws import case_seed, case_uniform, stream_key
from sim.model.case_table import HISTORY, HOT, CaseTable, Codes, HotCase
from sim.model.hazard_kernel import NO_TIMER, RATES, case_hazards, draw_next, pack_rates
from sim.model.hazards import CompetingHazards
from sim.model.queues import grown
from sim.model.register import COLUMNS, register_frame
from sim.model.states import ACTIVE, State
from sim.model.timer_heap import key_of
from sim.model.timer_heap import pop as timer_pop
from sim.model.timer_heap import push as timer_push

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
    frame = register_frame([CaseTable(hot, history, Codes(["Iraq", "Somalia"], ["SE", "NO"]))])
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


class _Recorder(CompetingHazards):
    """The interpreted hazards of a case, capturing the race they would run instead of running it."""

    def _race(self, t: float, deadline: float, on_deadline: int, *hazards: Any) -> None:
        if self.expiry_day <= deadline:
            deadline, on_deadline = self.expiry_day, State.EXPIRED
        self.raced = (hazards[0::2], [int(x) for x in hazards[1::2]], max(deadline, t), int(on_deadline))


FLAGS = ("in_return_centre", "documents", "avr_offered", "avr_takes", "handover_announced", "released")


@settings(max_examples=300, deadline=None)
@given(
    state=st.sampled_from(list(ACTIVE)),
    flags=st.tuples(*(st.booleans() for _ in FLAGS)),
    talks=st.integers(0, 3),
    rates=st.lists(st.floats(0.0, 2.0), min_size=len(RATES), max_size=len(RATES)),
    days=st.tuples(*(st.floats(0.0, 900.0) for _ in range(5))),
    people=st.tuples(st.floats(0.05, 5.0), st.floats(0.05, 5.0), st.floats(0.1, 3.0)),
)
def test_hazard_kernel_gives_the_interpreted_hazards(
    state: State, flags: tuple[bool, ...], talks: int, rates: list[float], days: tuple[float, ...], people: Any
) -> None:
    """For any case and rates in force, the kernel's rates, targets and deadline are the interpreted ones."""
    values = dict(zip(RATES, rates, strict=True))
    t, since, expiry, limit, review = days
    willingness, propensity, factor = people
    behaviour = SimpleNamespace(**values)
    params = SimpleNamespace(**{k: values[k] for k in ("centre_abscond_multiplier", "voluntary_departure_days")})
    avr = SimpleNamespace(abscond_multiplier=values["avr_abscond_multiplier"])
    avr.departure_multiplier = values["avr_departure_multiplier"]
    interpreted = _Recorder()
    interpreted.country = SimpleNamespace(  # type: ignore[assignment]
        behaviour=behaviour, params=params, avr=avr, enforcement=SimpleNamespace(factors={"X": factor})
    )
    table = np.zeros(1, dtype=HOT)
    case = table[0]
    attributes = {"state": state, "since": since, "expiry_day": expiry, "detention_limit": limit}
    attributes |= {"detention_review": review, "willingness": willingness, "abscond_propensity": propensity}
    attributes |= {"talks": talks, "epoch": 0, "origin": "X", **dict(zip(FLAGS, flags, strict=True))}
    for name, value in attributes.items():
        setattr(interpreted, name, value)
        if name != "origin":
            case[name] = value
    interpreted.reschedule(t)
    packed = pack_rates(behaviour, params, avr)  # type: ignore[arg-type]
    n, got_rates, got_targets, deadline, on_deadline = case_hazards(case, t, tuple(packed), factor)
    want_rates, want_targets, want_deadline, want_on_deadline = interpreted.raced
    assert list(got_rates[:n]) == list(want_rates)
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
