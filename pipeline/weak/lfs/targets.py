"""Actor and target LFs: vote NONE when the sentence is about something other than foreign troop presence.

The guideline's target is foreign forces on another's territory. A country's own army, police, non-state
groups, weapons and disarmament, 'forces' in the figurative sense, the management of peacekeeping, and bare
history of an occupation are not; these LFs say so, so that the label model can outvote loose stance cues.
"""

from __future__ import annotations

from snorkel.labeling import labeling_function

from pipeline.labels import ABSTAIN, NONE
from pipeline.weak.lfs.cues import (
    FIGURATIVE_FORCES,
    FOREIGN_FORCES,
    MILITARY_ANY,
    NON_STATE,
    NON_STATE_OCCUPATION,
    OCCUPATION,
    OWN_FORCES,
    PEACEKEEPING,
    TextPoint,
    has,
    rx,
    target_mentioned,
)

_TROOPS = rx(r"\btroops?\b")

_WEAPONS = rx(
    r"\b(?:nuclear|missiles?|weapons?|disarmament|arms\s+(?:race|control|reduction|sales|trade)|arms|warheads?|"
    r"non-proliferation|armaments?)\b"
)

_MANAGEMENT = rx(
    r"\b(?:financ\w+|budgets?|arrears|assessments?|assessed|costs?|reform\w*|efficien\w+|effective\w*|"
    r"safety|security\s+of\s+(?:united\s+nations\s+)?(?:personnel|peacekeepers)|training|train|trained|"
    r"principles|guidelines|abuse\w*|exploitation|misconduct|cholera|doctrine|report\s+of|recommendations|"
    r"capabilit\w+|resources|women|gender|mandates?\s+(?:that\s+are\s+)?(?:clear|realistic|robust)|"
    r"restructur\w+|planning|protection\s+of\s+(?:those|peacekeepers|personnel)|rapid\s+deployment\s+capacity)\b"
)

_HISTORY = rx(
    r"\b(?:since|after|before|during|in\s+(?:19|20)\d\d|(?:years?|months?|decades?)\s+(?:of|after|since|ago)|"
    r"elapsed|anniversary|history|left\s+behind|vestiges)\b"
)

_EVALUATION = rx(
    r"\b(?:illegal|unlawful|brutal|continu\w+|still|end|withdraw\w*|liberat\w+|resist\w*|condemn\w*|"
    r"violation|aggression|obstacle|must|should|demand\w*|support\w*|unjust|struggle|occupy)\b"
)

_OCCUPIER_ACTIONS = rx(
    r"\b(?:settlements?|settlers?|colonization|colonisation|blockade|demograph\w+|expropriat\w+|landmines|"
    r"prisons?|prisoners|detainees|human\s+rights|practices|bullets|killed|wounded|wall|checkpoints|"
    r"demolition\w*|humanitarian)\b"
)


_PRESENCE_STANCE = rx(
    r"\b(?:contribut\w+\s+(?:\w+\s+){0,3}(?:troops|contingents)|thank\w*|grateful|tribute|vacuum|stand-?by\s+"
    r"(?:peace-?keeping\s+)?force\s+of)"
    r"|\b(?:our|its|my\s+country's)\s+(?:\w+\s+){0,3}(?:forces|troops|soldiers|contingents?)\s+(?:\w+\s+){0,4}"
    r"(?:involved|serv\w+|participat\w+)"
)
_OCCUPY_ANY = rx(r"\boccup\w+")
_OCCUPATION_WORD = rx(r"\b(?:occupation|invasion|invaders?|occupiers?)\b")
_OCCUPATION_AS_SUCH = rx(
    r"\b(?:end\w*\s+(?:to\s+)?(?:the\s+|this\s+|its\s+)?occupation|withdraw\w*|illegal\s+occupation"
    r"|resist\w*|occupation\s+(?:troops|forces|army)|aggression|invasion|suffer\w*"
    r"|(?:blatant|brutal|military|foreign|continued|imposing|imposed|unjust)\s+(?:\w+\s+)?occupation)"
)
_FORCES_ABROAD = rx(r"\b(?:withdraw\w*|invad\w+|evacuat\w+|pull\w*\s+out|take\s+them\s+home)\b")
"""An army leaving or entering another country's territory (then not the country's own army at home)."""
_STANCE_VERB = rx(r"\b(?:demand|call|urge|condemn|leave)\w*")


