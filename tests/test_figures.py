"""Every figure renders at a paper's size with titles, axis labels and data in every panel; the incidence estimate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from sim import run, sweep
from sim.analysis import figures as report_figures
from sim.analysis.effects import baselines, strata_of
from sim.analysis.incidence import cumulative_incidence, first_events
from sim.outputs import figures as plots
from sim.outputs.figure_style import PAGE, plt

TINY = [
    "nations.SE.decisions_per_year=2000",
    "nations.NO.decisions_per_year=1500",
    "warmup_days=60",
    "horizon_days=300",
]
CHARTERS_FLY = ["nations.SE.flight_connectivity=0.25", "nations.NO.flight_connectivity=0.25"]
"""Escorted seats on scheduled flights cut with the countries' size, so that demand above them waits for charters:
without it a run this small flies a charter in about one replication in five (on either engine), and the
flights figure has nothing to show."""


def _check(fig: plt.Figure, *, in_title: str = "") -> None:
    """A paper's width at most, a title, and in every panel a title and something drawn."""
    width, height = fig.get_size_inches()
    assert width <= PAGE + 0.01 and height <= 9.5
    title = fig._suptitle.get_text() if fig._suptitle else ""
    assert title and in_title in title, title
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert panels
    for ax in panels:
        assert ax.get_title() or ax.get_ylabel(), "every panel says what it shows (a title, or its row's label)"
        assert ax.lines or ax.collections or ax.patches or ax.texts, f"panel {ax.get_title()!r} is empty"
    assert any(ax.get_ylabel() for ax in panels) or fig._supylabel, "a y axis label"
    assert any(ax.get_xlabel() for ax in panels) or fig._supxlabel, "an x axis label"
    plt.close(fig)


@pytest.fixture(scope="module")
def nordic():
    return run([*TINY, *CHARTERS_FLY, "countries=[SE,NO]", "flights=joint_nordic"], replications=2, progress=False)


def test_run_figures_have_a_panel_per_country_and_one_pooled(nordic):
    stocks = plots.stocks_figure(nordic.stocks, 60, None)
    assert [ax.get_title() for ax in stocks.axes] == ["all countries", "SE", "NO"]
    _check(stocks, in_title="90 % of 2 replications")
    outcomes = plots.outcomes_figure(nordic.register, 60, None)
    assert [ax.get_title() for ax in outcomes.axes if ax.get_visible()] == ["SE", "NO", "all countries"]
    assert outcomes.axes[0].get_xlim()[0] == 0, "shares from 0"
    _check(outcomes, in_title="2 replications")
    _check(plots.flights_figure(nordic.summary, None), in_title="who paid")


def test_a_run_saves_each_figure_as_png_and_svg_at_300_dpi(nordic, tmp_path):
    path = plots.outcomes_figure(nordic.register, 60, tmp_path / "outcomes")
    assert path.suffix == ".png" and path.with_suffix(".svg").read_text().lstrip().startswith("<?xml")
    with Image.open(path) as image:
        assert 900 <= image.width <= 2300  # 3-7.5 inches at 300 dpi
        assert image.info["dpi"][0] == pytest.approx(300, abs=1)


def test_no_flights_figure_when_no_charter_flew():
    summary = pd.DataFrame({"charter_returnees": [0, 0], "country": ["SE", "SE"], "replication": [0, 1]})
    assert plots.flights_figure(summary, None) is None


@pytest.fixture(scope="module")
def swept():
    levers = {"colocation": ["none", "full"], "behaviour.enforcement_feedback.form": ["none", "removal_risk"]}
    runs = sweep(levers, seeds=range(3), overrides=[*TINY, "countries=[SE,NO]"], workers=2, progress=False)
    spec = ["colocation=none"]
    return runs, baselines(runs, spec), strata_of(runs, spec)


def test_report_figures_mark_the_baseline_and_show_each_country_and_the_pool(swept):
    runs, baseline_of, strata = swept
    metrics = ["return_rate", "detention_days_per_forced_return"]
    fig = report_figures.metrics_figure(runs, metrics, baseline_of, strata, None)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["return rate", "detention days per\nforced return"]
    assert [ax.get_ylabel() for ax in fig.axes[::2]] == ["NO\nshare", "SE\nshare", "all countries\nshare"]
    ticks = [t.get_text() for t in fig.axes[-1].get_xticklabels()]  # the bottom row holds the labels
    assert ticks == ["none\n(baseline)", "full"]
    assert all(ax.get_ylim()[0] == 0 for ax in fig.axes), "y axes from 0"
    _check(fig, in_title="over 3 seeds")
    effects = report_figures.effects_figure(runs, metrics, baseline_of, strata, None)
    assert [t.get_text() for t in effects.axes[-1].get_xticklabels()] == ["full"]
    assert effects.legends and "feedback" in effects.legends[0].get_title().get_text()
    _check(effects, in_title="baseline (0)")


def test_report_stock_and_incidence_figures(swept, nordic):
    runs, baseline_of, strata = swept
    days = np.arange(1, 361)
    stocks = pd.concat(
        pd.DataFrame({"scenario": s, "replication": 0, "day": days, "state": "absconded", "cases": days * (i + 1)})
        for i, s in enumerate(runs["scenario"].cat.categories)
    )
    _check(report_figures.stocks_figure(stocks, 60, runs, baseline_of, strata, None), in_title="3 seeds")
    events = first_events(nordic.register, 60, 360)
    grid = np.linspace(0, 300, 50)
    curves = pd.concat(
        cumulative_incidence(events["days"], events["event"], grid).assign(scenario=s)
        for s in runs["scenario"].cat.categories
    )
    fig = report_figures.incidence_figure(curves, runs, baseline_of, strata, None)
    assert [ax.get_title() for ax in fig.axes] == ["first event: returned", "first event: absconded"], (
        "no expiry panel: no decision can expire within a 300-day horizon"
    )
    _check(fig, in_title="95 % CI")


def test_the_incidence_estimate_and_its_band_cover_the_known_curves():
    """Two competing exponential risks (rates 0.01 and 0.005 a day), censored at day 200: known CIFs."""
    rng = np.random.default_rng(1)
    n = 4000
    first, second = rng.exponential(100.0, n), rng.exponential(200.0, n)
    days = np.minimum(np.minimum(first, second), 200.0).round()  # whole days, as the model's
    event = np.where(np.minimum(first, second) > 200.0, 0, np.where(first < second, 1, 2))
    grid = np.array([20.0, 60.0, 120.0, 180.0])
    curves = cumulative_incidence(days, event, grid).set_index(["event", "days"])
    total = 0.015
    for name, rate in (("returned", 0.01), ("absconded", 0.005)):
        truth = rate / total * (1 - np.exp(-total * grid))
        got = curves.loc[name]
        assert np.all(np.abs(got["incidence"].to_numpy() - truth) < 0.03)  # whole days shift it by < 1 %
        assert np.mean((got["ci_low"] <= truth + 0.01) & (truth - 0.01 <= got["ci_high"])) == 1.0
        assert np.all(got["ci_high"] - got["ci_low"] < 0.06), "a band, not a bar across the axis"
    assert (curves.loc["expired", "incidence"] == 0).all()
