"""Which language a comment is in: py3langid offline, plus romanised Hindi; catalogue tags out.

py3langid's model ships in its wheel (nothing downloads); ``Detector`` loads it once
(about 0.45 s, 40 MB) and is shared by every request. Its classes are folded into the
catalogue's tags (``model.languages``): ``ALIASES`` sums Egyptian and Moroccan Arabic
into ``ar``, Wu and Cantonese into ``zh``, Nigerian Pidgin into ``en``; Hindi is ``hi``
in Devanagari and ``hi-Latn`` in Latin letters; "no linguistic content" is dropped.
py3langid has no class for romanised Hindi, so ``model.hinglish`` (a word list and a
stated rule) decides that one.

**The sure rule.** Detection decides (``Detection.best``) when the top language's
probability is at least ``MIN_CONFIDENCE`` (0.5: more likely than all others together)
and the comment carries enough letters: a letter weight of ``MIN_WEIGHT`` (20), where a
Latin letter weighs 1, a letter of another alphabet (Cyrillic, Arabic, Devanagari, ...)
2, and a Chinese, Japanese or Korean character 4. So 20 Latin letters, 10 Cyrillic or
Arabic ones, or 5 CJK characters. Latin keeps the old 20 because English lives there
and a short Latin comment ("gg wp", a name) is where a wrong guess would cost English
comments their score. A comment written mostly in Latin letters (two thirds) that the
Hinglish rule claims is ``hi-Latn`` with the rule's share (at most ``RULE_CEILING``) as
confidence, however short, unless py3langid's top language vetoes it: a catalogue language
other than English and Hindi, Malay or Tagalog at ``OTHER_VETO`` (0.5), any other but Fula
(``LOOKALIKES``) at ``SURE_OF_OTHER`` (0.9).
Otherwise detection is unsure, and the service assumes ``TOXICITY_LANGUAGE_FALLBACK``
(English) or, set empty, fails as Perspective did. The rule before (20 letters in
any script, 0.70, py3langid's own codes) left unsure, on the same rows: zh 26.5 %,
ko 41.6 %, ja 93.1 %, ar 44.8 %, hi 15.1 %, ru 25.6 %, pt 31.9 %, de 2.7 %, en 15.9 %, and
found Hinglish in 1.1 % of its rows; it also sure-detected 0.3 % of English rows as
something else (pcm 3, it, th, nl), as the new rule does.

**Figures** (``python -m training.langeval.detection``: validation rows of the
langeval split, never official test splits; English is a sample of 3,000 of the
English corpus's validation rows). Detected as itself / as another / unsure:
de 98.0 / 0.1 / 1.9 %, pt 76.5 / 0.6 / 22.9 % (gl 20; zh 4: rows whose accents are mojibake),
zh 99.7 / 0.0 / 0.3 %, ko 98.8 / 0.0 / 1.2 %, ar 98.7 / 0.0 / 1.2 %, ru 82.9 / 1.0 / 16.0 %,
fr 90.7 / 0.0 / 9.3 %, hi 94.0 / 0.0 / 6.0 %, hi-Latn 74.0 / 2.0 / 24.0 % (en 10, fuv 4),
ja 84.5 / 1.7 / 13.8 % (58 rows), id 59.2 / 9.4 / 31.4 % (ms 167, jv 30), en 88.9 / 0.3 / 10.8 %.
English rows sure-detected as something else: 10 of 3,000 (0.3 %): hi-Latn 3, and st,
it, th, nl, de, hr, es 1 each. Reading them, eight of the ten are not English (Hinglish,
Italian, Dutch, German, Croatian, Spanish comments in the English sets); the two
English ones are a run of "HAHAHA" (st) and a sentence ending in Thai (th). The Hinglish rule alone claims
73.3 % of hi-Latn rows and 0.10 % of English ones (all 3 Hinglish in fact), 0 % of
de, pt, fr and id rows. Before it asked for a distinctive word and let Malay and Tagalog
veto (2026-12-05) it claimed 76.4 % and detected hi-Latn rows 77.3 / 1.4 / 21.3 %, but
also everyday Indonesian, Tagalog and romanised Japanese ("Hai, sou desu ka."): the
rows it no longer claims hold only short or shared words ("hai ... ko", "ka ... ke").
Most Portuguese, Russian and English "unsure" rows are under the letter weight (tweets
of a few words) or split between close languages (pt/gl).

**Long text.** Detection reads at most ``WINDOW`` (300) characters from each end, so
its cost is bounded whatever the length (the letter counts, py3langid's byte walk and
the Hinglish word scan are each linear in what is read; ``make bench`` shows a 100 KB
comment costing what a 2 KB one does). On comments of 1,400 characters and more
(consecutive validation rows of one language joined), the window gives the same
outcome as the whole text for 100 % of every scored language's (hi-Latn included: 77),
99.6 % of English's (one of 227) and 100 % of Indonesian's (166; 98.2 % before the
Hinglish rule stood back for Malay, when some long Indonesian comments were taken for
Hinglish). What it cannot see is a long comment whose middle is in another language
than its ends; such a comment is detected by its ends.
A window of 600 measured the same but cost twice as much on long comments.

**Cost.** Nearly all of it is py3langid's (its byte walk runs in Python, then a naive
Bayes product over 142 classes). ``python bench/language.py --model DIR`` (2026-12-05,
one core of this shared VM): 120 to 150 µs per typical comment, 3.0 to 3.5 times
scoring it alone with the English model and 1.9 to 2.2 times on comments of every
language; on 2 KB comments 420 to 510 µs, 0.6 to 0.7 times scoring them; a 100 KB
comment costs what a 2 KB one does (0.8 to 1.1 times).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from model.hinglish import hinglish
from model.languages import NAMES, WINDOW, normalise_tag, window

MIN_WEIGHT = 20
"""The letter weight a comment needs before detection decides (see ``letter_weight``)."""
LATIN_WEIGHT, OTHER_WEIGHT, DENSE_WEIGHT = 1, 2, 4
"""What one letter weighs: Latin; other alphabets (Cyrillic, Arabic, Devanagari, ...); Chinese,
Japanese and Korean characters (a word is one to three of them). So 20 Latin letters decide,
or 10 Cyrillic, Arabic or Devanagari ones, or 5 Chinese, Japanese or Korean characters."""
MIN_CONFIDENCE = 0.50
"""The top language's probability detection needs to decide: more likely than all others together."""
LISTED = 0.05
"""Languages at least this likely are reported (Perspective's ``detectedLanguages``)."""
RANKED = 5
"""Languages a ``Detection`` keeps."""
OTHER_VETO = 0.5
"""py3langid's probability for a catalogue language other than English and Hindi, or a
``NEIGHBOURS`` one, from which the Hinglish rule stands back: a Portuguese, Indonesian, Malay or
Tagalog comment can hold two words of its list."""
NEIGHBOURS = frozenset({"ms", "tl"})
"""Languages outside the catalogue whose everyday words the Hinglish list shares (``ke``, ``ka``,
``ko``, ``hai``, ``wala``): Malay (py3langid's reading of much Indonesian) and Tagalog."""
SURE_OF_OTHER = 0.9
"""py3langid's probability for any other language (Hausa, Javanese, Shona...) from which the rule
stands back. Below it those are no evidence: py3langid reads romanised Hindi as them (see
``model.hinglish``), at 0.5 or more for one Hinglish row in nine."""
LOOKALIKES = frozenset({"fuv"})
"""Never a veto: py3langid's Nigerian Fulfulde class is where it puts romanised Hindi, at 0.9 to
1.0 for one long Hinglish comment in ten (and for 8 of its 1,057 validation rows)."""
RULE_CEILING = 0.9
"""The most the Hinglish rule's confidence can be (its share times this): a word list is never
certain, so py3langid's other languages keep at least a tenth of their probability."""
HINDI_OR_ENGLISH = frozenset({"en", "hi", "hi-Latn"})

