"""Process fidelity: each mechanism of the return process has a test that fails when it is removed."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.model.enforcement import EnforcementSignal
from sim.outputs.files import frame_hash
from sim.params.schema import EnforcementFeedback
from tests.conftest import run

SEEDS = range(6)
NO_ABSCONDING = (
    "behaviour.voluntary_period_abscond=0",
    "behaviour.return_case_abscond=0",
    "behaviour.police_case_abscond=0",
)


def _paired(metric: str, low: tuple[str, ...], high: tuple[str, ...]) -> tuple[list[float], list[float]]:
    values = [[float(run(*overrides, f"seed={s}").summary[metric].iloc[0]) for s in SEEDS] for overrides in (low, high)]
    return values[0], values[1]


# --- absconding and what the police can see ---------------------------------------


def test_no_abscond_is_recorded_without_an_abscond_hazard():
    """Absconding happens only through the hazards: a failed police contact is not an abscond."""
    reg = run(*NO_ABSCONDING, "nations.SE.contact_probability=0.2").register
    assert reg["handover_day"].notna().sum() > 500
    assert not reg["ever_absconded"].any()
    assert reg["entered_absconded"].isna().all()


def test_a_failed_contact_is_tried_again_after_the_retry_delay():
    """With contacts that rarely succeed the police try many times, and the person stays a police case."""
    attempts = {}
    for p in (1.0, 0.2):
        reg = run(*NO_ABSCONDING, f"nations.SE.contact_probability={p}").register
        tried = reg[reg["contact_attempts"] > 0]
        assert not tried["ever_absconded"].any()
        attempts[p] = tried["contact_attempts"]
    assert attempts[1.0].max() == 1
    assert attempts[0.2].mean() > 2.0  # up to 1 / 0.2 = 5; fewer where the person leaves or the run ends first


def test_handover_ground_shares_emerge_from_absconding_and_its_detection():
    """The absconded ground rises with the abscond hazard of the return case, and falls when the agency
    notices absences so late that absconders have left or been found before it hands them over."""
    low, high = _paired(
        "share_handovers_absconded", ("behaviour.return_case_abscond=0.002",), ("behaviour.return_case_abscond=0.02",)
    )
    assert stats.ttest_rel(high, low, alternative="greater").pvalue < 0.01, (low, high)
    soon, late = _paired(
        "share_handovers_absconded",
        ("nations.SE.abscond_detection_days=1",),
        ("nations.SE.abscond_detection_days=365",),
    )
    assert stats.ttest_rel(soon, late, alternative="greater").pvalue < 0.01, (soon, late)


def test_a_departure_can_be_registered_after_absconding():
    """Exit checks and other states' notices close absconded cases with a registered departure."""
    on = run("behaviour.absconded_registered_departure=0.002").register
    off = run("behaviour.absconded_registered_departure=0").register
    registered = (on["outcome"] == "returned_voluntary") & (on["closed_from"] == "absconded")
    assert registered.sum() > 100
    assert not ((off["outcome"] == "returned_voluntary") & (off["closed_from"] == "absconded")).any()


@pytest.mark.parametrize(
    ("key", "outcome"),
    [("permit_after_impediment", "permit_granted"), ("absconded_other_closure", "closed_other")],
)
def test_cases_close_for_other_reasons_only_through_their_hazard(key, outcome):
    assert (run(f"behaviour.{key}=0.001").register["outcome"] == outcome).sum() > 20
    assert not (run(f"behaviour.{key}=0").register["outcome"] == outcome).any()


# --- enforcement feedback -------------------------------------------------------------


def test_feedback_none_leaves_every_hazard_unchanged():
    """``form: none`` gives the same cases, bit for bit, as the removal-risk form at strength 0."""
    none = run("behaviour.enforcement_feedback.form=none").register
    zero = run("behaviour.enforcement_feedback.form=removal_risk", "behaviour.enforcement_feedback.strength=0").register
    strong = run("behaviour.enforcement_feedback.form=removal_risk", "behaviour.enforcement_feedback.strength=1.5")
    assert frame_hash(none) == frame_hash(zero)
    assert frame_hash(none) != frame_hash(strong.register)


def _signal(scope: str = "origin") -> EnforcementSignal:
    """One country, origins a and b, 100 open decisions each."""
    feedback = EnforcementFeedback(form="removal_risk", strength=1.0, scope=scope, window_days=10, reference_risk=0.01)
    return EnforcementSignal(feedback, 1, 2)


OPEN = np.array([[100, 100]])


def _day(signal: EnforcementSignal, removed_a: int = 0) -> None:
    signal.observe(OPEN, np.array([[removed_a, 0]]))


def test_removal_risk_rises_with_removals_and_never_with_absconding():
    signal = _signal()
    _day(signal)
    quiet = signal.factors[0, 0]
    assert quiet == pytest.approx(0.5)  # nobody removed: ((0 + ref) / (2 ref)) ** 1
    # absconding moves people between open states: the counts the signal keeps do not change
    _day(signal)
    assert signal.factors[0, 0] == quiet
    _day(signal, removed_a=20)
    assert signal.factors[0, 0] > quiet
    assert signal.factors[0, 1] == quiet, "scope=origin: removals to one origin do not move another's risk"
    assert signal.factors[0, 0] == pytest.approx(((20 / 10 / 100) + 0.01) / 0.02)


