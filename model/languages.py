"""Languages: which model scores a comment in each language, and how far each attribute is supported.

The artifact's root model is the English one. An artifact trained with other
languages also carries one sub-model per language (its own featuriser, heads and
calibrators, fitted on that language's data only: design (a) of
``docs/multilingual-design.md``), listed in the manifest's ``languages`` section::

    "languages": {
      "de": {"name": "German", "file": "languages/de.joblib", "sha256": "...", "bytes": 2600000,
             "sources": ["de-germeval2018", "de-gahd"],
             "attributes": {"TOXICITY": {"status": "supported", "reason": "...", "threshold": 0.5,
                                         "presets": {...}, "metrics": {...}}, ...}},
      "id": {"name": "Indonesian", "reason": "its only set is CC BY-NC-SA 4.0 (non-commercial)"}
    }

An entry without ``file`` is a language the training data names but the model does
not score (every attribute ``unsupported``, for the ``reason`` given). A language
the artifact does not list at all is unsupported for every attribute too, "no
training data". ``Languages`` is that catalogue; ``ToxicityModel.languages`` holds
it on the root model, and a sub-model's is ``None``.

Tags are BCP-47: ``en``, ``de``, ``pt``, ``zh``, ``hi`` (Hindi in Devanagari) and
``hi-Latn`` (romanised Hindi, Hinglish). ``resolve`` reduces what a client sends
(``pt-BR``, ``de_DE``, ``ZH-Hans``) to a catalogue tag, and Hindi to its script.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from model.attributes import ATTRIBUTE_NAMES, Status

if TYPE_CHECKING:
    from model.scorer import ToxicityModel

ENGLISH = "en"

NAMES: dict[str, str] = {
    "en": "English",
    "ar": "Arabic",
    "de": "German",
    "fr": "French",
    "hi": "Hindi (Devanagari)",
    "hi-Latn": "Hindi, romanised (Hinglish)",
    "id": "Indonesian",
    "ja": "Japanese",
    "ko": "Korean",
    "pt": "Portuguese",
    "ru": "Russian",
    "zh": "Chinese",
    # Languages Perspective scored for which no labelled set exists here: listed so that
    # clients see them named as unsupported, not merely absent.
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "cs": "Czech",
    "sv": "Swedish",
}
NO_DATA = "no labelled training data in this language"

DEVANAGARI = range(0x0900, 0x0980)
WINDOW = 300
"""Characters read from each end of a longer comment: language detection reads at most ``2 * WINDOW``."""


def window(text: str, chars: int = WINDOW) -> str:
    """Return what language detection reads of ``text``: all of it, or ``chars`` characters from each end."""
    if len(text) <= 2 * chars:
        return text
    return f"{text[:chars]}\n{text[-chars:]}"


def devanagari_share(text: str) -> float:
    """Return the share of ``text``'s letters written in Devanagari, in what detection reads of it.

    Only ``window`` (300 characters from each end) is read, so a 20 KB comment costs
    what a short one does and its script is judged on what detection sees.
    """
    letters = [c for c in window(text) if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if ord(c) in DEVANAGARI) / len(letters)


def normalise_tag(code: str) -> str:
    """Return a client's language code as a catalogue tag: ``pt-BR`` -> ``pt``, ``hi-latn`` -> ``hi-Latn``.

    The primary subtag, lower-cased; a ``Latn`` script subtag is kept for Hindi only,
    the one language whose romanised form has a model of its own.
    """
    parts = code.strip().replace("_", "-").split("-")
    primary = parts[0].lower()
    if primary == "hi" and any(p.lower() == "latn" for p in parts[1:]):
        return "hi-Latn"
    return primary


def is_english(codes: object) -> bool:
    """Return whether a suggestion stored with these languages may train the English model.

    ``codes`` is the stored list (or its JSON text): unknown (``None``, empty) counts as
    English, as every suggestion did before languages were recorded; otherwise the
    first code must be English (``en``, ``en-GB``). The first is the comment's
    language: the one the client names first, or the single language routing
    recorded; ``["de", "en"]`` is a German comment and never trains the English model.
    """
    if isinstance(codes, str):
        try:
            codes = json.loads(codes)
        except ValueError:
            return True
    if not isinstance(codes, list) or not codes:
        return True
    first = codes[0]
    return isinstance(first, str) and normalise_tag(first) == ENGLISH


@dataclass(frozen=True, slots=True)
class Language:
    """One language the service can name: its model (``None`` when it scores nothing) and why."""

    tag: str
    name: str
    model: ToxicityModel | None = None
    reason: str = NO_DATA
    """Why the language scores nothing, when ``model`` is ``None``."""
    sources: tuple[str, ...] = ()
    metrics: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    """Attribute -> the validation figures the manifest records for it."""

    def status(self, attribute: str) -> Status:
        """Return the attribute's status in this language."""
        if self.model is None or attribute not in self.model.info:
            return Status.UNSUPPORTED
        return self.model.info[attribute].status

    @property
    def scored_attributes(self) -> tuple[str, ...]:
        """Return the attributes scored in this language (supported or experimental)."""
        return () if self.model is None else self.model.scored_attributes

    def statuses(self) -> dict[str, Status]:
        """Return every attribute's status in this language, in catalogue order."""
        return {name: self.status(name) for name in ATTRIBUTE_NAMES}


class Languages:
    """The languages an artifact knows: English (the root model), the sub-models, and the unsupported."""

    def __init__(self, entries: Mapping[str, Language]) -> None:
        if ENGLISH not in entries:
            raise ValueError("the language catalogue needs an English entry")
        self._entries = dict(entries)
        for tag, name in NAMES.items():
            self._entries.setdefault(tag, Language(tag, name))

    def __iter__(self) -> Iterator[Language]:
        """Iterate every known language: English first, then those with models, then the rest."""
        ordered = sorted(self._entries.values(), key=lambda e: (e.tag != ENGLISH, e.model is None, e.tag))
        return iter(ordered)

    def __contains__(self, tag: object) -> bool:
        return tag in self._entries

    def get(self, code: str, text: str | None = None) -> Language:
        """Return the language for a client's code (any case, region or script subtag).

        Hindi goes to its script's model: ``hi`` with mostly Latin ``text`` is ``hi-Latn``,
        ``hi-Latn`` with mostly Devanagari text is ``hi``. An unknown code is a language
        without data, unsupported for every attribute.
        """
        tag = normalise_tag(code)
        if tag in ("hi", "hi-Latn") and text is not None:
            tag = "hi" if devanagari_share(text) >= 0.5 else "hi-Latn"
        entry = self._entries.get(tag)
        return entry if entry is not None else Language(tag, NAMES.get(tag, tag))

    @property
    def english(self) -> Language:
        """Return the English entry (the root model)."""
        return self._entries[ENGLISH]

    def scoring(self) -> list[Language]:
        """Return the languages that score at least one attribute."""
        return [e for e in self if e.scored_attributes]


def english_only(model: ToxicityModel) -> Languages:
    """Return the catalogue of an artifact without other languages: English, and every other unsupported."""
    return Languages({ENGLISH: Language(ENGLISH, NAMES[ENGLISH], model, "", ())})
