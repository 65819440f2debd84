"""Language detection for the Perspective contract: a re-export of ``model.language_id``.

Detection lives in the model part (``model/language_id.py``: the rule, its figures, and
romanised Hindi); this module keeps the names the service imported from here.
"""

from __future__ import annotations

from model.language_id import LISTED, MIN_CONFIDENCE, Detection, Detector

__all__ = ["LISTED", "MIN_CONFIDENCE", "Detection", "Detector", "primary"]


def primary(code: str) -> str:
    """Return the primary subtag of an ISO 639 or BCP-47 code, lower-cased: ``en-US`` -> ``en``."""
    return code.strip().replace("_", "-").split("-", 1)[0].lower()
