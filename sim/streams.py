"""Named random sub-streams derived from one seed.

Every stochastic part of the model draws from its own stream, spawned from
the scenario seed by a fixed key, so that two scenarios with the same seed
share the random numbers of the parts a lever does not touch (common random
numbers), and a run is reproducible in any process.
"""

from __future__ import annotations

import random

import numpy as np

PURPOSES = ("mesa", "arrivals", "behaviour", "agency", "police", "transport", "third_country", "attache")


class Streams:
    """One numpy Generator and one fast scalar ``random.Random`` per purpose."""

    def __init__(self, seed: int, replication: int = 0) -> None:
        self.seed = seed
        self.replication = replication
        self.np: dict[str, np.random.Generator] = {}
        self.py: dict[str, random.Random] = {}
        for i, purpose in enumerate(PURPOSES):
            seq = np.random.SeedSequence(entropy=seed, spawn_key=(replication, i))
            self.np[purpose] = np.random.default_rng(seq)
            self.py[purpose] = random.Random(int(seq.generate_state(2, dtype=np.uint64)[0]))
        self.mesa_seed = int(self.np["mesa"].integers(2**31))
        """Seed of Mesa's own ``model.rng`` and ``model.random`` (agent-set shuffles)."""
