"""The validated parameters as the compiled kernels read them: one row per country, origin or field set.

Every value a kernel reads comes from the scenario's parameters here, by
name, in the order its module declares (``COUNTRY_VALUES``, ``AGENCY_VALUES``,
``POLICE_VALUES``, ``TRANSPORT_VALUES``, ``ORIGIN_VALUES``); derived values
(a capacity per day from officers and actions per officer, the information
fields' effects per set of fields) are computed once, here. A timeline that
changes a value writes the new rows into the state objects' ``values``.
"""

from __future__ import annotations

import numpy as np

from sim.model.agency import AGENCY_VALUES
from sim.model.documents import ORIGIN_VALUES
from sim.model.engine import COUNTRY_VALUES
from sim.model.hazards import pack_rates
from sim.model.other_removals import other_values
from sim.model.police import POLICE_VALUES
from sim.model.transport import TRANSPORT_VALUES
from sim.params.levers import INFO_FIELDS
from sim.params.schema import CountryParams, ScenarioParams

FIELD_SETS = 1 << len(INFO_FIELDS)
"""Every set of information fields, as the bits of ``fields_passed``."""


def _bits(fields: list[str]) -> int:
    return sum(1 << INFO_FIELDS.index(name) for name in fields)


def country_values(s: ScenarioParams, n: CountryParams) -> list[float]:
    """A country's row of :data:`sim.model.engine.COUNTRY_VALUES`."""
    named = {
        "statute_of_limitation_days": n.statute_of_limitation_days,
        "cost_detention_day": n.cost_detention_day,
        "avr_grant_cost": s.avr.grant_cost,
        "avr_reintegration_support": float(s.avr.reintegration_support),
        "centre_until_departure": float(n.centre_until_departure),
        "return_centre_places": n.return_centre_places,
        "detention_places": n.detention_places,
        "detention_max_days": n.detention_max_days,
        "detention_max_days_extended": n.detention_max_days_extended,
        "detention_review_days": n.detention_review_days,
        "centre_reporting_days": n.centre_reporting_days,
    }
    return [float(named[name]) for name in COUNTRY_VALUES]


def agency_values(s: ScenarioParams, n: CountryParams) -> list[float]:
    """A country's row of :data:`sim.model.agency.AGENCY_VALUES`."""
    named = {
        "talks_per_day": n.case_officers * n.talks_per_officer_day,
        "talk_interval_days": n.talk_interval_days,
        "talks_before_handover": n.talks_before_handover,
        "refusal_handover_probability": n.refusal_handover_probability,
        "abscond_detection_days": n.abscond_detection_days,
        "cost_talk": n.cost_talk,
        "avr_offered": float(s.avr.mode != "none"),
        "avr_uptake": s.avr.uptake,
        "field_loss_probability": s.colocation.field_loss_probability,
        "handover_admin_days": s.colocation.handover_admin_days,
        "fields_allowed": _bits(s.info_sharing.fields),
    }
    return [float(named[name]) for name in AGENCY_VALUES]


def police_values(s: ScenarioParams, n: CountryParams) -> list[float]:
    """A country's row of :data:`sim.model.police.POLICE_VALUES`."""
    col = s.colocation
    named = {
        "actions_per_day": n.police_officers * n.police_actions_per_officer_day,
        "police_search_share": n.police_search_share,
        "locate_probability_per_search": n.locate_probability_per_search,
        "contact_probability": n.contact_probability,
        "contact_retry_days": n.contact_retry_days,
        "document_max_attempts": n.document_max_attempts,
        "document_retry_days": n.document_retry_days,
        "police_absence_detection_days": n.police_absence_detection_days,
        "detention_risk_threshold": n.detention_risk_threshold,
        "cost_police_action": n.cost_police_action,
        "joint_detention_planning": float(col.joint_detention_planning),
        "days_per_week": col.days_per_week,
        "detain_days_before_flight": col.detain_days_before_flight,
        "late_detention": float(col.detention_rule == "late_detention"),
        "supervised_removal_share": n.supervised_removal_share,
    }
    return [float(named[name]) for name in POLICE_VALUES]


def transport_values(s: ScenarioParams, n: CountryParams) -> list[float]:
    """A country's row of :data:`sim.model.transport.TRANSPORT_VALUES`."""
    health = s.field_effects.get("health")
    named = {
        "escorted_per_day": n.escorts / (n.escorts_per_returnee * n.escort_trip_days),
        "booking_lead_days": n.booking_lead_days,
        "medical_removal_failure": n.medical_removal_failure,
        "escorts_per_returnee": n.escorts_per_returnee,
        "cost_escorted_removal": n.cost_escorted_removal,
        "health_failure_avoided": health.removal_failure_avoided if health is not None else 0.0,
        "monitored_stop_multiplier": s.monitoring.removal_stop_multiplier,
    }
    return [float(named[name]) for name in TRANSPORT_VALUES]


def origin_values(s: ScenarioParams) -> np.ndarray:
    """Each origin's row of :data:`sim.model.documents.ORIGIN_VALUES`, in the scenario's order."""
    return np.array([[float(getattr(o, name)) for name in ORIGIN_VALUES] for o in s.origins.values()])


def rates(s: ScenarioParams, codes: list[str]) -> np.ndarray:
    """The hazards' rates in force, a row per country (:data:`sim.model.hazards.RATES`)."""
    return np.array([pack_rates(s.behaviour, s.nations[code], s.avr) for code in codes])


