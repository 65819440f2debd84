"""Typed dependencies handed to routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from model import ToxicityModel
from model.errors import ModelNotReady
from service.settings import Settings


def get_model(request: Request) -> ToxicityModel:
    """Return the loaded model, or answer 503 while none is loaded."""
    model: ToxicityModel | None = getattr(request.app.state, "model", None)
    if model is None:
        raise ModelNotReady("the model is not loaded yet")
    return model


def get_settings(request: Request) -> Settings:
    """Return the app's settings."""
    settings: Settings = request.app.state.settings
    return settings


ModelDep = Annotated[ToxicityModel, Depends(get_model)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
