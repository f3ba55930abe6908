"""``returnsim-calibrate``: the posterior of unknown parameters given published figures of the return process.

Likelihood-free Bayesian inference (ABC-SMC, :mod:`sim.studies.inference` on pyabc):
a particle is a draw of the free parameters; it runs once, on its own seed,
every setting a target comes from (the 2013-2014 cohort followed four years,
single years with the arrivals and capacities of that time), and is kept when
its outcomes lie close enough to the published targets, distance measured in
each target's tolerance. Successive generations tighten the threshold. What
is left is the posterior: particles with weights, summarised per parameter,
checked against every target by posterior-predictive simulation, and a preset
holding an ensemble of draws (the default scenario uses their medians).
Config: ``configs/calibrate.yaml``.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
import sqlalchemy.exc
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from sim.outputs.files import versions, write_json, write_table, write_text
from sim.outputs.metrics import METRICS, UNITS, cohort_outcomes
from sim.params.checks import SEED, ConfigError, check_number
from sim.params.compose import CONFIG_DIR, Paths, compose, register_schema, to_params
from sim.params.entry import guarded
from sim.params.folders import is_folder_name
from sim.params.ranges import Range
from sim.params.scaling import scale_country
from sim.runs.runner import ReplicationResult, run_replication
from sim.studies.inference import PARTICLE_SEED_BITS, Posterior, Schedule, run_abc
from sim.studies.study import check_no_posterior_draw, check_ranges, run_study, with_values, worker_map

COHORT_MOMENTS = (
    "share_registered_departure",
    "share_statute_barred",
    "share_handed_to_police",
    "share_of_police_cases_departed",
    "share_removed_by_police",
)
"""Outcomes of a followed cohort that a target can name (:func:`sim.outputs.metrics.cohort_outcomes`)."""

SCALE_FREE_UNITS = ("share", "days")
"""Units of summary metrics that do not grow with the size of the simulated country."""


@dataclass
class Setting:
    """The model at the time of some published figures: a cohort followed, or one measured period.

    ``cohort``: decisions made over ``days`` after the warm-up are followed
    ``follow_days``; its targets name :data:`COHORT_MOMENTS`.
    ``period``: the summary metrics of ``days`` after the warm-up; its
    targets name a metric of :data:`sim.outputs.metrics.METRICS` (counts per year).
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
class CalibrationConfig:
    """The root config of ``returnsim-calibrate``."""

    name: str = "calibration"
    seed: int = MISSING
    """Seeds the particles (generation t, particle i), the ensemble's draws and the predictive check."""
    workers: int = MISSING
    nation: str = MISSING
    """The country whose figures the targets are (a code of `nations`); the others take part only via `shared_with`."""
    scale: float = MISSING
    """Run every setting at this fraction of its size, capacities scaled with it (faster; shares keep)."""
    scenario: list[str] = field(default_factory=list)
    """Overrides of the model config shared by every setting."""
    settings: dict[str, Setting] = field(default_factory=dict)
    parameters: dict[str, Range] = field(default_factory=dict)
    """The prior: uniform over each range in search coordinates (log10 for a log range)."""
    targets: dict[str, Target] = field(default_factory=dict)
    abc: Schedule = MISSING
    ensemble: int = MISSING
    """Posterior draws kept in the preset, each also simulated once for the posterior-predictive check."""
    spare_targets: int = MISSING
    """Over-identification: the fit needs at least this many more targets than free parameters."""
    recovery: list[str] = field(default_factory=list)
    """``key=value`` of free parameters: fit the model's own outcomes at these values instead of the
    published figures (a recovery check: the values should lie inside the posterior)."""
    shared_with: list[str] = MISSING
    """Countries whose own parameters (``nations.<C>.*``) are taken equal to the fitted country's in the
    preset: no target of theirs is among the data."""
    preset: str = MISSING
    paths: Paths = field(default_factory=Paths)


ConfigStore.instance().store(name="calibrate_schema", node=CalibrationConfig)
register_schema()


