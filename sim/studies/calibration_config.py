"""What ``returnsim-calibrate`` reads: the settings targets come from, the targets, the free parameters, the ABC budget.

``configs/calibrate.yaml`` composes into :class:`CalibrationConfig`; :func:`validate`
checks it against the model config before any simulation (a target no setting
produces, more free parameters than the targets allow, a range outside the schema).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig

from sim.outputs.columns import YEARLY
from sim.outputs.metrics import METRICS
from sim.params.checks import SEED, ConfigError, check_number, check_workers
from sim.params.compose import Paths, register_schema
from sim.params.folders import is_folder_name
from sim.params.ranges import Range
from sim.studies.inference import Schedule
from sim.studies.study import check_no_posterior_draw, check_ranges

COHORT_MOMENTS = (
    "share_registered_departure",
    "share_statute_barred",
    "share_handed_to_police",
    "share_of_police_cases_departed",
    "share_removed_by_police",
)
"""Outcomes of a followed cohort that a target can name (:func:`sim.outputs.metrics.cohort_outcomes`)."""


SETTING_KINDS = ("history", "cohort", "period")
SCALE_FREE_UNITS = ("share", "days", "ratio")
"""Units of summary metrics that do not grow with the size of the simulated country."""


@dataclass
class Setting:
    """The model at the time of some published figures: a history, a cohort followed, or one measured period.

    ``history``: the run of a history (``overrides`` name it, e.g.
    ``history=sweden_2013_2023``) over its calendar years; a target names a
    column of the yearly table and its ``year`` (with ``fit_published`` the
    history's own published figures up to its ``fitted_until`` are targets
    too), or, without a year, a cohort moment of the decisions of its first
    ``days`` followed ``follow_days``.
    ``cohort``: decisions made over ``days`` after the warm-up are followed
    ``follow_days``; its targets name :data:`COHORT_MOMENTS`.
    ``period``: the summary metrics of ``days`` after the warm-up; its
    targets name a metric of :data:`sim.outputs.metrics.METRICS` (counts per year).
    """

    kind: str = MISSING
    overrides: list[str] = field(default_factory=list)
    """Overrides of the model config for that time (arrivals, detention places, ...)."""
    days: int = MISSING
    """``period``: the measured days. ``cohort`` and ``history``: the days over which the cohort's decisions
    were made."""
    follow_days: int = 0
    """``cohort`` and ``history``: how long each of the cohort's decisions is followed."""
    fit_published: bool = False
    """``history`` only: the history's published figures of the fitted years are targets too."""


@dataclass
class Target:
    """A published figure: which setting and outcome it is, its value, its tolerance and its source."""

    setting: str = MISSING
    moment: str = MISSING
    value: float = MISSING
    sd: float = MISSING
    source: str = MISSING
    year: int = 0
    """A ``history`` setting's year the figure is of (its ``moment`` a column of the yearly table); 0: none."""


@dataclass
class CalibrationConfig:
    """The root config of ``returnsim-calibrate``."""

    name: str = MISSING
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


def validate(cfg: CalibrationConfig, model: DictConfig) -> None:
    """Ranges name real keys, targets name a setting and one of its outcomes, numbers are in range."""
    check_number("seed", cfg.seed, SEED)  # it also seeds the model
    check_ranges("parameters", cfg.parameters, model)
    for name, setting in cfg.settings.items():
        if setting.kind not in SETTING_KINDS:
            raise ConfigError(f"settings.{name}.kind={setting.kind!r}; choose one of {', '.join(SETTING_KINDS)}")
        if setting.days < 1 or (setting.kind != "period" and setting.follow_days < 1):
            raise ConfigError(f"settings.{name}: days and (for a cohort or history) follow_days must be >= 1")
        if setting.fit_published and setting.kind != "history":
            raise ConfigError(f"settings.{name}.fit_published: only a history setting has published figures")
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
        kind = cfg.settings[t.setting].kind
        if kind == "history" and t.year:
            allowed = tuple(YEARLY.columns)
        elif kind in ("cohort", "history"):
            allowed = COHORT_MOMENTS
        else:
            allowed = tuple(METRICS)
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
    check_workers(cfg.workers)
    for key, count, low in [
        ("ensemble", cfg.ensemble, 2),
        ("abc.population_size", cfg.abc.population_size, 2),
        ("abc.max_populations", cfg.abc.max_populations, 1),
        ("abc.max_simulations", cfg.abc.max_simulations, 1),
    ]:
        if count < low:
            raise ConfigError(f"{key}={count} is out of range; allowed: >= {low}")
    if not 0 < cfg.abc.epsilon_quantile < 1:
        raise ConfigError(f"abc.epsilon_quantile={cfg.abc.epsilon_quantile} is out of range; allowed: > 0 and < 1")
    for key in ("min_epsilon", "max_walltime_minutes", "kernel_scaling"):
        if not getattr(cfg.abc, key) > 0:
            raise ConfigError(f"abc.{key}={getattr(cfg.abc, key)} is out of range; allowed: > 0")
    if not 0 < cfg.scale <= 1:
        raise ConfigError(f"scale={cfg.scale} is out of range; allowed: > 0 and <= 1")
    check_scenario(cfg, model)
    truth = recovery_values(cfg)
    for key, value in truth.items():
        r = cfg.parameters[key]
        if not r.low <= value <= r.high:
            raise ConfigError(f"recovery: {key}={value} lies outside its range [{r.low}, {r.high}]")


def check_scenario(cfg: CalibrationConfig, model: DictConfig) -> None:
    """The scenario (composed as ``model``) runs on the preset's values, and the countries are the model's.

    Checked before any setting is composed from it, so that the message
    names the calibration's own keys (``nation``, ``shared_with``).
    """
    check_no_posterior_draw(model)
    if cfg.nation not in model.nations:
        raise ConfigError(f"nation={cfg.nation!r}; choose from {', '.join(model.nations)}")
    for code in cfg.shared_with:
        if code not in model.nations or code == cfg.nation:
            others = [c for c in model.nations if c != cfg.nation]
            raise ConfigError(f"shared_with: {code!r}; choose from {', '.join(others)}")


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


# The schema is in Hydra's ConfigStore as soon as it is defined: composing this config needs it.
ConfigStore.instance().store(name="calibrate_schema", node=CalibrationConfig)
register_schema()
