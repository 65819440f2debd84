"""The attribute catalogue: what the model scores, named as in Perspective API.

Each attribute has a one-line definition written for this project. Whether the
shipped model supports it well is not decided here but measured at training time
and recorded in the artifact's manifest (see ``training.status``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """How far the training data supports an attribute."""

    SUPPORTED = "supported"
    EXPERIMENTAL = "experimental"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class Attribute:
    """One scored attribute: its Perspective name and what it means."""

    name: str
    definition: str


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "TOXICITY",
        "Rude, disrespectful or hostile language likely to make someone leave a discussion.",
    ),
    Attribute(
        "SEVERE_TOXICITY",
        "Strongly hateful or violent abuse, as opposed to mild rudeness or casual swearing.",
    ),
    Attribute(
        "INSULT",
        "Demeaning, belittling or name-calling language aimed at a person or group.",
    ),
    Attribute(
        "THREAT",
        "Language expressing or inciting an intention to harm someone.",
    ),
    Attribute(
        "IDENTITY_ATTACK",
        "Hostility towards people because of a shared identity such as race, religion, "
        "gender, sexuality, disability or origin.",
    ),
    Attribute(
        "PROFANITY",
        "Swear words, obscenities and other crude or vulgar language.",
    ),
)

ATTRIBUTE_NAMES: tuple[str, ...] = tuple(a.name for a in ATTRIBUTES)
BY_NAME: dict[str, Attribute] = {a.name: a for a in ATTRIBUTES}
