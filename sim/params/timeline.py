"""Changes of levers, capacities and arrivals on given days of a run (the config's ``timeline``).

A change is ``{day: d, set: {key: value, ...}}``: from day ``d`` of the
measured horizon (1 = its first day; the warm-up runs on the values at the
start) the keys hold the new values. Keys are the config's own dotted keys
(``nations.SE.police_officers``, ``colocation.handover_admin_days``,
``nations.SE.decisions_per_year`` for an arrivals series). Each change is
applied to the values in force before it and validated like any config, so
an unknown key, a wrong type or a value out of range is an error naming
``timeline[i]`` before anything runs. The model applies a change through the
same mechanisms as a value set from the start (:mod:`sim.model.timeline`). A history
(:mod:`sim.params.history`) adds its years' changes to the timeline.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from omegaconf import MISSING

from sim.params.checks import ConfigError, unknown_key

CHANGEABLE = (
    "nations",
    "behaviour",
    "colocation",
    "info_sharing",
    "avr",
    "field_effects",
    "origins",
    "attaches",
    "flights",
    "monitoring",
    "transit",
    "other_removals",
)
"""Top-level groups a timeline may change: the levers, capacities, arrivals, hazards, origins and the route."""
FIXED_AT_START = {
    "attaches.mode": "the attachés' network is set up when the run starts",
    "transit.mode": "the transit route is set up when the run starts (transit.places_per_year: 0 stops the programme)",
    "attaches.embassy_access": "the attachés' reach through neighbours' embassies is set up when the run starts",
    "embassies": "the attachés' reach through neighbours' embassies is set up when the run starts",
    "behaviour.enforcement_feedback": "the removal-risk signal keeps its window and form for the whole run",
    "behaviour.abscond_willingness_exponent": "each case's abscond propensity is set from it when the case opens",
    "attache_posts": "attachés are posted when the run starts",
    "code": "a country's code names it",
}
"""Keys (or last parts of keys) built into the model's structure when it starts, and why."""
HAZARD_KEYS = (
    *("behaviour.", "avr.departure_multiplier", "avr.abscond_multiplier"),
    *(".voluntary_departure_days", ".centre_abscond_multiplier"),
)
"""Keys the migrants' hazards read: a change of one makes every open case draw its next transition again
that day (hazards are memoryless, so the redraw is exact). Other changes act on what happens from that day
without touching the cases' timers, which keeps common random numbers with a run without the change."""


@dataclass
class Change:
    """One entry of the timeline: from ``day`` of the measured horizon, the values of ``set`` hold."""

    day: int = MISSING
    set: dict[str, Any] = field(default_factory=dict)


def changes_hazards(keys: Mapping[str, Any]) -> bool:
    """Whether any of ``keys`` is read by the migrants' hazards (see :data:`HAZARD_KEYS`)."""
    return any(k.startswith(h) or (h.startswith(".") and k.endswith(h)) for k in keys for h in HAZARD_KEYS)


def moves_open_cases(keys: Mapping[str, Any]) -> list[str]:
    """Countries whose change sets ``centre_moves_open_cases`` on: their open cases move into centres that day."""
    return [k.split(".")[1] for k, v in keys.items() if k.endswith(".centre_moves_open_cases") and v is True]


def apply_change[P](params: P, values: Mapping[str, Any], where: str, *, during_run: bool = True) -> P:
    """A copy of ``params`` with ``values`` (dotted keys) set; ``where`` prefixes every error message.

    ``during_run``: the values change during a run, so keys built into the
    model's structure at its start are refused (:data:`FIXED_AT_START`);
    false for values set before a run (a study's parameter point).

    Copy on write: the objects along each key's path are copied, every other
    part is shared with ``params`` (parameters are not changed once made, so
    sharing is safe, and a history's ten stages cost ten small copies).
    """
    new = copy.copy(params)
    set_in_place(new, values, where, during_run=during_run)
    return new


def set_in_place(params: Any, values: Mapping[str, Any], where: str, *, during_run: bool = True) -> None:
    """Set ``values`` (dotted keys) in ``params`` itself, each checked as a timeline's change is.

    The objects below ``params`` along each key's path are replaced by copies,
    so an object ``params`` shares with another is never changed.
    """
    for key, value in values.items():
        if during_run:
            _check_changeable(key, where)
        parent, last = _parent(params, key, where)  # checks the path, naming an unknown part
        current = getattr(parent, last) if is_dataclass(parent) else parent[last]
        typed = _typed(value, current, f"{where}{key}")
        obj = params
        for part in key.split(".")[:-1]:
            child = copy.copy(getattr(obj, part) if is_dataclass(obj) else obj[part])
            if is_dataclass(obj):
                setattr(obj, part, child)
            else:
                obj[part] = child
            obj = child
        if is_dataclass(obj):
            setattr(obj, last, typed)
        else:
            obj[last] = typed


def _check_changeable(key: str, where: str) -> None:
    parts = key.split(".")
    if parts[0] not in CHANGEABLE:
        raise ConfigError(f"{where}{key}: cannot change during a run; a timeline changes {', '.join(CHANGEABLE)}")
    for fixed, why in FIXED_AT_START.items():
        if key == fixed or key.startswith(fixed + ".") or ("." not in fixed and parts[-1] == fixed):
            raise ConfigError(f"{where}{key}: cannot change during a run ({why})")


def _parent(obj: Any, key: str, where: str) -> tuple[Any, str]:
    """The object holding the last part of ``key``, and that part; an error naming the first unknown part."""
    parts = key.split(".")
    for i, part in enumerate(parts):
        names = [f.name for f in fields(obj)] if is_dataclass(obj) else list(obj) if isinstance(obj, dict) else []
        if part not in names:
            raise ConfigError(f"{where}{key}: {unknown_key('.'.join(parts[: i + 1]), names)}")
        if i == len(parts) - 1:
            return obj, part
        obj = getattr(obj, part) if is_dataclass(obj) else obj[part]
    raise AssertionError("unreachable")


def _typed(value: Any, current: Any, key: str) -> Any:
    """``value`` in the type of the value it replaces; a ConfigError naming ``key`` if it cannot be."""
    if isinstance(current, bool):
        ok = isinstance(value, bool)
    elif isinstance(current, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(current, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(current, str):
        ok = isinstance(value, str)
    elif isinstance(current, list):
        ok = isinstance(value, (list, tuple))
        value = list(value) if ok else value
    else:
        ok = False
    if not ok:
        raise ConfigError(f"{key}={value!r}: expected a value of type {type(current).__name__}")
    return value
