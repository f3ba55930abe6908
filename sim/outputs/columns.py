"""The data dictionary: every column of every table returnsim writes, with its meaning, unit and how it is computed.

One entry per column, next to the metrics (:data:`sim.outputs.metrics.METRICS` and
:data:`sim.outputs.metrics.UNITS` give the summary's); each results folder gets the
part for the tables it holds as ``columns.md`` and the documentation's Outputs
page (``docs/outputs.md``) renders the whole (``tests/test_columns.py`` fails
when a column written has no entry, an entry names no column, or the page's
copy is stale).

Days are model days: day 0 is the start of the run, the warm-up
(``warmup_days``) comes first and the measured horizon is
``(warmup_days, warmup_days + horizon_days]``.
"""

from __future__ import annotations

from typing import Any

from sim.model.states import ACTIVE, State
from sim.outputs import yearly as yearly_columns
from sim.outputs.column_types import (
    COUNTRY,
    COUNTRY_ONE,
    DAY,
    OPEN_STATE_NAMES,
    REPLICATION,
    STATE_NAMES,
    Column,
    Table,
)
from sim.outputs.metrics import METRICS, UNITS
from sim.outputs.sweep_columns import EFFECTS, SHARES
from sim.params.checks import ConfigError

SUMMARY = Table(
    files="summary.parquet, summary.csv",
    row="a replication and a country (plus ALL when several countries run)",
    computed="from the case register and the agencies' counters over the measured horizon (sim/outputs/metrics.py)",
    columns={
        "replication": REPLICATION,
        "seed": Column("the run's base seed (config key seed)", "integer"),
        "country": COUNTRY,
        **{name: Column(meaning, UNITS[name]) for name, meaning in METRICS.items()},
    },
)

REGISTER = Table(
    files="case_register.parquet",
    row="a case (a person's final decision in one country), closed or still open at the end of the run",
    computed="recorded by the case as it moves through the process; NaN: the event did not happen",
    columns={
        "replication": REPLICATION,
        "migrant_id": Column("case number, unique across the run's countries", "id"),
        "person_id": Column("the person: equal to migrant_id, or to the first case of a person who moved", "id"),
        "previous_case_id": Column("the person's case in the country they moved from (-1: none)", "id"),
        "matched": Column(
            "true when the case continues an earlier decision (a mover matched, info_sharing=nordic)", "bool"
        ),
        "country": COUNTRY_ONE,
        "origin": Column(
            "the third country the decision returns the person to (an archetype of configs/origins)", "name"
        ),
        "decision_day": Column("day of the final decision (for a mover, the day the case was opened here)", DAY),
        "willingness": Column(
            "the person's willingness to return: multiplies departure hazards, its power the abscond hazard",
            "factor (mean 1)",
            "lognormal draw at the decision (behaviour.willingness_sigma)",
        ),
        "has_id_document": Column("holds a valid identity or travel document at the decision", "bool"),
        "vulnerable": Column("vulnerable person (never detained on risk grounds)", "bool"),
        "family": Column("family with children", "bool"),
        "return_centre": Column("lived in a return centre at some point", "bool"),
        **{
            f"entered_{s.label}": Column(f"first day the case entered {s.label}", DAY, "NaN: never entered")
            for s in ACTIVE
        },
        "outcome": Column(
            f"state at the end of the run: a terminal outcome, or the open state of a case still open ({STATE_NAMES})",
            "state",
        ),
        "outcome_day": Column("day the case closed (NaN: open at the end)", DAY),
        "handover_ground": Column("why the agency handed the case to the police: coercion or absconded", "category"),
        "handover_decided_day": Column("day the agency decided to hand the case over", DAY),
        "handover_day": Column("day the police registered the case (decision + administrative delay)", DAY),
        "fields_passed": Column(
            "information fields that reached the police, comma-separated (allowed by info_sharing, minus fields lost)",
            "list",
        ),
        "talks": Column("return talks held by the migration agency", "talks"),
        "contact_attempts": Column("police attempts to reach the person", "attempts"),
        "avr_offered": Column("offered an assisted voluntary return grant", "bool"),
        "ever_absconded": Column("absconded at least once", "bool"),
        "times_absconded": Column("times absconded", "count"),
        "times_detained": Column("detention spells", "count"),
        "detention_days": Column("days in detention, all spells", "days"),
        "released_at_limit": Column("releases at the legal maximum detention time", "count"),
        "document_requests": Column("travel-document requests sent to the third country", "requests"),
        "documents_day": Column("day a valid travel document was in hand (decision day if held from the start)", DAY),
        "unenforceable": Column("the police gave up: every document request refused", "bool"),
        "flight_ready_day": Column("day the case was ready for removal (documents in hand, casework done)", DAY),
        "flight": Column(
            "kind of flight a forced return left on: escorted, charter, joint_charter, eu_operation or supervised "
            "(a scheduled flight under the police's supervision, without escorts; empty: none)",
            "category",
        ),
        "detention_days_awaiting_flight": Column("days in detention after flight_ready_day", "days"),
        "escorts": Column("escort officers who went with the person", "escorts"),
        "reintegration_support": Column("returned with reintegration support (avr=reintegration)", "bool"),
        "moved_to": Column("country the person moved to after absconding (empty: did not move)", "code"),
        "closed_from": Column(
            f"last open state of a closed case ({OPEN_STATE_NAMES}); "
            "e.g. absconded for a departure registered after absconding",
            "state",
            "empty while the case is open",
        ),
    },
)

