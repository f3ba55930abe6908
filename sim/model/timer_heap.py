"""Cases' timers as a binary heap in one typed array, for the compiled kernels.

Each open case has at most one live timer: when its hazards give the next
transition, it pushes ``(time, row, epoch, target)``; a timer whose epoch is
no longer the case's is stale (the case moved or redrew first) and is skipped
when it comes up (lazy cancellation, as :mod:`sim.model.clock` does).
Timers come out by time, ties by row (deterministic). The heap's length is
kept in ``size[0]``, so kernels can change it in place; the array does not
grow inside a kernel: :func:`room_for` gives a larger copy beforehand.
"""

from __future__ import annotations

import numba as nb
import numpy as np

TIMER = np.dtype([("time", "f8"), ("row", "i4"), ("epoch", "u4"), ("target", "i4")], align=True)
"""A timer: when, which case (its row), the case's epoch when it was set, and the state (or deadline) it leads to."""


def room_for(heap: np.ndarray, size: np.ndarray, more: int) -> np.ndarray:
    """``heap`` itself if it can take ``more`` timers, else a copy twice as large (or large enough)."""
    need = int(size[0]) + more
    if need <= len(heap):
        return heap
    grown = np.zeros(max(need, 2 * len(heap)), dtype=TIMER)
    grown[: size[0]] = heap[: size[0]]
    return grown


@nb.njit(cache=True, inline="always")
def _before(heap: np.ndarray, i: int, j: int) -> bool:
    return heap[i].time < heap[j].time or (heap[i].time == heap[j].time and heap[i].row < heap[j].row)


@nb.njit(cache=True, inline="always")
def _swap(heap: np.ndarray, i: int, j: int) -> None:
    time, row, epoch, target = heap[i].time, heap[i].row, heap[i].epoch, heap[i].target
    heap[i].time, heap[i].row, heap[i].epoch, heap[i].target = heap[j].time, heap[j].row, heap[j].epoch, heap[j].target
    heap[j].time, heap[j].row, heap[j].epoch, heap[j].target = time, row, epoch, target


@nb.njit(cache=True)
def push(heap: np.ndarray, size: np.ndarray, time: float, row: int, epoch: int, target: int) -> None:
    """Add a timer (the heap must have room: :func:`room_for`)."""
    i = size[0]
    if i >= len(heap):
        raise IndexError("timer heap full: make room before the kernel runs")
    size[0] = i + 1
    heap[i].time, heap[i].row, heap[i].epoch, heap[i].target = time, row, epoch, target
    while i > 0:
        parent = (i - 1) >> 1
        if not _before(heap, i, parent):
            break
        _swap(heap, i, parent)
        i = parent


@nb.njit(cache=True)
def pop(heap: np.ndarray, size: np.ndarray) -> tuple[float, int, int, int]:
    """Take the earliest timer out: ``(time, row, epoch, target)`` (the heap must not be empty)."""
    n = size[0] - 1
    top = heap[0]
    first = (top.time, int(top.row), int(top.epoch), int(top.target))
    size[0] = n
    if n > 0:
        _swap(heap, 0, n)
        i = 0
        while True:
            child = 2 * i + 1
            if child >= n:
                break
            if child + 1 < n and _before(heap, child + 1, child):
                child += 1
            if not _before(heap, child, i):
                break
            _swap(heap, i, child)
            i = child
    return first


@nb.njit(cache=True)
def next_time(heap: np.ndarray, size: np.ndarray) -> float:
    """The earliest timer's time (``inf`` when there is none)."""
    return heap[0].time if size[0] > 0 else np.inf
