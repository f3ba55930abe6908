"""``returnsim-compare``: chosen runs and sweeps side by side, in one table and one figure.

Each argument is a run folder (it holds ``run.json``) or a sweep folder (its
runs are collected as by ``returnsim-report``; each scenario of a sweep is
one column). Every metric is shown as its mean across seeds and
replications with a 95 % t-interval.

What would mislead is refused (exit 2, the folder named): a folder given
twice or two folders under one label (their runs would pool into one
column with a falsely narrow interval), a summary without rows, without
``country`` or without a compared metric, and runs of different designs
(horizon or warm-up: a level measured over three years is not one measured
over eleven) unless ``--allow-mismatch``, which keeps the warning on the
comparison's page.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.analysis.collect import ReportError, collect_runs
from sim.analysis.headline import DESIGN
from sim.analysis.intervals import t_interval
from sim.analysis.markdown import fmt, markdown_table
from sim.outputs.files import COMPLETION_MARKER, REDO, output_set, write_table, write_text
from sim.outputs.metrics import METRICS, UNITS
from sim.outputs.saved import read_saved_config, run_problems
from sim.params.entry import guarded

DEFAULT_METRICS = [
    "return_rate",
    "share_ever_absconded",
    "median_days_to_return",
    "voluntary_share_of_returns",
    "detention_days_per_forced_return",
    "cost_per_return",
]


def load(folder: Path, label: str | None = None) -> pd.DataFrame:
    """Summary rows of a run or a sweep folder, with a ``label`` column naming the scenario."""
    if (folder / COMPLETION_MARKER).exists():
        problems = run_problems(folder)
        if problems:
            raise ReportError(
                f"{folder}: the run is damaged or incomplete: {'; '.join(problems)}; to repair it, {REDO}"
            )
        rows = pd.read_parquet(folder / "summary.parquet")
        rows["label"] = label or _name(folder)
        return rows
    runs = collect_runs(folder)
    prefix = label or _name(folder)
    scenarios = runs["scenario"].astype(str)
    runs["label"] = prefix if scenarios.nunique() == 1 else prefix + ": " + scenarios
    return runs


def check_rows(folder: Path, rows: pd.DataFrame, metrics: list[str]) -> None:
    """Refuse a folder whose summaries hold no value of a compared metric (a charter cost where none flew).

    Its rows, columns and kinds were checked against the data dictionary when
    the run was read (:func:`sim.outputs.saved.inspect_run`).
    """
    missing = [m for m in metrics if rows[m].isna().all()]
    if missing:
        raise ReportError(
            f"{folder}: its summary has no value of {', '.join(missing)}; leave the metric out (--metrics) or "
            "compare runs that report it"
        )


def check_distinct(folders: list[Path], frames: list[pd.DataFrame]) -> None:
    """Refuse a folder given twice and two folders that share a label: either would pool runs into one column."""
    seen: dict[Path, int] = {}
    for i, folder in enumerate(folders):
        where = folder.resolve()
        if where in seen:
            raise ReportError(
                f"{folder} is given twice (arguments {seen[where] + 1} and {i + 1}): its runs would count twice "
                "and narrow the interval"
            )
        seen[where] = i
    owner: dict[str, Path] = {}
    for folder, rows in zip(folders, frames, strict=True):
        for label in dict.fromkeys(rows["label"]):
            if label in owner:
                raise ReportError(
                    f"{owner[label]} and {folder} have the same label {label!r}: their runs would pool into one "
                    "column; give each folder its own with --labels"
                )
            owner[label] = folder


def designs(folder: Path, rows: pd.DataFrame) -> dict[str, set[int]]:
    """The horizons and warm-ups of a folder's runs, from their saved configs (checked when the runs were read)."""
    single = (folder / COMPLETION_MARKER).exists()
    configs = [folder / "config.yaml"] if single else [folder / run / "config.yaml" for run in rows["run"].unique()]
    found: dict[str, set[int]] = {key: set() for key in DESIGN}
    for path in configs:
        cfg = read_saved_config(path)
        for key in DESIGN:
            found[key].add(int(cfg[key]))
    return found


def check_designs(folders: list[Path], found: list[dict[str, set[int]]], allow: bool) -> list[str]:
    """Refuse runs that differ in horizon or warm-up; with ``allow``, the warnings to print instead."""
    warnings = []
    for key, what in DESIGN.items():
        values = sorted(set().union(*(design[key] for design in found)))
        if len(values) > 1:
            where = "; ".join(
                f"{folder}: {', '.join(f'{v:,}' for v in sorted(design[key]))} days"
                for folder, design in zip(folders, found, strict=True)
            )
            warnings.append(f"the runs differ in {what} ({key}: {where}); their levels are not the same quantity")
    if warnings and not allow:
        raise ReportError(
            f"{'; '.join(warnings)}. Compare runs of one design, or pass --allow-mismatch to show them with this "
            "warning"
        )
    return warnings


def _name(folder: Path) -> str:
    """``<parent>/<folder>``: a run's folder is a timestamp, its parent the scenario's name."""
    folder = folder.resolve()
    return f"{folder.parent.name}/{folder.name}"


