"""Scarce places a case can hold: detention and return centres.

What a case holds is given back by its country when the case leaves the state
that held it (:meth:`sim.model.country.CountrySystem.release`).
"""

from __future__ import annotations

import math

from sim.model.agents.migrant import Migrant
from sim.model.roles import Country
from sim.model.states import State

VP, RC, PC = State.VOLUNTARY_PERIOD, State.RETURN_CASE, State.POLICE_CASE


class Detention:
    """Detention places (förvar): a hard limit on places and on the length of a stay."""

    def __init__(self, country: Country) -> None:
        """Start with every place free."""
        self.country = country
        self.occupied = 0
        self.requests = 0
        self.refused_full = 0

    @property
    def places(self) -> int:
        """Places today (a timeline may change them: fewer than occupied blocks new entries, frees nobody)."""
        return self.country.params.detention_places

    def request(self, m: Migrant, t: float) -> bool:
        """Detain ``m`` if a place is free; return whether it was."""
        self.requests += 1
        if self.occupied >= self.places:
            self.refused_full += 1
            return False
        p = self.country.params
        self.occupied += 1
        self.country.events["detention_entries"] += 1
        m.times_detained += 1
        m.detention_limit = t + p.detention_max_days
        m.detention_review = t + p.detention_review_days
        m.move(State.DETAINED, t)
        return True

    def review(self, m: Migrant, t: float) -> None:
        """The police review a detention: it goes on only while removal is under way.

        Under way means a flight is booked, documents are in hand, or a
        document request is still pending; otherwise (e.g. a request was
        refused and will only be retried later) the person is released.
        """
        if m.booked_on is not None or m.documents or m.document_pending:
            m.detention_review = t + self.country.params.detention_review_days
            m.reschedule(t)
        else:
            self.release(m, t)

    def free(self, m: Migrant, t: float) -> None:
        """Give back the place of ``m``, who is leaving detention now."""
        self.occupied -= 1
        days = t - m.since
        m.detention_days += days
        self.country.events["detention_days"] += days
        self.country.events["detention_spells_ended"] += 1
        if not math.isnan(m.flight_ready_day):
            waiting = t - max(m.since, m.flight_ready_day)
            m.detention_days_awaiting_flight += waiting
            self.country.events["detention_days_awaiting_flight"] += waiting
        self.country.costs["detention"] += days * self.country.params.cost_detention_day

    def at_limit(self, m: Migrant, t: float) -> None:
        """Extend a stay where enforcement is under way and the law allows it, else release."""
        p = self.country.params
        extended_limit = m.since + p.detention_max_days_extended  # the same sum as a limit already extended
        if extended_limit > m.detention_limit and (m.booked_on is not None or m.document_pending):
            m.detention_limit = extended_limit
            m.reschedule(t)
        else:
            m.released_at_limit += 1
            self.country.events["released_at_limit"] += 1
            self.release(m, t)

    def release(self, m: Migrant, t: float) -> None:
        """Let ``m`` go back to an open police case, more likely to abscond."""
        m.released = True
        m.booked_on = None
        m.detention_limit = m.detention_review = math.inf
        m.move(State.POLICE_CASE, t)
        self.country.police.enqueue(m)


class ReturnCentre:
    """Return-centre places: residents report regularly, which lowers absconding."""

    def __init__(self, country: Country) -> None:
        """Start with every place free."""
        self.country = country
        self.occupied = 0

    @property
    def places(self) -> int:
        """Places today (a timeline may change them)."""
        return self.country.params.return_centre_places

    def admit(self) -> bool:
        """Take a place if one is free."""
        if self.occupied < self.places:
            self.occupied += 1
            return True
        return False

    def take_in(self, t: float) -> None:
        """Open cases living outside move in, each with ``return_centre_share``, while places last (counted).

        Called on a timeline's day when ``centre_moves_open_cases`` is on (Denmark
        required those already in departure position to live in its centres).
        Cases the centre may hold (the migration agency's, and the police's in a
        departure centre) are taken in case-number order; each draws its next
        transition again from ``t``, as a resident.
        """
        country, p = self.country, self.country.params
        held = (VP, RC, PC) if p.centre_until_departure else (VP, RC)
        draw = country.streams.py["rehousing"].random
        moved = 0
        for m in list(country.open_cases.values()):
            if m.in_return_centre or m.state not in held or draw() >= p.return_centre_share:
                continue
            if not self.admit():
                break
            m.in_return_centre = m.lived_in_return_centre = True
            m.reschedule(t)
            moved += 1
        country.events["moved_into_centre"] += moved

    def leave(self, m: Migrant) -> None:
        """Free the place of ``m``, who left the centre (see :meth:`sim.model.country.CountrySystem.release`)."""
        m.in_return_centre = False
        self.occupied -= 1