FLOW_MEANINGS = {
    "handed_to_police": ("handovers the police registered that day (return cases)", "cases"),
    "located": ("absconded people the police found that day", "persons"),
    "detention_entries": ("return cases detained that day", "persons"),
    "detention_refused_full": ("return cases' detention requests refused that day for want of a place", "requests"),
    "detention_days": ("days of the return cases' detention spells that ended that day", "days"),
    "detention_spells_ended": ("return cases' detention spells that ended that day", "spells"),
    "released_for_room": (
        "detainees without a removal in sight released that day to free a place for a known departure "
        "(colocation.detention_rule=planned_places)",
        "persons",
    ),
    "other_removals": ("other removals (Dublin transfers, crime expulsions, refusals of entry) carried out", "persons"),
    "other_detention_entries": ("other removals detained that day", "persons"),
    "other_detention_days": ("days of the detention stays of other removals that began that day", "days"),
    "other_refused_full": ("other removals' detention requests refused that day for want of a place", "requests"),
    "other_escorted": ("other removals that left with the transport service's escorts that day", "persons"),
    "dublin_transfers": ("of the other removals, Dublin transfers carried out that day", "persons"),
}
"""The stock table's daily counts (``flow_*``: the day's own, not a running total) and their units."""

STOCKS = Table(
    files="stocks.parquet",
    row="a day and a country (from day 1, warm-up included)",
    computed="counted at the end of each day by a kernel (sim/model/results.py); flow_* are the day's own counts",
    columns={
        "replication": REPLICATION,
        "day": Column("the day", DAY),
        "country": COUNTRY_ONE,
        **{s.label: Column(f"open cases in state {s.label}", "cases") for s in ACTIVE},
        "departure_position": Column(
            "open cases whose person is still here and known: every open state but absconded", "cases"
        ),
        "wanted": Column("absconded people on the police's wanted list", "persons"),
        "talk_queue": Column("cases waiting for a return talk", "cases"),
        "police_queue": Column("police cases waiting for a casework step", "cases"),
        "flight_queue": Column("documented people waiting for a seat on a flight", "persons"),
        "detention_occupied": Column("detention places in use", "places"),
        "detention_places": Column("detention places available", "places"),
        "return_centre_occupied": Column("return-centre places in use", "places"),
        "removal_risk": Column(
            "removals per open decision and day over the feedback window, pooled over origins",
            "per day",
            "the enforcement feedback's observed risk (behaviour.enforcement_feedback)",
        ),
        **{f"flow_{name}": Column(meaning, unit) for name, (meaning, unit) in FLOW_MEANINGS.items()},
    },
)

