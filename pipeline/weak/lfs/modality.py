"""Modality and polarity LFs: a demand, call, welcome or condemnation whose object is the troop presence.

The stance comes from the speech act (demand/urge/must, welcome/thank, condemn/reject) combined with what it is
about (withdrawal, occupation, deployment, peacekeepers), and from negation ("no foreign troops", "must not
withdraw"), which flips a neutral mention into a position.
"""

from __future__ import annotations

from snorkel.labeling import labeling_function

from pipeline.labels import ABSTAIN, AGAINST, FAVOR
from pipeline.weak.lfs.cues import (
    FOREIGN_FORCES,
    NON_STATE,
    NON_STATE_OCCUPATION,
    OCCUPATION,
    PEACEKEEPING,
    WITHDRAWAL,
    TextPoint,
    has,
    rx,
)

_DEMAND = rx(
    r"\b(?:demand\w*|call\w*\s+(?:for|upon|on)|calls?|urg\w+|insist\w*|appeal\w*|press\w*\s+for|requir\w+|"
    r"must|should|shall|need|necessary|essential|imperative|support\w*|reiterat\w+|reaffirm\w*|compel\w*|"
    r"oblige|presupposes|pre-?condition|only\s+if|unless|cannot\s+be\s+\w+\s+without|without\s+the|"
    r"stress\w*|aim|advocat\w+|seek\w*|want\w*|favou?r\w*)\b"
)

_WELCOME = rx(
    r"\b(?:welcom\w+|applaud\w*|hail\w*|rejoic\w+|gratif\w+|satisf\w+|salute\w*|celebrat\w+|"
    r"commend\w*|congratulat\w+|good\s+news|(?:positive|important|crucial|significant|major|encouraging|decisive)"
    r"\s+step|step\s+forward)\b"
)

_CONDEMN = rx(
    r"\b(?:condemn\w*|denounc\w+|deplor\w+|reject\w*|oppos\w+|protest\w*|violat\w+|illegal\w*|unlawful|"
    r"illegitimate|unjustifi\w+|unprovoked|flagrant|outrag\w+|atrocit\w+|obstacle|threat\w*|"
    r"aggression|aggressor|annexationist|expansionis\w+|infamous|heinous|murder\w*|massacre\w*|"
    r"destroy\w*|disregard|defiance|unjust\w*|grave\s+mistake|not\s+conducive|contrary\s+to|brutal|"
    r"struggle\s+against|no\s+(?:\w+\s+)?(?:rationale|justification))\b"
)

_OCCUPATION_NOUN = rx(
    r"\b(?:occupation|invasion|incursions?|invaders?|occupiers?|aggressors?|occupying\s+forces|annexation|"
    r"occupation\s+(?:troops|forces|army)|foreign\s+(?:military\s+)?presence|foreign\s+(?:troops|forces|bases)|"
    r"(?:foreign|military|armed|imperialist|outside|external)\s+intervention|"
    r"intervention\s+(?:of|by)\s+(?:the\s+)?(?:foreign|imperialist|outside|external|colonial)\s+(?:\w+\s+)?Powers)\b"
)

_PRAISE = rx(
    r"\b(?:thank\w*|grateful|gratitude|appreciat\w+|commend\w*|prais\w+|tribute|salute\w*|homage|pride|proud|"
    r"courageous|brave\w*|heroic|sacrifices?|welcom\w+|recogni[sz]\w+\s+the\s+(?:role|contribution)|"
    r"cooperation\s+with\s+these|exemplary)\b"
)

_PRESENCE_NOUN = rx(r"\b(?:peace-?keep\w*|troops?|soldiers|contingents?|forces|mission|multinational|coalition)\b")

_MANAGEMENT = rx(
    r"\b(?:abuse\w*|exploitation|cholera|misconduct|financ\w+|budget\w*|arrears|assessments?|reform\w*|"
    r"safety|training|train)\b"
)

_NO_FOREIGN = rx(
    r"\bno\s+(?:more\s+)?(?:foreign|alien|outside)\s+(?:military\s+)?(?:troops|forces|bases|presence)"
    r"|\bwithout\s+(?:any\s+)?(?:the\s+)?(?:presence\s+of\s+)?foreign\s+(?:military\s+)?(?:troops|forces|bases)"
    r"|\brid\w*\s+(?:\w+\s+){0,2}of\s+(?:all\s+)?(?:the\s+)?foreign\s+(?:military\s+)?(?:troops|forces|bases)"
    r"|\b(?:not|never)\s+(?:\w+\s+){0,6}(?:based\s+on|through)\s+(?:\w+\s+){0,8}(?:presence\s+of\s+)?foreign"
    r"\s+(?:military\s+)?(?:troops|forces|bases)"
    r"|\b(?:free|freed)\s+(?:both\s+)?(?:of|from)\s+(?:\S+\s+){0,4}(?:foreign|occupying|occupation)\s+"
    r"(?:military\s+)?(?:troops|forces|bases?|presence)"
    r"|\bwithout\s+(?:any\s+)?foreign\s+(?:military\s+)?bases?\b"
    r"|\bfree\s+(?:both\s+)?(?:of|from)\s+(?:all\s+)?(?:foreign\s+)?(?:military\s+bases|foreign\s+(?:troops|forces))"
    r"|\b(?:refus\w*|forbid\w*|prohibit\w*|(?:not|never)\s+(?:to\s+)?(?:allow|permit|grant))\s+(?:\S+\s+){0,6}"
    r"(?:military|naval|foreign)\s+(?:facilities|bases?)"
)

