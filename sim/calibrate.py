"""``returnsim-calibrate``: fit unknown parameters to published figures of the Swedish return process.

Simulated method of moments under common random numbers: every candidate runs
the same replication seeds of each setting a target comes from (the 2013-2014
cohort followed four years, single years with the arrivals and capacities of
that time), its outcomes are compared with the published targets, and scipy's
differential evolution searches the parameter ranges. The estimate's
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
from sim.metrics import METRICS, UNITS, cohort_outcomes
from sim.output import versions, write_json, write_table, write_text
from sim.params import ConfigError, check_number
from sim.runner import ReplicationResult, run_replication
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

SCALE_FREE_UNITS = ("share", "days")
"""Units of summary metrics that do not grow with the size of the simulated country."""


@dataclass
class Setting:
    """The model at the time of some published figures: a cohort followed, or one measured period.

    ``cohort``: decisions made over ``days`` after the warm-up are followed
    ``follow_days``; its targets name :data:`COHORT_MOMENTS`.
    ``period``: the summary metrics of ``days`` after the warm-up; its
    targets name a metric of :data:`sim.metrics.METRICS` (counts per year).
    """

    kind: str = MISSING
    overrides: list[str] = field(default_factory=list)
    """Overrides of the model config for that time (arrivals, detention places, ...)."""
    days: int = MISSING
    """``period``: the measured days. ``cohort``: the days over which its decisions were made."""
    follow_days: int = 0
    """``cohort`` only: how long each decision is followed."""


@dataclass
class Target:
    """A published figure: which setting and outcome it is, its value, its tolerance and its source."""

    setting: str = MISSING
    moment: str = MISSING
    value: float = MISSING
    sd: float = MISSING
    source: str = ""


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
    workers: int = MISSING
    country: str = "SE"
    scale: float = MISSING
    """Run every setting at this fraction of its size, capacities scaled with it (faster; shares keep)."""
    scenario: list[str] = field(default_factory=list)
    """Overrides of the model config shared by every setting."""
    settings: dict[str, Setting] = field(default_factory=dict)
    parameters: dict[str, Range] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    budget: Budget = field(default_factory=Budget)
    jacobian_step: float = MISSING
    """Finite-difference step for the uncertainty, as a share of each parameter's search range."""
    preset: str = "calibrated.yaml"
    paths: Paths = field(default_factory=Paths)


SEED = {"ge": 0, "le": 2**32 - 1}
"""The calibration's seed range: scipy's differential evolution takes a 32-bit seed (it also seeds the model)."""

ConfigStore.instance().store(name="calibrate_schema", node=CalibrationConfig)
register_schema()


@dataclass
class Moments:
    """The targets' simulated values at a point in search coordinates (picklable, for worker processes).

    Every setting runs the same replications; a count is divided by the
    setting's scale and by its measured years, so it compares with a
    published count per year.
    """

    models: dict[str, DictConfig]
    settings: dict[str, Setting]
    targets: dict[str, Target]
    ranges: dict[str, Range]
    replications: int
    scale: float

    def values(self, x: np.ndarray) -> dict[str, float]:
        """Config values of search coordinates ``x``."""
        return {k: r.from_unit(float(c)) for (k, r), c in zip(self.ranges.items(), x, strict=True)}

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """One row per replication, one column per target."""
        values = self.values(x)
        out = np.empty((self.replications, len(self.targets)))
        for name, model in self.models.items():
            setting = self.settings[name]
            params = with_values(model, values)
            columns = [(j, t.moment) for j, t in enumerate(self.targets.values()) if t.setting == name]
            for r in range(self.replications):
                result = run_replication(params, r)
                measured = self._measure(setting, params.warmup_days, result)
                for j, moment in columns:
                    out[r, j] = measured[moment]
        return out

    def _measure(self, setting: Setting, warmup: float, result: ReplicationResult) -> dict[str, float]:
        if setting.kind == "cohort":
            return cohort_outcomes(result.register, warmup, warmup + setting.days, setting.follow_days)
        row = result.summary.iloc[0]
        per_year = 365.0 / setting.days / self.scale
        return {m: float(row[m]) * (1.0 if UNITS[m] in SCALE_FREE_UNITS else per_year) for m in METRICS}


@dataclass
class Distance:
    """The weighted distance of a point's mean moments to the targets."""

    moments: Moments
    targets: np.ndarray
    sds: np.ndarray

    def __call__(self, x: np.ndarray) -> float:
        """The distance at search coordinates ``x``."""
        return smm.distance(self.moments(x), self.targets, self.sds)