@dataclass
class Moments:
    """The targets' simulated values at a parameter point (picklable, for worker processes).

    A point runs every setting once, on one replication index; a count is
    divided by the setting's scale and by its measured years, so it compares
    with a published count per year.
    """

    models: dict[str, DictConfig]
    settings: dict[str, Setting]
    targets: dict[str, Target]
    scale: float

    def __call__(self, values: Mapping[str, float]) -> dict[str, float]:
        """The targets at ``values`` on a replication index drawn from numpy's global random state.

        pyabc's model interface passes only the parameters; the calling task
        has seeded the global state (:class:`sim.studies.inference.SeededMappingSampler`).
        """
        return self.at((dict(values), int(np.random.randint(2**PARTICLE_SEED_BITS - 1))))

    def at(self, job: tuple[dict[str, float], int]) -> dict[str, float]:
        """The targets at ``(values, replication)``."""
        values, replication = job
        out: dict[str, float] = {}
        for name, model in self.models.items():
            setting = self.settings[name]
            params = with_values(model, values)
            measured = self._measure(setting, params.warmup_days, run_replication(params, replication))
            out.update({t: measured[target.moment] for t, target in self.targets.items() if target.setting == name})
        return {t: out[t] for t in self.targets}

    def _measure(self, setting: Setting, warmup: float, result: ReplicationResult) -> dict[str, float]:
        if setting.kind == "cohort":
            return cohort_outcomes(result.register, warmup, warmup + setting.days, setting.follow_days)
        row = result.summary.iloc[0]
        per_year = 365.0 / setting.days / self.scale
        return {m: float(row[m]) * (1.0 if UNITS[m] in SCALE_FREE_UNITS else per_year) for m in METRICS}


def validate(cfg: CalibrationConfig, model: DictConfig) -> None:
    """Ranges name real keys, targets name a setting and one of its outcomes, numbers are in range."""
    check_number("seed", cfg.seed, SEED)  # it also seeds the model
    check_ranges("parameters", cfg.parameters, model)
    check_no_posterior_draw(model)
    for name, setting in cfg.settings.items():
        if setting.kind not in ("cohort", "period"):
            raise ConfigError(f"settings.{name}.kind={setting.kind!r}; choose one of cohort, period")
        if setting.days < 1 or (setting.kind == "cohort" and setting.follow_days < 1):
            raise ConfigError(f"settings.{name}: days and (for a cohort) follow_days must be >= 1")
    if not cfg.targets:
        raise ConfigError("targets: name at least one published figure")
    used = {t.setting for t in cfg.targets.values()} & set(cfg.settings)
    for item in cfg.scenario:
        key = item.partition("=")[0].lstrip("+~")
        if used and all(any(o.partition("=")[0] == key for o in cfg.settings[n].overrides) for n in used):
            raise ConfigError(
                f"scenario: {item!r} would never be read: every setting sets {key} itself "
                "(settings.<name>.overrides); change it there"
            )
    for name, t in cfg.targets.items():
        if t.setting not in cfg.settings:
            raise ConfigError(f"targets.{name}.setting={t.setting!r}; choose from {', '.join(cfg.settings)}")
        allowed = COHORT_MOMENTS if cfg.settings[t.setting].kind == "cohort" else tuple(METRICS)
        if t.moment not in allowed:
            raise ConfigError(f"targets.{name}.moment={t.moment!r} is unknown; choose from {', '.join(allowed)}")
        if t.sd <= 0:
            raise ConfigError(f"targets.{name}.sd={t.sd} must be > 0")
    if not is_folder_name(cfg.preset) or not cfg.preset.endswith(".yaml"):
        raise ConfigError(
            f"preset={cfg.preset!r} is not allowed: a file name ending in .yaml, written in the results folder"
        )
    if cfg.spare_targets < 0:
        raise ConfigError(f"spare_targets={cfg.spare_targets} is out of range; allowed: >= 0")
    if len(cfg.parameters) > len(cfg.targets) - cfg.spare_targets:
        raise ConfigError(
            f"parameters: {len(cfg.parameters)} free parameters for {len(cfg.targets)} targets; with "
            f"spare_targets={cfg.spare_targets} at most {max(len(cfg.targets) - cfg.spare_targets, 0)} can be "
            "fitted: drop parameters (fix them in the scenario) or add targets"
        )
    for key, value, low in [
        ("workers", cfg.workers, 1),
        ("ensemble", cfg.ensemble, 2),
        ("abc.population_size", cfg.abc.population_size, 2),
        ("abc.max_populations", cfg.abc.max_populations, 1),
        ("abc.max_simulations", cfg.abc.max_simulations, 1),
    ]:
        if value < low:
            raise ConfigError(f"{key}={value} is out of range; allowed: >= {low}")
    if not 0 < cfg.abc.epsilon_quantile < 1:
        raise ConfigError(f"abc.epsilon_quantile={cfg.abc.epsilon_quantile} is out of range; allowed: > 0 and < 1")
    for key in ("min_epsilon", "max_walltime_minutes", "kernel_scaling"):
        if not getattr(cfg.abc, key) > 0:
            raise ConfigError(f"abc.{key}={getattr(cfg.abc, key)} is out of range; allowed: > 0")
    if not 0 < cfg.scale <= 1:
        raise ConfigError(f"scale={cfg.scale} is out of range; allowed: > 0 and <= 1")
    if cfg.nation not in model.nations:
        raise ConfigError(f"nation={cfg.nation!r}; choose from {', '.join(model.nations)}")
    for code in cfg.shared_with:
        if code not in model.nations or code == cfg.nation:
            others = [c for c in model.nations if c != cfg.nation]
            raise ConfigError(f"shared_with: {code!r}; choose from {', '.join(others)}")
    truth = recovery_values(cfg)
    for key, value in truth.items():
        r = cfg.parameters[key]
        if not r.low <= value <= r.high:
            raise ConfigError(f"recovery: {key}={value} lies outside its range [{r.low}, {r.high}]")