_NOT_WITHDRAW = rx(
    r"\b(?:not|never|n't|cannot|against)\s+(?:\w+\s+){0,2}(?:withdraw\w*|leave|pull\w*\s+out|abandon)\b"
    r"|\bwithdrawal\s+(?:\w+\s+){0,3}(?:would|could|will)\s+(?:\w+\s+){0,2}(?:create|lead|leave|be\s+a\s+mistake|"
    r"jeopardi[sz]e|undermine|plunge|risk|endanger)"
)

_NOT_YET_WITHDRAWN = rx(
    r"\b(?:ha(?:s|ve|d)\s+(?:still\s+)?(?:not|never)\s+(?:yet\s+)?|(?:failed|refus\w+)\s+to\s+)withdraw"
)
"""Forces that have not (yet) withdrawn: a complaint about the presence, not a wish that it stay."""

_CALL_DEPLOY = rx(
    r"\b(?:call\w*\s+(?:for|upon|on)|request\w*|urg\w+|need\w*|support\w*|welcom\w+|decided|ask\w*|appeal\w*|"
    r"must|should)\s+(?:\w+\s+){0,6}(?:deploy\w*|dispatch\w*|send\w*|reinforc\w*|strengthen\w*|extend\w*|"
    r"establish\w*|expan\w+)\s+(?:of\s+)?(?:\w+\s+){0,4}(?:peace-?keep\w*|forces?|troops|contingents?|personnel|"
    r"observers|(?:peace\w*|military|observer|stabili[sz]ation)\s+mission)"
    r"|\b(?:need\w*|requir\w+|call\w*\s+for|request\w*)\s+(?:\w+\s+){0,2}(?:the\s+)?(?:continued\s+)?presence\s+of\s+"
    r"(?:\w+\s+){0,3}(?:forces|troops|peace-?keepers|missions?)\b"
    r"|\b(?:mission|force|operation)\s+(?:should|must|to)\s+(?:\w+\s+){0,2}(?:become|be\s+made)\s+operational"
    r"|\bwelcom\w+\s+(?:\S+\s+){0,8}(?:an?\s+|the\s+)?(?:international|multinational)\s+(?:military\s+|security\s+)?"
    r"(?:presence|force)\b"
    r"|\b(?:hopes?|welcom\w+|look\w*\s+forward\s+to|count\w*\s+on)\s+(?:\w+\s+){0,3}(?:the\s+)?"
    r"deployment\s+of\s+(?:the\s+)?(?:\S+\s+){0,3}(?-i:Mission|Force|peace)"
)


_TROOPS_OR_STATE_WITHDRAWING = rx(
    r"\b(?:troops|forces|soldiers|fleets?|bases)\b"
    r"|\bwithdrawal\s+of\s+[A-Z]\w+\s+from\b|\b[A-Z]\w+\s+(?:\w+\s+)?withdraws?\s+from\b"
)
_MUTUAL = rx(r"\b(?:both\s+sides|of\s+both|mutual\w*|disengage\w*|permanent\s+deployment)\b")
"""Mutual pull-back or disengagement of two sides' forces: not a demand that foreign forces leave."""
_CONDITION = rx(r"\b(?:linked|conditional|conditioned|contingent|premature|guarantees|assurances)\b")


_WITHDRAWAL_EVENT = rx(r"\bwithdraw\w*|\bevacuat\w+|\bdeparture\b")
_SOLDIERS_OF = rx(r"\bsoldiers\s+of\b")
_CONTINGENT = rx(r"\bcontingents?\b")
"""A national contingent: a unit sent abroad, so praise of it is praise of a deployed force."""
_WEAPONS = rx(r"\bmissiles?\b|\bnuclear\b")


def _names_foreign(text: str) -> bool:
    """Foreign/occupying forces or an occupation are named; a withdrawal by a rebel group alone does not count."""
    return has(FOREIGN_FORCES, text) or has(OCCUPATION, text) or not has(NON_STATE, text)


