"""The phrases behind the phrase-pattern LFs (:mod:`pipeline.weak.lfs.patterns`): one compiled pattern each.

Kept apart from the LFs so that each module reads as one thing: here what the phrases are, there how they vote.
"""

from __future__ import annotations

from pipeline.weak.lfs.cues import NATIONALITY, TROOP_NOUN, rx

QUALIFIED_WITHDRAWAL = rx(
    r"\b(?:immediate|unconditional|complete|total|full|early|rapid|speedy|prompt|swift|phased)\w*"
    r"(?:,?\s+(?:and\s+)?\w+)?\s+(?:withdrawal|evacuation|departure|pull-?out)"
    r"|\bwithdraw\w*\s+(?:\w+\s+){0,4}(?:immediately|unconditionally|completely|totally|forthwith|without\s+delay)"
    r"|\bunconditionally\s+withdraw"
)

WITHDRAWAL_OF_FORCES = rx(
    rf"\b(?:withdrawal|evacuation|removal|departure|expulsion|pull-?out)\s+of\s+(?:all\s+)?(?:the\s+)?"
    rf"(?:\w+\s+){{0,3}}{TROOP_NOUN}\b[^.;]*?\bfrom\b"
    r"|\b(?:withdrawal|evacuation)\s+of\s+(?:all\s+)?(?:the\s+)?(?:\w+\s+){0,2}occupied"
    r"|\bwithdraw\w*\s+(?:\w+\s+){0,4}from\s+(?:all\s+)?(?:the\s+)?(?:\w+\s+){0,2}(?:occupied|territor\w+\s+of)"
    r"|\bwithdraw\w*\s+(?:\w+\s+){0,3}from\s+(?:all\s+)?(?:the\s+)?(?:Arab|Palestinian|Syrian|Lebanese)\s+"
    r"(?:\w+\s+){0,3}(?:lands?|territor\w+)"
    r"|\b(?:withdrawal|evacuation|removal|departure|expulsion)\s+of\s+all\s+(?:the\s+)?(?:foreign|alien|"
    r"occupation|occupying|invading|outside)\s+(?:\w+\s+)?(?:troops|forces|fleets|bases|military\s+presence)"
    r"|\b(?:foreign|occupation|occupying)\s+(?:\w+\s+)?(?:troops|forces|fleets|bases)\s+(?:\w+\s+){0,3}"
    r"(?:withdrawn|leave|evacuated|removed|pulled\s+out)"
)

WITHDRAWAL_VERIFIED = rx(r"\b(?:verif\w+|monitor\w*|observ\w+)\s+(?:of\s+)?(?:the\s+)?(?:\S+\s+){0,2}withdrawal\b")
"""Verifying or monitoring a withdrawal: reports an agreed pull-out, takes no side on the presence."""

END_OCCUPATION = rx(
    r"\b(?:end|ending|ended|terminat\w+|halt)\s+(?:to\s+)?(?:the\s+|this\s+|its\s+|their\s+|that\s+)?"
    r"(?:\S+\s+){0,2}occupation\b"
    r"|\boccupation\s+(?:\w+\s+){0,3}(?:must|should|will|to)\s+(?:\w+\s+){0,2}(?:end|come\s+to\s+an\s+end|cease)"
    r"|\bliberat\w+\s+(?:of\s+)?(?:\w+\s+){0,3}(?:occupied|from\s+(?:foreign\s+)?occupation)"
    r"|\bliberat\w+\s+(?:\w+\s+){0,4}territor\w+\s+from\b"
    r"|\b(?:drive|driving|throw|chase)\s+out\s+(?:the\s+)?(?:\w+\s+)?(?:invaders|occupiers|aggressors|troops)"
    r"|\b(?:rolling|roll)\s+it\s+back"
    r"|\b(?:cessation|termination|ending)\s+of\s+(?:the\s+|this\s+|its\s+)?(?:\w+\s+){0,3}occupation\b"
    r"|\b(?:cessation|end|halt)\s+(?:of|to)\s+(?:the\s+|all\s+)?(?:foreign\s+|military\s+|armed\s+|outside\s+)?"
    r"intervention\W{0,3}\s+in\s+(?-i:[A-Z])"
)

