"""``returnsim-sensitivity``: global sensitivity of the main outcomes (SALib Morris screening or Sobol indices).

Every sampled point runs the same replication seeds (common random numbers);
indices are computed on the points' means, and the replications' spread gives
the share of each outcome's variance that is stochastic noise rather than
parameters. ``model=ishigami`` runs the Ishigami function (known Sobol indices)
through the same sampling, evaluation and analysis, as a check of the pipeline.
Config: ``configs/sensitivity.yaml``.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from omegaconf import DictConfig
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from tqdm import tqdm

from sim.outputs.files import versions, write_json, write_table, write_text
from sim.params import assumptions as lever_assumptions
from sim.params.checks import ConfigError
from sim.params.compose import CONFIG_DIR, compose, to_params
from sim.params.entry import guarded
from sim.params.ranges import Range
from sim.params.scaling import scale_country
from sim.runs.runner import run_replication
from sim.studies.factors import AssumptionFactor, Factor, PosteriorFactor, RangeFactor, values_at
from sim.studies.sensitivity_config import SensitivityConfig, validate
from sim.studies.study import check_no_posterior_draw, check_simulations, run_study, with_values, worker_map

ISHIGAMI = {"a": 7.0, "b": 0.1}
"""The Ishigami function's usual constants: analytic Sobol indices are known for them."""


@dataclass
class ReturnsimPoint:
    """The model's outcomes at one point, one row per replication (picklable, for worker processes).

    With two models (the scenario, then the lever's scenario) the outcome is the lever's effect: the
    difference between them on the same replication seeds (common random numbers), each factor at
    the same coordinate in both.
    """

    models: list[DictConfig]
    factors: list[Factor]
    outcomes: list[str]
    replications: int

    def __call__(self, coordinates: np.ndarray) -> np.ndarray:
        """Outcomes (or effects) at a point's sampler coordinates: one row per replication."""
        runs = [self._outcomes(model, coordinates) for model in self.models]
        return runs[-1] - runs[0] if len(runs) == 2 else runs[0]

    def _outcomes(self, model: DictConfig, coordinates: np.ndarray) -> np.ndarray:
        params = with_values(model, values_at(self.factors, coordinates, model))
        rows = [run_replication(params, r).summary.iloc[-1][self.outcomes] for r in range(self.replications)]
        return np.asarray(rows, dtype=float)  # each replication's pooled (last) summary row


@dataclass
class IshigamiPoint:
    """The Ishigami function at one point, plus replication noise if asked for."""

    noise_sd: float
    replications: int
    seed: int

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """The function at ``(x1, x2, x3)``, once per replication (a column of one outcome)."""
        x1, x2, x3 = values
        y = math.sin(x1) + ISHIGAMI["a"] * math.sin(x2) ** 2 + ISHIGAMI["b"] * x3**4 * math.sin(x1)
        noise = np.random.default_rng([self.seed, zlib.crc32(values.tobytes())]).normal(
            0.0, self.noise_sd, self.replications
        )
        return (y + noise).reshape(-1, 1)


def ishigami_indices() -> dict[str, dict[str, float]]:
    """Analytic first-order and total Sobol indices of the Ishigami function on [-π, π]³."""
    a, b = ISHIGAMI["a"], ISHIGAMI["b"]
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * math.pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return {
        "S1": {"x1": v1 / total, "x2": v2 / total, "x3": 0.0},
        "ST": {"x1": (v1 + v13) / total, "x2": v2 / total, "x3": v13 / total},
    }


def problem_and_evaluator(
    cfg: SensitivityConfig,
) -> tuple[dict, list[Factor], list[str], IshigamiPoint | ReturnsimPoint]:
    """SALib's problem (in sampler coordinates), the factors, the outcome names and the point evaluator."""
    evaluate: IshigamiPoint | ReturnsimPoint
    if cfg.model == "ishigami":
        validate(cfg, None)
        factors: list[Factor] = [RangeFactor(f"x{i}", Range(-math.pi, math.pi)) for i in (1, 2, 3)]
        outcomes, evaluate = ["y"], IshigamiPoint(cfg.ishigami_noise_sd, cfg.replications, cfg.seed)
    else:
        models = scenario_models(cfg)
        validate(cfg, models[0])
        if len(models) == 2:
            check_no_posterior_draw(models[1])
        factors = returnsim_factors(cfg, models)
        outcomes = list(cfg.outcomes)
        evaluate = ReturnsimPoint(models, factors, outcomes, cfg.replications)
    problem = {
        "num_vars": len(factors),
        "names": [f.key for f in factors],
        "bounds": [list(f.bounds) for f in factors],
    }
    return problem, factors, outcomes, evaluate


