"""Putting a case on the lines between agencies, which the engine holds (:mod:`sim.model.engine`).

An agency that passes a case on files it, and the next agency takes it up
on its own day: the police's casework line and wanted list, the document
requests for the third countries, the line of documented people ready for
the transport service (or, while a jointly planned charter boards, for the
charter desk). Leaving the wanted list is part of a move
(:func:`sim.model.case_moves.release`), so a person no longer absconded is
never searched for.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.model.engine import EngineState
from sim.model.queues import grown, line_room, line_slot, line_take


@nb.njit(cache=True)
def enqueue_casework(e: EngineState, c: int, row: int) -> None:
    """Queue the case for the police's next casework step (once: a case already queued keeps its place)."""
    case = e.hot[row]
    if case.in_casework:
        return
    case.in_casework = True
    e.casework = line_room(e.casework, e.casework_head, e.casework_tail, c)
    e.casework[c, line_slot(e.casework, e.casework_tail, c)] = row


@nb.njit(cache=True)
def add_wanted(e: EngineState, c: int, row: int) -> None:
    """Put an absconded person on country ``c``'s wanted list (once)."""
    case = e.hot[row]
    if case.wanted:
        return
    n = e.wanted_size[c]
    if n >= e.wanted.shape[1]:
        wider = np.zeros((e.wanted.shape[0], 2 * e.wanted.shape[1]), dtype=e.wanted.dtype)
        wider[:, : e.wanted.shape[1]] = e.wanted
        e.wanted = wider
    e.wanted[c, n] = row
    e.wanted_size[c] = n + 1
    case.wanted, case.wanted_at = True, n


@nb.njit(cache=True)
def discard_wanted(e: EngineState, c: int, row: int) -> None:
    """Take the person off country ``c``'s wanted list: the last entry takes their place."""
    case = e.hot[row]
    case.wanted = False
    n = e.wanted_size[c] - 1
    last = e.wanted[c, n]
    e.wanted[c, case.wanted_at] = last
    e.hot[last].wanted_at = case.wanted_at
    e.wanted_size[c] = n


@nb.njit(cache=True)
def file_request(e: EngineState, row: int, t: float, forced: bool) -> None:
    """File a document request for the case (the third countries' kernel sends it on): pending from now."""
    e.hot[row].document_pending = True
    e.history[row].document_requests += 1
    e.requests = grown(e.requests, e.requests_size + 1)
    request = e.requests[e.requests_size]
    request.day, request.row, request.forced = t, row, forced
    request.version = e.history[row].document_version
    e.requests_size += 1


@nb.njit(cache=True)
def enqueue_ready(e: EngineState, c: int, row: int, t: float) -> None:
    """A documented person is ready to be booked on a flight.

    While a jointly planned charter to their destination has its boarding
    open, they wait for the charter desk (which gives them a free seat or
    puts them in line, :func:`wait_in_line`); otherwise they join the
    transport service's line.
    """
    past = e.history[row]
    if np.isnan(past.flight_ready_day):
        past.flight_ready_day = t
    if t <= e.boarding_until[c, e.hot[row].origin]:
        e.boarding = line_room(e.boarding, e.boarding_head, e.boarding_tail, c)
        e.boarding[c, line_slot(e.boarding, e.boarding_tail, c)] = row
    else:
        wait_in_line(e, c, row)


@nb.njit(cache=True)
def wait_in_line(e: EngineState, c: int, row: int) -> None:
    """The person joins the end of country ``c``'s line of people ready for the transport service to book."""
    e.ready = line_room(e.ready, e.ready_head, e.ready_tail, c)
    e.ready[c, line_slot(e.ready, e.ready_tail, c)] = row


@nb.njit(cache=True)
def take_boarding(e: EngineState, c: int) -> np.ndarray:
    """Empty country ``c``'s line of people waiting for a jointly planned charter's seat; return them in order."""
    n = e.boarding_tail[c] - e.boarding_head[c]
    rows = np.empty(n, dtype=np.int64)
    for i in range(n):
        rows[i] = e.boarding[c, line_take(e.boarding, e.boarding_head, c)]
    return rows
