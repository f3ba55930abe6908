"""The prison-and-probation transport service: escorted seats, bookings, and removing people on flights.

Documented people ready for removal wait in first-come order. Each day,
after the charter desks have booked charters, each country's service (a
Mesa agent, :class:`TransportService`) books escorted seats on scheduled
flights within its escort capacity (with credit) and each destination's
seats a week (scaled by the country's connectivity); a person for a
destination without a seat today keeps their place. Every booking is
reported to the police, who decide when a person at risk of absconding is
detained for it. On the flight's day a person still there and still booked
is removed, unless a medical stop (vulnerable people; less likely with the
health field passed, and with observers on board as the monitoring lever
assumes) sends the case back to the police.

Flights are rows of one table (:data:`FLIGHT`; a case's ``booked_on`` is the
row); the charter desks (:mod:`sim.model.charters`, a few bookings a week)
book charters through :func:`booked` and fly them through :func:`remove`.
"""

from __future__ import annotations

from typing import Any, Protocol

import mesa
import numba as nb
import numpy as np
from numba.experimental import structref

from sim.model.cases import KINDS
from sim.model.engine import EngineState, KernelState, KernelStateType
from sim.model.moves import enqueue_casework, move
from sim.model.police import PoliceState, flight_booked
from sim.model.queues import dated_pop, dated_push, dated_room, grown, line_take
from sim.model.states import State
from sim.model.streams import next_uniform
from sim.params.levers import INFO_FIELDS

TRANSPORT_VALUES = (
    "escorted_per_day",
    "booking_lead_days",
    "medical_removal_failure",
    "escorts_per_returnee",
    "cost_escorted_removal",
    "health_failure_avoided",
    "monitored_stop_multiplier",
)
"""Per-country values the service reads (``escorted_per_day``: escorts / (escorts per returnee x trip days);
``health_failure_avoided``: the health field's effect, 0 without it), in the order of ``values``' columns."""
ESCORTED_PER_DAY, LEAD_DAYS, MEDICAL, ESCORTS_PER_RETURNEE, COST_ESCORTED, HEALTH_AVOIDED, MONITORED_STOP = range(
    len(TRANSPORT_VALUES)
)
ESCORTED = KINDS.index("escorted") + 1
SUPERVISED = KINDS.index("supervised") + 1
FLIGHT = np.dtype(
    [("day", "f8"), ("seats", "i4"), ("destination", "i2"), ("organiser", "i2"), ("kind", "u1"), ("monitored", "?")]
)
"""A booked flight: its day, seats, destination (origin index), organiser (country index, -1: another EU
member state), kind (code into :data:`KINDS`, from 1) and whether observers fly with it."""


class TransportState(Protocol):
    """Each country's transport service and the model's flights."""

    values: np.ndarray
    """Per country, :data:`TRANSPORT_VALUES`."""
    seats_per_week: np.ndarray
    """Per country and destination, escorted seats a week on scheduled flights."""
    seats: np.ndarray
    """Per country and destination, escorted seats still available this week."""
    credit: np.ndarray
    key: np.ndarray
    draws: np.ndarray
    flights: np.ndarray
    """Every flight booked (:data:`FLIGHT`), ``flights_size`` of them; a flight's id is its row."""
    flights_size: int
    due_times: np.ndarray
    """The flights to fly, as one dated list (keys carry the flight's row)."""
    due_keys: np.ndarray
    due_size: np.ndarray
    due_seq: np.ndarray
    passenger_of: np.ndarray
    """Per escorted flight (by row), its one passenger; -1 for charters (their passengers are the desk's)."""
    removed: np.ndarray
    """Per country and origin, people removed today (the enforcement signal's numerator)."""
    removal_failed: np.ndarray
    escorted_costs: np.ndarray


FIELDS = tuple(TransportState.__annotations__)


@structref.register
class TransportStateType(KernelStateType):
    """The numba type of :class:`Transport`."""


class Transport(KernelState):
    """Every country's transport service from Python: kernels take it whole; fields read by name."""

    names = FIELDS


structref.define_proxy(Transport, TransportStateType, list(FIELDS))


@nb.njit(cache=True)
def _make(*args: Any) -> Transport:
    return Transport(*args)


