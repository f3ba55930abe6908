"""The agencies' day queue gives back exactly what a heap drained day by day would, in the same order."""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterator
from itertools import count

from sim.model.day_queue import DayQueue

Entry = tuple[float, int, str]
DAYS = (*range(1, 12), 15, 16, 20, *range(21, 41))
"""Drain days, some skipped: their entries wait for the next drain."""


def _start() -> list[Entry]:
    rng = random.Random(7)  # whole days (due on that day), ties in time, and times within days
    times = [float(rng.randint(0, 30)) if rng.random() < 0.3 else rng.uniform(0.0, 30.0) for _ in range(300)]
    return [(time, i, "start") for i, time in enumerate(times)]


def _drain(push: Callable[[Entry], None], due: Callable[[int], Iterator[Entry]]) -> list[Entry]:
    """File the start, then drain day by day; some entries file another as they are taken (maybe due today)."""
    seq = count(300)
    for entry in _start():
        push(entry)
    push((math.inf, next(seq), "never"))
    taken = []
    for day in DAYS:
        for entry in due(day):
            taken.append(entry)
            rng = random.Random(entry[1])  # the same answer to the same entry in both drains
            if rng.random() < 0.3:
                push((day + rng.choice((0.0, -0.5, -0.01, rng.uniform(0.0, 3.0))), next(seq), "meanwhile"))
    return taken


def _heap_drain() -> list[Entry]:
    heap: list[Entry] = []

    def due(day: int) -> Iterator[Entry]:
        while heap and heap[0][0] <= day:
            yield heapq.heappop(heap)

    return _drain(lambda entry: heapq.heappush(heap, entry), due)


def test_the_day_queue_gives_back_a_heaps_order_with_entries_filed_while_it_drains():
    queue: DayQueue[Entry] = DayQueue()
    taken = _drain(queue.push, queue.due)
    assert taken == _heap_drain()
    assert sum(e[2] == "meanwhile" for e in taken) > 50
    filed_during = {e[1]: e[0] for e in taken if e[2] == "meanwhile"}
    assert any(time == int(time) for time in filed_during.values())  # due the very day it was filed
    assert [e[2] for e in queue] == ["never"] and len(queue) == 1