def validate(cfg: CalibrationConfig, model: DictConfig) -> None:
    """Ranges name real keys, targets name a setting and one of its outcomes, numbers are in range."""
    check_number("seed", cfg.seed, SEED)
    check_ranges("parameters", cfg.parameters, model)
    for name, setting in cfg.settings.items():
        if setting.kind not in ("cohort", "period"):
            raise ConfigError(f"settings.{name}.kind={setting.kind!r}; choose one of cohort, period")
        if setting.days < 1 or (setting.kind == "cohort" and setting.follow_days < 1):
            raise ConfigError(f"settings.{name}: days and (for a cohort) follow_days must be >= 1")
    if not cfg.targets:
        raise ConfigError("targets: name at least one published figure")
    for name, t in cfg.targets.items():
        if t.setting not in cfg.settings:
            raise ConfigError(f"targets.{name}.setting={t.setting!r}; choose from {', '.join(cfg.settings)}")
        allowed = COHORT_MOMENTS if cfg.settings[t.setting].kind == "cohort" else tuple(METRICS)
        if t.moment not in allowed:
            raise ConfigError(f"targets.{name}.moment={t.moment!r} is unknown; choose from {', '.join(allowed)}")
        if t.sd <= 0:
            raise ConfigError(f"targets.{name}.sd={t.sd} must be > 0")
    if len(cfg.parameters) > len(cfg.targets):
        raise ConfigError(
            f"parameters: {len(cfg.parameters)} free parameters for {len(cfg.targets)} targets cannot be identified"
        )
    for key, value, low in [
        ("replications", cfg.replications, 1),
        ("workers", cfg.workers, 1),
        ("budget.maxiter", cfg.budget.maxiter, 0),
        ("budget.popsize", cfg.budget.popsize, 1),
    ]:
        if value < low:
            raise ConfigError(f"{key}={value} is out of range; allowed: >= {low}")
    if not 0 < cfg.scale <= 1:
        raise ConfigError(f"scale={cfg.scale} is out of range; allowed: > 0 and <= 1")
    if not 0 < cfg.jacobian_step < 0.5:
        raise ConfigError(f"jacobian_step={cfg.jacobian_step} is out of range; allowed: > 0 and < 0.5")
    if cfg.country not in model.nations:
        raise ConfigError(f"country={cfg.country!r}; choose from {', '.join(model.nations)}")


def setting_model(cfg: CalibrationConfig, setting: Setting) -> DictConfig:
    """The model config of a setting: shared and own overrides, its run length, scaled."""
    days = setting.days + setting.follow_days
    overrides = [
        *cfg.scenario,
        *setting.overrides,
        f"countries=[{cfg.country}]",
        f"horizon_days={days}",
        f"seed={cfg.seed}",
        f"replications={cfg.replications}",
    ]
    model = compose(overrides)
    if cfg.scale != 1.0:
        model = compose([*overrides, *scale_country(model, cfg.country, cfg.scale)])
    return model


def calibrate(cfg: CalibrationConfig, out_dir: Path) -> dict[str, float]:
    """Run the search, the uncertainty and the checks; write every output; return the headline figures."""
    validate(cfg, compose(cfg.scenario))
    used = [name for name in cfg.settings if any(t.setting == name for t in cfg.targets.values())]
    models = {name: setting_model(cfg, cfg.settings[name]) for name in used}
    model = next(iter(models.values()))
    names = tuple(cfg.targets)
    targets = np.array([cfg.targets[n].value for n in names])
    sds = np.array([cfg.targets[n].sd for n in names])
    moments = Moments(models, dict(cfg.settings), dict(cfg.targets), dict(cfg.parameters), cfg.replications, cfg.scale)
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
    # a simulated setting is ``scale`` times the real one: its sampling noise, scaled, is the real one's
    moment_cov = smm.moment_covariance(fitted_moments, sds, data_share=cfg.scale)
    cov = smm.sandwich_covariance(jac, np.diag(1.0 / sds**2), moment_cov)
    fitted = _fitted_table(cfg, keys, start, best, cov, moves=np.abs(jac / sds[:, None]).sum(axis=0) > 0.0)
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


def _fitted_table(
    cfg: CalibrationConfig, keys: list[str], start: np.ndarray, best: np.ndarray, cov: np.ndarray, moves: np.ndarray
) -> pd.DataFrame:
    """Fitted values with 95 % intervals; a parameter no target moves at the fit gets its whole search range.

    A parameter that acts as a threshold (e.g. a waiting time compared with
    the authorities' processing times) can leave every moment unchanged over
    the Jacobian's step: the sandwich then says nothing about it (its
    pseudo-inverse would give a zero-width interval), so its interval is the
    search range and ``identified`` is false.
    """
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    rows = []
    for i, key in enumerate(keys):
        r = cfg.parameters[key]
        low, high = (best[i] - 1.96 * se[i], best[i] + 1.96 * se[i]) if moves[i] else r.bounds
        rows.append(
            {
                "parameter": key,
                "start": r.from_unit(start[i]),
                "fitted": r.from_unit(best[i]),
                "ci95_low": r.from_unit(low),
                "ci95_high": r.from_unit(high),
                "identified": bool(moves[i]),
                "se_search_scale": se[i] if moves[i] else np.nan,
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
                "setting": t.setting,
                "moment": t.moment,
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
