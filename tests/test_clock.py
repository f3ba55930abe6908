"""The migrant clock fires live timers in time order, skips stale ones and keeps none past its last day."""

from __future__ import annotations

import random

import pytest

from sim.model.clock import MigrantClock


class Recorder:
    """Stands in for a migrant: records what fires, and can set a new timer when it does."""

    def __init__(self, unique_id: int, clock: MigrantClock, log: list[tuple[float, int, int]]) -> None:
        self.unique_id = unique_id
        self.epoch = 0
        self.clock = clock
        self.log = log
        self.then: list[tuple[float, int]] = []
        """Timers to set, in turn, each time this one fires: ``(delay, target)``."""

    def fire(self, target: int, t: float) -> None:
        self.log.append((t, self.unique_id, target))
        if self.then:
            delay, next_target = self.then.pop(0)
            self.epoch += 1
            self.clock.push(t + delay, self, self.epoch, next_target)


def test_timers_fire_in_time_order_across_days_including_ones_set_during_the_day() -> None:
    clock, log = MigrantClock(last_day=30), []
    rng = random.Random(4)
    people = [Recorder(i, clock, log) for i in range(200)]
    for person in people:
        clock.push(rng.uniform(0.0, 20.0), person, person.epoch, 1)
        person.then = [(rng.uniform(0.0, 0.3), 2), (rng.uniform(0.0, 5.0), 3)]  # often later the same day
    for day in range(1, 31):
        clock.run_day(day)
    times = [t for t, _, _ in log]
    assert len(log) == 600
    assert times == sorted(times)
    assert clock.fired == 600
    assert len(clock) == 0


def test_a_stale_timer_does_not_fire() -> None:
    clock, log = MigrantClock(last_day=5), []
    person = Recorder(1, clock, log)
    clock.push(2.5, person, person.epoch, 1)
    person.epoch += 1  # its state changed first: the timer is stale
    clock.push(3.5, person, person.epoch, 2)
    for day in range(1, 6):
        clock.run_day(day)
    assert log == [(3.5, 1, 2)]


def test_no_timer_is_kept_past_the_last_day_and_the_clock_does_not_run_past_it() -> None:
    clock, log = MigrantClock(last_day=10), []
    person = Recorder(1, clock, log)
    clock.push(10.0, person, person.epoch, 1)
    clock.push(10.2, person, person.epoch, 2)  # falls in day 11
    assert len(clock) == 1
    for day in range(1, 11):
        clock.run_day(day)
    assert log == [(10.0, 1, 1)]
    with pytest.raises(ValueError, match="last day 10"):
        clock.run_day(11)
