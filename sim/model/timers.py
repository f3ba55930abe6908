"""A day's migrant timers as one kernel: each fired timer carried out by the agency that acts on it.

The timers due by the day's end fire in order of time (stale ones, whose
case has moved on, are dropped): the voluntary period's
end opens a return case for a first talk; the end of the first days after
absconding draws the person's exits again at their later rates; absconding (any seat booked left
empty) is noticed by the migration agency or, from a police case, by the
police, within the reporting interval for a centre resident; a person found
by chance becomes a police case; a detention's limit or review goes to the
detention kernels; a departure to another Nordic country closes the case
here and goes back to Python, which picks the destination
(:mod:`sim.model.movers`); every other target is a plain move.
"""

from __future__ import annotations

import numba as nb

from sim.model.agency import AgencyState, open_return_case
from sim.model.agency import notice_abscond as agency_notices
from sim.model.detention import at_limit, review
from sim.model.engine import CENTRE_REPORTING_DAYS, EngineState
from sim.model.hazards import DETENTION_LIMIT, DETENTION_REVIEW, EARLY_ABSCONDING_ENDS
from sim.model.moves import move, next_timer, schedule
from sim.model.police import PoliceState, receive_located
from sim.model.police import notice_abscond as police_notices
from sim.model.states import State

VP, RC, AB, PC = int(State.VOLUNTARY_PERIOD), int(State.RETURN_CASE), int(State.ABSCONDED), int(State.POLICE_CASE)
MOVED = int(State.MOVED_NORDIC)


@nb.njit(cache=True)
def abscond(e: EngineState, agency: AgencyState, police: PoliceState, row: int, t: float) -> None:
    """The person absconds (a seat booked for them leaves empty); the agency or the police will notice."""
    case, past = e.hot[row], e.history[row]
    c = case.country
    came_from = case.state
    past.ever_absconded = True
    past.times_absconded += 1
    case.booked_on = -1
    reporting = e.values[c, CENTRE_REPORTING_DAYS] if case.in_return_centre else 0.0
    move(e, row, AB, t)
    if came_from == VP or came_from == RC:
        agency_notices(agency, c, row, t, reporting)
    else:
        police_notices(police, e, c, row, t, reporting)


@nb.njit(cache=True)
def fire_timers(e: EngineState, agency: AgencyState, police: PoliceState, day: int) -> tuple[int, int, float]:
    """Carry out the live timers due by ``day`` in time order; return a mover's row, country and time.

    It stops after a person leaves for another Nordic country (their case
    here closed), returning the row, the country left and the time, so that
    their case there opens before the next timer fires; the caller calls
    again until no mover is returned
    (row -1).
    """
    while True:
        row, target, t = next_timer(e, day)
        if row < 0:
            return -1, -1, t
        c = e.hot[row].country
        if target == DETENTION_LIMIT:
            at_limit(e, row, t)
        elif target == DETENTION_REVIEW:
            review(e, row, t)
        elif target == EARLY_ABSCONDING_ENDS:
            schedule(e, row, t)
        elif target == AB:
            abscond(e, agency, police, row, t)
        elif target == RC:
            move(e, row, RC, t)
            open_return_case(agency, c, row)
        elif target == PC:
            receive_located(police, e, c, row, t)
        elif target == MOVED:
            move(e, row, MOVED, t)
            return row, c, t
        else:
            move(e, row, target, t)