def recovery_values(cfg: CalibrationConfig) -> dict[str, float]:
    """The ``recovery`` entries as ``{key: value}``; each names a free parameter and a number."""
    truth = {}
    for item in cfg.recovery:
        key, sep, value = item.partition("=")
        if not sep or key not in cfg.parameters:
            raise ConfigError(
                f"recovery: {item!r}; write key=value with a key of parameters ({', '.join(cfg.parameters)})"
            )
        try:
            truth[key] = float(value)
        except ValueError:
            raise ConfigError(f"recovery: {item!r}; the value must be a number") from None
    return truth


def setting_model(cfg: CalibrationConfig, setting: Setting) -> DictConfig:
    """The model config of a setting: shared and own overrides, its run length, scaled."""
    days = setting.days + setting.follow_days
    overrides = [
        *cfg.scenario,
        *setting.overrides,
        f"countries=[{cfg.nation}]",
        f"horizon_days={days}",
        f"seed={cfg.seed}",
        "replications=1",
    ]
    model = compose(overrides)
    to_params(model)  # the scenario as written must be valid, not only once scaled (-5 officers would round to 0)
    if cfg.scale != 1.0:
        model = compose([*overrides, *scale_country(model, cfg.nation, cfg.scale)])
    return model


def calibrate(cfg: CalibrationConfig, out_dir: Path) -> dict[str, float]:
    """Infer the posterior, check it against every target, write every output; return the headline figures."""
    validate(cfg, compose(cfg.scenario))
    used = [name for name in cfg.settings if any(t.setting == name for t in cfg.targets.values())]
    models = {name: setting_model(cfg, cfg.settings[name]) for name in used}
    moments = Moments(models, dict(cfg.settings), dict(cfg.targets), cfg.scale)
    start = {k: float(OmegaConf.select(models[used[0]], k)) for k in cfg.parameters}
    streams = np.random.SeedSequence(cfg.seed).spawn(2)  # 0: observed data of a recovery check; 1: ensemble
    t0 = time.perf_counter()
    with worker_map(cfg.workers) as pool_map:
        first = moments.at((start, 0))
        empty = [name for name, value in first.items() if not np.isfinite(value)]
        if empty:  # every particle would be rejected: ABC would never end
            raise ConfigError(
                "targets "
                + ", ".join(f"{n} ({cfg.targets[n].setting}.{cfg.targets[n].moment})" for n in empty)
                + ": the setting gives no data for this outcome at the start values (e.g. no police cases in the "
                "cohort); lengthen the setting's days or follow_days, or raise scale"
            )
        truth = recovery_values(cfg)
        if truth:
            replication = int(streams[0].generate_state(1)[0] % (2**PARTICLE_SEED_BITS - 1))
            observed = moments.at(({**start, **truth}, replication))
        else:
            observed = {name: t.value for name, t in cfg.targets.items()}
        try:
            posterior = run_abc(
                moments,
                observed,
                {name: t.sd for name, t in cfg.targets.items()},
                cfg.parameters,
                cfg.abc,
                pool_map,
                cfg.seed,
                out_dir / "abc.db",
            )
        except sqlalchemy.exc.OperationalError as exc:  # pyabc's SQLite history could not be written
            raise OSError(
                errno.EIO, f"pyabc's database could not be written ({exc.orig})", str(out_dir / "abc.db")
            ) from exc
        seconds_abc = time.perf_counter() - t0
        rng = np.random.default_rng(streams[1])
        ensemble = posterior.particles.iloc[
            rng.choice(len(posterior.particles), size=cfg.ensemble, p=posterior.particles["weight"])
        ].reset_index(drop=True)[list(cfg.parameters)]
        replications = rng.integers(2**PARTICLE_SEED_BITS - 1, size=cfg.ensemble)
        jobs = [(row.to_dict(), int(r)) for (_, row), r in zip(ensemble.iterrows(), replications, strict=True)]
        predicted = pd.DataFrame(list(pool_map(moments.at, jobs)))
    tolerances = np.array([cfg.targets[n].sd for n in predicted.columns])
    observations = predicted + rng.normal(size=predicted.shape) * tolerances  # a published figure = outcome + its error
    seconds = time.perf_counter() - t0
    summary = parameter_summary(cfg.parameters, posterior, start, truth)
    check = predictive_check(cfg.targets, observed, predicted, observations)
    figures = {
        "simulations": posterior.simulations,
        "generations": len(posterior.generations),
        "final_epsilon": float(posterior.generations["epsilon"].iloc[-1]),
        "targets_met": int(check["met"].sum()),
        "targets": len(check),
        "identified": int(summary["identified"].sum()),
        "parameters": len(summary),
        "seconds_abc": round(seconds_abc, 1),
        "seconds": round(seconds, 1),
    }
    _write(cfg, out_dir, posterior, summary, check, predicted, ensemble, figures)
    return figures


