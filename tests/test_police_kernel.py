"""The police's and detention's kernels: registering handovers, casework, searches, the wanted list, detention."""

from __future__ import annotations

import math

import numpy as np

from sim.model.detention import at_limit, review
from sim.model.engine import EVENTS
from sim.model.moves import add_wanted, enqueue_casework, move
from sim.model.police import consider_detention, work_day
from sim.model.queues import dated_push
from sim.model.states import State
from tests.helpers.engine_cases import engine_with_police


def _hand_over(engine: object, rows: list[int], day: float, package: int = 0) -> None:
    """File handovers reaching the police on ``day`` (as the agency's kernel does; the list has room for 64)."""
    for row in rows:
        engine.history[row]["package"] = package
        dated_push(engine.intake_times, engine.intake_keys, engine.intake_size, engine.intake_seq, 0, day, row)


def test_a_handed_over_case_goes_from_contact_to_documents_to_the_transport_line() -> None:
    """One case: registered, contacted, documents requested (forced), then, with documents, ready for a flight."""
    engine, police = engine_with_police(1)
    move(engine, 0, State.RETURN_CASE, 0.5)
    engine.history[0]["handover_ground"] = 1
    _hand_over(engine, [0], 1.0, package=0b00100)
    work_day(police, engine, 0, 1)  # registered, contacted (probability 1)
    hot, history = engine.hot, engine.history
    assert hot[0]["state"] == State.POLICE_CASE and history[0]["handover_day"] == 1.0
    assert history[0]["fields_passed"] == 0b00100 and hot[0]["contacted"]
    assert engine.events[0, EVENTS.index("handed_to_police")] == 1
    work_day(police, engine, 0, 2)  # a forced document request
    assert engine.requests_size == 1 and engine.requests[0]["forced"] and hot[0]["document_pending"]
    hot[0]["document_pending"], hot[0]["documents"] = False, True  # the third country says yes
    enqueue_casework(engine, 0, 0)  # (as the answer's kernel will)
    work_day(police, engine, 0, 3)
    assert hot[0]["state"] == State.AWAITING_FLIGHT and engine.ready_tail[0] - engine.ready_head[0] == 1
    assert history[0]["flight_ready_day"] == 3.0


def test_without_the_identity_field_the_police_lose_the_agencys_documents_and_requests() -> None:
    """A person without own documents whose file lacks the identity field: documents and request withdrawn."""
    engine, police = engine_with_police(2)
    for row in (0, 1):
        move(engine, row, State.RETURN_CASE, 0.5)
        engine.hot[row]["documents"] = engine.hot[row]["document_pending"] = True
    _hand_over(engine, [0], 1.0, package=0b00000)
    _hand_over(engine, [1], 1.0, package=0b00100)  # identity documents passed
    work_day(police, engine, 0, 1)
    assert not engine.hot[0]["documents"] and engine.history[0]["document_version"] == 1
    assert engine.hot[1]["documents"] and engine.history[1]["document_version"] == 0


def test_searches_find_people_on_the_wanted_list_who_leave_it_when_they_leave_absconding() -> None:
    """Ten people wanted; one departs unseen (off the list at once); all searches succeed: nine located."""
    engine, police = engine_with_police(10, police_search_share=1.0)
    for row in range(10):
        move(engine, row, State.ABSCONDED, 0.5)
        add_wanted(engine, 0, row)
    move(engine, 3, State.DEPARTED_UNRECORDED, 0.7)
    assert engine.wanted_size[0] == 9 and 3 not in engine.wanted[0, :9].tolist()
    assert sorted(engine.wanted[0, :9].tolist()) == [r for r in range(10) if r != 3]
    work_day(police, engine, 0, 1)
    assert engine.events[0, EVENTS.index("located")] == 9 and engine.wanted_size[0] == 0
    assert (engine.hot["state"][:10] == State.POLICE_CASE).sum() == 9


def test_detention_takes_free_places_only_and_a_review_releases_when_nothing_is_under_way() -> None:
    """Three at-risk people with documents, two places: two detained; a review with nothing under way releases."""
    engine, police = engine_with_police(3, detention_risk_threshold=2.0)  # willingness 1 < 2: at risk
    for row in range(3):
        move(engine, row, State.RETURN_CASE, 0.5)
        move(engine, row, State.POLICE_CASE, 0.6)
        engine.hot[row]["documents"] = True
        consider_detention(police, engine, 0, row, 1.0)
    assert engine.hot["state"][:3].tolist().count(State.DETAINED) == 2 and engine.detention_occupied[0] == 2
    detained = int(np.flatnonzero(engine.hot["state"][:3] == State.DETAINED)[0])
    assert engine.hot[detained]["detention_limit"] == 61.0 and engine.hot[detained]["detention_review"] == 15.0
    review(engine, detained, 15.0)  # documents in hand: removal under way, the detention goes on
    assert engine.hot[detained]["state"] == State.DETAINED and engine.hot[detained]["detention_review"] == 29.0
    engine.hot[detained]["documents"] = False
    review(engine, detained, 29.0)
    assert engine.hot[detained]["state"] == State.POLICE_CASE and engine.hot[detained]["released"]
    assert engine.detention_occupied[0] == 1 and engine.history[detained]["detention_days"] == 28.0
    other = int(np.flatnonzero(engine.hot["state"][:3] == State.DETAINED)[0])
    engine.hot[other]["document_pending"] = True
    at_limit(engine, other, 61.0)  # a request pending: extended to the extended limit
    assert engine.hot[other]["detention_limit"] == 91.0
    at_limit(engine, other, 91.0)
    assert engine.hot[other]["state"] == State.POLICE_CASE and engine.history[other]["released_at_limit"] == 1
    assert math.isinf(engine.hot[other]["detention_limit"])


def test_documented_people_get_casework_first_and_blocked_cases_take_no_officer_time() -> None:
    """The green line comes first: with one action a day, a documented person queued after two others is
    handed to the transport service the first day; a blocked case (red: document attempts used up) takes no
    action, so the next case in line gets it."""
    engine, police = engine_with_police(3, actions_per_day=1.0)
    for row in (0, 1, 2):
        move(engine, row, State.RETURN_CASE, 0.5)
        move(engine, row, State.POLICE_CASE, 0.6)
        engine.hot[row]["contacted"] = True
    engine.hot[0]["unenforceable"] = True  # red: nothing left to ask for
    engine.hot[2]["documents"] = True  # green
    for row in (0, 1, 2):
        enqueue_casework(engine, 0, row)
    work_day(police, engine, 0, 1)
    assert engine.hot[2]["state"] == State.AWAITING_FLIGHT, "the documented person first"
    assert engine.requests_size == 0
    work_day(police, engine, 0, 2)
    assert engine.requests_size == 1 and engine.requests[0]["row"] == 1, "the red case took no action"


def test_the_police_ask_no_documents_of_an_origin_that_takes_no_forced_returns() -> None:
    """Such a case is blocked at once (red): no forced request is filed, no officer's time spent on it again."""
    engine, police = engine_with_police(1)
    police.takes_forced[0, 0] = False
    move(engine, 0, State.RETURN_CASE, 0.5)
    move(engine, 0, State.POLICE_CASE, 0.6)
    engine.hot[0]["contacted"] = True
    enqueue_casework(engine, 0, 0)
    work_day(police, engine, 0, 1)
    assert engine.requests_size == 0 and engine.hot[0]["unenforceable"]
