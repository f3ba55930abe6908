"""Typed, validated parameters of a returnsim scenario.

These dataclasses are both the Hydra structured-config schemas (registered in
:mod:`sim.params.compose`) and the parameter object the model reads. Values live in
``configs/`` only: a field the YAML must set has no default here (``MISSING``),
so leaving it out is an error naming the key; the only defaults kept are
neutral ones (an information field with no effect). Each numeric field declares its allowed range in ``metadata`` so
that :func:`validate` can name the offending key and what is allowed; string
modes declare ``choices``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from omegaconf import MISSING

from sim.params.checks import (
    MAX_DECISIONS_PER_YEAR,
    POS,
    PROB,
    SEED,
    ConfigError,
    check_countries,
    check_number,
    did_you_mean,
    one_of,
    required,
    value_range,
)
from sim.params.history import History, check_history, merged_timeline, year_values
from sim.params.levers import INFO_FIELDS, Attaches, Avr, Colocation, FieldEffects, Flights, InfoSharing, Monitoring
from sim.params.timeline import Change, apply_change, set_in_place
from sim.params.transit import Transit, check_transit

MAX_OTHER_REMOVALS_PER_YEAR = 100_000.0
"""The most removals of one other kind a year (Sweden's largest, the Dublin transfers of 2016, were 10 316)."""
OTHER_KINDS = ("dublin", "crime", "entry_refusal")
"""The other removals that share detention places and escorts (:mod:`sim.model.other_removals`)."""


@dataclass
class EnforcementFeedback:
    """How departure hazards respond to the removal risk people with a decision can observe.

    ``removal_risk``: each day, the risk is the removals of the last
    ``window_days`` per person with an open decision (absconded included) and
    per day, among people of the same origin (``scope: origin``) or of the
    whole country (``scope: country``). Departure hazards are multiplied by
    ``((risk + reference_risk) / (2 reference_risk)) ** strength``: 1 at the
    reference risk, ``0.5 ** strength`` when nobody is removed. Absconding
    moves people between open states, so it never changes the risk.
    ``none``: no feedback (factor 1).
    """

    form: str = one_of("none", "removal_risk")
    strength: float = required()
    scope: str = one_of("origin", "country")
    window_days: int = required(value_range(1))
    reference_risk: float = required(POS)


@dataclass
class Behaviour:
    """Migrants' hazards per day by state, and how context shifts them (calibrate)."""

    willingness_sigma: float = required()
    abscond_willingness_exponent: float = required()
    voluntary_period_departure: float = required()
    voluntary_period_abscond: float = required()
    return_case_departure: float = required()
    return_case_abscond: float = required()
    talk_departure_multiplier: float = required()
    handover_announced_abscond_multiplier: float = required()
    police_case_departure: float = required()
    police_case_abscond: float = required()
    released_abscond_multiplier: float = required()
    no_document_departure_multiplier: float = required(PROB)
    return_centre_abscond_multiplier: float = required()
    enforcement_feedback: EnforcementFeedback = field(default_factory=EnforcementFeedback)
    absconded_leave_unrecorded: float = required()
    absconded_registered_departure: float = required()
    absconded_move_nordic: float = required()
    absconded_chance_encounter: float = required()
    absconded_other_closure: float = required()
    absconded_early_days: float = required()
    """The first days after absconding, during which the exits from absconding run at their early rates."""
    absconded_early_exit_multiplier: float = required()
    """Multiplies every exit from absconding during its first days (1: exits do not depend on the time
    since absconding; with constant exits the wanted list is a wait for the statute of limitation)."""
    blocked_abscond_multiplier: float = required()
    """Multiplies the abscond hazard of a police case whose removal is blocked (the police's red class: an
    origin that takes no forced returns, the document attempts used up): no enforcement in sight to run from."""
    permit_after_impediment: float = required()
    unmatched_new_case_share: float = required(PROB)
    new_decision_days: float = required()
    vulnerable_share: float = required(PROB)
    family_share: float = required(PROB)
    has_identity_document_share: float = required(PROB)


@dataclass
class CountryParams:
    """One country's arrivals, legal limits, capacities and costs."""

    code: str = MISSING
    name: str = MISSING
    decisions_per_year: float = required(value_range(0.0, MAX_DECISIONS_PER_YEAR))
    voluntary_departure_days: float = required()
    statute_of_limitation_days: float = required(POS)
    case_officers: int = required()
    talks_per_officer_day: float = required()
    talk_interval_days: float = required(POS)
    talks_before_handover: int = required()
    refusal_handover_probability: float = required(PROB)
    abscond_detection_days: float = required()
    return_centre_places: int = required()
    return_centre_share: float = required(PROB)
    centre_until_departure: bool = MISSING
    """Residents keep their place through the police's stages too (a Danish departure centre), not only while
    the migration agency holds the case; they leave it on absconding, detention or departure."""
    centre_reporting_days: float = required()
    """Reporting duty of residents: an absence is noticed within this many days (0: as anyone's, no duty)."""
    centre_abscond_multiplier: float = required()
    """This country's centres' conditions: multiplies the residents' abscond hazard (1: as everywhere)."""
    centre_moves_open_cases: bool = MISSING  # on a timeline's day: open cases move in too (sim/model/timeline.py)
    police_officers: int = required()
    police_actions_per_officer_day: float = required()
    police_search_share: float = required(PROB)
    locate_probability_per_search: float = required(PROB)
    contact_probability: float = required(PROB)
    contact_retry_days: float = required(POS)
    police_absence_detection_days: float = required()
    document_retry_days: float = required(POS)
    document_max_attempts: int = required(value_range(1))
    detention_places: int = required()
    detention_max_days: float = required(POS)
    detention_max_days_extended: float = required(POS)
    detention_risk_threshold: float = required()
    detention_document_wait_max_days: float = required()
    detention_review_days: float = required(POS)
    escorts: int = required()
    escorts_per_returnee: int = required(value_range(1))
    escort_trip_days: float = required(POS)
    booking_lead_days: float = required()
    flight_connectivity: float = required()
    charter_min_returnees: int = required(value_range(1))
    charter_seats: int = required(value_range(1))
    charter_lead_days: float = required()
    medical_removal_failure: float = required(PROB)
    supervised_removal_share: float = required(PROB)
    """Share of the documented people the police do not judge at risk of absconding whom they remove under their
    own supervision on a scheduled flight, without the transport service's escorts (no escort capacity, no seat
    limit); the rest, and everyone at risk, go with escorts."""
    embassies: list[str] = MISSING
    """Origins where the country has an embassy; a request elsewhere is sent remotely or through a neighbour's."""
    attache_posts: list[str] = MISSING
    attache_hours_per_week: float = required()
    secondary_movement_weight: float = required()
    dublin_transfers_per_year: float = required(value_range(0.0, MAX_OTHER_REMOVALS_PER_YEAR))
    """Dublin transfers to other member states enforced a year: they use detention places and escorts too."""
    crime_expulsions_per_year: float = required(value_range(0.0, MAX_OTHER_REMOVALS_PER_YEAR))
    """Expulsions after a crime enforced a year."""
    entry_refusals_per_year: float = required(value_range(0.0, MAX_OTHER_REMOVALS_PER_YEAR))
    """Refusals of entry enforced by the police a year."""
    cost_talk: float = required()
    cost_police_action: float = required()
    cost_detention_day: float = required()
    cost_escorted_removal: float = required()
    cost_charter: float = required()


@dataclass
class OtherRemovalKind:
    """How one kind of other removal uses the shared resources (assumptions: ``configs/assumptions``)."""

    detained_share: float = required(PROB)
    """Share detained before removal (if a place is free)."""
    mean_stay_days: float = required(POS)
    """Mean days held (an exponential stay)."""
    escorted_share: float = required(PROB)
    """Share removed with the transport service's escorts."""


@dataclass
class OtherRemovals:
    """The other removals' use of detention places and escorts, by kind (config group ``other_removals``)."""

    mode: str = one_of("default", "none")
    dublin: OtherRemovalKind = field(default_factory=OtherRemovalKind)
    crime: OtherRemovalKind = field(default_factory=OtherRemovalKind)
    entry_refusal: OtherRemovalKind = field(default_factory=OtherRemovalKind)


@dataclass
class Origin:
    """A third country: its share of decisions and how its authority responds."""

    archetype: str = one_of("cooperative", "slow", "refuses_charters", "refuses_forced")
    share: float = required(PROB)
    processing_days: float = required(POS)
    accept_probability: float = required(PROB)
    forced_accept_factor: float = required(PROB)
    accepts_charters: bool = MISSING
    eu_charters_per_year: float = required()
    scheduled_seats_per_week: float = required()


@dataclass
class Output:
    """What a run writes besides the summary."""

    case_register: bool = MISSING
    stocks: bool = MISSING
    figures: bool = MISSING
    transitions: bool = MISSING
    flights: bool = MISSING
    quiet: bool = MISSING


@dataclass
class ScenarioParams:
    """The whole scenario: the countries that take part, levers, origins and run length."""

    seed: int = required(SEED)
    replications: int = required(value_range(1))
    warmup_days: int = required()
    horizon_days: int = required(value_range(1))
    countries: list[str] = MISSING
    max_cases: int = required(value_range(1))
    """The most cases a run may open over all its replications (each holds about 1 KB of memory)."""
    max_days: int = required(value_range(1))
    """The longest run, warm-up + horizon (its daily tables grow with it)."""
    nations: dict[str, CountryParams] = field(default_factory=dict)
    behaviour: Behaviour = field(default_factory=Behaviour)
    colocation: Colocation = field(default_factory=Colocation)
    info_sharing: InfoSharing = field(default_factory=InfoSharing)
    avr: Avr = field(default_factory=Avr)
    field_effects: dict[str, FieldEffects] = field(default_factory=dict)
    origins: dict[str, Origin] = field(default_factory=dict)
    attaches: Attaches = field(default_factory=Attaches)
    flights: Flights = field(default_factory=Flights)
    monitoring: Monitoring = field(default_factory=Monitoring)
    transit: Transit = field(default_factory=Transit)
    other_removals: OtherRemovals = field(default_factory=OtherRemovals)
    output: Output = field(default_factory=Output)
    timeline: list[Change] = MISSING
    """Changes of levers, capacities and arrivals on given days of the horizon (:mod:`sim.params.timeline`)."""
    history: History = field(default_factory=History)
    """Calendar years of inputs and the outcomes published for them (:mod:`sim.params.history`)."""

    def __post_init__(self) -> None:
        check_history(self.history)
        if self.history.years and self.history.country not in self.nations:
            raise ConfigError(
                f"history.country={self.history.country!r} is not a country of nations; choose from "
                f"{', '.join(self.nations)}"
            )
        if self.history.years:  # the warm-up and the first year run on the first year's values
            first = year_values(self.history, self.history.years[0])
            set_in_place(self, first, "history.years[0].set.", during_run=False)
        validate(self)
        days = self.warmup_days + self.horizon_days
        if days > self.max_days:
            raise ConfigError(
                f"warmup_days + horizon_days = {days:,} days, above max_days={self.max_days:,} (the daily tables "
                "grow with the run's length): shorten warmup_days or horizon_days, or raise max_days"
            )
        stages = self.stages()
        check_transit(self.transit, [self.nations, *(v.nations for _, v in stages)])  # the start's route throughout
        expected = self.replications * self.expected_cases(stages)
        if expected > self.max_cases:
            raise ConfigError(
                f"the run would open about {expected:,.0f} cases (replications x decisions_per_year x (warmup_days + "
                f"horizon_days) / 365, summed over the countries), above max_cases={self.max_cases:,} (about 1 KB "
                "of memory each): lower the arrivals, the run length or the replications, or raise max_cases"
            )

    def expected_cases(self, stages: list[tuple[int, ScenarioParams]]) -> float:
        """About how many cases a run opens: each country's largest arrivals over the timeline, over the run.

        ``stages`` is :meth:`stages` (each change copied and validated): the caller that has it passes it on.
        """
        values = [self, *(v for _, v in stages)]
        most = [max(v.nations[c].decisions_per_year for v in values) for c in self.countries]
        return sum(most) * (self.warmup_days + self.horizon_days) / 365.0

    def stages(self) -> list[tuple[int, ScenarioParams]]:
        """Model day from which each change of the history and timeline holds, and the values in force from then."""
        return _stages(self)

    def changes(self) -> list[Change]:
        """The history's and the timeline's changes as one timeline, in the order of :meth:`stages`."""
        return merged_timeline(self.history, self.timeline, self.horizon_days)


def validate(obj: Any, path: str = "") -> None:
    """Check every field against its declared range or choices; raise ConfigError naming the key."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        key = f"{path}{f.name}"
        meta = f.metadata
        if is_dataclass(value):
            validate(value, key + ".")
        elif isinstance(value, dict):
            for k, v in value.items():
                if is_dataclass(v):
                    validate(v, f"{key}.{k}.")
        elif "choices" in meta and value not in meta["choices"]:
            choices = meta["choices"]
            hint = did_you_mean(str(value), choices)
            raise ConfigError(f"{key}={value!r} is not allowed; choose one of {', '.join(choices)}{hint}")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            check_number(key, value, meta)
    _check_cross_fields(obj, path)


def _check_cross_fields(obj: Any, path: str) -> None:
    """Constraints that span several fields of one object."""
    if isinstance(obj, InfoSharing):
        for name in obj.fields:
            if name not in INFO_FIELDS:
                raise ConfigError(
                    f"{path}fields: unknown information field {name!r}; choose from {', '.join(INFO_FIELDS)}"
                )
    if isinstance(obj, ScenarioParams):
        for name in obj.field_effects:
            if name not in INFO_FIELDS:
                raise ConfigError(
                    f"field_effects: unknown information field {name!r}; choose from {', '.join(INFO_FIELDS)}"
                )
        if not obj.origins:
            raise ConfigError("origins: at least one origin is needed")
        total = sum(o.share for o in obj.origins.values())
        if abs(total - 1.0) > 1e-6:
            raise ConfigError(f"origins.*.share must sum to 1; they sum to {total:.4f}")
        check_countries(obj)
        check_transit(obj.transit, [obj.nations])


def _stages(params: ScenarioParams) -> list[tuple[int, ScenarioParams]]:
    """Each change of the history and the timeline applied to the values before it and validated.

    A ConfigError names ``timeline[i]`` (or the history's year) and the key.
    """
    previous = 0
    for i, change in enumerate(params.timeline):
        if not previous < change.day <= params.horizon_days:
            raise ConfigError(
                f"timeline[{i}].day={change.day} is out of range; allowed: a day of the horizon (1-"
                f"{params.horizon_days}) after the previous change's ({previous})"
            )
        if not change.set:
            raise ConfigError(f"timeline[{i}].set is empty; give the keys that change, e.g. nations.SE.escorts: 300")
        previous = change.day
    stages: list[tuple[int, ScenarioParams]] = []
    current = params
    for change in params.changes():
        where = next((f"timeline[{i}]" for i, c in enumerate(params.timeline) if c.day == change.day), "history")
        current = apply_change(current, change.set, f"{where}.set.")
        try:
            validate(current)
        except ConfigError as exc:
            raise ConfigError(f"{where} (day {change.day}): {exc}") from None
        stages.append((params.warmup_days + change.day, current))
    return stages
