"""Approximate Bayesian computation of a simulator's free parameters, with pyabc's ABC-SMC.

pyabc does the inference (sequential Monte Carlo over populations of
particles, adaptive acceptance thresholds, perturbation kernels, its SQLite
history); this module only adapts it: a uniform prior over each parameter's
range in search coordinates (log10 for a log range), a distance in units of
each target's tolerance, and a sampler whose particles do not depend on how
the work is spread over processes.

Reproducibility: pyabc's own parallel samplers reseed every worker from the
operating system, so a run cannot be repeated. :class:`SeededMappingSampler`
is pyabc's :class:`~pyabc.sampler.MappingSampler` with one change: the i-th
particle of generation t draws from a random state seeded by ``(seed, t, i)``.
The same config and seed therefore give the same posterior with one worker or
many.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
from pyabc.sampler import MappingSampler
from tqdm import tqdm

from sim.params.ranges import Range

PARTICLE_SEED_BITS = 32
"""Random states of particles are seeded with 32-bit integers (numpy's legacy ``seed``)."""


@dataclass
class Schedule:
    """When ABC-SMC stops: whichever limit is reached first ends it after a whole generation."""

    population_size: int
    max_populations: int
    min_epsilon: float
    """Stop once the acceptance threshold (distance in tolerance units) is at or below this."""
    epsilon_quantile: float
    """Each generation's threshold: this quantile of the previous generation's distances."""
    max_walltime_minutes: float
    max_simulations: int
    kernel_scaling: float
    """pyabc's perturbation kernel: the particles' covariance times Silverman's factor times this. Kernels
    broader than the rule's keep the weights even when there are few particles per dimension."""


@dataclass
class Posterior:
    """What ABC-SMC leaves: the last generation's particles and a line per generation."""

    particles: pd.DataFrame
    """One row per particle: each parameter's config value, its ``weight`` (sum 1) and ``distance``."""
    generations: pd.DataFrame
    """One row per generation: threshold ``epsilon``, ``particles``, ``simulations``, ``acceptance_rate`` and
    ``effective_sample_size`` (1 / Σ w², of ``particles``: far below it, a few particles carry the weight)."""
    simulations: int
    """Every simulation, including pyabc's first sample from the prior that sets the first threshold
    (not a generation, so not in ``generations``)."""


class SeededMappingSampler(MappingSampler):
    """pyabc's MappingSampler with the i-th particle of generation t seeded by ``(seed, t, i)``.

    Each mapped task samples until one particle is accepted, as in the parent
    class; the tasks' random states come from the seed rather than the
    operating system, so results do not depend on the map (serial or a
    process pool) or on the order in which workers finish.
    """

    def __init__(self, map_: Callable, seed: int) -> None:
        super().__init__(map_=map_)
        self.seed = seed

    def __getstate__(self):  # noqa: ANN204 - pyabc's pickling protocol
        return (*super().__getstate__(), self.seed)

    def __setstate__(self, state) -> None:  # noqa: ANN001
        super().__setstate__(state[:-1])
        self.seed = state[-1]

    def map_function(self, simulate_one, task_seed):  # noqa: ANN001, ANN201 - the parent's signature
        """Sample until one particle is accepted, from a random state seeded by ``task_seed``."""
        np.random.seed(task_seed)
        random.seed(task_seed)
        simulate_one = self.unpickle(simulate_one)
        simulations = 0
        sample = self._create_empty_sample()
        while True:
            particle = simulate_one()
            simulations += 1
            sample.append(particle)
            if particle.accepted:
                return sample, simulations

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None):  # noqa: ANN001, ANN201, ARG002
        """``n`` accepted particles of generation ``t``, task i seeded by ``(seed, t, i)``."""
        generation = np.random.SeedSequence(
            [self.seed, t + 1]
        )  # t = -1 is the prior sample that sets the first epsilon
        seeds = [int(s) for s in generation.generate_state(n, dtype=np.uint32)]
        tasks = self.map_(functools.partial(self.map_function, self.pickle(simulate_one)), seeds)
        step = f"generation {t + 1}" if t >= 0 else "prior sample"  # as calibration.md numbers them
        results = list(tqdm(tasks, total=n, desc=f"ABC {step}", unit="particle", disable=None, leave=False))
        self.nr_evaluations_ = sum(count for _, count in results)
        sample = self._create_empty_sample()
        for result, _ in results:
            sample += result
        return sample


