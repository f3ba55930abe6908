"""The transport service's state for the compiled kernels (:mod:`sim.model.transport_kernel`): values, flights."""

from __future__ import annotations

from typing import Any, Protocol

import numba as nb
import numpy as np
from numba.experimental import structref

from sim.model.kernel_state import KernelState, KernelStateType

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
KINDS = ("escorted", "charter", "joint_charter", "eu_operation")
"""Flight kinds, coded 1.. as :class:`sim.model.case_table.Codes` ``flights``."""
ESCORTED = 1
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


structref.define_proxy(Transport, TransportStateType, list(FIELDS))


@nb.njit(cache=True)
def _fields(tr: TransportState) -> tuple[Any, ...]:
    """Every field, in the order of :data:`FIELDS`."""
    return (
        tr.values,
        tr.seats_per_week,
        tr.seats,
        tr.credit,
        tr.key,
        tr.draws,
        tr.flights,
        tr.flights_size,
        tr.due_times,
        tr.due_keys,
        tr.due_size,
        tr.due_seq,
        tr.passenger_of,
        tr.removed,
        tr.removal_failed,
        tr.escorted_costs,
    )


Transport.names = FIELDS
Transport.getter = _fields


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
