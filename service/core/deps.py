"""Typed dependencies handed to routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from model import ToxicityModel
from model.errors import ModelNotReady
from service.settings import Settings


def loaded_model(request: Request) -> ToxicityModel:
    """Return the loaded model, or answer 503 while none is loaded."""
    model: ToxicityModel | None = getattr(request.app.state, "model", None)
    if model is None:
        raise ModelNotReady("the model is not loaded yet")
    return model


async def get_model(request: Request) -> ToxicityModel:
    """Return the loaded model, or answer 503 while none is loaded (as a dependency)."""
    return loaded_model(request)


async def get_settings(request: Request) -> Settings:
    """Return the app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def model_and_settings(request: Request) -> tuple[ToxicityModel, Settings]:
    """Return the model and settings: the hot routes' plain-call ``ModelDep`` and ``SettingsDep``.

    Each injected dependency costs FastAPI a resolution step per request; on the
    scoring routes that was a measurable share of a single-comment request.
    """
    return loaded_model(request), request.app.state.settings


ModelDep = Annotated[ToxicityModel, Depends(get_model)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