def scenario_models(cfg: SensitivityConfig) -> list[DictConfig]:
    """The scenario's model config (scaled), and with ``effect_of`` the lever's scenario after it."""
    base = [*cfg.scenario, f"seed={cfg.seed}", f"replications={cfg.replications}"]
    if cfg.scale != 1.0:
        unscaled = compose(base)
        base += [o for code in unscaled.countries for o in scale_country(unscaled, code, cfg.scale)]
    models = [compose(base)]
    if cfg.effect_of:
        lever = compose([*base, *cfg.effect_of])
        if lever == models[0]:
            raise ConfigError(f"effect_of={list(cfg.effect_of)} changes nothing in the scenario; name a lever option")
        models.append(lever)
    return models


def returnsim_factors(cfg: SensitivityConfig, models: list[DictConfig]) -> list[Factor]:
    """The factors: stated ranges, the posterior's parameters, the lever assumptions that apply.

    A posterior parameter replaces a stated range of the same key; an assumption is added when it has a
    range in any of the models and its key is not varied already.
    """
    factors: dict[str, Factor] = {key: RangeFactor(key, r) for key, r in cfg.parameters.items()}
    if cfg.posterior:
        posterior = to_params(models[0]).posterior
        if not posterior.draws:
            raise ConfigError(
                "posterior=true: the scenario's calibration preset holds no posterior draws "
                "(use the default calibration=sweden_2013_2019, or set posterior=false)"
            )
        for j, key in enumerate(posterior.parameters):
            factors[key] = PosteriorFactor(key, tuple(float(draw[j]) for draw in posterior.draws))
    if cfg.lever_assumptions:
        for assumption in to_params(models[-1]).assumptions:
            applies = any(lever_assumptions.ranges_of([assumption], model) for model in models)
            if applies and assumption.key not in factors:
                factors[assumption.key] = AssumptionFactor(assumption)
    if not factors:
        raise ConfigError("parameters: nothing to vary; give ranges, or set posterior=true or lever_assumptions=true")
    return list(factors.values())


def check_design_size(cfg: SensitivityConfig, factors: int) -> None:
    """Refuse a design above ``max_simulations`` before SALib allocates its points (``samples=2**40`` would)."""
    per_sample = factors + 2 if cfg.method == "sobol" else factors + 1
    arms = 2 if cfg.effect_of else 1
    count = cfg.samples * per_sample * cfg.replications * arms
    formula = f"samples={cfg.samples:,} x ({factors} factors + {per_sample - factors}) points x replications="
    formula += f"{cfg.replications:,}" + (" x 2 scenarios for the paired effect" if arms == 2 else "")
    check_simulations(count, formula, cfg.max_simulations)


def sample(cfg: SensitivityConfig, problem: dict) -> np.ndarray:
    """Points in search coordinates: Saltelli/Sobol' sequences, or Morris trajectories."""
    if cfg.method == "sobol":
        return sobol_sample.sample(problem, cfg.samples, calc_second_order=False, seed=cfg.seed)
    return morris_sample.sample(problem, cfg.samples, num_levels=cfg.morris_levels, seed=cfg.seed)


