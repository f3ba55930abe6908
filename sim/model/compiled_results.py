"""What a compiled run leaves, as the interpreted model does: the register, charters, daily stocks and counts.

The metrics (:func:`sim.outputs.metrics.summarise`), the yearly table and
every writer read these tables, so the two engines' results compare column
by column. Each country's event and cost counts carry the interpreted
model's names (:class:`sim.model.country.CountrySystem` ``events`` and
``costs``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import pandas as pd

from sim.model import kernel_params as kp
from sim.model.agency_kernel import AgencyState
from sim.model.case_table import CaseTable, Codes
from sim.model.compiled_charters import EU, CharterDesks
from sim.model.documents_kernel import AuthorityState
from sim.model.engine import COSTS, DETENTION_PLACES, EVENTS, EngineState
from sim.model.register import register_frame
from sim.model.run_tables import FLIGHT_COLUMNS, STOCK_COLUMNS
from sim.model.states import ACTIVE, State
from sim.model.tally import Tally
from sim.model.transport_state import KINDS, TransportState

COUNTED = STOCK_COLUMNS[2:-1]
"""The stock table's columns a kernel counts each day: all but the day, the country and the observed risk."""
_OPEN = tuple(int(s) for s in ACTIVE)
_ABSCONDED = int(State.ABSCONDED)


@nb.njit(cache=True)
def count_stocks(e: EngineState, agency: AgencyState, c: int, out: np.ndarray) -> None:
    """Country ``c``'s open states, departure position, wanted people, queues and places (:data:`COUNTED`)."""
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
    """A country's event and cost counts, now and at the warm-up's end (:class:`sim.model.run_tables.CountryCounts`)."""

    code: str
    events: Tally
    costs: Tally
    events_at_warmup: Tally
    costs_at_warmup: Tally


def country_counts(
    e: EngineState, tr: TransportState, a: AuthorityState, desk: CharterDesks, channels: np.ndarray, c: int
) -> tuple[Tally, Tally]:
    """Country ``c``'s events and costs so far, by the interpreted model's names.

    ``channels`` gives each country's and origin's request channel
    (:func:`sim.model.kernel_params.request_channels`): requests are counted
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
    df = register_frame([CaseTable(e.hot[: e.size], e.history[: e.size], codes)])
    df.insert(0, "replication", replication)
    return df


def flight_table(tr: TransportState, desk: CharterDesks, codes: list[str], replication: int) -> pd.DataFrame:
    """One row per charter (or EU operation) and country on board, as :meth:`sim.model.model.ReturnModel.flights`."""
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
    """Every state change in the log, country by country in the order they happened (as the interpreted table)."""
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


def stock_table(counted: np.ndarray, risks: np.ndarray, codes: list[str], replication: int) -> pd.DataFrame:
    """The stock table from each day's counts (days x countries x :data:`COUNTED`) and risks (days x countries)."""
    days, countries, _ = counted.shape
    df = pd.DataFrame(counted.reshape(days * countries, -1).astype(np.int64), columns=list(COUNTED))
    df.insert(0, "day", np.repeat(np.arange(1, days + 1), countries))
    df.insert(1, "country", np.tile(np.asarray(codes, dtype=object), days))
    df["removal_risk"] = risks.reshape(-1)
    df.insert(0, "replication", replication)
    return df
