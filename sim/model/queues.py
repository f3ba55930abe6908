"""The agencies' waiting lists and the cases' timers, as arrays the kernels work on.

Two shapes cover every list of the agencies:

- a *line* (first come, first served: return talks waiting, cases waiting
  for a follow-up talk after a fixed interval, handovers, police casework):
  a ring over row ``country`` of a 2-D array of records, with the count of
  entries ever added (``tail``) and taken (``head``) per country;
- a *dated list* (entries that fall due on a day: an absence noticed after
  a random delay, a handover reaching the police, a document answer): a
  binary heap per country of times and keys, where a key is the entry's
  sequence number in its list and the case's row (``seq << 32 | row``), so
  entries come out by time and then in the order they were filed.

Neither grows inside the helpers that add to it: a kernel makes room first
(:func:`line_room`, :func:`dated_room`), which returns a larger copy when
needed, and keeps using the array it returns.

The cases' timers are one binary heap. Each open case has at most one live
timer: when its hazards give the next transition, it pushes its time and a
key ``row << 32 | epoch`` (the target is kept with the case); a timer whose
epoch is no longer the case's is stale (the case moved or redrew first) and
is skipped when it comes up (lazy cancellation). Timers come out by time,
ties by row (deterministic). The heap's length is kept in ``size[0]`` so
kernels change it in place. Times and keys in two arrays, moved along a
hole rather than swapped (:func:`heap_insert`), cost about 210–230 ns per
push and pop on a heap of 30 000, against 257 ns for one array of records
swapped field by field (measured).
"""

from __future__ import annotations

import numba as nb
import numpy as np

ROW_BITS = 32
ROW_MASK = (1 << ROW_BITS) - 1


@nb.njit(cache=True)
def grown(a: np.ndarray, need: int) -> np.ndarray:
    """``a`` itself if it holds ``need`` items, else a copy at least twice as long."""
    if need <= len(a):
        return a
    larger = np.zeros(max(need, 2 * len(a)), dtype=a.dtype)
    larger[: len(a)] = a
    return larger


@nb.njit(cache=True)
def line_room(line: np.ndarray, head: np.ndarray, tail: np.ndarray, country: int) -> np.ndarray:
    """``line`` if country ``country``'s line can take one more entry, else a copy with twice the room.

    The copy keeps every country's entries at their positions (entry ``i``
    of a line sits at ``i % capacity``).
    """
    capacity = line.shape[1]
    if tail[country] - head[country] < capacity:
        return line
    larger = np.empty((line.shape[0], 2 * capacity), dtype=line.dtype)
    for c in range(line.shape[0]):
        for i in range(head[c], tail[c]):
            larger[c, i % (2 * capacity)] = line[c, i % capacity]
    return larger


@nb.njit(cache=True, inline="always")
def line_slot(line: np.ndarray, tail: np.ndarray, country: int) -> int:
    """Add an entry at the end of ``country``'s line (room made first); return its position to fill."""
    i = tail[country]
    tail[country] = i + 1
    return i % line.shape[1]


@nb.njit(cache=True)
def line_push_due(
    line: np.ndarray, head: np.ndarray, tail: np.ndarray, country: int, day: float, row: int
) -> np.ndarray:
    """Add ``row``, due on ``day``, at the end of ``country``'s line of dated entries (``day``, ``row``).

    Returns the line, a larger copy when it had to grow (assign it back).
    Entries are due in the order added: a line holds one fixed delay.
    """
    line = line_room(line, head, tail, country)
    entry = line[country, line_slot(line, tail, country)]
    entry.day, entry.row = day, row
    return line


@nb.njit(cache=True, inline="always")
def line_take(line: np.ndarray, head: np.ndarray, country: int) -> int:
    """Take the entry at the front of ``country``'s line (not empty); return its position to read."""
    i = head[country]
    head[country] = i + 1
    return i % line.shape[1]


@nb.njit(cache=True, inline="always")
def line_due(line: np.ndarray, head: np.ndarray, tail: np.ndarray, country: int, day: float) -> bool:
    """Whether ``country``'s line of dated entries (a ``day`` field, in order) has one due by ``day`` in front."""
    return tail[country] > head[country] and line[country, head[country] % line.shape[1]].day <= day


