"""The third countries' authorities at work: document requests sent, followed up and answered.

A request filed by an agency (the engine's ``requests``) reaches the
origin's authority after the channel's days (an embassy there, a
neighbour's, or remotely) and is answered after the authority's own
exponential processing time. An attaché's follow-up brings the answer
forward (the time left divided by ``speedup``) and lets the attaché's
relationship decide it (:func:`follow_up`, called by the weekly attachés of
:mod:`sim.model.attaches`, who also keep the relationships). Acceptance is
the origin's probability (times ``forced_accept_factor`` for a forced
return) plus the bonus of the information fields passed, the relationship's
cooperation and the AVR's. A refused forced request goes back to the
police.

Processing times and answers draw from one counter-based stream for all
authorities (the ``third_country`` stream), so they are answered by one
kernel call a day; the authorities as agents are
:class:`sim.model.attaches.ThirdCountryAuthority`.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numba as nb
import numpy as np
from numba.experimental import structref

from sim.model.engine import EngineState, KernelState, KernelStateType
from sim.model.moves import enqueue_casework, schedule
from sim.model.police import PoliceState, documents_refused
from sim.model.queues import dated_pop, dated_push, dated_room, grown, line_room, line_slot, line_take
from sim.model.states import State
from sim.model.streams import case_uniform

ORIGIN_VALUES = ("processing_days", "accept_probability", "forced_accept_factor")
"""Per-origin values the authorities read, in the order of ``origin_values``' columns."""
PROCESSING, ACCEPT, FORCED_FACTOR = range(len(ORIGIN_VALUES))
NOT_PUSHED = -1
SENT = np.dtype(
    [("ready", "f8"), ("request", "i4"), ("pushed_by", "i1")],
)
"""A request at an authority: when it is to be answered, which filed request, and the country whose
attaché followed it up (:data:`NOT_PUSHED`: none)."""

RC, PC, DET = int(State.RETURN_CASE), int(State.POLICE_CASE), int(State.DETAINED)
RET_VOL = int(State.RETURNED_VOLUNTARY)


class AuthorityState(Protocol):
    """Every origin's authority, as rows of arrays indexed by the origin (and country where it says)."""

    origin_values: np.ndarray
    """Per origin, :data:`ORIGIN_VALUES`."""
    channel_days: np.ndarray
    """Per country and origin, the days a request takes to reach the authority (embassy, neighbour, remote)."""
    document_bonus: np.ndarray
    """Per country and fields passed (bits), the acceptance bonus of the information fields."""
    avr_bonus: np.ndarray
    """Per country, the acceptance bonus of the AVR in force."""
    relationship: np.ndarray
    """Per origin and country, the relationship its attachés built (written by the weekly attachés)."""
    accept_effect: float
    spillover: float
    key: np.uint64
    draws: int
    sent_upto: int
    """Filed requests (the engine's ``requests``) already sent on."""
    sent: np.ndarray
    """Every request sent (:data:`SENT`), indexed like the engine's ``requests``."""
    pending_times: np.ndarray
    """Per origin, the dated list of requests to answer (keys carry the request's index)."""
    pending_keys: np.ndarray
    pending_size: np.ndarray
    pending_seq: np.ndarray
    followed: np.ndarray
    """Per origin and country: whether an attaché there follows that country's requests up."""
    follow: np.ndarray
    """Per origin x country (row ``origin * countries + country``), the line of request indices to follow up,
    oldest first."""
    follow_head: np.ndarray
    follow_tail: np.ndarray
    followed_up: np.ndarray
    """Per country, requests followed up (by anyone's attaché)."""


FIELDS = tuple(AuthorityState.__annotations__)


@structref.register
class AuthorityStateType(KernelStateType):
    """The numba type of :class:`Authorities`."""


class Authorities(KernelState):
    """Every origin's authority from Python: kernels take it whole; fields read by name."""

    names = FIELDS


structref.define_proxy(Authorities, AuthorityStateType, list(FIELDS))


@nb.njit(cache=True)
def _make(*args: Any) -> Authorities:
    return Authorities(*args)


def new_authorities(
    origin_values: np.ndarray,
    channel_days: np.ndarray,
    document_bonus: np.ndarray,
    avr_bonus: np.ndarray,
    accept_effect: float,
    spillover: float,
    key: np.uint64,
) -> Authorities:
    """The authorities of ``len(origin_values)`` origins with nothing pending (arrays as :class:`AuthorityState`)."""
    origins, countries = len(origin_values), len(avr_bonus)
    made: dict[str, Any] = {
        "origin_values": np.ascontiguousarray(origin_values, dtype=np.float64),
        "channel_days": np.ascontiguousarray(channel_days, dtype=np.float64),
        "document_bonus": np.ascontiguousarray(document_bonus, dtype=np.float64),
        "avr_bonus": np.ascontiguousarray(avr_bonus, dtype=np.float64),
        "relationship": np.zeros((origins, countries)),
        "accept_effect": float(accept_effect),
        "spillover": float(spillover),
        "key": np.uint64(key),
        "draws": 0,
        "sent_upto": 0,
        "sent": np.zeros(64, dtype=SENT),
        "pending_times": np.zeros((origins, 64)),
        "pending_keys": np.zeros((origins, 64), dtype=np.int64),
        "pending_size": np.zeros(origins, dtype=np.int64),
        "pending_seq": np.zeros(origins, dtype=np.int64),
        "followed": np.zeros((origins, countries), dtype=np.bool_),
        "follow": np.zeros((origins * countries, 64), dtype=np.int32),
        "follow_head": np.zeros(origins * countries, dtype=np.int64),
        "follow_tail": np.zeros(origins * countries, dtype=np.int64),
        "followed_up": np.zeros(countries, dtype=np.int64),
    }
    return _make(*(made[name] for name in FIELDS))


