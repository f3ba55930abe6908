"""The migration agency: case officers' return talks, noticing absences, handovers to the police.

Each country's agency (a Mesa agent, :class:`MigrationAgencyOffice`, whose
day is one kernel call) has a daily capacity of talks and handovers (a
fractional capacity carries over as credit). Due handovers go first (a case
that must go to the police should not wait behind routine talks), then
return talks in first-come order. A talk may offer assisted return (AVR),
asks for travel documents when none are in hand, and ends in a handover
after ``talks_before_handover`` talks or when the person refuses to
cooperate; an absence is noticed after a delay and leads to a handover on
the absconded ground. A handover takes one unit of capacity and then an
administrative delay before the police register the case, with the
information fields that survive the way (each lost with
``field_loss_probability``); co-location shortens the delay and lowers that
chance.

The agency's chance decisions draw from its own counter-based stream per
country (:mod:`sim.model.streams`). What the agency hands on is filed, not
acted on: the police's intake (the engine's ``intake_*`` dated list, with the
package in the case's history) and the document requests (the engine's
``requests``, for the third countries' kernel).
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any, Protocol

import mesa
import numba as nb
import numpy as np
from numba.experimental import structref

from sim.model.engine import COST_TALKS, EngineState, KernelState, KernelStateType
from sim.model.moves import file_request, schedule
from sim.model.queues import dated_pop, dated_push, dated_room, line_due, line_push_due, line_room, line_slot, line_take
from sim.model.states import State
from sim.model.streams import next_uniform, noticed_after

AGENCY_VALUES = (
    "talks_per_day",
    "talk_interval_days",
    "talks_before_handover",
    "refusal_handover_probability",
    "abscond_detection_days",
    "cost_talk",
    "avr_offered",
    "avr_uptake",
    "field_loss_probability",
    "handover_admin_days",
    "fields_allowed",
)
"""Per-country values the agency reads (``avr_offered`` 1/0; ``fields_allowed`` the bits of the fields the law
lets it pass, as ``fields_passed``), in the order of ``values``' columns."""
(
    TALKS_PER_DAY,
    TALK_INTERVAL,
    TALKS_BEFORE_HANDOVER,
    REFUSAL,
    DETECTION_DAYS,
    COST_TALK,
    AVR_OFFERED,
    AVR_UPTAKE,
    FIELD_LOSS,
    ADMIN_DAYS,
    FIELDS_ALLOWED,
) = range(len(AGENCY_VALUES))

COERCION, ABSCONDED_GROUND = 1, 2
"""Handover grounds, as codes of :class:`sim.model.cases.Codes` ``grounds``."""
FIELD_COUNT = 5
"""Information fields (:data:`sim.params.levers.INFO_FIELDS`)."""

NEXT_TALK = np.dtype([("day", "f8"), ("row", "i4")])
HANDOVER = np.dtype([("decided", "f8"), ("row", "i4"), ("ground", "u1")])

VP, RC, AB = int(State.VOLUNTARY_PERIOD), int(State.RETURN_CASE), int(State.ABSCONDED)


class AgencyState(Protocol):
    """Each country's migration agency, as rows of arrays indexed by the country."""

    values: np.ndarray
    """Per country, :data:`AGENCY_VALUES`."""
    key: np.ndarray
    draws: np.ndarray
    credit: np.ndarray
    talks: np.ndarray
    """Line of rows waiting for a return talk (with ``talks_head``, ``talks_tail``)."""
    talks_head: np.ndarray
    talks_tail: np.ndarray
    next_talks: np.ndarray
    """Line of :data:`NEXT_TALK`: cases waiting for a follow-up talk on a day."""
    next_head: np.ndarray
    next_tail: np.ndarray
    handovers: np.ndarray
    """Line of :data:`HANDOVER`: decided handovers waiting for capacity."""
    handovers_head: np.ndarray
    handovers_tail: np.ndarray
    noticed_times: np.ndarray
    """Dated list of absences the agency will notice."""
    noticed_keys: np.ndarray
    noticed_size: np.ndarray
    noticed_seq: np.ndarray


