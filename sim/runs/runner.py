"""Run a scenario's replications and write its results to a run directory."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml
from omegaconf import OmegaConf
from tqdm import tqdm

from sim.model import kernels_cached
from sim.model.model import ReturnModel
from sim.outputs.columns_page import COLUMNS_PAGE, columns_page
from sim.outputs.files import (
    COMPLETION_MARKER,
    OVERRIDES_FILE,
    file_sha256,
    frame_hash,
    versions,
    write_json,
    write_table,
    write_text,
)
from sim.outputs.metrics import summarise
from sim.outputs.yearly import yearly
from sim.params.compose import changed_from_defaults
from sim.params.levers import LEVER_LABELS
from sim.params.schema import ScenarioParams

COMPILING = (
    "returnsim: compiling the model's kernels once for this version of the code (about two minutes on two cores; "
    "later runs start at once)"
)


@dataclass
class ReplicationResult:
    """What one replication produced."""

    replication: int
    register: pd.DataFrame
    stocks: pd.DataFrame
    flights: pd.DataFrame
    summary: pd.DataFrame
    yearly: pd.DataFrame
    transitions: pd.DataFrame | None
    events: int
    seconds: float


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a model runs.

    A run allocates hundreds of thousands of short-lived objects that
    reference counting frees on its own (cases, timers, requests); with the
    collector on, its repeated scans of the live cases cost about 40 % of the
    run time (measured on the default scenario). Collected once at the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def run_replication(params: ScenarioParams, replication: int) -> ReplicationResult:
    """Build and run one model (:class:`sim.model.model.ReturnModel`).

    A pure function of ``(params, replication)``, in any process.
    """
    with gc_paused():
        start = time.perf_counter()
        model = ReturnModel(params, replication)
        model.run()
        seconds = time.perf_counter() - start
    register = model.case_register()
    flights = model.flights()
    stocks = model.stocks()
    return ReplicationResult(
        replication,
        register,
        stocks,
        flights,
        summarise(model, register, flights),
        yearly(register, stocks, flights, model.police_classes(), model.detentions(), params),
        model.transitions(),
        model.events_processed,
        seconds,
    )


def run_scenario(params: ScenarioParams, out_dir: Path | None) -> list[ReplicationResult]:
    """Run every replication in this process; write results to ``out_dir`` if given.

    Several replications show a progress bar (rate, time left) on a terminal.
    The first run of a version of the model compiles its kernels, which
    takes a while: it says so first.
    """
    if not params.output.quiet and not kernels_cached():
        print(COMPILING, file=sys.stderr, flush=True)
    quiet = params.output.quiet or params.replications == 1
    steps = tqdm(range(params.replications), desc="replications", unit="rep", disable=True if quiet else None)
    results = [run_replication(params, r) for r in steps]
    if out_dir is not None:
        write_results(params, results, out_dir)
    return results


def objective_means(objectives: list[str], summary: pd.DataFrame) -> tuple[float, ...]:
    """Each objective's mean over the replications, in the pooled country (``ALL``) or the only one."""
    pooled = summary[summary["country"] == "ALL"] if (summary["country"] == "ALL").any() else summary
    return tuple(float(pooled[name].mean()) for name in objectives)


def objective_values(objectives: list[str], summary: pd.DataFrame) -> float | tuple[float, ...]:
    """What a run returns to an optimising sweeper (``goal.objectives``): :func:`objective_means`.

    Optuna minimises or maximises these numbers; one objective is returned as
    a number, as a single-objective study expects.
    """
    values = objective_means(objectives, summary)
    return values[0] if len(values) == 1 else values


def config_text(params: ScenarioParams) -> str:
    """The exact, fully resolved config of a run, as saved in its ``config.yaml``."""
    return OmegaConf.to_yaml(OmegaConf.structured(params))


def overrides_text(params: ScenarioParams) -> str:
    """``overrides.yaml``: each key the run changed from returnsim's defaults, with both values."""
    changed = changed_from_defaults(params)
    head = (
        "# What this run changed from returnsim's defaults (the config composed with no override), key by key:\n"
        "# run: this run's value; default: the default's. config.yaml holds every value the run used.\n"
    )
    return head + yaml.safe_dump(changed, sort_keys=False, allow_unicode=True, width=120)


