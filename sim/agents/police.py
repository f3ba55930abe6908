"""The police: taking over cases, locating absconded people, documents, detention, booking."""

from __future__ import annotations

import heapq
from collections import deque
from itertools import count
from typing import TYPE_CHECKING

import mesa

from sim.states import State

if TYPE_CHECKING:
    from sim.agents.migrant import Migrant
    from sim.country import CountrySystem
    from sim.model import ReturnModel


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

    Casework moves each police case one step per action: make contact (a
    coercion case whose whereabouts are unknown goes on the wanted list),
    request travel documents from the third-country authority (and, without
    joint planning, detain a person at risk of absconding while they wait),
    then book the removal with the transport service. Searches pick people on
    the wanted list at random; the chance of finding one rises with the
    information fields the migration agency passed.
    """

    def __init__(self, model: ReturnModel, country: CountrySystem) -> None:
        """Create the police unit of ``country`` with empty queues."""
        super().__init__(model)
        self.country = country
        self.stream = country.streams.py["police"]
        self.wanted = WantedList()
        self.casework: deque[Migrant] = deque()
        self.intakes: list[tuple[float, int, Migrant, frozenset[str]]] = []
        self.retries: deque[tuple[float, Migrant]] = deque()
        """Cases waiting to request documents again, with the day; a FIFO, since the wait is fixed."""
        self._seq = count()
        self._credit = 0.0

    # --- entry points ----------------------------------------------------------
    def intake(self, m: Migrant, fields: frozenset[str], day: float) -> None:
        """A handover will reach the police on ``day`` with the given information fields."""
        heapq.heappush(self.intakes, (day, next(self._seq), m, fields))

    def add_wanted(self, m: Migrant) -> None:
        """Put an absconded person on the wanted list."""
        m.wanted = True
        self.wanted.add(m)

    def receive_located(self, m: Migrant, t: float) -> None:
        """An absconded person was found: the case becomes an open police case."""
        self.country.events["located"] += 1
        m.contacted = True
        m.move(State.POLICE_CASE, t)
        self.enqueue(m)

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

    # --- the working day --------------------------------------------------------
    def work_day(self, t: int) -> None:
        """Register today's handovers, then spend the day's capacity on casework and searches."""
        p = self.country.params
        while self.intakes and self.intakes[0][0] <= t:
            _, _, m, fields = heapq.heappop(self.intakes)
            self._register(m, fields, t)
        while self.retries and self.retries[0][0] <= t:
            m = self.retries.popleft()[1]
            if m.state in (State.POLICE_CASE, State.DETAINED):
                self.enqueue(m)
        self._credit += p.police_officers * p.police_actions_per_officer_day
        capacity = int(self._credit)
        self._credit -= capacity
        searches = min(len(self.wanted), round(capacity * p.police_search_share))
        used = self._casework(t, capacity - searches)
        searches = min(len(self.wanted), capacity - used)
        self._search(t, searches)
        self.country.costs["police"] += (used + searches) * p.cost_police_action

    def _register(self, m: Migrant, fields: frozenset[str], t: int) -> None:
        """The handed-over case arrives: take it over as a police case or put the person on the wanted list."""
        m.handover_day = t
        m.fields = fields
        self.country.events["handed_to_police"] += 1
        m.joint_planned = self.stream.random() < self.country.colocation.days_per_week / 5.0
        if "identity_documents" not in fields and not m.has_id_document:
            # the police do not learn of documents or requests in the agency's file
            m.documents = False
            m.document_pending = False
            m.document_version += 1
        if m.state == State.RETURN_CASE:
            m.move(State.POLICE_CASE, t)
            self.enqueue(m)
        elif m.state == State.ABSCONDED:
            self.add_wanted(m)

    def _casework(self, t: int, capacity: int) -> int:
        used = 0
        queue = self.casework
        while used < capacity and queue:
            m = queue.popleft()
            m.in_casework = False
            if m.state in (State.POLICE_CASE, State.DETAINED):
                self._act(m, t)
                used += 1
        return used

    def _act(self, m: Migrant, t: int) -> None:
        """One casework step on an open police case."""
        country = self.country
        if not m.contacted:
            p_contact = country.locate_probability(country.params.contact_probability, m)
            if self.stream.random() < p_contact:
                m.contacted = True
                self.enqueue(m)
            else:
                m.ever_absconded = True
                m.times_absconded += 1
                m.move(State.ABSCONDED, t)
                self.add_wanted(m)
        elif not m.documents:
            can_request = m.document_requests < country.params.document_max_attempts
            if not m.document_pending and not m.unenforceable and can_request:
                self.model.third_countries[m.origin].request(m, country, forced=True, t=t)
                if not m.joint_planned and m.state == State.POLICE_CASE and self.at_risk(m):
                    country.detention.request(m, t)
        elif not m.booked:
            if m.state == State.POLICE_CASE:
                m.move(State.AWAITING_FLIGHT, t)
            country.transport.enqueue(m)

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
            if rng.random() < self.country.locate_probability(base, m):
                self.receive_located(m, t)
