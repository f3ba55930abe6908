"""The police: taking over cases, locating absconded people, documents, detention, booking."""

from __future__ import annotations

from collections import deque
from itertools import count
from typing import TYPE_CHECKING

import mesa

from sim.model.day_queue import DayQueue
from sim.model.states import State

if TYPE_CHECKING:
    from sim.model.agents.migrant import Migrant
    from sim.model.flight import Flight
    from sim.model.roles import Country, World


class WantedList:
    """People on the wanted list, with O(1) add, remove and uniform random pick."""

    def __init__(self) -> None:
        """Start empty."""
        self._items: list[Migrant] = []
        self._index: dict[Migrant, int] = {}

    def add(self, m: Migrant) -> None:
        """Put ``m`` on the list (once)."""
        if m in self._index:
            return
        self._index[m] = len(self._items)
        self._items.append(m)

    def discard(self, m: Migrant) -> None:
        """Take ``m`` off the list (swap with the last entry)."""
        m.wanted = False
        i = self._index.pop(m)
        last = self._items.pop()
        if last is not m:
            self._items[i] = last
            self._index[last] = i

    def pick(self, u: float) -> Migrant:
        """The entry at the position the uniform draw ``u`` points to."""
        return self._items[int(u * len(self._items))]

    def __len__(self) -> int:
        return len(self._items)


