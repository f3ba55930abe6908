"""An engine with cases and one country's police, for the kernels' tests."""

from __future__ import annotations

import numpy as np

from sim.model.engine import COUNTRY_VALUES, new_engine
from sim.model.hazards import RATES
from sim.model.moves import open_cases
from sim.model.police import POLICE_VALUES, new_police
from sim.model.streams import stream_key

POLICE = {
    "actions_per_day": 10.0,
    "police_search_share": 0.0,
    "locate_probability_per_search": 1.0,
    "contact_probability": 1.0,
    "contact_retry_days": 5.0,
    "document_max_attempts": 2,
    "document_retry_days": 30.0,
    "police_absence_detection_days": 0.0,
    "detention_risk_threshold": 0.0,
    "cost_police_action": 10.0,
    "joint_detention_planning": 0.0,
    "days_per_week": 0.0,
    "detain_days_before_flight": 0.0,
    "late_detention": 0.0,
    "supervised_removal_share": 0.0,
}
COUNTRY = dict.fromkeys(COUNTRY_VALUES, 0.0) | {
    "statute_of_limitation_days": 10_000.0,
    "detention_places": 2,
    "detention_max_days": 60.0,
    "detention_max_days_extended": 90.0,
    "detention_review_days": 14.0,
}


def engine_with_police(cases: int, **police: float) -> tuple[object, object]:
    """``cases`` cases (no hazards but expiry far away) and a police of one country."""
    key = np.array([[stream_key(np.random.SeedSequence(entropy=3, spawn_key=(0, 1, 3)))]], dtype=np.uint64)
    engine = new_engine(
        1, 1, 5000, np.zeros((1, len(RATES))), np.array([[COUNTRY[n] for n in COUNTRY_VALUES]]), key, False
    )
    ones = np.ones(cases)
    open_cases(engine, 0, 0, np.zeros(cases), np.zeros(cases, np.int64), ones, ones, np.zeros((cases, 4), np.bool_))
    given = POLICE | police
    units = new_police(
        np.array([[given[n] for n in POLICE_VALUES]]),
        np.array([[True]]),
        np.ones((1, 32, 2)),
        np.array([[True]]),
        np.zeros((1, 3, 4)),
        key[:, 0],
        key[:, 0] + np.uint64(1),
        key[:, 0] + np.uint64(2),
    )
    return engine, units
