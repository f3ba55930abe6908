"""The competing hazards of a case as a compiled kernel over the case table.

The same race as :mod:`sim.model.hazards` (which documents the mechanism),
read from a row of :data:`sim.model.case_table.HOT` and a packed vector of
the rates in force (:func:`pack_rates`), with the case's own random numbers
computed from its seed (:mod:`sim.model.case_draws`) instead of stored.
:func:`case_hazards` gives the rates, their targets and the deadline of a
case; :func:`draw_next` runs the race and says when the case moves and where.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from sim.model.case_draws import case_uniform
from sim.model.case_table import HotCase
from sim.model.hazards import DETENTION_LIMIT, DETENTION_REVIEW
from sim.model.states import State
from sim.params.levers import Avr
from sim.params.schema import Behaviour, CountryParams

RATES = (
    "voluntary_period_departure",
    "voluntary_period_abscond",
    "return_case_departure",
    "return_case_abscond",
    "talk_departure_multiplier",
    "no_document_departure_multiplier",
    "handover_announced_abscond_multiplier",
    "permit_after_impediment",
    "police_case_departure",
    "police_case_abscond",
    "released_abscond_multiplier",
    "return_centre_abscond_multiplier",
    "absconded_chance_encounter",
    "absconded_leave_unrecorded",
    "absconded_registered_departure",
    "absconded_move_nordic",
    "absconded_other_closure",
    "centre_abscond_multiplier",
    "voluntary_departure_days",
    "avr_abscond_multiplier",
    "avr_departure_multiplier",
)
"""The values the hazards read, in the order of the packed vector (:func:`pack_rates`)."""
(
    VP_DEP,
    VP_AB,
    RC_DEP,
    RC_AB,
    TALK_DEP,
    NO_DOC_DEP,
    ANNOUNCED_AB,
    PERMIT,
    PC_DEP,
    PC_AB,
    RELEASED_AB,
    CENTRE_AB_B,
    AB_FOUND,
    AB_LEAVE,
    AB_REG_DEP,
    AB_MOVE,
    AB_OTHER,
    CENTRE_AB_P,
    VP_DAYS,
    AVR_AB,
    AVR_DEP,
) = range(len(RATES))

MAX_HAZARDS = 5
"""The most competing hazards of one state (the absconded state's five ways out)."""

VP, RC, AB, PC, DET, AF = (int(s) for s in State if s < State.RETURNED_VOLUNTARY)
RET_VOL, RET_AVR = int(State.RETURNED_VOLUNTARY), int(State.RETURNED_ASSISTED)
MOVED, DEPARTED, EXPIRED = int(State.MOVED_NORDIC), int(State.DEPARTED_UNRECORDED), int(State.EXPIRED)
PERMIT_GRANTED, CLOSED = int(State.PERMIT_GRANTED), int(State.CLOSED_OTHER)
NO_TIMER = -1
"""Target of :func:`draw_next` when no hazard and no deadline can end the state."""


def pack_rates(behaviour: Behaviour, params: CountryParams, avr: Avr) -> np.ndarray:
    """The rates and multipliers in force, as the vector the kernels read (names in :data:`RATES`)."""
    sources = {"centre_abscond_multiplier": params.centre_abscond_multiplier}
    sources["voluntary_departure_days"] = params.voluntary_departure_days
    sources["avr_abscond_multiplier"] = avr.abscond_multiplier
    sources["avr_departure_multiplier"] = avr.departure_multiplier
    return np.array([sources[name] if name in sources else getattr(behaviour, name) for name in RATES])


@nb.njit(cache=True)
def case_hazards(
    case: HotCase, t: float, par: np.ndarray, factor: float, rates: np.ndarray, targets: np.ndarray
) -> tuple[int, float, int]:
    """Fill ``rates`` and ``targets`` with the hazards of ``case`` at ``t``; return their count and the deadline.

    ``factor`` is the enforcement factor of the person's origin now. The
    deadline is the state's own (the voluntary period's end, a detention's
    limit or review), or the expiry of the decision if that comes first,
    with the target it leads to; ``inf`` when there is none.
    """
    s = case.state
    a = case.abscond_propensity
    if case.in_return_centre:
        a *= par[CENTRE_AB_B] * par[CENTRE_AB_P]
    n = 0
    deadline = math.inf
    on_deadline = NO_TIMER
    if s == VP:
        rates[0], targets[0] = par[VP_DEP] * case.willingness * factor, RET_VOL
        rates[1], targets[1] = par[VP_AB] * a, AB
        n = 2
        deadline, on_deadline = case.since + par[VP_DAYS], RC
    elif s == RC:
        dep = par[RC_DEP] * case.willingness * factor
        ab = par[RC_AB] * a
        if case.talks:
            dep *= par[TALK_DEP]
        if not case.documents:
            dep *= par[NO_DOC_DEP]
        if case.avr_offered:
            ab *= par[AVR_AB]
            if case.avr_takes:
                dep *= par[AVR_DEP]
        if case.handover_announced:
            ab *= par[ANNOUNCED_AB]
        rates[0], targets[0] = dep, RET_AVR if case.avr_takes else RET_VOL
        rates[1], targets[1] = ab, AB
        rates[2], targets[2] = par[PERMIT], PERMIT_GRANTED
        n = 3
    elif s == AB:
        rates[0], targets[0] = par[AB_FOUND], PC
        rates[1], targets[1] = par[AB_LEAVE], DEPARTED
        rates[2], targets[2] = par[AB_REG_DEP], RET_VOL
        rates[3], targets[3] = par[AB_MOVE], MOVED
        rates[4], targets[4] = par[AB_OTHER], CLOSED
        n = 5
    elif s == PC:
        ab = par[PC_AB] * a
        if case.released:
            ab *= par[RELEASED_AB]
        dep = par[PC_DEP] * case.willingness * factor
        if not case.documents:
            dep *= par[NO_DOC_DEP]
        rates[0], targets[0] = dep, RET_VOL
        rates[1], targets[1] = ab, AB
        rates[2], targets[2] = par[PERMIT], PERMIT_GRANTED
        n = 3
    elif s == AF:
        ab = par[PC_AB] * a * par[ANNOUNCED_AB]
        if case.released:
            ab *= par[RELEASED_AB]
        rates[0], targets[0] = ab, AB
        n = 1
    elif s == DET:
        if case.detention_review < case.detention_limit:
            deadline, on_deadline = case.detention_review, DETENTION_REVIEW
        else:
            deadline, on_deadline = case.detention_limit, DETENTION_LIMIT
    if case.expiry_day <= deadline:
        deadline, on_deadline = case.expiry_day, EXPIRED
    if deadline < t:  # passed already (a timeline shortened it): it falls due now, not in the past
        deadline = t
    return n, deadline, on_deadline


@nb.njit(cache=True)
def draw_next(case: HotCase, t: float, par: np.ndarray, factor: float) -> tuple[float, int]:
    """The race of the hazards of ``case`` from ``t``: when it ends and the target it leads to.

    Two of the case's own random numbers decide it: one the time of the
    first event at the total rate, one which hazard it is; a deadline that
    comes first wins. The case's epoch moves on (an earlier timer is stale)
    and its draw counter by two. ``(inf, NO_TIMER)`` when nothing can end
    the state.
    """
    rates = np.empty(MAX_HAZARDS)
    targets = np.empty(MAX_HAZARDS, dtype=np.int64)
    n, deadline, on_deadline = case_hazards(case, t, par, factor, rates, targets)
    case.epoch += 1
    total = 0.0
    for i in range(n):
        total += rates[i]
    if total > 0.0:
        k = case.draws
        case.draws = k + 2
        when = t - math.log(1.0 - case_uniform(case.seed, k)) / total
        if when < deadline:
            u = case_uniform(case.seed, k + 1) * total
            target = on_deadline
            for i in range(n):
                if rates[i] > 0.0:
                    target = targets[i]
                    if u < rates[i]:
                        break
                    u -= rates[i]
            return when, target
    if deadline == math.inf:
        return math.inf, NO_TIMER
    return deadline, on_deadline
