"""The migration agency: return talks, document requests and handovers to the police."""

from __future__ import annotations

from collections import deque
from itertools import count
from typing import TYPE_CHECKING

import mesa

from sim.model.day_queue import DayQueue
from sim.model.states import State

if TYPE_CHECKING:
    from sim.model.agents.migrant import Migrant
    from sim.model.roles import Country, World


class MigrationAgency(mesa.Agent):
    """Case officers with a daily capacity of return talks and handovers.

    Handovers go first (a case that must go to the police should not wait
    behind routine talks); the rest of the day's capacity holds return talks
    in first-come order. A handover takes one unit of capacity and then an
    administrative delay before the police register the case; co-location
    shortens that delay and lowers the chance that a field of the
    information package is lost on the way.
    """

    def __init__(self, model: World, country: Country) -> None:
        """Create the agency of ``country`` with empty queues."""
        super().__init__(model)
        self.country = country
        self.stream = country.streams.py["agency"]
        self.talk_queue: deque[Migrant] = deque()
        self.next_talks: deque[tuple[float, Migrant]] = deque()
        """Cases waiting for a follow-up talk, with its day; a FIFO, since the interval is fixed."""
        self.noticed: DayQueue[tuple[float, int, Migrant]] = DayQueue()
        self.handovers: deque[tuple[Migrant, float, str]] = deque()
        self._packages: dict[tuple[str, ...], frozenset[str]] = {}
        """Each distinct information package once: tens of thousands of cases share a handful of them."""
        self._seq = count()
        self._credit = 0.0

    # --- entry points ----------------------------------------------------------
    def open_return_case(self, m: Migrant, t: float) -> None:
        """The voluntary period passed: the case joins the queue for a first return talk."""
        self.talk_queue.append(m)

    def notice_abscond(self, m: Migrant, t: float, reporting_days: float) -> None:
        """The agency finds out, after a reporting delay, that ``m`` has absconded."""
        mean = self.country.params.abscond_detection_days
        if reporting_days > 0:  # a resident with a reporting duty: missed within the reporting interval
            delay = self.stream.random() * reporting_days
        else:
            delay = self.stream.expovariate(1.0 / mean) if mean > 0 else 0.0
        self.noticed.push((t + delay, next(self._seq), m))

    # --- the working day --------------------------------------------------------
    def work_day(self, t: int) -> None:
        """Spend today's capacity: due handovers first, then return talks."""
        p = self.country.params
        self._credit += p.case_officers * p.talks_per_officer_day
        capacity = int(self._credit)
        self._credit -= capacity
        for _, _, m in self.noticed.due(t):
            if m.state == State.ABSCONDED and not m.handover_announced:
                m.handover_announced = True
                self.handovers.append((m, float(t), "absconded"))
        while self.next_talks and self.next_talks[0][0] <= t:
            m = self.next_talks.popleft()[1]
            if m.state == State.RETURN_CASE:
                self.talk_queue.append(m)
        used = 0
        while capacity > used and self.handovers:
            m, decided, ground = self.handovers.popleft()
            if m.state in (State.RETURN_CASE, State.ABSCONDED):
                self._hand_over(m, decided, ground, t)
                used += 1
        while capacity > used and self.talk_queue:
            m = self.talk_queue.popleft()
            if m.state == State.RETURN_CASE and not m.handover_announced:
                self._talk(m, t)
                used += 1
        self.country.costs["talks"] += used * p.cost_talk

    def _talk(self, m: Migrant, t: int) -> None:
        """A return talk: offer AVR, request documents, and decide whether to hand over."""
        p, avr, rng = self.country.params, self.country.avr, self.stream
        m.talks += 1
        first = m.talks == 1
        if first and avr.mode != "none":
            m.avr_offered = True
            m.avr_takes = rng.random() < avr.uptake
        if not m.documents and not m.document_pending:
            self.model.third_countries[m.origin].request(m, self.country, forced=False, t=t)
        refuses = rng.random() < p.refusal_handover_probability * min(1.0, 1.0 / m.willingness)
        if m.talks >= p.talks_before_handover or refuses:
            m.handover_announced = True
            self.handovers.append((m, float(t), "coercion"))
        else:
            self.next_talks.append((t + p.talk_interval_days, m))
        if first or m.handover_announced:
            m.reschedule(t)  # hazards changed: talk effect and AVR, or enforcement announced

    def _hand_over(self, m: Migrant, decided: float, ground: str, t: int) -> None:
        """Send the case and its information package to the police, after the admin delay.

        The ground is the one the agency decided on: a person who absconds after a
        handover for coercion was decided goes over on that ground, the agency not
        having noticed the absence yet.
        """
        col, rng = self.country.colocation, self.stream
        m.handover_ground = ground
        m.handover_decided_day = decided
        kept = tuple(f for f in self.country.info_sharing.fields if rng.random() >= col.field_loss_probability)
        fields = self._packages.get(kept)
        if fields is None:
            fields = self._packages[kept] = frozenset(kept)
        delay = rng.expovariate(1.0 / col.handover_admin_days) if col.handover_admin_days > 0 else 0.0
        self.country.police.intake(m, fields, t + delay)
