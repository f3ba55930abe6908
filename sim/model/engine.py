"""The engine's state: every case, timer and count the kernels work on, as one object; and what state objects share.

A state object is a numba ``structref``: a kernel takes it as one argument
(about 0.9 µs a call from Python) and may replace its arrays to grow them.
Cases are rows of one table for the whole model (:mod:`sim.model.cases`: a
third country's authority and a joint charter hold several countries'
cases); per-country values are rows of small matrices indexed by the
country's position in the model. From Python a state object's fields are
read by name, whole (never a case field by field), through one compiled
getter for every state class (:func:`field_values`) that returns every field
(a getter per field would compile a function per field).
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar, Protocol

import numba as nb
import numpy as np
from numba.core import types
from numba.experimental import structref
from numba.extending import intrinsic

from sim.model.cases import HISTORY, HOT
from sim.model.states import State


class KernelStateType(types.StructRef):
    """The numba type of a state object: each field typed by its value's type, never a literal."""

    def preprocess_fields(self, fields: tuple[tuple[str, types.Type], ...]) -> tuple[tuple[str, types.Type], ...]:
        """Type each field by its value's type (a count made with 0 may grow)."""
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class KernelState(structref.StructRefProxy):
    """A state object from Python: fields  (or numbers).

    An array read here shares memory with the object until a kernel grows
    it: read it again after a kernel ran. Subclasses name their fields
    (``names``, in the order the object was made with); every field comes
    back from one compiled call (:func:`field_values`).
    """

    names: ClassVar[tuple[str, ...]]

    def __getattr__(self, name: str) -> Any:
        names = type(self).names
        if name not in names:
            raise AttributeError(name)
        return field_values(self)[names.index(name)]


@intrinsic
def _every_field(typingctx: Any, state: types.Type) -> Any:
    """A state object's fields as one tuple, in the order of its type's fields (as numba reads one field)."""
    if not isinstance(state, types.StructRef):
        return None
    fields = list(state.field_dict.items())

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        data = structref._Utils(context, builder, state).get_data_struct(args[0])
        values = []
        for name, typ in fields:
            value = getattr(data, name)
            context.nrt.incref(builder, typ, value)
            values.append(value)
        return context.make_tuple(builder, signature.return_type, values)

    return types.Tuple([typ for _, typ in fields])(state), codegen


@nb.njit(cache=True)
def field_values(state: Any) -> tuple[Any, ...]:
    """Every field of a state object, in its order: one compiled getter for every state class."""
    return _every_field(state)  # type: ignore[call-arg]  # numba passes the typing context itself


EVENTS = (
    "decisions",
    "detention_days",
    "detention_spells_ended",
    "detention_days_awaiting_flight",
    "assisted_returns",
    "detention_entries",
    "released_at_limit",
    "located",
    "handed_to_police",
    "moved_into_centre",
    "detention_refused_full",
    "other_removals",
    "other_detention_entries",
    "other_detention_days",
    "other_refused_full",
    "other_escorted",
    "released_for_room",
    "dublin_transfers",
)
"""The per-country counts the kernels keep (index by position; a country's ``events`` by these names)."""
COSTS = ("avr_grants", "detention", "talks", "police")
"""The per-country costs the kernels keep (index by position; a country's ``costs`` by these names)."""
(
    EV_DECISIONS,
    EV_DETENTION_DAYS,
    EV_SPELLS_ENDED,
    EV_AWAITING_FLIGHT,
    EV_ASSISTED,
    EV_DETENTION_ENTRIES,
    EV_RELEASED_AT_LIMIT,
    EV_LOCATED,
    EV_HANDED_TO_POLICE,
    EV_MOVED_INTO_CENTRE,
    EV_DETENTION_REFUSED_FULL,
    EV_OTHER_REMOVALS,
    EV_OTHER_DETENTION_ENTRIES,
    EV_OTHER_DETENTION_DAYS,
    EV_OTHER_REFUSED_FULL,
    EV_OTHER_ESCORTED,
    EV_RELEASED_FOR_ROOM,
    EV_DUBLIN_TRANSFERS,
) = range(len(EVENTS))
COST_AVR, COST_DETENTION, COST_TALKS, COST_POLICE = range(len(COSTS))

