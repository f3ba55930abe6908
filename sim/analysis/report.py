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
  figures and the config that produced them.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from omegaconf import OmegaConf
from scipy import stats
from tqdm import tqdm

from sim.analysis.intervals import no_spread, t_interval
from sim.outputs.columns import COLUMNS_PAGE, columns_page
from sim.outputs.files import REDO, read_saved_config, run_problems, write_table, write_text
from sim.outputs.metrics import METRICS
from sim.params.entry import guarded

SEED_KEYS = ("seed", "replication")
DRAW_KEY = "posterior_draw"
"""The posterior draw a run used (-1: the preset's values); runs are paired by draw as well as by seed."""
IGNORED_KEYS = ("experiment", "paths.results_dir", "report.auto", "report.allow_incomplete")
"""Overrides that name where or how a run is reported, not what it simulates."""


class ReportError(RuntimeError):
    """A sweep folder cannot be reported (nothing complete in it, a run not complete, or not a sweep)."""


REPAIR = (
    f"To repair them, {REDO}; to report the complete runs only, pass --allow-incomplete "
    "(or set report.allow_incomplete=true for the sweep)."
)


# --- collecting runs ----------------------------------------------------------------
def run_dirs(sweep_dir: Path) -> list[Path]:
    """Run folders of a sweep (each holds Hydra's ``.hydra/overrides.yaml``), in job order."""
    found = [p.parent.parent for p in sweep_dir.glob("*/.hydra/overrides.yaml")]
    return sorted(found, key=_job_number)


def _job_number(run_dir: Path) -> int:
    try:
        return int(
            yaml.safe_load((run_dir / ".hydra" / "hydra.yaml").read_text(encoding="utf-8"))["hydra"]["job"]["num"]
        )
    except Exception:  # noqa: BLE001 - a run without Hydra's record sorts last
        return sys.maxsize


def _overrides(run_dir: Path) -> dict[str, object]:
    """The run's task overrides as ``{key: value}``, values read as YAML (numbers become numbers)."""
    items = yaml.safe_load((run_dir / ".hydra" / "overrides.yaml").read_text(encoding="utf-8"))
    found: dict[str, object] = {}
    for item in items:
        key, _, value = str(item).partition("=")
        key = key.lstrip("+~")
        if key not in IGNORED_KEYS and key not in SEED_KEYS:  # DRAW_KEY is kept: the caller takes it out
            found[key] = yaml.safe_load(value) if value else value
    return found


def collect_runs(sweep_dir: Path, skipped: dict[str, str] | None = None) -> pd.DataFrame:
    """Every complete run's summary with its overrides: a row per run x country x replication.

    A run folder that is not complete (failed, unfinished or damaged) is an
    error naming each such run and why; with a ``skipped`` dict the runs are
    left out instead, and ``skipped`` receives each one's name and reason.
    """
    frames = []
    problems: dict[str, str] = {}
    for order, run_dir in enumerate(run_dirs(sweep_dir)):
        found = run_problems(run_dir)
        if found:
            problems[run_dir.name] = "; ".join(found)
            continue
        try:
            overrides = _overrides(run_dir)
        except (OSError, ValueError, TypeError, yaml.YAMLError) as exc:
            problems[run_dir.name] = f".hydra/overrides.yaml is damaged ({type(exc).__name__}: {exc})"
            continue
        summary = pd.read_parquet(run_dir / "summary.parquet")
        overrides.pop(DRAW_KEY, None)  # the draw comes from the run's own config, wherever it was set
        summary[DRAW_KEY] = int(_run_config(run_dir).get(DRAW_KEY, -1))  # runs from before posterior draws: none
        for key, value in overrides.items():
            summary[key] = str(value) if isinstance(value, (list, dict)) else value
        summary["run"] = run_dir.name
        summary["job"] = order
        frames.append(summary)
    if problems and skipped is None:
        raise incomplete_error(sweep_dir, problems)
    if skipped is not None:
        skipped.update(problems)
    if not frames:
        if (sweep_dir / "run.json").exists():
            raise ReportError(
                f"{sweep_dir} is a single run, not a sweep: a report compares a sweep's runs "
                "(returnsim -m ...); to compare single runs use returnsim-compare RUN_DIR RUN_DIR ..."
            )
        raise ReportError(
            f"{sweep_dir}: no complete runs found (a run is complete once its run.json is written); "
            "give a sweep folder (results/<name>/sweep_<time>, or results/<experiment>)"
        )
    return tidy_runs(frames)


