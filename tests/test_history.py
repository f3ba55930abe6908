"""A country's history as the model's input: calendar years of values, refused when malformed, and yearly outputs.

``history=sweden_2013_2023`` runs the horizon as the calendar years 2013-2023
after a warm-up on 2013's values; each year's values hold from its 1 January
(a timeline change), and the yearly table counts by calendar year.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sim.outputs.columns import YEARLY, check_report
from sim.params.checks import ConfigError
from sim.params.compose import load_params
from sim.params.history import History, HistoryYear, Published, calendar_day, check_history, year_bounds
from sim.runs.runner import run_replication, write_results
from tests.conftest import params

HISTORY = "history=sweden_2013_2023"


def test_the_history_runs_its_calendar_years_on_each_years_values():
    """Eleven years, 4 017 days; 2013's values in force from the warm-up; each later year's from its 1 January."""
    p = params(HISTORY)
    assert p.horizon_days == (dt.date(2024, 1, 1) - dt.date(2013, 1, 1)).days == 4017
    first = {entry.year: entry.set for entry in p.history.years}
    assert p.nations["SE"].decisions_per_year == first[2013]["nations.SE.decisions_per_year"]
    stages = dict(p.stages())
    for year in (2014, 2016, 2017, 2023):
        day = p.warmup_days + calendar_day(p.history, year)
        assert stages[day].nations["SE"].detention_places == first[year]["nations.SE.detention_places"], year
    assert calendar_day(p.history, 2017) - calendar_day(p.history, 2016) == 366  # 2016 is a leap year
    bounds = year_bounds(p.history, p.horizon_days)
    assert [b[0] for b in bounds] == list(range(2013, 2024)) and bounds[-1][2] == 4017


def test_a_lever_timeline_combines_with_the_history_and_may_not_set_its_keys_on_its_days():
    combined = params(HISTORY, "timeline=[{day:1097,set:{nations.SE.police_officers:300}}]")
    after = dict(combined.stages())[combined.warmup_days + 1097]
    assert after.nations["SE"].police_officers == 300 and after.nations["SE"].decisions_per_year == 35310
    with pytest.raises(ConfigError, match=r"timeline\[0\] \(day 1096\) sets nations.SE.detention_places, which hist"):
        params(HISTORY, "timeline=[{day:1096,set:{nations.SE.detention_places:100}}]")  # 1 January 2016


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("history.years.2.year=2014", r"history.years\[2\] \(year 2014\): repeats an earlier year"),
        ("history.years.2.year=2012", r"history.years\[2\] \(year 2012\): runs backwards"),
        ("history.years.2.year=2016", r"history.years\[2\] \(year 2016\): year 2015 is missing"),
        ("history.requires=[nations.SE.escorts]", r"history.years\[0\] \(year 2013\): sets no nations.SE.escorts"),
        ("history.fitted_until=2030", r"history.fitted_until=2030 is out of range; allowed: 2012-2023"),
        ("history.published.0.sd=0", r"history.published\[0\] \(registered_departures_incl_dublin 2015\): sd=0"),
        ("history.scale=0", r"history.scale=0.0 is out of range"),
    ],
)
def test_a_malformed_history_is_refused_naming_the_entry_and_year(override, message):
    with pytest.raises(ConfigError, match=message):
        params(HISTORY, override)


def test_a_published_figure_must_name_a_column_of_the_yearly_table():
    p = params(HISTORY, "history.published.0.metric=registerd_departures")
    with pytest.raises(ConfigError, match=r"history.published\[0\].metric: unknown metric 'registerd_departures'"):
        check_report(p)
    assert all(f.metric in YEARLY.columns for f in params(HISTORY).history.published)


def test_published_figures_out_of_the_histories_years_are_refused():
    history = History(
        name="toy", country="SE", first_year=2013, fitted_until=2013, requires=[], scale=1.0,
        years=[HistoryYear(2013, {}), HistoryYear(2014, {})],
        published=[Published(2015, "decisions", 1.0, 1.0, "none")],
    )  # fmt: skip
    with pytest.raises(ConfigError, match=r"history.published\[0\] \(decisions 2015\): the year is out of range"):
        check_history(history)


def test_the_yearly_table_counts_by_calendar_year_and_adds_up_to_the_horizon():
    """A history cut short (800 days: 2013, 2014 and 70 days of 2015) at a tenth of its size."""
    result = run_replication(params(HISTORY, "horizon_days=800", "history.scale=0.1", "warmup_days=400"), 0)
    y = result.yearly
    assert y["year"].tolist() == [2013, 2014, 2015]
    assert (y["first_day"].tolist(), y["last_day"].tolist()) == ([1, 366, 731], [365, 730, 800])
    summary = result.summary.iloc[0]
    assert y["decisions"].sum() == summary["decisions"] and y["forced_returns"].sum() == summary["forced_returns"]
    assert (
        y["registered_departures"] == y["returned_voluntary"] + y["assisted_departures"] + y["forced_returns"]
    ).all()
    assert (y["police_open_end"] == y["police_workable_end"] + y["wanted_end"]).all()
    workable = y["police_green_end"] + y["police_yellow_end"] + y["police_red_end"]
    assert (workable == y["police_workable_end"]).all() and (y["police_red_end"] > 0).all()
    assert (y["detention_occupancy_share"].between(0, 1)).all() and (y["other_removals"] > 0).all()
    assert (y["detention_persons"] <= y["detention_entries"]).all()
    assert set(y.columns) == set(YEARLY.columns)


def test_a_history_run_draws_the_published_series_against_the_model(tmp_path):
    """The run's figures hold ``history.png``: a panel per published series, the fitted and forecast years."""
    p = params(HISTORY, "horizon_days=800", "history.scale=0.1", "warmup_days=400", "replications=2")
    results = [run_replication(p, r) for r in range(2)]
    write_results(p, results, tmp_path)
    assert (tmp_path / "figures" / "history.png").stat().st_size > 10_000
    assert "figures/history.png" in (tmp_path / "run.json").read_text()


def test_an_override_of_a_key_the_history_sets_every_year_is_refused():
    """It would never be read: the history replaces it from the first day and on every 1 January."""
    with pytest.raises(ConfigError, match="history sweden_2013_2023 sets nations.SE.detention_places in every year"):
        load_params([HISTORY, "nations.SE.detention_places=100"])
    assert load_params([HISTORY, "nations.SE.police_officers=100"]).nations["SE"].police_officers == 100
