"""Access to the Nordic neighbours' embassies: which channel a document request takes, and what it adds.

A country without an embassy in an origin sends its requests remotely
(``remote_request_days`` later) or, with ``attaches.embassy_access=nordic``,
through a Nordic neighbour's embassy in the run (``representation_days``
later); a country with an embassy there keeps its days and its random numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.model import values as kp
from sim.model.documents import send_requests
from sim.model.model import ReturnModel
from sim.model.moves import file_request, open_cases
from sim.model.streams import case_uniform
from sim.params.checks import ConfigError
from sim.runs.runner import run_replication
from tests.conftest import TINY, params

SHORT = ("warmup_days=0", "horizon_days=10")
"""A run that is built, not run: requests are filed by hand."""
ICELAND = ("countries=[IS]", "warmup_days=200", "horizon_days=600")
"""Iceland alone: no embassy in any origin, and no neighbour in the run."""
FOUR = "[cooperative,slow,refuses_charters,refuses_forced]"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            "nations.IS.embassies=[atlantis]",
            "nations.IS.embassies: 'atlantis' is not an origin; "
            "choose from cooperative, slow, refuses_charters, refuses_forced",
        ),
        (
            "nations.FI.attache_posts=[refuses_forced]",
            "nations.FI.attache_posts: 'refuses_forced' is not one of nations.FI.embassies; "
            "choose from cooperative, slow, refuses_charters",
        ),
        ("attaches.embassy_access=global", "choose one of national, nordic"),
        (
            "timeline=[{day:300,set:{nations.IS.embassies:[slow]}}]",
            r"nations.IS.embassies: cannot change during a run \(the attachés' reach",
        ),
        (
            "timeline=[{day:300,set:{attaches.embassy_access:nordic}}]",
            r"attaches.embassy_access: cannot change during a run \(the attachés' reach",
        ),
    ],
)
def test_unknown_embassies_and_posts_outside_them_are_refused_with_the_key_named(override, expected):
    with pytest.raises(ConfigError, match=expected):
        params(override)


def _run(*overrides: str) -> ReturnModel:
    """The scenario with ``overrides`` over :data:`SHORT`, its kernels' state as built."""
    return ReturnModel(params(*overrides, *SHORT))


def _file_request(run: ReturnModel, code: str, origin: str, t: float = 5.0) -> tuple[float, float, float]:
    """File one forced request for a new case of ``code`` at ``origin``; its ready day, ``t`` and the
    authority's own draw (the next uniform of the authorities' stream, as an exponential processing time)."""
    e, a = run.engine, run.authorities
    c, where, one = run.codes.index(code), np.array([run.origins.index(origin)]), np.ones(1)
    row = open_cases(e, c, 0, np.array([t]), where, one, one, np.zeros((1, 4), dtype=np.bool_))
    processing = -math.log(1.0 - case_uniform(a.key, a.draws)) * run.params.origins[origin].processing_days
    file_request(e, row, t, True)
    send_requests(a, e)
    (i,) = np.flatnonzero(e.requests["row"][: e.requests_size] == row)
    return float(a.sent["ready"][i]), t, processing


@pytest.mark.parametrize(
    ("attaches", "days_key", "counter"),
    [
        ("national", "remote_request_days", "requests_remote"),
        ("nordic_network", "representation_days", "requests_via_nordic_embassy"),
    ],
)
def test_a_country_without_an_embassy_gets_its_request_answered_later_by_the_channels_days(attaches, days_key, counter):
    """Iceland has no embassy at ``slow``: its request waits the channel's days on top of the same draw;
    Sweden's, through its own embassy, waits only the draw. Each request is counted by its channel."""
    run = _run("countries=[SE,IS]", f"attaches={attaches}")
    days = getattr(run.params.attaches, days_key)
    assert days > 0
    ready, t, processing = _file_request(run, "IS", "slow")
    assert ready == t + days + processing
    other = {"requests_remote", "requests_via_nordic_embassy"} - {counter}
    iceland = run.countries["IS"].events
    assert iceland[counter] == 1 and iceland[other.pop()] == 0
    ready, t, processing = _file_request(run, "SE", "slow")
    assert ready == t + 0.0 + processing
    sweden = run.countries["SE"].events
    assert sweden["requests_remote"] == sweden[counter] == 0 and sweden["document_requests"] == 1


