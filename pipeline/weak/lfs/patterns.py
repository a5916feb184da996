"""Phrase-pattern LFs: fixed expressions that carry a stance toward foreign troop presence on their own.

Against: qualified or demanded withdrawal, ending an occupation, dismantling foreign bases, an occupation called
illegal or an obstacle, resistance to occupiers, armed incursions, a state's aggression or invasion. Favor: troop
contributions, mandate extension, deployment or reinforcement, presence by consent or request, withdrawal made
conditional or called premature, presence credited with progress.
"""

from __future__ import annotations

from snorkel.labeling import labeling_function

from pipeline.labels import ABSTAIN, AGAINST, FAVOR
from pipeline.weak.lfs import phrases as ph
from pipeline.weak.lfs.cues import (
    FOREIGN_FORCES,
    MILITARY_ANY,
    NON_STATE,
    OCCUPATION,
    PEACEKEEPING,
    WITHDRAWAL,
    TextPoint,
    has,
)


def _foreign_target(text: str) -> bool:
    """Foreign, occupying or peacekeeping forces are named (the withdrawal is not a rebel group's)."""
    foreign = has(FOREIGN_FORCES, text) or has(OCCUPATION, text) or has(PEACEKEEPING, text)
    return foreign or (not has(NON_STATE, text) and has(MILITARY_ANY, text))


@labeling_function()
def pat_qualified_withdrawal(x: TextPoint) -> int:
    """AGAINST: withdrawal qualified as immediate/unconditional/complete/early (a demand, not a report)."""
    text = x.text
    if has(ph.QUALIFIED_WITHDRAWAL, text) and _foreign_target(text) and not has(ph.CONDITIONAL_WITHDRAWAL, text):
        return AGAINST
    return ABSTAIN


@labeling_function()
def pat_withdrawal_of_forces(x: TextPoint) -> int:
    """AGAINST: 'withdrawal of X troops from ...', 'withdraw from the occupied ...', 'foreign forces ... withdrawn'.
    Abstains where the withdrawal is only verified or monitored (a fact about an agreed withdrawal)."""
    text = x.text
    if has(ph.WITHDRAWAL_VERIFIED, text):
        return ABSTAIN
    if has(ph.WITHDRAWAL_OF_FORCES, text) and _foreign_target(text) and not has(ph.CONDITIONAL_WITHDRAWAL, text):
        return AGAINST
    return ABSTAIN


@labeling_function()
def pat_withdrawal_first(x: TextPoint) -> int:
    """AGAINST: withdrawal insisted on before anything else ('until all forces withdraw', 'precondition')."""
    text = x.text
    if has(ph.WITHDRAWAL_FIRST, text) and _foreign_target(text) and not has(ph.CONDITIONAL_WITHDRAWAL, text):
        return AGAINST
    return ABSTAIN


@labeling_function()
def pat_end_occupation(x: TextPoint) -> int:
    """AGAINST: ending an occupation, liberating occupied land, driving out invaders."""
    return AGAINST if has(ph.END_OCCUPATION, x.text) else ABSTAIN


@labeling_function()
def pat_dismantle_bases(x: TextPoint) -> int:
    """AGAINST: dismantling, eliminating or closing (foreign) military bases or a 'security zone'."""
    return AGAINST if has(ph.DISMANTLE_BASES, x.text) else ABSTAIN


@labeling_function()
def pat_occupation_evaluated(x: TextPoint) -> int:
    """AGAINST: an occupation/invasion called illegal, brutal, continued, an obstacle or a root cause."""
    return AGAINST if has(ph.OCCUPATION_EVALUATED, x.text) else ABSTAIN


@labeling_function()
def pat_resist_occupiers(x: TextPoint) -> int:
    """AGAINST: resistance or struggle against occupation, invaders or aggressors."""
    return AGAINST if has(ph.RESIST_OCCUPIERS, x.text) else ABSTAIN