def analyse(cfg: SensitivityConfig, problem: dict, coords: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Indices of one outcome (``y``: one mean per point) with 95 % confidence intervals."""
    if cfg.method == "sobol":
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=cfg.seed)
        return pd.DataFrame(
            {
                "parameter": problem["names"],
                "S1": res["S1"],
                "S1_conf": res["S1_conf"],
                "ST": res["ST"],
                "ST_conf": res["ST_conf"],
            }
        )
    res = morris_analyze.analyze(problem, coords, y, num_levels=cfg.morris_levels, seed=cfg.seed)
    return pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu": res["mu"],
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "sigma": res["sigma"],
        }
    )


def noise_share(values: np.ndarray) -> float:
    """Share of an outcome's variance over points × replications that lies within points (stochastic noise)."""
    total = values.var(ddof=1)
    within = values.var(axis=1, ddof=1).mean() if values.shape[1] > 1 else 0.0
    return float(within / total) if total > 0 else float("nan")


def run(cfg: SensitivityConfig, out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sample, evaluate (in parallel), analyse each outcome; write tables, figure and page."""
    problem, factors, outcomes, evaluate = problem_and_evaluator(cfg)
    check_design_size(cfg, len(factors))
    coords = sample(cfg, problem)
    analysed = evaluate.models[-1] if isinstance(evaluate, ReturnsimPoint) else None
    nan = float("nan")  # a factor that keeps its configured value in the analysed scenario
    values = np.array([[values_at(factors, row, analysed).get(f.key, nan) for f in factors] for row in coords])
    with worker_map(cfg.workers, chunksize=8) as pool_map:
        runs = tqdm(pool_map(evaluate, coords), total=len(coords), desc="points", unit="point", disable=None)
        results = np.stack(list(runs))
    # results: points × replications × outcomes
    indices, variance = [], []
    for j, outcome in enumerate(outcomes):
        per_point = results[:, :, j]
        means = per_point.mean(axis=1)
        if not np.isfinite(means).all():
            bad = int((~np.isfinite(means)).sum())
            variance.append({"outcome": outcome, "points_undefined": bad, "variance": np.nan, "noise_share": np.nan})
            continue
        table = analyse(cfg, problem, coords, means)
        if cfg.method == "sobol":  # a stable total index hardly moves between N/2 and N base samples
            half = len(means) // 2
            table["ST_half_samples"] = analyse(cfg, problem, coords[:half], means[:half])["ST"].to_numpy()
        table.insert(0, "outcome", outcome)
        table.insert(2, "source", [f.source for f in factors])
        indices.append(table)
        variance.append(
            {
                "outcome": outcome,
                "points_undefined": 0,
                "variance": float(per_point.var(ddof=1)),
                "noise_share": noise_share(per_point),
            }
        )
    index_table = pd.concat(indices, ignore_index=True) if indices else pd.DataFrame()
    variance_table = pd.DataFrame(variance)
    _write(cfg, out_dir, problem, values, results, outcomes, index_table, variance_table)
    return index_table, variance_table


def _write(cfg, out_dir, problem, values, results, outcomes, index_table, variance_table) -> None:  # noqa: ANN001
    from sim.studies.sensitivity_output import indices_figure, report_markdown

    points = pd.DataFrame(
        [
            {
                **dict(zip(problem["names"], values[i], strict=True)),
                "point": i,
                "replication": r,
                **dict(zip(outcomes, results[i, r], strict=True)),
            }
            for i in range(len(values))
            for r in range(results.shape[1])
        ]
    )
    write_table(out_dir / "points.parquet", points)
    write_table(out_dir / "indices.csv", index_table)
    write_table(out_dir / "variance.csv", variance_table)
    if not index_table.empty:
        indices_figure(index_table, cfg.method, out_dir / "figures" / "indices")
    write_text(out_dir / "sensitivity.md", report_markdown(cfg, index_table, variance_table, len(values)))
    write_json(
        out_dir / "sensitivity.json", {"points": len(values), "replications": cfg.replications, "versions": versions()}
    )


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="sensitivity")
def app(cfg: DictConfig) -> None:
    """Validate the config, run the analysis and print the indices."""
    (index_table, variance_table), out_dir = run_study("returnsim-sensitivity", SensitivityConfig, cfg, run)
    with pd.option_context("display.width", 160, "display.precision", 3):
        print(index_table.to_string(index=False))
        print(variance_table.to_string(index=False))
    print(f"results: {out_dir}")


main = guarded("returnsim-sensitivity", app)


if __name__ == "__main__":
    main()
