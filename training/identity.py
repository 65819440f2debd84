"""Identity terms: the groups they name, counterfactual swaps for training, and who the bias report covers.

Why these terms. They are the groups the training data's own hate labels target
most (HateXplain's and SBIC's target columns, the Gab Hate Corpus coding manual,
DynaHate's targets: race and origin, religion, sexuality and gender identity,
gender, disability, migration) and the identity subgroups of the Jigsaw
unintended-bias evaluation (Borkan et al. 2019), written as the words comments
use. Each group lists interchangeable words of one grammatical form, so that a
swap keeps the sentence grammatical: "muslims" swaps with "christians", never
with "christian".

Swaps are counterfactual (the project's model notes, measured): a training row
that mentions a group gets a copy with every identity word replaced by another
word of the same group, keeping the row's labels, for toxic and non-toxic rows
alike. A hateful sentence about one group stays hateful about another, and a
neutral one stays neutral, so the model cannot learn that a group's name is
itself evidence of toxicity. Swapping only non-toxic rows (Dixon et al. 2018's
plain version) made identity words evidence *against* toxicity.

Imports only the standard library.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence

SWAP_GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "religion": (
        ("muslim", "christian", "jewish", "hindu", "buddhist", "sikh", "catholic", "atheist", "mormon"),
        ("muslims", "christians", "jews", "hindus", "buddhists", "sikhs", "catholics", "atheists", "mormons"),
        ("islam", "christianity", "judaism", "hinduism", "buddhism", "sikhism", "catholicism", "atheism"),
    ),
    "race and origin": (
        ("black", "white", "asian", "latino", "hispanic", "arab", "african", "indian", "chinese", "mexican"),
        ("whites", "asians", "latinos", "hispanics", "arabs", "africans", "indians", "mexicans"),
        ("immigrant", "refugee", "migrant", "foreigner"),
        ("immigrants", "refugees", "migrants", "foreigners"),
    ),
    "sexuality and gender identity": (
        ("gay", "lesbian", "bisexual", "transgender", "queer", "homosexual", "heterosexual"),
        ("gays", "lesbians", "homosexuals", "heterosexuals"),
    ),
    "gender": (
        ("women", "men"),
        ("woman", "man"),
        ("female", "male"),
        ("girls", "boys"),
    ),
    "disability": (("blind", "deaf", "disabled", "autistic", "paralyzed"),),
}

REPORT_TERMS: tuple[str, ...] = (
    "muslim",
    "christian",
    "jewish",
    "atheist",
    "black",
    "white",
    "asian",
    "latino",
    "mexican",
    "arab",
    "immigrant",
    "gay",
    "lesbian",
    "transgender",
    "women",
    "men",
    "disabled",
)
"""Terms of the bias report: one or two per group, those with enough validation rows to measure."""

TERM_FORMS: dict[str, tuple[str, ...]] = {
    "muslim": ("muslim", "muslims", "islam", "islamic"),
    "christian": ("christian", "christians", "christianity"),
    "jewish": ("jewish", "jew", "jews", "judaism"),
    "atheist": ("atheist", "atheists", "atheism"),
    "black": ("black", "blacks"),
    "white": ("white", "whites"),
    "asian": ("asian", "asians"),
    "latino": ("latino", "latinos", "latina", "latinas", "hispanic", "hispanics"),
    "mexican": ("mexican", "mexicans"),
    "arab": ("arab", "arabs"),
    "immigrant": ("immigrant", "immigrants", "migrant", "migrants", "refugee", "refugees"),
    "gay": ("gay", "gays", "homosexual", "homosexuals"),
    "lesbian": ("lesbian", "lesbians"),
    "transgender": ("transgender", "trans", "transgendered"),
    "women": ("women", "woman", "female", "females"),
    "men": ("men", "man", "male", "males"),
    "disabled": ("disabled", "disability", "disabilities", "handicapped", "wheelchair"),
}
"""The words that put a comment in a report term's subgroup."""

_SWAP_OF: dict[str, tuple[str, ...]] = {w: group for kind in SWAP_GROUPS.values() for group in kind for w in group}
_WORD = re.compile(r"[A-Za-z]+")


def _cased(word: str, like: str) -> str:
    """Return ``word`` with the capitalisation of ``like``."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def swap_identities(text: str, seed: int = 0) -> str | None:
    """Return ``text`` with each identity word replaced by another of its group, or None if it has none.

    The choice is a function of the text and ``seed``, so a run is reproducible.
    """
    rng = random.Random(int.from_bytes(hashlib.blake2b(f"{seed}:{text}".encode(), digest_size=8).digest(), "big"))
    changed = False

    def replace(m: re.Match[str]) -> str:
        nonlocal changed
        word = m.group()
        group = _SWAP_OF.get(word.lower())
        if group is None:
            return word
        changed = True
        other = rng.choice([w for w in group if w != word.lower()])
        return _cased(other, word)

    out = _WORD.sub(replace, text)
    return out if changed else None


def mentions(text: str, terms: Iterable[str] = REPORT_TERMS) -> set[str]:
    """Return the report terms whose words occur in ``text``."""
    words = {w.lower() for w in _WORD.findall(text)}
    return {t for t in terms if words.intersection(TERM_FORMS[t])}


def subgroup_masks(texts: Sequence[str], terms: Sequence[str] = REPORT_TERMS) -> dict[str, list[bool]]:
    """Return, per report term, whether each text mentions it."""
    found = [mentions(t, terms) for t in texts]
    return {term: [term in f for f in found] for term in terms}
