"""What ``model.normalize`` does to text in each language: how many texts each stage changes, and how.

The normaliser was written for English (and the obfuscations English abuse
uses). This audit runs its stages one at a time, in its order, on every text of
a language and counts the texts each stage changes, with the commonest changes
at the level of a character (folding, squeezing) or a token (homoglyphs,
leetspeak, spaced letters). It never records a whole text. A stage-by-stage run
that disagrees with ``normalize`` itself is counted (``mirror_mismatches``), so a
drift between this mirror and the real normaliser shows in the report.

It reads the normaliser's own patterns and constants and changes nothing there
(the compiled kernels in ``model.fast`` mirror it).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from model import normalize as nz

STAGES = ("entities", "invisible", "fold", "homoglyph", "lower", "url", "mention", "leet", "spaced", "repeat", "space")
"""The normaliser's stages in order (``model.normalize``'s docstring numbers them 1 to 10)."""
EXAMPLES = 8
"""How many of the commonest changes a stage lists per language."""
LONGEST = 16
"""Longer tokens are cut to this many characters in the examples: the report shows changes, not comments."""


@dataclass
class StageAudit:
    """One stage's effect on one language's texts."""

    texts_changed: int = 0
    changes: Counter[str] = field(default_factory=Counter)
    """``"before → after"`` of a character or token, counted over every occurrence."""


@dataclass
class LanguageAudit:
    """The normaliser's effect on one language."""

    texts: int = 0
    texts_changed: int = 0
    """Texts whose normal form differs from the text lower-cased with whitespace collapsed."""
    marks_dropped: int = 0
    """Texts where folding dropped a combining mark that is part of a letter (Russian й, Japanese が, Arabic أ)."""
    mirror_mismatches: int = 0
    stages: dict[str, StageAudit] = field(default_factory=lambda: {s: StageAudit() for s in STAGES})


def _drops_a_mark(c: str) -> bool:
    """Return whether folding ``c`` removes a combining mark (beyond compatibility folding)."""
    return nz._fold_char(c) != unicodedata.normalize("NFKC", c)


def _fold_changes(text: str) -> list[str]:
    return [f"{c} → {nz._fold_char(c) or '∅'}" for c in nz._NON_ASCII.findall(text) if nz._fold_char(c) != c]


def _run_stages(text: str, audit: LanguageAudit) -> str:
    """Apply the stages in order, recording each change into ``audit``; return the normal form."""
    steps: list[tuple[str, str, list[str]]] = []
    t = nz._ENTITY.sub(nz._unescape, text) if "&" in text else text
    steps.append(("entities", t, []))
    t = nz.INVISIBLE.sub("", t)
    steps.append(("invisible", t, []))
    if not t.isascii():
        changes = _fold_changes(t)
        if any(_drops_a_mark(c) for c in nz._NON_ASCII.findall(t)):
            audit.marks_dropped += 1
        t = nz.INVISIBLE.sub("", nz._NON_ASCII.sub(nz._fold, t))
        steps.append(("fold", t, changes))
        changes = [
            f"{m.group()} → {nz._dehomoglyph(m)}" for m in nz._LETTER_RUN.finditer(t) if nz._dehomoglyph(m) != m.group()
        ]
        t = nz._LETTER_RUN.sub(nz._dehomoglyph, t) if nz._ANY_HOMOGLYPH.search(t) else t
        steps.append(("homoglyph", t, changes))
    t = nz._lower(t)
    steps.append(("lower", t, []))
    t = nz._URL.sub(nz.URL_TOKEN, t) if nz._URL_HINT.search(t) else t
    steps.append(("url", t, []))
    t = nz._MENTION.sub(nz.USER_TOKEN, t) if "@" in t else t
    steps.append(("mention", t, []))
    changes = [f"{m.group()} → {nz._unleet_run(m)}" for m in nz._LEET_RUN.finditer(t) if nz._unleet_run(m) != m.group()]
    t = nz._LEET_RUN.sub(nz._unleet_run, t) if nz._LEET_CHARS.search(t) else t
    steps.append(("leet", t, changes))
    changes = [f"{m.group()} → {m.group()[::2]}" for m in nz._SPACED.finditer(t)]
    t = nz._SPACED.sub(nz._join_spaced, t)
    steps.append(("spaced", t, changes))
    changes = [f"{m.group(1) * 3}+ → {m.group(1)}" for m in nz._REPEAT.finditer(t)]
    t = nz._REPEAT.sub(r"\1", t)
    steps.append(("repeat", t, changes))
    t = " ".join(t.split())
    steps.append(("space", t, []))
    before = text
    for name, after, changes in steps:
        if after != before:
            stage = audit.stages[name]
            stage.texts_changed += 1
            stage.changes.update(_short(c) for c in changes)
        before = after
    return t


def _short(change: str) -> str:
    """Return a ``before → after`` change with each side cut to ``LONGEST`` characters."""
    before, _, after = change.partition(" → ")
    return " → ".join(x if len(x) <= LONGEST else x[:LONGEST] + "…" for x in (before, after))


def audit_texts(texts: Iterable[str]) -> LanguageAudit:
    """Return what the normaliser does to ``texts`` (one language's)."""
    audit = LanguageAudit()
    for text in texts:
        audit.texts += 1
        final = _run_stages(text, audit)
        if final != nz.normalize(text):
            audit.mirror_mismatches += 1
        if final != " ".join(text.lower().split()):
            audit.texts_changed += 1
    return audit


def audit_as_dict(audit: LanguageAudit) -> dict[str, object]:
    """Return ``audit`` as plain JSON-able values, the commonest changes first."""
    return {
        "texts": audit.texts,
        "texts_changed": audit.texts_changed,
        "marks_dropped": audit.marks_dropped,
        "mirror_mismatches": audit.mirror_mismatches,
        "stages": {
            name: {"texts_changed": s.texts_changed, "top_changes": s.changes.most_common(EXAMPLES)}
            for name, s in audit.stages.items()
            if s.texts_changed
        },
    }
