"""A literal pre-check for the LF regexes: skip a search that cannot match, exactly.

The cue regexes open with ``\\b`` and long case-insensitive alternations, so Python's engine has no literal prefix
to scan for and tries the whole pattern at every position (0.1-0.5 ms a sentence each). Almost every one of them
needs some word to be present: ``FOREIGN_FORCES`` cannot match a sentence holding none of "foreign", "alien", ...
:func:`required_literals` reads that set off the parsed pattern; :func:`might_match` tests it with plain substring
checks on the case-folded sentence first. The set is a necessary condition of a match (every match contains one
of its strings, case-folded), so the gate never changes a result; it only skips searches that would fail.
Patterns without a useful set (shortest string under 3 characters) are always searched.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

try:  # Python 3.11+
    from re import _constants as sre_c
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_MIN_LITERAL = 3
Literals = frozenset[str] | None  # None: no requirement (anything might match)


def _better(a: Literals, b: Literals) -> Literals:
    """The more selective requirement: the longer shortest string, then the fewer strings."""
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))


def _sequence(items: list) -> Literals:  # noqa: ANN001 - sre_parse items
    """Requirement of a sequence: its best single piece (a literal run, a group, a repeated item)."""
    best: Literals = None
    run = ""
    for op, av in items:
        if op is sre_c.LITERAL:
            run += chr(av).casefold()
            continue
        if run:
            best = _better(best, frozenset([run]))
            run = ""
        best = _better(best, _item(op, av))
    if run:
        best = _better(best, frozenset([run]))
    return best


def _item(op, av) -> Literals:  # noqa: ANN001 - sre_parse op and argument
    if op is sre_c.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is sre_c.BRANCH:
        found: set[str] = set()
        for branch in av[1]:
            need = _sequence(list(branch))
            if need is None:
                return None
            found |= need
        return frozenset(found)
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
        return _sequence(list(av[2]))
    return None


@cache
def required_literals(pattern: re.Pattern[str]) -> Literals:
    """Case-folded strings of which every match of ``pattern`` contains one, or None when none is known."""
    try:
        need = _sequence(list(sre_parse.parse(pattern.pattern, pattern.flags)))
    except Exception:  # noqa: BLE001 - an unparsable pattern is simply never gated
        return None
    if need is None or not need or min(map(len, need)) < _MIN_LITERAL:
        return None
    return need


@lru_cache(maxsize=8192)
def _folded(text: str) -> str:
    return text.casefold()


def might_match(pattern: re.Pattern[str], text: str) -> bool:
    """False only when ``pattern`` certainly cannot match ``text``."""
    need = required_literals(pattern)
    if need is None:
        return True
    folded = _folded(text)
    return any(literal in folded for literal in need)
