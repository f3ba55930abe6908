"""Figures of one run: open cases over time, where the horizon's decisions end, and charter flights.

Drawn in the style of :mod:`sim.outputs.figure_style` (page width, states in
words, 300 dpi PNG and SVG). With several replications the bands and bars
show where 90 % of them lie; with several countries each country has its own
panel on its own scale, and the pooled result its own panel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import EngFormatter

from sim.model.states import ACTIVE, TERMINAL
from sim.outputs.figure_style import COLUMN, PAGE, POOLED, WORDS, fit_width, from_zero, paper, plt, save

SPREAD = ("pi", 90)
"""Bands and bars over replications: where 90 % of them lie."""


def stocks_figure(stocks: pd.DataFrame, warmup_days: int, stem: Path | None) -> Path | plt.Figure:
    """Open cases in each state over time.

    One country: a panel per state on its own scale. Several: a panel per
    country on its own scale and one for all countries together, states as
    colours on a log scale so that no state is hidden by a larger one.
    """
    states = [s.label for s in ACTIVE]
    reps = stocks["replication"].nunique()
    countries = list(dict.fromkeys(stocks["country"]))
    if len(countries) > 1:
        pooled = stocks.groupby(["replication", "day"], as_index=False)[states].sum().assign(country=POOLED)
        stocks = pd.concat([pooled, stocks], ignore_index=True)
    long = stocks.melt(id_vars=["replication", "day", "country"], value_vars=states, var_name="state", value_name="n")
    long["state"] = long["state"].map(WORDS)
    band = SPREAD if reps > 1 else None
    with paper():
        if len(countries) == 1:
            grid = sns.relplot(
                data=long, x="day", y="n", col="state", col_wrap=3, kind="line", errorbar=band,
                height=1.7, aspect=PAGE / 3 / 1.7, facet_kws={"sharey": False}, color="C0",
            )  # fmt: skip
            grid.set_titles("{col_name}")
            for ax in grid.axes.flat:
                from_zero(ax)
        else:
            grid = sns.relplot(
                data=long, x="day", y="n", hue="state", col="country", col_wrap=3, kind="line", errorbar=band,
                height=1.9, aspect=PAGE / 3 / 1.9, facet_kws={"sharey": False},
            )  # fmt: skip
            grid.set_titles("{col_name}")
            for ax in grid.axes.flat:
                ax.set_yscale("symlog", linthresh=10)  # log above 10, linear below: a state at 0 stays drawn
                ax.set_ylim(0, None)
            sns.move_legend(grid, "upper center", bbox_to_anchor=(0.5, 0.0), ncols=3, title=None, frameon=False)
            fit_width(grid)
        for ax in grid.axes.flat:
            ax.axvline(warmup_days, color="0.5", linestyle=":", linewidth=0.8)
        if len(countries) == 1:
            grid.set_axis_labels("day (dotted: end of warm-up)", "open cases (persons)")
        else:
            grid.set_axis_labels("day (dotted: end of warm-up)", "")
            grid.figure.supylabel("open cases (persons; log scale above 10)", x=0.0)
        spread = f"; band: 90 % of {reps} replications" if reps > 1 else ""
        grid.figure.suptitle(f"Open return cases by state{spread}", y=1.02)
        return save(grid.figure, stem)


def outcomes_figure(register: pd.DataFrame, warmup_days: int, stem: Path | None) -> Path | plt.Figure:
    """Where the horizon's decisions stand at the end of the run: closed outcomes, then states still open.

    Shares of the decisions (x from 0), a bar per outcome with the 90 %
    range over replications; a panel per country and one pooled.
    """
    cohort = register[(register["decision_day"] > warmup_days) & ~register["matched"].astype(bool)]
    countries = list(dict.fromkeys(cohort["country"].astype(str)))
    frames = [cohort.assign(country=cohort["country"].astype(str))]
    if len(countries) > 1:
        frames.append(cohort.assign(country=POOLED))
        countries.append(POOLED)  # the pooled result apart, after the countries
    data = pd.concat(frames, ignore_index=True)
    shares = (
        data.groupby(["replication", "country"], observed=True)["outcome"]
        .value_counts(normalize=True)
        .unstack(fill_value=0.0)
        .stack()
        .rename("share")
        .reset_index()
    )
    closed = [s.label for s in TERMINAL]
    order = [label for label in [*closed, *(s.label for s in ACTIVE)] if (shares["outcome"] == label).any()]
    present = shares.groupby("outcome", observed=True)["share"].max()
    order = [label for label in order if present.get(label, 0) > 0]
    shares = shares[shares["outcome"].isin(order)].copy()
    shares["group"] = np.where(shares["outcome"].isin(closed), "closed", "still open")
    shares["outcome"] = pd.Categorical(shares["outcome"].astype(str).map(WORDS), [WORDS[o] for o in order])
    reps = shares["replication"].nunique()
    cols = min(3, len(countries))
    rows = -(-len(countries) // cols)
    height = 0.15 * len(order) + 0.5
    with paper():
        fig, axes = plt.subplots(
            rows, cols, figsize=(COLUMN if cols == 1 else PAGE, height * rows + 0.8), sharex=True, sharey=True,
            squeeze=False, layout="constrained",
        )  # fmt: skip
        for ax, country in zip(axes.flat, countries, strict=False):
            sns.barplot(
                data=shares[shares["country"] == country], y="outcome", x="share", hue="group", ax=ax,
                palette={"closed": "C0", "still open": "C7"}, errorbar=SPREAD if reps > 1 else None,
                err_kws={"linewidth": 1.0}, capsize=0.2, legend=ax is axes.flat[0], dodge=False,
            )  # fmt: skip
            ax.set_title(country)
            ax.set(xlabel="", ylabel="", xlim=(0, 1.05 * shares["share"].max()))  # room for the widest interval
        for ax in axes.flat[len(countries) :]:
            ax.axis("off")
        for ax in axes[:, 0]:
            ax.set_ylabel("state at the end of the run")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        axes.flat[0].get_legend().remove()
        fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False)
        for ax in axes[-1, :]:
            ax.set_xlabel("share of decisions")
        spread = f"\n(bar: mean; line: 90 % of {reps} replications)" if reps > 1 else ""
        fig.suptitle(f"Where the horizon's decisions stand at the end{spread}")
        return save(fig, stem)


def flights_figure(summary: pd.DataFrame, stem: Path | None) -> Path | plt.Figure | None:
    """Charters per country: how many carried its returnees, seat use on those it organised, and who paid.

    Nothing is drawn when no charter flew. The pooled result (several
    countries) is the last bar of each panel.
    """
    if summary["charter_returnees"].sum() == 0:
        return None
    data = summary.assign(country=summary["country"].replace({"ALL": POOLED}))
    countries = list(dict.fromkeys(data["country"]))
    order = [c for c in countries if c != POOLED] + [c for c in countries if c == POOLED]  # pooled apart, last
    paid = data.melt(
        id_vars=["replication", "country"],
        value_vars=["charter_cost_paid_by_country", "charter_cost_paid_by_frontex"],
        var_name="payer",
        value_name="EUR",
    )
    payers = {"charter_cost_paid_by_country": "the country", "charter_cost_paid_by_frontex": "Frontex"}
    paid["payer"] = paid["payer"].map(payers)
    reps = data["replication"].nunique()
    bars = {"errorbar": SPREAD if reps > 1 else None, "err_kws": {"linewidth": 1.0}, "capsize": 0.2, "order": order}
    with paper():
        fig, axes = plt.subplots(1, 3, figsize=(PAGE, 2.2), layout="constrained")
        sns.barplot(data=data, x="country", y="charters_flown", color="C0", ax=axes[0], **bars)
        sns.barplot(data=data, x="country", y="charter_seat_utilisation", color="C0", ax=axes[1], **bars)
        sns.barplot(data=paid, x="country", y="EUR", hue="payer", ax=axes[2], **bars)
        titles = ("charters that carried its returnees", "seat use on charters it organised", "charter cost, by payer")
        for ax, title, unit in zip(axes, titles, ("flights", "share of seats", "EUR"), strict=True):
            ax.set_title(title)
            ax.set_ylabel(unit)
            ax.set_xlabel("")
            ax.tick_params(axis="x", labelrotation=45)
            from_zero(ax)
        fig.supxlabel("country (last: the countries pooled)" if POOLED in order else "country")
        axes[2].yaxis.set_major_formatter(EngFormatter(sep=" "))
        axes[2].legend(title=None, frameon=False)
        spread = f"; line: 90 % of {reps} replications" if reps > 1 else ""
        fig.suptitle(f"Charter flights and who paid, measured horizon{spread}")
        return save(fig, stem)
