"""The interactive page: pick the country, levers and capacities, run, and watch stocks and outcomes (Mesa's SolaraViz).

``uv run solara run sim/runs/page.py`` serves it (``--port``, ``--host`` as
solara takes them). The page composes the same configs as the command line:
each choice is an override (``colocation=full``), the model is the CLI's
model, and "Save config" writes the exact config with the command that runs
it from the command line. The options of each lever are the config group's
files, and each choice's starting value is the root config's default.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter
from omegaconf import OmegaConf

from sim.model.model import ReturnModel
from sim.model.states import ACTIVE, RETURNED, TERMINAL
from sim.outputs.figure_style import PAGE, WORDS, paper, plt
from sim.outputs.files import write_text
from sim.params.compose import compose, to_params
from sim.params.levers import LEVER_LABELS
from sim.runs.info import groups, options
from sim.runs.runner import config_text

LEVERS = {
    "country": "Country",
    **{group: LEVER_LABELS[group].capitalize() for group in ("colocation", "info_sharing", "avr", "flights")},
    "attaches": "Attachés",
}
"""The config groups a page user chooses, with their labels."""
CAPACITIES = {
    "detention_places": "Detention places (x configured)",
    "police_officers": "Police officers (x configured)",
    "case_officers": "Case officers (x configured)",
}
"""Capacities the page scales, for every country of the run."""
DAYS_PER_RENDER = 90
"""Model days between two redraws while the page plays (a whole run is about 37 redraws)."""


def page_overrides(choices: dict[str, str], scaling: dict[str, float], seed: int) -> list[str]:
    """The command-line overrides of the page's choices (capacities scaled from each country's configured value)."""
    overrides = [f"{group}={choices[group]}" for group in LEVERS] + [f"seed={seed}"]
    if any(factor != 1.0 for factor in scaling.values()):
        cfg = compose(overrides)
        for code in cfg.countries:
            for key, factor in scaling.items():
                if factor != 1.0:
                    configured = OmegaConf.select(cfg, f"nations.{code}.{key}")
                    overrides.append(f"nations.{code}.{key}={max(0, round(configured * factor))}")
    return overrides


class PageModel(ReturnModel):
    """The model the page steps: the CLI's compiled model on the config the page's choices compose."""

    def __init__(
        self,
        country: str,
        colocation: str,
        info_sharing: str,
        avr: str,
        flights: str,
        attaches: str,
        detention_places: float,
        police_officers: float,
        case_officers: float,
        seed: int,
    ) -> None:
        """Compose and validate the config of these choices, then build the model (replication 0)."""
        choices = dict(
            country=country, colocation=colocation, info_sharing=info_sharing, avr=avr, flights=flights,
            attaches=attaches,
        )  # fmt: skip
        scaling = dict(detention_places=detention_places, police_officers=police_officers, case_officers=case_officers)
        self.overrides = page_overrides(choices, scaling, int(seed))
        self.config = to_params(compose(self.overrides))
        """The validated config, with where results go (``paths``)."""
        super().__init__(self.config, 0)

    def step(self) -> None:
        """One day; the run stops at its end (warm-up and horizon)."""
        super().step()
        if self.time >= self.end_day:
            self.running = False


def model_params() -> dict[str, dict]:
    """The page's inputs: each lever's options from ``configs/``, starting at the root config's default."""
    defaults = {group: default for group, default, _ in groups()}
    params: dict[str, dict] = {
        group: {"type": "Select", "value": defaults[group], "values": list(options(group)), "label": label}
        for group, label in LEVERS.items()
    }
    for key, label in CAPACITIES.items():
        params[key] = {"type": "SliderFloat", "value": 1.0, "min": 0.25, "max": 3.0, "step": 0.25, "label": label}
    params["seed"] = {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "Seed"}
    return params


def start_values(params: dict[str, dict]) -> dict[str, Any]:
    """The value each input starts at (the model the page opens with)."""
    return {key: spec["value"] for key, spec in params.items()}


def stocks_so_far(model: PageModel) -> pd.DataFrame:
    """Open cases by state and day so far, all countries together (the model's table has every day of the run)."""
    stocks = model.stocks()
    stocks = stocks[stocks["day"] <= model.time]
    states = [s.label for s in ACTIVE]
    return stocks.groupby("day")[states].sum().rename(columns=WORDS) if len(stocks) else pd.DataFrame()


