"""Offline language detection with py3langid (its model ships in the wheel; nothing downloads).

Perspective failed requests whose language it could not detect, which was a common
complaint for short comments ("lol", "ok", emoji). Here short or uncertain text is
treated as the fallback language (English by default): detection only decides when
the text has at least ``MIN_LETTERS`` letters and the top language has probability
at least ``MIN_CONFIDENCE``. Set ``TOXICITY_LANGUAGE_FALLBACK`` empty to fail instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

MIN_LETTERS = 20
MIN_CONFIDENCE = 0.70
LISTED = 0.05  # languages at least this likely are reported in detectedLanguages


@dataclass(frozen=True, slots=True)
class Detection:
    """What detection found: the languages by likelihood, and whether it is sure."""

    ranked: tuple[tuple[str, float], ...]
    sure: bool

    @property
    def best(self) -> str | None:
        """Return the most likely language when detection is sure."""
        return self.ranked[0][0] if self.sure and self.ranked else None

    @property
    def confidence(self) -> float:
        """Return the top language's probability (0 when nothing was ranked)."""
        return self.ranked[0][1] if self.ranked else 0.0

    def listed(self) -> list[str]:
        """Return the languages worth reporting, most likely first."""
        return [lang for lang, p in self.ranked if p >= LISTED][:3]


class Detector:
    """A lazily loaded, thread-safe py3langid identifier."""

    def __init__(self) -> None:
        self._identifier = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the model now (about half a second) instead of on first use."""
        if self._identifier is None:
            with self._lock:
                if self._identifier is None:
                    from py3langid.langid import MODEL_FILE, LanguageIdentifier

                    self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def unload(self) -> None:
        """Drop the model (about 40 MB); the next use loads it again."""
        with self._lock:
            self._identifier = None

    def detect(self, text: str) -> Detection:
        """Rank languages for ``text``."""
        self.load()
        assert self._identifier is not None
        ranked = tuple((str(lang), float(p)) for lang, p in self._identifier.rank(text)[:5])
        letters = sum(1 for c in text if c.isalpha())
        sure = letters >= MIN_LETTERS and bool(ranked) and ranked[0][1] >= MIN_CONFIDENCE
        return Detection(ranked, sure)


def primary(code: str) -> str:
    """Return the primary subtag of an ISO 639 or BCP-47 code, lower-cased: ``en-US`` -> ``en``."""
    return code.strip().replace("_", "-").split("-", 1)[0].lower()