def comparison(rows: pd.DataFrame, metrics: list[str], country: str | None) -> pd.DataFrame:
    """Mean and 95 % interval of each metric per label, in ``country`` or, by default, each label's own result.

    A label's own result is its pooled ``ALL`` rows when it ran several
    countries, else its one country's, so a one-country sweep and a Nordic
    one can be laid side by side (the ``country`` column says which).
    """
    if country is None:
        own = rows.groupby("label", sort=False)["country"].transform(
            lambda c: "ALL" if (c == "ALL").any() else c.iloc[0]
        )
        chosen = rows[rows["country"] == own]
    else:
        chosen = rows[rows["country"] == country]
    if chosen.empty:
        raise ReportError(f"--country {country}: not in these results; choose from {sorted(set(rows['country']))}")
    out = []
    for label, group in chosen.groupby("label", sort=False):
        for metric in metrics:
            low, high = t_interval(group[metric].to_numpy())
            out.append(
                {
                    "label": label,
                    "country": group["country"].iloc[0],
                    "metric": metric,
                    "mean": group[metric].mean(),
                    "ci_low": low,
                    "ci_high": high,
                    "n": int(group[metric].notna().sum()),
                }
            )
    return pd.DataFrame(out)


def wide_table(table: pd.DataFrame) -> pd.DataFrame:
    """Metrics as rows, labels as columns, cells ``mean [low, high]``."""
    cell = table.apply(lambda r: f"{fmt(r['mean'])} [{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]", axis=1)
    wide = table.assign(cell=cell).pivot(index="metric", columns="label", values="cell")
    return wide.reindex(index=list(dict.fromkeys(table["metric"])), columns=list(dict.fromkeys(table["label"])))


def figure(table: pd.DataFrame, stem: Path) -> Path:
    """One panel per metric: each label's mean with its 95 % interval."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    from sim.outputs.figure_style import paper, save

    metrics = list(dict.fromkeys(table["metric"]))
    labels = list(dict.fromkeys(table["label"]))
    cols = min(2, len(metrics))
    rows = -(-len(metrics) // cols)
    with paper():
        fig, axes = plt.subplots(
            rows, cols, figsize=(3.5 * cols, 0.35 * len(labels) + 1.6 * rows), squeeze=False, sharey=True
        )
        palette = sns.color_palette(n_colors=len(labels))
        for ax, metric in zip(axes.flat, metrics, strict=False):
            part = table[table["metric"] == metric].set_index("label").reindex(labels)
            y = range(len(labels))
            err = [part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]]
            ax.errorbar(part["mean"], y, xerr=err, fmt="none", ecolor="grey", capsize=3)
            ax.scatter(part["mean"], y, c=palette, s=12, zorder=3)  # smaller than the intervals they sit on
            ax.set_yticks(list(y), labels)
            ax.set_title(metric.replace("_", " "))
            ax.set_xlabel(UNITS[metric])
        axes[0, 0].invert_yaxis()  # shared by every panel: the first label on top
        for ax in axes.flat[len(metrics) :]:
            ax.axis("off")
        where = ", ".join(sorted(set(table["country"])))
        fig.suptitle(f"Scenarios compared ({where}): mean and 95 % CI across seeds")
        fig.tight_layout()
        return save(fig, stem)


def command(argv: list[str] | None = None) -> None:
    """``returnsim-compare DIR [DIR ...]``: a table and a figure of the chosen runs and sweeps."""
    parser = argparse.ArgumentParser(prog="returnsim-compare", description=command.__doc__)
    parser.add_argument("folders", type=Path, nargs="+", help="run folders (with run.json) or sweep folders")
    parser.add_argument("--labels", nargs="+", help="a label for each folder (default: its name)")
    parser.add_argument("--metrics", nargs="+", default=DEFAULT_METRICS, help="summary metrics to compare")
    parser.add_argument("--country", help="country code or ALL (default: ALL where pooled, else the only one)")
    parser.add_argument("--out", type=Path, help="folder for the table and figure (default: results/compare/<time>)")
    parser.add_argument(
        "--allow-mismatch", action="store_true", help="compare runs of different horizons or warm-ups, with a warning"
    )
    args = parser.parse_args(argv)
    unknown = [m for m in args.metrics if m not in METRICS]
    if unknown:
        parser.exit(2, f"returnsim-compare: unknown metric {unknown[0]!r}; choose from {', '.join(METRICS)}\n")
    if args.labels and len(args.labels) != len(args.folders):
        parser.exit(2, "returnsim-compare: give one label per folder\n")
    labels = args.labels or [None] * len(args.folders)
    try:
        for folder in args.folders:
            if not folder.is_dir():
                raise ReportError(f"{folder} is not a folder")
        frames = [load(f, lab) for f, lab in zip(args.folders, labels, strict=True)]
        for folder, frame in zip(args.folders, frames, strict=True):
            check_rows(folder, frame, args.metrics)
        check_distinct(args.folders, frames)
        found = [designs(folder, frame) for folder, frame in zip(args.folders, frames, strict=True)]
        warnings = check_designs(args.folders, found, args.allow_mismatch)
        rows = pd.concat(frames, ignore_index=True)
        table = comparison(rows, args.metrics, args.country)
    except ReportError as exc:
        parser.exit(2, f"returnsim-compare: {exc}\n")
    out = args.out or Path("results") / "compare" / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    wide = wide_table(table)
    new_folder = not out.exists()
    try:
        with output_set():  # the table, page and figure together, or none of them
            write_table(out / "comparison.csv", table)
            rows = [[metric, *wide.loc[metric]] for metric in wide.index]
            warned = "".join(f"**Warning: {w}.**\n\n" for w in warnings)
            write_text(out / "comparison.md", warned + markdown_table(["metric", *wide.columns], rows) + "\n")
            png = figure(table, out / "comparison")
    except BaseException:
        if new_folder:
            with contextlib.suppress(OSError):  # only when nothing else was put there meanwhile
                out.rmdir()
        raise
    for warning in warnings:
        print(f"returnsim-compare: warning: {warning}", file=sys.stderr)
    print(wide.to_string())
    print(f"comparison: {out / 'comparison.csv'}, {png}")


main = guarded("returnsim-compare", command)

if __name__ == "__main__":
    main()
