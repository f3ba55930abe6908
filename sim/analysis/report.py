"""The report of a sweep: one tidy table of every run, effects with intervals, figures and a page.

``returnsim-report <sweep dir>`` (also run when a sweep ends) reads every
complete run of the sweep and writes, into the sweep folder:

- ``runs.parquet``: a row per run x country x replication; columns are the
  overrides of the run (the swept parameters), ``scenario``, ``seed``,
  ``replication``, ``country`` and every summary metric;
- ``effects.csv``: each scenario's difference to the baseline scenario per
  metric and country, paired by posterior draw, seed and replication (common
  random numbers), with its 95 % interval, the interval of seed noise alone,
  the unpaired (Welch) interval, and, when the runs cover several posterior
  draws (``uncertainty=posterior``), the effect's spread over the draws
  (plausible worlds), its parameter and stochastic parts and the share of
  draws in which it has the sign of the mean effect;
- ``figures/``: metrics by scenario, paired effects, stock series and
  cumulative incidence of return, absconding and expiry (PNG and SVG);
- ``report.md``: the question, the design, the table of effects, the
  figures and the config that produced them;
- for a sweep of a history (``history=...``): ``effects_by_year.csv``, the
  effects on the report's ``yearly`` columns per calendar year, and
  ``figures/history.png``, the baseline scenario's runs (seeds and posterior
  draws) against the history's published figures.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf
from tqdm import tqdm

from sim.analysis.collect import (
    ReportError,
    collect_runs,
    incidence_curves,
    incomplete_error,
    run_config,
    skipped_lines,
    stock_series,
    swept_parameters,
    yearly_runs,
)
from sim.analysis.effects import baselines, effects, shares_of_total, strata_of
from sim.analysis.markdown import report_page
from sim.outputs.columns_page import COLUMNS_PAGE, columns_page
from sim.outputs.figure_style import png_of
from sim.outputs.files import output_set, write_table, write_text
from sim.outputs.history_figure import history_figure
from sim.params.checks import typed_config
from sim.params.entry import guarded
from sim.params.history import History


# --- the report -------------------------------------------------------------------------
def write_report(sweep_dir: Path, allow_incomplete: bool = False) -> tuple[Path, dict[str, str]]:
    """Collect the sweep, compute effects, draw figures and write ``report.md``; return its path and the runs left out.

    A run that is not complete is an error naming each such run (nothing is
    written) unless ``allow_incomplete`` or the sweep's
    ``report.allow_incomplete`` is true; the runs left out are then listed
    on the page and returned with why.
    """
    from sim.analysis import figures as figs  # plotting libraries load only when a report is drawn

    sweep_dir = Path(sweep_dir)
    skipped: dict[str, str] = {}
    runs = collect_runs(sweep_dir, skipped)
    first = sweep_dir / runs["run"].iloc[0]
    cfg = run_config(first)
    spec = cfg["report"]  # validated with the run's whole config (sim.outputs.saved.inspect_run)
    if skipped and not (allow_incomplete or spec["allow_incomplete"]):
        raise incomplete_error(sweep_dir, skipped)
    page = sweep_dir / "report.md"
    page.unlink(missing_ok=True)  # the page marks a report complete: none until this one's is written
    with output_set():  # every table and figure of the report, or none (a failure removes what it wrote)
        metrics = spec["metrics"]
        baseline_of = baselines(runs, spec["baseline"])
        strata = strata_of(runs, spec["baseline"])
        write_table(sweep_dir / "runs.parquet", runs)
        table = effects(runs, metrics, baseline_of)
        write_table(sweep_dir / "effects.csv", table)
        tables = ["runs.parquet", "effects.csv"]
        shares = shares_of_total(runs, metrics, baseline_of, spec["total"]) if spec.get("total") else None
        if shares is not None:
            write_table(sweep_dir / "shares.csv", shares)
            tables.append("shares.csv")
        write_text(sweep_dir / COLUMNS_PAGE, columns_page(tables))
        fig_dir = sweep_dir / "figures"
        figures: dict[str, Callable[[], object]] = {
            "metrics": lambda: figs.metrics_figure(runs, metrics, baseline_of, strata, fig_dir / "metrics")
        }
        if len(runs["scenario"].cat.categories) > 1:
            figures["effects"] = lambda: figs.effects_figure(runs, metrics, baseline_of, strata, fig_dir / "effects")
        if "flights" in swept_parameters(runs) and runs["charter_returnees"].sum() > 0:
            title = "Charter flights and who paid"
            figures["flights"] = lambda: figs.metrics_figure(
                runs, figs.FLIGHT_METRICS, baseline_of, strata, fig_dir / "flights", title
            )
        stocks = stock_series(sweep_dir, runs, spec["stocks"])
        if len(stocks):
            figures["stocks"] = lambda: figs.stocks_figure(
                stocks, cfg["warmup_days"], runs, baseline_of, strata, fig_dir / "stocks"
            )
        history = _history_of(cfg)
        if history is not None:
            years = yearly_runs(sweep_dir, runs)
            by_year = pd.concat(
                [effects(years[years["year"] == y], spec.get("yearly", []), baseline_of).assign(year=y)
                 for y in sorted(years["year"].unique())],
                ignore_index=True,
            )  # fmt: skip
            if len(by_year):
                write_table(sweep_dir / "effects_by_year.csv", by_year)
                tables.append("effects_by_year.csv")
                write_text(sweep_dir / COLUMNS_PAGE, columns_page(tables))
            first = runs["scenario"].cat.categories[0]
            baseline_years = years[years["scenario"] == baseline_of[str(first)]]
            if history.country in set(baseline_years["country"]):
                figures["history"] = lambda: history_figure(
                    baseline_years, history, history.country, fig_dir / "history"
                )
        curves = incidence_curves(sweep_dir, runs) if spec["incidence"] else pd.DataFrame()
        if len(curves):
            figures["incidence"] = lambda: figs.incidence_figure(
                curves, runs, baseline_of, strata, fig_dir / "incidence"
            )
        drawn = [
            png_of(draw())
            for draw in tqdm(figures.values(), desc="report figures", unit="figure", disable=None, leave=False)
        ]
        write_text(page, report_page(sweep_dir, runs, table, baseline_of, strata, cfg, drawn, shares, skipped))
    return page, skipped


def _history_of(cfg: dict) -> History | None:
    """The history the sweep's runs ran (from a run's saved config), or None for a steady state."""
    saved = cfg.get("history")
    if not isinstance(saved, dict) or not saved.get("years"):
        return None
    return typed_config(History, OmegaConf.create(saved))


def command(argv: list[str] | None = None) -> None:
    """``returnsim-report SWEEP_DIR``: write the sweep's table, effects, figures and report page."""
    parser = argparse.ArgumentParser(prog="returnsim-report", description=command.__doc__)
    parser.add_argument("sweep_dir", type=Path, help="a sweep folder (results/<name>/...)")
    parser.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="report the complete runs when some are not (listed); default: the sweep's report.allow_incomplete",
    )
    args = parser.parse_args(argv)
    if not args.sweep_dir.is_dir():
        parser.exit(2, f"returnsim-report: {args.sweep_dir} is not a folder\n")
    try:
        page, skipped = write_report(args.sweep_dir, args.allow_incomplete)
    except ReportError as exc:
        parser.exit(2, f"returnsim-report: {exc}\n")
    if skipped:
        print(f"returnsim-report: {len(skipped)} run(s) not complete, left out:", skipped_lines(skipped), sep="\n")
    print(f"report: {page}")


main = guarded("returnsim-report", command)

if __name__ == "__main__":
    main()
