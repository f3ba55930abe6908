"""Secondary movement: people who absconded in one Nordic country of the run and turn up in another.

A person who absconded and leaves for another Nordic country (the day's
kernel closes the case as ``moved_nordic`` and hands the person over) goes
to one of the other countries in the model, drawn by their
``secondary_movement_weight`` from the leaving country's ``movers`` stream
(none: the person leaves the model). With ``info_sharing=nordic`` the
receiving country matches the earlier decision and the case continues
there, absconded (:func:`sim.model.moves.open_case_for`). Otherwise, from
the receiving country's ``movers`` stream, the person applies again with
chance ``unmatched_new_case_share`` and gets a new decision
``new_decision_days`` later, which takes a centre place at the country's
``return_centre_share`` while places last; or stays hidden, lost to the
statistics. People move a few times a day at most, so this is Python
calling one kernel per person.
"""

from __future__ import annotations

import heapq

import numba as nb

from sim.model.engine import EngineState
from sim.model.moves import open_case_for
from sim.model.results import Tally
from sim.model.streams import StreamSet
from sim.params.schema import ScenarioParams

MOVER_CASES = 1
"""The engine's stream column of the case seeds of people who came from another Nordic country."""


@nb.njit(cache=True)
def moved_to(e: EngineState, row: int, country: int) -> None:
    """The closed case in ``row`` records the country its person went to (its code: position + 1, 0 nowhere)."""
    e.history[row].moved_to = country + 1


class SecondaryMovement:
    """Where people who leave for another Nordic country go, and the cases they get there."""

    def __init__(self, s: ScenarioParams, codes: list[str], streams: list[StreamSet]) -> None:
        """Movement between the countries ``codes`` (positions as the engine's), with each one's ``streams``."""
        self.s = s
        """The values in force (a timeline may change them: :meth:`sim.model.model.ReturnModel.apply`)."""
        self.codes = codes
        self.rngs = [st.py["movers"] for st in streams]
        self.new_decisions: list[list[tuple[float, int]]] = [[] for _ in codes]
        """Per country, a heap of ``(decision day, earlier case's row)`` of people who applied again there."""
        self.events = [Tally() for _ in codes]
        """Per country, the people it received: matched, given a new case, lost."""

    def leave(self, e: EngineState, row: int, c: int, t: float) -> None:
        """The person of the case in ``row`` (closed in country ``c`` as ``moved_nordic`` at ``t``) goes elsewhere."""
        others = [d for d in range(len(self.codes)) if d != c]
        weights = [self.s.nations[self.codes[d]].secondary_movement_weight for d in others]
        if sum(weights) <= 0:
            return  # no other country in the model, or none anyone goes to: the person leaves the model
        d = self.rngs[c].choices(others, weights)[0]
        moved_to(e, row, d)
        events, rng = self.events[d], self.rngs[d]
        if self.s.info_sharing.mode == "nordic":
            open_case_for(e, row, d, MOVER_CASES, t, True, False)
            events["movers_matched"] += 1
        elif rng.random() < self.s.behaviour.unmatched_new_case_share:
            heapq.heappush(self.new_decisions[d], (t + self.s.behaviour.new_decision_days, row))
            events["movers_new_case"] += 1
        else:
            events["movers_lost"] += 1

    def decide(self, e: EngineState, c: int, t: int) -> None:
        """Country ``c``'s new decisions due by day ``t`` for people who came unmatched: a new case each."""
        due = self.new_decisions[c]
        share = self.s.nations[self.codes[c]].return_centre_share
        while due and due[0][0] <= t:
            day, row = heapq.heappop(due)
            wants_centre = self.rngs[c].random() < share
            open_case_for(e, row, c, MOVER_CASES, day, False, wants_centre)
