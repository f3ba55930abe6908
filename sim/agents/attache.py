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
    with the authority, which decays each week; the stock raises the
    authority's acceptance probability for this attaché's country.
    """

    def __init__(self, model: ReturnModel, country: CountrySystem, authority: ThirdCountryAuthority) -> None:
        """Post an attaché of ``country`` at ``authority`` and start the weekly routine."""
        super().__init__(model)
        self.country = country
        self.authority = authority
        self.pushes = 0
        authority.follow_up_for(country.code)
        model.schedule_recurring(self.work_week, Schedule(interval=7, start=7))

    def work_week(self) -> None:
        """One week of follow-ups, then the relationship decays."""
        cfg = self.model.params.attache
        budget = int(self.country.params.attache_hours_per_week / cfg.hours_per_push)
        done = self.authority.push(self.country.code, budget, cfg.speedup, self.model.time)
        self.pushes += done
        rel = self.authority.relationship
        code = self.country.code
        rel[code] = (rel[code] + cfg.relationship_gain_per_push * done) * (1.0 - cfg.relationship_decay_per_week)
