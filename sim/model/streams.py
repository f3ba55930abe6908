"""Named random sub-streams derived from one seed.

Every stochastic part of the model draws from its own stream, spawned from
the scenario seed by a fixed key, so that two scenarios with the same seed
share the random numbers of the parts a lever does not touch (common random
numbers), and a run is reproducible in any process. A country's streams are
keyed by its code, so Sweden draws the same arrivals alone or with its
neighbours.
"""

from __future__ import annotations

import random
import zlib

import numpy as np

SHARED = ("mesa", "third_country", "flights", "charter_planning", "transit")
"""Purposes drawn model-wide: Mesa's own generator, third-country document decisions, other
member states' charter operations, whether a charter is planned jointly (co-location), and the
North African transit route's flows. New purposes go at the end: a purpose's stream is keyed by its position."""
PER_COUNTRY = (
    "arrivals",
    "movers",
    "agency",
    "police",
    "transport",
    "cases",
    "detention_planning",
    "rehousing",
    "route",
    "mover_cases",
    "route_cases",
)
"""Purposes drawn per country: new decisions and their traits; secondary movement; each agency's
chance decisions; each case's own random numbers for its hazards, so that a lever that
leaves a person's path unchanged leaves their timing unchanged too; and whether a handed-over
case is planned jointly (co-location), kept apart so that switching joint planning on or off
leaves the police's other draws unchanged; which open cases move into a centre a timeline opens;
the traits and own random numbers of the cases that came by the North African route; and (compiled
engine) the own random numbers of the cases opened for people who came from another Nordic country, and
of those who came by the route.
New purposes go at the end: a purpose's stream is keyed by its position."""


class StreamSet:
    """One numpy Generator and one fast scalar ``random.Random`` per purpose."""

    def __init__(self, seed: int, key: tuple[int, ...], purposes: tuple[str, ...]) -> None:
        self.np: dict[str, np.random.Generator] = {}
        self.py: dict[str, random.Random] = {}
        self.sequences: dict[str, np.random.SeedSequence] = {}
        """Each purpose's seed sequence (the compiled engine keys its counter-based streams by it)."""
        for i, purpose in enumerate(purposes):
            seq = np.random.SeedSequence(entropy=seed, spawn_key=(*key, i))
            self.sequences[purpose] = seq
            self.np[purpose] = np.random.default_rng(seq)
            self.py[purpose] = random.Random(int(seq.generate_state(2, dtype=np.uint64)[0]))


class Streams(StreamSet):
    """The model-wide streams of one replication, and each country's own."""

    def __init__(self, seed: int, replication: int = 0) -> None:
        super().__init__(seed, (replication,), SHARED)
        self.seed = seed
        self.replication = replication
        self.mesa_seed = int(self.np["mesa"].integers(2**31))
        """Seed of Mesa's own ``model.rng`` and ``model.random`` (agent-set shuffles)."""

    def for_country(self, code: str) -> StreamSet:
        """The streams of country ``code``: the same whichever other countries take part."""
        return StreamSet(self.seed, (self.replication, 1 + zlib.crc32(code.encode())), PER_COUNTRY)
