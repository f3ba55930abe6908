"""``returnsim-calibrate``: fit unknown parameters to a published return cohort.

Simulated method of moments under common random numbers: every candidate runs
the same replication seeds of the cohort scenario (the capacities of that
time), its cohort outcomes are compared with the published targets, and
scipy's differential evolution searches the parameter ranges. The estimate's
uncertainty is the SMM sandwich covariance, with the moments' Jacobian taken
by central differences on the same seeds. Config: ``configs/calibrate.yaml``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf
from scipy.optimize import differential_evolution

from sim import smm
from sim.config import CONFIG_DIR, Paths, compose, register_schema
from sim.metrics import cohort_outcomes
from sim.output import versions, write_json, write_table, write_text
from sim.params import ConfigError
from sim.runner import run_replication
from sim.scaling import scale_country
from sim.study import Range, check_ranges, run_study, with_values, worker_map

COHORT_MOMENTS = (
    "share_registered_departure",
    "share_statute_barred",
    "share_handed_to_police",
    "share_of_police_cases_departed",
    "share_removed_by_police",
)
"""Outcomes of a followed cohort that a target can name (:func:`sim.metrics.cohort_outcomes`)."""


@dataclass
class Target:
    """A published figure: its value, its uncertainty (rounding, e.g. "one quarter") and where it is from."""

    value: float = MISSING
    sd: float = MISSING
    source: str = ""


@dataclass
class Cohort:
    """The followed cohort: decisions made over ``decision_days`` after the warm-up, each followed ``follow_days``."""

    country: str = "SE"
    cases: int = MISSING
    decision_days: int = MISSING
    follow_days: int = MISSING
    scale: float = 1.0
    """Run the cohort at this fraction of its size, capacities scaled with it (faster; shares keep)."""


@dataclass
class Budget:
    """Differential evolution's budget: about (maxiter + 1) × popsize × parameters candidates."""

    maxiter: int = MISSING
    popsize: int = MISSING
    tol: float = 0.01


@dataclass
class CalibrationConfig:
    """The root config of ``returnsim-calibrate``."""

    name: str = "calibration"
    seed: int = 0
    replications: int = MISSING
    """Replications of every candidate, on the same seeds (common random numbers)."""
    workers: int = 1
    scenario: list[str] = field(default_factory=list)
    """Overrides of the model config for the cohort's time (e.g. detention places then)."""
    cohort: Cohort = field(default_factory=Cohort)
    parameters: dict[str, Range] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    budget: Budget = field(default_factory=Budget)
    jacobian_step: float = 0.02
    """Finite-difference step for the uncertainty, as a share of each parameter's search range."""
    preset: str = "calibrated.yaml"
    paths: Paths = field(default_factory=Paths)


ConfigStore.instance().store(name="calibrate_schema", node=CalibrationConfig)
register_schema()


@dataclass
class CohortMoments:
    """The cohort outcomes of the model at a point in search coordinates (picklable, for worker processes)."""

    model: DictConfig
    ranges: dict[str, Range]
    cohort: Cohort
    warmup_days: float
    names: tuple[str, ...]
    replications: int

    def values(self, x: np.ndarray) -> dict[str, float]:
        """Config values of search coordinates ``x``."""
        return {k: r.from_unit(float(c)) for (k, r), c in zip(self.ranges.items(), x, strict=True)}

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """One row per replication, one column per target."""
        params = with_values(self.model, self.values(x))
        rows = []
        last = self.warmup_days + self.cohort.decision_days
        for r in range(self.replications):
            register = run_replication(params, r).register
            out = cohort_outcomes(register, self.warmup_days, last, self.cohort.follow_days)
            rows.append([out[n] for n in self.names])
        return np.asarray(rows, dtype=float)


@dataclass
class Distance:
    """The weighted distance of a point's mean moments to the targets."""

    moments: CohortMoments
    targets: np.ndarray
    sds: np.ndarray

    def __call__(self, x: np.ndarray) -> float:
        """The distance at search coordinates ``x``."""
        return smm.distance(self.moments(x), self.targets, self.sds)