@labeling_function()
def mod_demand_withdrawal(x: TextPoint) -> int:
    """AGAINST: a demand/call/must/support before a withdrawal or leaving of named troops or occupiers."""
    text = x.text
    if not (has(_DEMAND, text) and has(WITHDRAWAL, text)):
        return ABSTAIN
    troops = (
        has(FOREIGN_FORCES, text)
        or has(OCCUPATION, text)
        or has(PEACEKEEPING, text)
        or has(_TROOPS_OR_STATE_WITHDRAWING, text)
    )
    if has(_MUTUAL, text):
        return ABSTAIN
    if troops and _names_foreign(text) and not has(_NOT_WITHDRAW, text) and not has(_CONDITION, text):
        return AGAINST
    return ABSTAIN


@labeling_function()
def mod_welcome_withdrawal(x: TextPoint) -> int:
    """AGAINST: welcoming or applauding a withdrawal (the guideline counts it as opposition to the presence)."""
    text = x.text
    if has(_WELCOME, text) and has(_WITHDRAWAL_EVENT, text) and _names_foreign(text):
        return AGAINST
    return ABSTAIN


@labeling_function()
def mod_condemn_occupation(x: TextPoint) -> int:
    """AGAINST: condemnation/violation/threat vocabulary together with an occupation, invasion or invaders.
    'Aggression' and 'aggressor' alone do not condemn each other ('deter aggressors ... fruits of aggression' is
    a general principle): one of the two cues must be another word."""
    text = x.text
    if has(NON_STATE_OCCUPATION, text):
        return ABSTAIN
    condemn = {m.group(0).lower() for m in _CONDEMN.finditer(text)}
    nouns = {m.group(0).lower() for m in _OCCUPATION_NOUN.finditer(text)}
    if not (condemn and nouns):
        return ABSTAIN
    if all(word.startswith("aggress") for word in condemn | nouns):
        return ABSTAIN
    return AGAINST


_ATROCITY = rx(
    r"\b(?:atrocit\w+|murder\w*|massacre\w*|heinous|infamous|barbar\w+|aggression|aggressive|raids?|"
    r"at\s+the\s+hands\s+of|devastat\w+|trampl\w+|violence\s+inflicted|"
    r"attack\w*\s+(?:on|against)\s+(?:our|the\s+(?:sovereign|neighbouring|neighboring))|incursions?)\b"
)


@labeling_function()
def mod_condemn_foreign_troops(x: TextPoint) -> int:
    """AGAINST: atrocities, murders, raids or aggression attributed to named foreign troops (an attacking force)."""
    text = x.text
    if has(_ATROCITY, text) and has(FOREIGN_FORCES, text) and not has(PEACEKEEPING, text):
        return AGAINST
    return ABSTAIN


@labeling_function()
def mod_negated_presence(x: TextPoint) -> int:
    """AGAINST: negated presence: 'no foreign troops', 'without foreign forces', 'free of military bases'."""
    return AGAINST if has(_NO_FOREIGN, x.text) else ABSTAIN


@labeling_function()
def mod_praise_forces(x: TextPoint) -> int:
    """FAVOR: thanks, praise, tribute or welcome addressed to peacekeepers or (non-occupying) forces."""
    text = x.text
    if not (has(_PRAISE, text) and (has(_PRESENCE_NOUN, text) or has(PEACEKEEPING, text))):
        return ABSTAIN
    if not (has(PEACEKEEPING, text) or has(FOREIGN_FORCES, text) or has(_SOLDIERS_OF, text) or has(_CONTINGENT, text)):
        return ABSTAIN
    if has(OCCUPATION, text) or has(WITHDRAWAL, text) or has(_MANAGEMENT, text):
        return ABSTAIN
    return FAVOR


@labeling_function()
def mod_not_withdraw(x: TextPoint) -> int:
    """FAVOR: forces must not withdraw/leave, or withdrawal would cause harm. Abstains on a complaint that forces
    have not withdrawn yet ('have still not withdrawn their troops'), which is the opposite stance."""
    text = x.text
    if has(_NOT_YET_WITHDRAWN, text):
        return ABSTAIN
    if has(_NOT_WITHDRAW, text) and (has(FOREIGN_FORCES, text) or has(PEACEKEEPING, text)):
        return FAVOR
    return ABSTAIN


@labeling_function()
def mod_call_deployment(x: TextPoint) -> int:
    """FAVOR: calling for, requesting or supporting deployment, reinforcement or extension of forces."""
    text = x.text
    if has(_CALL_DEPLOY, text) and not has(OCCUPATION, text) and not has(_WEAPONS, text):
        return FAVOR
    return ABSTAIN


MODALITY_LFS = [
    mod_demand_withdrawal,
    mod_welcome_withdrawal,
    mod_condemn_occupation,
    mod_condemn_foreign_troops,
    mod_negated_presence,
    mod_praise_forces,
    mod_not_withdraw,
    mod_call_deployment,
]