FLIGHTS = Table(
    files="flights.parquet",
    row="a charter or EU operation and a country with returnees on it (the organiser's row when none boarded)",
    computed="recorded when the flight leaves",
    columns={
        "replication": REPLICATION,
        "flight_id": Column("flight number", "id"),
        "day": Column("departure day", DAY),
        "destination": Column("the origin country flown to", "name"),
        "kind": Column("charter (one country), joint_charter (several) or eu_operation", "category"),
        "organiser": Column("country that organised the flight; EU for another member state's operation", "code"),
        "seats": Column("seats on the aircraft", "seats"),
        "boarded_total": Column("returnees on board, all countries", "persons"),
        "country": COUNTRY_ONE,
        "boarded": Column("this country's returnees on board", "persons"),
        "paid_by_country": Column(
            "what this country paid: its share of the aircraft, split by returnees boarded, and transfers", "EUR"
        ),
        "paid_by_frontex": Column("what Frontex paid for this country's returnees (flights=frontex)", "EUR"),
        "monitored": Column("independent observers were on board (monitoring)", "yes/no"),
        "paid_for_monitoring": Column("this country's share of the observers' cost, by returnees boarded", "EUR"),
    },
)

TRANSITIONS = Table(
    files="transitions.parquet (output.transitions=true)",
    row="a change of state of a case",
    computed="recorded when the case changes state",
    columns={
        "replication": REPLICATION,
        "migrant_id": Column("case number (as in the case register)", "id"),
        "day": Column("day of the change", DAY),
        "from_state": Column("state left, as its number in sim/model/states.py (-1: a new decision)", "state code"),
        "to_state": Column(
            f"state entered, as its number ({', '.join(f'{s.value} {s.label}' for s in State)})", "state code"
        ),
    },
)

RUNS = Table(
    files="runs.parquet (sweep folder)",
    row="a run, a replication and a country",
    computed="each complete run's summary.parquet with its overrides (returnsim-report)",
    columns={
        **SUMMARY.columns,
        "posterior_draw": Column("the posterior draw the run used (-1: the preset's medians)", "index"),
        "run": Column("the run's folder name in the sweep", "name"),
        "scenario": Column("the run's swept values other than seed and draw (the scenario compared)", "label"),
    },
    open_columns="every config key the sweep's command line set (e.g. colocation, horizon_days): its value in the run",
)

