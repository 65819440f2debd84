"""The one settings object. Every field reads ``TOXICITY_<NAME>`` from the environment.

Tests build ``Settings(...)`` directly. The README's settings table is checked
against this class by a test, so add a row there when you add a field here.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from model.attributes import ATTRIBUTE_NAMES
from model.profiles import PROFILE_NAME

LogLevel = Literal["critical", "error", "warning", "info", "debug"]
CORAL_MAX_SECRETS = 8  # Coral signs with every active secret: two while one is rotated out
CORAL_MIN_SECRET_CHARS = 16  # Coral's own are a prefix and 64 or more hex digits


def parse_thresholds(value: str) -> dict[str, float]:
    """Parse ``TOXICITY=0.97,THREAT=0.9`` into a mapping; raise ``ValueError`` naming the bad pair."""
    out: dict[str, float] = {}
    for pair in (p.strip() for p in value.split(",")):
        if not pair:
            continue
        name, sep, number = (x.strip() for x in pair.partition("="))
        if not sep or name not in ATTRIBUTE_NAMES:
            raise ValueError(f"{pair!r} is not ATTRIBUTE=score with an attribute of {', '.join(ATTRIBUTE_NAMES)}")
        try:
            score = float(number)
        except ValueError:
            raise ValueError(f"{pair!r}: {number!r} is not a number") from None
        if not 0.0 < score <= 1.0:
            raise ValueError(f"{pair!r}: the score must be in (0, 1]")
        out[name] = score
    return out


MAX_KEY_PROFILES = 10_000


def parse_key_profiles(value: str) -> list[tuple[str, str]]:
    """Parse ``key=profile`` pairs (``TOXICITY_KEY_PROFILES``); errors count pairs and never quote a key."""
    out: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    pairs = [p.strip() for p in value.split(",") if p.strip()]
    if len(pairs) > MAX_KEY_PROFILES:
        raise ValueError(f"{len(pairs)} pairs; the limit is {MAX_KEY_PROFILES}")
    for i, pair in enumerate(pairs, 1):
        key, sep, name = (x.strip() for x in pair.rpartition("="))
        if not sep or not key:
            raise ValueError(f"pair {i} is not key=profile")
        if not PROFILE_NAME.fullmatch(name):
            raise ValueError(f"pair {i}: the profile name must be 1 to 64 of a-z, 0-9, '-' and '_'")
        if key in seen:
            raise ValueError(f"pair {i} repeats the key of pair {seen[key]}")
        seen[key] = i
        out.append((key, name))
    return out


def check_feedback_url(value: str) -> None:
    """Raise ``ValueError`` unless ``value`` is empty or a ``postgresql://`` URL; never quote it (a password)."""
    if value and not re.match(r"postgres(ql)?://", value.strip()):
        raise ValueError("must be a postgresql:// URL (or empty for the SQLite file)")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(listed: str) -> tuple[Network, ...]:
    """Parse a comma-separated list of addresses and CIDR networks (``TOXICITY_TRUSTED_PROXIES``)."""
    out = []
    for entry in (e.strip() for e in listed.split(",")):
        if not entry:
            continue
        try:
            out.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or a CIDR network") from None
    return tuple(out)


