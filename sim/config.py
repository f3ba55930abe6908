"""From a Hydra config to a validated :class:`~sim.params.ScenarioParams`.

The dataclass schema is registered in Hydra's ConfigStore as ``schema`` and
heads the root config's defaults list, so a wrong type or an unknown key
fails while the config is composed; ranges and choices are checked when the
config becomes a parameter object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.params import ConfigError, ScenarioParams

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


@dataclass
class Paths:
    """Where results go (relative paths are relative to the working directory)."""

    results_dir: str = "results"


@dataclass
class AppConfig(ScenarioParams):
    """The root config: the scenario plus where to write it."""

    name: str = "default"
    paths: Paths = field(default_factory=Paths)


def register_schema() -> None:
    """Put the schema in Hydra's ConfigStore (idempotent)."""
    ConfigStore.instance().store(name="schema", node=AppConfig)


def to_params(cfg: DictConfig) -> AppConfig:
    """Validate a composed config and return the typed parameter object."""
    try:
        schema = OmegaConf.structured(AppConfig)
        merged = OmegaConf.merge(schema, cfg)
        params = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None)
        first_line = str(exc).splitlines()[0]
        raise ConfigError(f"{key}: {first_line}" if key else first_line) from None
    assert isinstance(params, AppConfig)
    return params


def compose(overrides: list[str] | None = None) -> DictConfig:
    """Compose the config outside a Hydra app (tests, benchmarks, notebooks)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    register_schema()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return hydra_compose(config_name="config", overrides=overrides or [])


def load_params(overrides: list[str] | None = None) -> AppConfig:
    """Compose and validate in one call."""
    return to_params(compose(overrides))
