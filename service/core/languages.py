"""Which language scores each comment, and what that language scores: one rule for every contract.

The rule, per comment: the language the request names (``request``); else the one
detection is sure of (``detected``); else ``TOXICITY_LANGUAGE_FALLBACK``
(``fallback``, English by default; empty: the comment's language is unknown and it
is not scored). The root model's catalogue (``model.languages``) then gives the
``Language``: its sub-model scores the comment, and an attribute it does not score
(``unsupported``) is never scored by the English model instead.

Thresholds are the language's own: its sub-model's defaults and presets. Explicit
numbers (a request's per-attribute thresholds, a profile's overrides) apply in every
language. Imports ``model`` and ``settings`` only, as all of ``core``: the detector
(``service.perspective.language.Detector``) is handed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from model import Status, ToxicityModel
from model.languages import Language, Languages, english_only

Source = Literal["request", "detected", "fallback"]
CONFIDENCE_DIGITS = 4


class Detected(Protocol):
    """What a detector found for one text (``service.perspective.language.Detection``)."""

    @property
    def best(self) -> str | None:
        """Return the most likely language when detection is sure, else None."""

    @property
    def confidence(self) -> float:
        """Return the top language's probability."""

    def listed(self) -> list[str]:
        """Return the languages worth reporting, most likely first."""


class Detect(Protocol):
    """A language detector (``app.state.detector``)."""

    def detect(self, text: str) -> Detected:
        """Rank languages for ``text``."""


@dataclass(frozen=True, slots=True)
class Routed:
    """The language one comment is scored in, where it came from, and what detection listed."""

    language: Language | None
    """None when detection was unsure and no fallback is set: the comment is not scored."""
    source: Source
    confidence: float | None = None
    """The detector's top probability, for a detected language only."""
    detected: tuple[str, ...] = ()

    def out(self) -> dict[str, Any] | None:
        """Return the ``language`` object of a native result (None when the language is unknown)."""
        if self.language is None:
            return None
        confidence = None if self.confidence is None else round(self.confidence, CONFIDENCE_DIGITS)
        return {
            "code": self.language.tag,
            "name": self.language.name,
            "source": self.source,
            "confidence": confidence,
        }


def catalogue(root: ToxicityModel) -> Languages:
    """Return the root model's languages (an English-only catalogue for a model without one)."""
    return root.languages if root.languages is not None else english_only(root)


class FallbackError(ValueError):
    """``TOXICITY_LANGUAGE_FALLBACK`` names a language the loaded model scores nothing in."""


def check_fallback(root: ToxicityModel, fallback: str) -> None:
    """Raise ``FallbackError`` when ``fallback`` (non-empty) scores nothing in ``root``'s catalogue.

    Such a fallback would leave every short comment unscored (``language_not_supported``)
    with no warning; start-up refuses it (exit 2) and a reload keeps the old model.
    """
    if not fallback:
        return
    language = catalogue(root).get(fallback)
    if not language.scored_attributes:
        raise FallbackError(
            f"TOXICITY_LANGUAGE_FALLBACK={fallback}: {language_message(root, language)}; "
            "set one of those, or leave it empty to leave short or uncertain comments unscored"
        )


def route(text: str, code: str | None, root: ToxicityModel, detector: Detect, fallback: str) -> Routed:
    """Return the language ``text`` is scored in: ``code`` when given, else detected, else ``fallback``."""
    languages = catalogue(root)
    if code is not None:
        return Routed(languages.get(code, text), "request")
    detection = detector.detect(text)
    listed = tuple(detection.listed())
    if detection.best is not None:
        return Routed(languages.get(detection.best, text), "detected", detection.confidence, listed)
    if not fallback:
        return Routed(None, "fallback", None, listed)
    return Routed(languages.get(fallback, text), "fallback", None, listed)


