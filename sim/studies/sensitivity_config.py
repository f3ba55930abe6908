"""What ``returnsim-sensitivity`` reads (``configs/sensitivity.yaml``) and how it is checked before any run."""

from __future__ import annotations

from dataclasses import dataclass, field

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig

from sim.outputs.metrics import METRICS
from sim.params.checks import SEED, ConfigError, check_number, check_workers, typed_config
from sim.params.compose import CONFIG_DIR, Paths, register_schema
from sim.params.ranges import Range
from sim.studies.study import check_no_posterior_draw, check_ranges


@dataclass
class SensitivityConfig:
    """The root config of ``returnsim-sensitivity``."""

    name: str = MISSING
    model: str = MISSING
    method: str = MISSING
    samples: int = MISSING
    """Sobol: base samples N (N × (D + 2) points, first-order and total indices); Morris: trajectories (N × (D + 1))."""
    morris_levels: int = MISSING
    seed: int = MISSING
    replications: int = MISSING
    workers: int = MISSING
    max_simulations: int = MISSING
    """The most model runs a study may plan (points × replications, × 2 for a paired effect), checked first."""
    scenario: list[str] = field(default_factory=list)
    scale: float = MISSING
    """Run each country of the scenario at this fraction of its size, capacities scaled alike (faster)."""
    effect_of: list[str] = field(default_factory=list)
    """Overrides that make the lever's scenario: then the outcomes are its paired effects (lever − scenario)."""
    parameters: dict[str, Range] = field(default_factory=dict)
    posterior: bool = MISSING
    """Vary each parameter of the preset's posterior over its marginal posterior (instead of a stated range)."""
    lever_assumptions: bool = MISSING
    """Also vary each lever assumption that applies to the scenario over its stated range (``configs/assumptions``)."""
    outcomes: list[str] = field(default_factory=list)
    ishigami_noise_sd: float = MISSING
    """With ``model=ishigami``: sd of Gaussian noise added per replication (tests the noise share)."""
    paths: Paths = field(default_factory=Paths)


def load_config(overrides: list[str] | None = None) -> SensitivityConfig:
    """``configs/sensitivity.yaml`` with Hydra ``overrides``, typed (for scripts and notebooks)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        raw = hydra_compose(config_name="sensitivity", overrides=overrides or [])
    typed = typed_config(SensitivityConfig, raw)
    return typed


def validate(cfg: SensitivityConfig, model: DictConfig | None) -> None:
    """Choices, counts and ranges; a ConfigError naming the key otherwise."""
    check_number("seed", cfg.seed, SEED)  # the model's range: it seeds the model and the samplers
    choices: list[tuple[str, str, tuple[str, ...]]] = [
        ("model", cfg.model, ("returnsim", "ishigami")),
        ("method", cfg.method, ("sobol", "morris")),
    ]
    for key, value, allowed in choices:
        if value not in allowed:
            raise ConfigError(f"{key}={value!r} is not allowed; choose one of {', '.join(allowed)}")
    check_workers(cfg.workers)
    for key, count, low in [
        ("samples", cfg.samples, 2),
        ("replications", cfg.replications, 1),
        ("max_simulations", cfg.max_simulations, 1),
    ]:
        if count < low:
            raise ConfigError(f"{key}={count} is out of range; allowed: >= {low}")
    if cfg.morris_levels < 2 or cfg.morris_levels % 2:
        raise ConfigError(f"morris_levels={cfg.morris_levels} is out of range; allowed: an even number >= 2")
    if not cfg.ishigami_noise_sd >= 0:
        raise ConfigError(f"ishigami_noise_sd={cfg.ishigami_noise_sd} is out of range; allowed: >= 0")
    if cfg.method == "sobol" and cfg.samples & (cfg.samples - 1):
        raise ConfigError(f"samples={cfg.samples}: Sobol sampling needs a power of two (e.g. 64, 128, 256)")
    if not 0 < cfg.scale <= 1:
        raise ConfigError(f"scale={cfg.scale} is out of range; allowed: > 0 and <= 1")
    if model is not None:
        if cfg.parameters or not (cfg.posterior or cfg.lever_assumptions):
            check_ranges("parameters", cfg.parameters, model)
        check_no_posterior_draw(model)
        for name in cfg.outcomes:
            if name not in METRICS:
                raise ConfigError(f"outcomes: unknown metric {name!r}; choose from {', '.join(METRICS)}")
        if not cfg.outcomes:
            raise ConfigError("outcomes: name at least one summary metric")


# The schema is in Hydra's ConfigStore as soon as it is defined: composing this config needs it.
ConfigStore.instance().store(name="sensitivity_schema", node=SensitivityConfig)
register_schema()
