"""Small shapes of words shared by pages and packages (no package imports)."""
from __future__ import annotations

from markupsafe import Markup


def rule_sentence(text: str, rule: str) -> Markup:
    """A rule as residents read it: the plain sentence, then its id small, for those who look it
    up (STYLE.md, habit 18)."""
    return Markup('{} <small class="rule-ref">{}</small>').format(text, rule)
