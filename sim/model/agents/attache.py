"""A migration attaché / return liaison officer posted in an origin country."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
from mesa.time import Schedule

if TYPE_CHECKING:
    from sim.model.agents.third_country import ThirdCountryAuthority
    from sim.model.roles import Country, World


class Attache(mesa.Agent):
    """Spends a weekly time budget following up document requests at one authority.

    Every follow-up speeds that request up, lets the attaché's own contacts
    carry it (the authority decides it with the relationship of the
    attaché's country), and adds to that relationship, which decays each
    week. With ``attaches=national`` an attaché follows up only its own
    country's requests. In the ``nordic_network`` the attachés posted at an
    authority take each other's requests (own first if ``own_cases_first``),
    and joint presence makes each follow-up build more relationship
    ("stronger together", ``joint_leverage``). Which other requests reach a
    posted attaché depends on whom the requesting country knows to ask: only
    countries posted there, or, with a common Nordic contact database
    (``info_sharing=nordic``, the policy brief's recommendation), every Nordic
    country in the model. With ``attaches.embassy_access=nordic``, the requests
    a posted country's embassy takes for a neighbour without an embassy there
    reach its attaché too.
    """

    def __init__(self, model: World, country: Country, authority: ThirdCountryAuthority) -> None:
        """Post an attaché of ``country`` at ``authority`` and start the weekly routine."""
        super().__init__(model)
        self.country = country
        self.authority = authority
        self.network = model.params.attaches.mode == "nordic_network"
        authority.posted.add(country.code)
        for code in self.reached(model, authority.name) if self.network else [country.code]:
            authority.follow_up_for(code)
        model.schedule_recurring(self.work_week, Schedule(interval=7, start=7))

    @staticmethod
    def reached(model: World, origin: str) -> list[str]:
        """Countries whose requests reach the Nordic network at ``origin``.

        All of them with the common contact database; else those whose
        requests go through the embassy of a country posted there: its own,
        or that of a neighbour standing in for it (``embassy_access=nordic``).
        """
        if model.params.info_sharing.mode == "nordic":
            return list(model.countries)
        posted = [code for code in model.countries if origin in model.params.nations[code].attache_posts]
        authority = model.third_countries[origin]
        return [code for code in model.countries if authority.embassy_for(code) in posted]

    def work_week(self) -> None:
        """One week of follow-ups, then the relationship decays."""
        cfg = self.model.params.attaches
        code, authority, t = self.country.code, self.authority, self.model.time
        budget = int(self.country.params.attache_hours_per_week / cfg.hours_per_push)
        own_first = cfg.own_cases_first or not self.network
        done = authority.push(code, budget, cfg.speedup, t, code) if own_first else 0
        if self.network:
            others = [c for c in authority.by_country if not (own_first and c == code)]
            done += self._round_robin(others, budget - done, cfg.speedup, t)
        gain = cfg.relationship_gain_per_push * done
        if self.network:
            gain *= 1.0 + cfg.joint_leverage * (len(authority.posted) - 1)
        rel = authority.relationship
        rel[code] = (rel[code] + gain) * (1.0 - cfg.relationship_decay_per_week)

    def _round_robin(self, codes: list[str], budget: int, speedup: float, t: float) -> int:
        """Follow up one request of each country in turn until the budget or the requests run out."""
        done = 0
        pusher = self.country.code
        while done < budget:
            before = done
            for code in codes:
                done += self.authority.push(code, 1, speedup, t, pusher)
                if done >= budget:
                    break
            if done == before:
                break
        return done
