"""The other removals that use the same detention places and escorts as the return cases.

Besides the return cases after a rejected asylum application, the police
enforce Dublin transfers to other member states, expulsions after a crime
and refusals of entry; they take detention places and the transport
service's escorts too, and so decide how scarce both are for the return
cases. They are not followed as cases: each kind arrives as a Poisson
number a day at its country's yearly volume (``nations.*.dublin_transfers_per_year``,
``crime_expulsions_per_year``, ``entry_refusals_per_year``: published inputs,
changed year by year by a history), and each person is detained first with
the kind's ``detained_share`` (if a place is free: a request when every
place is taken is refused and counted), for an exponential stay with mean
``mean_stay_days``, and leaves escorted with ``escorted_share`` (taking one
returnee's worth of the transport service's escort capacity, which may run
into debt that the return cases' escorted seats then wait for). The shares
and stays are assumptions with ranges (``configs/assumptions``);
``other_removals=none`` keeps the volumes but lets them use neither places
nor escorts. They draw from their own stream per country, so switching them
on or off leaves every other draw unchanged. Their counts are kept apart
from the return cases' (``other_*`` events).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from sim.model.engine import (
    DETENTION_PLACES,
    EV_DUBLIN_TRANSFERS,
    EV_OTHER_DETENTION_DAYS,
    EV_OTHER_DETENTION_ENTRIES,
    EV_OTHER_ESCORTED,
    EV_OTHER_REFUSED_FULL,
    EV_OTHER_REMOVALS,
    EngineState,
)
from sim.model.police import PoliceState
from sim.model.queues import dated_pop, dated_push, dated_room
from sim.model.streams import next_uniform
from sim.model.transport import TransportState
from sim.params.schema import OTHER_KINDS, ScenarioParams

OTHER_VALUES = ("per_day", "detained_share", "mean_stay_days", "escorted_share")
"""Per country and kind of other removal, the values the kernel reads (the last axis of ``other_values``)."""
PER_DAY, DETAINED, STAY, ESCORTED = range(len(OTHER_VALUES))
DUBLIN = OTHER_KINDS.index("dublin")


def other_values(s: ScenarioParams, codes: list[str]) -> np.ndarray:
    """Per country, kind (:data:`sim.params.schema.OTHER_KINDS`) and value (:data:`OTHER_VALUES`)."""
    out = np.zeros((len(codes), len(OTHER_KINDS), len(OTHER_VALUES)))
    for c, code in enumerate(codes):
        n = s.nations[code]
        volumes = (n.dublin_transfers_per_year, n.crime_expulsions_per_year, n.entry_refusals_per_year)
        for k, kind in enumerate(OTHER_KINDS):
            use = getattr(s.other_removals, kind)
            out[c, k] = (volumes[k] / 365.0, use.detained_share, use.mean_stay_days, use.escorted_share)
    return out


@nb.njit(cache=True, inline="always")
def _uniform(p: PoliceState, c: int) -> float:
    return next_uniform(p.other_key, p.other_draws, c)


@nb.njit(cache=True)
def poisson(mean: float, u: float) -> int:
    """A Poisson number with ``mean`` (at most a few hundred: the yearly volumes are bounded) from one uniform."""
    k, term = 0, math.exp(-mean)
    total = term
    while u > total and term > 0.0:
        k += 1
        term *= mean / k
        total += term
    return k


@nb.njit(cache=True)
def _leave(e: EngineState, tr: TransportState, c: int, kind: int, escorted: bool) -> None:
    """One other removal carried out; an escorted one takes one returnee's worth of escort capacity."""
    e.events[c, EV_OTHER_REMOVALS] += 1
    if kind == DUBLIN:
        e.events[c, EV_DUBLIN_TRANSFERS] += 1
    if escorted:
        tr.credit[c] -= 1.0
        e.events[c, EV_OTHER_ESCORTED] += 1


@nb.njit(cache=True)
def other_removals_day(p: PoliceState, e: EngineState, tr: TransportState, c: int, t: int) -> None:
    """Country ``c``'s other removals of day ``t``: those whose detention ends leave, today's arrive.

    Each arrival draws three numbers whatever its path (detained, its stay,
    escorted), so the count of each day and kind does not depend on the
    shares and places.
    """
    day = float(t)
    while True:
        code, _, _ = dated_pop(p.other_times, p.other_keys, p.other_size, c, day)
        if code < 0:
            break
        e.detention_occupied[c] -= 1
        _leave(e, tr, c, code // 2, code % 2 == 1)
    for kind in range(p.other_values.shape[1]):
        v = p.other_values[c, kind]
        for _ in range(poisson(v[PER_DAY], _uniform(p, c))):
            detained, stay = _uniform(p, c) < v[DETAINED], -math.log(1.0 - _uniform(p, c)) * v[STAY]
            escorted = _uniform(p, c) < v[ESCORTED]
            if detained and e.detention_occupied[c] < e.values[c, DETENTION_PLACES]:
                e.detention_occupied[c] += 1
                e.events[c, EV_OTHER_DETENTION_ENTRIES] += 1
                e.events[c, EV_OTHER_DETENTION_DAYS] += stay
                p.other_times, p.other_keys = dated_room(p.other_times, p.other_keys, p.other_size, c)
                dated_push(p.other_times, p.other_keys, p.other_size, p.other_seq, c, day + stay, 2 * kind + escorted)
                continue
            if detained:
                e.events[c, EV_OTHER_REFUSED_FULL] += 1
            _leave(e, tr, c, kind, escorted)