FIELDS = tuple(AgencyState.__annotations__)


@structref.register
class AgencyStateType(KernelStateType):
    """The numba type of :class:`Agencies`."""


class Agencies(KernelState):
    """Every country's migration agency from Python: kernels take it whole; fields read by name."""

    names = FIELDS


structref.define_proxy(Agencies, AgencyStateType, list(FIELDS))


@nb.njit(cache=True)
def _make(*args: Any) -> Agencies:
    return Agencies(*args)


def new_agencies(values: np.ndarray, keys: np.ndarray) -> Agencies:
    """The agencies of ``len(values)`` countries with empty lists: ``values`` per :data:`AGENCY_VALUES`, stream keys."""
    n = len(values)
    counts = partial(np.zeros, n, dtype=np.int64)  # a count per country
    made: dict[str, Any] = {
        "values": np.ascontiguousarray(values, dtype=np.float64),
        "key": np.ascontiguousarray(keys, dtype=np.uint64),
        "draws": counts(),
        "credit": np.zeros(n),
        "talks": np.zeros((n, 64), dtype=np.int32),
        "talks_head": counts(),
        "talks_tail": counts(),
        "next_talks": np.zeros((n, 64), dtype=NEXT_TALK),
        "next_head": counts(),
        "next_tail": counts(),
        "handovers": np.zeros((n, 64), dtype=HANDOVER),
        "handovers_head": counts(),
        "handovers_tail": counts(),
        "noticed_times": np.zeros((n, 64)),
        "noticed_keys": np.zeros((n, 64), dtype=np.int64),
        "noticed_size": counts(),
        "noticed_seq": counts(),
    }
    return _make(*(made[name] for name in FIELDS))


@nb.njit(cache=True, inline="always")
def _uniform(a: AgencyState, c: int) -> float:
    return next_uniform(a.key, a.draws, c)


@nb.njit(cache=True)
def open_return_case(a: AgencyState, c: int, row: int) -> None:
    """The voluntary period passed: the case joins the line for a first return talk."""
    a.talks = line_room(a.talks, a.talks_head, a.talks_tail, c)
    a.talks[c, line_slot(a.talks, a.talks_tail, c)] = row


@nb.njit(cache=True)
def notice_abscond(a: AgencyState, c: int, row: int, t: float, reporting_days: float) -> None:
    """The agency will notice that the person in ``row`` absconded: within the reporting interval, or after a delay."""
    delay = noticed_after(_uniform(a, c), reporting_days, a.values[c, DETECTION_DAYS])
    a.noticed_times, a.noticed_keys = dated_room(a.noticed_times, a.noticed_keys, a.noticed_size, c)
    dated_push(a.noticed_times, a.noticed_keys, a.noticed_size, a.noticed_seq, c, t + delay, row)


@nb.njit(cache=True)
def _hand(a: AgencyState, c: int, row: int, decided: float, ground: int) -> None:
    a.handovers = line_room(a.handovers, a.handovers_head, a.handovers_tail, c)
    entry = a.handovers[c, line_slot(a.handovers, a.handovers_tail, c)]
    entry.row, entry.decided, entry.ground = row, decided, ground


