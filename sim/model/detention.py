"""Detention places (förvar): taking a place, the review, the legal limit and release.

A hard limit on places and on the length of a stay. A detention is
reviewed every ``detention_review_days`` and goes on only while removal is
under way (a flight booked, documents in hand or a request pending); at
the legal limit it is extended to the extended limit where a flight is
booked or a request pending, else the person is released back to an open
police case, more likely to abscond. A request when every place is taken
is refused and counted (``detention_refused_full``). Freeing the place when
the person leaves detention is part of the move
(:func:`sim.model.moves.release`).
"""

from __future__ import annotations

import math

import numba as nb

from sim.model.engine import (
    DETENTION_MAX_DAYS,
    DETENTION_MAX_DAYS_EXTENDED,
    DETENTION_PLACES,
    DETENTION_REVIEW_DAYS,
    EV_DETENTION_ENTRIES,
    EV_DETENTION_REFUSED_FULL,
    EV_RELEASED_AT_LIMIT,
    EV_RELEASED_FOR_ROOM,
    EngineState,
)
from sim.model.moves import add_detainee, enqueue_casework, move, schedule
from sim.model.states import State

DET, PC = int(State.DETAINED), int(State.POLICE_CASE)


@nb.njit(cache=True)
def request(e: EngineState, row: int, t: float) -> bool:
    """Detain the person in ``row`` if a place is free in their country; return whether one was."""
    case = e.hot[row]
    c = case.country
    if e.detention_occupied[c] >= e.values[c, DETENTION_PLACES]:
        e.events[c, EV_DETENTION_REFUSED_FULL] += 1
        return False
    e.detention_occupied[c] += 1
    e.events[c, EV_DETENTION_ENTRIES] += 1
    add_detainee(e, c, row, t)
    e.history[row].times_detained += 1
    case.detention_limit = t + e.values[c, DETENTION_MAX_DAYS]
    case.detention_review = t + e.values[c, DETENTION_REVIEW_DAYS]
    move(e, row, DET, t)
    return True


@nb.njit(cache=True)
def release(e: EngineState, row: int, t: float) -> None:
    """Let the person go back to an open police case (queued for casework), more likely to abscond."""
    case = e.hot[row]
    case.released = True
    case.booked_on = -1
    case.detention_limit = case.detention_review = math.inf
    move(e, row, PC, t)
    enqueue_casework(e, case.country, row)


@nb.njit(cache=True)
def review(e: EngineState, row: int, t: float) -> None:
    """The police review the detention: it goes on while removal is under way, else the person is released."""
    case = e.hot[row]
    if case.booked_on >= 0 or case.documents or case.document_pending:
        case.detention_review = t + e.values[case.country, DETENTION_REVIEW_DAYS]
        schedule(e, row, t)
    else:
        release(e, row, t)


@nb.njit(cache=True)
def at_limit(e: EngineState, row: int, t: float) -> None:
    """The legal limit is reached: extended where a flight is booked or a request pending, else release."""
    case = e.hot[row]
    c = case.country
    extended = case.since + e.values[c, DETENTION_MAX_DAYS_EXTENDED]
    if extended > case.detention_limit and (case.booked_on >= 0 or case.document_pending):
        case.detention_limit = extended
        schedule(e, row, t)
    else:
        e.history[row].released_at_limit += 1
        e.events[c, EV_RELEASED_AT_LIMIT] += 1
        release(e, row, t)


@nb.njit(cache=True)
def make_room(e: EngineState, c: int, t: float) -> bool:
    """Free a place for a known departure: release the longest-held detainee whose removal is not in sight.

    Not in sight: no flight booked and no documents in hand. Return whether
    a place was freed (none when every detainee's removal is in sight).
    """
    best, since = -1, math.inf
    for i in range(e.detainees_size[c]):
        row = e.detainees[c, i]
        case = e.hot[row]
        if case.booked_on < 0 and not case.documents and case.since < since:
            best, since = row, case.since
    if best < 0:
        return False
    e.events[c, EV_RELEASED_FOR_ROOM] += 1
    release(e, best, t)
    return True