class Settings(BaseSettings):
    """Service configuration, validated at start-up."""

    # Errors never quote a value: some are secrets (api_keys, coral_secrets).
    model_config = SettingsConfigDict(env_prefix="TOXICITY_", extra="forbid", frozen=True, hide_input_in_errors=True)

    model_path: Path | None = Field(
        default=None, description="Model artifact folder; empty means the shipped default model."
    )
    host: str = Field(default="127.0.0.1", description="Interface to listen on (`make serve` also reads `HOST`).")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port (`make serve` also reads `PORT`).")
    workers: int = Field(default=1, ge=1, le=64, description="Worker processes serving requests.")
    log_level: LogLevel = Field(default="info", description="Log level. No level ever logs comment text.")
    access_log_flush_seconds: float = Field(
        default=0.1,
        ge=0,
        le=10,
        description="Access lines are written together at most this long after their request; 0 writes each at once.",
    )
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
        default=10,
        ge=1,
        le=10_000,
        description="Most spans listed per attribute in an explanation (the largest; the rest are summed in `other`).",
    )
    max_explain_chars: int = Field(
        default=100_000,
        ge=1,
        le=100_000_000,
        description="Most characters of comment text one request may ask to explain (`explain: true`), summed "
        "over its comments; more is refused (422).",
    )
    max_span_sentences: int = Field(
        default=1_000,
        ge=1,
        le=1_000_000,
        description="Most sentences `comments:analyze` scores one by one for `spanAnnotations`; a comment "
        "with more is refused (400).",
    )
    max_heavy_requests: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Requests with explanations or span annotations computed at once per worker; the "
        "others wait their turn, so light requests and `/healthz` stay quick.",
    )
    api_keys: str = Field(
        default="",
        repr=False,
        description="Comma-separated API keys. Empty (and no keys file) means the API is open.",
    )
    api_keys_file: Path | None = Field(
        default=None, description="File of API keys, one per line (`#` starts a comment)."
    )
    admin_keys: str = Field(
        default="",
        repr=False,
        description="Comma-separated operator keys for `/v1/admin/...`; scoring keys cannot call those routes. "
        "Empty (and no file) disables them.",
    )
    admin_keys_file: Path | None = Field(
        default=None, description="File of operator keys, one per line (`#` starts a comment)."
    )
    perspective_prefix: str = Field(
        default="",
        pattern=r"^(/[A-Za-z0-9._~-]+)*$",
        description="Extra path prefix for the Perspective routes, e.g. `/perspective` (they stay at the root too).",
    )
    public_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="Public base URL for the discovery document's `rootUrl`; empty: from the `Host` header, "
        "when that host is in `TOXICITY_ALLOWED_HOSTS`.",
    )
    allowed_hosts: str = Field(
        default="localhost,127.0.0.1,[::1]",
        description="Comma-separated `host` or `host:port` values the discovery document may take from `Host` "
        "for `rootUrl` when `TOXICITY_PUBLIC_BASE_URL` is unset; any other host gets 400.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated proxy addresses or CIDR networks whose `X-Forwarded-For` and "
        "`X-Forwarded-Proto` are honoured; empty: forwarded headers are ignored.",
    )
    header_read_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description="Longest a request's headers may take to arrive (from connecting, or from the request's first "
        "byte on a kept-alive connection); then 408 and the connection is closed (`python -m service`).",
    )
    body_read_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description="Longest a request body may take to arrive, from the end of its headers; then 408.",
    )
    suggestions_db: Path = Field(
        default=Path("var/suggestions.sqlite3"),
        description="SQLite file (WAL mode) where `comments:suggestscore` stores suggestions.",
    )
    feedback_url: str = Field(
        default="",
        repr=False,
        description="`postgresql://user:password@host:port/db`: keep suggestions in PostgreSQL, shared by every "
        "replica, instead of `TOXICITY_SUGGESTIONS_DB`; empty: the SQLite file. Logs show it without the password.",
    )
    feedback_url_file: Path | None = Field(
        default=None,
        description="File holding `TOXICITY_FEEDBACK_URL` (its first line that is not a `#` comment), so the "
        "password stays out of the environment.",
    )
    feedback_pool_size: int = Field(
        default=4,
        ge=1,
        le=100,
        description="Most PostgreSQL connections each worker process holds for the suggestion store.",
    )
    feedback_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="Longest a request waits for a PostgreSQL connection (and connecting may take) and for a lock"
        " (lock_timeout; statement_timeout is 3 times it); then 503, and the pool reconnects by itself once the"
        " server is back.",
    )
    suggest_require_key: bool | None = Field(
        default=None,
        description="Require an API key on `comments:suggestscore`; empty means required exactly when keys are "
        "configured, `true` without keys refuses every suggestion (403).",
    )
    suggest_max_attributes: int = Field(
        default=16, ge=1, le=1_000, description="Most `attributeScores` in one suggestion."
    )
    suggest_max_spans: int = Field(
        default=32, ge=0, le=10_000, description="Most `spanScores` per attribute in one suggestion."
    )
    suggest_per_minute: int = Field(
        default=60,
        ge=0,
        le=1_000_000,
        description="Suggestions stored per minute per API key (or client address without one), per worker, "
        "in bursts of as many; 0 is off.",
    )
    suggestions_retention_days: int = Field(
        default=90,
        ge=1,
        le=36_500,
        description="Pending and rejected suggestions older than this many days are deleted, at start-up and "
        "every hour; accepted ones are kept (see the next setting).",
    )
    suggestions_accepted_retention_days: int = Field(
        default=0,
        ge=0,
        le=36_500,
        description="Accepted suggestions (training data) older than this many days are deleted too; "
        "0 keeps them until an operator deletes them.",
    )
    suggestions_max_bytes: int = Field(
        default=1024**3,
        ge=1024**2,
        le=1024**4,
        description="Most bytes the suggestion store's rows may take; a full store refuses suggestions (507).",
    )
    language_detection: bool = Field(
        default=True,
        description="Detect the language of a comment sent without one; off, such comments are scored in "
        "`TOXICITY_LANGUAGE_FALLBACK` without the detector's cost (for a site in one language).",
    )
    language_fallback: str = Field(
        default="en",
        pattern=r"^([a-z]{2,3}(-[A-Z][a-z]{3})?)?$",
        description="Language assumed in every API when detection is unsure or the text is short (`en`, "
        "`hi-Latn`; one the model scores, checked at start-up and on reload); empty: such a "
        "comment is not scored (Perspective's LANGUAGE_DETECTION_FAILED, a per-comment error on /v1/score, a 400 "
        "on /v1/moderations, no decision on Coral).",
    )

    coral_secrets: str = Field(
        default="",
        repr=False,
        description="Signing secrets of Coral's external moderation phase, comma-separated (two while one is "
        "rotated); empty turns `/integrations/coral/moderation` off (404).",
    )
    coral_premod_thresholds: str = Field(
        default="",
        description="`ATTRIBUTE=score` pairs, comma-separated: a comment at or above one is answered "
        "`status: PREMOD` on the Coral route; empty is off.",
    )
    coral_reject_thresholds: str = Field(
        default="",
        description="`ATTRIBUTE=score` pairs, comma-separated: a comment at or above one is answered "
        "`status: REJECTED` on the Coral route (before `PREMOD`); empty is off.",
    )

    profiles_file: Path | None = Field(
        default=None,
        description="TOML file of named threshold profiles (`[profiles.<name>]`); a bad file stops start-up "
        "naming its line. Empty: no profiles.",
    )
    key_profiles: str = Field(
        default="",
        repr=False,
        description="`key=profile` pairs, comma-separated: the profile a scoring key's requests use when they "
        "name none (`/v1/score`, `/v1/moderations`).",
    )

    metrics_require_key: bool = Field(
        default=False,
        description="Require an API key on `/metrics` (as on the native API) when keys are configured.",
    )
    rate_limit_per_second: float = Field(
        default=0.0,
        ge=0.0,
        le=1_000_000.0,
        description="Requests per second allowed per API key (or client IP without keys), per worker; 0 is off.",
    )
    rate_limit_burst: int = Field(
        default=10,
        ge=1,
        le=1_000_000,
        description="Requests a key or IP may make at once before the per-second rate applies.",
    )

    @field_validator(
        "model_path",
        "api_keys_file",
        "admin_keys_file",
        "public_base_url",
        "profiles_file",
        "feedback_url_file",
        mode="before",
    )
    @classmethod
    def _empty_path_is_default(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("coral_premod_thresholds", "coral_reject_thresholds")
    @classmethod
    def _thresholds_parse(cls, value: str) -> str:
        parse_thresholds(value)
        return value

    @field_validator("key_profiles")
    @classmethod
    def _key_profiles_parse(cls, value: str) -> str:
        parse_key_profiles(value)  # raises ValueError counting pairs, never quoting a key
        return value

    @field_validator("coral_secrets")
    @classmethod
    def _secrets_are_strong(cls, value: str) -> str:
        secrets = [s.strip() for s in value.split(",") if s.strip()]
        if len(secrets) > CORAL_MAX_SECRETS:
            raise ValueError(f"{len(secrets)} secrets; the limit is {CORAL_MAX_SECRETS}")
        if any(len(s) < CORAL_MIN_SECRET_CHARS for s in secrets):  # never echo a secret in the message
            raise ValueError(f"every secret must be at least {CORAL_MIN_SECRET_CHARS} characters")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_parse(cls, value: str) -> str:
        networks(value)  # raises ValueError naming the entry that is not an address or a network
        return value

    @field_validator("feedback_url")
    @classmethod
    def _feedback_url_is_postgres(cls, value: str) -> str:
        check_feedback_url(value)  # the message never quotes the URL: it may hold a password
        return value

    @model_validator(mode="after")
    def _one_feedback_url(self) -> Settings:
        if self.feedback_url and self.feedback_url_file is not None:
            raise ValueError("set TOXICITY_FEEDBACK_URL or TOXICITY_FEEDBACK_URL_FILE, not both")
        return self

    @model_validator(mode="after")
    def _body_fits_a_comment(self) -> Settings:
        if self.max_body_bytes < self.max_text_bytes:
            raise ValueError(
                f"max_body_bytes ({self.max_body_bytes}) must be at least max_text_bytes ({self.max_text_bytes})"
            )
        return self
