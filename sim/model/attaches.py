"""Migration attachés and the third countries' authorities they work at, as Mesa agents.

A **third country's authority** (one per origin) identifies people and
issues or refuses travel documents. A request reaches it through the
requesting country's embassy there, a Nordic neighbour's
(``attaches.embassy_access=nordic``) or remotely, the last two adding
``representation_days`` or ``remote_request_days`` before the authority's own
exponential processing time; it is accepted with the origin's probability
(times ``forced_accept_factor`` for a forced return) plus the bonus of the
information fields passed, the cooperation the attachés' relationship buys
and the assisted return's. The requests of every origin are answered by one
kernel call a day (:func:`sim.model.documents.work_day`: they share one
stream of random numbers); an authority agent is the origin's view onto that
state (its relationships, what it has pending, whose embassy it hears).

An **attaché** (one per post: a country and an origin) spends
``attache_hours_per_week`` a week following requests up at its authority: a
followed-up request is answered sooner (the time left divided by ``speedup``)
and decided with the relationship of the attaché's country (their contacts
carried it); each follow-up adds to that relationship, which decays each
week. With ``attaches=national`` an attaché follows up only its own
country's requests. In the ``nordic_network`` the attachés posted at an
authority take the requests of every country that reaches them (all
countries with the common contact database, ``info_sharing=nordic``; else
those whose requests go through a posted country's embassy), their own first
if ``own_cases_first``, the others one request per country in turn, and each
follow-up builds more relationship where several countries are posted
(``joint_leverage``, "stronger together"). So a country without a post gains
only where a posted attaché takes its requests up; ``network_spillover`` (0
unless a user sets it) would add a share of the other countries'
relationships to every request. Attachés work in the order they were
posted: by country, then by post.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model import values as kp
from sim.model.documents import AuthorityState, follow_up
from sim.model.engine import EngineState
from sim.params.schema import ScenarioParams


class ThirdCountryAuthority(mesa.Agent):
    """An origin's authority: the document requests it has pending and the relationships attachés built there."""

    def __init__(
        self, model: mesa.Model, name: str, origin: int, codes: list[str], embassy: np.ndarray, state: AuthorityState
    ) -> None:
        """The authority of origin ``name`` (position ``origin`` in ``state``, every authority's kernel state).

        ``embassy`` is, per country of ``codes``, the position of the country
        whose embassy here takes its requests (-1: remotely; :func:`kp.embassies`).
        """
        super().__init__(model)
        self.name, self.origin, self.codes, self.state = name, origin, codes, state
        self._embassy = embassy

    def embassy_for(self, code: str) -> str | None:
        """Code of the country whose embassy here takes ``code``'s requests; None: none, they go remotely.

        Its own embassy; otherwise, with ``attaches.embassy_access=nordic``,
        that of a country in the run with an embassy here, one with an
        attaché posted here first (so its requests can be followed up), then
        in the order of the countries.
        """
        k = int(self._embassy[self.codes.index(code)])
        return self.codes[k] if k >= 0 else None

    @property
    def relationship(self) -> dict[str, float]:
        """Each country's relationship here, built by its attachés' follow-ups."""
        return dict(zip(self.codes, self.state.relationship[self.origin].tolist(), strict=True))

    @property
    def pending(self) -> int:
        """Requests sent here and not yet answered (those a follow-up brought forward counted once)."""
        return int(self.state.pending_size[self.origin])


class Attache(mesa.Agent):
    """An attaché of one country posted at one authority: a week's follow-ups, then the relationship decays."""

    def __init__(self, model: mesa.Model, code: str, c: int, authority: ThirdCountryAuthority) -> None:
        """Post an attaché of country ``code`` (position ``c``) at ``authority``."""
        super().__init__(model)
        self.code, self.c, self.authority = code, c, authority
        self.reached: list[int] = []
        """The countries (positions) whose requests this attaché takes, in the model's order."""
        self.posted_here = 1
        """How many countries have an attaché at this authority."""

    def work_week(self, s: ScenarioParams, e: EngineState, t: float) -> None:
        """One week of follow-ups with the values ``s`` in force; then this country's relationship here decays."""
        cfg = s.attaches
        a, origin, c = self.authority.state, self.authority.origin, self.c
        network = cfg.mode == "nordic_network"
        budget = int(s.nations[self.code].attache_hours_per_week / cfg.hours_per_push)
        own_first = cfg.own_cases_first or not network
        done = follow_up(a, e, origin, c, budget, cfg.speedup, t, c) if own_first else 0
        if network:
            others = [k for k in self.reached if not (own_first and k == c)]
            done += self._in_turn(a, e, others, budget - done, cfg.speedup, t)
        gain = cfg.relationship_gain_per_push * done
        if network:
            gain *= 1.0 + cfg.joint_leverage * (self.posted_here - 1)
        a.relationship[origin, c] = (a.relationship[origin, c] + gain) * (1.0 - cfg.relationship_decay_per_week)

    def _in_turn(
        self, a: AuthorityState, e: EngineState, countries: list[int], budget: int, sp: float, t: float
    ) -> int:
        """Follow up one request of each country in turn until the budget or the requests run out."""
        done, origin = 0, self.authority.origin
        while done < budget:
            before = done
            for k in countries:
                done += follow_up(a, e, origin, k, 1, sp, t, self.c)
                if done >= budget:
                    break
            if done == before:
                break
        return done


def authorities_and_attaches(
    model: mesa.Model, s: ScenarioParams, codes: list[str], a: AuthorityState
) -> tuple[dict[str, ThirdCountryAuthority], list[Attache]]:
    """Every origin's authority and every attaché posted by the countries ``codes``; mark whose requests they follow.

    In the ``nordic_network`` an attaché takes the requests of the countries
    that reach its authority (:class:`Attache`); nationally, its own.
    """
    embassy = kp.embassies(s, codes)
    authorities = {
        name: ThirdCountryAuthority(model, name, j, codes, embassy[:, j], a) for j, name in enumerate(s.origins)
    }
    origins = list(s.origins)
    attaches = [
        Attache(model, code, c, authorities[name])
        for c, code in enumerate(codes)
        for name in s.nations[code].attache_posts
    ]
    network = s.attaches.mode == "nordic_network"
    for attache in attaches:
        origin = origins.index(attache.authority.name)
        posted = {other.c for other in attaches if other.authority is attache.authority}
        attache.posted_here = len(posted)
        if not network:
            reached = [attache.c]
        elif s.info_sharing.mode == "nordic":
            reached = list(range(len(codes)))
        else:
            reached = [k for k in range(len(codes)) if embassy[k, origin] in posted]
        for k in reached:
            a.followed[origin, k] = True
        attache.reached = reached
    for attache in attaches:  # every attaché at an authority takes the requests any of them is reached by
        known = [k for other in attaches if other.authority is attache.authority for k in other.reached]
        attache.reached = list(dict.fromkeys(known))
    return authorities, attaches