WITHDRAWAL_FIRST = rx(
    r"\buntil\s+(?:all\s+)?(?:the\s+)?(?:\S+\s+){0,3}(?:forces|troops|occupiers|invaders)\s+(?:have\s+|are\s+)?"
    r"(?:withdraw\w*|leave|left|pulled\s+out|gone)"
    r"|\b(?:first\s+step|pre-?condition|prerequisite|sine\s+qua\s+non)\s+(?:\w+\s+){0,6}"
    r"(?:withdrawal|end\s+(?:of|to)\s+(?:the\s+)?occupation)"
    r"|\bwithdrawal\s+(?:\w+\s+){0,8}(?:first\s+step|pre-?condition|prerequisite)"
)

DISMANTLE_BASES = rx(
    r"\b(?:dismantl|eliminat|remov|liquidat|clos|abolish|withdraw|evacuat)\w*\s+(?:of\s+)?(?:all\s+)?(?:the\s+)?"
    r"(?:\w+\s+){0,3}(?:military\s+)?bases\b"
    r"|\b(?:foreign|military)\s+bases\s+(?:\w+\s+){0,3}(?:eliminated|dismantled|removed|closed|abolished|withdrawn)"
    r"|\bdismantl\w+\s+(?:of\s+)?(?:the\s+)?(?:so.called\s+)?security\s+zone"
)

OCCUPATION_EVALUATED = rx(
    r"\b(?:illegal|unlawful|brutal|illegitimate|continued|continuing|prolonged|colonial|racist|"
    r"hateful|barbaric|savage|criminal|foreign|fascist|expansionist|unjust|unjustified|unprovoked|"
    r"aggressive)\s+(?:\w+\s+)?"
    r"(?:occupation|invasion|aggression)\b"
    r"|\b(?:occupation|invasion)\s+(?:\w+\s+){0,4}(?:illegal|unlawful|violation|obstacle|stumbling\s+block|"
    r"threat|crime|root\s+cause|aggression|annexation|expansion)"
    r"|\b(?:policies|policy)\s+of\s+(?:\w+\s+){0,3}(?:occupation|annexation)\b"
    r"|\b(?:root\s+cause|obstacle|stumbling\s+block|main\s+cause)\s+(?:\w+\s+){0,6}"
    r"(?:occupation|invasion|presence)\b"
    r"|\bcontinues?\s+to\s+occupy\b"
    r"|\bsuffer\w*\s+(?:\w+\s+){0,3}(?:from|under)\s+(?:the\s+)?(?:\S+\s+){0,2}(?:occupation|invasion|aggression)\b"
    r"|\bbases?\s+(?:\w+\s+){0,3}(?:represents?|constitutes?|poses?)\s+(?:a\s+)?(?:\w+\s+)?(?:threat|danger|obstacle)"
    r"|\b(?:illegal|unlawful|illegitimate|continued|continuing)\s+(?:\w+\s+)?(?:military\s+)?presence\b"
    r"|\bpresence\s+of\s+(?:the\s+)?(?:\S+\s+){0,3}(?:troops|forces|bases)\b[^.;]{0,80}?\b(?:imped\w+|hinder\w*|"
    r"obstacle|subver\w+|dominat\w+|threat\w*|violat\w+|runs\s+counter|destabili\w+|obstruct\w*|"
    r"not\s+conducive|contrary\s+to|incompatible|danger\w*|source\s+of\s+tension)"
    r"|\b(?:invasion|occupation|annexation)\s+(?:\w+\s+){0,12}(?:grave\s+mistake|flagrant\s+violation|"
    r"in\s+(?:flagrant\s+|clear\s+|gross\s+)?violation|act\s+of\s+aggression|shaken|undermin\w+)"
    r"|\bas\s+long\s+as\s+(?:\S+\s+){0,3}(?:troops|forces|army)\s+(?:\w+\s+)?occupy"
    r"|\b(?:troops|forces)\s+(?:are\s+|remain\s+)?still\s+(?:(?:in|on)\s+(?:the\s+|our\s+)?(?:territor\w+|soil|"
    r"occupied|(?-i:[A-Z]))|occupy\w*)"
    r"|\b(?:foreign|alien|colonial|naval|their|its)\s+(?:military\s+|naval\s+)?presence\b[^.;]{0,120}?"
    r"\b(?:threat\w*|danger\w*|violat\w+|obstacle|interfer\w+|domination|runs\s+counter|destabili\w+)"
    r"|\bpresence\s+(?:\w+\s+){0,4}(?:cause|source)\s+of\s+(?:\w+\s+){0,3}(?:concern|tension|instability|conflict)"
    r"|\b(?:injur\w+|danger|threat|violation|obstacle|interference|harm)\b[^.;]{0,100}?\b(?:result\w*\s+from|caused\s+by)"
    r"\s+(?:the\s+)?(?:\w+\s+)?presence\b"
    r"|\b(?:against|oppos\w+\s+to)\s+the\s+(?:\w+\s+)?presence\s+of\s+(?:the\s+)?(?:\S+\s+){0,3}(?:troops|forces|navies|"
    r"fleets?|bases|military)"
    r"|\b(?:ha(?:s|ve|d)\s+(?:still\s+)?(?:not|never)\s+(?:yet\s+)?|(?:failed|refus\w+|refuse)\s+to\s+)withdraw\w*\s+"
    r"(?:all\s+)?(?:its|their|the)\s+(?:\w+\s+){0,2}(?:troops|forces|army)"
)

