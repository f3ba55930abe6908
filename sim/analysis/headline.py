"""The first lines of a report: each effect in words with what its interval covers, after the design's warnings.

A reader who stops after the headline should know the answer, how sure it
is, and whether the design can carry it: too few seeds per scenario, a
warm-up shorter than the steady state's, or runs that differ in horizon or
warm-up are said before any number.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.collect import swept_parameters
from sim.outputs.figure_style import design
from sim.params.levers import LEVER_LABELS

MIN_SEEDS = 5
"""Fewer seeds per scenario than this give an interval on too few degrees of freedom to carry a claim."""
DESIGN = {"horizon_days": "horizon", "warmup_days": "warm-up"}
"""Keys (days) whose values make runs measure different quantities: a level over another horizon is another level."""
FEEDBACK = "behaviour.enforcement_feedback.form"
FEEDBACK_WORDS = {"none": "feedback off", "removal_risk": "feedback on"}
WORDS = {**LEVER_LABELS, "timelines": "timeline", "country": "countries", "history": "history"}
"""Config groups' names in words; another key is shown as ``key = value``."""


def design_warnings(runs: pd.DataFrame, warmup_days: int, steady_warmup_days: int) -> list[str]:
    """What in the sweep's design cannot carry a claim, in words (empty when nothing)."""
    warnings = []
    seeds = int(runs.groupby("scenario", observed=True)["seed"].nunique().min())
    if seeds < MIN_SEEDS:
        warnings.append(
            f"{seeds} seed{'s' if seeds != 1 else ''} per scenario, fewer than {MIN_SEEDS}: the intervals rest on "
            f"too few degrees of freedom to carry a claim (run seed=range(0,10))"
        )
    if warmup_days < steady_warmup_days:
        warnings.append(
            f"a warm-up of {warmup_days:,} days, shorter than the steady state's {steady_warmup_days:,}: the "
            "open stocks have not settled when measuring starts"
        )
    varied = [key for key in swept_parameters(runs) if key in DESIGN]
    if varied:
        warnings.append(
            f"the runs differ in {', '.join(varied)}: their levels are different quantities, and so are effects "
            "measured on them"
        )
    return warnings


def in_words(runs: pd.DataFrame, scenario: str, baseline: str | None = None) -> tuple[str, str]:
    """A scenario's swept values in words: those that differ from ``baseline``'s, and those it shares.

    ``("co-location: full", "feedback on")``: the lever, and the stratum the baseline shares.
    """
    row = _first(runs, scenario)
    base = _first(runs, baseline) if baseline is not None else None
    differ: list[str] = []
    shared: list[str] = []
    for key in swept_parameters(runs):
        value = str(row[key])
        if key == FEEDBACK:
            words = FEEDBACK_WORDS.get(value, f"feedback {value}")
        elif key in WORDS:
            words = f"{WORDS[key]}: {value.replace('_', ' ')}"
        else:
            words = f"{key} = {value}"
        (shared if base is not None and str(base[key]) == value else differ).append(words)
    return ", ".join(differ) or scenario, ", ".join(shared)


def headline(table: pd.DataFrame, runs: pd.DataFrame, warnings: list[str]) -> list[str]:
    """The report's first section: the warnings, then one line per scenario and metric of the shown country."""
    lines = ["## Headline", ""]
    lines += [f"**Design warning: {warning}.**" for warning in warnings]
    if warnings:
        lines.append("")
    if not len(table):
        return [*lines, "No scenario differs from the baseline in this sweep.", ""]
    countries = table["country"].unique()
    country = "ALL" if "ALL" in countries else countries[0]
    draws = int(table["draws"].max())
    over = design(int(runs["seed"].nunique()), draws, int(runs["replication"].nunique()))
    covers = (
        f"parameter and seed uncertainty: {over}" if draws > 1 else f"seed noise only: {over}, at the preset's values"
    )
    lines += [
        f"Each scenario against its baseline, {country}: the mean paired difference and its 95 % interval ({covers}).",
        "",
    ]
    for r in table[table["country"] == country].itertuples():
        differ, shared = in_words(runs, str(r.scenario), str(r.baseline))
        context = f" ({shared})" if shared else ""
        lines.append(
            f"- {differ}{context}: {str(r.metric).replace('_', ' ')} {_signed(r.difference)} "
            f"({_signed(r.ci_low)} to {_signed(r.ci_high)})"
        )
    return [*lines, ""]


def _first(runs: pd.DataFrame, scenario: str) -> pd.Series:
    return runs[runs["scenario"].astype(str) == scenario].iloc[0]


def _signed(x: float) -> str:
    """A signed number: three significant digits, whole thousands separated, four decimals below 1 (a share)."""
    if pd.isna(x):
        return "–"
    if abs(x) >= 1000:
        return f"{x:+,.0f}"
    return f"{x:+.3g}" if abs(x) >= 1 else f"{x:+.4f}"