def parameter_summary(
    ranges: Mapping[str, Range], posterior: Posterior, start: Mapping[str, float], truth: Mapping[str, float]
) -> pd.DataFrame:
    """Each parameter's posterior: weighted median and 90 % credible interval, and how far the data narrowed it.

    ``contraction`` is 1 − posterior variance / prior variance in search
    coordinates (0: the targets say nothing; 1: pinned down). ``identified``:
    the 90 % interval covers less than half of the prior range.
    """
    w = posterior.particles["weight"].to_numpy()
    rows = []
    for key, r in ranges.items():
        coords = np.array([r.to_unit(v) for v in posterior.particles[key]])
        low, median, high = weighted_quantiles(coords, w, (0.05, 0.5, 0.95))
        mean = float(np.sum(w * coords))
        variance = float(np.sum(w * (coords - mean) ** 2))
        width = r.bounds[1] - r.bounds[0]
        rows.append(
            {
                "parameter": key,
                "start": start[key],
                "median": r.from_unit(median),
                "ci90_low": r.from_unit(low),
                "ci90_high": r.from_unit(high),
                "truth": truth.get(key, np.nan),
                "contraction": 1.0 - variance / (width**2 / 12.0),
                "ci90_share_of_prior": (high - low) / width,
                "identified": (high - low) / width < 0.5,
                "scale": "log10" if r.log else "linear",
                "low": r.low,
                "high": r.high,
            }
        )
    return pd.DataFrame(rows)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
    """Quantiles of a weighted sample (inverted empirical distribution function, midpoint convention)."""
    keep = weights > 0
    order = np.argsort(values[keep])
    v, w = values[keep][order], weights[keep][order] / weights[keep].sum()
    cumulative = np.cumsum(w) - 0.5 * w
    return np.interp(quantiles, cumulative, v)


