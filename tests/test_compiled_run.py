"""The model end to end: the books balance, the process runs, its agents and migrants can be read.

These checks hold for any correct engine; the comparison of outcome
distributions with the reference file is the engine reference's
(``tests/test_engine_reference.py``).
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from sim.model import values as kp
from sim.model.cases import COLUMNS
from sim.model.engine import COUNTRY_VALUES, EVENTS
from sim.model.model import ReturnModel
from sim.model.results import FLIGHT_COLUMNS, FLOWS, STOCK_COLUMNS
from sim.model.states import ACTIVE, State
from sim.outputs.metrics import summarise
from sim.params.compose import load_params
from sim.params.transit import destination_weights
from sim.runs.runner import run_replication

SHORT = ["warmup_days=200", "horizon_days=365", "output.figures=false"]


def test_a_short_run_keeps_every_stock_place_and_list_consistent_and_uses_every_agency() -> None:
    """Stocks equal the cases' states; places (return cases' and other removals') within limits; wanted and
    queued people where they should be."""
    params = load_params(SHORT)
    run = ReturnModel(params)
    run.run()
    e = run.engine
    hot, history = e.hot[: e.size], e.history[: e.size]
    assert e.stocks[0].tolist() == np.bincount(hot["state"], minlength=len(State)).tolist()
    detained_others = run.police.other_size[0]  # the other removals (Dublin, crime, entry) held share the places
    assert detained_others > 0
    assert (
        e.detention_occupied[0]
        == (hot["state"] == State.DETAINED).sum() + detained_others
        <= params.nations["SE"].detention_places
    )
    assert e.centre_occupied[0] == hot["in_return_centre"].sum() <= params.nations["SE"].return_centre_places
    wanted = e.wanted[0, : e.wanted_size[0]]
    assert (hot["state"][wanted] == State.ABSCONDED).all() and hot["wanted"].sum() == len(wanted)
    assert (hot["listed_at"][wanted] == np.arange(len(wanted))).all()
    open_ = hot["state"] < State.RETURNED_VOLUNTARY
    assert (e.open_by_origin[0].sum() == open_.sum()) and np.isnan(history["outcome_day"][open_]).all()
    assert (history["outcome_day"][~open_] >= history["decision_day"][~open_]).all()
    for state in ACTIVE:  # every open state was reached by someone
        assert np.isfinite(history["entered"][:, state]).any(), state.label
    for outcome in (
        State.RETURNED_VOLUNTARY,
        State.RETURNED_ASSISTED,
        State.RETURNED_FORCED,
        State.DEPARTED_UNRECORDED,
    ):
        assert (hot["state"] == outcome).any(), outcome.label
    for event in ("handed_to_police", "located", "detention_entries"):
        assert e.events[0, EVENTS.index(event)] > 0, event
    assert run.authorities.followed_up[0] > 0 and run.authorities.relationship.max() > 0.0  # attachés at work


def test_the_same_seed_gives_the_same_run_and_another_seed_another() -> None:
    """Reproducible: the register's columns are equal for one seed, and differ for the next replication."""
    params = load_params(SHORT)
    runs = [ReturnModel(params, replication) for replication in (0, 0, 1)]
    for run in runs:
        run.run()
    same = [np.array_equal(runs[0].engine.hot[: runs[0].engine.size], r.engine.hot[: r.engine.size]) for r in runs[1:]]
    assert same == [True, False]


def _register_hash(replication: int) -> str:
    params = load_params(SHORT)
    run = ReturnModel(params, replication)
    run.run()
    e = run.engine
    digest = hashlib.sha256(e.hot[: e.size].tobytes())
    digest.update(e.history[: e.size].tobytes())
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_run_in_another_process() -> None:
    """Counter-based draws and compiled kernels: a fresh interpreter gives the same cases, byte for byte."""
    in_process = [_register_hash(r) for r in (0, 1)]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        in_workers = list(pool.map(_register_hash, (0, 1)))
    assert in_workers == in_process and in_process[0] != in_process[1]


