"""A third country's authority: identifies people and issues (or refuses) travel documents."""

from __future__ import annotations

from collections import defaultdict, deque
from itertools import count
from typing import TYPE_CHECKING

import mesa

from sim.model.day_queue import DayQueue
from sim.params.schema import Origin

if TYPE_CHECKING:
    from sim.model.agents.migrant import Migrant
    from sim.model.roles import Country, World


class DocumentRequest:
    """One identification and travel-document request, waiting at the authority."""

    __slots__ = ("migrant", "country", "forced", "ready", "version", "pushed_by")

    def __init__(self, migrant: Migrant, country: Country, forced: bool, ready: float) -> None:
        """A request for ``migrant`` by ``country``, to be answered on day ``ready``."""
        self.migrant = migrant
        self.country = country
        self.forced = forced
        self.ready = ready
        self.version = migrant.document_version
        self.pushed_by = ""
        """Code of the country whose attaché followed the request up (empty: nobody)."""


class ThirdCountryAuthority(mesa.Agent):
    """Processes document requests with its own delay and acceptance probability.

    Cooperation rises with reintegration funding and with the relationship
    attachés build (a stock per attaché's country that grows with follow-ups
    and decays without them). A request an attaché followed up is decided
    with that attaché's relationship (their contacts carried it) and sooner
    (the time left is divided by ``speedup``); any other request with the
    requesting country's own relationship. So in a Nordic network a country
    without a post gains only where a posted attaché takes up its requests.
    ``network_spillover`` (0 unless a user sets it) would add a share of the
    other countries' relationships to every request. A request reaches the
    authority through the requesting country's embassy here, a Nordic
    neighbour's (``attaches.embassy_access=nordic``) or remotely; the last two
    add ``representation_days`` or ``remote_request_days`` before the
    authority's own processing time.
    """

    def __init__(self, model: World, name: str, origin: Origin) -> None:
        """Create the authority of origin ``name`` from its archetype parameters."""
        super().__init__(model)
        self.name = name
        self.origin = origin
        self.stream = model.streams.py["third_country"]
        self.pending: DayQueue[tuple[float, int, DocumentRequest]] = DayQueue()
        self.by_country: dict[str, deque[DocumentRequest]] = {}
        """Pending requests, oldest first, of each country that has an attaché here to follow them up."""
        self.relationship: dict[str, float] = defaultdict(float)
        self.posted: set[str] = set()
        """Countries with an attaché posted here."""
        self._seq = count()

    def request(self, m: Migrant, country: Country, forced: bool, t: float) -> None:
        """File a document request for ``m``, answered after the channel's days and the authority's own time."""
        m.document_requests += 1
        m.document_pending = True
        processing = self.stream.expovariate(1.0 / self.origin.processing_days)
        ready = t + self._channel_days(country) + processing
        req = DocumentRequest(m, country, forced, ready)
        self.pending.push((ready, next(self._seq), req))
        followed = self.by_country.get(country.code)
        if followed is not None:
            followed.append(req)
        country.events["document_requests"] += 1

    def embassy_for(self, country_code: str) -> str | None:
        """Code of the country whose embassy here takes ``country_code``'s requests; None: none, sent remotely.

        Its own embassy if it has one; otherwise, with
        ``attaches.embassy_access=nordic``, that of a Nordic country in the
        model with an embassy here, one with an attaché posted here first
        (so the request can be followed up), then in the order of the
        countries.
        """
        nations = self.model.params.nations
        if self.name in nations[country_code].embassies:
            return country_code
        if self.model.params.attaches.embassy_access != "nordic":
            return None
        here = [code for code in self.model.countries if self.name in nations[code].embassies]
        posted = [code for code in here if self.name in nations[code].attache_posts]
        return next(iter(posted or here), None)

    def _channel_days(self, country: Country) -> float:
        """Days a request of ``country`` takes to reach the authority, by channel; counts the channel used."""
        embassy = self.embassy_for(country.code)
        if embassy == country.code:
            return 0.0
        if embassy is None:
            country.events["requests_remote"] += 1
            return self.model.params.attaches.remote_request_days
        country.events["requests_via_nordic_embassy"] += 1
        return self.model.params.attaches.representation_days

    def follow_up_for(self, country_code: str) -> None:
        """Requests of ``country_code`` will be followed up here: keep them in order for the attachés."""
        self.by_country.setdefault(country_code, deque())

    def push(self, country_code: str, n: int, speedup: float, t: float, pusher: str) -> int:
        """An attaché of ``pusher`` follows up the ``n`` oldest pending requests of a country; return how many."""
        queue = self.by_country[country_code]
        done = 0
        while queue and done < n:
            req = queue.popleft()
            if req.pushed_by or req.ready <= t or req.version != req.migrant.document_version:
                continue
            req.pushed_by = pusher
            req.country.events["requests_followed_up"] += 1
            req.ready = t + (req.ready - t) / speedup
            self.pending.push((req.ready, next(self._seq), req))
            done += 1
        return done

    def cooperation(self, country_code: str) -> float:
        """Extra acceptance probability a relationship of ``country_code`` (with any spillover) gives."""
        cfg = self.model.params.attaches
        r = self.relationship[country_code]
        if cfg.network_spillover > 0.0:
            r += cfg.network_spillover * sum(v for code, v in self.relationship.items() if code != country_code)
        return cfg.relationship_accept_effect * r / (1.0 + r)

    def work_day(self, t: int) -> None:
        """Answer every request whose processing time is over."""
        for ready, _, req in self.pending.due(t):
            m = req.migrant
            if ready != req.ready or req.version != m.document_version or not m.document_pending:
                continue  # superseded by a push, or withdrawn
            country = req.country
            p = self.origin.accept_probability
            if req.forced:
                p *= self.origin.forced_accept_factor
            if p > 0.0:
                p += country.information.document_bonus(m.fields)
                p += self.cooperation(req.pushed_by or country.code)
                p += country.avr.cooperation_bonus
            country.documents_decided(m, self.stream.random() < min(1.0, p), req.forced, t)