def locate_multipliers(s: ScenarioParams, codes: list[str]) -> np.ndarray:
    """Per country, set of fields and family here: the product of the fields' locate multipliers.

    The family field counts only for people with family here; the product is
    taken in the fields' fixed order.
    """
    out = np.ones((len(codes), FIELD_SETS, 2))
    for bits in range(FIELD_SETS):
        for family in (0, 1):
            product = 1.0
            for name in sorted(INFO_FIELDS):
                effect = s.field_effects.get(name)
                if bits >> INFO_FIELDS.index(name) & 1 and effect is not None and (name != "family" or family):
                    product *= effect.locate_multiplier
            out[:, bits, family] = product
    return out


def document_bonus(s: ScenarioParams, codes: list[str]) -> np.ndarray:
    """Per country and set of fields: the acceptance bonus of the fields passed."""
    effects = s.field_effects
    row = [
        sum(
            effects[f].document_accept_bonus
            for f in sorted(INFO_FIELDS)
            if bits >> INFO_FIELDS.index(f) & 1 and f in effects
        )
        for bits in range(FIELD_SETS)
    ]
    return np.array([row for _ in codes])


def answer_soon(s: ScenarioParams, codes: list[str]) -> np.ndarray:
    """Per country and origin: a pending request there counts as removal in sight for detention."""
    return np.array(
        [
            [
                o.forced_accept_factor > 0.0 and o.processing_days <= s.nations[c].detention_document_wait_max_days
                for o in s.origins.values()
            ]
            for c in codes
        ]
    )


def scheduled_seats(s: ScenarioParams, codes: list[str]) -> np.ndarray:
    """Per country and destination: escorted seats a week on scheduled flights (the country's connectivity)."""
    return np.array(
        [[o.scheduled_seats_per_week * s.nations[c].flight_connectivity for o in s.origins.values()] for c in codes]
    )


OWN_EMBASSY, NORDIC_EMBASSY, REMOTE = range(3)
"""The channels a document request goes through (:func:`request_channels`)."""


def embassies(s: ScenarioParams, codes: list[str]) -> np.ndarray:
    """Per country and origin, the position of the country whose embassy there takes its requests (-1: remotely).

    Its own embassy; otherwise, with ``attaches.embassy_access=nordic``, that
    of a country in the model with an embassy there, one with an attaché
    posted there first, then in the order of the countries (as
    :meth:`sim.model.attaches.ThirdCountryAuthority.embassy_for`).
    """
    out = np.full((len(codes), len(s.origins)), -1)
    for j, origin in enumerate(s.origins):
        here = [k for k, code in enumerate(codes) if origin in s.nations[code].embassies]
        posted = [k for k in here if origin in s.nations[codes[k]].attache_posts]
        neighbour = (posted or here or [-1])[0] if s.attaches.embassy_access == "nordic" else -1
        for i, code in enumerate(codes):
            out[i, j] = i if origin in s.nations[code].embassies else neighbour
    return out


def request_channels(s: ScenarioParams, codes: list[str]) -> np.ndarray:
    """Per country and origin, the channel of its requests: its own embassy there, a neighbour's, or remotely."""
    embassy = embassies(s, codes)
    own = embassy == np.arange(len(codes))[:, None]
    return np.where(own, OWN_EMBASSY, np.where(embassy < 0, REMOTE, NORDIC_EMBASSY))


def channel_days(s: ScenarioParams, codes: list[str]) -> np.ndarray:
    """Per country and origin, the days a request takes to reach the authority by its channel."""
    days = np.array([0.0, s.attaches.representation_days, s.attaches.remote_request_days])
    return days[request_channels(s, codes)]


def origin_cdf(s: ScenarioParams) -> np.ndarray:
    """Cumulative shares of the origins, in their configured order (new decisions' origins are drawn on it)."""
    shares = np.array([o.share for o in s.origins.values()])
    return np.cumsum(shares / shares.sum())


def values_in_force(s: ScenarioParams, codes: list[str]) -> dict[tuple[str, str], np.ndarray]:
    """Every array of values the kernels read, by (state object, field), for the countries ``codes``.

    The state objects are built from these at the start and rewritten in
    place with them when a timeline changes the values (the kernels read
    them where they act, so a new value acts from that day).
    """
    n = s.nations
    return {
        ("engine", "rates"): rates(s, codes),
        ("engine", "values"): np.array([country_values(s, n[c]) for c in codes]),
        ("agency", "values"): np.array([agency_values(s, n[c]) for c in codes]),
        ("police", "values"): np.array([police_values(s, n[c]) for c in codes]),
        ("police", "answer_soon"): answer_soon(s, codes),
        ("police", "locate_multiplier"): locate_multipliers(s, codes),
        ("police", "takes_forced"): np.array(
            [[o.forced_accept_factor > 0.0 for o in s.origins.values()] for _ in codes]
        ),
        ("police", "other_values"): other_values(s, codes),
        ("authorities", "origin_values"): origin_values(s),
        ("authorities", "channel_days"): channel_days(s, codes),
        ("authorities", "document_bonus"): document_bonus(s, codes),
        ("authorities", "avr_bonus"): np.full(len(codes), s.avr.cooperation_bonus),
        ("transport", "values"): np.array([transport_values(s, n[c]) for c in codes]),
        ("transport", "seats_per_week"): scheduled_seats(s, codes),
    }
