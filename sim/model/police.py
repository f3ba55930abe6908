"""The police: taking over cases, casework, searches for the wanted, detention decisions.

Each country's police (a Mesa agent, :class:`PoliceUnit`, whose day is one
kernel call) register handed-over cases with the information package that
reached them, then split a daily capacity of actions (with credit) between
casework and searches. Casework moves each police case one step per
action: make contact, request travel documents from the third country's
authority, then hand the documented person to the transport service. The
police do not see whether a person is still where the file says: a contact
attempt that fails is "not found this time" and is tried again after
``contact_retry_days``; an attempt on a person who has in fact absconded
finds them gone and puts them on the wanted list. A person who absconds
after contact is missed at their reporting duty, after
``police_absence_detection_days`` on average. Searches pick people on the
wanted list at random; the chance of finding one rises with the information
fields the migration agency passed. People judged at risk of absconding are
detained while removal is in sight (:func:`consider_detention`) and once a
flight is booked (:func:`flight_booked`: jointly planned, on a place made
free for them or shortly before the flight). A case whose removal is
blocked is the red class: it takes no officer's time and absconds less.

Chance decisions draw from the police's own stream per country, whether a
case is planned jointly from a second one (switching joint planning leaves
the other draws unchanged). The state of every country's police is one
numba ``structref`` (:class:`PoliceState`).
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any, Protocol

import mesa
import numba as nb
import numpy as np
from numba.experimental import structref

from sim.model.detention import make_room
from sim.model.detention import release as release_from_detention
from sim.model.detention import request as request_detention
from sim.model.engine import (
    COST_POLICE,
    DETENTION_PLACES,
    EV_HANDED_TO_POLICE,
    EV_LOCATED,
    EngineState,
    KernelState,
    KernelStateType,
)
from sim.model.moves import add_wanted, enqueue_casework, enqueue_ready, file_request, move, schedule
from sim.model.queues import dated_pop, dated_push, dated_room, line_due, line_push_due, line_take
from sim.model.states import State
from sim.model.streams import next_uniform, noticed_after
from sim.params.levers import INFO_FIELDS

POLICE_VALUES = (
    "actions_per_day",
    "police_search_share",
    "locate_probability_per_search",
    "contact_probability",
    "contact_retry_days",
    "document_max_attempts",
    "document_retry_days",
    "police_absence_detection_days",
    "detention_risk_threshold",
    "cost_police_action",
    "joint_detention_planning",
    "days_per_week",
    "detain_days_before_flight",
    "late_detention",
    "supervised_removal_share",
)
"""Per-country values the police read (``actions_per_day``: officers times actions per officer; true/false as
1/0), in the order of ``values``' columns."""
(
    ACTIONS,
    SEARCH_SHARE,
    LOCATE_PER_SEARCH,
    CONTACT,
    CONTACT_RETRY,
    MAX_ATTEMPTS,
    RETRY_DAYS,
    DETECTION_DAYS,
    RISK_THRESHOLD,
    COST_ACTION,
    JOINT_PLANNING,
    DAYS_PER_WEEK,
    DETAIN_BEFORE,
    LATE_DETENTION,
    SUPERVISED_SHARE,
) = range(len(POLICE_VALUES))

DUE = np.dtype([("day", "f8"), ("row", "i4")])
"""An entry of a line of cases waiting for a day (document retries, contact retries)."""


