"""What a run leaves: its register, charters, daily stocks, and the counts and amounts its metrics read.

The metrics (:func:`sim.outputs.metrics.summarise`), the yearly table and
every writer read these tables. Counts and amounts are kept by name
(decisions, detention days, euros) in a :data:`Tally`, a
:class:`collections.Counter` of numbers: a name never added reads 0, and
subtracting the warm-up's tally leaves what the measured horizon added.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numba as nb
import numpy as np
import pandas as pd

from sim.model import values as kp
from sim.model.agency import AgencyState
from sim.model.cases import KINDS, Codes, register_frame
from sim.model.charters import EU, CharterDesks
from sim.model.documents import AuthorityState
from sim.model.engine import COSTS, DETENTION_PLACES, EVENTS, EngineState
from sim.model.police import PoliceState
from sim.model.states import ACTIVE, State
from sim.model.transport import TransportState

if TYPE_CHECKING:
    from sim.params.schema import ScenarioParams

if TYPE_CHECKING:

    class Tally(dict[str, float]):
        """The part of :class:`collections.Counter`'s interface the model uses, with float values.

        The values are floats as often as ints (days, euros), which
        typeshed's ``Counter`` (int values only) does not admit, so the type
        checker is given the Counter's interface with float values; at run
        time a ``Tally`` is a ``Counter``.

        Only the methods below are the Counter's; ``update`` and ``|`` would be
        typed as a dict's (replacing values) while a Counter's add them, so the
        model does not use them on a tally.
        """

        def __missing__(self, key: str) -> float:
            """A name never added reads 0."""

        def copy(self) -> Tally:
            """A tally with the same numbers."""

        def __add__(self, other: Tally) -> Tally:
            """Sums by name, keeping only positive ones."""

        def __sub__(self, other: Tally) -> Tally:
            """Differences by name, keeping only positive ones."""

else:
    Tally = Counter


STOCK_COLUMNS = (
    "day",
    "country",
    *(s.label for s in ACTIVE),
    "departure_position",
    "wanted",
    "talk_queue",
    "police_queue",
    "flight_queue",
    "detention_occupied",
    "detention_places",
    "return_centre_occupied",
    "removal_risk",
)
"""One row per day and country: the open states' stocks, the queues, the places and the observed removal risk;
then the day's counts of :data:`FLOWS` (``flow_*``)."""
FLOWS = (
    "handed_to_police",
    "located",
    "detention_entries",
    "detention_refused_full",
    "detention_days",
    "detention_spells_ended",
    "released_for_room",
    "other_removals",
    "other_detention_entries",
    "other_detention_days",
    "other_refused_full",
    "other_escorted",
    "dublin_transfers",
)
"""Events counted day by day in the stock table (``flow_<name>``): the yearly table sums them by calendar year.
Detention days count when a spell ends (a return case's) or begins (another removal's, whose stay is drawn then)."""
_FLOW_EVENTS = np.array([EVENTS.index(name) for name in FLOWS])

FLIGHT_COLUMNS = (
    "flight_id",
    "day",
    "destination",
    "kind",
    "organiser",
    "seats",
    "boarded_total",
    "country",
    "boarded",
    "paid_by_country",
    "paid_by_frontex",
    "monitored",
    "paid_for_monitoring",
)
"""One row per charter (or EU operation) and country on board: returnees and who paid."""


class RouteCounts(Protocol):
    """What the metrics read of the transit route: its flows now and at the warm-up's end, and its stock."""

    @property
    def stock(self) -> int:
        """People stranded on the route now."""

    @property
    def events(self) -> Tally:
        """The route's flows so far, by name."""

    @property
    def events_at_warmup(self) -> Tally:
        """The route's flows at the end of the warm-up."""


class CountryCounts(Protocol):
    """What the metrics read of a country besides its cases: costs and event counts, now and at the warm-up's end."""

    @property
    def code(self) -> str:
        """The country's code."""

    @property
    def costs(self) -> Tally:
        """Costs so far, by item."""

    @property
    def events(self) -> Tally:
        """Events so far, by name."""

    @property
    def costs_at_warmup(self) -> Tally:
        """Costs at the end of the warm-up."""

    @property
    def events_at_warmup(self) -> Tally:
        """Events at the end of the warm-up."""