RESIST_OCCUPIERS = rx(
    r"\b(?:resist\w*|struggl\w+|fight\w*|intifad\w+|battles?|uprising)\s+(?:\w+\s+){0,7}(?:against|to)\s+"
    r"(?:the\s+)?(?:\w+\s+){0,2}(?:occupation|occupiers?|invaders?|aggressors?|forces\s+of\s+aggression|invasion)"
    r"|\bfrom\s+foreign\s+occupation\b"
    r"|\b(?:fought|fight\w*|resist\w*|repel\w*|repuls\w+|defeat\w*|confront\w*)\s+(?:\w+\s+){0,2}(?:the\s+)?"
    r"(?:\w+\s+)?(?:invaders?|occupiers?|aggressors?|occupation\s+(?:forces|troops|army))\b"
)

RETURN_OCCUPIED = rx(
    r"\b(?:return|restoration|restitution|recovery|recover|regain\w*|restor\w+|reclaim\w*|retak\w+)\s+(?:of\s+)?"
    r"(?:\S+\s+){0,6}(?:occupied\s+(?:\w+\s+)?(?:territor\w+|lands?|islands?|areas?|regions?|Golan)|"
    r"(?:territor\w+|lands?|islands?)\s+(?:\w+\s+){0,3}(?:occupied|seized)\s+by)"
)

INCURSION = rx(
    r"\barmed\s+incursions?\b|\bincursions?\s+into\b|\bacts?\s+of\s+aggression\s+by\b"
    r"|\bviolation\s+of\s+(?:the\s+)?(?:\w+\s+){0,3}(?:territory|borders)\s+(?:\w+\s+){0,3}by\s+(?:\w+\s+){0,4}forces"
)

STATE_POSSESSIVE = rf"(?:(?-i:[A-Z][a-z]+)(?:'|’)s|{NATIONALITY})"
"""A state named as the actor: "Iraq's", "Russia’s", "Israeli", "Soviet"."""