class PoliceState(Protocol):
    """Each country's police, as rows of arrays indexed by the country."""

    values: np.ndarray
    """Per country, :data:`POLICE_VALUES`."""
    answer_soon: np.ndarray
    """Per country and origin: whether a pending request there counts as removal in sight (the authority
    takes forced returns and usually answers within ``detention_document_wait_max_days``)."""
    locate_multiplier: np.ndarray
    """Per country, fields passed (bits) and family here (0/1): the locate hazard's multiplier."""
    takes_forced: np.ndarray
    """Per country and origin: whether the origin takes forced returns at all (else the police do not ask)."""
    key: np.ndarray
    draws: np.ndarray
    planning_key: np.ndarray
    planning_draws: np.ndarray
    credit: np.ndarray
    retries: np.ndarray
    """Line of :data:`DUE`: cases to request documents again on a day."""
    retries_head: np.ndarray
    retries_tail: np.ndarray
    contact_retries: np.ndarray
    """Line of :data:`DUE`: cases whose person was not found, to be tried again on a day."""
    contact_head: np.ndarray
    contact_tail: np.ndarray
    noticed_times: np.ndarray
    """Dated list: an absence from a police case revealed by a missed reporting duty."""
    noticed_keys: np.ndarray
    noticed_size: np.ndarray
    noticed_seq: np.ndarray
    detain_times: np.ndarray
    """Dated list of jointly planned detentions: under ``late_detention`` to detain on the day (shortly before
    the flight); under ``planned_places`` waiting for a free place, by departure day (earliest first)."""
    detain_keys: np.ndarray
    detain_size: np.ndarray
    detain_seq: np.ndarray
    other_values: np.ndarray
    """Per country and kind of other removal, :data:`sim.model.other_removals.OTHER_VALUES`."""
    other_key: np.ndarray
    other_draws: np.ndarray
    other_times: np.ndarray
    """Dated list: other removals held in detention, due to leave (keys carry the kind)."""
    other_keys: np.ndarray
    other_size: np.ndarray
    other_seq: np.ndarray


FIELDS = tuple(PoliceState.__annotations__)


@structref.register
class PoliceStateType(KernelStateType):
    """The numba type of :class:`Police`."""


class Police(KernelState):
    """Every country's police from Python: kernels take it whole; fields read by name."""

    names = FIELDS


structref.define_proxy(Police, PoliceStateType, list(FIELDS))


@nb.njit(cache=True)
def _make(*args: Any) -> Police:
    return Police(*args)


def new_police(
    values: np.ndarray,
    answer_soon: np.ndarray,
    locate_multiplier: np.ndarray,
    takes_forced: np.ndarray,
    other_values: np.ndarray,
    keys: np.ndarray,
    planning: np.ndarray,
    other: np.ndarray,
) -> Police:
    """The police of ``len(values)`` countries with empty lists (arrays as :class:`PoliceState` describes).

    ``keys``, ``planning`` and ``other`` are each country's stream keys of the
    police's decisions, of joint planning and of the other removals.
    """
    n = len(values)
    counts = partial(np.zeros, n, dtype=np.int64)  # a count per country
    made: dict[str, Any] = {
        "values": np.ascontiguousarray(values, dtype=np.float64),
        "answer_soon": np.ascontiguousarray(answer_soon, dtype=np.bool_),
        "locate_multiplier": np.ascontiguousarray(locate_multiplier, dtype=np.float64),
        "takes_forced": np.ascontiguousarray(takes_forced, dtype=np.bool_),
        "key": np.ascontiguousarray(keys, dtype=np.uint64),
        "draws": counts(),
        "planning_key": np.ascontiguousarray(planning, dtype=np.uint64),
        "planning_draws": counts(),
        "credit": np.zeros(n),
        "retries": np.zeros((n, 64), dtype=DUE),
        "retries_head": counts(),
        "retries_tail": counts(),
        "contact_retries": np.zeros((n, 64), dtype=DUE),
        "contact_head": counts(),
        "contact_tail": counts(),
        "noticed_times": np.zeros((n, 64)),
        "noticed_keys": np.zeros((n, 64), dtype=np.int64),
        "noticed_size": counts(),
        "noticed_seq": counts(),
        "detain_times": np.zeros((n, 64)),
        "detain_keys": np.zeros((n, 64), dtype=np.int64),
        "detain_size": counts(),
        "detain_seq": counts(),
        "other_values": np.ascontiguousarray(other_values, dtype=np.float64),
        "other_key": np.ascontiguousarray(other, dtype=np.uint64),
        "other_draws": counts(),
        "other_times": np.zeros((n, 64)),
        "other_keys": np.zeros((n, 64), dtype=np.int64),
        "other_size": counts(),
        "other_seq": counts(),
    }
    return _make(*(made[name] for name in FIELDS))


