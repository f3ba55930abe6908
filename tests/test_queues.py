"""The agencies' waiting lists against Python's own: a line as a deque, a dated list as a heap.

A dated list gives back the entries due by a day in order of their time,
ties in the order they were filed.
"""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np

from sim.model.queues import dated_pop, dated_push, dated_room, line_room, line_slot, line_take

ENTRY = np.dtype([("day", "f8"), ("row", "i4")])


def test_lines_keep_each_countrys_order_through_wraps_and_growth() -> None:
    """5 000 random adds and takes on two countries' lines give what two deques give."""
    rng = np.random.default_rng(3)
    line = np.zeros((2, 2), dtype=ENTRY)
    head, tail = np.zeros(2, dtype=np.int64), np.zeros(2, dtype=np.int64)
    expected: list[deque[tuple[float, int]]] = [deque(), deque()]
    for step in range(5000):
        c = int(rng.integers(2))
        if rng.random() < 0.55 or not expected[c]:
            line = line_room(line, head, tail, c)
            at = line_slot(line, tail, c)
            line[c, at]["day"], line[c, at]["row"] = step / 7.0, step
            expected[c].append((step / 7.0, step))
        else:
            at = line_take(line, head, c)
            assert (float(line[c, at]["day"]), int(line[c, at]["row"])) == expected[c].popleft()
    for c in (0, 1):
        assert tail[c] - head[c] == len(expected[c])
        got = [line[c, i % line.shape[1]] for i in range(head[c], tail[c])]
        assert [(float(e["day"]), int(e["row"])) for e in got] == list(expected[c])


def test_dated_lists_give_entries_back_by_day_in_time_then_filing_order() -> None:
    """3 000 entries with tied times, drained day by day while more are filed: a heap of (time, number)'s order."""
    rng = np.random.default_rng(4)
    times, keys = np.zeros((2, 1)), np.zeros((2, 1), dtype=np.int64)
    size, seq = np.zeros(2, dtype=np.int64), np.zeros(2, dtype=np.int64)
    reference: list[list[tuple[float, int, int]]] = [[], []]
    filed = [0, 0]
    for day in range(1, 121):
        for _ in range(25):
            c = int(rng.integers(2))
            time = day + float(rng.integers(0, 40)) / 4.0  # ties, and some due today
            row = int(rng.integers(1_000_000))
            times, keys = dated_room(times, keys, size, c)
            assert dated_push(times, keys, size, seq, c, time, row) == filed[c]
            heapq.heappush(reference[c], (time, filed[c], row))
            filed[c] += 1
        for c in (0, 1):
            want = []
            while reference[c] and reference[c][0][0] <= day:
                _, number, row = heapq.heappop(reference[c])
                want.append((number, row))
            got = []
            while True:
                row, number, _ = dated_pop(times, keys, size, c, float(day))
                if row < 0:
                    break
                got.append((number, row))
            assert got == want
    assert size.tolist() == [len(reference[0]), len(reference[1])]
