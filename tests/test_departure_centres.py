"""Departure centres (Denmark): residence through the police's stages, a reporting duty and the centres' own
abscond hazard, each switched on alone; the stock in departure position as an output."""

from __future__ import annotations

import numpy as np

from sim.model.model import ReturnModel
from sim.model.states import State
from sim.runs.runner import run_replication
from tests.conftest import params

DK = (
    "country=denmark",
    "nations.DK.return_centre_share=1.0",  # everyone placed in a centre, with room for all
    "nations.DK.return_centre_places=5000",
    "warmup_days=200",
    "horizon_days=600",
)


HELD = (State.VOLUNTARY_PERIOD, State.RETURN_CASE, State.POLICE_CASE)
"""The open states a departure centre may hold a case in."""


def _open_cases(run: ReturnModel, code: str) -> tuple[np.ndarray, np.ndarray]:
    """The hot and history rows of country ``code``'s open cases now."""
    e = run.engine
    hot, history = e.hot[: e.size], e.history[: e.size]
    mine = (hot["state"] < State.RETURNED_VOLUNTARY) & (hot["country"] == run.codes.index(code))
    return hot[mine], history[mine]


def _outside_a_centre(run: ReturnModel) -> tuple[int, int]:
    """Denmark's open cases decided by day 300 in a state a centre may hold, and how many of them live outside."""
    hot, history = _open_cases(run, "DK")
    cases = hot[np.isin(hot["state"], HELD) & (history["decision_day"] <= 300)]
    return len(cases), int((~cases["in_return_centre"]).sum())


def test_residents_keep_their_place_through_the_police_stages_only_in_a_departure_centre():
    """A police case keeps its centre place only with ``centre_until_departure``; the absconded and the detained
    never hold one."""
    held = {}
    for until_departure in (False, True):
        run = ReturnModel(params(*DK, f"nations.DK.centre_until_departure={str(until_departure).lower()}"))
        run.run()
        hot, _ = _open_cases(run, "DK")
        held[until_departure] = int(hot["in_return_centre"][hot["state"] == State.POLICE_CASE].sum())
        assert not hot["in_return_centre"][np.isin(hot["state"], (State.ABSCONDED, State.DETAINED))].any()
    assert held[False] == 0 and held[True] > 0


def test_a_reporting_duty_reveals_a_residents_absence_within_its_interval():
    def delays(reporting: float) -> np.ndarray:
        result = run_replication(
            params(*DK, f"nations.DK.centre_reporting_days={reporting}", "output.transitions=true"), 0
        )
        log = result.transitions
        absconded = log[log["to_state"] == State.ABSCONDED].groupby("migrant_id")["day"].first()
        reg = result.register.set_index("migrant_id")
        noticed = reg[reg["handover_ground"] == "absconded"]["handover_decided_day"]
        return (noticed - absconded.reindex(noticed.index)).dropna().to_numpy()

    with_duty, without = delays(2.0), delays(0.0)
    assert len(with_duty) > 50 and with_duty.max() <= 2.0 + 1.0  # noticed within 2 days, acted on at the next work day
    assert np.quantile(without, 0.75) > 5.0, "without the duty the usual two-week detection applies"


def test_the_centres_conditions_move_absconding_of_residents():
    share = {
        mult: run_replication(params(*DK, f"nations.DK.centre_abscond_multiplier={mult}"), 0).summary.iloc[-1][
            "share_ever_absconded"
        ]
        for mult in (0.5, 1.0, 2.0)
    }
    assert share[0.5] < share[1.0] < share[2.0]


def test_the_departure_position_is_every_open_case_but_the_absconded():
    result = run_replication(params(*DK, "horizon_days=300"), 0)
    stocks = result.stocks
    open_here = stocks[["voluntary_period", "return_case", "police_case", "detained", "awaiting_flight"]].sum(axis=1)
    assert (stocks["departure_position"] == open_here).all()
    assert result.summary.iloc[-1]["departure_position_end"] == stocks.iloc[-1]["departure_position"]
    assert result.yearly.iloc[-1]["end_departure_position"] == stocks.iloc[-1]["departure_position"]


def test_a_timeline_that_opens_centres_moves_open_cases_in_only_when_asked():
    """On the day, every open case a departure centre may hold moves in (room for all, share 1); else none."""
    opening = (
        "country=denmark",
        "warmup_days=300",
        "horizon_days=60",
        "timeline=[{day:1,set:{nations.DK.return_centre_share:1.0,nations.DK.return_centre_places:5000,"
        "nations.DK.centre_until_departure:true,nations.DK.centre_moves_open_cases:MOVE}}]",
    )
    outside = {}
    for move in ("false", "true"):
        run = ReturnModel(params(*(o.replace("MOVE", move) for o in opening)))
        run.run_until(301)
        cases, outside[move] = _outside_a_centre(run)
        assert cases > 50
        moved = run.countries["DK"].events["moved_into_centre"]
        assert (moved > 0) == (move == "true")
    assert outside["true"] == 0 < outside["false"]


def test_open_cases_move_in_only_on_the_day_of_the_change_that_asks_for_it():
    """Half the open cases move in on day 1; a later, unrelated change (day 30) moves nobody more."""
    timeline = (
        "timeline=[{day:1,set:{nations.DK.return_centre_share:0.5,nations.DK.return_centre_places:5000,"
        "nations.DK.centre_until_departure:true,nations.DK.centre_moves_open_cases:true}},"
        "{day:30,set:{nations.DK.police_officers:40}}]"
    )
    run = ReturnModel(params("country=denmark", "warmup_days=300", "horizon_days=60", timeline))
    run.run_until(301)
    moved = run.countries["DK"].events["moved_into_centre"]
    eligible = moved + _outside_a_centre(run)[1]
    assert 0.3 * eligible < moved < 0.7 * eligible  # the share decides (its own stream)
    run.run()
    assert run.countries["DK"].events["moved_into_centre"] == moved
