"""From a Hydra config to a validated :class:`~sim.params.schema.ScenarioParams`.

The dataclass schema is registered in Hydra's ConfigStore as ``schema`` and
heads the root config's defaults list, so a wrong type or an unknown key
fails while the config is composed; ranges and choices are checked when the
config becomes a parameter object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from sim.params import assumptions as lever_assumptions
from sim.params.assumptions import Assumption
from sim.params.checks import SEED, ConfigError, check_number, plain_mapping, typed_config, unknown_option
from sim.params.folders import check_folder_name, results_folder, results_root, run_folder, scenario_folder
from sim.params.history import check_overrides
from sim.params.schema import ScenarioParams

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"


@dataclass
class Paths:
    """Where results go (relative paths are relative to the working directory)."""

    results_dir: str = MISSING


@dataclass
class Report:
    """What the report of a sweep draws (:mod:`sim.analysis.report`)."""

    title: str = MISSING
    question: str = MISSING
    metrics: list[str] = MISSING
    baseline: list[str] = MISSING
    """Overrides (``key=value``) that pick the baseline scenario; empty: the first scenario."""
    total: list[str] = MISSING
    """Overrides that pick the scenario whose effect is the whole (empty: no decomposition into shares)."""
    stocks: list[str] = MISSING
    yearly: list[str] = MISSING
    """Columns of the yearly table whose effects a history sweep reports per calendar year."""
    incidence: bool = MISSING
    auto: bool = MISSING
    allow_incomplete: bool = MISSING
    """Report the complete runs when some are not (listed on the page); false: a run not complete is an error."""


@dataclass
class PosteriorEnsemble:
    """Draws from the posterior of the calibrated parameters (``configs/calibration``, ``returnsim-calibrate``).

    ``draws[i][j]`` is the value of ``parameters[j]`` in draw i; the draws are
    equally weighted. Empty when the scenario is not calibrated.
    """

    parameters: list[str] = MISSING
    draws: list[list[float]] = MISSING


@dataclass
class Uncertainty:
    """What the runs of an experiment vary besides the lever (config group ``uncertainty``).

    ``seeds``: only the random seeds, at the preset's posterior medians.
    ``posterior``: every scenario also runs on ``draws`` draws of the
    calibration's posterior (``posterior_draw`` 0 .. draws-1), the same draws
    and seeds for every scenario, so the report can split an effect's
    uncertainty into its parameter and stochastic parts.
    ``posterior+levers``: draw k also sets every lever assumption
    (``assumptions``) to its k-th draw.
    """

    source: str = MISSING
    draws: int = MISSING
    sweep: str = MISSING
    """The values an experiment sweeps ``posterior_draw`` over (Hydra sweep syntax)."""
    lever_seed: int = MISSING
    """``posterior+levers``: draw k of the lever assumptions comes from ``(lever_seed, k)``."""


@dataclass
class Goal:
    """Goal seeking (``experiments/goal_plus50.yaml``): what each run returns to an optimising sweeper.

    With ``objectives`` empty a run returns nothing (every ordinary run and
    sweep). Otherwise each run returns the mean over its replications of these
    summary metrics (the pooled country), which Hydra's Optuna sweeper
    optimises in the directions ``hydra.sweeper.direction`` gives; the goal is
    ``target_factor`` times the baseline's ``target_metric``.
    """

    objectives: list[str] = MISSING
    target_metric: str = MISSING
    target_factor: float = MISSING


@dataclass
class AppConfig(ScenarioParams):
    """The root config: the scenario plus where to write it and how to report a sweep of it."""

    name: str = MISSING
    paths: Paths = field(default_factory=Paths)
    overwrite: bool = MISSING
    """Let a single run replace a finished run in its folder (``hydra.run.dir``); otherwise it is refused."""
    report: Report = field(default_factory=Report)
    posterior: PosteriorEnsemble = field(default_factory=PosteriorEnsemble)
    posterior_draw: int = MISSING
    """Run on this draw of ``posterior.draws`` (0-based); -1: the preset's own values (posterior medians)."""
    uncertainty: Uncertainty = field(default_factory=Uncertainty)
    assumptions: list[Assumption] = MISSING
    """The levers' assumed constants with their ranges (``configs/assumptions``)."""
    goal: Goal = field(default_factory=Goal)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.uncertainty.source not in UNCERTAINTY_SOURCES:
            raise ConfigError(
                f"uncertainty.source={self.uncertainty.source!r}; choose from {', '.join(UNCERTAINTY_SOURCES)}"
            )
        if self.uncertainty.draws < 1:
            raise ConfigError(f"uncertainty.draws={self.uncertainty.draws} is out of range; allowed: >= 1")
        check_number("uncertainty.lever_seed", self.uncertainty.lever_seed, SEED)
        available = len(self.posterior.draws)
        if self.uncertainty.source != "seeds" and self.uncertainty.draws > available:
            raise ConfigError(
                f"uncertainty={self.uncertainty.source} with uncertainty.draws={self.uncertainty.draws}: the "
                f"calibration preset holds {available} posterior draws; choose a preset with a posterior "
                "(configs/calibration) or fewer draws"
            )
        if not -1 <= self.posterior_draw < available:
            allowed = (
                f"-1 (the preset's values) or 0-{available - 1}" if available else "-1 (the preset holds no draws)"
            )
            raise ConfigError(f"posterior_draw={self.posterior_draw} is out of range; allowed: {allowed}")
        for i, draw in enumerate(self.posterior.draws):
            if len(draw) != len(self.posterior.parameters):
                raise ConfigError(
                    f"posterior.draws[{i}] has {len(draw)} values for {len(self.posterior.parameters)} parameters"
                )
        if not self.goal.target_factor > 0:
            raise ConfigError(f"goal.target_factor={self.goal.target_factor} is out of range; allowed: > 0")
        check_folder_name("name", self.name)
        for key in ("baseline", "total"):
            for item in getattr(self.report, key):
                if "=" not in item:
                    raise ConfigError(f"report.{key}: {item!r} is not an override; write key=value")