def validate(cfg: CalibrationConfig, model: DictConfig) -> None:
    """Ranges name real keys, targets name known cohort outcomes, numbers are in range."""
    check_ranges("parameters", cfg.parameters, model)
    if not cfg.targets:
        raise ConfigError(f"targets: name at least one of {', '.join(COHORT_MOMENTS)}")
    for name, t in cfg.targets.items():
        if name not in COHORT_MOMENTS:
            raise ConfigError(f"targets.{name}: unknown cohort outcome; choose from {', '.join(COHORT_MOMENTS)}")
        if t.sd <= 0:
            raise ConfigError(f"targets.{name}.sd={t.sd} must be > 0")
    for key, value, low in [
        ("replications", cfg.replications, 1),
        ("workers", cfg.workers, 1),
        ("budget.maxiter", cfg.budget.maxiter, 0),
        ("budget.popsize", cfg.budget.popsize, 1),
        ("cohort.cases", cfg.cohort.cases, 1),
    ]:
        if value < low:
            raise ConfigError(f"{key}={value} is out of range; allowed: >= {low}")
    if not 0 < cfg.cohort.scale <= 1:
        raise ConfigError(f"cohort.scale={cfg.cohort.scale} is out of range; allowed: > 0 and <= 1")
    if cfg.cohort.country not in model.nations:
        raise ConfigError(f"cohort.country={cfg.cohort.country!r}; choose from {', '.join(model.nations)}")


def cohort_model(cfg: CalibrationConfig) -> DictConfig:
    """The model config of the cohort: the scenario's overrides, arrivals from the cohort size, scaled."""
    c = cfg.cohort
    per_year = c.cases / c.decision_days * 365.0
    overrides = [
        *cfg.scenario,
        f"countries=[{c.country}]",
        f"nations.{c.country}.decisions_per_year={per_year}",
        f"horizon_days={c.decision_days + c.follow_days}",
        f"seed={cfg.seed}",
        f"replications={cfg.replications}",
    ]
    model = compose(overrides)
    if c.scale != 1.0:
        model = compose([*overrides, *scale_country(model, c.country, c.scale)])
    return model


def calibrate(cfg: CalibrationConfig, out_dir: Path) -> dict[str, float]:
    """Run the search, the uncertainty and the checks; write every output; return the headline figures."""
    model = cohort_model(cfg)
    validate(cfg, model)
    names = tuple(cfg.targets)
    targets = np.array([cfg.targets[n].value for n in names])
    sds = np.array([cfg.targets[n].sd for n in names])
    moments = CohortMoments(model, dict(cfg.parameters), cfg.cohort, model.warmup_days, names, cfg.replications)
    objective = Distance(moments, targets, sds)
    keys = list(cfg.parameters)
    bounds = [r.bounds for r in cfg.parameters.values()]
    start = np.array([np.clip(r.to_unit(OmegaConf.select(model, k)), *r.bounds) for k, r in cfg.parameters.items()])
    history: list[tuple[np.ndarray, float]] = []
    t0 = time.perf_counter()
    with worker_map(cfg.workers) as pool_map:

        def evaluate_all(f, xs):  # noqa: ANN001, ANN202 - scipy's map-like signature
            xs = list(xs)
            ys = list(pool_map(f, xs))
            history.extend(zip(xs, ys, strict=True))
            print(f"calibrate: {len(history)} candidates, best distance {min(y for _, y in history):.3g}", flush=True)
            return ys

        result = differential_evolution(
            objective,
            bounds,
            x0=start,
            seed=cfg.seed,
            maxiter=cfg.budget.maxiter,
            popsize=cfg.budget.popsize,
            tol=cfg.budget.tol,
            polish=False,
            updating="deferred",
            workers=evaluate_all,
        )
        best = result.x
        prior_moments, fitted_moments = pool_map(moments, [start, best])
        steps = np.array([cfg.jacobian_step * (hi - lo) for lo, hi in bounds])
        jac = smm.jacobian(lambda xs: list(pool_map(moments, xs)), best, steps)
    seconds = time.perf_counter() - t0
    # a simulated cohort is ``scale`` times the real one: its sampling noise, scaled, is the real cohort's
    moment_cov = smm.moment_covariance(fitted_moments, sds, data_share=cfg.cohort.scale)
    cov = smm.sandwich_covariance(jac, np.diag(1.0 / sds**2), moment_cov)
    fitted = _fitted_table(cfg, keys, start, best, cov)
    strengths, directions = smm.identification(jac, sds)
    identified = pd.DataFrame(directions, columns=keys).round(3)
    identified.insert(0, "singular_value", strengths)
    target_table = _target_table(cfg, names, prior_moments, fitted_moments)
    initial = [y for _, y in history[: cfg.budget.popsize * len(keys)]]
    figures = {
        "distance_start": smm.distance(prior_moments, targets, sds),
        "distance_prior_median": float(np.median(initial)),
        "distance_fitted": smm.distance(fitted_moments, targets, sds),
        "candidates": len(history),
        "seconds": round(seconds, 1),
    }
    _write(cfg, out_dir, fitted, target_table, identified, history, keys, figures)
    return figures