@nb.njit(cache=True, inline="always")
def _uniform(a: AuthorityState) -> float:
    k = a.draws
    a.draws = k + 1
    return case_uniform(a.key, k)


@nb.njit(cache=True)
def set_attache_effects(a: AuthorityState, accept_effect: float, spillover: float) -> None:
    """The relationship's effect on acceptance and its spillover in force from now (a timeline's change)."""
    a.accept_effect = accept_effect
    a.spillover = spillover


@nb.njit(cache=True)
def send_requests(a: AuthorityState, e: EngineState) -> None:
    """Send on every request filed since the last call: each reaches its origin's authority and is queued there."""
    a.sent = grown(a.sent, e.requests_size)
    for i in range(a.sent_upto, e.requests_size):
        filed = e.requests[i]
        case = e.hot[filed.row]
        origin, c = case.origin, case.country
        processing = -math.log(1.0 - _uniform(a)) * a.origin_values[origin, PROCESSING]
        sent = a.sent[i]
        sent.ready = filed.day + a.channel_days[c, origin] + processing
        sent.request = i
        sent.pushed_by = NOT_PUSHED
        _queue(a, origin, sent.ready, i)
        if a.followed[origin, c]:
            line = origin * a.followed.shape[1] + c
            a.follow = line_room(a.follow, a.follow_head, a.follow_tail, line)
            a.follow[line, line_slot(a.follow, a.follow_tail, line)] = i
    a.sent_upto = e.requests_size


@nb.njit(cache=True)
def _queue(a: AuthorityState, origin: int, ready: float, i: int) -> None:
    a.pending_times, a.pending_keys = dated_room(a.pending_times, a.pending_keys, a.pending_size, origin)
    dated_push(a.pending_times, a.pending_keys, a.pending_size, a.pending_seq, origin, ready, i)


@nb.njit(cache=True)
def follow_up(
    a: AuthorityState, e: EngineState, origin: int, country: int, n: int, speedup: float, t: float, pusher: int
) -> int:
    """An attaché of ``pusher`` follows up ``country``'s ``n`` oldest pending requests at ``origin``; return how many.

    A request already followed up, already due or withdrawn is passed over.
    The answer comes sooner (the time left divided by ``speedup``) and is
    decided with the pusher's relationship.
    """
    send_requests(a, e)
    line = origin * a.followed.shape[1] + country
    done = 0
    while a.follow_tail[line] > a.follow_head[line] and done < n:
        i = a.follow[line, line_take(a.follow, a.follow_head, line)]
        sent, filed = a.sent[i], e.requests[i]
        if sent.pushed_by >= 0 or sent.ready <= t or filed.version != e.history[filed.row].document_version:
            continue
        sent.pushed_by = pusher
        a.followed_up[country] += 1
        sent.ready = t + (sent.ready - t) / speedup
        _queue(a, origin, sent.ready, i)
        done += 1
    return done


@nb.njit(cache=True)
def cooperation(a: AuthorityState, origin: int, country: int) -> float:
    """Extra acceptance probability from the relationship of ``country``'s attachés (with any spillover)."""
    r = a.relationship[origin, country]
    if a.spillover > 0.0:
        others = 0.0
        for other in range(a.relationship.shape[1]):
            if other != country:
                others += a.relationship[origin, other]
        r += a.spillover * others
    return a.accept_effect * r / (1.0 + r)


@nb.njit(cache=True)
def work_day(a: AuthorityState, e: EngineState, police: PoliceState, t: int) -> None:
    """Every authority answers the requests whose time is over (those superseded or withdrawn are skipped)."""
    send_requests(a, e)
    for origin in range(a.pending_size.shape[0]):
        while True:
            i, _, ready = dated_pop(a.pending_times, a.pending_keys, a.pending_size, origin, float(t))
            if i < 0:
                break
            if ready == a.sent[i].ready:  # else superseded: a follow-up brought the answer forward
                _answer(a, e, police, origin, i, t)


@nb.njit(cache=True)
def _answer(a: AuthorityState, e: EngineState, police: PoliceState, origin: int, i: int, t: int) -> None:
    filed, sent = e.requests[i], a.sent[i]
    row = filed.row
    case, past = e.hot[row], e.history[row]
    if filed.version != past.document_version or not case.document_pending:
        return  # withdrawn (the police lost the agency's file) or already answered
    c = case.country
    p = a.origin_values[origin, ACCEPT]
    if filed.forced:
        p *= a.origin_values[origin, FORCED_FACTOR]
    if p > 0.0:
        p += a.document_bonus[c, past.fields_passed]
        p += cooperation(a, origin, sent.pushed_by if sent.pushed_by >= 0 else c)
        p += a.avr_bonus[c]
    accepted = _uniform(a) < min(1.0, p)
    case.document_pending = False
    if case.state >= RET_VOL:
        return
    if accepted:
        case.documents = True
        past.documents_day = t
        if case.state == PC or case.state == DET:
            enqueue_casework(e, c, row)
        if case.state == RC or case.state == PC:
            schedule(e, row, float(t))
    elif filed.forced:
        documents_refused(police, e, c, row, float(t))