IDENTITY_DOCUMENTS = 1 << INFO_FIELDS.index("identity_documents")
ABSCONDED_GROUND = 2
VP, RC, AB, PC, DET, AF = (int(s) for s in State if s < State.RETURNED_VOLUNTARY)
CLOSED = int(State.RETURNED_VOLUNTARY)
"""States from this one on are closed (:data:`sim.model.states.State`'s order)."""


@nb.njit(cache=True, inline="always")
def _uniform(p: PoliceState, c: int) -> float:
    return next_uniform(p.key, p.draws, c)


@nb.njit(cache=True)
def locate_probability(p: PoliceState, e: EngineState, c: int, row: int, base: float) -> float:
    """Chance that a search or contact attempt finds the person: ``1 - (1 - base) ** multiplier`` of the fields."""
    if base >= 1.0:
        return 1.0
    family = 1 if e.history[row].family else 0
    return 1.0 - (1.0 - base) ** p.locate_multiplier[c, e.history[row].fields_passed, family]


@nb.njit(cache=True)
def at_risk(p: PoliceState, e: EngineState, c: int, row: int) -> bool:
    """The police's judgement of absconding risk: history or stated unwillingness, never the vulnerable."""
    past = e.history[row]
    return not past.vulnerable and (past.ever_absconded or e.hot[row].willingness < p.values[c, RISK_THRESHOLD])


@nb.njit(cache=True)
def consider_detention(p: PoliceState, e: EngineState, c: int, row: int, t: float) -> None:
    """Detain a person at risk while removal is in sight: documents in hand, or coming soon.

    Coming soon: a request pending at an origin that takes forced returns and
    usually answers within ``detention_document_wait_max_days``. Under
    ``late_detention`` a jointly planned person is detained only shortly
    before a flight.
    """
    case = e.hot[row]
    if case.state != PC or not at_risk(p, e, c, row):
        return
    if case.joint_planned and p.values[c, LATE_DETENTION] > 0.0:
        return
    if case.documents or (case.document_pending and p.answer_soon[c, case.origin]):
        request_detention(e, row, t)


@nb.njit(cache=True)
def notice_abscond(p: PoliceState, e: EngineState, c: int, row: int, t: float, reporting_days: float) -> None:
    """The person absconded from a police case: a missed reporting duty reveals it after a delay."""
    delay = noticed_after(_uniform(p, c), reporting_days, p.values[c, DETECTION_DAYS])
    p.noticed_times, p.noticed_keys = dated_room(p.noticed_times, p.noticed_keys, p.noticed_size, c)
    e.history[row].police_notice = dated_push(
        p.noticed_times, p.noticed_keys, p.noticed_size, p.noticed_seq, c, t + delay, row
    )


@nb.njit(cache=True)
def receive_located(p: PoliceState, e: EngineState, c: int, row: int, t: float) -> None:
    """An absconded person was found: an open police case, queued for casework, detained if warranted."""
    e.events[c, EV_LOCATED] += 1
    e.hot[row].contacted = True
    move(e, row, PC, t)
    enqueue_casework(e, c, row)
    consider_detention(p, e, c, row, t)


@nb.njit(cache=True)
def documents_refused(p: PoliceState, e: EngineState, c: int, row: int, t: float) -> None:
    """A request was refused: try again later, or the case is unenforceable once the attempts are used."""
    if e.history[row].document_requests < p.values[c, MAX_ATTEMPTS]:
        p.retries = line_push_due(p.retries, p.retries_head, p.retries_tail, c, t + p.values[c, RETRY_DAYS], row)
    else:
        _block(e, row, t)


@nb.njit(cache=True)
def _block(e: EngineState, row: int, t: float) -> None:
    """Removal is blocked (red): a detainee is released; a police case absconds less, so its next move is redrawn."""
    e.hot[row].unenforceable = True
    if e.hot[row].state == DET:
        release_from_detention(e, row, t)
    elif e.hot[row].state == PC:
        schedule(e, row, t)