def predictive_check(
    targets: Mapping[str, Target], observed: Mapping[str, float], predicted: pd.DataFrame, observations: pd.DataFrame
) -> pd.DataFrame:
    """Each target against its posterior-predictive distribution.

    ``predicted``: the model's outcome at each ensemble draw; ``observations``:
    the same plus each target's tolerance as measurement error, i.e. what a
    published figure would be if the model were true. ``met``: the observed
    value lies inside the 90 % predictive interval of ``observations``.
    """
    rows = []
    for name, t in targets.items():
        low, high = np.quantile(observations[name], [0.05, 0.95])
        rows.append(
            {
                "target": name,
                "setting": t.setting,
                "moment": t.moment,
                "observed": observed[name],
                "tolerance_sd": t.sd,
                "predicted_median": float(np.median(predicted[name])),
                "predicted_sd": float(predicted[name].std(ddof=1)),
                "pi90_low": low,
                "pi90_high": high,
                "met": bool(low <= observed[name] <= high),
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def _write(cfg, out_dir: Path, posterior, summary, check, predicted, ensemble, figures) -> None:  # noqa: ANN001
    from sim.studies.calibration_output import (
        marginals_figure,
        pairs_figure,
        predictive_figure,
        preset_yaml,
        report_markdown,
    )

    write_table(out_dir / "posterior.parquet", posterior.particles)
    write_table(out_dir / "generations.csv", posterior.generations)
    write_table(out_dir / "parameters.csv", summary)
    write_table(out_dir / "predictive_check.csv", check)
    write_table(out_dir / "predictive.parquet", predicted)
    write_table(out_dir / "ensemble.csv", ensemble)
    weighted = posterior.particles.drop(columns="distance")
    marginals_figure(weighted, summary, out_dir / "figures" / "marginals")
    pairs_figure(weighted, cfg.parameters, out_dir / "figures" / "pairs")
    predictive_figure(check, predicted, out_dir / "figures" / "predictive")
    write_text(out_dir / cfg.preset, preset_yaml(cfg, summary, ensemble, figures))
    write_text(out_dir / "calibration.md", report_markdown(cfg, summary, check, posterior.generations, figures))
    write_json(out_dir / "calibration.json", {**figures, "versions": versions()})


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="calibrate")
def app(cfg: DictConfig) -> None:
    """Validate the calibration config, infer the posterior, and write the results and the preset."""
    figures, out_dir = run_study("returnsim-calibrate", CalibrationConfig, cfg, calibrate)
    print(
        f"posterior: {figures['simulations']} simulations in {figures['generations']} generations "
        f"({figures['seconds_abc']:.0f} s), final threshold {figures['final_epsilon']:.3g} tolerance units; "
        f"{figures['targets_met']} of {figures['targets']} targets inside the 90 % predictive interval; "
        f"{figures['identified']} of {figures['parameters']} parameters identified"
    )
    print(f"results: {out_dir}")


main = guarded("returnsim-calibrate", app)


if __name__ == "__main__":
    main()