UNCERTAINTY_SOURCES = ("seeds", "posterior", "posterior+levers")


def register_schema() -> None:
    """Put the schema in Hydra's ConfigStore and register the config's resolvers (idempotent)."""
    ConfigStore.instance().store(name="schema", node=AppConfig)
    if not OmegaConf.has_resolver("results_folder"):
        OmegaConf.register_new_resolver("results_folder", results_folder)
        OmegaConf.register_new_resolver("results_root", results_root)
    if not OmegaConf.has_resolver("run_folder"):
        OmegaConf.register_new_resolver("run_folder", run_folder)
        OmegaConf.register_new_resolver("scenario_folder", scenario_folder)


def to_params(cfg: DictConfig) -> AppConfig:
    """Validate a composed config and return the typed parameter object.

    With ``posterior_draw`` = k >= 0 the k-th draw's values replace the
    preset's for the keys ``posterior.parameters`` names (and, with
    ``uncertainty.source=posterior+levers``, the k-th draw of the lever
    assumptions replaces their configured values); the result is validated again.
    """
    cfg = expand_lever_options(cfg)
    params = typed_config(AppConfig, cfg)
    lever_assumptions.check(params.assumptions, cfg)
    for key in params.posterior.parameters:
        if OmegaConf.select(cfg, key, default=None) is None:
            raise ConfigError(f"posterior.parameters: {key!r} is not a key of the model config")
    k = params.posterior_draw
    if k < 0:
        return params
    values = dict(zip(params.posterior.parameters, params.posterior.draws[k], strict=True))
    if params.uncertainty.source == "posterior+levers":
        values |= lever_assumptions.draw(params.assumptions, cfg, k, params.uncertainty.lever_seed)
    drawn = cfg.copy()
    for key, value in values.items():
        current = OmegaConf.select(drawn, key)
        is_count = isinstance(current, int) and not isinstance(current, bool)
        OmegaConf.update(drawn, key, round(value) if is_count else value, merge=False)
    return typed_config(AppConfig, drawn)


def expand_lever_options(cfg: DictConfig) -> DictConfig:
    """The config with each timeline entry that names a lever's option (``colocation: full``) set key by key.

    A lever option is a file of its config group (``configs/colocation/full.yaml``);
    the entry takes every value of it, and keys given after it in the same
    entry take precedence. The saved config shows the values key by key.
    """
    if not any(group in change.get("set", {}) for change in cfg.get("timeline", []) for group in LEVER_GROUPS):
        return cfg
    cfg = cfg.copy()
    for i, change in enumerate(cfg.timeline):
        expanded: dict[str, object] = {}
        for key, value in change.get("set", {}).items():
            if key not in LEVER_GROUPS:
                expanded[key] = value
                continue
            options = sorted(f.stem for f in (CONFIG_DIR / key).glob("*.yaml"))
            if value not in options:
                raise ConfigError(f"timeline[{i}].set.{unknown_option(key, str(value), options)}")
            values = _compose_config(f"{key}/{value}")[key]
            expanded |= {f"{key}.{k}": v for k, v in plain_mapping(values).items()}
        change.set = expanded
    return cfg


LEVER_GROUPS = ("colocation", "info_sharing", "avr", "flights")
"""Levers a timeline entry can switch by option name; the others change key by key."""


def _compose_config(name: str) -> DictConfig:
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():  # inside a Hydra app on the same config folder
        return hydra_compose(config_name=name)
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return hydra_compose(config_name=name)


def compose(overrides: list[str] | None = None) -> DictConfig:
    """Compose the model config (in tests, benchmarks, notebooks, or inside another returnsim Hydra app)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_schema()
    if GlobalHydra.instance().is_initialized():  # inside a Hydra app on the same config folder
        return hydra_compose(config_name="config", overrides=overrides or [])
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return hydra_compose(config_name="config", overrides=overrides or [])


def load_params(overrides: list[str] | None = None) -> AppConfig:
    """Compose and validate in one call (an override of a key the history sets every year is refused)."""
    params = to_params(compose(overrides))
    check_overrides(params.history, list(overrides or []))
    return params


def changed_from_defaults(params: ScenarioParams) -> dict[str, dict[str, Any]]:
    """Each key whose value in ``params`` differs from returnsim's defaults (the config composed with no override).

    Keys are dotted (``colocation.mode``), in the config's order; a list is one
    value. Each maps to ``{"run": value, "default": value}`` (``None`` where the
    other side has no such key). A run writes it as ``overrides.yaml``: what it changed.
    """
    run = _leaves(OmegaConf.to_container(OmegaConf.structured(params)))
    default = _default_leaves()
    keys = [*run, *(key for key in default if key not in run)]
    return {key: {"run": run.get(key), "default": default.get(key)} for key in keys if run.get(key) != default.get(key)}


def default_value(key: str) -> Any:
    """The value of dotted ``key`` in returnsim's defaults (the config composed with no override)."""
    return _default_leaves()[key]


@cache
def _default_leaves() -> dict[str, Any]:
    """The defaults as dotted leaves (composed once a process: a sweep's runs all compare with the same)."""
    return _leaves(OmegaConf.to_container(OmegaConf.structured(load_params([]))))


def _leaves(tree: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(tree, dict) or not tree:
        return {prefix.rstrip("."): tree}
    found: dict[str, Any] = {}
    for key, value in tree.items():
        found |= _leaves(value, f"{prefix}{key}.")
    return found