@nb.njit(cache=True)
def flight_booked(p: PoliceState, e: EngineState, c: int, row: int, t: float, day: float, flight: int) -> None:
    """The person has a seat on ``flight`` leaving on ``day``: detain if at risk.

    At once; under ``late_detention`` a jointly planned person shortly before
    the flight. Under ``planned_places`` a jointly planned person who finds
    every place taken gets the place of a detainee whose removal is not in
    sight (:func:`make_room`), or waits for the next free place, the earliest
    departure first.
    """
    case = e.hot[row]
    if case.state != AF or not at_risk(p, e, c, row):
        return
    late = p.values[c, LATE_DETENTION] > 0.0
    when = day - p.values[c, DETAIN_BEFORE] if case.joint_planned and late else t
    if when <= t:
        if request_detention(e, row, t) or not case.joint_planned or late:
            return
        if make_room(e, c, t) and request_detention(e, row, t):
            return
        when = day  # waits for a place, by its departure day
    p.detain_times, p.detain_keys = dated_room(p.detain_times, p.detain_keys, p.detain_size, c)
    past = e.history[row]
    past.detain_plan = dated_push(p.detain_times, p.detain_keys, p.detain_size, p.detain_seq, c, when, row)
    past.detain_flight = flight


@nb.njit(cache=True)
def work_day(p: PoliceState, e: EngineState, c: int, t: int) -> None:
    """Country ``c``'s police register today's handovers, then spend the day's capacity on casework and searches."""
    v = p.values[c]
    day = float(t)
    while True:
        row, _, _ = dated_pop(e.intake_times, e.intake_keys, e.intake_size, c, day)
        if row < 0:
            break
        _register(p, e, c, row, t)
    while True:
        row, number, _ = dated_pop(p.noticed_times, p.noticed_keys, p.noticed_size, c, day)
        if row < 0:
            break
        case = e.hot[row]
        if case.state == AB and not case.wanted and e.history[row].police_notice == number:
            add_wanted(e, c, row)
    _planned_detentions(p, e, c, day)
    while line_due(p.retries, p.retries_head, p.retries_tail, c, day):
        enqueue_casework(e, c, p.retries[c, line_take(p.retries, p.retries_head, c)].row)
    while line_due(p.contact_retries, p.contact_head, p.contact_tail, c, day):
        enqueue_casework(e, c, p.contact_retries[c, line_take(p.contact_retries, p.contact_head, c)].row)
    p.credit[c] += v[ACTIONS]
    capacity = int(p.credit[c])
    p.credit[c] -= capacity
    searches = min(e.wanted_size[c], round(capacity * v[SEARCH_SHARE]))
    used = _casework(p, e, c, t, capacity - searches)
    searches = min(e.wanted_size[c], capacity - used)
    _search(p, e, c, t, searches)
    e.costs[c, COST_POLICE] += (used + searches) * v[COST_ACTION]


@nb.njit(cache=True)
def _planned_detentions(p: PoliceState, e: EngineState, c: int, day: float) -> None:
    """Jointly planned detentions of the day.

    Under ``late_detention`` those due today; under ``planned_places`` those
    waiting for a place, as places are free, earliest departure first (one
    whose flight has gone, or who is no longer booked on it, is dropped).
    """
    late = p.values[c, LATE_DETENTION] > 0.0
    while late or e.detention_occupied[c] < e.values[c, DETENTION_PLACES]:
        row, number, _ = dated_pop(p.detain_times, p.detain_keys, p.detain_size, c, day if late else math.inf)
        if row < 0:
            break
        case, past = e.hot[row], e.history[row]
        if case.state == AF and past.detain_plan == number and case.booked_on == past.detain_flight:
            request_detention(e, row, day)


@nb.njit(cache=True)
def _register(p: PoliceState, e: EngineState, c: int, row: int, t: int) -> None:
    """The handed-over case arrives with its package: a police case to work, or a person to search for.

    A person who left during the administrative delay is handed over all the
    same (counted, their request dropped), but the register keeps their case
    as it closed, without a handover day or fields passed.
    """
    case, past = e.hot[row], e.history[row]
    if case.state < CLOSED:
        past.handover_day = t
        past.fields_passed = past.package
    e.events[c, EV_HANDED_TO_POLICE] += 1
    planned = False
    if p.values[c, JOINT_PLANNING] > 0.0:
        planned = next_uniform(p.planning_key, p.planning_draws, c) < p.values[c, DAYS_PER_WEEK] / 5.0
    case.joint_planned = planned
    if not past.package & IDENTITY_DOCUMENTS and not past.has_id_document:
        # the police do not learn of documents or requests in the agency's file
        case.documents = False
        case.document_pending = False
        past.document_version += 1
    if case.state == RC:
        move(e, row, PC, t)
        enqueue_casework(e, c, row)
    elif case.state == AB:
        if past.handover_ground == ABSCONDED_GROUND:
            add_wanted(e, c, row)
        else:
            enqueue_casework(e, c, row)