@solara.component
def StocksPlot(model: PageModel) -> None:
    """Open cases by state so far, all countries of the run together, on a log scale."""
    update_counter.get()  # redrawn after every step of the model
    stocks = stocks_so_far(model)
    with paper():
        fig, ax = plt.subplots(figsize=(PAGE, 2.6), layout="constrained")
        if len(stocks):
            stocks.plot(ax=ax, linewidth=1.2)
            ax.set_yscale("symlog", linthresh=10)
            ax.set_ylim(0, None)
        ax.axvline(model.params.warmup_days, color="0.5", linestyle=":", linewidth=0.8)
        ax.set(xlabel="day (dotted: end of warm-up)", ylabel="open cases (log above 10)", xlim=(0, model.end_day))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        ax.set_title(f"Open cases by state, day {int(model.time)} of {model.end_day}")
    solara.FigureMatplotlib(fig, format="png")
    plt.close(fig)


def outcome_table(model: PageModel) -> pd.DataFrame:
    """Where the decisions made so far stand: each outcome's cases and share (closed first, then open).

    Counts every decision since day 0 (the warm-up included), so it moves
    from the first step.
    """
    if model.time < 1:  # no decision yet
        return pd.DataFrame({"outcome": ["returned (all kinds)"], "cases": [0], "share": [float("nan")]})
    register = model.case_register()
    register = register[~register["matched"]]
    counts = register["outcome"].astype(str).value_counts()
    order = [s.label for s in (*TERMINAL, *ACTIVE) if counts.get(s.label, 0) > 0]  # closed first, then open
    returned = sum(counts.get(s.label, 0) for s in RETURNED)
    rows = [
        {"outcome": WORDS[label], "cases": int(counts[label]), "share": counts[label] / len(register)}
        for label in order
    ]
    rows.append({"outcome": "returned (all kinds)", "cases": returned, "share": returned / max(1, len(register))})
    return pd.DataFrame(rows)


@solara.component
def OutcomeTable(model: PageModel) -> None:
    """The outcome of every decision so far, as a table."""
    update_counter.get()
    table = outcome_table(model)
    solara.Markdown(f"**Decisions so far: {int(table['cases'].iloc[:-1].sum())}** (day {int(model.time)})")
    solara.Markdown(table.to_markdown(index=False, floatfmt=".3f"))


PATHS_SHOWN = 5
"""People whose paths the page follows (spread evenly over the cases opened so far)."""


def migrant_paths(model: PageModel, n: int = PATHS_SHOWN) -> pd.DataFrame:
    """The paths of ``n`` people decided so far, spread evenly over the cases opened: each state with its day."""
    opened = len(model.migrants)
    rows = sorted({round(k * (opened - 1) / max(1, n - 1)) for k in range(n)}) if opened else []
    people = [model.migrants[row] for row in rows]
    return pd.DataFrame(
        {
            "case": [m.unique_id for m in people],
            "country": [m.country for m in people],
            "origin": [m.origin for m in people],
            "path (day)": [" → ".join(f"{WORDS[s.label]} ({day:.0f})" for s, day in m.history) for m in people],
        }
    )


@solara.component
def MigrantPaths(model: PageModel) -> None:
    """A few people's paths through the process so far, read from their cases (:mod:`sim.model.migrants`)."""
    update_counter.get()
    paths = migrant_paths(model)
    if len(paths):
        solara.Markdown("**Some people's paths so far**\n\n" + paths.to_markdown(index=False))


@solara.component
def SaveConfig(model: PageModel) -> None:
    """A button that writes the exact config and shows the command that runs it from the command line."""
    saved, set_saved = solara.use_state("")

    def save() -> None:
        folder = Path(model.config.paths.results_dir) / "page" / dt.datetime.now().strftime("%Y-%m-%d_%H-%M-%S_%f")
        write_text(folder / "config.yaml", config_text(model.config))
        set_saved(f"Saved `{folder / 'config.yaml'}`. The same run from the command line:\n\n"
                  f"```bash\nuv run returnsim {' '.join(model.overrides)}\n```")  # fmt: skip

    solara.Button("Save config for the command line", on_click=save)
    if saved:
        solara.Markdown(saved)


INPUTS = model_params()
page = SolaraViz(
    PageModel(**start_values(INPUTS)),
    components=[StocksPlot, OutcomeTable, MigrantPaths, SaveConfig],
    model_params=INPUTS,
    name="returnsim: the return process",
    render_interval=DAYS_PER_RENDER,
    play_interval=1,
)
