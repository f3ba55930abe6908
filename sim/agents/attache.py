"""A migration attaché / return liaison officer posted in an origin country."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
from mesa.time import Schedule

if TYPE_CHECKING:
    from sim.agents.third_country import ThirdCountryAuthority
    from sim.country import CountrySystem
    from sim.model import ReturnModel


class Attache(mesa.Agent):
    """Spends a weekly time budget following up document requests at one authority.

    Every follow-up speeds that request up and adds to the relationship stock
    of the attaché's country with the authority, which decays each week; the
    stock raises the authority's acceptance probability. With
    ``attaches=national`` an attaché follows up only its own country's
    requests; in the ``nordic_network`` it takes any Nordic country's (its own
    first if ``own_cases_first``), and joint presence makes each follow-up
    count more ("stronger together").
    """

    def __init__(self, model: ReturnModel, country: CountrySystem, authority: ThirdCountryAuthority) -> None:
        """Post an attaché of ``country`` at ``authority`` and start the weekly routine."""
        super().__init__(model)
        self.country = country
        self.authority = authority
        self.pushes = 0
        self.network = model.params.attaches.mode == "nordic_network"
        authority.posted.add(country.code)
        served = model.countries if self.network else [country.code]
        for code in served:
            authority.follow_up_for(code)
        model.schedule_recurring(self.work_week, Schedule(interval=7, start=7))

    def work_week(self) -> None:
        """One week of follow-ups, then the relationship decays."""
        cfg = self.model.params.attaches
        code, authority, t = self.country.code, self.authority, self.model.time
        budget = int(self.country.params.attache_hours_per_week / cfg.hours_per_push)
        own_first = cfg.own_cases_first or not self.network
        done = authority.push(code, budget, cfg.speedup, t) if own_first else 0
        if self.network:
            others = [c for c in authority.by_country if not (own_first and c == code)]
            done += self._round_robin(others, budget - done, cfg.speedup, t)
        self.pushes += done
        gain = cfg.relationship_gain_per_push * done
        if self.network:
            gain *= 1.0 + cfg.joint_leverage * (len(authority.posted) - 1)
        rel = authority.relationship
        rel[code] = (rel[code] + gain) * (1.0 - cfg.relationship_decay_per_week)

    def _round_robin(self, codes: list[str], budget: int, speedup: float, t: float) -> int:
        """Follow up one request of each country in turn until the budget or the requests run out."""
        done = 0
        while done < budget:
            before = done
            for code in codes:
                done += self.authority.push(code, 1, speedup, t)
                if done >= budget:
                    break
            if done == before:
                break
        return done
