"""Known-answer tests that pin the engine to textbook formulas."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from sim.model.model import ReturnModel
from sim.model.states import State
from tests.conftest import params

OFF = (
    "behaviour.willingness_sigma=0",
    "behaviour.enforcement_feedback.form=none",
    "behaviour.voluntary_period_departure=0",
    "behaviour.voluntary_period_abscond=0",
    "behaviour.return_case_departure=0",
    "behaviour.return_case_abscond=0",
    "behaviour.police_case_departure=0",
    "behaviour.police_case_abscond=0",
    "behaviour.absconded_leave_unrecorded=0",
    "behaviour.absconded_move_nordic=0",
    "behaviour.absconded_chance_encounter=0",
    "behaviour.absconded_registered_departure=0",
    "behaviour.absconded_other_closure=0",
    "behaviour.permit_after_impediment=0",
    "behaviour.vulnerable_share=0",
    "nations.SE.return_centre_share=0",
    "nations.SE.statute_of_limitation_days=100000",
    "warmup_days=0",
    "other_removals=none",
)
"""Every hazard off, no heterogeneity, no expiry within the run, no other removals in the places and escorts."""


def test_competing_exponential_hazards_split_and_mean_time():
    """With only two constant hazards, P(first) = r1/(r1+r2) and E[T] = 1/(r1+r2)."""
    r1, r2 = 0.01, 0.02
    p = params(
        *OFF,
        f"behaviour.voluntary_period_departure={r1}",
        f"behaviour.voluntary_period_abscond={r2}",
        "nations.SE.voluntary_departure_days=100000",
        "nations.SE.police_officers=0",
        "nations.SE.decisions_per_year=20000",
        "horizon_days=500",
        "seed=1",
    )
    run = ReturnModel(p)
    run.run()
    reg = run.case_register()
    cohort = reg[reg["decision_day"] <= 150]  # followed >= 350 days: P(unresolved) = exp(-10.5)
    left = cohort["entered_absconded"].fillna(cohort["outcome_day"]) - cohort["decision_day"]
    departed = (cohort["outcome"] == "returned_voluntary").mean()
    n = len(cohort)
    assert n > 7000
    share = r1 / (r1 + r2)
    assert abs(departed - share) < 4 * math.sqrt(share * (1 - share) / n)
    mean = 1 / (r1 + r2)
    assert abs(left.mean() - mean) < 4 * mean / math.sqrt(n)
    # the time to the first event is exponential: Kolmogorov-Smirnov at 1 %
    assert stats.kstest(left, "expon", args=(0, mean)).pvalue > 0.01


ORIGINS = ("cooperative", "slow", "refuses_charters", "refuses_forced")


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of an M/G/c/c loss system (Erlang's B formula, recursive form)."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def detention_requests(run: ReturnModel, code: str) -> tuple[int, int]:
    """Country ``code``'s requests for a detention place and those refused for want of one."""
    events = run.countries[code].events
    refused = int(events["detention_refused_full"])
    return int(events["detention_entries"]) + refused, refused


@pytest.mark.parametrize("places", [45, 55])
def test_detention_place_limit_is_an_erlang_loss_system(places):
    """Everyone is detained at booking and removed exactly L days later; blocked requests follow Erlang B.

    Agencies act once a day, so requests come in daily batches and a place
    freed on a day is free for that day's requests: the effective stay is
    L - 1/2 days. With L = 50 days and one request a day the batching is
    negligible and the loss system is Erlang's, with load 1 x 49.5. Everyone
    at risk, documented from the start, never absconding and never stopped
    asks for a place once, at booking: the cases booked, removed or still
    waiting, are as many as the requests, each detained at most once, and
    those never detained are the refusals.
    """
    lead, per_day = 50, 1
    p = params(
        *OFF,
        f"nations.SE.decisions_per_year={per_day * 365}",
        "nations.SE.voluntary_departure_days=1",
        "nations.SE.talks_before_handover=1",
        "nations.SE.case_officers=100",
        "nations.SE.police_officers=400",
        "nations.SE.police_search_share=0",
        "nations.SE.contact_probability=1",
        "nations.SE.escorts=1000",
        f"nations.SE.booking_lead_days={lead}",
        f"nations.SE.detention_places={places}",
        "nations.SE.detention_risk_threshold=1000",
        "nations.SE.charter_min_returnees=100000",
        *(
            f"origins.{o}.scheduled_seats_per_week=100000"
            for o in ("cooperative", "slow", "refuses_charters", "refuses_forced")
        ),
        "behaviour.has_identity_document_share=1",
        "colocation=none",  # detained at booking, L days before the flight
        "colocation.handover_admin_days=0",
        "horizon_days=30000",
        "seed=2",
    )
    run = ReturnModel(p)
    run.run()
    requests, refused = detention_requests(run, "SE")
    assert requests > 24000
    e = run.engine
    hot, history = e.hot[: e.size], e.history[: e.size]
    booked = (hot["state"] == State.RETURNED_FORCED) | (hot["booked_on"] >= 0)
    assert booked.sum() == requests and (history["times_detained"] <= 1).all()
    assert (booked & (history["times_detained"] == 0)).sum() == refused
    blocked = refused / requests
    expected = erlang_b(places, per_day * (lead - 0.5))
    assert blocked == pytest.approx(expected, abs=0.015), (blocked, expected)
    reg = run.case_register()
    forced = reg[reg["outcome"] == "returned_forced"]
    stays = forced.loc[forced["times_detained"] > 0, "detention_days"]
    assert stays.min() == pytest.approx(lead) and stays.max() == pytest.approx(lead)