def write_results(params: ScenarioParams, results: list[ReplicationResult], out_dir: Path) -> None:
    """Write config, tables, figures and, last, the completion marker listing every file with its hash."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / COMPLETION_MARKER).unlink(missing_ok=True)  # unfinished until the new marker is written
    write_text(out_dir / "config.yaml", config_text(params))
    write_text(out_dir / OVERRIDES_FILE, overrides_text(params))
    written = ["config.yaml", OVERRIDES_FILE]

    def table(name: str, frames: list[pd.DataFrame | None]) -> None:
        write_table(out_dir / name, pd.concat(frames, ignore_index=True))
        written.append(name)

    out = params.output
    if out.case_register:
        table("case_register.parquet", [r.register for r in results])
    if out.stocks:
        table("stocks.parquet", [r.stocks for r in results])
    if out.flights:
        table("flights.parquet", [r.flights for r in results])
    if out.transitions:
        table("transitions.parquet", [r.transitions for r in results])
    summary = pd.concat([r.summary for r in results], ignore_index=True)
    table("summary.parquet", [summary])
    table("summary.csv", [summary])
    table("yearly.csv", [r.yearly for r in results])
    write_text(out_dir / COLUMNS_PAGE, columns_page(written))
    written.append(COLUMNS_PAGE)
    if out.figures:  # the plotting libraries load only when figures are drawn
        from sim.outputs import figures as plots
        from sim.outputs.figure_style import png_of
        from sim.outputs.history_figure import history_figure

        stocks = pd.concat([r.stocks for r in results], ignore_index=True)
        register = pd.concat([r.register for r in results], ignore_index=True)
        figures = out_dir / "figures"
        drawn = [
            plots.stocks_figure(stocks, params.warmup_days, figures / "stocks"),
            plots.outcomes_figure(register, params.warmup_days, figures / "outcomes"),
            plots.flights_figure(summary, figures / "flights"),
        ]
        history = params.history
        if history.published and history.country in params.countries:
            yearly_all = pd.concat([r.yearly for r in results], ignore_index=True)
            drawn.append(history_figure(yearly_all, history, history.country, figures / "history"))
        for png in (png_of(d) for d in drawn if d is not None):
            written += [f"figures/{png.name}", f"figures/{png.with_suffix('.svg').name}"]
    write_json(
        out_dir / COMPLETION_MARKER,
        {
            "status": "complete",
            "files": {name: file_sha256(out_dir / name) for name in written},
            "seed": params.seed,
            "replications": params.replications,
            "register_sha256": {r.replication: frame_hash(r.register) for r in results},
            "events": {r.replication: r.events for r in results},
            "model_seconds": {r.replication: round(r.seconds, 3) for r in results},
            "versions": versions(),
        },
    )


TERMINAL_METRICS = [
    "decisions",
    "return_rate",
    "cohort_return_rate_12m",
    "median_days_to_return",
    "share_ever_absconded",
    "voluntary_share_of_returns",
    "share_detained",
    "forced_returns",
    "charters_flown",
    "cost_per_return",
]
"""The metrics the terminal summary of a run shows (every metric is in ``summary.csv``)."""


def format_summary(params: ScenarioParams, summary: pd.DataFrame) -> str:
    """The terminal summary: what was run, then each key metric's mean and unit per country.

    With several replications each mean has its 95 % t-interval over them,
    which covers seed noise only (at the run's parameter values).
    """
    from sim.analysis.intervals import summary_intervals  # scipy: loaded for the terminal summary only

    reps = params.replications
    head = (
        f"{', '.join(params.countries)}: {params.horizon_days} days measured after a {params.warmup_days}-day "
        f"warm-up; {reps} replication{'s' if reps > 1 else ''} (seed {params.seed})"
    )
    if reps > 1:
        head += "; mean [95 % interval over replications: seed noise only]"
    table = summary_intervals(summary, TERMINAL_METRICS)
    table["value"] = [
        _number(m, unit) + (f" [{_number(lo, unit)}, {_number(hi, unit)}]" if reps > 1 else "")
        for m, lo, hi, unit in table[["mean", "ci_low", "ci_high", "unit"]].itertuples(index=False)
    ]
    wide = table.pivot(index=["metric", "unit"], columns="country", values="value")
    wide = wide.reindex(TERMINAL_METRICS, level="metric")[list(dict.fromkeys(table["country"]))]
    return head + "\n\n" + wide.reset_index().to_markdown(index=False, tablefmt="simple", disable_numparse=True)


def scenario_in_words(params: ScenarioParams) -> str:
    """The levers (each group's option), the history and the timeline's lever switches, in one line."""
    levers = ", ".join(f"{label} {getattr(params, group).mode}" for group, label in LEVER_LABELS.items())
    history = params.history
    if history.years:
        years = f"{history.first_year}-{history.first_year + len(history.years) - 1}"
        ran = f"history {history.name} ({history.country}, calendar years {years})"
    else:
        ran = "no history (a steady state at the configured volumes)"
    switches = [
        f"{LEVER_LABELS[key.split('.')[0]]} {value} from day {change.day}"
        for change in params.timeline
        for key, value in change.set.items()
        if key.endswith(".mode") and key.split(".")[0] in LEVER_LABELS
    ]
    others = sum(  # keys besides a lever's switch and the values its option sets with it
        1
        for change in params.timeline
        for key in change.set
        if f"{key.split('.')[0]}.mode" not in change.set or key.split(".")[0] not in LEVER_LABELS
    )
    timeline = "; ".join([*switches, *([f"{others} other timeline change(s)"] if others else [])])
    return f"Levers: {levers}; {ran}" + (f"; timeline: {timeline}" if timeline else "")


def _number(x: float, unit: str) -> str:
    """Shares with three decimals, other values below 100 with one, larger ones whole; nan as a dash."""
    if x != x:
        return "-"
    if unit == "share":
        return f"{x:.3f}"
    return f"{x:,.1f}" if abs(x) < 100 else f"{x:,.0f}"
