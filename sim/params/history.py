"""A country's history as the model's input: the values of each calendar year, and the outcomes published for it.

A history (config group ``history``) runs the measured horizon as calendar
years: day 1 is 1 January of ``first_year``, after a warm-up on that year's
values. Each entry of ``years`` sets, from 1 January of its year, the
config's own dotted keys (``nations.SE.decisions_per_year``,
``nations.SE.detention_places``...) as a timeline's change does; so a
history and a lever timeline combine, and a key set on the same day by both
is refused. ``requires`` names the keys every year must set (the series
without which the year is not that year). ``published`` holds the figures
published for the history's years (a column of the yearly table, its value,
how exactly the figure pins the model's outcome, and its source): the
calibration fits those of the years up to ``fitted_until``, the later ones
are the forecast check, and the history's figure draws them all.

This module reads and checks configs only; it imports nothing of the model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from omegaconf import MISSING

from sim.params.checks import ConfigError
from sim.params.scaling import SCALED_KEYS
from sim.params.timeline import Change


@dataclass
class HistoryYear:
    """The values that hold from 1 January of ``year`` (dotted config keys, as a timeline change's ``set``)."""

    year: int = MISSING
    set: dict[str, Any] = field(default_factory=dict)


@dataclass
class Published:
    """A figure published for one year: what the model's yearly table should show, and how exactly."""

    year: int = MISSING
    metric: str = MISSING
    """A column of the yearly table (``yearly.csv``)."""
    value: float = MISSING
    sd: float = MISSING
    """How far the model's outcome may be from the figure and still match it (a rounded or loosely defined
    count is not known better than a third): the calibration's tolerance."""
    source: str = MISSING


@dataclass
class History:
    """Calendar years of inputs, and the outcomes published for them (``none``: a steady state, no years)."""

    name: str = MISSING
    country: str = MISSING
    """The country whose figures the history's published outcomes are (a code; empty with no history)."""
    first_year: int = MISSING
    """The calendar year whose 1 January is the horizon's first day (0 with no history)."""
    fitted_until: int = MISSING
    """The last year whose published figures the calibration fits; later years are the forecast check."""
    requires: list[str] = MISSING
    years: list[HistoryYear] = MISSING
    published: list[Published] = MISSING
    scale: float = MISSING
    """The years' volumes and capacities (``nations.*`` keys of :data:`sim.params.scaling.SCALED_KEYS`) at this
    fraction of their value: a country run small keeps its history's ratios (``scale_country`` sets it)."""


def calendar_day(history: History, year: int) -> int:
    """The horizon's day (1 = 1 January of ``first_year``) on which ``year`` begins."""
    return (dt.date(year, 1, 1) - dt.date(history.first_year, 1, 1)).days + 1


def year_of(history: History, day: int) -> int:
    """The calendar year of the horizon's ``day``."""
    return (dt.date(history.first_year, 1, 1) + dt.timedelta(days=day - 1)).year


def history_days(history: History) -> int:
    """Days from 1 January of the first year to 31 December of the last."""
    return calendar_day(history, history.years[-1].year + 1) - 1 if history.years else 0


YEAR_DAYS = 365
"""The length of a year of a run without a history (its years are numbered from 1)."""


def year_bounds(history: History, horizon_days: int) -> list[tuple[int, int, int]]:
    """Each year of the horizon: its label, first and last day (horizon days, 1 = the first; the last may be short).

    With a history, calendar years (a later year than the history's last
    continues the calendar); without, years of :data:`YEAR_DAYS` numbered from 1.
    """
    bounds = []
    if history.years:
        year = history.first_year
        while (first := calendar_day(history, year)) <= horizon_days:
            bounds.append((year, first, min(calendar_day(history, year + 1) - 1, horizon_days)))
            year += 1
        return bounds
    for k, first in enumerate(range(1, horizon_days + 1, YEAR_DAYS), start=1):
        bounds.append((k, first, min(first + YEAR_DAYS - 1, horizon_days)))
    return bounds


def check_history(history: History) -> None:
    """The years follow one another from ``first_year``, each sets the required keys; published figures are sane.

    A ConfigError names the entry (``history.years[i]``) and the year.
    """
    if not history.scale > 0:
        raise ConfigError(f"history.scale={history.scale} is out of range; allowed: > 0")
    if not history.years:
        if history.published:
            raise ConfigError("history.published: figures given, but the history has no years")
        return
    if history.first_year < 1900:
        raise ConfigError(f"history.first_year={history.first_year} is out of range; allowed: a calendar year")
    previous = history.first_year - 1
    for i, entry in enumerate(history.years):
        where = f"history.years[{i}] (year {entry.year})"
        if entry.year <= previous:
            kind = "repeats an earlier year" if entry.year == previous else "runs backwards"
            raise ConfigError(f"{where}: {kind}; years must follow one another from {history.first_year}")
        if entry.year != previous + 1:
            raise ConfigError(f"{where}: year {previous + 1} is missing; years must follow one another")
        missing = [key for key in history.requires if key not in entry.set]
        if missing:
            raise ConfigError(f"{where}: sets no {', '.join(missing)} (history.requires: every year sets it)")
        previous = entry.year
    last = history.years[-1].year
    for i, figure in enumerate(history.published):
        where = f"history.published[{i}] ({figure.metric} {figure.year})"
        if not history.first_year <= figure.year <= last:
            raise ConfigError(f"{where}: the year is out of range; allowed: {history.first_year}-{last}")
        if not figure.sd > 0:
            raise ConfigError(f"{where}: sd={figure.sd} is out of range; allowed: > 0")
    if not history.first_year - 1 <= history.fitted_until <= last:
        raise ConfigError(
            f"history.fitted_until={history.fitted_until} is out of range; allowed: {history.first_year - 1}-{last}"
        )


def year_values(history: History, entry: HistoryYear) -> dict[str, Any]:
    """The values a year sets, volumes and capacities at the history's ``scale`` (whole numbers stay whole)."""
    if history.scale == 1.0:
        return dict(entry.set)
    values = {}
    for key, value in entry.set.items():
        if key.startswith("nations.") and key.rsplit(".", 1)[-1] in SCALED_KEYS:
            scaled = value * history.scale
            value = max(round(scaled), 1 if value >= 1 else 0) if isinstance(value, int) else scaled
        values[key] = value
    return values


def check_overrides(history: History, overrides: list[str]) -> None:
    """Refuse an override of a key the history sets every year: it would never be read.

    The history's first year replaces it from the start, each later year on its 1 January.
    """
    for item in overrides:
        key = item.partition("=")[0].lstrip("+~")
        if history.years and all(key in entry.set for entry in history.years):
            raise ConfigError(
                f"{item}: history {history.name} sets {key} in every year, so this value would never be read; "
                "edit the history's years, or change it with a timeline on another day than a 1 January"
            )


def history_changes(history: History, horizon_days: int) -> list[Change]:
    """The years after the first as timeline changes on their 1 January (those beyond the horizon left out)."""
    changes = [Change(day=calendar_day(history, e.year), set=year_values(history, e)) for e in history.years[1:]]
    return [change for change in changes if change.day <= horizon_days]


def merged_timeline(history: History, timeline: list[Change], horizon_days: int) -> list[Change]:
    """The history's changes and a lever ``timeline`` as one timeline, by day; a key both set on one day is refused."""
    by_day = {change.day: dict(change.set) for change in history_changes(history, horizon_days)}
    for i, change in enumerate(timeline):
        day = by_day.setdefault(change.day, {})
        both = sorted(set(day) & set(change.set))  # the lever timeline has one change a day: these are the history's
        if both:
            year = year_of(history, change.day)
            raise ConfigError(
                f"timeline[{i}] (day {change.day}) sets {', '.join(both)}, which history {history.name} sets on the "
                f"same day (1 January {year}): change it on another day, or edit the history"
            )
        day.update(change.set)
    return [Change(day=d, set=values) for d, values in sorted(by_day.items())]