def new_transport(values: np.ndarray, seats_per_week: np.ndarray, keys: np.ndarray) -> Transport:
    """The services of ``len(values)`` countries with no one waiting and no flight booked."""
    n, origins = seats_per_week.shape
    made: dict[str, Any] = {
        "values": np.ascontiguousarray(values, dtype=np.float64),
        "seats_per_week": np.ascontiguousarray(seats_per_week, dtype=np.float64),
        "seats": np.zeros((n, origins)),
        "credit": np.zeros(n),
        "key": np.ascontiguousarray(keys, dtype=np.uint64),
        "draws": np.zeros(n, dtype=np.int64),
        "flights": np.zeros(64, dtype=FLIGHT),
        "flights_size": 0,
        "due_times": np.zeros((1, 64)),
        "due_keys": np.zeros((1, 64), dtype=np.int64),
        "due_size": np.zeros(1, dtype=np.int64),
        "due_seq": np.zeros(1, dtype=np.int64),
        "passenger_of": np.zeros(64, dtype=np.int32),
        "removed": np.zeros((n, origins), dtype=np.int64),
        "removal_failed": np.zeros(n, dtype=np.int64),
        "escorted_costs": np.zeros(n),
    }
    return _make(*(made[name] for name in FIELDS))


HEALTH = 1 << INFO_FIELDS.index("health")
AF, DET, PC = int(State.AWAITING_FLIGHT), int(State.DETAINED), int(State.POLICE_CASE)
FORCED = int(State.RETURNED_FORCED)


@nb.njit(cache=True)
def new_flight(
    tr: TransportState, day: float, destination: int, kind: int, organiser: int, seats: int, passenger: int
) -> int:
    """Add a flight to the table and to the day's list to fly; return its id."""
    i = tr.flights_size
    tr.flights = grown(tr.flights, i + 1)
    tr.passenger_of = grown(tr.passenger_of, i + 1)
    flight = tr.flights[i]
    flight.day, flight.destination, flight.kind, flight.organiser, flight.seats = (
        day,
        destination,
        kind,
        organiser,
        seats,
    )
    tr.passenger_of[i] = passenger
    tr.flights_size = i + 1
    tr.due_times, tr.due_keys = dated_room(tr.due_times, tr.due_keys, tr.due_size, 0)
    dated_push(tr.due_times, tr.due_keys, tr.due_size, tr.due_seq, 0, day, i)
    return i


@nb.njit(cache=True)
def booked(tr: TransportState, e: EngineState, police: PoliceState, row: int, t: float, flight: int) -> None:
    """The person has a seat on ``flight``: escorts are committed, the police decide on detention.

    A charter seat takes escort capacity too (escorts go with returnees on
    charters), which may run into debt that later escorted seats wait for.
    """
    case = e.hot[row]
    c = case.country
    case.booked_on = flight
    kind = tr.flights[flight].kind
    if kind != ESCORTED and kind != SUPERVISED:
        tr.credit[c] -= 1.0
    flight_booked(police, e, c, row, t, tr.flights[flight].day, flight)


@nb.njit(cache=True)
def book_escorted(tr: TransportState, e: EngineState, police: PoliceState, c: int, t: int) -> None:
    """Book seats on scheduled flights for those waiting, first come first served.

    A person the police remove under supervision gets a seat at once, without
    escorts; the others get escorted seats within the escort capacity and each
    destination's seats, in order, and keep their place when there is none
    today.
    """
    v = tr.values[c]
    for d in range(tr.seats.shape[1]):
        per_week = tr.seats_per_week[c, d]
        tr.seats[c, d] = min(tr.seats[c, d] + per_week / 7.0, max(1.0, per_week))
    tr.credit[c] += v[ESCORTED_PER_DAY]
    kept = np.empty(0, dtype=np.int32)
    held = []
    while e.ready_tail[c] > e.ready_head[c]:
        row = e.ready[c, line_take(e.ready, e.ready_head, c)]
        case = e.hot[row]
        if (case.state != AF and case.state != DET) or case.booked_on >= 0:
            continue
        if case.supervised:
            booked(tr, e, police, row, float(t), new_flight(tr, t + v[LEAD_DAYS], case.origin, SUPERVISED, c, 1, row))
            continue
        if tr.credit[c] < 1.0 or tr.seats[c, case.origin] < 1.0:
            held.append(row)
            continue
        tr.seats[c, case.origin] -= 1.0
        tr.credit[c] -= 1.0
        flight = new_flight(tr, t + v[LEAD_DAYS], case.origin, ESCORTED, c, 1, row)
        booked(tr, e, police, row, float(t), flight)
    if held:
        kept = np.array(held, dtype=np.int32)
    # those without a seat today keep their places at the front, in order (where they were just taken from)
    for k in range(len(kept) - 1, -1, -1):
        e.ready_head[c] -= 1
        e.ready[c, e.ready_head[c] % e.ready.shape[1]] = kept[k]
    if tr.credit[c] >= 1.0:  # nobody left who could fly today: unused escort time does not carry over
        tr.credit[c] = 1.0