def test_removals_leave_the_window_and_country_scope_pools_origins():
    signal = _signal("country")
    _day(signal, removed_a=1)
    assert signal.factors[0, 0] == signal.factors[0, 1] > 0.5
    for _ in range(10):
        _day(signal)
    assert signal.factors[0, 0] == pytest.approx(0.5)


def _voluntary_returns(*overrides: str) -> np.ndarray:
    out = []
    for seed in SEEDS:
        summary = run(*overrides, f"seed={seed}").summary
        out.append(float(summary["returns"].iloc[0] - summary["forced_returns"].iloc[0]))
    return np.array(out)


def test_more_enforcement_raises_voluntary_departures_through_the_feedback():
    """More police remove more people; with the feedback on, others then leave on their own more often
    than with it off (paired seeds)."""
    gain = {}
    for form in ("none", "removal_risk"):
        key = f"behaviour.enforcement_feedback.form={form}"
        gain[form] = _voluntary_returns(key, "nations.SE.police_officers=80") - _voluntary_returns(
            key, "nations.SE.police_officers=15"
        )
    assert stats.ttest_rel(gain["removal_risk"], gain["none"], alternative="greater").pvalue < 0.01, gain


# --- detention ---------------------------------------------------------------------------


def test_detention_while_documents_are_pending_lengthens_stays():
    """Detaining people whose documents are still pending (where answers come within the wait) gives
    longer stays than detaining only once removal is booked."""
    short, long = _paired(
        "detention_mean_stay_days",
        ("nations.SE.detention_document_wait_max_days=0",),
        ("nations.SE.detention_document_wait_max_days=120",),
    )
    assert stats.ttest_rel(long, short, alternative="greater").pvalue < 0.01, (short, long)


def test_the_review_releases_a_detention_that_no_longer_serves_a_removal():
    """A refused document request ends a detention at the next review, long before the legal limit."""
    reviewed = run("nations.SE.detention_review_days=7", "nations.SE.detention_document_wait_max_days=120").summary
    lax = run("nations.SE.detention_review_days=400", "nations.SE.detention_document_wait_max_days=120").summary
    assert reviewed["detention_mean_stay_days"].iloc[0] < lax["detention_mean_stay_days"].iloc[0]


# --- co-location's channels --------------------------------------------------------------


def test_joint_detention_planning_cuts_detention_days_per_removal():
    none, joint = _paired("detention_days_per_forced_return", ("colocation=none",), ("colocation=detention_only",))
    assert stats.ttest_rel(joint, none, alternative="less").pvalue < 0.01, (none, joint)


def test_joint_charter_planning_fills_charter_seats():
    """A quarter-size Sweden with a quarter of Sweden's escorted seats on scheduled flights, so that demand above
    them waits for charters: 13-24 fly in a run (without the cut 0-4, and none in some seeds)."""
    quarter = "nations.SE.flight_connectivity=0.25"
    none, joint = _paired(
        "charter_seat_utilisation", (quarter, "colocation=none"), (quarter, "colocation=charters_only")
    )
    assert stats.ttest_rel(joint, none, alternative="greater").pvalue < 0.01, (none, joint)


def test_the_handover_channel_shortens_handovers_and_loses_fewer_fields():
    none = run("colocation=none", "info_sharing=extended").register
    handover = run("colocation=handover_only", "info_sharing=extended").register
    delay = [(r["handover_day"] - r["handover_decided_day"]).mean() for r in (none, handover)]
    fields = [r.loc[r["handover_day"].notna(), "fields_passed"].str.count(",").mean() for r in (none, handover)]
    assert delay[1] < delay[0] and fields[1] > fields[0]


@pytest.mark.parametrize("mode", ["none", "partial", "full", "handover_only", "detention_only", "charters_only"])
def test_colocation_never_widens_which_fields_may_pass(mode):
    reg = run(f"colocation={mode}", "info_sharing=restricted").register
    passed = set(",".join(reg["fields_passed"].dropna()).split(",")) - {""}
    assert passed <= {"identity_documents"}


# --- transport ------------------------------------------------------------------------------


def test_charter_returnees_use_the_escort_capacity():
    """Escorts go with returnees on charters too: with charters flying, fewer escorted seats are booked
    when escorts are scarce (the other removals kept out of the escorts, which would take all six)."""
    scarce = ("nations.SE.escorts=6", "other_removals=none")
    without = run(*scarce, "nations.SE.charter_min_returnees=100000").register
    charters = run(*scarce).register
    escorted = [(r["flight"] == "escorted").sum() for r in (without, charters)]
    assert (charters["flight"] == "charter").sum() > 0
    assert escorted[1] < escorted[0]


def test_switching_a_joint_planning_channel_on_leaves_the_other_random_numbers_unchanged():
    """Whether a case is planned jointly is drawn from its own stream: with the channels on but no
    co-located day, no case is planned jointly and the run is identical to no co-location (common
    random numbers between the channels of `colocation_channels`)."""
    base = run("seed=3").register
    switched = run("colocation.joint_detention_planning=true", "colocation.joint_charter_planning=true", "seed=3")
    assert frame_hash(switched.register) == frame_hash(base)
