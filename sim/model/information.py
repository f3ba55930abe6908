"""What the information fields passed with a handover do: the chance to locate a person, and documents."""

from __future__ import annotations

from sim.model.agents.migrant import Migrant
from sim.params.levers import FieldEffects


class InformationEffects:
    """The effects of the fields passed (``field_effects``), each distinct set of fields computed once."""

    def __init__(self, field_effects: dict[str, FieldEffects]) -> None:
        """Effects of the scenario's ``field_effects``; tens of thousands of cases share a handful of field sets."""
        self.field_effects = field_effects
        self._locate_multipliers: dict[tuple[frozenset[str], bool], float] = {}
        self._document_bonuses: dict[frozenset[str], float] = {}

    def locate_probability(self, base: float, m: Migrant) -> float:
        """Chance a search or contact attempt finds ``m``, raised by the information fields passed.

        Each field passed multiplies the locate hazard by its ``locate_multiplier``
        (the family field only for people with family here), so the chance per
        attempt is ``1 - (1 - base) ** product``.
        """
        key = (m.fields, m.family)
        mult = self._locate_multipliers.get(key)
        if mult is None:
            mult = 1.0
            for name in sorted(m.fields):  # a fixed order: the same float product in every process
                fe = self.field_effects.get(name)
                if fe is not None and (name != "family" or m.family):
                    mult *= fe.locate_multiplier
            self._locate_multipliers[key] = mult
        return 1.0 - (1.0 - base) ** mult if base < 1.0 else 1.0

    def document_bonus(self, fields: frozenset[str]) -> float:
        """Extra acceptance probability of a document request from the information fields passed."""
        bonus = self._document_bonuses.get(fields)
        if bonus is None:
            effects = self.field_effects
            bonus = sum(effects[f].document_accept_bonus for f in sorted(fields) if f in effects)
            self._document_bonuses[fields] = bonus
        return bonus