def _strip_figurative(text: str) -> str:
    """``text`` with every figurative 'forces' phrase blanked out."""
    return FIGURATIVE_FORCES.sub(" ", text)


@labeling_function()
def tgt_no_military_vocabulary(x: TextPoint) -> int:
    """NONE: no military, presence, occupation or withdrawal vocabulary at all (no target to take a side on)."""
    return NONE if not (has(MILITARY_ANY, x.text) or has(PEACEKEEPING, x.text)) else ABSTAIN


@labeling_function()
def tgt_figurative_forces(x: TextPoint) -> int:
    """NONE: the only 'forces' are figurative (forces of peace, market forces, join forces, use of force)."""
    text = x.text
    if has(FIGURATIVE_FORCES, text) and not has(MILITARY_ANY, _strip_figurative(text)):
        return NONE
    return ABSTAIN


@labeling_function()
def tgt_own_forces(x: TextPoint) -> int:
    """NONE: a country's own army, security forces or police, with no foreign or peacekeeping forces named.
    Abstains where those forces withdraw or invaded ("Iraq ... withdraw its forces from Iranian territory",
    "its forces invaded Afghanistan"): "its forces" is then a foreign state's army abroad."""
    text = x.text
    if has(OWN_FORCES, text) and not (target_mentioned(text) or has(_FORCES_ABROAD, text)):
        return NONE
    return ABSTAIN


@labeling_function()
def tgt_non_state_actor(x: TextPoint) -> int:
    """NONE: terrorists, rebels, militias or gangs are the armed actors, and no foreign forces are named."""
    text = x.text
    if has(NON_STATE, text) and not (has(FOREIGN_FORCES, text) or has(PEACEKEEPING, text) or has(_TROOPS, text)):
        state_occupation = has(_OCCUPATION_WORD, text) and not has(NON_STATE_OCCUPATION, text)
        if not state_occupation:
            return NONE
    return ABSTAIN


@labeling_function()
def tgt_weapons_not_troops(x: TextPoint) -> int:
    """NONE: the sentence is about weapons, missiles or disarmament, not about troops on foreign soil."""
    text = x.text
    if has(_WEAPONS, text) and not (has(OCCUPATION, text) or has(PEACEKEEPING, text) or has(FOREIGN_FORCES, text)):
        return NONE
    return ABSTAIN


@labeling_function()
def tgt_peacekeeping_management(x: TextPoint) -> int:
    """NONE: peacekeeping financing, safety, training, reform or abuses: management, not presence. Steps aside
    where the sentence also contributes troops, thanks peacekeepers or says a withdrawal left a vacuum."""
    text = x.text
    if has(PEACEKEEPING, text) and has(_MANAGEMENT, text) and not has(_PRESENCE_STANCE, text):
        return NONE
    return ABSTAIN


@labeling_function()
def tgt_bare_history(x: TextPoint) -> int:
    """NONE: an occupation or invasion is dated or counted (since/after/years of) with no evaluation."""
    text = x.text
    if has(OCCUPATION, text) and has(_HISTORY, text) and not has(_EVALUATION, text):
        return NONE
    return ABSTAIN


@labeling_function()
def tgt_occupier_actions(x: TextPoint) -> int:
    """NONE: settlements, blockades, prisoners or casualties of an occupation, not the occupation as such."""
    text = x.text
    if has(_OCCUPIER_ACTIONS, text) and has(_OCCUPY_ANY, text) and not has(_OCCUPATION_AS_SUCH, text):
        return NONE
    return ABSTAIN


@labeling_function()
def tgt_short_question(x: TextPoint) -> int:
    """NONE: a short question or fragment (fewer than eight words) that takes no side by itself."""
    text = x.text.strip()
    words = text.split()
    if len(words) < 8 and (text.endswith("?") or not has(_STANCE_VERB, text)):
        return NONE
    return ABSTAIN


TARGET_LFS = [
    tgt_no_military_vocabulary,
    tgt_figurative_forces,
    tgt_own_forces,
    tgt_non_state_actor,
    tgt_weapons_not_troops,
    tgt_peacekeeping_management,
    tgt_bare_history,
    tgt_occupier_actions,
    tgt_short_question,
]
