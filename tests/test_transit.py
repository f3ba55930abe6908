"""The North African transit route: people are conserved, places and support act through the stock."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.model import ReturnModel
from sim.params.checks import ConfigError
from sim.params.transit import route_decisions_per_year
from sim.runs.runner import run_replication
from tests.conftest import params

SMALL = ("nations.SE.decisions_per_year=1500", "warmup_days=400", "horizon_days=400")
ROUTE = ("transit=north_africa", *SMALL)


def _route_flows(*overrides: str, seed: int = 0) -> dict[str, float]:
    summary = run_replication(params(*ROUTE, *overrides, f"seed={seed}"), 0).summary.iloc[-1]
    return summary.filter(like="transit_").to_dict()


def test_the_route_conserves_people_every_day():
    model = ReturnModel(params(*ROUTE, "transit.places_per_year=30000", "transit.support_eur=3000"))
    route = model.transit
    assert route is not None
    for day in range(1, model.end_day + 1):
        model.run_until(day)
        assert route.conserved(), f"people were created or lost on day {day}"
    ev = route.events
    assert ev["assisted_returns"] > 0 and ev["re_entered"] > 0 and ev["onward_nordic"] > 0


def test_without_nordic_applicants_or_places_the_route_leaves_every_case_unchanged():
    none = run_replication(params(*SMALL), 0)
    idle = run_replication(params(*ROUTE, "transit.nordic_share=0", "transit.places_per_year=0"), 0)
    assert idle.register.equals(none.register)
    assert idle.summary.filter(like="transit_stock_end").iloc[0, 0] > 0  # the route ran


def test_the_route_supplies_its_expected_share_of_decisions_with_no_programme():
    """Over 8 seeds the route's decisions in Sweden match the expectation the direct arrivals are lowered by."""
    overrides = ("transit.places_per_year=0", "warmup_days=2190", "horizon_days=730")
    counts = [_route_flows(*overrides, seed=s)["transit_decisions"] for s in range(8)]
    expected = route_decisions_per_year(params(*ROUTE, *overrides).transit, params(*SMALL).nations)["SE"] * 2
    se = np.std(counts, ddof=1) / np.sqrt(len(counts))
    assert abs(np.mean(counts) - expected) < 4 * se + 1, (counts, expected)


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
    assert high["transit_cost"] == pytest.approx(low["transit_cost"] + 3000 * low["transit_assisted_returns"])
    drawn = _route_flows("transit.places_per_year=50000", "transit.support_eur=3000")
    assert drawn["transit_assisted_returns"] > 1.2 * high["transit_assisted_returns"]


def test_places_opened_by_the_timeline_draw_applicants_only_from_that_day():
    timeline = "timeline=[{day:100,set:{transit.places_per_year:5000}}]"
    model = ReturnModel(params(*ROUTE, "transit.places_per_year=0", timeline))
    route, change = model.transit, 400 + 100
    assert route is not None
    queues = []
    for day in range(1, change + 60):
        model.run_until(day)
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