@nb.njit(cache=True)
def dated_room(times: np.ndarray, keys: np.ndarray, size: np.ndarray, country: int) -> tuple[np.ndarray, np.ndarray]:
    """``times`` and ``keys`` if ``country``'s dated list can take one more entry, else copies twice as wide."""
    capacity = times.shape[1]
    if size[country] < capacity:
        return times, keys
    wider_times = np.empty((times.shape[0], 2 * capacity))
    wider_keys = np.empty((keys.shape[0], 2 * capacity), dtype=keys.dtype)
    wider_times[:, :capacity] = times
    wider_keys[:, :capacity] = keys
    return wider_times, wider_keys


@nb.njit(cache=True, inline="always")
def heap_insert(t: np.ndarray, k: np.ndarray, n: int, time: float, key: np.int64) -> None:
    """Insert ``(time, key)`` into the binary heap ``t[:n]``, ``k[:n]`` (room for one more), ordered by time, then key.

    Entries are moved along a hole rather than swapped (half the writes).
    """
    i = n
    while i > 0:
        parent = (i - 1) >> 1
        if t[parent] < time or (t[parent] == time and k[parent] <= key):
            break
        t[i], k[i] = t[parent], k[parent]
        i = parent
    t[i], k[i] = time, key


@nb.njit(cache=True, inline="always")
def heap_remove_first(t: np.ndarray, k: np.ndarray, n: int) -> None:
    """Remove the first entry of the binary heap ``t[:n]``, ``k[:n]`` (``n`` > 0): the last one sinks into its place."""
    n -= 1
    if n == 0:
        return
    time, key = t[n], k[n]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        right = child + 1
        if right < n and (t[right] < t[child] or (t[right] == t[child] and k[right] < k[child])):
            child = right
        if time < t[child] or (time == t[child] and key <= k[child]):
            break
        t[i], k[i] = t[child], k[child]
        i = child
    t[i], k[i] = time, key


@nb.njit(cache=True)
def dated_push(
    times: np.ndarray, keys: np.ndarray, size: np.ndarray, seq: np.ndarray, country: int, time: float, row: int
) -> int:
    """File ``row`` for ``time`` in ``country``'s dated list (room made first); return its sequence number."""
    number = seq[country]
    seq[country] = number + 1
    heap_insert(times[country], keys[country], size[country], time, np.int64(number) << ROW_BITS | np.int64(row))
    size[country] += 1
    return number


@nb.njit(cache=True)
def dated_pop(
    times: np.ndarray, keys: np.ndarray, size: np.ndarray, country: int, until: float
) -> tuple[int, int, float]:
    """Take ``country``'s earliest entry if it falls due by ``until``: ``(row, sequence number, time)``.

    ``(-1, -1, until)`` when no entry is due.
    """
    t, k = times[country], keys[country]
    if size[country] == 0 or t[0] > until:
        return -1, -1, until
    first, first_time = k[0], t[0]
    heap_remove_first(t, k, size[country])
    size[country] -= 1
    return int(first & ROW_MASK), int(first >> ROW_BITS), first_time


EPOCH_BITS = 32
EPOCH_MASK = (1 << EPOCH_BITS) - 1


@nb.njit(cache=True, inline="always")
def key_of(row: int, epoch: int) -> np.int64:
    """The heap key of a case's timer: its row, then its epoch."""
    return np.int64(row) << EPOCH_BITS | np.int64(epoch)


@nb.njit(cache=True)
def push(times: np.ndarray, keys: np.ndarray, size: np.ndarray, time: float, key: np.int64) -> None:
    """Add a timer (the arrays must have room for one more)."""
    if size[0] >= len(times):
        raise IndexError("timer heap full: make room before pushing")
    heap_insert(times, keys, size[0], time, key)
    size[0] += 1


@nb.njit(cache=True)
def pop(times: np.ndarray, keys: np.ndarray, size: np.ndarray) -> tuple[float, int, int]:
    """Take the earliest timer out: ``(time, row, epoch)`` (the heap must not be empty)."""
    first_time, first_key = times[0], keys[0]
    heap_remove_first(times, keys, size[0])
    size[0] -= 1
    return first_time, int(first_key >> EPOCH_BITS), int(first_key & EPOCH_MASK)