COUNTRY_VALUES = (
    "statute_of_limitation_days",
    "cost_detention_day",
    "avr_grant_cost",
    "avr_reintegration_support",
    "centre_until_departure",
    "return_centre_places",
    "detention_places",
    "detention_max_days",
    "detention_max_days_extended",
    "detention_review_days",
    "centre_reporting_days",
)
"""Per-country values the moves read (as floats; true/false as 1/0), in the order of ``values``' columns."""
(
    STATUTE_DAYS,
    COST_DETENTION_DAY,
    AVR_GRANT,
    AVR_REINTEGRATION,
    CENTRE_UNTIL_DEPARTURE,
    CENTRE_PLACES,
    DETENTION_PLACES,
    DETENTION_MAX_DAYS,
    DETENTION_MAX_DAYS_EXTENDED,
    DETENTION_REVIEW_DAYS,
    CENTRE_REPORTING_DAYS,
) = range(len(COUNTRY_VALUES))

REQUEST = np.dtype([("day", "f8"), ("row", "i4"), ("version", "u2"), ("forced", "?")])
"""A document request filed for the third countries' kernel: when, for whom, the case's document version
then (a later version withdraws it), and whether for a forced return."""

ENTRY = np.dtype([("row", "i4"), ("day", "f8")])
"""An entry of the detention log: the case and the day it was detained."""

TRANSITION = np.dtype([("case", "i8"), ("time", "f8"), ("old", "i1"), ("new", "i1")])
"""A row of the transition log (``output.transitions``): ``old`` is -1 for an opening case."""


class EngineState(Protocol):
    """The engine's fields as kernels read and write them, in the order :func:`new_engine` makes them."""

    hot: np.ndarray
    """The cases' hot records (:data:`sim.model.cases.HOT`), ``size`` in use."""
    history: np.ndarray
    """The cases' history records (:data:`sim.model.cases.HISTORY`)."""
    size: int
    timer_times: np.ndarray
    """The timers' heap (:mod:`sim.model.queues`): times, and keys of row and epoch."""
    timer_keys: np.ndarray
    heap_size: np.ndarray
    """The heap's length, as an array of one so that the heap's kernels change it in place."""
    fired: np.ndarray
    """Live timers fired so far, as an array of one (the unit of the engine's cost)."""
    last_day: int
    rates: np.ndarray
    """Per country, the hazards' rates in force (:data:`sim.model.hazards.RATES`)."""
    values: np.ndarray
    """Per country, the other values the moves read (:data:`COUNTRY_VALUES`)."""
    factors: np.ndarray
    """Per country and origin, the enforcement factor on departure hazards (set daily from Python)."""
    stocks: np.ndarray
    """Per country and state, the cases in it."""
    events: np.ndarray
    """Per country, the counts of :data:`EVENTS`."""
    costs: np.ndarray
    """Per country, the costs of :data:`COSTS`."""
    open_by_origin: np.ndarray
    """Per country and origin, open decisions (the enforcement signal's denominator)."""
    detention_occupied: np.ndarray
    centre_occupied: np.ndarray
    keys: np.ndarray
    """Per country and stream, the key of the stream's cases' seeds."""
    sequences: np.ndarray
    """Per country and stream, the cases the stream has opened (the next case's sequence number)."""
    log: np.ndarray
    """The transition log (:data:`TRANSITION`), ``log_size`` in use, kept when ``log_on``."""
    log_size: int
    log_on: bool
    wanted: np.ndarray
    """Per country, the rows on the police's wanted list (``wanted_size`` of them; a case knows its place,
    ``HOT.listed_at``, so leaving the list is one swap)."""
    wanted_size: np.ndarray
    detainees: np.ndarray
    """Per country, the rows held in detention (``detainees_size`` of them; a case knows its place,
    ``HOT.listed_at``)."""
    detainees_size: np.ndarray
    detained_log: np.ndarray
    """Every detention entry of a return case (:data:`ENTRY`), ``detained_logged`` of them: who, when."""
    detained_logged: int
    casework: np.ndarray
    """Per country, the line of rows waiting for the police's next casework step."""
    casework_head: np.ndarray
    casework_tail: np.ndarray
    green: np.ndarray
    """Per country, the line of casework for documented people (the police's green class), served first."""
    green_head: np.ndarray
    green_tail: np.ndarray
    intake_times: np.ndarray
    """Per country, the dated list of handovers reaching the police (the package in ``HISTORY.package``)."""
    intake_keys: np.ndarray
    intake_size: np.ndarray
    intake_seq: np.ndarray
    requests: np.ndarray
    """Document requests filed for the third countries (``REQUEST``), ``requests_size`` of them."""
    requests_size: int
    ready: np.ndarray
    """Per country, the line of documented rows ready for the transport service to book."""
    ready_head: np.ndarray
    ready_tail: np.ndarray
    boarding_until: np.ndarray
    """Per country and destination, the last day a jointly planned charter's free seats are open to people
    who become ready (-inf: none); those people wait in the ``boarding`` line for the charter desk."""
    boarding: np.ndarray
    boarding_head: np.ndarray
    boarding_tail: np.ndarray


