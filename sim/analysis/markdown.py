"""The report's page: question, design, the table of effects, figures and the config, in Markdown."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from omegaconf import OmegaConf

from sim.analysis.collect import DRAW_KEY, swept_parameters
from sim.analysis.headline import design_warnings, headline
from sim.outputs.saved import read_plain_yaml
from sim.params.compose import default_value


def report_page(
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
    """``report.md``: question, headline (after the design's warnings), design, effects, figures, config."""
    spec = cfg["report"]
    params = swept_parameters(runs)
    seeds = runs.groupby("scenario", observed=True)["seed"].nunique()
    draws = runs[DRAW_KEY].nunique()
    reps = runs["replication"].nunique()
    lines = [f"# {spec.get('title') or cfg['name']}", ""]
    if spec.get("question"):
        lines += [spec["question"].strip(), ""]
    warnings = design_warnings(runs, int(cfg["warmup_days"]), int(default_value("warmup_days")))
    lines += headline(table, runs, warnings)
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
        recorded = read_plain_yaml(path)["hydra"]["overrides"]  # type: ignore[index]
        overrides = [str(o) for o in recorded["hydra"] if not str(o).startswith("hydra.mode=")]
        overrides += [str(o) for o in recorded["task"]]
    except (OSError, ValueError, yaml.YAMLError, KeyError, TypeError):
        return ""  # a damaged record of the command: the page goes without it
    return " ".join(["uv run returnsim -m", *(_quote(o) for o in overrides)])


def _quote(item: str) -> str:
    return f"'{item}'" if any(c in item for c in " []{}(),*") else item
