"""The North African transit route: people are conserved, places and support act through the stock."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from sim.model.model import ReturnModel
from sim.params.checks import ConfigError
from sim.params.transit import destination_weights, route_decisions_per_year
from sim.runs.runner import run_replication
from tests.conftest import params

SMALL = ("nations.SE.decisions_per_year=1500", "warmup_days=400", "horizon_days=400")
ROUTE = ("transit=north_africa", *SMALL)


def _route_flows(*overrides: str, seed: int = 0) -> dict[str, float]:
    summary = run_replication(params(*ROUTE, *overrides, f"seed={seed}"), 0).summary.iloc[-1]
    return summary.filter(like="transit_").to_dict()


def test_the_route_conserves_people_every_day_and_keeps_its_balance_with_no_programme():
    """Every day, everyone who entered the stock is in it or left by an exit; with no places it stays at balance."""
    run = ReturnModel(params(*ROUTE, "transit.places_per_year=30000", "transit.support_eur=3000"))
    route = run.transit
    assert route is not None
    for day in range(1, run.end_day + 1):
        run.run_until(day)
        assert route.conserved(), f"people were created or lost on day {day}"
    ev = route.events
    assert ev["assisted_returns"] > 0 and ev["re_entered"] > 0 and ev["onward_nordic"] > 0
    idle = ReturnModel(params(*ROUTE, "transit.places_per_year=0"))
    assert idle.transit is not None
    stocks = []
    for day in range(1, idle.end_day + 1):
        idle.run_until(day)
        stocks.append(idle.transit.stock)
    balance = idle.params.transit.equilibrium_stock()  # 50 000; a day's draws move it by a few hundred at most
    assert abs(np.mean(stocks) - balance) < 0.02 * balance and max(stocks) < 1.05 * balance


def test_without_nordic_applicants_or_places_the_route_leaves_every_case_unchanged():
    none = run_replication(params(*SMALL), 0)
    idle = run_replication(params(*ROUTE, "transit.nordic_share=0", "transit.places_per_year=0"), 0)
    assert idle.register.equals(none.register)
    assert idle.summary.filter(like="transit_stock_end").iloc[0, 0] > 0  # the route ran


def test_the_routes_decisions_replace_the_direct_ones_they_are_subtracted_for():
    """A route ten times the default's brings Sweden over a tenth of its decisions, yet the total stays (8 seeds)."""
    big = ("transit.inflow_per_year=200000", "transit.places_per_year=0", "warmup_days=2190", "horizon_days=730")
    with_route = [run_replication(params(*ROUTE, *big, f"seed={s}"), 0).summary.iloc[-1] for s in range(8)]
    without = [run_replication(params(*SMALL, *big[3:], f"seed={s}"), 0).summary.iloc[-1] for s in range(8)]
    via_route = [row["transit_decisions"] for row in with_route]
    expected = route_decisions_per_year(params(*ROUTE, *big).transit, params(*SMALL).nations)["SE"] * 2
    assert abs(np.mean(via_route) - expected) < 4 * np.std(via_route, ddof=1) / np.sqrt(8) + 1, (via_route, expected)
    assert expected > 0.1 * 2 * 1500
    totals = [row["decisions"] for row in with_route], [row["decisions"] for row in without]
    se = np.sqrt(sum(np.var(x, ddof=1) / len(x) for x in totals))
    assert abs(np.mean(totals[0]) - np.mean(totals[1])) < 4 * se, totals  # fails by about 12 SE without the subtraction


def test_the_routes_cases_leave_the_direct_arrivals_unchanged():
    """Every direct decision day recurs when places change what the route brings (common random numbers)."""
    runs = []
    for places in (0, 30000):
        run = ReturnModel(params(*ROUTE, f"transit.places_per_year={places}"))
        run.run()
        days = Counter(run.case_register()["decision_day"].tolist())
        runs.append((days, sum(days.values()) - run.countries["SE"].events["transit_decisions"]))
    (a, direct_a), (b, direct_b) = runs
    assert direct_a == direct_b == sum((a & b).values())
    assert a != b  # the route's own cases differ


def test_places_empty_the_stock_and_avoid_nordic_decisions():
    without = [_route_flows("transit.places_per_year=0", seed=s) for s in range(4)]
    many = [_route_flows("transit.places_per_year=20000", seed=s) for s in range(4)]
    for a, b in zip(without, many, strict=True):
        assert b["transit_stock_end"] < 0.75 * a["transit_stock_end"]
        assert b["transit_assisted_returns"] > 0 == a["transit_assisted_returns"]
    assert sum(b["transit_onward_nordic"] for b in many) < 0.8 * sum(a["transit_onward_nordic"] for a in without)


def test_support_acts_only_through_its_assumed_responses():
    off = ("transit.support_uptake_gain=0", "transit.support_remigration_reduction=0", "transit.places_per_year=50000")
    low, high = _route_flows(*off, "transit.support_eur=0"), _route_flows(*off, "transit.support_eur=3000")
    flows = ("transit_assisted_returns", "transit_onward_nordic", "transit_stock_end")
    assert {k: low[k] for k in flows} == {k: high[k] for k in flows}
    sweden = destination_weights(params(*SMALL).nations)["SE"]  # Sweden pays its share of the programme
    assert high["transit_cost"] == pytest.approx(low["transit_cost"] + 3000 * low["transit_assisted_returns"] * sweden)
    drawn = _route_flows("transit.places_per_year=50000", "transit.support_eur=3000")
    assert drawn["transit_assisted_returns"] > 1.2 * high["transit_assisted_returns"]


def test_places_opened_by_the_timeline_draw_applicants_only_from_that_day():
    """Nobody queues for a place before the change's day; a month after it the queue is never empty."""
    timeline = "timeline=[{day:100,set:{transit.places_per_year:5000}}]"
    run = ReturnModel(params(*ROUTE, "transit.places_per_year=0", timeline))
    route, change = run.transit, 400 + 100
    assert route is not None
    queues = []
    for day in range(1, change + 60):
        run.run_until(day)
        queues.append(route.queue)
    assert max(queues[: change - 1]) == 0
    assert min(queues[change + 30 :]) > 0


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        (("transit.inflow_per_year=9000000",), "transit.inflow_per_year"),
        (("transit.mode=libya",), "transit.mode"),
        (("transit.nordic_share=1.5",), "transit.nordic_share"),
        (("timeline=[{day:10,set:{transit.mode:none}}]",), "transit.mode"),
    ],
)
def test_a_bad_route_is_refused_naming_the_key(overrides, named):
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        params(*ROUTE, *overrides)