@nb.njit(cache=True)
def remove(tr: TransportState, e: EngineState, police: PoliceState, row: int, flight: int, t: int) -> bool:
    """Remove the person on ``flight`` if still there and booked; a medical stop sends the case back to the police."""
    case, past = e.hot[row], e.history[row]
    if (case.state != AF and case.state != DET) or case.booked_on != flight:
        return False
    case.booked_on = -1
    c = case.country
    v = tr.values[c]
    base = v[MEDICAL] if past.vulnerable else 0.0
    failure = base
    if past.fields_passed & HEALTH:
        failure *= 1.0 - v[HEALTH_AVOIDED]
    if tr.flights[flight].monitored:
        failure *= v[MONITORED_STOP]
    if base > 0.0:  # drawn for every vulnerable returnee: common random numbers
        if next_uniform(tr.key, tr.draws, c) < failure:
            tr.removal_failed[c] += 1
            if case.state == AF:
                move(e, row, PC, t)
            enqueue_casework(e, c, row)
            return False
    flight_kind = tr.flights[flight].kind
    past.flight = flight_kind
    past.escorts = 0 if flight_kind == SUPERVISED else int(v[ESCORTS_PER_RETURNEE])
    if flight_kind == ESCORTED:
        tr.escorted_costs[c] += v[COST_ESCORTED]
    tr.removed[c, case.origin] += 1
    move(e, row, FORCED, t)
    return True


@nb.njit(cache=True)
def fly_escorted(tr: TransportState, e: EngineState, police: PoliceState, t: int) -> np.ndarray:
    """Fly today's escorted seats; return the ids of the charters due today, in booking order, for the desks.

    The escorted seats go first. A person is booked on one flight at a
    time, so the order changes no one's outcome.
    """
    charters = []
    while True:
        flight, _, _ = dated_pop(tr.due_times, tr.due_keys, tr.due_size, 0, float(t))
        if flight < 0:
            break
        kind = tr.flights[flight].kind
        if kind == ESCORTED or kind == SUPERVISED:
            remove(tr, e, police, tr.passenger_of[flight], flight, t)
        else:
            charters.append(flight)
    out = np.empty(len(charters), dtype=np.int64)
    for i in range(len(charters)):
        out[i] = charters[i]
    return out


@nb.njit(cache=True)
def waiting_for(e: EngineState, countries: np.ndarray, destination: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the ``countries``' ready lines still waiting for a flight to ``destination``, and their countries.

    Longest-waiting first: earliest ready for a flight, ties by row (the
    order in which a charter's seats go). Each person once: a line may hold
    an earlier entry of someone who became ready again (after absconding and
    being found, or a medical stop), which the escorted booking has not
    taken off yet.
    """
    out = []
    width = e.ready.shape[1]
    for c in countries:
        for i in range(e.ready_head[c], e.ready_tail[c]):
            row = e.ready[c, i % width]
            case = e.hot[row]
            if (case.state == AF or case.state == DET) and case.booked_on < 0 and case.origin == destination:
                out.append(row)
    rows = np.unique(np.array(out, dtype=np.int64)) if len(out) else np.empty(0, dtype=np.int64)
    ready = np.empty(len(rows))
    for i in range(len(rows)):
        ready[i] = e.history[rows[i]].flight_ready_day
    rows = rows[np.argsort(ready, kind="mergesort")]
    of = np.empty(len(rows), dtype=np.int64)
    for i in range(len(rows)):
        of[i] = e.hot[rows[i]].country
    return rows, of


class TransportService(mesa.Agent):
    """A country's prison-and-probation transport service: escorted seats on scheduled flights."""

    def __init__(
        self,
        model: mesa.Model,
        code: str,
        c: int,
        engine: EngineState,
        transport: TransportState,
        police: PoliceState,
    ) -> None:
        """The service of country ``code`` (position ``c``) booking ``engine``'s ready cases."""
        super().__init__(model)
        self.code, self.c, self.engine, self.transport, self.police = code, c, engine, transport, police

    def booking_day(self, t: int) -> None:
        """Book escorted seats for the documented people ready to leave, within the week's escorts."""
        book_escorted(self.transport, self.engine, self.police, self.c, t)