def recorded(text: str, codes: Sequence[str] | None, root: ToxicityModel, detector: Detect, fallback: str) -> list[str]:
    """Return the languages to store with a suggestion: the request's, else the comment's routed language.

    A comment scored in the fallback language because detection was unsure is stored
    with the detector's own best guess when that is another language with a model
    ("Você é um idiota" is too short to be sure of, but likely Portuguese), so it
    never trains the fallback's model. A guess without a model ("lol idiot" reads as
    Welsh) is noise on short text and keeps the fallback. Empty when the language is unknown (unsure detection, no
    fallback). A retrain of the English model leaves out suggestions whose first
    language is not English (``model.languages.is_english``).
    """
    if codes:
        return list(codes)
    routed = route(text, None, root, detector, fallback)
    if routed.language is None:
        return []
    guess = catalogue(root).get(routed.detected[0], text) if routed.detected else None
    if routed.source == "fallback" and guess is not None and guess.scored_attributes and guess != routed.language:
        return [guess.tag]
    return [routed.language.tag]


def scored(language: Language, names: Sequence[str]) -> tuple[str, ...]:
    """Return the attributes of ``names`` that ``language`` scores (supported or experimental)."""
    return tuple(n for n in names if language.status(n) != Status.UNSUPPORTED)


def experimental(language: Language, names: Sequence[str]) -> list[str]:
    """Return the attributes of ``names`` that ``language`` scores at experimental status."""
    return [n for n in names if language.status(n) == Status.EXPERIMENTAL]


def scoring_languages(root: ToxicityModel, attribute: str) -> list[Language]:
    """Return the languages that score ``attribute``."""
    return [e for e in catalogue(root) if e.status(attribute) != Status.UNSUPPORTED]


def named(languages: Sequence[Language]) -> str:
    """Return languages as a message lists them: ``English (en), German (de)``, or ``none``."""
    return ", ".join(f"{e.name} ({e.tag})" for e in languages) or "none"


def attribute_message(root: ToxicityModel, language: Language, attribute: str) -> str:
    """Return why ``attribute`` is not scored in ``language``, naming the languages that score it."""
    return (
        f"{attribute} is not scored in {language.name} ({language.tag}); "
        f"languages that score it: {named(scoring_languages(root, attribute))}"
    )


def language_message(root: ToxicityModel, language: Language) -> str:
    """Return why ``language`` scores nothing, naming the languages that score something."""
    reason = language.reason or "no model for it"
    return (
        f"{language.name} ({language.tag}) is not scored by this model ({reason}); "
        f"languages scored: {named(catalogue(root).scoring())}"
    )


def thresholds_in(model: ToxicityModel, preset: str | None, overrides: Mapping[str, float]) -> dict[str, float]:
    """Return ``model``'s thresholds: its defaults, its ``preset`` when it has one, then explicit ``overrides``.

    A preset the language's model lacks leaves its defaults; an override for an
    attribute it does not score is ignored.
    """
    out = model.thresholds()
    if preset is not None:
        out.update(model.presets().get(preset, {}))
    out.update((name, value) for name, value in overrides.items() if name in out)
    return out


def describe(root: ToxicityModel) -> list[dict[str, Any]]:
    """Return every known language with each attribute's status and validation metrics (``GET /v1/model``)."""
    out = []
    for language in catalogue(root):
        model = language.model
        attributes = {}
        for name, status in language.statuses().items():
            info = model.info.get(name) if model is not None else None
            attributes[name] = {
                "status": status.value,
                "reason": info.reason if info is not None else "",
                "metrics": dict(language.metrics.get(name, {})),
            }
        out.append(
            {
                "code": language.tag,
                "name": language.name,
                "scored": bool(language.scored_attributes),
                "reason": language.reason if not language.scored_attributes else "",
                "sources": list(language.sources),
                "attributes": attributes,
            }
        )
    return out


def summary(root: ToxicityModel) -> str:
    """Return the languages in one paragraph, for descriptions: what each scores, and those it does not."""
    scoring = []
    for language in catalogue(root).scoring():
        parts = []
        for name in language.scored_attributes:
            status = language.status(name)
            auc = language.metrics.get(name, {}).get("roc_auc")
            figure = f", validation AUC {auc:.3f}" if isinstance(auc, float) else ""
            parts.append(f"{name} ({status.value}{figure})")
        scoring.append(f"{language.name} [{language.tag}]: {', '.join(parts)}")
    unscored = [f"{e.name} [{e.tag}]" for e in catalogue(root) if not e.scored_attributes]
    return (
        "Languages scored: "
        + "; ".join(scoring)
        + ". Not scored (every attribute unsupported): "
        + (", ".join(unscored) or "none")
        + ". GET /v1/model gives each language's statuses and metrics."
    )