def tidy_runs(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Runs' summaries (each with its overrides, ``posterior_draw``, ``run`` and ``job``) as one tidy table.

    Adds the ``scenario`` label (the values of the swept parameters, in the
    order the runs were started) and sorts by scenario, draw, seed,
    replication and country; the layout of ``runs.parquet``.
    """
    runs = pd.concat(frames, ignore_index=True)
    params = swept_parameters(runs)
    runs["scenario"] = _scenario_labels(runs, params)
    first_cols = [*params, "scenario", DRAW_KEY, "seed", "replication", "country", "run"]
    others = [c for c in runs.columns if c not in first_cols and c != "job"]
    order = runs.groupby("scenario", sort=False)["job"].min().sort_values().index
    runs["scenario"] = pd.Categorical(runs["scenario"], categories=list(order), ordered=True)
    return runs.sort_values(["scenario", DRAW_KEY, "seed", "replication", "country"], kind="stable")[
        first_cols + others
    ].reset_index(drop=True)


def skipped_lines(skipped: dict[str, str]) -> str:
    """One indented line per run left out: its folder and why."""
    return "\n".join(f"  {run}: {reason}" for run, reason in skipped.items())


def incomplete_error(sweep_dir: Path, skipped: dict[str, str]) -> ReportError:
    """The error for a sweep with runs that are not complete: each run and why, and what to do."""
    return ReportError(f"{sweep_dir}: {len(skipped)} run(s) not complete:\n{skipped_lines(skipped)}\n{REPAIR}")


def swept_parameters(runs: pd.DataFrame) -> list[str]:
    """Override columns whose value differs between runs (the scenario's coordinates)."""
    fixed = {DRAW_KEY, "seed", "replication", "country", "run", "job", "scenario", *METRICS}
    candidates = [c for c in runs.columns if c not in fixed]
    return [c for c in candidates if runs[c].astype(str).nunique() > 1]


def _scenario_labels(runs: pd.DataFrame, params: list[str]) -> pd.Series:
    if not params:
        return pd.Series("all runs", index=runs.index)
    if len(params) == 1:
        return runs[params[0]].astype(str)
    return runs[params].astype(str).apply(lambda row: ", ".join(f"{k}={v}" for k, v in row.items()), axis=1)


# --- effects --------------------------------------------------------------------------
def baselines(runs: pd.DataFrame, baseline: list[str]) -> dict[str, str]:
    """Each scenario's baseline: the scenario with the ``baseline`` values and the same other swept values.

    The keys named in ``baseline`` are the levers compared; any other swept
    key (e.g. ``behaviour.enforcement_feedback.form``) defines strata, and
    each scenario is compared with the baseline of its own stratum. Empty
    ``baseline``: the first scenario, for every scenario. Baselines map to
    themselves.
    """
    scenarios = [str(s) for s in runs["scenario"].cat.categories]
    if not baseline:
        return dict.fromkeys(scenarios, scenarios[0])
    wanted = {}
    for item in baseline:
        key, _, value = item.partition("=")
        if key not in runs.columns:
            raise ReportError(f"report.baseline: {key!r} is not a parameter of this sweep")
        wanted[key] = str(yaml.safe_load(value))
    strata = [p for p in swept_parameters(runs) if p not in wanted]
    first = runs.drop_duplicates("scenario").set_index("scenario")
    found: dict[str, str] = {}
    for scenario in scenarios:
        row = first.loc[scenario]
        matches = [
            s
            for s in scenarios
            if all(str(first.loc[s, k]) == v for k, v in wanted.items())
            and all(str(first.loc[s, k]) == str(row[k]) for k in strata)
        ]
        if len(matches) != 1:
            raise ReportError(
                f"report.baseline {baseline} matches {len(matches)} scenarios for {scenario!r}; it must match one"
            )
        found[scenario] = matches[0]
    return found


def strata_of(runs: pd.DataFrame, baseline: list[str]) -> list[str]:
    """Swept keys that are not the compared levers: each value is a stratum with its own baseline."""
    named = {item.partition("=")[0] for item in baseline}
    return [p for p in swept_parameters(runs) if named and p not in named]


def effects(runs: pd.DataFrame, metrics: list[str], baseline_of: dict[str, str]) -> pd.DataFrame:
    """Difference of each scenario to its baseline, paired by (draw, seed, replication), per country and metric."""
    runs = with_draw(runs)
    keys = [DRAW_KEY, "seed", "replication", "country"]
    rows = []
    for scenario in runs["scenario"].cat.categories:
        baseline = baseline_of[str(scenario)]
        if scenario == baseline:
            continue
        base = runs[runs["scenario"] == baseline].set_index(keys)
        other = runs[runs["scenario"] == scenario].set_index(keys)
        for country in other.index.get_level_values("country").unique():
            for metric in metrics:
                rows.append(_effect(base, other, country, metric, str(scenario), baseline))
    return pd.DataFrame(rows)


def shares_of_total(
    runs: pd.DataFrame, metrics: list[str], baseline_of: dict[str, str], total: list[str]
) -> pd.DataFrame:
    """Each scenario's effect as a share of the ``total`` scenario's effect in its stratum, per metric.

    The share is the ratio of the mean paired differences (effect of the
    scenario over effect of the total, both against the same baseline and
    seeds); its 95 % interval is a percentile bootstrap over the paired seeds
    (scipy), or over the draws' mean effects when the runs cover several
    posterior draws. The pooled ``ALL`` country where there are several.
    """
    runs = with_draw(runs)
    keys = [DRAW_KEY, "seed", "replication"]
    countries = runs["country"].unique()
    runs = runs[runs["country"] == ("ALL" if "ALL" in countries else countries[0])]
    wanted = {k: str(yaml.safe_load(v)) for k, _, v in (item.partition("=") for item in total)}
    first = runs.drop_duplicates("scenario").assign(scenario=lambda d: d["scenario"].astype(str)).set_index("scenario")
    rows = []
    for scenario, baseline in baseline_of.items():
        if scenario == baseline or all(str(first.loc[scenario, k]) == v for k, v in wanted.items()):
            continue
        whole = [
            s
            for s, b in baseline_of.items()
            if b == baseline and s != b and all(str(first.loc[s, k]) == v for k, v in wanted.items())
        ]
        if len(whole) != 1:
            raise ReportError(
                f"report.total {total} matches {len(whole)} scenarios for {scenario!r}; it must match one"
            )
        frames = {
            name: runs[runs["scenario"].astype(str) == name].set_index(keys)[metrics]
            for name in (scenario, whole[0], baseline)
        }
        for metric in metrics:
            pairs = pd.concat(
                [frames[n][metric].rename(n) for n in (scenario, whole[0], baseline)], axis=1, join="inner"
            ).dropna()
            if pairs.empty:
                continue
            part = pairs[scenario] - pairs[baseline]
            full = pairs[whole[0]] - pairs[baseline]
            if part.index.get_level_values(DRAW_KEY).nunique() > 1:  # resample whole draws, not runs
                part, full = part.groupby(level=DRAW_KEY).mean(), full.groupby(level=DRAW_KEY).mean()
            part, full = part.to_numpy(), full.to_numpy()
            rows.append(
                {
                    "metric": metric,
                    "scenario": scenario,
                    "total": whole[0],
                    "baseline": baseline,
                    "effect": part.mean(),
                    "total_effect": full.mean(),
                    "share": part.mean() / full.mean() if full.mean() else np.nan,
                    **dict(zip(("share_ci_low", "share_ci_high"), _ratio_interval(part, full), strict=True)),
                }
            )
    return pd.DataFrame(rows)


def _ratio_interval(part: np.ndarray, full: np.ndarray) -> tuple[float, float]:
    """95 % bootstrap interval of mean(part) / mean(full) over paired seeds (nan when it cannot be formed)."""
    if len(part) < 3 or not full.mean() or np.ptp(part) == 0 and np.ptp(full) == 0:
        return (np.nan, np.nan)
    result = stats.bootstrap(
        (part, full),
        lambda a, b, axis: a.mean(axis=axis) / b.mean(axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=2000,
        random_state=0,
        method="percentile",
    )
    return (result.confidence_interval.low, result.confidence_interval.high)


def _effect(base: pd.DataFrame, other: pd.DataFrame, country: str, metric: str, scenario: str, baseline: str) -> dict:
    b = base.xs(country, level="country")[metric]
    s = other.xs(country, level="country")[metric]
    pairs = pd.concat([b.rename("b"), s.rename("s")], axis=1, join="inner").dropna()
    diff = pairs["s"] - pairs["b"]
    u_low, u_high = _welch_interval(s.dropna().to_numpy(), b.dropna().to_numpy())
    return {
        "country": country,
        "metric": metric,
        "scenario": scenario,
        "baseline": baseline,
        "pairs": len(diff),
        "baseline_mean": b.mean(),
        "baseline_ci_low": _level_interval(b)[0],
        "baseline_ci_high": _level_interval(b)[1],
        "scenario_mean": s.mean(),
        "scenario_ci_low": _level_interval(s)[0],
        "scenario_ci_high": _level_interval(s)[1],
        **effect_uncertainty(
            diff.to_numpy(),
            diff.index.get_level_values(DRAW_KEY).to_numpy(),
            pd.factorize(diff.index.droplevel(DRAW_KEY).to_flat_index())[0],
        ),
        "unpaired_ci_low": u_low,
        "unpaired_ci_high": u_high,
    }


def with_draw(runs: pd.DataFrame) -> pd.DataFrame:
    """``runs`` with a ``posterior_draw`` column (-1, the preset's values, where a table has none)."""
    return runs if DRAW_KEY in runs.columns else runs.assign(**{DRAW_KEY: -1})


def _level_interval(values: pd.Series) -> tuple[float, float]:
    """95 % t-interval of a scenario's mean: over its runs, or over its draws' means when it has several draws."""
    draws = values.index.get_level_values(DRAW_KEY)
    if draws.nunique() > 1:
        return t_interval(values.groupby(level=DRAW_KEY).mean().to_numpy())
    return t_interval(values.to_numpy())


def effect_uncertainty(diff: np.ndarray, draws: np.ndarray, streams: np.ndarray) -> dict[str, float]:
    """An effect's mean and what we do not know about it, from paired differences by posterior draw and seed.

    The runs cross draws with seeds: seed stream s (a seed and replication)
    has the same random numbers in every draw. With D draws and S streams, a
    two-way analysis of variance of the differences gives the mean squares
    of draws, streams and the rest (MS_D, MS_S, MS_E) and from them:

    - ``se``: standard error of the mean effect, √((MS_D + MS_S − MS_E)/DS)
      with the parameter and the seed part each counted at least 0
      (parameter and seed uncertainty; with one draw, seed noise only);
      ``ci_low``/``ci_high``: its 95 % t-interval (Satterthwaite's degrees of
      freedom).
    - ``se_stochastic``, ``stochastic_ci_low``/``_high``: what seed noise
      alone gives, √(MS_S/DS) on S − 1 degrees of freedom.
    - ``worlds_low``/``worlds_high``: 5th and 95th percentiles of the draws'
      mean effects: where the effect lies in 90 % of plausible worlds.
    - ``sd_parameter``: sd of the effect between draws, √((MS_D − MS_E)/S);
      ``sd_stochastic``: sd of one run's effect from its seed,
      √(σ²_streams + σ²_rest) (both at least 0).
    - ``robust_share``: share of draws whose mean effect has the sign of the
      overall mean ("moves the outcome that way in 94 % of plausible worlds").

    Differences not in a complete draws x streams table are left out.
    """
    names = ["difference", "se", "ci_low", "ci_high", "se_stochastic", "stochastic_ci_low", "stochastic_ci_high"]
    names += ["worlds_low", "worlds_high", "sd_parameter", "sd_stochastic", "robust_share"]
    out: dict[str, float] = dict.fromkeys(names, float("nan"))
    table = pd.DataFrame({"diff": diff, "draw": draws, "stream": streams}).pivot_table(
        index="draw", columns="stream", values="diff", aggfunc="mean"
    )
    table = table.dropna(axis=1)  # streams every draw has
    out["draws"] = len(table)
    x = table.to_numpy()
    if x.size == 0:
        return out
    n_draws, n_streams = x.shape
    mean = float(x.mean())
    out["difference"] = mean
    if n_draws == 1:
        out["ci_low"], out["ci_high"] = t_interval(x[0])
        out["stochastic_ci_low"], out["stochastic_ci_high"] = out["ci_low"], out["ci_high"]
        if n_streams > 1:
            out["sd_stochastic"] = float(x[0].std(ddof=1))
            out["se"] = out["se_stochastic"] = out["sd_stochastic"] / np.sqrt(n_streams)
        return out
    draw_means = x.mean(axis=1)
    out["worlds_low"], out["worlds_high"] = (float(q) for q in np.quantile(draw_means, [0.05, 0.95]))
    out["robust_share"] = float(np.mean(np.sign(draw_means) == np.sign(mean))) if mean else float("nan")
    if n_streams == 1:  # one run per draw: the draws' spread holds both parts, which cannot be told apart
        out["ci_low"], out["ci_high"] = t_interval(draw_means)
        out["se"] = float(draw_means.std(ddof=1) / np.sqrt(n_draws))
        return out
    stream_means = x.mean(axis=0)
    ms_d = n_streams * float(np.sum((draw_means - mean) ** 2)) / (n_draws - 1)
    ms_s = n_draws * float(np.sum((stream_means - mean) ** 2)) / (n_streams - 1)
    rest = x - draw_means[:, None] - stream_means[None, :] + mean
    ms_e = float(np.sum(rest**2)) / ((n_draws - 1) * (n_streams - 1))
    total = max(ms_d + ms_s - ms_e, ms_s, ms_d, 0.0)
    out["se"] = float(np.sqrt(total / (n_draws * n_streams)))
    dof = total**2 / (ms_d**2 / (n_draws - 1) + ms_s**2 / (n_streams - 1) + ms_e**2 / ((n_draws - 1) * (n_streams - 1)))
    half = stats.t.ppf(0.975, max(dof, 1.0)) * out["se"] if total > 0 else 0.0
    out["ci_low"], out["ci_high"] = mean - half, mean + half
    out["se_stochastic"] = float(np.sqrt(ms_s / (n_draws * n_streams)))
    half = stats.t.ppf(0.975, n_streams - 1) * out["se_stochastic"]
    out["stochastic_ci_low"], out["stochastic_ci_high"] = mean - half, mean + half
    out["sd_parameter"] = float(np.sqrt(max(0.0, (ms_d - ms_e) / n_streams)))
    out["sd_stochastic"] = float(np.sqrt(max(0.0, (ms_s - ms_e) / n_draws) + ms_e))
    return out


def _welch_interval(s: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Unpaired (Welch) interval of mean(s) - mean(b); a point when neither sample varies."""
    if len(s) < 2 or len(b) < 2:
        return (np.nan, np.nan)
    if no_spread(s) and no_spread(b):
        d = s.mean() - b.mean()
        return (d, d)
    with warnings.catch_warnings():  # one sample without spread: its variance is 0, which scipy flags needlessly
        warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
        ci = stats.ttest_ind(s, b, equal_var=False).confidence_interval(level)
    return (ci.low, ci.high)


# --- reading the runs' own tables -------------------------------------------------
def _run_config(run_dir: Path) -> dict:
    return OmegaConf.to_container(read_saved_config(run_dir / "config.yaml"))


def _scenario_of_runs(runs: pd.DataFrame) -> dict[str, str]:
    return dict(zip(runs["run"], runs["scenario"].astype(str), strict=False))


def stock_series(sweep_dir: Path, runs: pd.DataFrame, states: list[str]) -> pd.DataFrame:
    """Daily stocks of ``states`` (summed over countries) per run and replication, with the scenario."""
    frames = []
    for run, scenario in _scenario_of_runs(runs).items():
        path = sweep_dir / run / "stocks.parquet"
        if not path.exists():
            continue
        stocks = pd.read_parquet(path, columns=["replication", "day", *states])
        summed = stocks.groupby(["replication", "day"], as_index=False)[states].sum()
        summed["run"], summed["scenario"] = run, scenario
        frames.append(summed)
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).melt(
        id_vars=["run", "scenario", "replication", "day"], value_vars=states, var_name="state", value_name="cases"
    )


def incidence_curves(sweep_dir: Path, runs: pd.DataFrame, points: int = 200) -> pd.DataFrame:
    """Cumulative incidence of return, absconding and expiry by days since decision, per scenario."""
    from sim.analysis.incidence import cumulative_incidence, first_events

    columns = ["decision_day", "matched", "outcome", "outcome_day", "entered_absconded"]
    pooled: dict[str, list[pd.DataFrame]] = {}
    horizon = 0.0
    for run, scenario in _scenario_of_runs(runs).items():
        path = sweep_dir / run / "case_register.parquet"
        if not path.exists():
            continue
        cfg = _run_config(sweep_dir / run)
        end = cfg["warmup_days"] + cfg["horizon_days"]
        horizon = max(horizon, cfg["horizon_days"])
        register = pd.read_parquet(path, columns=columns)
        pooled.setdefault(scenario, []).append(first_events(register, cfg["warmup_days"], end))
    grid = np.linspace(0.0, horizon, points)
    rows = []
    for scenario, frames in pooled.items():
        events = pd.concat(frames, ignore_index=True)
        rows.append(cumulative_incidence(events["days"], events["event"], grid).assign(scenario=scenario))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


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
    cfg = _run_config(first)
    spec = _report_spec(cfg, first)
    if skipped and not (allow_incomplete or spec.get("allow_incomplete")):  # a run saved before the key: not allowed
        raise incomplete_error(sweep_dir, skipped)
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
    figures: dict[str, Callable[[], Path]] = {
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
    curves = incidence_curves(sweep_dir, runs) if spec["incidence"] else pd.DataFrame()
    if len(curves):
        figures["incidence"] = lambda: figs.incidence_figure(curves, runs, baseline_of, strata, fig_dir / "incidence")
    drawn = [draw() for draw in tqdm(figures.values(), desc="report figures", unit="figure", disable=None, leave=False)]
    page = sweep_dir / "report.md"
    write_text(page, _markdown(sweep_dir, runs, table, baseline_of, strata, cfg, drawn, shares, skipped))
    return page, skipped


def _report_spec(cfg: dict, run_dir: Path) -> dict:
    """The ``report`` block a sweep's run saved, checked before anything is written; ReportError if unusable."""
    where = run_dir / "config.yaml"
    spec = cfg.get("report")
    if not isinstance(spec, dict):
        raise ReportError(f"{where} has no report block (saved by an older returnsim?); {REDO}")
    for key, kind in (("metrics", list), ("baseline", list), ("stocks", list), ("incidence", bool)):
        if not isinstance(spec.get(key), kind):
            raise ReportError(f"{where}: report.{key} is missing or not a {kind.__name__}; {REDO}")
    unknown = [m for m in spec["metrics"] if m not in METRICS]
    if unknown:
        raise ReportError(
            f"{where}: report.metrics names {unknown[0]!r}, not a metric of this returnsim; "
            f"choose from {', '.join(METRICS)}, or {REDO}"
        )
    return spec


def _markdown(
    sweep_dir: Path,
    runs: pd.DataFrame,
    table: pd.DataFrame,
    baseline_of: dict[str, str],
    strata: list[str],
    cfg: dict,
    figures: list[Path],
    shares: pd.DataFrame | None = None,
    skipped: dict[str, str] | None = None,
) -> str:
    spec = cfg["report"]
    params = swept_parameters(runs)
    seeds = runs.groupby("scenario", observed=True)["seed"].nunique()
    draws = runs[DRAW_KEY].nunique()
    reps = runs["replication"].nunique()
    lines = [f"# {spec.get('title') or cfg['name']}", ""]
    if spec.get("question"):
        lines += [spec["question"].strip(), ""]
    lines += [
        "## Design",
        "",
        f"- scenarios: {len(seeds)} ({', '.join(f'`{s}`' for s in seeds.index)}); "
        f"baseline {', '.join(f'`{b}`' for b in dict.fromkeys(baseline_of.values()))}"
        + (f" (one per value of {', '.join(f'`{k}`' for k in strata)})" if strata else ""),
        f"- swept parameters: {', '.join(f'`{p}`' for p in params) or 'none'}",
        f"- seeds per scenario: {int(seeds.min())}-{int(seeds.max())}; replications per run: {reps}; "
        + (f"posterior draws: {draws} (each with every seed)" if draws > 1 else "posterior: the preset's medians"),
        f"- countries: {', '.join(cfg['countries'])}; warm-up {cfg['warmup_days']} days, "
        f"horizon {cfg['horizon_days']} days",
        f"- runs: {runs['run'].nunique()} complete (table: `runs.parquet`; every column explained in `columns.md`)"
        + (f"; {len(skipped)} not complete, left out (below)" if skipped else ""),
        "",
    ]
    if skipped:
        lines += ["## Runs left out", "", "Not complete, so not in this report:", ""]
        lines += [f"- `{run}`: {reason}" for run, reason in skipped.items()] + [""]
    if len(table):
        lines += [
            "## Effects against the baseline",
            "",
            _effects_preamble(table),
            "",
            _effects_markdown(table),
            "",
        ]
    if shares is not None and len(shares):
        lines += [
            "## Shares of the total effect",
            "",
            "Each scenario's effect over the effect of the total scenario against the same baseline and seeds "
            "(ratio of mean paired differences; 95 % percentile bootstrap over seeds). All rows: `shares.csv`.",
            "",
            table_markdown(shares),
            "",
        ]
    lines += ["## Figures", ""]
    for fig in figures:
        lines += [f"![{fig.stem}](figures/{fig.name})", ""]
    command = _command(sweep_dir)
    lines += ["## Config", ""]
    if command:
        lines += ["Command:", "", "```bash", command, "```", ""]
    lines += [
        f"The exact config of every run is its `config.yaml`; the baseline's (`{runs['run'].iloc[0]}`):",
        "",
        "<details><summary>config.yaml</summary>",
        "",
        "```yaml",
        (sweep_dir / runs["run"].iloc[0] / "config.yaml").read_text(encoding="utf-8").rstrip(),
        "```",
        "",
        "</details>",
        "",
    ]
    return "\n".join(lines)


def _effects_preamble(table: pd.DataFrame) -> str:
    if table["draws"].max() < 2:
        return (
            "Mean difference of each scenario to the baseline, paired by seed and replication (common random "
            "numbers), with its 95 % t-interval; the unpaired (Welch) interval for comparison. These intervals "
            "show the noise between seeds only, at the calibration's posterior medians: run with "
            "`uncertainty=posterior` for intervals that include what the data leave open about behaviour. "
            "All rows: `effects.csv`."
        )
    return (
        f"Mean difference of each scenario to the baseline over {int(table['draws'].max())} draws of the "
        "calibration's posterior, paired by draw, seed and replication (common random numbers). "
        "95 % CI: interval of the mean effect over the draws (parameter and seed uncertainty); seeds only: "
        "the interval seed noise alone would give; plausible worlds: 5th-95th percentile of the draws' "
        "effects; sd parameter / stochastic: the spread of the effect between draws (net of seed noise) and "
        "of one run's effect within a draw; robust: share of draws in which the effect has the sign of the "
        "mean. All rows: `effects.csv`."
    )


def _effects_markdown(table: pd.DataFrame) -> str:
    countries = table["country"].unique()
    shown = table[table["country"] == ("ALL" if "ALL" in countries else countries[0])] if len(countries) > 1 else table
    header = ["country", "metric", "scenario", "baseline mean", "scenario mean", "difference", "95 % CI"]
    posterior = table["draws"].max() >= 2
    if posterior:
        header += ["seeds only", "plausible worlds (90 %)", "sd parameter", "sd stochastic", "robust"]
    else:
        header += ["95 % CI (unpaired)"]
    rows = []
    for r in shown.itertuples():
        row = [r.country, r.metric, r.scenario, fmt(r.baseline_mean), fmt(r.scenario_mean), fmt(r.difference)]
        row.append(f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]")
        if posterior:
            row += [
                f"[{fmt(r.stochastic_ci_low)}, {fmt(r.stochastic_ci_high)}]",
                f"[{fmt(r.worlds_low)}, {fmt(r.worlds_high)}]",
                fmt(r.sd_parameter),
                fmt(r.sd_stochastic),
                "–" if pd.isna(r.robust_share) else f"{r.robust_share:.0%}",
            ]
        else:
            row.append(f"[{fmt(r.unpaired_ci_low)}, {fmt(r.unpaired_ci_high)}]")
        rows.append(row)
    return markdown_table(header, rows)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table of cells already formatted as text (pandas' ``to_markdown``, numbers left as written)."""
    return pd.DataFrame(rows, columns=header).to_markdown(index=False, disable_numparse=True)


def config_section(cfg: object) -> list[str]:
    """Lines of a page's closing section: the exact config (a structured dataclass) as YAML."""
    return ["## Config", "", "```yaml", OmegaConf.to_yaml(OmegaConf.structured(cfg)).rstrip(), "```"]


def table_markdown(df: pd.DataFrame) -> str:
    """A data frame as a Markdown table, numbers to three significant digits."""
    rows = [[fmt(v) if isinstance(v, float) else str(v) for v in row] for row in df.itertuples(index=False)]
    return markdown_table(list(df.columns), rows)


def fmt(x: float) -> str:
    """A number for a table: three significant digits, thousands separated; a dash for none."""
    if x is None or pd.isna(x):
        return "–"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _command(sweep_dir: Path) -> str:
    """The command that ran the sweep, from Hydra's ``multirun.yaml``."""
    path = sweep_dir / "multirun.yaml"
    if not path.exists():
        return ""
    try:  # read as written: nothing in it is resolved
        recorded = yaml.safe_load(path.read_text(encoding="utf-8"))["hydra"]["overrides"]
        overrides = [str(o) for o in recorded["hydra"] if not str(o).startswith("hydra.mode=")]
        overrides += [str(o) for o in recorded["task"]]
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError):
        return ""  # a damaged record of the command: the page goes without it
    return " ".join(["uv run returnsim -m", *(_quote(o) for o in overrides)])


def _quote(item: str) -> str:
    return f"'{item}'" if any(c in item for c in " []{}(),*") else item


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
