"""Policy over time: timeline changes are validated, act on their day through the mechanisms, and yearly
outputs add up to the horizon's."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sim.model.model import ReturnModel
from sim.model.states import State
from sim.outputs.yearly import CLOSURES, STOCKS_AT_YEAR_END
from sim.params.checks import ConfigError
from sim.runs.runner import run_replication
from tests.conftest import SMALL, cli, params

DAY = 300
"""Day of the horizon the changes below take effect (SMALL: 200 warm-up days, 900 horizon days)."""


def timeline(*entries: str) -> str:
    return "timeline=[" + ",".join(entries) + "]"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{day:0,set:{nations.SE.escorts:10}}", "timeline[0].day=0 is out of range; allowed: a day of the horizon"),
        ("{day:901,set:{nations.SE.escorts:10}}", "timeline[0].day=901 is out of range"),
        (
            "{day:300,set:{nations.SE.escort:10}}",
            "timeline[0].set.nations.SE.escort: unknown key 'nations.SE.escort'; did you mean",
        ),
        ("{day:300,set:{nations.XX.escorts:10}}", "unknown key 'nations.XX'. The keys at nations are"),
        ("{day:300,set:{nations.SE.escorts:-1}}", "timeline[0] (day 300): nations.SE.escorts=-1 is out of range"),
        ("{day:300,set:{nations.SE.escorts:many}}", "nations.SE.escorts='many': expected a value of type int"),
        ("{day:300,set:{seed:3}}", "timeline[0].set.seed: cannot change during a run"),
        ("{day:300,set:{attaches.mode:nordic_network}}", "attaches.mode: cannot change during a run (the attachés'"),
        ("{day:300,set:{nations.SE.attache_posts:[fast]}}", "cannot change during a run (attachés are posted"),
        (
            "{day:300,set:{colocation:fulll}}",
            "timeline[0].set.colocation='fulll' is not an option; did you mean 'full'? The options of colocation",
        ),
        ("{day:300,set:{}}", "timeline[0].set is empty"),
    ],
)
def test_a_bad_timeline_is_refused_naming_the_entry(entry, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        params(*SMALL, timeline(entry))


def test_changes_must_come_in_order_of_day():
    with pytest.raises(ConfigError, match=r"timeline\[1\].day=200 is out of range; .* after the previous change's"):
        params(*SMALL, timeline("{day:300,set:{nations.SE.escorts:10}}", "{day:200,set:{nations.SE.escorts:20}}"))


def test_a_lever_option_sets_every_value_of_its_file_and_later_keys_win():
    p = params(*SMALL, timeline("{day:300,set:{colocation:full,colocation.handover_admin_days:3}}"))
    ((day, values),) = p.stages()
    full = params(*SMALL, "colocation=full").colocation
    assert day == p.warmup_days + 300
    assert values.colocation.mode == "full" and values.colocation.handover_admin_days == 3.0
    assert values.colocation.joint_charter_planning == full.joint_charter_planning
    assert p.colocation.mode == "none", "the values before the change are untouched"


def _stocks(*overrides: str) -> pd.DataFrame:
    run = ReturnModel(params(*SMALL, *overrides))
    run.run()
    return run.stocks().set_index("day")


def test_a_capacity_change_acts_from_its_day_and_leaves_everything_before_it_unchanged():
    """Days before the change are identical to a run without it (the same random numbers); from its day the
    detention places are the new number, and with none left nobody enters detention."""
    before, after = _stocks(), _stocks(timeline(f"{{day:{DAY},set:{{nations.SE.detention_places:0}}}}"))
    first = 200 + DAY
    pd.testing.assert_frame_equal(before.loc[: first - 1], after.loc[: first - 1])
    assert (after.loc[first:, "detention_places"] == 0).all() and (
        after.loc[: first - 1, "detention_places"] == 40
    ).all()
    assert (after.loc[first:, "detention_occupied"].diff().dropna() <= 0).all(), "places are not refilled"
    assert before.loc[first:, "detention_occupied"].max() > 0


def test_a_hazard_change_redraws_every_open_case_that_day():
    """Without departures from the voluntary period from day d, no case leaves it by departing after d - even
    those whose departure had been drawn before the change (they draw again: hazards are memoryless)."""
    change = "{day:300,set:{behaviour.voluntary_period_departure:0.0}}"
    reg = run_replication(params(*SMALL, timeline(change)), 0).register
    from_vp = reg[(reg["closed_from"] == "voluntary_period") & reg["outcome"].isin(["returned_voluntary"])]
    start = 200 + DAY - 1
    assert (from_vp["outcome_day"] <= start).all()
    assert (from_vp["outcome_day"] > start - 100).sum() > 20, "the test saw departures before the change"


def test_yearly_counts_add_up_to_the_horizon_and_the_last_year_ends_with_the_run():
    p = params(*SMALL, "countries=[SE,NO]", "horizon_days=800", timeline("{day:366,set:{nations.SE.escorts:60}}"))
    result = run_replication(p, 0)
    years = result.yearly
    assert list(years.query("country == 'SE'")["last_day"]) == [365, 730, 800]
    for code, row in result.summary.set_index("country").iterrows():
        mine = years[years["country"] == code]
        for col in ("decisions", "returns", "forced_returns", "expired", "permits_granted", "moved_out"):
            assert mine[col].sum() == row[col], (code, col)
        end = result.stocks[result.stocks["day"] == p.warmup_days + p.horizon_days]
        end = end if code == "ALL" else end[end["country"] == code]
        for col in STOCKS_AT_YEAR_END:
            assert mine.iloc[-1][f"end_{col}"] == end[col].sum(), (code, col)
    assert set(CLOSURES) <= set(years.columns)


def test_the_command_refuses_a_bad_timeline_with_one_line_and_writes_nothing(tmp_path):
    run_dir = tmp_path / "run"
    proc = cli(*SMALL, timeline("{day:300,set:{nations.SE.escort:10}}"), f"hydra.run.dir={run_dir}", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "timeline[0].set.nations.SE.escort: unknown key 'nations.SE.escort'" in proc.stderr
    assert not run_dir.exists()


def test_a_deadline_a_change_has_already_passed_falls_due_on_the_day_not_before_it():
    """Shortening the voluntary period moves its overdue cases on on the change's day: the log before that day is
    the same as without the change (nothing is dated in the past), and many cases move on that very day."""
    change = timeline("{day:300,set:{nations.SE.voluntary_departure_days:1}}")
    first = 200 + 300 - 1  # the start of the change's day (SMALL: 200 warm-up days)

    def log(*extra: str) -> pd.DataFrame:
        out = run_replication(params(*SMALL, "output.transitions=true", *extra), 0).transitions
        return out.reset_index(drop=True)

    before, after = log(), log(change)
    pd.testing.assert_frame_equal(before[before["day"] < first], after[after["day"] < first])
    moved = after[(after["from_state"] == State.VOLUNTARY_PERIOD) & (after["to_state"] == State.RETURN_CASE)]
    assert (moved["day"] == first).sum() > 20, "the overdue cases move on at the start of the day"


def test_charter_desks_pool_from_the_day_a_timeline_says_so():
    """``flights.mode`` from national to joint_nordic on day 300 of the horizon: joint charters fly only after."""
    overrides = (
        "countries=[SE,NO]", "warmup_days=200", "horizon_days=700", "nations.SE.decisions_per_year=4000",
        "nations.NO.decisions_per_year=2000", "timeline=[{day:300,set:{flights:joint_nordic}}]",
    )  # fmt: skip
    flights = ReturnModel(params(*overrides))
    flights.run()
    table = flights.flights()
    joint = table[table["kind"] == "joint_charter"]
    assert len(joint) > 0 and joint["day"].min() > 200 + 300
    assert (table[table["day"] <= 200 + 300]["kind"] == "charter").all()
