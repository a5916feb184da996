"""Shared text cues for the labelling functions: the data point type and compiled regexes.

The cues name the *target* of ../shared/ANNOTATION.md (foreign military presence, peacekeeping missions) and
the things that only look like it (a country's own army, police, non-state groups, "forces" in the figurative
sense). Every LF module builds on these so that one definition of "foreign troops" is used throughout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipeline.weak.lfs.gate import might_match


@dataclass(frozen=True)
class TextPoint:
    """What an LF sees: the normalised sentence and, when precomputed, its unit-norm embedding."""

    text: str
    embedding: np.ndarray | None = None


def rx(pattern: str) -> re.Pattern[str]:
    """Compile a case-insensitive verbose-free pattern (one place, so flags stay consistent)."""
    return re.compile(pattern, re.IGNORECASE)


TROOP_NOUN = (
    r"(?:troops?|forces?|soldiers?|army|armies|military|militaries|bases?|fleets?|contingents?|"
    r"personnel|advis[eo]rs?|mercenar(?:y|ies)|garrisons?|units?)"
)
"""Nouns for armed forces and their installations."""

NATIONALITY = (
    r"(?:Israeli|Soviet|Vietnamese|Viet\s?namese|American|United\s+States|U\.?S\.?(?:-led)?|Turkish|"
    r"South\s+African|Rhodesian|Smith|Russian|Cuban|Syrian|Iraqi|Iranian|Ethiopian|Moroccan|Indian|"
    r"Pakistani|Chinese|Armenian|Azerbaijani|British|French|Portuguese|Indonesian|Libyan|Ugandan|"
    r"Rwandan|Eritrean|Egyptian|NATO|Western|imperialist|colonial(?:ist)?|racist|Zionist|Pretoria|"
    r"Hanoi|Warsaw\s+Pact|Western|Belgian|Dutch|Spanish|German|Japanese|Ukrainian|Georgian|Moldovan)"
)
"""Adjectives naming a state (or bloc) whose forces appear abroad in the UN speeches and news."""

FOREIGN_FORCES = rx(
    rf"\b(?:foreign|alien|outside|external|occupation|occupying|invading|interventionist|expeditionary|"
    rf"coalition|multinational|multi-national|international|allied)\s+(?:\w+\s+)?{TROOP_NOUN}"
    rf"|\b{NATIONALITY}\s+(?:\w+\s+)?(?:troops?|forces|soldiers|army|armies|military\s+presence|bases|fleets?|"
    rf"contingents?|invaders?|occupiers?)"
    r"|\bforeign\s+(?:military\s+)?presence|\bmilitary\s+presence|\bforeign\s+interven\w*"
    r"|\bforeigners\s+and\s+their\s+armed\s+forces"
)
"""Foreign, occupying or named-state forces (the target of the task)."""

OCCUPATION = rx(
    r"\b(?:occupation|occupying|occupier|occupiers|invasion|invasions|invader|invaders|invading|incursions?|"
    r"annexation|aggressor|aggressors|forces\s+of\s+aggression|occupied)\b"
)
"""Occupation and invasion vocabulary (a state holding another's territory counts as foreign forces)."""

WITHDRAWAL = rx(
    r"\b(?:withdraw\w*|with-draw\w*|evacuat\w*|pull(?:ed|ing)?[\s-]+out|pull-?out|departure|leave|leaving|roll(?:ing)?\s+it\s+back"
    r"|drive\s+out|expel\w*|expulsion|removal|retreat\w*)\b"
)

PEACEKEEPING = rx(
    r"\b(?:peace[\s-]*keep\w*|peace-keep\w*|blue\s+helmets|UNIFIL|UNFICYP|UNDOF|UNTAC|UNPROFOR|MINUSMA|MINUSCA|"
    r"MONUSCO|MONUC|UNAMID|UNMIL|UNMISS|UNOCI|MINUSTAH|MINURSO|AMISOM|ATMIS|ISAF|KFOR|SFOR|IFOR|ECOMOG|"
    r"EUFOR|Althea|UNEF|UNMIK|ONUC|UNOSOM|UNAMIR|UNAVEM|ONUMOZ|UNMEE|UNTAET|UNAMSIL|UNISFA|UNTAG|UNTSO|"
    r"UNMOGIP|UNIIMOG|MINURCAT|ONUSAL|UNMIH|UNMIS|"
    r"(?:United\s+Nations|UN)\s+(?-i:(?:[A-Z]\w*\s+){1,4}(?:Mission|Force|Operation))|"
    r"soldiers?\s+(?:\w+\s+){0,4}in\s+the\s+service\s+of\s+peace|"
    r"stand-?by\s+forces|multinational\s+(?:security\s+)?(?:force|mission|support\s+mission)|"
    r"stabili[sz]ation\s+(?:force|mission)|troop-?contribut\w*|troop\s+contribut\w*|"
    r"(?:United\s+Nations|UN|African\s+Union|AU|regional)\s+(?:peace\w*\s+)?(?:forces?|missions?|troops|"
    r"operations?|contingents?|observers?|soldiers))\b"
)
"""UN or regional peacekeeping missions, which the guideline counts as foreign forces in a host country."""

OWN_FORCES = rx(
    r"\b(?:our|its|his|national|own|government|governmental|defen[cs]e\s+and\s+security)\s+(?:own\s+)?"
    r"(?:armed\s+|security\s+|defen[cs]e\s+)?(?:forces|army|troops)\b"
    r"|\b(?:police|gendarmerie|policing)\b"
)
"""A country's own army or its police: not the target."""

NON_STATE = rx(
    r"\b(?:terroris\w+|rebels?|rebellion|insurgen\w+|militias?|Da.?esh|ISIL|ISIS|Al-?Qa.?ida|Taliban|Houthis?|"
    r"Boko\s+Haram|Al-?Shabaab|gangs?|guerrill\w+|paramilitar\w*|armed\s+groups?|separatists?|extremists?)\b"
)
"""Non-state armed groups: not the target unless called foreign forces or mercenaries."""

NON_STATE_OCCUPATION = rx(
    r"\b(?:occupation|occupied|control)\s+(?:of|by)\s+(?:the\s+)?(?:\S+\s+){0,2}(?:terroris\w+|Da.?esh|ISIL|ISIS|"
    r"rebels?|militias?|gangs?|insurgents?|Houthis?)"
    r"|\b(?:terrorist|rebel|militia)\s+occupation"
)
"""An 'occupation' by a non-state group, which is not foreign troop presence."""

FIGURATIVE_FORCES = rx(
    r"\b(?:forces\s+of\s+(?:peace|progress|regression|reaction|evil|darkness|good|history|nature|democracy|"
    r"change|the\s+market|globali[sz]ation)|(?:progressive|reactionary|political|social|productive|market|"
    r"economic|democratic|revolutionary|peace-loving|external|adverse|destructive|extremist|dark|"
    r"liberation)\s+forces|join(?:ing|ed)?\s+forces|balance\s+of\s+(?:forces|power)|driving\s+forces?|"
    r"task\s+forces?|labou?r\s+forces?|work\s*forces?|forces\s+beyond|force\s+majeure|entry\s+into\s+force|"
    r"use\s+of\s+force|by\s+force|in\s+force)\b"
)
"""'Forces' that are not troops: political camps, market forces, legal force, the use of force in general."""

MILITARY_ANY = rx(
    r"\b(?:troops?|soldiers?|armed\s+forces|forces|army|armies|military|bases|fleets?|contingents?|"
    r"peace[\s-]*keep\w*|occupation|occupied|occupying|occupier\w*|invasion|invad\w+|incursions?|"
    r"deploy\w*|mercenar\w+|garrison\w*|withdraw\w*|aggression|aggressor\w*|"
    r"(?:military|naval|air|foreign)\s+base|(?:peace|maritime|military|naval|observer)\s+missions?|"
    r"intervention\W{0,3}\s+in\s+(?-i:[A-Z])\w+|navy|navies|"
    r"(?:foreign|military|naval|international|multinational|colonial|this|their|British|American|Soviet|French)\s+"
    r"presence|intervention\s+(?:of|by)\s+(?:the\s+)?(?:foreign|imperialist|outside|external|colonial))\b"
)
"""Any military or presence vocabulary at all; a sentence without it cannot carry the target."""


@lru_cache(maxsize=1 << 16)
def has(pattern: re.Pattern[str], text: str) -> bool:
    """True when ``pattern`` occurs anywhere in ``text``.

    The literal gate (``gate.might_match``) skips searches that cannot match, and results are remembered for the
    last 65,536 (pattern, sentence) pairs: the LFs of one sentence ask about the same cues many times.
    """
    return might_match(pattern, text) and pattern.search(text) is not None


def target_mentioned(text: str) -> bool:
    """True when the sentence names foreign forces, an occupation/invasion or a peacekeeping mission."""
    return has(FOREIGN_FORCES, text) or has(OCCUPATION, text) or has(PEACEKEEPING, text)