STATE_AGGRESSION = rx(
    rf"\b{STATE_POSSESSIVE}\s+(?:\w+\s+){{0,4}}(?:aggression|invasion)\b"
    r"|\b(?:armed|military|outright|foreign|external|brutal|unprovoked|naked|blatant|flagrant|open)\s+"
    r"(?:\w+\s+)?aggression\b"
    r"|\bwar\s+of\s+aggression\b"
    r"|\bacts?\s+of\s+aggression\s+(?:against|committed)\b"
    r"|\b(?:aggression|invasion)\s+(?:\w+\s+){0,2}against\s+(?:the\s+)?(?:(?-i:[A-Z])\w+|our|my|its|"
    r"a\s+(?:sovereign|neighbou?ring))"
    r"|\baggression\s+(?:\w+\s+){0,2}by\s+(?:the\s+)?(?-i:[A-Z])\w+"
    r"|\b(?:stop|end|halt|cessation\s+of)\s+(?:the\s+|this\s+)?aggression\b"
    r"|\b(?:legali[sz]\w*|legitimi[sz]\w*|recogni[sz]\w*|consolidat\w*|perpetuat\w*)\s+(?:the\s+)?"
    r"(?:results|fruits|gains|consequences)\s+of\s+(?:the\s+|its\s+)?aggression\b"
    r"|\baggression\s+(?:\w+\s+){0,2}(?:to\s+)?(?:stop|end|cease)\b"
)
FIGURATIVE_AGGRESSION = rx(
    r"\b(?:economic|cultural|ideological|cyber|verbal|media|propaganda|trade)\s+aggression"
    r"|\baggression\s+against\s+(?:the\s+)?(?:United\s+Nations|UN|peace-?keep\w*)"
    r"|\b(?:anniversary|commemorat\w+|World\s+War)\b"
)
"""Not a state's forces on another's soil: figurative aggression, attacks on peacekeepers, a war commemorated."""
AGGRESSION_HISTORY = rx(
    r"\b(?:since|after|before|following|during|prior\s+to)\s+(?:\S+\s+){0,3}(?:aggression|invasion)\b"
)
AGGRESSION_EVALUATED = rx(
    r"\b(?:violat\w+|illegal\w*|unlawful|condemn\w*|must|should|end|withdraw\w*|unprovoked|unjusti\w+|suffer\w*|"
    r"victims?|destroy\w*|devastat\w+|crimes?|threat\w*|resist\w*|repel\w*|brutal|barbar\w+)\b"
)