class PoliceUnit(mesa.Agent):
    """Officers with a daily capacity split between searches and casework.

    Casework moves each police case one step per action: make contact,
    request travel documents from the third-country authority, then book the
    removal with the transport service. The police do not see whether a person
    is still where the file says: a contact attempt that fails is "not found
    this time" and is tried again after ``contact_retry_days``; an attempt on
    a person who has in fact absconded finds them gone and puts them on the
    wanted list. A person who absconds after contact is missed at their
    reporting duty, after ``police_absence_detection_days`` on average.
    Searches pick people on the wanted list at random; the chance of finding
    one rises with the information fields the migration agency passed.
    People judged at risk of absconding are detained while removal is in
    sight (:meth:`consider_detention`) and once a flight is booked.
    """

    def __init__(self, model: World, country: Country) -> None:
        """Create the police unit of ``country`` with empty queues."""
        super().__init__(model)
        self.country = country
        self.stream = country.streams.py["police"]
        self.planning_stream = country.streams.py["detention_planning"]
        self.wanted = WantedList()
        self.casework: deque[Migrant] = deque()
        self.intakes: DayQueue[tuple[float, int, Migrant, frozenset[str]]] = DayQueue()
        self.retries: deque[tuple[float, Migrant]] = deque()
        """Cases waiting to request documents again, with the day; a FIFO, since the wait is fixed."""
        self.contact_retries: deque[tuple[float, Migrant]] = deque()
        """Cases whose person was not found this time, with the day of the next attempt (a FIFO)."""
        self.noticed: DayQueue[tuple[float, int, Migrant, int]] = DayQueue()
        """Absconded police cases, the day a missed reporting duty reveals it, and which absconding it was."""
        self.detain_on: DayQueue[tuple[float, int, Migrant, Flight]] = DayQueue()
        """Jointly planned cases and the day, shortly before their flight, they are to be detained."""
        self._seq = count()
        self._credit = 0.0

    # --- entry points ----------------------------------------------------------
    def intake(self, m: Migrant, fields: frozenset[str], day: float) -> None:
        """A handover will reach the police on ``day`` with the given information fields."""
        self.intakes.push((day, next(self._seq), m, fields))

    def add_wanted(self, m: Migrant) -> None:
        """Put an absconded person on the wanted list."""
        m.wanted = True
        self.wanted.add(m)

    def notice_abscond(self, m: Migrant, t: float, reporting_days: float) -> None:
        """``m`` absconded from a police case: a missed reporting duty reveals it after a delay."""
        mean = self.country.params.police_absence_detection_days
        if reporting_days > 0:  # a resident with a reporting duty: missed within the reporting interval
            delay = self.stream.random() * reporting_days
        else:
            delay = self.stream.expovariate(1.0 / mean) if mean > 0 else 0.0
        self.noticed.push((t + delay, next(self._seq), m, m.times_absconded))

    def receive_located(self, m: Migrant, t: float) -> None:
        """An absconded person was found and apprehended: an open police case, detained if warranted."""
        self.country.events["located"] += 1
        m.contacted = True
        m.move(State.POLICE_CASE, t)
        self.enqueue(m)
        self.consider_detention(m, t)

    def consider_detention(self, m: Migrant, t: float) -> None:
        """Detain a person at risk of absconding while removal is in sight, unless planned jointly.

        In sight: documents in hand, or a document request pending at an
        authority that takes forced returns and usually answers within
        ``detention_document_wait_max_days`` (what the police know of it from
        experience). A jointly planned case is detained only when its flight
        is booked (:meth:`flight_booked`).
        """
        if m.joint_planned or m.state != State.POLICE_CASE or not self.at_risk(m):
            return
        country = self.country
        origin = self.model.third_countries[m.origin].origin
        answer_soon = (
            origin.forced_accept_factor > 0.0
            and origin.processing_days <= country.params.detention_document_wait_max_days
        )
        if m.documents or (m.document_pending and answer_soon):
            country.detention.request(m, t)

    def enqueue(self, m: Migrant) -> None:
        """Queue the case for its next casework step."""
        if not m.in_casework:
            m.in_casework = True
            self.casework.append(m)

    def documents_refused(self, m: Migrant, t: float) -> None:
        """Try again later, or mark the case unenforceable once the attempts are used."""
        p = self.country.params
        if m.document_requests < p.document_max_attempts:
            self.retries.append((t + p.document_retry_days, m))
        else:
            m.unenforceable = True
            if m.state == State.DETAINED:
                self.country.detention.release(m, t)

    def flight_booked(self, m: Migrant, t: float, flight: Flight) -> None:
        """``m`` has a seat on ``flight``: detain a person at risk of absconding.

        Without joint planning the police detain at booking; with it, the
        detention is planned ``detain_days_before_flight`` before the known
        departure, so fewer detention days are spent waiting for the flight.
        """
        if m.state != State.AWAITING_FLIGHT or not self.at_risk(m):
            return
        col = self.country.colocation
        day = flight.day - col.detain_days_before_flight if m.joint_planned else t
        if day <= t:
            self.country.detention.request(m, t)
        else:
            self.detain_on.push((day, next(self._seq), m, flight))

    # --- the working day --------------------------------------------------------
    def work_day(self, t: int) -> None:
        """Register today's handovers, then spend the day's capacity on casework and searches."""
        p = self.country.params
        for _, _, m, fields in self.intakes.due(t):
            self._register(m, fields, t)
        for _, _, m, times in self.noticed.due(t):
            if m.state == State.ABSCONDED and not m.wanted and m.times_absconded == times:
                self.add_wanted(m)
        for _, _, m, flight in self.detain_on.due(t):
            if m.state == State.AWAITING_FLIGHT and m.booked_on is flight:
                self.country.detention.request(m, t)
        for queue in (self.retries, self.contact_retries):
            while queue and queue[0][0] <= t:
                self.enqueue(queue.popleft()[1])
        self._credit += p.police_officers * p.police_actions_per_officer_day
        capacity = int(self._credit)
        self._credit -= capacity
        searches = min(len(self.wanted), round(capacity * p.police_search_share))
        used = self._casework(t, capacity - searches)
        searches = min(len(self.wanted), capacity - used)
        self._search(t, searches)
        self.country.costs["police"] += (used + searches) * p.cost_police_action

    def _register(self, m: Migrant, fields: frozenset[str], t: int) -> None:
        """The handed-over case arrives with its information package.

        On the absconded ground the person goes on the wanted list. A case handed
        over for coercion becomes a police case to work; if the person has
        absconded meanwhile, the police find out at their first contact attempt.
        """
        m.handover_day = t
        m.fields = fields
        self.country.events["handed_to_police"] += 1
        col = self.country.colocation
        m.joint_planned = col.joint_detention_planning and self.planning_stream.random() < col.days_per_week / 5.0
        if "identity_documents" not in fields and not m.has_id_document:
            # the police do not learn of documents or requests in the agency's file
            m.documents = False
            m.document_pending = False
            m.document_version += 1
        if m.state == State.RETURN_CASE:
            m.move(State.POLICE_CASE, t)
            self.enqueue(m)
        elif m.state == State.ABSCONDED:
            if m.handover_ground == "absconded":
                self.add_wanted(m)
            else:
                self.enqueue(m)

    def _casework(self, t: int, capacity: int) -> int:
        used = 0
        queue = self.casework
        while used < capacity and queue:
            m = queue.popleft()
            m.in_casework = False
            if m.state in (State.POLICE_CASE, State.DETAINED) or (m.state == State.ABSCONDED and not m.contacted):
                self._act(m, t)
                used += 1
        return used

    def _act(self, m: Migrant, t: int) -> None:
        """One casework step on a case the police hold."""
        country = self.country
        if not m.contacted:
            self._attempt_contact(m, t)
        elif not m.documents:
            can_request = m.document_requests < country.params.document_max_attempts
            if not m.document_pending and not m.unenforceable and can_request:
                self.model.third_countries[m.origin].request(m, country, forced=True, t=t)
                self.consider_detention(m, t)
        elif m.booked_on is None:
            if m.state == State.POLICE_CASE:
                m.move(State.AWAITING_FLIGHT, t)
            country.transport.enqueue(m)

    def _attempt_contact(self, m: Migrant, t: int) -> None:
        """Try to reach the person: an absent person is found gone; a present one may be missed this time."""
        m.contact_attempts += 1
        if m.state == State.ABSCONDED:
            self.add_wanted(m)
            return
        country = self.country
        if self.stream.random() < country.information.locate_probability(country.params.contact_probability, m):
            m.contacted = True
            self.enqueue(m)
        else:
            self.contact_retries.append((t + country.params.contact_retry_days, m))

    def at_risk(self, m: Migrant) -> bool:
        """Police judgement of absconding risk: history or stated unwillingness, never the vulnerable."""
        return not m.vulnerable and (m.ever_absconded or m.willingness < self.country.params.detention_risk_threshold)

    def _search(self, t: int, searches: int) -> None:
        base = self.country.params.locate_probability_per_search
        rng = self.stream
        for _ in range(searches):
            if not len(self.wanted):
                break
            m = self.wanted.pick(rng.random())
            if rng.random() < self.country.information.locate_probability(base, m):
                self.receive_located(m, t)