def test_a_run_leaves_its_tables_with_their_columns_and_its_metrics() -> None:
    """Register, flights and stocks with the data dictionary's columns; the stocks are the kernels' counts of each
    day; a case is kept as it closed (no handover registered after the person left)."""
    params = load_params([*SHORT, "monitoring=all_charters"])
    run = ReturnModel(params)
    run.run()
    register, flights, stocks = run.case_register(), run.flights(), run.stocks()
    assert list(register.columns) == ["replication", *COLUMNS]
    assert list(flights.columns) == ["replication", *FLIGHT_COLUMNS]
    assert list(stocks.columns) == ["replication", *STOCK_COLUMNS, *(f"flow_{name}" for name in FLOWS)]
    handed, closed = register["handover_day"], register["outcome_day"]
    assert (handed.isna() | closed.isna() | (handed <= closed)).all()
    assert (register["handover_decided_day"].notna() & handed.isna() & closed.notna()).any()
    e = run.engine
    assert len(register) == e.size and (register["outcome"] == "detained").sum() == e.stocks[0, State.DETAINED]
    last = stocks.iloc[-1]
    assert last["day"] == run.end_day and last["absconded"] == e.stocks[0, State.ABSCONDED]
    assert last["wanted"] == e.wanted_size[0] and last["return_centre_occupied"] == e.centre_occupied[0]
    assert len(stocks) == run.end_day and stocks["detention_places"].eq(params.nations["SE"].detention_places).all()
    assert len(flights) == len(run.charters.flown) > 0 and flights["monitored"].all()
    assert flights["boarded"].sum() == (register["flight"] == "charter").sum()
    summary = summarise(run, register, flights)
    row = summary.iloc[0]
    assert row["decisions"] == ((register["decision_day"] > params.warmup_days) & ~register["matched"]).sum()
    assert row["monitoring_cost"] > 0 and row["share_forced_returns_monitored"] > 0
    assert row["requests_followed_up"] == run.authorities.followed_up[0] - run.at_warmup[0][0]["requests_followed_up"]


def test_the_runner_runs_the_model_on_mesas_clock_with_every_actor_an_agent() -> None:
    """The runner runs the kernels through Mesa's clock (the day loop's run); each agency of each country, each
    origin's authority and each attaché posted is a Mesa agent."""
    params = load_params([*SHORT, "countries=[SE,NO]", "flights=joint_nordic", "seed=4"])
    by_hand = ReturnModel(params, 1)
    for day in range(1, by_hand.end_day + 1):
        by_hand.day(day)
    result = run_replication(params, 1)
    assert result.register.equals(by_hand.case_register()) and result.stocks.equals(by_hand.stocks())
    assert result.events == by_hand.events_processed > 0
    agencies = Counter(type(a).__name__ for a in by_hand.agents)
    posts = sum(len(params.nations[code].attache_posts) for code in ("SE", "NO"))
    assert agencies == {
        "MigrationAgencyOffice": 2,
        "PoliceUnit": 2,
        "TransportService": 2,
        "ThirdCountryAuthority": len(params.origins),
        "Attache": posts,
    }
    assert posts > 0 and sorted(by_hand.third_countries) == sorted(params.origins)


