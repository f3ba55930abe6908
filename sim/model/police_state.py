"""The police's state for the compiled kernels (:mod:`sim.model.police_kernel`): values, streams, lists."""

from __future__ import annotations

from typing import Any, Protocol

import numba as nb
import numpy as np
from numba.experimental import structref

from sim.model.kernel_state import KernelState, KernelStateType

POLICE_VALUES = (
    "actions_per_day",
    "police_search_share",
    "locate_probability_per_search",
    "contact_probability",
    "contact_retry_days",
    "document_max_attempts",
    "document_retry_days",
    "police_absence_detection_days",
    "detention_risk_threshold",
    "cost_police_action",
    "joint_detention_planning",
    "days_per_week",
    "detain_days_before_flight",
)
"""Per-country values the police read (``actions_per_day``: officers times actions per officer; true/false as
1/0), in the order of ``values``' columns."""
(
    ACTIONS,
    SEARCH_SHARE,
    LOCATE_PER_SEARCH,
    CONTACT,
    CONTACT_RETRY,
    MAX_ATTEMPTS,
    RETRY_DAYS,
    DETECTION_DAYS,
    RISK_THRESHOLD,
    COST_ACTION,
    JOINT_PLANNING,
    DAYS_PER_WEEK,
    DETAIN_BEFORE,
) = range(len(POLICE_VALUES))

DUE = np.dtype([("day", "f8"), ("row", "i4")])
"""An entry of a line of cases waiting for a day (document retries, contact retries)."""


class PoliceState(Protocol):
    """Each country's police, as rows of arrays indexed by the country."""

    values: np.ndarray
    """Per country, :data:`POLICE_VALUES`."""
    answer_soon: np.ndarray
    """Per country and origin: whether a pending request there counts as removal in sight (the authority
    takes forced returns and usually answers within ``detention_document_wait_max_days``)."""
    locate_multiplier: np.ndarray
    """Per country, fields passed (bits) and family here (0/1): the locate hazard's multiplier."""
    key: np.ndarray
    draws: np.ndarray
    planning_key: np.ndarray
    planning_draws: np.ndarray
    credit: np.ndarray
    retries: np.ndarray
    """Line of :data:`DUE`: cases to request documents again on a day."""
    retries_head: np.ndarray
    retries_tail: np.ndarray
    contact_retries: np.ndarray
    """Line of :data:`DUE`: cases whose person was not found, to be tried again on a day."""
    contact_head: np.ndarray
    contact_tail: np.ndarray
    noticed_times: np.ndarray
    """Dated list: an absence from a police case revealed by a missed reporting duty."""
    noticed_keys: np.ndarray
    noticed_size: np.ndarray
    noticed_seq: np.ndarray
    detain_times: np.ndarray
    """Dated list: jointly planned cases to detain shortly before their flight."""
    detain_keys: np.ndarray
    detain_size: np.ndarray
    detain_seq: np.ndarray


FIELDS = tuple(PoliceState.__annotations__)


@structref.register
class PoliceStateType(KernelStateType):
    """The numba type of :class:`Police`."""


class Police(KernelState):
    """Every country's police from Python: kernels take it whole; fields read by name."""


structref.define_proxy(Police, PoliceStateType, list(FIELDS))


@nb.njit(cache=True)
def _fields(p: PoliceState) -> tuple[Any, ...]:
    """Every field, in the order of :data:`FIELDS`."""
    return (
        p.values,
        p.answer_soon,
        p.locate_multiplier,
        p.key,
        p.draws,
        p.planning_key,
        p.planning_draws,
        p.credit,
        p.retries,
        p.retries_head,
        p.retries_tail,
        p.contact_retries,
        p.contact_head,
        p.contact_tail,
        p.noticed_times,
        p.noticed_keys,
        p.noticed_size,
        p.noticed_seq,
        p.detain_times,
        p.detain_keys,
        p.detain_size,
        p.detain_seq,
    )


Police.names = FIELDS
Police.getter = _fields


@nb.njit(cache=True)
def _make(*args: Any) -> Police:
    return Police(*args)


def new_police(
    values: np.ndarray, answer_soon: np.ndarray, locate_multiplier: np.ndarray, keys: np.ndarray, planning: np.ndarray
) -> Police:
    """The police of ``len(values)`` countries with empty lists (arrays as :class:`PoliceState` describes)."""
    n = len(values)

    def counts() -> np.ndarray:
        return np.zeros(n, dtype=np.int64)

    made: dict[str, Any] = {
        "values": np.ascontiguousarray(values, dtype=np.float64),
        "answer_soon": np.ascontiguousarray(answer_soon, dtype=np.bool_),
        "locate_multiplier": np.ascontiguousarray(locate_multiplier, dtype=np.float64),
        "key": np.ascontiguousarray(keys, dtype=np.uint64),
        "draws": counts(),
        "planning_key": np.ascontiguousarray(planning, dtype=np.uint64),
        "planning_draws": counts(),
        "credit": np.zeros(n),
        "retries": np.zeros((n, 64), dtype=DUE),
        "retries_head": counts(),
        "retries_tail": counts(),
        "contact_retries": np.zeros((n, 64), dtype=DUE),
        "contact_head": counts(),
        "contact_tail": counts(),
        "noticed_times": np.zeros((n, 64)),
        "noticed_keys": np.zeros((n, 64), dtype=np.int64),
        "noticed_size": counts(),
        "noticed_seq": counts(),
        "detain_times": np.zeros((n, 64)),
        "detain_keys": np.zeros((n, 64), dtype=np.int64),
        "detain_size": counts(),
        "detain_seq": counts(),
    }
    return _make(*(made[name] for name in FIELDS))