def _fitted_table(cfg: CalibrationConfig, keys: list[str], start: np.ndarray, best: np.ndarray, cov: np.ndarray):
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    rows = []
    for i, key in enumerate(keys):
        r = cfg.parameters[key]
        rows.append(
            {
                "parameter": key,
                "start": r.from_unit(start[i]),
                "fitted": r.from_unit(best[i]),
                "ci95_low": r.from_unit(best[i] - 1.96 * se[i]),
                "ci95_high": r.from_unit(best[i] + 1.96 * se[i]),
                "se_search_scale": se[i],
                "scale": "log10" if r.log else "linear",
                "low": r.low,
                "high": r.high,
            }
        )
    return pd.DataFrame(rows)


def _target_table(cfg: CalibrationConfig, names: tuple[str, ...], prior: np.ndarray, fitted: np.ndarray):
    rows = []
    for j, name in enumerate(names):
        t = cfg.targets[name]
        rows.append(
            {
                "target": name,
                "published": t.value,
                "tolerance_sd": t.sd,
                "start_mean": prior[:, j].mean(),
                "start_sd": prior[:, j].std(ddof=1) if len(prior) > 1 else 0.0,
                "fitted_mean": fitted[:, j].mean(),
                "fitted_sd": fitted[:, j].std(ddof=1) if len(fitted) > 1 else 0.0,
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def _write(cfg, out_dir: Path, fitted, target_table, identified, history, keys, figures) -> None:  # noqa: ANN001
    from sim.calibration_output import preset_yaml, report_markdown, targets_figure

    hist = pd.DataFrame([dict(zip(keys, x, strict=True), distance=y) for x, y in history])
    write_table(out_dir / "fitted.csv", fitted)
    write_table(out_dir / "targets.csv", target_table)
    write_table(out_dir / "identification.csv", identified)
    write_table(out_dir / "history.parquet", hist)
    targets_figure(target_table, out_dir / "figures" / "targets")
    write_text(out_dir / cfg.preset, preset_yaml(cfg, fitted, figures))
    write_text(out_dir / "calibration.md", report_markdown(cfg, fitted, target_table, identified, figures))
    write_json(out_dir / "calibration.json", {**figures, "versions": versions()})


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="calibrate")
def main(cfg: DictConfig) -> None:
    """Validate the calibration config, fit, and write the results and the preset."""
    figures, out_dir = run_study("returnsim-calibrate", CalibrationConfig, cfg, calibrate)
    print(
        f"distance to targets: start {figures['distance_start']:.3g}, prior median "
        f"{figures['distance_prior_median']:.3g}, fitted {figures['distance_fitted']:.3g} "
        f"({figures['candidates']} candidates, {figures['seconds']:.0f} s)"
    )
    print(f"results: {out_dir}")


if __name__ == "__main__":
    main()
