"""The toxicity model: attributes, normalisation, features, scorer and artifact format.

This package must not import FastAPI or anything from ``training`` or ``service``.
``load_model()`` is the public entry point::

    from model import load_model
    m = load_model()            # the shipped default model
    m.score(["you are a pathetic idiot"])   # [{"TOXICITY": 0.9..., ...}]
"""

from __future__ import annotations

from pathlib import Path

from model.artifact import DEFAULT_PATH, load_artifact
from model.attributes import ATTRIBUTE_NAMES, ATTRIBUTES, Attribute, Status
from model.scorer import AttributeInfo, ToxicityModel

__all__ = [
    "ATTRIBUTES",
    "ATTRIBUTE_NAMES",
    "DEFAULT_PATH",
    "Attribute",
    "AttributeInfo",
    "Status",
    "ToxicityModel",
    "load_model",
]


def load_model(path: str | Path | None = None) -> ToxicityModel:
    """Load and verify a model artifact; ``None`` loads the shipped default model."""
    return load_artifact(path)