@labeling_function()
def pat_return_occupied(x: TextPoint) -> int:
    """AGAINST: the return, restoration or recovery of occupied territory demanded (the occupier must give it up)."""
    return AGAINST if has(ph.RETURN_OCCUPIED, x.text) and not has(NON_STATE, x.text) else ABSTAIN


@labeling_function()
def pat_incursion(x: TextPoint) -> int:
    """AGAINST: armed incursions into a territory or aggression by (foreign) forces."""
    return AGAINST if has(ph.INCURSION, x.text) else ABSTAIN


@labeling_function()
def pat_state_aggression(x: TextPoint) -> int:
    """AGAINST: a state's invasion or armed aggression against another ('Iraq's aggression against Kuwait',
    'war of aggression', 'armed aggression'): the guideline counts an invasion told as harmful as opposition.
    Abstains on economic or cultural 'aggression', on non-state aggressors, and on a dated mention with no
    evaluation ('after the 1990 invasion, ...')."""
    text = x.text
    if not has(ph.STATE_AGGRESSION, text) or has(ph.FIGURATIVE_AGGRESSION, text):
        return ABSTAIN
    if has(NON_STATE, text) and not has(FOREIGN_FORCES, text):
        return ABSTAIN
    if has(ph.AGGRESSION_HISTORY, text) and not has(ph.AGGRESSION_EVALUATED, text):
        return ABSTAIN
    return AGAINST


@labeling_function()
def pat_troop_contribution(x: TextPoint) -> int:
    """FAVOR: contributing, sending or providing troops/contingents, taking part in peacekeeping, or soldiers who
    are part of (serve within) a named peacekeeping mission."""
    text = x.text
    if has(ph.CONTRIBUTION, text) or (has(ph.SOLDIERS_IN_MISSION, text) and has(PEACEKEEPING, text)):
        return FAVOR
    return ABSTAIN


@labeling_function()
def pat_mandate_extension(x: TextPoint) -> int:
    """FAVOR: extending or renewing a mission's mandate, forces staying until something is achieved."""
    return FAVOR if has(ph.MANDATE_EXTENSION, x.text) else ABSTAIN


@labeling_function()
def pat_deployment(x: TextPoint) -> int:
    """FAVOR: deployment or reinforcement of additional/international/peacekeeping forces."""
    text = x.text
    if has(ph.DEPLOYMENT, text) and not has(OCCUPATION, text):
        return FAVOR
    return ABSTAIN


@labeling_function()
def pat_consent_request(x: TextPoint) -> int:
    """FAVOR: forces present at the request, invitation or with the consent of the host government."""
    text = x.text
    if has(ph.CONSENT_REQUEST, text) and (has(FOREIGN_FORCES, text) or has(PEACEKEEPING, text)):
        return FAVOR
    return ABSTAIN


@labeling_function()
def pat_conditional_withdrawal(x: TextPoint) -> int:
    """FAVOR: withdrawal linked/conditioned to terms, or called premature (forces stay until terms are met)."""
    return FAVOR if has(ph.CONDITIONAL_WITHDRAWAL, x.text) else ABSTAIN


@labeling_function()
def pat_presence_benefit(x: TextPoint) -> int:
    """FAVOR: a deployment or presence credited with progress; peacekeeping called a key/vital instrument."""
    text = x.text
    if has(ph.PRESENCE_BENEFIT, text) and not (has(OCCUPATION, text) or has(WITHDRAWAL, text)):
        return FAVOR
    return ABSTAIN


PATTERN_LFS = [
    pat_qualified_withdrawal,
    pat_withdrawal_of_forces,
    pat_withdrawal_first,
    pat_end_occupation,
    pat_dismantle_bases,
    pat_occupation_evaluated,
    pat_resist_occupiers,
    pat_return_occupied,
    pat_incursion,
    pat_state_aggression,
    pat_troop_contribution,
    pat_mandate_extension,
    pat_deployment,
    pat_consent_request,
    pat_conditional_withdrawal,
    pat_presence_benefit,
]