class FinishedRun(Protocol):
    """What the metrics read of a finished run besides its tables (properties: read-only)."""

    @property
    def params(self) -> ScenarioParams:
        """The parameters it ran with."""

    @property
    def replication(self) -> int:
        """Its replication number."""

    @property
    def end_day(self) -> int:
        """Its last day."""

    @property
    def countries(self) -> Mapping[str, CountryCounts]:
        """Each country's counts, by code."""

    @property
    def transit(self) -> RouteCounts | None:
        """The transit route, if the scenario has one."""


COUNTED = STOCK_COLUMNS[2:-1]
"""The stock table's columns a kernel counts each day: all but the day, the country and the observed risk."""
_OPEN = tuple(int(s) for s in ACTIVE)
_ABSCONDED = int(State.ABSCONDED)


@nb.njit(cache=True)
def count_stocks(e: EngineState, agency: AgencyState, c: int, out: np.ndarray, flows: np.ndarray) -> None:
    """Country ``c``'s stocks, queues and places today (:data:`COUNTED`) and its counts so far of :data:`FLOWS`.

    Stocks: the open states, the departure position, the wanted people;
    ``out`` and ``flows`` are the day's rows to fill.
    """
    for i in range(len(_FLOW_EVENTS)):
        flows[i] = e.events[c, _FLOW_EVENTS[i]]
    position = 0
    for i in range(len(_OPEN)):
        n = e.stocks[c, _OPEN[i]]
        out[i] = n
        if _OPEN[i] != _ABSCONDED:
            position += n
    k = len(_OPEN)
    out[k] = position
    out[k + 1] = e.wanted_size[c]
    out[k + 2] = agency.talks_tail[c] - agency.talks_head[c]
    out[k + 3] = e.casework_tail[c] - e.casework_head[c]
    out[k + 4] = e.ready_tail[c] - e.ready_head[c]
    out[k + 5] = e.detention_occupied[c]
    out[k + 6] = e.values[c, DETENTION_PLACES]
    out[k + 7] = e.centre_occupied[c]


@dataclass
class CountryTotals:
    """A country's event and cost counts, now and at the warm-up's end (:class:`sim.model.results.CountryCounts`)."""

    code: str
    events: Tally
    costs: Tally
    events_at_warmup: Tally
    costs_at_warmup: Tally


def country_counts(
    e: EngineState, tr: TransportState, a: AuthorityState, desk: CharterDesks, channels: np.ndarray, c: int
) -> tuple[Tally, Tally]:
    """Country ``c``'s events and costs so far, by name.

    ``channels`` gives each country's and origin's request channel
    (:func:`sim.model.values.request_channels`): requests are counted
    by the channel they went through.
    """
    events, costs = Tally(), Tally()
    for name, n in zip(EVENTS, e.events[c].tolist(), strict=True):
        events[name] += n
    events["requests_followed_up"] += int(a.followed_up[c])
    hot = e.hot
    rows = e.requests["row"][: e.requests_size]
    origins = hot["origin"][rows][hot["country"][rows] == c]
    by_channel = np.bincount(channels[c, origins], minlength=3)
    events["document_requests"] += len(origins)
    events["requests_via_nordic_embassy"] += int(by_channel[kp.NORDIC_EMBASSY])
    events["requests_remote"] += int(by_channel[kp.REMOTE])
    for name, amount in zip(COSTS, e.costs[c].tolist(), strict=True):
        costs[name] += amount
    costs["escorted_removals"] += float(tr.escorted_costs[c])
    costs["charters"] += float(desk.costs[c])
    costs["monitoring"] += float(desk.monitoring_costs[c])
    costs["transfers"] += float(desk.transfer_costs[c])
    return events, costs