ALIASES = {"arz": "ar", "ary": "ar", "wuu": "zh", "yue": "zh", "pcm": "en"}
"""py3langid's classes folded into a catalogue tag. Egyptian and Moroccan Arabic go to the
Arabic model (its data holds Gulf, Levantine and Egyptian comments); Wu and Cantonese, in
Chinese characters, to the Chinese one. Nigerian Pidgin is English-lexified, and py3langid
gives it informal English (dialect tweets of the English validation rows): folded into English,
those comments keep the English score they had rather than losing it."""
NO_LANGUAGE = "zxx"
"""py3langid's "no linguistic content": never a detected language."""

_NOT_LETTER = re.compile(r"[^\w\u0900-\u0963\u0971-\u0dff]+|[\d_]+")  # Indic vowel signs count as letters
_DENSE = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_NOT_LATIN = re.compile("[^A-Za-z\u00c0-\u024f]+")
_DEVANAGARI = re.compile("[\u0900-\u097f]")


def letter_weight(text: str) -> tuple[int, int, int]:
    """Return ``text``'s letter weight, its Latin letters and its letters in all."""
    letters = len(_NOT_LETTER.sub("", text))  # sub then len: about twice as fast as findall
    dense = len(_DENSE.findall(text))
    latin = len(_NOT_LATIN.sub("", text))
    other = letters - dense - latin
    return LATIN_WEIGHT * latin + OTHER_WEIGHT * other + DENSE_WEIGHT * dense, latin, letters