CONTRIBUTION = rx(
    r"\bcontribut\w*\s+(?:\w+\s+){0,3}(?:troops|contingents?|peace-?keepers|military\s+(?:contingents?|observers|"
    r"personnel|units)|soldiers|battalions?)"
    r"|\b(?:troops|contingents?|military\s+observers|peacekeepers)\s+(?:\w+\s+){0,3}(?:contribut\w+|made\s+available)"
    r"|\b(?:sending|send|sent|dispatch\w*|provid\w+)\s+(?:\w+\s+){0,3}(?:contingents?|troops|battalions?|"
    r"military\s+observers|peace-?keepers)"
    r"|\bparticipa\w+\s+(?:\w+\s+){0,3}in\s+(?:\w+\s+){0,4}(?:peace-?keeping|stand-?by\s+forces)"
    r"|\bparticipa\w+\s+(?:\w+\s+){0,3}in\s+(?:the\s+)?(?:United\s+Nations|UN|African\s+Union|AU)\s+"
    r"(?:\S+\s+){0,4}(?:missions?|operations?|forces?)\b"
    r"|\b(?:as\s+(?:a|an|one\s+of\s+the)\s+(?:\S+\s+){0,3}troop[\s-]+(?:and\s+police[\s-]+)?contribut\w+)"
    r"|\btroop\s+contributions?\s+to\b"
    r"|\b(?:take|taking|took|involved)\s+(?:part\s+)?in\s+(?:\w+\s+){0,4}peace-?keeping\s+(?:operations|missions|forces)"
    r"|\bcontribut\w+\s+(?:\w+\s+){0,2}to\s+(?:the\s+)?(?:\S+\s+){0,4}(?:peace-?keeping\s+(?:operations|missions|"
    r"forces)|(?:United\s+Nations|UN|African\s+Union|AU)\s+(?:\S+\s+){0,4}(?:Mission|Force|Operation))\b"
    r"|\bcontribut\w+\s+(?:\w+\s+){0,5}with\s+(?:a\s+)?(?:\w+\s+)?(?:military\s+presence|troops|contingents?)"
    r"|\bsupport\w*\s+(?:\w+\s+){0,3}peace-?keeping\s+(?:activities|efforts|operations|missions|forces|role)\b"
    r"|\bsupport\s+for\s+(?:the\s+)?(?:\S+\s+){0,3}peace-?keeping\s+(?:operations|missions|forces)\b"
    r"|\bdecided\s+to\s+(?:deploy|send|dispatch)\s+(?:\S+\s+){0,8}(?:contingents?|troops|battalions?)"
    r"|\b(?:our|its|my\s+country's)\s+(?:own\s+)?(?:peace-?keepers|blue\s+helmets|contingents?)\b"
    r"|\bforces\s+within\s+the\s+framework\s+of\b"
    r"|\b(?:our|my\s+country's)\s+(?:\w+\s+){0,2}(?:troops|soldiers|forces|contingents?|men\s+and\s+women)\s+"
    r"(?:\w+\s+){0,2}(?:serv\w+|deployed|participa\w+)\s+(?:in|with|under)\b"
    r"|\bshoulder\w*\s+(?:its|our)\s+peace-?keeping"
    r"|\b(?:contingents?|battalions?|troops)\s+(?:\w+\s+){0,3}deployed\s+(?:\w+\s+){0,3}(?:as\s+part\s+of|with|in|to)\s+"
    r"(?:the\s+)?(?:\S+\s+){0,3}(?:United\s+Nations|UN\b|peace-?keeping|UNEF|UNIFIL|MINUSMA|MINUSCA|MONUSCO)"
    r"|\b(?:we\s+are|we\s+have\s+been|my\s+country\s+is|[A-Z]\w+\s+is)\s+(?:\w+\s+){0,2}part\s+of\s+(?:the\s+)?"
    r"(?:\S+\s+){0,3}(?:missions?|forces?|operations?)\b"
    r"|\bmade\s+(?:\S+\s+){0,2}(?:troops|contingents?|soldiers|battalions?)\b[^.;]{0,50}\bavailable\b"
    r"|\bdeployed\s+(?:its|our|their)\s+(?:\w+\s+){0,3}(?:contingents?|battalions?|peace-?keepers)\b"
    r"|\btradition\s+(?:\S+\s+){0,8}(?:of|in)\s+peace-?keeping"
    r"|\bstand-?by\s+(?:peace-?keeping\s+)?force\s+of\s+[\d,]+"
    r"|\b(?:proud|honou?red|privileged)\s+to\s+[^.;]{0,80}?\b(?:missions|operations|peace-?keeping|peacekeepers)\b"
    r"|\b(?:troops|soldiers|contingents?|peace-?keepers)\b[^.;]{0,80}?\bserv\w+\s+(?:in|with|under)\s+"
    r"(?:the\s+)?(?:\S+\s+){0,5}(?:missions|operations)\b"
    r"|\b(?:contribut\w+|involved|engaged|participat\w+|serv\w+|took\s+part|take\s+part|taking\s+part)\s+"
    r"(?:\w+\s+){0,3}(?:in|to|with)\s+(?:the\s+)?(?:\w+\s+){0,2}peace-?keeping\b(?!\s+(?:reform|budget|financ))"
    r"|\b(?:our|my\s+country's)\s+(?:\w+\s+){0,3}(?:troops|soldiers|forces|contingents?|peacekeepers|officers|"
    r"battalions?)\s+(?:\w+\s+){0,6}(?:in|with|to)\s+(?:the\s+)?(?:\S+\s+){0,4}(?:peace-?keeping|"
    r"United\s+Nations\s+(?:\S+\s+){0,3}(?:Mission|Force|Operation)s?|MINUSMA|MINUSCA|MONUSCO|UNIFIL|UNMISS|"
    r"AMISOM|ATMIS|UNAMID|UNFICYP)"
)

SOLDIERS_IN_MISSION = rx(
    r"\b(?:soldiers|troops|contingents?|battalions?)\b[^.;]{0,60}?\b(?:part\s+of|within|serving\s+(?:in|with))\b"
)
"""Soldiers described as part of, or serving within, a mission (with a peacekeeping mission named)."""

MANDATE_EXTENSION = rx(
    r"\b(?:extend\w*|extension|renew\w*|prolong\w*)\s+(?:of\s+)?(?:the\s+)?(?:\w+\s+){0,3}mandate"
    r"|\b(?:forces|troops|mission|contingents?)\s+(?:\w+\s+){0,2}(?:remain|stay)\s+(?:\w+\s+){0,3}until"
    r"|\b(?:preserv\w+|maintain\w*|retain\w*|keep\w*|strengthen\w*|reinforc\w+|reaffirm\w*)\s+(?:\S+\s+){0,3}"
    r"mandate\s+of\b"
    r"|\b(?:maintain\w*|preserv\w+|retain\w*|keep\w*)\s+(?:\S+\s+){0,2}(?:existing|current|present|full)\s+mandate\b"
    r"|\b(?:preserv\w+|maintain\w*|retain\w*|strengthen\w*|reinforc\w+)\s+(?:the\s+)?(?:UNIFIL|UNFICYP|UNDOF|"
    r"MINUSMA|MINUSCA|MONUSCO|UNMISS|AMISOM|ATMIS|UNAMID|MINURSO|KFOR|ISAF)\S*\s+(?:\w+\s+)?mandate"
)