def prior(ranges: Mapping[str, Range]) -> tuple[pyabc.Distribution, dict[str, str]]:
    """A uniform prior over each range in search coordinates, and the pyabc name of each config key.

    pyabc stores parameter names as database columns, so config keys
    (``behaviour.return_case_abscond``) become ``p0``, ``p1``, ...
    """
    names = {key: f"p{i}" for i, key in enumerate(ranges)}
    rvs = {names[k]: pyabc.RV("uniform", r.bounds[0], r.bounds[1] - r.bounds[0]) for k, r in ranges.items()}
    return pyabc.Distribution(**rvs), names


def run_abc(
    simulate: Callable[[dict[str, float]], dict[str, float]],
    observed: Mapping[str, float],
    tolerances: Mapping[str, float],
    ranges: Mapping[str, Range],
    schedule: Schedule,
    map_: Callable,
    seed: int,
    database: Path,
) -> Posterior:
    """Run ABC-SMC and return the last generation in config units.

    ``simulate`` maps config values (``{key: value}``) to the simulated
    targets; the distance is the Euclidean norm of (simulated − observed) /
    tolerance over the targets.
    """
    distribution, names = prior(ranges)
    keys = {name: key for key, name in names.items()}

    abc = pyabc.ABCSMC(
        functools.partial(_simulate_search_point, simulate, tuple(ranges.items()), tuple(keys.items())),
        distribution,
        pyabc.PNormDistance(p=2, fixed_weights={k: 1.0 / tolerances[k] for k in observed}),
        population_size=schedule.population_size,
        eps=pyabc.QuantileEpsilon(alpha=schedule.epsilon_quantile),
        sampler=SeededMappingSampler(map_, seed),
        transitions=pyabc.MultivariateNormalTransition(scaling=schedule.kernel_scaling),
    )
    logger = logging.getLogger("ABC")  # pyabc reports each generation (threshold, acceptance) on its own handler
    logger.setLevel(logging.INFO)
    logger.propagate = False
    abc.new(f"sqlite:///{database}", dict(observed))
    history = abc.run(
        minimum_epsilon=schedule.min_epsilon,
        max_nr_populations=schedule.max_populations,
        max_walltime=timedelta(minutes=schedule.max_walltime_minutes),
        max_total_nr_simulations=schedule.max_simulations,
    )
    population = history.get_population(t=history.max_t)
    weights = np.array([particle.weight for particle in population.particles])
    particles = pd.DataFrame(
        [
            {key: ranges[key].from_unit(float(p.parameter[name])) for name, key in keys.items()}
            for p in population.particles
        ]
    ).assign(weight=weights / weights.sum(), distance=[p.distance for p in population.particles])
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    generations = pd.DataFrame(
        {
            "generation": populations["t"].to_numpy(),
            "epsilon": populations["epsilon"].to_numpy(),
            "particles": populations["particles"].to_numpy(),
            "simulations": populations["samples"].to_numpy(),
        }
    ).assign(
        acceptance_rate=lambda g: g["particles"] / g["simulations"],
        effective_sample_size=[_ess(history.get_distribution(m=0, t=int(t))[1]) for t in populations["t"]],
    )
    return Posterior(particles, generations, int(history.total_nr_simulations))


def _ess(weights: np.ndarray) -> float:
    w = weights / weights.sum()
    return float(1.0 / np.sum(w**2))


def _simulate_search_point(
    simulate: Callable[[dict[str, float]], dict[str, float]],
    ranges: tuple[tuple[str, Range], ...],
    keys: tuple[tuple[str, str], ...],
    point: dict[str, float],
) -> dict[str, float]:
    """The model pyabc calls: a point in search coordinates (pyabc names) → the simulated targets."""
    ranges_by_key = dict(ranges)
    return simulate({key: ranges_by_key[key].from_unit(float(point[name])) for name, key in keys})
