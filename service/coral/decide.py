"""From one comment's scores to Coral's answer: a flag, a status, the scores, or nothing at all.

- **Flag.** Each attribute the model scores is compared with its default
  threshold (the ``balanced`` preset, as ``flagged`` on ``/v1/score``). At or
  above any, the answer carries one ``FLAG`` action with reason
  ``COMMENT_DETECTED_TOXIC`` (Coral's flag for its toxic-comment queue) whose
  ``additionalDetails`` names those attributes with their scores and thresholds.
- **Status.** Only the operator's stricter thresholds set one:
  ``TOXICITY_CORAL_REJECT_THRESHOLDS`` (``REJECTED``), then
  ``TOXICITY_CORAL_PREMOD_THRESHOLDS`` (``PREMOD``); both are off by default, so
  by default the service flags and leaves the decision to Coral's moderators. A
  status ends Coral's moderation pipeline, hence the separate, stricter opt-in.
  An attribute the loaded model does not score never sets one.
- **Metadata.** ``metadata.toxicity`` carries the model version, the language the
  comment was scored in, every score, the flagged attributes and the rule behind a status.
- **Language.** The comment is scored by its (detected) language's model, against
  that language's thresholds; the stricter status thresholds are explicit numbers
  and apply in every language, to the attributes it scores.
- **Nothing wrong** (no flag, no status): ``None``, which the route answers 204.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from model import ToxicityModel
from service.settings import Settings, parse_thresholds

REASON = "COMMENT_DETECTED_TOXIC"
STATUS_RULES = (
    ("REJECTED", "coral_reject_thresholds", "TOXICITY_CORAL_REJECT_THRESHOLDS"),
    ("PREMOD", "coral_premod_thresholds", "TOXICITY_CORAL_PREMOD_THRESHOLDS"),
)


def status_for(row: Mapping[str, float], rules: Mapping[str, Mapping[str, float]]) -> tuple[str, str] | None:
    """Return the status the stricter thresholds set, and why; ``rules`` maps status to thresholds, strictest first."""
    for status, setting, variable in STATUS_RULES:
        for name, threshold in rules.get(setting, {}).items():
            if name in row and row[name] >= threshold:
                return status, f"{status}: {name} {row[name]:.2f} >= {threshold:g} ({variable})"
    return None


@lru_cache(maxsize=8)
def status_rules(coral_reject_thresholds: str, coral_premod_thresholds: str) -> dict[str, dict[str, float]]:
    """Return the operator's status thresholds, parsed from the two settings (validated at start-up)."""
    return {
        "coral_reject_thresholds": parse_thresholds(coral_reject_thresholds),
        "coral_premod_thresholds": parse_thresholds(coral_premod_thresholds),
    }


def decide(
    row: Mapping[str, float],
    thresholds: Mapping[str, float],
    rules: Mapping[str, Mapping[str, float]],
    version: str,
    language: str | None = None,
) -> dict[str, Any] | None:
    """Return Coral's response body for one comment's scores, or ``None`` when nothing is wrong."""
    flagged = [name for name, score in row.items() if name in thresholds and score >= thresholds[name]]
    status = status_for(row, rules)
    if not flagged and status is None:
        return None
    body: dict[str, Any] = {"actions": []}
    if flagged:
        named = ", ".join(f"{name} {row[name]:.2f} (threshold {thresholds[name]:g})" for name in flagged)
        body["actions"].append(
            {"actionType": "FLAG", "reason": REASON, "additionalDetails": f"{named}; model {version}"}
        )
    metadata: dict[str, Any] = {"model": version, "scores": dict(row), "flagged": flagged}
    if language is not None:
        metadata["language"] = language
    if status is not None:
        body["status"], metadata["status"] = status
    body["metadata"] = {"toxicity": metadata}
    return body


def describe(settings: Settings) -> Callable[[ToxicityModel], dict[str, Any]]:
    """Return what ``GET /v1/model`` says of the Coral route for a model: on or off, and every threshold."""
    rules = status_rules(settings.coral_reject_thresholds, settings.coral_premod_thresholds)
    enabled = bool(settings.coral_secrets.strip(" ,"))

    def described(model: ToxicityModel) -> dict[str, Any]:
        return {
            "endpoint": "POST /integrations/coral/moderation",
            "enabled": enabled,
            "flag": {"reason": REASON, "thresholds": model.thresholds()},
            "status": {status: rules[setting] for status, setting, _ in STATUS_RULES},
        }

    return described
