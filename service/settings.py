"""The one settings object. Every field reads ``TOXICITY_<NAME>`` from the environment.

Tests build ``Settings(...)`` directly. The README's settings table is checked
against this class by a test, so add a row there when you add a field here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["critical", "error", "warning", "info", "debug"]


class Settings(BaseSettings):
    """Service configuration, validated at start-up."""

    model_config = SettingsConfigDict(env_prefix="TOXICITY_", extra="forbid", frozen=True)

    model_path: Path | None = Field(
        default=None, description="Model artifact folder; empty means the shipped default model."
    )
    host: str = Field(default="127.0.0.1", description="Interface to listen on (`make serve` also reads `HOST`).")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port (`make serve` also reads `PORT`).")
    workers: int = Field(default=1, ge=1, le=64, description="Worker processes serving requests.")
    log_level: LogLevel = Field(default="info", description="Log level. No level ever logs comment text.")
    max_text_bytes: int = Field(
        default=20_480,
        ge=1,
        le=1_048_576,
        description="Largest comment, in bytes of UTF-8 (Perspective: 20 KB).",
    )
    max_batch: int = Field(default=1_000, ge=1, le=100_000, description="Most comments in one `/v1/score` request.")
    max_body_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="Largest request body, enforced while reading, before parsing.",
    )
    max_explain_spans: int = Field(
        default=20, ge=1, le=10_000, description="Most spans listed per attribute in an explanation."
    )

    @field_validator("model_path", mode="before")
    @classmethod
    def _empty_path_is_default(cls, value: object) -> object:
        return None if value in ("", None) else value

    @model_validator(mode="after")
    def _body_fits_a_comment(self) -> Settings:
        if self.max_body_bytes < self.max_text_bytes:
            raise ValueError(
                f"max_body_bytes ({self.max_body_bytes}) must be at least max_text_bytes ({self.max_text_bytes})"
            )
        return self
