"""Which of our attributes feed which of OpenAI's thirteen moderation categories: one table, as data.

A category the model covers is scored from its attributes by a rule:

- ``any``: the score is the highest of the attributes' scores, and the category is
  flagged when any attribute is at or above its own threshold;
- ``all``: the score is the lowest, and the category is flagged only when every
  attribute is at or above its threshold (``hate/threatening`` is an identity
  attack *and* a threat).

Thresholds are the model's per-attribute defaults (its ``balanced`` preset), or a
preset's when the request's ``model`` names one (``high_precision``,
``high_recall``); ``routes.thresholds`` also applies threshold profiles. A
category the model does not cover (no attribute, none of an ``any`` category's
attributes, or not all of an ``all`` category's, scored by this artifact or by the
input's language's model) is ``false`` with score ``0.0`` and no applied input
types: not a judgement, and listed as unsupported by ``GET /v1/model``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from model import ToxicityModel

Rule = Literal["any", "all"]


@dataclass(frozen=True, slots=True)
class Category:
    """One OpenAI moderation category and the attributes that score it."""

    name: str
    attributes: tuple[str, ...]  # empty: the model does not cover this category
    rule: Rule
    why: str


CATEGORIES: tuple[Category, ...] = (
    Category("harassment", ("INSULT", "TOXICITY"), "any", "insults and hostile language aimed at anyone"),
    Category("harassment/threatening", ("THREAT",), "any", "a threat of harm is harassment that threatens"),
    Category("hate", ("IDENTITY_ATTACK",), "any", "hostility towards people for a shared identity"),
    Category("hate/threatening", ("IDENTITY_ATTACK", "THREAT"), "all", "an identity attack that is also a threat"),
    Category("illicit", (), "any", "not modelled: no attribute covers advice on wrongdoing"),
    Category("illicit/violent", (), "any", "not modelled: no attribute covers weapons or violent wrongdoing"),
    Category("self-harm", (), "any", "not modelled: no attribute covers self-harm"),
    Category("self-harm/instructions", (), "any", "not modelled: no attribute covers self-harm"),
    Category("self-harm/intent", (), "any", "not modelled: no attribute covers self-harm"),
    Category("sexual", (), "any", "not modelled: no attribute covers sexual content"),
    Category("sexual/minors", (), "any", "not modelled: no attribute covers sexual content"),
    Category("violence", ("THREAT",), "any", "threats of harm; depictions of violence are not modelled"),
    Category("violence/graphic", (), "any", "not modelled: no attribute covers graphic depictions"),
)
NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)


def covered(model: ToxicityModel) -> tuple[Category, ...]:
    """Return the categories this model scores, each with the attributes it is scored from.

    An ``all`` category needs every attribute of its own; an ``any`` category is scored
    from those of its attributes the model scores (a language's model may score fewer
    than English's: Chinese's ``harassment`` comes from ``TOXICITY`` alone).
    """
    scored = set(model.scored_attributes)
    out = []
    for category in CATEGORIES:
        have = tuple(a for a in category.attributes if a in scored)
        if have and (category.rule == "any" or len(have) == len(category.attributes)):
            out.append(category if have == category.attributes else replace(category, attributes=have))
    return tuple(out)


def needed(categories: Sequence[Category]) -> tuple[str, ...]:
    """Return the attributes to score for ``categories``, each once, in table order."""
    return tuple(dict.fromkeys(a for c in categories for a in c.attributes))


def thresholds_for(model: ToxicityModel, requested: str | None) -> dict[str, float]:
    """Return the per-attribute thresholds: the model's defaults, or the preset ``requested`` names."""
    thresholds = model.thresholds()
    if requested is not None:
        thresholds.update(model.presets().get(requested, {}))
    return thresholds


def result(row: Mapping[str, float], thresholds: Mapping[str, float], live: Sequence[Category]) -> dict[str, Any]:
    """Return one moderation result (``flagged`` and the three per-category maps) from one text's scores."""
    flags = dict.fromkeys(NAMES, False)
    scores = dict.fromkeys(NAMES, 0.0)
    applied: dict[str, list[str]] = {name: [] for name in NAMES}
    for category in live:
        values = [row[a] for a in category.attributes]
        hits = [row[a] >= thresholds[a] for a in category.attributes]
        if category.rule == "any":
            scores[category.name], flags[category.name] = max(values), any(hits)
        else:
            scores[category.name], flags[category.name] = min(values), all(hits)
        applied[category.name] = ["text"]
    return {
        "flagged": any(flags.values()),
        "categories": flags,
        "category_scores": scores,
        "category_applied_input_types": applied,
    }


def describe(model: ToxicityModel) -> dict[str, Any]:
    """Return the mapping as ``GET /v1/model`` serves it: each category, its attributes and rule, and the gaps."""
    live = {c.name for c in covered(model)}
    return {
        "endpoint": "POST /v1/moderations",
        "thresholds": "each attribute's default threshold (the balanced preset), or the preset the request's "
        f"`model` names ({', '.join(model.presets()) or 'none in this model'}), or the threshold profile "
        "it names, else the API key's profile (TOXICITY_KEY_PROFILES)",
        "categories": [
            {
                "name": c.name,
                "attributes": list(c.attributes),
                "rule": c.rule if c.attributes else None,
                "supported": c.name in live,
                "why": c.why,
            }
            for c in CATEGORIES
        ],
        "unsupported": [c.name for c in CATEGORIES if c.name not in live],
    }