def case_register(e: EngineState, codes: Codes, replication: int) -> pd.DataFrame:
    """Every case, closed or open, one row each (the register's columns), with the replication number."""
    df = register_frame(e.hot[: e.size], e.history[: e.size], codes)
    df.insert(0, "replication", replication)
    return df


def flight_table(tr: TransportState, desk: CharterDesks, codes: list[str], replication: int) -> pd.DataFrame:
    """One row per charter (or EU operation) and country on board: returnees and who paid."""
    flights, origins = tr.flights, list(desk.s.origins)
    names = {**dict(enumerate(codes)), EU: "EU"}
    rows = []
    for flight, country, boarded, total, paid, frontex, observers in desk.flown:
        f = flights[flight]
        rows.append(
            (
                flight,
                float(f["day"]),
                origins[int(f["destination"])],
                KINDS[int(f["kind"]) - 1],
                names[int(f["organiser"])],
                int(f["seats"]),
                total,
                names[country],
                boarded,
                paid,
                frontex,
                bool(f["monitored"]),
                observers,
            )
        )
    df = pd.DataFrame.from_records(rows, columns=list(FLIGHT_COLUMNS))
    df.insert(0, "replication", replication)
    return df


def transition_table(e: EngineState, replication: int) -> pd.DataFrame:
    """Every state change in the log, country by country in the order they happened."""
    log = e.log[: e.log_size]
    order = np.argsort(e.hot["country"][log["case"]], kind="stable")
    df = pd.DataFrame(
        {
            "migrant_id": log["case"][order],
            "day": log["time"][order],
            "from_state": log["old"][order].astype(np.int64),
            "to_state": log["new"][order].astype(np.int64),
        }
    )
    df.insert(0, "replication", replication)
    return df


def stock_table(
    counted: np.ndarray, risks: np.ndarray, flows: np.ndarray, codes: list[str], replication: int
) -> pd.DataFrame:
    """The stock table from each day's counts, risks and counts so far of :data:`FLOWS`.

    ``counted`` is days x countries x :data:`COUNTED`, ``risks`` days x
    countries, ``flows`` days x countries x flows (the table has each day's
    own count, the difference from the day before).
    """
    days, countries, _ = counted.shape
    df = pd.DataFrame(counted.reshape(days * countries, -1).astype(np.int64), columns=list(COUNTED))
    df.insert(0, "day", np.repeat(np.arange(1, days + 1), countries))
    df.insert(1, "country", np.tile(np.asarray(codes, dtype=object), days))
    df["removal_risk"] = risks.reshape(-1)
    daily = np.diff(flows, axis=0, prepend=0.0).reshape(days * countries, -1)
    for i, name in enumerate(FLOWS):
        column = daily[:, i]
        df[f"flow_{name}"] = column if name.endswith("_days") else np.rint(column).astype(np.int64)
    df.insert(0, "replication", replication)
    return df


_POLICE_CASE, _AWAITING_FLIGHT = int(State.POLICE_CASE), int(State.AWAITING_FLIGHT)
"""The workable police cases' states run from the first to the second (detained between them)."""


@nb.njit(cache=True)
def count_classes(p: PoliceState, e: EngineState, c: int) -> tuple[int, int, int]:
    """Country ``c``'s workable police cases (police case, detained, awaiting a flight) by the police's classes.

    Green: removal within weeks (documents in hand, or coming soon from an
    origin that takes forced returns). Red: blocked (an origin that takes no
    forced returns, or the document attempts used up). Yellow: the rest
    (contact still to make, documents from a slow authority, a retry ahead).
    """
    green = yellow = red = 0
    for row in range(e.size):
        case = e.hot[row]
        if case.country != c or case.state < _POLICE_CASE or case.state > _AWAITING_FLIGHT:
            continue
        if case.documents or case.booked_on >= 0:
            green += 1
        elif case.unenforceable or not p.takes_forced[c, case.origin]:
            red += 1
        elif case.document_pending and p.answer_soon[c, case.origin]:
            green += 1
        else:
            yellow += 1
    return green, yellow, red
