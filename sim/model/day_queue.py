"""The agencies' dated waiting lists, drained a day at a time in time order.

Agencies act once a day on every entry that fell due by then: a handover
reaching the police, an absence noticed, a document answer ready. A binary
heap of every pending entry costs ``O(log n)`` per entry in scattered memory,
which grows with the scenario (10x the arrivals: about 10x the pending
requests). Here entries are filed in a bucket per day (``ceil(time)``), and
the buckets of a day are sorted once when it is drained, as the migrants'
timers are (:mod:`sim.model.clock`).

Entries are tuples whose first two items are the time and a sequence number
unique in the queue, so the order is the heap's exactly: by time, then by
when the entry was filed. An entry filed for a time already drained (due
now) goes to a small heap that the running or the next drain takes in order.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from itertools import chain
from math import ceil, inf
from typing import Any


class DayQueue[Entry: tuple[Any, ...]]:
    """Dated entries ``(time, seq, ...)``, given back a day at a time by :meth:`due`."""

    def __init__(self) -> None:
        """Start empty, with nothing drained yet (day 0)."""
        self._buckets: dict[int, list[Entry]] = {}
        self._late: list[Entry] = []
        self._never: list[Entry] = []
        self._day = 0

    def push(self, entry: Entry) -> None:
        """File ``entry`` for its time (an infinite time is kept but never falls due)."""
        time = entry[0]
        if time == inf:
            self._never.append(entry)
            return
        day = ceil(time)
        if day <= self._day:
            heapq.heappush(self._late, entry)
        else:
            bucket = self._buckets.get(day)
            if bucket is None:
                self._buckets[day] = [entry]
            else:
                bucket.append(entry)

    def due(self, t: int) -> Iterator[Entry]:
        """Every entry with time at most ``t``, in order, including those filed while it runs.

        Drain it to the end (a ``for`` loop without ``break``): an entry it has
        taken out and not yet given back would be lost.
        """
        buckets, late = self._buckets, self._late
        items: list[Entry] = []
        for day in range(self._day + 1, t + 1):
            bucket = buckets.pop(day, None)
            if bucket is not None:
                items.extend(bucket)
        self._day = max(self._day, t)
        items.sort(reverse=True)
        pop, take = heapq.heappop, items.pop
        while items or late:
            if late and (not items or late[0] < items[-1]):
                yield pop(late)
            else:
                yield take()

    def __iter__(self) -> Iterator[Entry]:
        """Every entry not yet given back, in no particular order."""
        return chain(self._late, chain.from_iterable(self._buckets.values()), self._never)

    def __len__(self) -> int:
        """Entries not yet given back."""
        return len(self._late) + len(self._never) + sum(map(len, self._buckets.values()))
