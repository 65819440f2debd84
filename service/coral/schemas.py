"""Coral's external moderation request and response bodies as pydantic models, with examples.

Only ``action`` and ``comment.body`` decide anything; the rest is accepted as Coral
sends it (both tenant forms) and ignored. Unknown fields are ignored too, as Coral
adds fields between releases and a refused request would skip moderation.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr

HOSTILE = "<p>You are a pathetic idiot and nobody here wants to read your garbage.</p>"
FRIENDLY = "<p>Thanks for the thoughtful reply, I hadn't considered the budget side of this.</p>"


def _request(body: str, action: str = "NEW", parent: str | None = None) -> dict[str, Any]:
    return {
        "tenant": {"id": "19ba5794-7eeb-4d46-a81b-c00c61672501", "domain": "news.example.org"},
        "action": action,
        "comment": {"body": body, "parentID": parent},
        "author": {"id": "baf4e943-3594-4fcc-b2ba-3e8de7a76352", "role": "COMMENTER"},
        "story": {"id": "245b3856-b0a0-4d2f-a6bb-58c71f18d6a6", "url": "https://news.example.org/2026/council"},
        "site": {"id": "a4bede88-2d2c-4424-bc18-4322a9e285a6"},
    }


EXAMPLES: dict[str, dict[str, Any]] = {
    "hostile": {"summary": "A new hostile comment (flagged)", "value": _request(HOSTILE)},
    "friendly": {
        "summary": "An edited friendly reply (204)",
        "value": _request(FRIENDLY, "EDIT", "d79b787f-f406-49a0-a179-72e3652e54be"),
    },
}


class Lenient(BaseModel):
    """Base: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")


class Tenant(Lenient):
    """The Coral tenant (older releases; later ones send `tenantID` and `tenantDomain`)."""

    id: StrictStr | None = None
    domain: StrictStr | None = None


class CoralComment(Lenient):
    """The comment being created or edited."""

    body: StrictStr = Field(
        description="The comment, HTML (Coral's default) or plain text: at most `TOXICITY_MAX_TEXT_BYTES` of "
        "UTF-8 (default 20 KB). HTML is converted to the text it shows."
    )
    parentID: StrictStr | None = Field(default=None, description="The comment replied to, or null.")  # noqa: N815


class Author(Lenient):
    """Who wrote it."""

    id: StrictStr | None = None
    role: StrictStr | None = Field(default=None, description="`COMMENTER`, `STAFF`, `MODERATOR`, `ADMIN`, ...")


class Story(Lenient):
    """The story commented on."""

    id: StrictStr | None = None
    url: StrictStr | None = None


class Site(Lenient):
    """The site of the story."""

    id: StrictStr | None = None


class CoralModerationRequest(Lenient):
    """What Coral posts for each new or edited comment."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [EXAMPLES["hostile"]["value"]]})

    action: Literal["NEW", "EDIT"] = Field(description="`NEW` comment or `EDIT` of one.")
    comment: CoralComment
    author: Author | None = None
    story: Story | None = None
    site: Site | None = None
    tenant: Tenant | None = None
    tenantID: StrictStr | None = None  # noqa: N815 - Coral's own names
    tenantDomain: StrictStr | None = None  # noqa: N815


class CoralAction(BaseModel):
    """A flag Coral adds to the comment, for its moderators."""

    actionType: Literal["FLAG"]  # noqa: N815
    reason: Literal["COMMENT_DETECTED_TOXIC"]
    additionalDetails: str = Field(  # noqa: N815
        description="The attributes at or above their thresholds, with scores and thresholds, and the model."
    )


class CoralModerationResponse(BaseModel):
    """What Coral applies: flags, and a status only above the operator's stricter thresholds."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "actions": [
                        {
                            "actionType": "FLAG",
                            "reason": "COMMENT_DETECTED_TOXIC",
                            "additionalDetails": "TOXICITY 1.00 (threshold 0.51), INSULT 1.00 (threshold 0.75); "
                            "model 2026.12.04-53fc2d54",
                        }
                    ],
                    "status": "PREMOD",
                    "metadata": {
                        "toxicity": {
                            "model": "2026.12.04-53fc2d54",
                            "scores": {"TOXICITY": 0.9995, "INSULT": 0.9989, "THREAT": 0.0101},
                            "flagged": ["TOXICITY", "INSULT"],
                            "language": "en",
                            "status": "PREMOD: INSULT 1.00 >= 0.95 (TOXICITY_CORAL_PREMOD_THRESHOLDS)",
                        }
                    },
                }
            ]
        }
    )

    actions: list[CoralAction] = Field(description="One `FLAG` when any attribute is at or above its threshold.")
    status: Literal["REJECTED", "PREMOD"] | None = Field(
        default=None,
        description="`REJECTED` or `PREMOD` only at or above `TOXICITY_CORAL_REJECT_THRESHOLDS` or "
        "`TOXICITY_CORAL_PREMOD_THRESHOLDS` (both off by default); absent otherwise.",
    )
    metadata: dict[str, Any] = Field(
        description="`toxicity`: the model, every score, the flagged attributes, the language scored "
        "(`language`, a BCP-47 tag) and the status's reason when one is set."
    )
