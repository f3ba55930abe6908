"""How a parameter declares its allowed values, and the checks every layer shares.

A numeric field carries its range in its ``metadata`` (``num``, ``required``),
a string mode its ``choices`` (``one_of``); :class:`ConfigError` is the one
error for bad input, its message naming the key and what is allowed.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import field, fields, is_dataclass
from typing import Any

from omegaconf import MISSING, DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException


def value_range(lo: float | None = None, hi: float | None = None, **kw: Any) -> dict[str, Any]:
    """A field's ``metadata``: its lowest (``ge``) and highest (``le``) allowed value."""
    return {"ge": lo, "le": hi, **kw}


NONNEG = value_range(0.0)


PROB = value_range(0.0, 1.0)


POS = value_range(1e-12)


MAX_SEED = 2**63 - 1
"""The largest seed: a run stores its seed as a 64-bit signed integer (the ``seed`` column of its tables)."""


SEED = value_range(0, MAX_SEED)


MAX_DECISIONS_PER_YEAR = 1_000_000.0
"""A country's largest arrivals, about 60 times Sweden's (17 015 in 2024): each day's arrivals are a
Poisson draw (numpy refuses a mean above about 1e18) and every case stays in memory, so a larger
figure is a mistake, not a scenario."""


def num(default: float, meta: dict[str, Any] = NONNEG) -> Any:
    """A numeric field with an allowed range (default: non-negative)."""
    return field(default=default, metadata=meta)


def required(meta: dict[str, Any] = NONNEG) -> Any:
    """A numeric field the YAML config must set (no default here: one source of truth), with its range."""
    return field(default=MISSING, metadata=meta)


def one_of(*choices: str) -> Any:
    """A string field the YAML config must set, restricted to ``choices``."""
    return field(default=MISSING, metadata={"choices": choices})


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the key and what is allowed."""


def check_number(key: str, value: float, meta: Mapping[str, Any]) -> None:
    """Raise ConfigError naming ``key`` unless ``value`` is finite and within ``meta``'s ``ge`` and ``le``."""
    lo, hi = meta.get("ge"), meta.get("le")
    if not math.isfinite(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = [f">= {lo}" if lo is not None else "", f"<= {hi}" if hi is not None else ""]
        allowed = " and ".join(["a finite number", *(b for b in bounds if b)])
        raise ConfigError(f"{key}={value!r} is out of range; allowed: {allowed}")


def declared_range(cfg: DictConfig, key: str) -> Mapping[str, Any]:
    """The allowed values the schema declares for ``key`` of a structured config (empty if it declares none).

    A study's ranges are checked against it (``low`` and ``high`` both
    allowed) before its first simulation, not when a drawn value fails.
    """
    parent_key, _, name = key.rpartition(".")
    parent = OmegaConf.select(cfg, parent_key) if parent_key else cfg
    schema = OmegaConf.get_type(parent) if isinstance(parent, DictConfig) else None
    if schema is None or not is_dataclass(schema):
        return {}
    return next((f.metadata for f in fields(schema) if f.name == name), {})


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system reports it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def check_workers(workers: int) -> None:
    """A study's ``workers`` run on this machine: between 1 and its cores (more only wait, and take memory)."""
    cores = usable_cores()
    if not 1 <= workers <= cores:
        raise ConfigError(f"workers={workers} is out of range; allowed: 1 to {cores} (this machine's cores)")


def check_names(key: str, names: list[str], allowed: list[str], what: str) -> None:
    """Raise ConfigError naming ``key`` and the allowed names unless each of ``names`` is one of ``allowed``."""
    for name in names:
        if name not in allowed:
            choose = f"choose from {', '.join(allowed) or 'none'}"
            raise ConfigError(f"{key}: {name!r} is not {what}; {choose}{did_you_mean(name, allowed)}")


def did_you_mean(name: str, allowed: Iterable[object], prefix: str = "") -> str:
    """``"; did you mean 'x'?"`` naming the allowed names closest to a mistyped ``name`` (difflib), or ``""``."""
    close = difflib.get_close_matches(name, [str(a) for a in allowed], n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(prefix + c) for c in close)}?" if close else ""