@dataclass(frozen=True, slots=True)
class Detection:
    """What detection found: catalogue tags by likelihood, and whether it is sure."""

    ranked: tuple[tuple[str, float], ...]
    sure: bool

    @property
    def best(self) -> str | None:
        """Return the most likely language's tag when detection is sure, else ``None``."""
        return self.ranked[0][0] if self.sure and self.ranked else None

    @property
    def confidence(self) -> float:
        """Return the top language's probability (0 when nothing was ranked)."""
        return self.ranked[0][1] if self.ranked else 0.0

    def listed(self) -> list[str]:
        """Return the languages worth reporting, most likely first."""
        return [lang for lang, p in self.ranked if p >= LISTED][:3]


@cache
def _tag(code: str) -> str:
    return normalise_tag(ALIASES.get(code, code))


def merge(raw: list[tuple[str, float]], latin: bool) -> list[tuple[str, float]]:
    """Fold py3langid's ranking into catalogue tags (aliases summed), most likely first.

    Hindi is ``hi-Latn`` when ``latin`` (more Latin letters than Devanagari characters).
    """
    merged: dict[str, float] = {}
    for code, p in raw:
        if code != NO_LANGUAGE:
            tag = _tag(code)
            tag = "hi-Latn" if tag == "hi" and latin else tag
            merged[tag] = merged.get(tag, 0.0) + p
    return sorted(merged.items(), key=lambda kv: -kv[1])


def other_language(ranked: list[tuple[str, float]]) -> bool:
    """Say whether py3langid's top language, other than English and Hindi, vetoes the Hinglish rule.

    A catalogue language or a ``NEIGHBOURS`` one at ``OTHER_VETO`` or more, any other at ``SURE_OF_OTHER``.
    """
    if not ranked or ranked[0][0] in HINDI_OR_ENGLISH or ranked[0][0] in LOOKALIKES:
        return False
    tag, p = ranked[0]
    return p >= (OTHER_VETO if tag in NAMES or tag in NEIGHBOURS else SURE_OF_OTHER)


def top_codes(identifier: Any, text: str, k: int) -> list[tuple[str, float]]:
    """Return py3langid's ``k`` most likely codes for ``text`` with their probabilities, best first.

    The same as ``identifier.rank(text)[:k]`` (a test holds them equal) without sorting and
    de-duplicating all 140-odd classes per call, which cost as much as the scoring itself.
    py3langid's ``_decide`` already sums a label's alias columns into its first one.
    """
    scores = identifier._decide(text)
    k = min(k, len(scores))
    top = np.argpartition(scores, -k)[-k:]
    codes = identifier.nb_classes
    return sorted(((str(codes[i]), float(scores[i])) for i in top), key=lambda cp: -cp[1])


class Detector:
    """A lazily loaded, thread-safe language identifier (py3langid's model, about 40 MB).

    ``enabled=False`` makes one that loads nothing and is never sure, so every text
    goes to the caller's fallback language (the service's ``TOXICITY_LANGUAGE_DETECTION``).
    """

    def __init__(self, enabled: bool = True) -> None:
        self._identifier: Any = None
        self._lock = threading.Lock()
        self.enabled = enabled

    def load(self) -> Any:
        """Load the model now (about half a second) instead of on first use; return it."""
        if not self.enabled:
            return None
        identifier = self._identifier
        if identifier is None:
            with self._lock:
                if self._identifier is None:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier

                    self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier = self._identifier
        return identifier

    def unload(self) -> None:
        """Drop the model; the next use loads it again."""
        with self._lock:
            self._identifier = None

    def detect(self, text: str, *, window_chars: int = WINDOW) -> Detection:
        """Rank catalogue languages for ``text`` and say whether the top one is sure (the module's rule).

        Only ``window_chars`` characters from each end of a longer text are read.
        """
        if not self.enabled:
            return Detection((), False)
        identifier = self.load()
        part = window(text, window_chars)
        weight, latin, letters = letter_weight(part)
        raw = top_codes(identifier, part, 2 * RANKED)
        ranked = merge(raw, latin > len(_DEVANAGARI.findall(part)))
        enough = weight >= MIN_WEIGHT
        if 3 * latin >= 2 * letters and not other_language(ranked) and (share := hinglish(part)) > 0:
            rule = RULE_CEILING * share
            ranked = [("hi-Latn", rule)] + [(t, p * (1 - rule)) for t, p in ranked if t != "hi-Latn"]
            enough = True  # two different Hindi function words are evidence enough, however short
        ranked = ranked[:RANKED]
        sure = enough and bool(ranked) and ranked[0][1] >= MIN_CONFIDENCE
        return Detection(tuple(ranked), sure)