YEARLY = Table(
    files="yearly.csv",
    row="a replication, a country (and ALL when several) and a year of the measured horizon",
    computed="from the case register and the stocks (sim/outputs/yearly.py); the years' counts add up to the horizon's",
    columns={
        "replication": REPLICATION,
        "country": COUNTRY,
        "year": Column(
            "calendar year in a run with a history (history=...); else the year of the measured horizon "
            "(1 = its first 365 days)",
            "year",
        ),
        "first_day": Column("first day of the year, counted from the start of the horizon", "day of horizon"),
        "last_day": Column("last day of the year (the last year may be shorter)", "day of horizon"),
        "decisions": Column("final decisions in the year (a matched mover's case is not a new decision)", "cases"),
        "returns": Column("registered returns in the year (voluntary, assisted, forced)", "persons"),
        "registered_departures": Column(
            "every registered departure of a return case in the year: on their own, assisted, forced "
            "(as returns; the name the agency's statistics use)",
            "persons",
        ),
        "return_rate": Column("returns / decisions of the same year, as yearly statistics count them", "ratio"),
        **{
            col: Column(f"cases closed in the year as {state.label}", "cases")
            for col, state in yearly_columns.CLOSURES.items()
        },
        "handed_to_police": Column("the agency's handovers to the police decided in the year", "cases"),
        "handed_to_police_absconded": Column("of them, on the absconded ground", "cases"),
        "share_handovers_absconded": Column("handed_to_police_absconded / handed_to_police", "share"),
        "detention_entries": Column(
            "detention entries in the year, all grounds (return cases and other removals)", "entries"
        ),  # fmt: skip
        "detention_entries_other": Column(
            "of them, other removals' (Dublin, crime expulsions, entry refusals)", "entries"
        ),  # fmt: skip
        "detention_persons": Column(
            "people detained in the year, all grounds (a return case detained twice in the year counts once)",
            "persons",
        ),
        "detention_days_ended": Column("days of the detention spells that ended in the year, all grounds", "days"),
        "detention_spells_ended": Column("detention spells that ended in the year, all grounds", "spells"),
        "detention_mean_stay_days": Column("detention_days_ended / detention_spells_ended", "days"),
        "detention_population_mean": Column(
            "people held in detention, mean over the year's days, all grounds", "persons"
        ),
        "detention_places_mean": Column("detention places, mean over the year's days", "places"),
        "detention_occupancy_share": Column("detention_population_mean / detention_places_mean", "share"),
        "detention_refused_full": Column(
            "detention requests refused in the year for want of a free place, all grounds", "requests"
        ),
        "released_for_room": Column(
            "detainees released in the year to free a place for a known departure (joint planning)", "persons"
        ),
        "registered_departures_incl_dublin": Column(
            "registered_departures and the Dublin transfers carried out in the year: the agency's statistics of "
            "registered departures count both (2015: 21 085 departures against 19 940 return decisions)",
            "persons",
        ),
        "other_removals": Column(
            "other removals carried out in the year (Dublin transfers, crime expulsions, refusals of entry)", "persons"
        ),
        "escorted_removals_all_grounds": Column(
            "removals with the transport service's escorts in the year: the return cases' forced returns but those "
            "supervised by the police alone, and the other removals that went escorted",
            "persons",
        ),
        "charter_returnees": Column("this country's returnees on charters and EU operations in the year", "persons"),
        "wanted_end": Column("absconded people on the police's wanted list at the year's end", "persons"),
        "police_workable_end": Column(
            "the police's located cases at the year's end: police cases, detained, awaiting a flight", "cases"
        ),
        "police_open_end": Column("the police's open cases at the year's end: workable and wanted", "cases"),
        "agency_open_end": Column(
            "the agency's open cases at the year's end: voluntary period and return case", "cases"
        ),
        "police_green_end": Column(
            "workable police cases of the green class at the year's end: removal within weeks (documents in hand, "
            "or coming soon from an origin that takes forced returns)",
            "cases",
        ),
        "police_yellow_end": Column(
            "workable police cases of the yellow class at the year's end: contact still to make, documents from a "
            "slow authority, a retry ahead",
            "cases",
        ),
        "police_red_end": Column(
            "workable police cases of the red class at the year's end: removal blocked (an origin that takes no "
            "forced returns, the document attempts used up)",
            "cases",
        ),
        **{
            f"end_{col}": Column(f"{STOCKS.columns[col].meaning}, at the end of the year's last day", "cases")
            for col in yearly_columns.STOCKS_AT_YEAR_END
        },
    },
)

TABLES = {
    "summary": SUMMARY,
    "case_register": REGISTER,
    "stocks": STOCKS,
    "flights": FLIGHTS,
    "transitions": TRANSITIONS,
    "yearly": YEARLY,
    "runs": RUNS,
    "effects": EFFECTS,
    "shares": SHARES,
}
"""Every table by name; the name is the file's stem."""


def check_report(params: Any) -> None:
    """Raise ConfigError unless the report, the goal and the history's published figures name known columns.

    The names are this dictionary's (the ``summary`` metrics, the ``stocks``
    states), so the check lives here rather than in the parameter schema,
    which knows nothing of the outputs.
    """
    for i, figure in enumerate(params.history.published):
        if figure.metric not in YEARLY.columns:
            raise ConfigError(
                f"history.published[{i}].metric: unknown metric {figure.metric!r} (year {figure.year}); "
                f"choose a column of yearly.csv: {', '.join(YEARLY.columns)}"
            )
    for key, names, allowed in (
        ("report.metrics", params.report.metrics, list(METRICS)),
        ("goal.objectives", params.goal.objectives, list(METRICS)),
        ("goal.target_metric", [params.goal.target_metric], list(METRICS)),
        ("report.stocks", params.report.stocks, [s.label for s in ACTIVE]),
        ("report.yearly", params.report.yearly, list(YEARLY.columns)),
    ):
        for name in names:
            if name not in allowed:
                raise ConfigError(f"{key}: unknown name {name!r}; choose from {', '.join(allowed)}")
