"""Random numbers: named sub-streams derived from one seed, and each case's own draws from a counter.

Every stochastic part of the model draws from its own stream, spawned from
the scenario seed by a fixed key, so that two scenarios with the same seed
share the random numbers of the parts a lever does not touch (common random
numbers), and a run is reproducible in any process. A country's streams are
keyed by its code, so Sweden draws the same arrivals alone or with its
neighbours.

A case's hazard draws must be its own too (a lever that leaves a person's
path unchanged leaves their timing unchanged). Storing them costs a block of
floats per open case; here the ``k``-th uniform of a case is a pure function
of the case's seed and ``k``, so a case keeps only its seed (8 bytes) and how
many it has used (a counter). The seed of a case is derived from its
stream's key and the case's sequence number in that stream (the order in
which the stream opened its cases), not from the global case number, so that
a country's cases keep their numbers whichever other countries take part.

The generator is SplitMix64 (Steele, Lea and Flood, "Fast splittable
pseudorandom number generators", OOPSLA 2014) with Stafford's "variant 13"
finaliser, as in Java's ``SplittableRandom``: each case is a SplitMix64
stream whose starting state is the finalised mix of the stream key and the
sequence number. It passes BigCrush per stream; the tests check uniformity,
independence across draws and across neighbouring cases. Compiled with
numba, so kernels draw without calling back into Python; the functions are
callable from Python too.
"""

from __future__ import annotations

import math
import random
import zlib

import numba as nb
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
    "other_removals",
)
"""Purposes drawn per country: new decisions and their traits; secondary movement; each agency's
chance decisions; each case's own random numbers for its hazards, so that a lever that
leaves a person's path unchanged leaves their timing unchanged too; and whether a handed-over
case is planned jointly (co-location), kept apart so that switching joint planning on or off
leaves the police's other draws unchanged; which open cases move into a centre a timeline opens;
the traits and own random numbers of the cases that came by the North African route; and (compiled
engine) the own random numbers of the cases opened for people who came from another Nordic country, and
of those who came by the route; the other removals that share detention places and escorts.
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


GOLDEN = np.uint64(0x9E3779B97F4A7C15)
"""The SplitMix64 increment (2^64 divided by the golden ratio, odd)."""
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 1.0 / 9007199254740992.0
"""2^-53: a 53-bit integer times this is a float in [0, 1) with every bit random."""


@nb.njit(cache=True, inline="always")
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64's finaliser: a bijection of 64-bit integers that spreads every input bit."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@nb.njit(cache=True)
def case_seed(stream_key: np.uint64, sequence: int) -> np.uint64:
    """The seed of the ``sequence``-th case (from 0) that the stream with ``stream_key`` opened."""
    return mix64(np.uint64(stream_key) ^ mix64(np.uint64(sequence) * GOLDEN + GOLDEN))


@nb.njit(cache=True)
def case_uniform(seed: np.uint64, k: int) -> float:
    """The ``k``-th uniform number in [0, 1) (from 0) of the case with ``seed``."""
    z = mix64(np.uint64(seed) + np.uint64(k + 1) * GOLDEN)
    return float(z >> _S11) * _UNIT


@nb.njit(cache=True, inline="always")
def next_uniform(keys: np.ndarray, draws: np.ndarray, i: int) -> float:
    """The next uniform of stream ``i`` (an agency's in one country): its key, and its counter moved on by one.

    Agencies draw from counter-based streams too, so that a kernel draws
    without calling back into Python.
    """
    k = draws[i]
    draws[i] = k + 1
    return case_uniform(keys[i], k)


@nb.njit(cache=True, inline="always")
def noticed_after(u: float, reporting_days: float, mean_days: float) -> float:
    """Days until an absence is noticed, from one uniform ``u``.

    Within the reporting interval (uniformly) for a person with a reporting
    duty, else after an exponential delay with the given mean (at once when
    the mean is 0).
    """
    if reporting_days > 0.0:
        return u * reporting_days
    return -math.log(1.0 - u) * mean_days if mean_days > 0.0 else 0.0


def stream_key(sequence: np.random.SeedSequence) -> np.uint64:
    """The 64-bit key of a named random stream (:mod:`sim.model.streams`) for its cases' seeds."""
    return np.uint64(sequence.generate_state(1, dtype=np.uint64)[0])