def _embassy_for(run: ReturnModel, origin: str, code: str) -> str | None:
    """Code of the country whose embassy at ``origin`` takes ``code``'s requests in ``run``; None: sent remotely."""
    k = int(kp.embassies(run.params, run.codes)[run.codes.index(code), run.origins.index(origin)])
    return run.codes[k] if k >= 0 else None


def test_the_neighbours_embassy_is_one_with_an_attache_there_first_then_the_first_in_the_run():
    """Denmark has the only post at ``refuses_charters``: it takes Iceland's requests there though Sweden
    comes first; at ``cooperative`` (no posts) the first country of the run with an embassy does. The run's
    request channels (and so the days its requests take) follow."""
    run = _run("countries=[SE,DK,IS]", "attaches=nordic_network")
    assert _embassy_for(run, "refuses_charters", "IS") == "DK"
    assert _embassy_for(run, "cooperative", "IS") == "SE"
    assert _embassy_for(run, "cooperative", "SE") == "SE"
    iceland, cooperative = run.codes.index("IS"), run.origins.index("cooperative")
    assert run.channels[iceland, cooperative] == kp.NORDIC_EMBASSY
    assert run.authorities.channel_days[iceland, cooperative] == run.params.attaches.representation_days
    national = _run("countries=[SE,DK,IS]", "attaches=nordic_network", "attaches.embassy_access=national")
    assert _embassy_for(national, "cooperative", "IS") is None
    assert national.channels[iceland, cooperative] == kp.REMOTE


def _reached(run: ReturnModel, origin: str) -> list[str]:
    """Countries whose requests the attachés at ``origin`` follow up (``followed`` there), in the run's order."""
    o = run.origins.index(origin)
    return [code for k, code in enumerate(run.codes) if run.authorities.followed[o, k]]


def test_requests_through_a_posted_neighbours_embassy_reach_its_attache():
    """Without the common contact database, Iceland's requests reach Norway's attachés only through
    Norway's embassy standing in for Iceland's; then they are followed up."""
    reach = {}
    for access in ("national", "nordic"):
        overrides = ("countries=[NO,IS]", "attaches=nordic_network", f"attaches.embassy_access={access}")
        assert _reached(_run(*overrides), "slow") == (["NO", "IS"] if access == "nordic" else ["NO"])
        run = run_replication(params(*overrides, "info_sharing=extended", "warmup_days=200", "horizon_days=600"), 0)
        reach[access] = run.summary.set_index("country").loc["IS"]
    assert reach["national"]["requests_followed_up"] == 0 and reach["national"]["document_requests_remote"] > 0
    assert reach["nordic"]["requests_followed_up"] > 0 and reach["nordic"]["document_requests_via_nordic_embassy"] > 0
    assert reach["nordic"]["document_requests_remote"] == 0


def test_iceland_alone_has_no_neighbours_embassy_to_use():
    """With no other Nordic country in the run, ``embassy_access=nordic`` changes nothing: every request
    goes remotely either way."""
    alone = [
        run_replication(params(*ICELAND, f"attaches.embassy_access={access}"), 0).summary
        for access in ("national", "nordic")
    ]
    pd.testing.assert_frame_equal(alone[0], alone[1])
    assert alone[0].loc[0, "document_requests_remote"] > 0
    assert alone[0].loc[0, "document_requests_via_nordic_embassy"] == 0


def test_an_own_embassy_adds_nothing_and_leaves_the_random_numbers_alone():
    """Sweden has embassies everywhere: no request goes another way. Without them and with a remote
    channel of 0 days, the run is the same but for the counter (the draws are not shifted); with the
    default 60 days, returns come later."""
    unposted = ("nations.SE.attache_posts=[]",)
    runs = {
        name: run_replication(params(*TINY, *overrides), 0).summary.iloc[0]
        for name, overrides in {
            "default": (),
            "own": (f"nations.SE.embassies={FOUR}", *unposted),
            "remote_0": ("nations.SE.embassies=[]", *unposted, "attaches.remote_request_days=0"),
            "remote": ("nations.SE.embassies=[]", *unposted),
        }.items()
    }
    assert runs["default"]["document_requests_remote"] == runs["default"]["document_requests_via_nordic_embassy"] == 0
    assert runs["remote_0"]["document_requests_remote"] > 0 and runs["own"]["document_requests_remote"] == 0
    counter = ["document_requests_remote"]
    assert runs["remote_0"].drop(counter).equals(runs["own"].drop(counter))
    assert runs["remote"]["median_days_to_return"] > runs["own"]["median_days_to_return"]
