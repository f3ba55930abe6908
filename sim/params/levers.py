"""The levers' parameters, and the information fields a handover can pass with what each does.

Levers: co-location, information sharing, assisted return, attachés, joint flights.

Each lever is a block of the scenario config (``configs/<lever>/<option>.yaml``);
its fields declare their ranges like every parameter (:mod:`sim.params.checks`).
"""

from __future__ import annotations

from dataclasses import dataclass

from omegaconf import MISSING

from sim.params.checks import POS, PROB, num, one_of, required, value_range

LEVER_LABELS = {
    "colocation": "co-location",
    "info_sharing": "information sharing",
    "avr": "assisted voluntary return",
    "flights": "return flights",
    "attaches": "attachés",
    "monitoring": "monitoring of charters",
}
"""Each lever's config group (and block, whose ``mode`` is the option chosen) with its name in words."""

INFO_FIELDS = ("address", "contact_history", "identity_documents", "health", "family")
"""Fields of the information package that can go with a handover to police."""


@dataclass
class FieldEffects:
    """How one information field changes locating and documenting a person."""

    locate_multiplier: float = num(1.0)
    document_accept_bonus: float = num(0.0, PROB)
    removal_failure_avoided: float = num(0.0, PROB)


@dataclass
class Colocation:
    """Police and transport staff working at the migration agency's offices, by channel.

    The *handover* channel is ``handover_admin_days`` and
    ``field_loss_probability`` (co-location shortens the first and lowers the
    second). The *joint planning* channels act on the share ``days_per_week / 5``
    of police cases and charters planned on a co-located day:
    ``joint_detention_planning`` plans the scarce detention places together.
    Under ``detention_rule: planned_places`` (the default) a jointly planned
    person is detained when they would be without it (documents in hand or
    coming soon, apprehension, booking) while places are free; when every
    place is taken, a person with a booked departure is given the place of a
    detainee whose removal is not yet in sight (no flight booked, no
    documents), who is released, or waits for the next free place, earliest
    departure first. Under ``late_detention`` (the rule before) a jointly
    planned person is detained only ``detain_days_before_flight`` before a
    known departure, never while documents are pending or at apprehension,
    whether places are short or not. ``joint_charter_planning``
    keeps a charter's free seats open to returnees who become ready up to
    ``charter_boarding_cutoff_days`` before it leaves (the joint picture of who
    is nearly ready). No channel changes which information fields may pass.
    The ``*_only`` modes switch on one channel at full strength, for the
    decomposition experiment.
    """

    mode: str = one_of("none", "partial", "full", "handover_only", "detention_only", "charters_only")
    days_per_week: float = required(value_range(0.0, 5.0))
    handover_admin_days: float = required()
    field_loss_probability: float = required(PROB)
    joint_detention_planning: bool = MISSING
    detention_rule: str = one_of("planned_places", "late_detention")
    joint_charter_planning: bool = MISSING
    detain_days_before_flight: float = required()
    charter_boarding_cutoff_days: float = required()


@dataclass
class InfoSharing:
    """Which information fields the law lets the agency pass to the police."""

    mode: str = one_of("restricted", "extended", "nordic")
    fields: list[str] = MISSING


@dataclass
class Avr:
    """Assisted voluntary return: a grant offered in return talks."""

    mode: str = one_of("none", "standard", "reintegration")
    uptake: float = required(PROB)
    departure_multiplier: float = required()
    abscond_multiplier: float = required()
    grant_cost: float = required()
    reintegration_support: bool = MISSING
    cooperation_bonus: float = required(PROB)


@dataclass
class Attaches:
    """How attachés speed up requests and build relationships; national posts or a Nordic network.

    ``embassy_access``: where a country has no embassy in an origin, its
    document requests go remotely (a diplomatic note from the capital, or the
    origin's embassy accredited elsewhere; ``remote_request_days`` longer), or,
    with ``nordic``, through the embassy of a Nordic neighbour in the model
    that has one there (``representation_days`` longer).
    """

    mode: str = one_of("national", "nordic_network")
    embassy_access: str = one_of("national", "nordic")
    remote_request_days: float = required()
    representation_days: float = required()
    hours_per_push: float = required(POS)
    speedup: float = required(value_range(1.0))
    relationship_gain_per_push: float = required()
    relationship_decay_per_week: float = required(PROB)
    relationship_accept_effect: float = required(PROB)
    network_spillover: float = required(PROB)
    joint_leverage: float = required()
    own_cases_first: bool = MISSING


@dataclass
class Flights:
    """Who organises charters: each country alone, Nordic pooling, or pooling plus Frontex."""

    mode: str = one_of("national", "joint_nordic", "frontex")
    organiser: str = one_of("largest", "rotation")
    transfer_days: float = required()
    transfer_cost_per_returnee: float = required()
    frontex_contribution_per_returnee: float = required()
    eu_spare_seats: int = required()
    eu_notice_days: float = required()


@dataclass
class Monitoring:
    """Independent observers on return operations: which operations, what they cost, any assumed effect."""

    mode: str = one_of("none", "joint_nordic", "all_charters")
    observers_per_operation: int = required()
    observer_days_per_operation: float = required()
    cost_per_observer_day: float = required()
    removal_stop_multiplier: float = required()
    """Assumed: multiplies the chance a vulnerable returnee's removal is stopped on a monitored operation (1: none)."""
