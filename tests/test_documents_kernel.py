"""The third countries' kernel: processing time, acceptance share, withdrawn and refused requests."""

from __future__ import annotations

import numpy as np

from sim.model.documents import follow_up, new_authorities, send_requests, work_day
from sim.model.moves import file_request, move
from sim.model.states import State
from sim.model.streams import stream_key
from tests.helpers.engine_cases import engine_with_police


def _authorities(accept: float, forced_factor: float = 1.0, channel: float = 0.0) -> object:
    key = stream_key(np.random.SeedSequence(entropy=11, spawn_key=(0, 2)))
    return new_authorities(
        np.array([[20.0, accept, forced_factor]]),
        np.full((1, 1), channel),
        np.zeros((1, 32)),
        np.zeros(1),
        0.3,
        0.0,
        key,
    )


def test_requests_are_answered_after_the_channel_and_processing_time_and_accepted_in_the_share_set() -> None:
    """3 000 requests on day 0: mean wait 5 + 20 days (± 1.5), 60 % accepted (± 3 points)."""
    engine, police = engine_with_police(3000)
    for row in range(3000):
        file_request(engine, row, 0.0, False)
    authorities = _authorities(0.6, channel=5.0)
    send_requests(authorities, engine)
    assert abs(authorities.sent["ready"][:3000].mean() - 25.0) < 1.5
    assert (authorities.sent["ready"][:3000] >= 5.0).all()
    for day in range(1, 400):
        work_day(authorities, engine, police, day)
    hot, history = engine.hot[:3000], engine.history[:3000]
    assert not hot["document_pending"].any() and abs(hot["documents"].mean() - 0.6) < 0.03
    accepted = hot["documents"]
    assert (history["documents_day"][accepted] >= 5.0).all() and np.isnan(history["documents_day"][~accepted]).all()


def test_a_withdrawn_request_is_not_answered_and_a_refused_forced_one_goes_back_to_the_police() -> None:
    """Version moved on: no answer. Forced, never accepted: a retry is lined up with the police."""
    engine, police = engine_with_police(2)
    for row in (0, 1):
        move(engine, row, State.RETURN_CASE, 0.1)
        move(engine, row, State.POLICE_CASE, 0.2)
        file_request(engine, row, 0.0, True)
    engine.history[0]["document_version"] += 1  # the police lost the agency's file: request withdrawn
    authorities = _authorities(1.0, forced_factor=0.0)
    for day in range(1, 300):
        work_day(authorities, engine, police, day)
    assert engine.hot[0]["document_pending"]  # never answered
    assert not engine.hot[1]["document_pending"] and not engine.hot[1]["documents"]
    assert police.retries_tail[0] - police.retries_head[0] == 1 and police.retries[0, 0]["row"] == 1


def test_a_follow_up_brings_the_answer_forward_and_the_request_is_answered_once() -> None:
    """An attaché follows up 2 of 4 requests: their answers come sooner (speedup 2); each request answered once."""
    engine, police = engine_with_police(4)
    for row in range(4):
        file_request(engine, row, 0.0, False)
    authorities = _authorities(1.0)
    authorities.followed[0, 0] = True
    send_requests(authorities, engine)
    before = authorities.sent["ready"][:4].copy()
    done = follow_up(authorities, engine, 0, 0, 2, 2.0, 1.0, 0)
    after = authorities.sent["ready"][:4]
    assert done == 2 and authorities.followed_up[0] == 2
    assert np.allclose(after[:2], 1.0 + (before[:2] - 1.0) / 2.0) and (after[2:] == before[2:]).all()
    assert authorities.sent["pushed_by"][:4].tolist() == [0, 0, -1, -1]
    answered_days = {}
    for day in range(2, 400):
        pending = engine.hot["document_pending"][:4].copy()
        work_day(authorities, engine, police, day)
        for row in np.flatnonzero(pending & ~engine.hot["document_pending"][:4]).tolist():
            answered_days.setdefault(row, []).append(day)
    assert sorted(answered_days) == [0, 1, 2, 3] and all(len(d) == 1 for d in answered_days.values())
    assert engine.history["document_requests"][:4].tolist() == [1, 1, 1, 1]


def test_an_answer_brought_forward_leaves_no_second_answer_at_its_old_date() -> None:
    """Followed up and answered early; a new request filed after it is answered at its own date, not at the old one."""
    engine, police = engine_with_police(1)
    file_request(engine, 0, 0.0, False)
    authorities = _authorities(1.0, channel=100.0)
    authorities.followed[0, 0] = True
    send_requests(authorities, engine)
    old_date = float(authorities.sent["ready"][0])
    assert follow_up(authorities, engine, 0, 0, 1, 50.0, 1.0, 0) == 1
    for day in range(2, 10):
        work_day(authorities, engine, police, day)
    assert not engine.hot[0]["document_pending"]  # answered early
    authorities.channel_days[0, 0] = 1000.0
    file_request(engine, 0, 10.0, False)  # same file: the same version
    send_requests(authorities, engine)
    assert authorities.sent["ready"][1] > old_date + 10.0
    for day in range(10, int(old_date) + 10):
        work_day(authorities, engine, police, day)
    assert engine.hot[0]["document_pending"]  # the old date answered nothing
    for day in range(int(old_date) + 10, int(authorities.sent["ready"][1]) + 2):
        work_day(authorities, engine, police, day)
    assert not engine.hot[0]["document_pending"] and engine.history["document_requests"][0] == 2