DEPLOYMENT = rx(
    r"\b(?:deploy\w*|dispatch\w*|reinforc\w*|strengthen\w*)\s+(?:of\s+)?(?:an?\s+|the\s+)?(?:additional|more|further|"
    r"new|larger|sufficient|adequate|international|multinational|peace-?keeping|United\s+Nations|UN|neutral|"
    r"interposition|protection|stabili[sz]ation|regional)\s+(?:international\s+|multinational\s+)?"
    r"(?:\w+\s+){0,2}(?:forces?|troops|personnel|contingents?|missions?|peace-?keepers|operations?)"
    r"|\b(?:additional|more)\s+(?:peace-?keepers|troops|contingents)\b"
)

CONSENT_REQUEST = rx(
    r"\b(?:at\s+the\s+(?:request|invitation)|with\s+the\s+(?:consent|agreement)|by\s+invitation|"
    r"upon\s+the\s+request)\s+of\b"
    r"|\binvited\s+(?:\w+\s+){0,3}(?:troops|forces|mission)"
    r"|\b(?:consent|agreement|request\w*|invitation)\s+(?:\w+\s+){0,2}(?:for|to)\s+the\s+(?:\w+\s+)?presence\s+of\b"
    r"|\b(?:legal|legitimate)\s+basis\s+for\s+(?:the\s+)?presence\s+of\b"
)

CONDITIONAL_WITHDRAWAL = rx(
    r"\bwithdraw\w*\s+(?:\w+\s+){0,4}(?:linked|conditional|conditioned|contingent|tied|subject)\s+(?:to|on|upon)"
    r"|\b(?:linked|tied|conditioned)\s+(?:\w+\s+){0,3}withdraw\w*\s+(?:\w+\s+){0,3}to\b"
    r"|\b(?:premature|hasty|precipitate|precipitous|abrupt|reckless|irresponsible)\s+(?:\w+\s+){0,3}"
    r"(?:withdraw\w*|pull-?out|drawdown)"
    r"|\b(?:reduction|drawdown|draw-down|withdrawal)\s+(?:\S+\s+){0,6}(?:correspond\w*\s+with|commensurate|"
    r"in\s+step\s+with|conditions-based|based\s+on\s+(?:the\s+)?conditions)"
    r"|\bwithdrawal\s+(?:\w+\s+){0,3}(?:premature|too\s+early)"
    r"|\bwithdraw\w*\s+(?:\w+\s+){0,5}only\s+(?:after|when|once)"
    r"|\b(?:withdrawal|departure|drawdown|pull-?out)\b[^.;]{0,100}?\b(?:security\s+)?(?:vacuum|void)\b"
)

PRESENCE_BENEFIT = rx(
    r"\b(?:since|thanks\s+to|with|through|following)\s+(?:the\s+)?(?:\S+\s+){0,2}(?:deployment|presence|arrival)\b"
    r"[^.]*\b(?:progress|stability|stabili[sz]ed|security|calm|peace\s+has)"
    r"|\b(?:peace-?keep\w*|forces|mission|troops)\b[^.;]{0,80}?\b(?:key\s+instrument|essential\s+role|"
    r"vital\s+role|crucial\s+role|decisive\s+role|great\s+importance|indispensable|irreplaceable)"
    r"|\b(?:key\s+instrument|essential\s+role|vital\s+role|crucial\s+role|important\s+role)\s+(?:\w+\s+){0,8}"
    r"(?:peace-?keep\w*|forces|mission)"
    r"|\b(?:mission|force|forces|operation|peace-?keepers|AMISOM|ATMIS|MINUSMA|MONUSCO|UNIFIL|ISAF|KFOR)\S*\s+"
    r"(?:\(\w+\)\s+)?(?:has|have)\s+(?:\w+\s+)?(?:helped|supported|brought|restored|enabled|ensured|"
    r"stabili[sz]ed|saved|protected|succeeded)"
)