@nb.njit(cache=True)
def work_day(a: AgencyState, e: EngineState, c: int, t: int) -> None:
    """Country ``c``'s agency spends day ``t``'s capacity: due handovers first, then return talks."""
    v = a.values[c]
    hot = e.hot
    a.credit[c] += v[TALKS_PER_DAY]
    capacity = int(a.credit[c])
    a.credit[c] -= capacity
    while True:
        row, _, _ = dated_pop(a.noticed_times, a.noticed_keys, a.noticed_size, c, float(t))
        if row < 0:
            break
        if hot[row].state == AB and not hot[row].handover_announced:
            hot[row].handover_announced = True
            _hand(a, c, row, float(t), ABSCONDED_GROUND)
    while line_due(a.next_talks, a.next_head, a.next_tail, c, float(t)):
        row = a.next_talks[c, line_take(a.next_talks, a.next_head, c)].row
        if hot[row].state == RC:
            open_return_case(a, c, row)
    used = 0
    while capacity > used and a.handovers_tail[c] > a.handovers_head[c]:
        entry = a.handovers[c, line_take(a.handovers, a.handovers_head, c)]
        row, decided, ground = entry.row, entry.decided, entry.ground
        if hot[row].state == RC or hot[row].state == AB:
            _hand_over(a, e, c, row, decided, ground, t)
            used += 1
    while capacity > used and a.talks_tail[c] > a.talks_head[c]:
        row = a.talks[c, line_take(a.talks, a.talks_head, c)]
        if hot[row].state == RC and not hot[row].handover_announced:
            _talk(a, e, c, row, t)
            used += 1
    e.costs[c, COST_TALKS] += used * v[COST_TALK]


@nb.njit(cache=True)
def _talk(a: AgencyState, e: EngineState, c: int, row: int, t: int) -> None:
    """A return talk: AVR, a document request, a handover or the next talk; the hazards redrawn if they changed."""
    v = a.values[c]
    case = e.hot[row]
    case.talks += 1
    first = case.talks == 1
    if first and v[AVR_OFFERED] > 0.0:
        case.avr_offered = True
        case.avr_takes = _uniform(a, c) < v[AVR_UPTAKE]
    if not case.documents and not case.document_pending:
        file_request(e, row, float(t), False)
    refuses = _uniform(a, c) < v[REFUSAL] * min(1.0, 1.0 / case.willingness)
    if case.talks >= v[TALKS_BEFORE_HANDOVER] or refuses:
        case.handover_announced = True
        _hand(a, c, row, float(t), COERCION)
    else:
        a.next_talks = line_push_due(a.next_talks, a.next_head, a.next_tail, c, t + v[TALK_INTERVAL], row)
    if first or case.handover_announced:
        schedule(e, row, float(t))  # hazards changed: talk effect and AVR, or enforcement announced


@nb.njit(cache=True)
def _hand_over(a: AgencyState, e: EngineState, c: int, row: int, decided: float, ground: int, t: int) -> None:
    """Send the case with the fields that survive the way to the police, after the administrative delay."""
    v = a.values[c]
    past = e.history[row]
    past.handover_ground = ground
    past.handover_decided_day = decided
    allowed = int(v[FIELDS_ALLOWED])
    kept = 0
    for i in range(FIELD_COUNT):
        if allowed >> i & 1 and _uniform(a, c) >= v[FIELD_LOSS]:
            kept |= 1 << i
    past.package = kept
    admin = v[ADMIN_DAYS]
    delay = -math.log(1.0 - _uniform(a, c)) * admin if admin > 0.0 else 0.0
    e.intake_times, e.intake_keys = dated_room(e.intake_times, e.intake_keys, e.intake_size, c)
    dated_push(e.intake_times, e.intake_keys, e.intake_size, e.intake_seq, c, t + delay, row)


class MigrationAgencyOffice(mesa.Agent):
    """A country's migration agency: return talks, assisted-return grants, handovers to the police."""

    def __init__(self, model: mesa.Model, code: str, c: int, engine: EngineState, agency: AgencyState) -> None:
        """The office of country ``code`` (position ``c``) working on ``engine``'s cases with ``agency``'s state."""
        super().__init__(model)
        self.code, self.c, self.engine, self.agency = code, c, engine, agency

    def work_day(self, t: int) -> None:
        """The day's talks and handovers, by the office's capacity."""
        work_day(self.agency, self.engine, self.c, t)
