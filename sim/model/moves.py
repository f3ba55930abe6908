"""A case's moves: opening it, moving it between states, closing it, and the lines between agencies.

A case entering an open state draws its next transition
(:func:`sim.model.hazards.draw_next`) and files one timer
(:mod:`sim.model.queues`); leaving a state gives back what the state held
(a detention or return-centre place, a place on the wanted list); a case
reaching a terminal state is closed (its outcome day, last open state and,
for an assisted return, the grant). Which agency acts on a fired timer is
decided by the day's kernel (:mod:`sim.model.timers`).

An agency that passes a case on files it, and the next agency takes it up
on its own day: the police's casework line and wanted list, the document
requests for the third countries, the line of documented people ready for
the transport service (or, while a jointly planned charter boards, for the
charter desk). Leaving the wanted list is part of a move (:func:`release`),
so a person no longer absconded is never searched for.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from sim.model.engine import (
    AVR_GRANT,
    AVR_REINTEGRATION,
    CENTRE_PLACES,
    CENTRE_UNTIL_DEPARTURE,
    COST_AVR,
    COST_DETENTION,
    COST_DETENTION_DAY,
    EV_ASSISTED,
    EV_AWAITING_FLIGHT,
    EV_DECISIONS,
    EV_DETENTION_DAYS,
    EV_SPELLS_ENDED,
    STATUTE_DAYS,
    EngineState,
)
from sim.model.hazards import NO_TIMER, draw_next, rates_in_force
from sim.model.queues import grown, key_of, line_room, line_slot, line_take, pop, push
from sim.model.states import ALLOWED, State
from sim.model.streams import case_seed

VP, RC, AB, PC, DET = (int(s) for s in State if s <= State.DETAINED)
RET_VOL, RET_AVR = int(State.RETURNED_VOLUNTARY), int(State.RETURNED_ASSISTED)

_allowed = np.zeros((len(State), len(State)), dtype=np.bool_)
for _old, _news in ALLOWED.items():
    for _new in _news:
        _allowed[_old, _new] = True
ALLOWED_MOVES = _allowed
"""``ALLOWED_MOVES[old, new]``: whether the model allows the transition (:data:`sim.model.states.ALLOWED`)."""


@nb.njit(cache=True)
def _log(e: EngineState, case: int, t: float, old: int, new: int) -> None:
    if e.log_on:
        e.log = grown(e.log, e.log_size + 1)
        entry = e.log[e.log_size]
        entry.case, entry.time, entry.old, entry.new = case, t, old, new
        e.log_size += 1


@nb.njit(cache=True)
def schedule(e: EngineState, row: int, t: float) -> None:
    """Draw the next transition of the case in ``row`` from ``t`` and file its timer (if it falls in the run)."""
    case = e.hot[row]
    c = case.country
    when, target = draw_next(case, t, rates_in_force(e.rates, c), e.factors[c, case.origin])
    if target == NO_TIMER or math.ceil(when) > e.last_day:
        return
    case.timer_target = target
    need = e.heap_size[0] + 1
    e.timer_times, e.timer_keys = grown(e.timer_times, need), grown(e.timer_keys, need)
    push(e.timer_times, e.timer_keys, e.heap_size, when, key_of(row, case.epoch))


@nb.njit(cache=True)
def reschedule(e: EngineState, rows: np.ndarray, t: float) -> None:
    """Each case in ``rows`` draws its next transition again from ``t`` (its hazards changed; exact, as memoryless)."""
    for row in rows:
        schedule(e, row, t)


@nb.njit(cache=True)
def _open(
    e: EngineState,
    country: int,
    stream: int,
    origin: int,
    decision_day: float,
    state: int,
    since: float,
    expiry_day: float,
    willingness: float,
    propensity: float,
    traits: np.ndarray,
) -> int:
    """Open one case in ``state`` from ``since`` (its next transition not drawn yet); return its row.

    ``traits``: has an identity document, vulnerable, family, wants a
    return-centre place (given while places last). The case's seed comes
    from ``stream``'s key and how many cases it opened before (common
    random numbers).
    """
    row = e.size
    e.hot = grown(e.hot, row + 1)
    e.history = grown(e.history, row + 1)
    e.size = row + 1
    values = e.values[country]
    case, past = e.hot[row], e.history[row]
    case.state, case.country, case.origin = state, country, origin
    case.since, case.expiry_day = since, expiry_day
    case.willingness, case.abscond_propensity = willingness, propensity
    case.detention_limit = case.detention_review = math.inf
    case.booked_on = -1
    case.seed = case_seed(e.keys[country, stream], e.sequences[country, stream])
    e.sequences[country, stream] += 1
    case.documents = traits[0]
    if traits[3] and e.centre_occupied[country] < values[CENTRE_PLACES]:
        e.centre_occupied[country] += 1
        case.in_return_centre = past.lived_in_return_centre = True
    past.migrant_id = past.person_id = row
    past.previous_case_id = -1
    past.decision_day = decision_day
    past.entered[:] = np.nan
    past.entered[state] = since
    past.documents_day = decision_day if traits[0] else np.nan
    past.outcome_day = past.handover_decided_day = past.handover_day = past.flight_ready_day = np.nan
    past.closed_from = -1
    past.has_id_document, past.vulnerable, past.family = traits[0], traits[1], traits[2]
    e.stocks[country, state] += 1
    e.open_by_origin[country, origin] += 1
    _log(e, row, since, -1, state)
    return row


@nb.njit(cache=True)
def open_cases(
    e: EngineState,
    country: int,
    stream: int,
    days: np.ndarray,
    origins: np.ndarray,
    willingness: np.ndarray,
    propensity: np.ndarray,
    traits: np.ndarray,
) -> int:
    """Open one case per entry of ``days`` in the voluntary-departure period; return the first new row.

    ``traits`` has one row per case, as :func:`_open` takes it.
    """
    first = e.size
    statute = e.values[country, STATUTE_DAYS]
    for i in range(len(days)):
        t = days[i]
        row = _open(e, country, stream, origins[i], t, VP, t, t + statute, willingness[i], propensity[i], traits[i])
        schedule(e, row, t)
    e.events[country, EV_DECISIONS] += len(days)
    return first


@nb.njit(cache=True)
def open_case_for(
    e: EngineState, earlier: int, country: int, stream: int, day: float, matched: bool, wants_centre: bool
) -> int:
    """Open a case in ``country`` for the person of the closed case ``earlier``, who moved there; return its row.

    The same person (origin, willingness, traits; ``person_id``), linked to
    the earlier case. ``matched`` (``info_sharing=nordic``): the earlier
    decision continues, found absconded from ``day`` with its decision day,
    expiry, documents, the information passed to the police and its
    absences. Otherwise a new decision on ``day``, unaware of the earlier
    one, in the voluntary-departure period.
    """
    old, then = e.hot[earlier], e.history[earlier]
    traits = np.array([then.has_id_document, then.vulnerable, then.family, wants_centre and not matched])
    origin, willingness, propensity = old.origin, old.willingness, old.abscond_propensity
    person = then.person_id
    if matched:
        decided, state, expiry = then.decision_day, AB, old.expiry_day
    else:
        decided, state, expiry = day, VP, day + e.values[country, STATUTE_DAYS]
    documents, documents_day = old.documents, then.documents_day
    fields, absences = then.fields_passed, then.times_absconded
    row = _open(e, country, stream, origin, decided, state, day, expiry, willingness, propensity, traits)
    case, past = e.hot[row], e.history[row]
    past.person_id, past.previous_case_id = person, earlier
    if matched:
        past.matched = past.ever_absconded = True
        case.documents, past.documents_day = documents, documents_day
        past.fields_passed, past.times_absconded = fields, absences
    schedule(e, row, day)
    return row


@nb.njit(cache=True)
def release(e: EngineState, row: int, new: int, t: float) -> None:
    """The case leaves its state for ``new``: give back what the state held and move the stocks."""
    case, past = e.hot[row], e.history[row]
    c, old = case.country, case.state
    if old == AB and case.wanted:
        discard_wanted(e, c, row)
    if old == DET:
        e.detention_occupied[c] -= 1
        e.detainees, e.detainees_size = _unlist(e, e.detainees, e.detainees_size, c, row)
        days = t - case.since
        past.detention_days += days
        e.events[c, EV_DETENTION_DAYS] += days
        e.events[c, EV_SPELLS_ENDED] += 1
        if not math.isnan(past.flight_ready_day):
            waiting = t - max(case.since, past.flight_ready_day)
            past.detention_days_awaiting_flight += waiting
            e.events[c, EV_AWAITING_FLIGHT] += waiting
        e.costs[c, COST_DETENTION] += days * e.values[c, COST_DETENTION_DAY]
    if case.in_return_centre:
        if e.values[c, CENTRE_UNTIL_DEPARTURE] > 0.0:
            leaves = new == AB or new == DET or new >= RET_VOL
        else:
            leaves = new > RC
        if leaves:
            case.in_return_centre = False
            e.centre_occupied[c] -= 1
    _log(e, row, t, old, new)
    e.stocks[c, old] -= 1
    e.stocks[c, new] += 1


@nb.njit(cache=True)
def move(e: EngineState, row: int, new: int, t: float) -> None:
    """Move the case in ``row`` to ``new`` at ``t``: release, then draw its next transition or close it."""
    case, past = e.hot[row], e.history[row]
    old = case.state
    if not ALLOWED_MOVES[old, new]:
        raise RuntimeError("a transition the model does not allow")
    release(e, row, new, t)
    case.state = new
    case.since = t
    if new < RET_VOL:
        if math.isnan(past.entered[new]):
            past.entered[new] = t
        schedule(e, row, t)
        return
    case.epoch += 1
    past.outcome_day = t
    past.closed_from = old
    c = case.country
    if new == RET_AVR:
        e.costs[c, COST_AVR] += e.values[c, AVR_GRANT]
        e.events[c, EV_ASSISTED] += 1
        past.reintegration_support = e.values[c, AVR_REINTEGRATION] > 0.0
    e.open_by_origin[c, case.origin] -= 1


@nb.njit(cache=True)
def next_timer(e: EngineState, day: int) -> tuple[int, int, float]:
    """Take the next live timer due by ``day``: ``(row, target, time)``, or ``(-1, 0, day)`` when none is left.

    Timers come in time order (ties by row); stale ones are dropped on the
    way. A timer filed meanwhile for a time already due comes in its turn.
    """
    size = e.heap_size
    while size[0] > 0 and e.timer_times[0] <= day:
        time, row, epoch = pop(e.timer_times, e.timer_keys, size)
        case = e.hot[row]
        if epoch == case.epoch:
            e.fired[0] += 1
            return row, case.timer_target, time
    return -1, 0, float(day)


@nb.njit(cache=True)
def enqueue_casework(e: EngineState, c: int, row: int) -> None:
    """Queue the case for the police's next casework step (once: a case already queued keeps its place).

    A documented person (the police's green class: removal within weeks) waits in a line served before
    the others.
    """
    case = e.hot[row]
    if case.in_casework:
        return
    case.in_casework = True
    if case.documents:
        e.green = line_room(e.green, e.green_head, e.green_tail, c)
        e.green[c, line_slot(e.green, e.green_tail, c)] = row
    else:
        e.casework = line_room(e.casework, e.casework_head, e.casework_tail, c)
        e.casework[c, line_slot(e.casework, e.casework_tail, c)] = row


@nb.njit(cache=True)
def _enlist(e: EngineState, rows: np.ndarray, size: np.ndarray, c: int, row: int) -> np.ndarray:
    """Add ``row`` to country ``c``'s list ``rows`` (its place kept in ``HOT.listed_at``); the list, grown if full."""
    n = size[c]
    if n >= rows.shape[1]:
        wider = np.zeros((rows.shape[0], 2 * rows.shape[1]), dtype=rows.dtype)
        wider[:, : rows.shape[1]] = rows
        rows = wider
    rows[c, n] = row
    size[c] = n + 1
    e.hot[row].listed_at = n
    return rows


@nb.njit(cache=True)
def _unlist(e: EngineState, rows: np.ndarray, size: np.ndarray, c: int, row: int) -> tuple[np.ndarray, np.ndarray]:
    """Take ``row`` off country ``c``'s list ``rows``: the last entry takes its place."""
    n = size[c] - 1
    last = rows[c, n]
    at = e.hot[row].listed_at
    rows[c, at] = last
    e.hot[last].listed_at = at
    size[c] = n
    return rows, size


@nb.njit(cache=True)
def add_wanted(e: EngineState, c: int, row: int) -> None:
    """Put an absconded person on country ``c``'s wanted list (once)."""
    case = e.hot[row]
    if case.wanted:
        return
    e.wanted = _enlist(e, e.wanted, e.wanted_size, c, row)
    case.wanted = True


@nb.njit(cache=True)
def discard_wanted(e: EngineState, c: int, row: int) -> None:
    """Take the person off country ``c``'s wanted list: the last entry takes their place."""
    e.hot[row].wanted = False
    e.wanted, e.wanted_size = _unlist(e, e.wanted, e.wanted_size, c, row)


@nb.njit(cache=True)
def add_detainee(e: EngineState, c: int, row: int, t: float) -> None:
    """Put a newly detained person on country ``c``'s list of detainees, and log the entry (who, when)."""
    e.detainees = _enlist(e, e.detainees, e.detainees_size, c, row)
    e.detained_log = grown(e.detained_log, e.detained_logged + 1)
    entry = e.detained_log[e.detained_logged]
    entry.row, entry.day = row, t
    e.detained_logged += 1


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