@nb.njit(cache=True)
def _casework(p: PoliceState, e: EngineState, c: int, t: int, capacity: int) -> int:
    """The day's casework steps, within ``capacity``: the green line (documented people) first, then the rest.

    A case whose removal is blocked (the red class: the document attempts
    used up, or an origin that takes no forced returns) takes no officer's
    time: it waits, open, for its situation to change.
    """
    used = 0
    while used < capacity:
        if e.green_tail[c] > e.green_head[c]:
            row = e.green[c, line_take(e.green, e.green_head, c)]
        elif e.casework_tail[c] > e.casework_head[c]:
            row = e.casework[c, line_take(e.casework, e.casework_head, c)]
        else:
            break
        case = e.hot[row]
        case.in_casework = False
        if case.unenforceable and not case.documents:
            continue
        if case.state == PC or case.state == DET or (case.state == AB and not case.contacted):
            _act(p, e, c, row, t)
            used += 1
    return used


@nb.njit(cache=True)
def _act(p: PoliceState, e: EngineState, c: int, row: int, t: int) -> None:
    """One casework step: make contact, request documents, or hand the person to the transport service."""
    case = e.hot[row]
    if not case.contacted:
        _attempt_contact(p, e, c, row, t)
    elif not case.documents:
        if not p.takes_forced[c, case.origin]:
            _block(e, row, float(t))  # the origin takes no forced returns: nothing to ask for (red)
            return
        can_request = e.history[row].document_requests < p.values[c, MAX_ATTEMPTS]
        if not case.document_pending and not case.unenforceable and can_request:
            file_request(e, row, float(t), True)
            consider_detention(p, e, c, row, float(t))
    elif case.booked_on < 0:
        if case.state == PC:
            move(e, row, AF, t)
        share = p.values[c, SUPERVISED_SHARE]
        if share > 0.0 and not case.supervised and not at_risk(p, e, c, row):
            case.supervised = _uniform(p, c) < share
        enqueue_ready(e, c, row, float(t))


@nb.njit(cache=True)
def _attempt_contact(p: PoliceState, e: EngineState, c: int, row: int, t: int) -> None:
    """Try to reach the person: one who absconded is found gone; one who is there may be missed this time."""
    e.history[row].contact_attempts += 1
    if e.hot[row].state == AB:
        add_wanted(e, c, row)
        return
    if _uniform(p, c) < locate_probability(p, e, c, row, p.values[c, CONTACT]):
        e.hot[row].contacted = True
        enqueue_casework(e, c, row)
    else:
        p.contact_retries = line_push_due(
            p.contact_retries, p.contact_head, p.contact_tail, c, t + p.values[c, CONTACT_RETRY], row
        )


@nb.njit(cache=True)
def _search(p: PoliceState, e: EngineState, c: int, t: int, searches: int) -> None:
    base = p.values[c, LOCATE_PER_SEARCH]
    for _ in range(searches):
        n = e.wanted_size[c]
        if n == 0:
            break
        row = e.wanted[c, int(_uniform(p, c) * n)]
        if _uniform(p, c) < locate_probability(p, e, c, row, base):
            receive_located(p, e, c, row, float(t))


class PoliceUnit(mesa.Agent):
    """A country's police: the handovers' casework, searches for the wanted, detention decisions."""

    def __init__(self, model: mesa.Model, code: str, c: int, engine: EngineState, police: PoliceState) -> None:
        """The police of country ``code`` (position ``c``) working on ``engine``'s cases with ``police``'s state."""
        super().__init__(model)
        self.code, self.c, self.engine, self.police = code, c, engine, police

    def work_day(self, t: int) -> None:
        """The day's casework and searches, by the unit's capacity."""
        work_day(self.police, self.engine, self.c, t)