def test_migrants_read_as_agents_from_their_rows() -> None:
    """``model.migrants[i]`` shows case i as the register has it: state, origin, country, the states it entered
    with their first days in order, its outcome last; the open cases of a country are those the stocks count."""
    run = ReturnModel(load_params([*SHORT, "countries=[SE,NO]"]))
    run.run()
    register = run.case_register()
    assert len(run.migrants) == len(register) > 0
    for i in (0, len(register) // 2, len(register) - 1, -1):
        m, row = run.migrants[i], register.iloc[i]
        assert (m.unique_id, m.state.label, m.origin, m.country) == (
            row["migrant_id"], row["outcome"], row["origin"], row["country"],
        )  # fmt: skip
        days = [day for _, day in m.history]
        assert days == sorted(days) and m.history[0] == (State.VOLUNTARY_PERIOD, row["decision_day"])
        if not m.is_open:
            assert m.history[-1] == (m.state, row["outcome_day"])
        assert m.willingness == row["willingness"]
    stocks = run.stocks().groupby("country").last()
    for code in ("SE", "NO"):
        open_here = run.migrants.open_in(code)
        assert len(open_here) == stocks.loc[code, [s.label for s in ACTIVE]].sum() > 0
        assert all(m.is_open and m.country == code for m in open_here)
    with pytest.raises(IndexError, match="opened"):
        run.migrants[len(register)]


def test_the_case_tables_are_made_for_the_expected_cases_at_once() -> None:
    """Room for the expected cases from the start (no doubling late in a run), and enough for every case opened."""
    params = load_params(SHORT)
    run = ReturnModel(params)
    made = len(run.engine.hot)
    assert made >= params.expected_cases(params.stages()) and len(run.engine.history) == made
    run.run()
    assert run.cases_opened <= made == len(run.engine.hot)


def _charters(*overrides: str) -> tuple[int, int]:
    """People removed on charters, and those of them seated after their charter was booked."""
    params = load_params([*SHORT, "colocation=charters_only", *overrides])
    run = ReturnModel(params)
    run.run()
    return sum(flown[2] for flown in run.charters.flown), run.charters.seated_late


def test_jointly_planned_charters_take_people_who_become_ready_after_booking() -> None:
    """Co-located charter planning: late boarders fill free seats; with the manifest fixed at booking, none do."""
    returnees, late = _charters()
    fixed_returnees, fixed_late = _charters("colocation.joint_charter_planning=false")
    assert late > 0 and fixed_late == 0
    assert returnees > fixed_returnees


def test_requests_are_counted_by_the_channel_they_go_through() -> None:
    """Without an embassy in any origin, every request of the horizon goes remotely; with Sweden's, none does."""
    remote = []
    for overrides in ([], ["nations.SE.embassies=[]", "nations.SE.attache_posts=[]"]):
        params = load_params([*SHORT, *overrides])
        run = ReturnModel(params)
        run.run()
        row = summarise(run, run.case_register(), run.flights()).iloc[0]
        e = run.engine
        in_horizon = int((e.requests["day"][: e.requests_size] > params.warmup_days).sum())
        assert row["document_requests_via_nordic_embassy"] == 0
        remote.append((row["document_requests_remote"], in_horizon))
    assert remote[0][0] == 0 and remote[1][0] == remote[1][1] > 0


def test_a_timeline_moves_open_cases_into_centres_and_rewrites_the_values_in_force() -> None:
    """Denmark's departure centres from the horizon's first day: open cases move in that day; every array the
    kernels read holds the new values from then."""
    params = load_params(
        ["country=denmark", "timelines=dk_harsh_centres", "warmup_days=200", "horizon_days=100", "output.figures=false"]
    )
    run = ReturnModel(params)
    for day in range(1, params.warmup_days + 1):
        run.day(day)
    before = int(run.engine.centre_occupied[0])
    run.day(params.warmup_days + 1)
    moved = int(run.engine.events[0, EVENTS.index("moved_into_centre")])
    assert moved > 0 and run.engine.centre_occupied[0] > before
    (_, changed), *_ = params.stages()
    for (part, name), array in kp.values_in_force(changed, run.codes).items():
        assert np.array_equal(getattr(getattr(run, part), name), array), (part, name)
    assert run.params == changed and run.engine.values[0, COUNTRY_VALUES.index("centre_until_departure")] == 1.0


def test_frontex_seats_on_other_member_states_operations_and_its_contribution_to_charters() -> None:
    """With ``flights=frontex`` people bound for a charter wait less: EU operations take them, Frontex pays.

    An EU operation's returnees cost the country their transfer and Frontex its
    contribution each; the country's own charters cost it the aircraft less
    that contribution per returnee. Under ``national`` there are no EU
    operations and Frontex pays nothing; one-country ``joint_nordic`` plans as
    ``national`` does, draw for draw.
    """
    tables = {}
    for mode in ("national", "joint_nordic", "frontex"):
        params = load_params([*SHORT, f"flights={mode}"])
        run = ReturnModel(params)
        run.run()
        tables[mode] = (run.flights(), run.case_register(), run.countries["SE"].costs)
    cfg = params.flights
    flights, register, costs = tables["frontex"]
    eu = flights[flights["kind"] == "eu_operation"]
    charters = flights[flights["kind"] == "charter"]
    assert len(eu) > 0 and (eu["organiser"] == "EU").all() and eu["seats"].eq(cfg.eu_spare_seats).all()
    assert np.allclose(eu["paid_by_frontex"], eu["boarded"] * cfg.frontex_contribution_per_returnee)
    assert np.allclose(eu["paid_by_country"], eu["boarded"] * cfg.transfer_cost_per_returnee)
    assert eu["boarded"].sum() > 0 and costs["transfers"] == pytest.approx(eu["paid_by_country"].sum())
    cost = params.nations["SE"].cost_charter
    covered = np.minimum(cost, charters["boarded"] * cfg.frontex_contribution_per_returnee)
    assert np.allclose(charters["paid_by_frontex"], covered) and np.allclose(
        charters["paid_by_country"], cost - covered
    )
    assert flights["boarded"].sum() == (register["flight"].isin(["charter", "eu_operation"])).sum()
    national, national_register, national_costs = tables["national"]
    assert (national["kind"] == "charter").all() and national["paid_by_frontex"].eq(0.0).all()
    assert national_costs["transfers"] == 0
    joint, joint_register, _ = tables["joint_nordic"]
    assert joint.equals(national) and joint_register.equals(national_register)
    less = [_air_wait([*SHORT, "flights=national", f"seed={s}"]) - _air_wait([*SHORT, "flights=frontex", f"seed={s}"])
            for s in range(4)]  # fmt: skip
    assert min(less) > 0.0 and np.mean(less) > 1.0, less  # measured: 1.1 to 3.0 days less, 2.2 on average


def _air_wait(overrides: list[str]) -> float:
    """Mean days from ready for a flight to removal by charter or EU operation (whom EU operations serve)."""
    run = ReturnModel(load_params(overrides))
    run.run()
    r = run.case_register()
    return float((r["outcome_day"] - r["flight_ready_day"])[r["flight"].isin(["charter", "eu_operation"])].mean())


def test_the_transit_route_brings_decisions_and_shares_its_places_cost() -> None:
    """``transit=north_africa``: the stock is conserved, its refused applicants open cases, the places are paid.

    Each country pays the places in proportion to its decisions (the route's
    destination weights).
    """
    params = load_params(["countries=[SE,NO]", *SHORT, "transit=north_africa", "transit.places_per_year=20000"])
    run = ReturnModel(params)
    run.run()
    route = run.transit
    assert route is not None and route.conserved() and route.events["assisted_returns"] > 0
    totals = run.countries
    assert all(totals[code].events["transit_decisions"] > 0 for code in ("SE", "NO"))
    weights = destination_weights(params.nations)
    paid = {code: totals[code].costs["transit_programme"] for code in ("SE", "NO")}
    assert paid["SE"] / paid["NO"] == pytest.approx(weights["SE"] / weights["NO"])


def test_the_transition_log_rebuilds_every_countrys_daily_stocks() -> None:
    """``output.transitions``: each country's stocks, rebuilt from its cases' logged changes, equal the stock table."""
    params = load_params(["countries=[SE,NO]", *SHORT, "output.transitions=true", "info_sharing=nordic"])
    run = ReturnModel(params)
    run.run()
    log, stocks = run.transitions(), run.stocks()
    assert log is not None and (log["from_state"] == -1).sum() == len(run.case_register())
    country = run.case_register().set_index("migrant_id")["country"]
    log = log.assign(country=log["migrant_id"].map(country))
    for code, changes in log.groupby("country"):
        days = np.ceil(changes["day"].to_numpy() - 1e-12).astype(int)
        delta = np.zeros((run.end_day + 2, len(State)), dtype=int)
        np.add.at(delta, (days, changes["to_state"].to_numpy()), 1)
        left = changes["from_state"].to_numpy() >= 0
        np.add.at(delta, (days[left], changes["from_state"].to_numpy()[left]), -1)
        rebuilt = delta.cumsum(axis=0)[1 : run.end_day + 1]
        recorded = stocks[stocks["country"] == code].set_index("day")
        for s in ACTIVE:
            assert np.array_equal(recorded[s.label].to_numpy(), rebuilt[:, s]), (code, s.label)


def test_attaches_follow_up_before_the_authorities_answer_on_their_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """A follow-up can bring an answer forward to its own day: the attachés work before the authorities answer."""
    import sim.model.model as return_model

    params = load_params(SHORT)
    run = ReturnModel(params)
    calls: list[str] = []
    answer = return_model.documents_day
    (attache, *_) = run.attaches
    week = attache.work_week
    monkeypatch.setattr(return_model, "documents_day", lambda *a: (calls.append("answer"), answer(*a))[1])
    monkeypatch.setattr(attache, "work_week", lambda *a: (calls.append("attache"), week(*a))[1])
    for day in range(1, 8):
        run.day(day)
    assert calls[-2:] == ["attache", "answer"] and calls.count("attache") == 1


def test_the_kernels_count_as_cached_only_once_compiled(tmp_path, monkeypatch):
    """numba makes the cache folder as soon as a cached kernel is defined, before anything is compiled: the
    folder alone must not silence the announcement of a fresh clone's first compilation."""
    import sim.model

    run_replication(load_params(SHORT), 0)  # compiles or loads the kernels: numba indexes them in a subfolder
    assert sim.model.kernels_cached(), "compiled kernels read as not cached: every run would announce a compilation"
    monkeypatch.setattr(sim.model, "KERNEL_CACHE", tmp_path)
    (tmp_path / "model_0123").mkdir()
    assert not sim.model.kernels_cached(), "an empty cache folder is not a cache"
