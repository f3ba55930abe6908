"""The competing hazards of each open state, and the race that sets a case's next transition.

A case does not act every day. On entering a state (or when its context
changes) it draws its next transition from the state's competing exponential
hazards, plus any deadline of the state, and puts one timer on the clock;
moving its ``epoch`` on first makes any earlier timer stale. Hazards are
memoryless, so redrawing after a change is exact. The kernels read a row of
:data:`sim.model.cases.HOT` and a packed vector of the rates in force
(:func:`pack_rates`); the case's own random numbers come from its seed
(:mod:`sim.model.streams`). :func:`case_hazards` gives the rates, their
targets and the deadline of a case; :func:`draw_next` runs the race and says
when the case moves and where.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from sim.model.cases import HotCase
from sim.model.states import State
from sim.model.streams import case_uniform
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
    "blocked_abscond_multiplier",
    "absconded_early_days",
    "absconded_early_exit_multiplier",
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
    BLOCKED_AB,
    EARLY_DAYS,
    EARLY_EXITS,
) = range(len(RATES))

MAX_HAZARDS = 5
"""The most competing hazards of one state (the absconded state's five ways out)."""

VP, RC, AB, PC, DET, AF = (int(s) for s in State if s < State.RETURNED_VOLUNTARY)
RET_VOL, RET_AVR = int(State.RETURNED_VOLUNTARY), int(State.RETURNED_ASSISTED)
MOVED, DEPARTED, EXPIRED = int(State.MOVED_NORDIC), int(State.DEPARTED_UNRECORDED), int(State.EXPIRED)
PERMIT_GRANTED, CLOSED = int(State.PERMIT_GRANTED), int(State.CLOSED_OTHER)
DETENTION_LIMIT = -2
"""Timer target meaning "the detention's maximum length is reached"."""
DETENTION_REVIEW = -3
"""Timer target meaning "the police review whether the detention is still needed"."""
EARLY_ABSCONDING_ENDS = -4
"""Timer target meaning "the first days after absconding are over": the exits go on at their later rates."""
NO_TIMER = -1
"""Target of :func:`draw_next` when no hazard and no deadline can end the state."""


def pack_rates(behaviour: Behaviour, params: CountryParams, avr: Avr) -> np.ndarray:
    """The rates and multipliers in force, as the vector the kernels read (names in :data:`RATES`)."""
    sources = {"centre_abscond_multiplier": params.centre_abscond_multiplier}
    sources["voluntary_departure_days"] = params.voluntary_departure_days
    sources["avr_abscond_multiplier"] = avr.abscond_multiplier
    sources["avr_departure_multiplier"] = avr.departure_multiplier
    return np.array([sources[name] if name in sources else getattr(behaviour, name) for name in RATES])


@nb.njit(cache=True, inline="always")
def rates_in_force(rates: np.ndarray, country: int) -> tuple[float, ...]:
    """Row ``country`` of the packed rates as a tuple: what :func:`case_hazards` takes.

    A tuple is a value: a compiled helper that takes arrays pays for
    reference counting on every call, which in a loop over cases costs more
    than the hazards themselves (measured: 36 against 4.5 ns a call).
    """
    r = rates[country]
    return (
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
        r[12], r[13], r[14], r[15], r[16], r[17], r[18], r[19], r[20], r[21], r[22], r[23],
    )  # fmt: skip


@nb.njit(cache=True, inline="always")
def case_hazards(
    case: HotCase, t: float, par: tuple[float, ...], factor: float
) -> tuple[int, tuple[float, ...], tuple[int, ...], float, int]:
    """The hazards of ``case`` at ``t``: their count, rates and targets, and the deadline with its target.

    ``par`` is :func:`rates_in_force`; ``factor`` the enforcement factor of the
    person's origin now. Rates and targets come as tuples of
    :data:`MAX_HAZARDS`, the first ``n`` in use. The deadline is the state's
    own (the voluntary period's end, a detention's limit or review), or the
    expiry of the decision if that comes first, with the target it leads
    to; ``inf`` when there is none.
    """
    s = case.state
    a = case.abscond_propensity
    if case.in_return_centre:
        a *= par[CENTRE_AB_B] * par[CENTRE_AB_P]
    n = 0
    rates = (0.0, 0.0, 0.0, 0.0, 0.0)
    targets = (0, 0, 0, 0, 0)
    deadline = math.inf
    on_deadline = NO_TIMER
    if s == VP:
        rates = (par[VP_DEP] * case.willingness * factor, par[VP_AB] * a, 0.0, 0.0, 0.0)
        targets = (RET_VOL, AB, 0, 0, 0)
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
        rates = (dep, ab, par[PERMIT], 0.0, 0.0)
        targets = (RET_AVR if case.avr_takes else RET_VOL, AB, PERMIT_GRANTED, 0, 0)
        n = 3
    elif s == AB:
        m = 1.0
        if t < case.since + par[EARLY_DAYS]:  # the first days after absconding: exits at their early rates
            m = par[EARLY_EXITS]
            deadline, on_deadline = case.since + par[EARLY_DAYS], EARLY_ABSCONDING_ENDS
        rates = (m * par[AB_FOUND], m * par[AB_LEAVE], m * par[AB_REG_DEP], m * par[AB_MOVE], m * par[AB_OTHER])
        targets = (PC, DEPARTED, RET_VOL, MOVED, CLOSED)
        n = 5
    elif s == PC:
        ab = par[PC_AB] * a
        if case.released:
            ab *= par[RELEASED_AB]
        if case.unenforceable:  # removal blocked: no enforcement in sight to run from
            ab *= par[BLOCKED_AB]
        dep = par[PC_DEP] * case.willingness * factor
        if not case.documents:
            dep *= par[NO_DOC_DEP]
        rates = (dep, ab, par[PERMIT], 0.0, 0.0)
        targets = (RET_VOL, AB, PERMIT_GRANTED, 0, 0)
        n = 3
    elif s == AF:
        ab = par[PC_AB] * a * par[ANNOUNCED_AB]
        if case.released:
            ab *= par[RELEASED_AB]
        rates = (ab, 0.0, 0.0, 0.0, 0.0)
        targets = (AB, 0, 0, 0, 0)
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
    return n, rates, targets, deadline, on_deadline


@nb.njit(cache=True, inline="always")
def draw_next(case: HotCase, t: float, par: tuple[float, ...], factor: float) -> tuple[float, int]:
    """The race of the hazards of ``case`` from ``t``: when it ends and the target it leads to.

    Two of the case's own random numbers decide it: one the time of the
    first event at the total rate, one which hazard it is; a deadline that
    comes first wins. The case's epoch moves on (an earlier timer is stale)
    and its draw counter by two. ``(inf, NO_TIMER)`` when nothing can end
    the state.
    """
    n, rates, targets, deadline, on_deadline = case_hazards(case, t, par, factor)
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