def unknown_key(key: str, allowed: Iterable[object]) -> str:
    """The message for a dotted ``key`` whose last part is none of the ``allowed`` keys at its level."""
    parent, _, last = key.rpartition(".")
    names = [str(a) for a in allowed]
    hint = did_you_mean(last, names, f"{parent}." if parent else "")
    return f"unknown key {key!r}{hint or '.'} The keys at {parent or 'the top level'} are {', '.join(names)}"


def unknown_option(group: str, option: str, options: Iterable[object]) -> str:
    """The message for an ``option`` that is not a file of config group ``group`` (``configs/<group>/``)."""
    names = [str(o) for o in options]
    hint = did_you_mean(option, names)
    return f"{group}={option!r} is not an option{hint or '.'} The options of {group} are {', '.join(names)}"


def plain_mapping(cfg: DictConfig | ListConfig, resolve: bool = False) -> dict[str, Any]:
    """A config section as plain dicts and lists (``OmegaConf.to_container``); interpolations left as written.

    The sections the model reads are mappings keyed by name, which is what the
    result is typed as.
    """
    plain = OmegaConf.to_container(cfg, resolve=resolve)
    if not isinstance(plain, dict):
        raise ConfigError(f"expected a mapping of keys, got {type(plain).__name__}")
    return {str(key): value for key, value in plain.items()}


def typed_config[T](schema: type[T], cfg: DictConfig) -> T:
    """``cfg`` merged onto ``schema``'s structured config, as a ``schema`` object.

    OmegaConf checks the types; a wrong type or a key the schema has no field
    for (:func:`reject_unknown_keys`) is a :class:`ConfigError` naming the key.
    """
    try:
        typed = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(schema), cfg))
    except OmegaConfBaseException as exc:
        key = getattr(exc, "full_key", None)
        first_line = str(exc).splitlines()[0]
        raise ConfigError(f"{key}: {first_line}" if key else first_line) from None
    if not isinstance(typed, schema):
        raise ConfigError(f"the config is not a {schema.__name__}")
    reject_unknown_keys(plain_mapping(cfg), typed)
    return typed


def reject_unknown_keys(given: Mapping[str, Any], typed: Any, path: str = "") -> None:
    """Raise ConfigError for a key of the composed config ``given`` that the typed object has no field for.

    Hydra's ``+key=value`` adds keys past the schema, and the typed object
    silently drops them: a value nobody reads would look like a setting.
    """
    for key, value in given.items():
        if is_dataclass(typed):
            names = [f.name for f in fields(typed)]
            if key not in names:
                raise ConfigError(unknown_key(f"{path}{key}", names))
            child = getattr(typed, key)
        elif isinstance(typed, dict) and key in typed:
            child = typed[key]
        else:
            continue
        if isinstance(value, Mapping):
            reject_unknown_keys(value, child, f"{path}{key}.")


def check_countries(obj: Any) -> None:
    """A scenario's chosen countries exist, once each, and each country's block is consistent.

    ``obj`` is a :class:`sim.params.schema.ScenarioParams` (typed loosely: the schema imports this module).
    """
    if not obj.countries:
        raise ConfigError(f"countries: choose at least one of {', '.join(obj.nations)}")
    if len(set(obj.countries)) != len(obj.countries):
        raise ConfigError(f"countries={obj.countries}: a country is listed twice")
    for code in obj.countries:
        if code not in obj.nations:
            raise ConfigError(f"countries: {code!r} is not a known country; choose from {', '.join(obj.nations)}")
    for code, nation in obj.nations.items():
        key = f"nations.{code}"
        if nation.code != code:
            raise ConfigError(f"{key}.code={nation.code!r} must equal its key {code!r}")
        check_names(f"{key}.embassies", nation.embassies, list(obj.origins), "an origin")
        check_names(f"{key}.attache_posts", nation.attache_posts, nation.embassies, f"one of {key}.embassies")
        if nation.detention_max_days_extended < nation.detention_max_days:
            raise ConfigError(f"{key}.detention_max_days_extended must be >= {key}.detention_max_days")
