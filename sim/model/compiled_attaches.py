"""The attachés' weekly follow-ups on the compiled kernels, posted nationally or as a Nordic network.

The counterpart of :class:`sim.model.agents.attache.Attache` (which documents
the mechanism). Each attaché spends ``attache_hours_per_week`` on follow-ups
at its authority (:func:`sim.model.documents_kernel.follow_up`), then the
relationship of its country there grows with what it did and decays. With
``attaches=national`` an attaché follows up its own country's requests. In
the ``nordic_network`` the attachés at an authority take the requests of
every country that reaches them (all countries with ``info_sharing=nordic``,
else those whose requests go through a posted country's embassy), their own
first if ``own_cases_first``, the others one request per country in turn;
each follow-up builds more relationship where several countries are posted
(``joint_leverage``). Attachés work in the order they were posted: by
country, then by post.
"""

from __future__ import annotations

from sim.model import kernel_params as kp
from sim.model.documents_kernel import AuthorityState, follow_up
from sim.model.engine import EngineState
from sim.params.schema import ScenarioParams


class Attaches:
    """Every attaché posted by the countries of a compiled run, and whose requests each one takes."""

    def __init__(self, s: ScenarioParams, codes: list[str], authorities: AuthorityState) -> None:
        """Post the attachés of ``codes`` (positions as the engine's) and mark the requests they follow up."""
        self.codes = codes
        origins = list(s.origins)
        self.network = s.attaches.mode == "nordic_network"
        self.posts = [(origins.index(o), c) for c, code in enumerate(codes) for o in s.nations[code].attache_posts]
        """``(origin, country)`` of every attaché, in the order they work."""
        embassy = kp.embassies(s, codes)
        self.reached: dict[int, list[int]] = {}
        """Per origin with an attaché, the countries whose requests the attachés there take, in the model's order."""
        for origin, c in self.posts:
            if not self.network:
                reached = [c]
            elif s.info_sharing.mode == "nordic":
                reached = list(range(len(codes)))
            else:
                posted = {k for o, k in self.posts if o == origin}
                reached = [k for k in range(len(codes)) if embassy[k, origin] in posted]
            known = self.reached.setdefault(origin, [])
            known.extend(k for k in reached if k not in known)
            for k in reached:
                authorities.followed[origin, k] = True
        self.posted = {origin: len({k for o, k in self.posts if o == origin}) for origin, _ in self.posts}
        """Per origin, how many countries have an attaché there."""

    def week(self, s: ScenarioParams, a: AuthorityState, e: EngineState, t: float) -> None:
        """Each attaché's week of follow-ups at its authority with the values ``s``; then its relationship decays."""
        cfg = s.attaches
        relationship = a.relationship
        own_first = cfg.own_cases_first or not self.network
        for origin, c in self.posts:
            budget = int(s.nations[self.codes[c]].attache_hours_per_week / cfg.hours_per_push)
            done = follow_up(a, e, origin, c, budget, cfg.speedup, t, c) if own_first else 0
            if self.network:
                others = [k for k in self.reached[origin] if not (own_first and k == c)]
                done += self._in_turn(a, e, origin, others, budget - done, cfg.speedup, t, c)
            gain = cfg.relationship_gain_per_push * done
            if self.network:
                gain *= 1.0 + cfg.joint_leverage * (self.posted[origin] - 1)
            relationship[origin, c] = (relationship[origin, c] + gain) * (1.0 - cfg.relationship_decay_per_week)

    @staticmethod
    def _in_turn(
        a: AuthorityState,
        e: EngineState,
        origin: int,
        countries: list[int],
        budget: int,
        speedup: float,
        t: float,
        pusher: int,
    ) -> int:
        """Follow up one request of each country in turn until the budget or the requests run out."""
        done = 0
        while done < budget:
            before = done
            for k in countries:
                done += follow_up(a, e, origin, k, 1, speedup, t, pusher)
                if done >= budget:
                    break
            if done == before:
                break
        return done