FIELDS = tuple(EngineState.__annotations__)
"""The engine's fields, in the order :func:`new_engine` takes them."""


@structref.register
class EngineType(KernelStateType):
    """The numba type of :class:`Engine`."""


class Engine(KernelState):
    """The engine from Python: kernels take it whole; its fields are read by name (:class:`KernelState`)."""

    names = FIELDS


structref.define_proxy(Engine, EngineType, list(FIELDS))


@nb.njit(cache=True)
def _make(*args: Any) -> Engine:
    return Engine(*args)


def new_engine(
    countries: int,
    origins: int,
    last_day: int,
    rates: np.ndarray,
    values: np.ndarray,
    keys: np.ndarray,
    log: bool,
    cases: int = 1024,
) -> Engine:
    """An engine with no cases for ``countries`` countries and ``origins`` origins, run up to ``last_day``.

    Room for ``cases`` cases is made at once (the tables double when full:
    a good guess saves the memory and copying of the last doublings).

    ``rates`` (countries x :data:`sim.model.hazards.RATES`) and
    ``values`` (countries x :data:`COUNTRY_VALUES`) are the values in force;
    ``keys`` (countries x streams) the 64-bit keys of the streams that open
    cases (:func:`sim.model.streams.stream_key`); ``log`` keeps the
    transition log.
    """
    n = countries

    per_country = partial(np.zeros, n, dtype=np.int64)  # a count per country
    made: dict[str, Any] = {
        "hot": np.zeros(cases, dtype=HOT),
        "history": np.zeros(cases, dtype=HISTORY),
        "size": 0,
        "timer_times": np.zeros(1024),
        "timer_keys": np.zeros(1024, dtype=np.int64),
        "heap_size": np.zeros(1, dtype=np.int64),
        "fired": np.zeros(1, dtype=np.int64),
        "last_day": last_day,
        "rates": np.ascontiguousarray(rates, dtype=np.float64),
        "values": np.ascontiguousarray(values, dtype=np.float64),
        "factors": np.ones((n, origins)),
        "stocks": np.zeros((n, len(State)), dtype=np.int64),
        "events": np.zeros((n, len(EVENTS))),
        "costs": np.zeros((n, len(COSTS))),
        "open_by_origin": np.zeros((n, origins), dtype=np.int64),
        "detention_occupied": per_country(),
        "centre_occupied": per_country(),
        "keys": np.ascontiguousarray(keys, dtype=np.uint64),
        "sequences": np.zeros(keys.shape, dtype=np.int64),
        "log": np.zeros(1024 if log else 0, dtype=TRANSITION),
        "log_size": 0,
        "log_on": log,
        "wanted": np.zeros((n, 64), dtype=np.int32),
        "wanted_size": per_country(),
        "detainees": np.zeros((n, 64), dtype=np.int32),
        "detainees_size": per_country(),
        "detained_log": np.zeros(64, dtype=ENTRY),
        "detained_logged": 0,
        "casework": np.zeros((n, 64), dtype=np.int32),
        "casework_head": per_country(),
        "casework_tail": per_country(),
        "green": np.zeros((n, 64), dtype=np.int32),
        "green_head": per_country(),
        "green_tail": per_country(),
        "intake_times": np.zeros((n, 64)),
        "intake_keys": np.zeros((n, 64), dtype=np.int64),
        "intake_size": per_country(),
        "intake_seq": per_country(),
        "requests": np.zeros(64, dtype=REQUEST),
        "requests_size": 0,
        "ready": np.zeros((n, 64), dtype=np.int32),
        "ready_head": per_country(),
        "ready_tail": per_country(),
        "boarding_until": np.full((n, origins), -np.inf),
        "boarding": np.zeros((n, 16), dtype=np.int32),
        "boarding_head": per_country(),
        "boarding_tail": per_country(),
    }
    return _make(*(made[name] for name in FIELDS))
