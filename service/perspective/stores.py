"""Pick the suggestion store from the settings, and answer 503 while it is unreachable.

Without ``TOXICITY_FEEDBACK_URL`` (or its file) suggestions go to the SQLite file of
``TOXICITY_SUGGESTIONS_DB``; with one, to PostgreSQL (``store_pg``). Either way the
routes, the review queue and the purge see a ``FeedbackStore``.

A store that cannot be reached raises ``StoreUnavailable``; ``install`` turns it into
a 503 naming the store, in Google's shape on the Perspective routes and the native one
elsewhere. A write may or may not have been stored (the connection can drop after
the commit), so the client retries: with the same ``clientToken`` it is stored once.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from service.core.errors import ApiError, render
from service.perspective.store import FeedbackStore, StoreUnavailable, SuggestionStore, Unstorable
from service.settings import Settings, check_feedback_url

RETRY_SECONDS = 5
"""``Retry-After`` of a 503: about how long the pool takes to notice the server is back."""


class FeedbackUrlError(Exception):
    """``TOXICITY_FEEDBACK_URL_FILE`` cannot be read or holds no PostgreSQL URL."""


def feedback_url(settings: Settings) -> str:
    """Return the PostgreSQL URL from the setting or its file, or ``""`` for the SQLite store."""
    if settings.feedback_url_file is None:
        return settings.feedback_url.strip()
    path: Path = settings.feedback_url_file
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedbackUrlError(f"cannot read TOXICITY_FEEDBACK_URL_FILE {path}: {type(exc).__name__}") from None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    if not lines:
        raise FeedbackUrlError(f"TOXICITY_FEEDBACK_URL_FILE {path} holds no URL")
    try:
        check_feedback_url(lines[0])
    except ValueError as exc:
        raise FeedbackUrlError(f"TOXICITY_FEEDBACK_URL_FILE {path}: {exc}") from None
    return lines[0]


def open_store(settings: Settings) -> FeedbackStore:
    """Open the configured store: PostgreSQL when a URL is set, else the SQLite file."""
    url = feedback_url(settings)
    if not url:
        return SuggestionStore(settings.suggestions_db, settings.suggestions_max_bytes)
    from service.perspective.store_pg import PostgresStore  # psycopg loads only when PostgreSQL is used

    return PostgresStore(
        url, settings.suggestions_max_bytes, settings.feedback_pool_size, settings.feedback_timeout_seconds
    )


def unavailable(exc: StoreUnavailable) -> ApiError:
    """Return the 503 of a request the unreachable store could not serve."""
    message = (
        f"The feedback store is unreachable ({exc}): it may or may not have been stored; "
        "retry with the same clientToken and it is stored once. "
        f"Retry in {RETRY_SECONDS} s; the service reconnects by itself."
    )
    return ApiError.one(503, "feedback_store_unavailable", message, None, None, {"Retry-After": str(RETRY_SECONDS)})


def install(app: FastAPI) -> None:
    """Answer ``StoreUnavailable`` with the 503 and ``Unstorable`` with a 422 (400 on Perspective's routes)."""

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StoreUnavailable)
        return render(request.url.path, unavailable(exc))

    async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Unstorable)
        return render(request.url.path, ApiError.one(422, "unstorable_text", str(exc), exc.field))

    app.add_exception_handler(StoreUnavailable, _unavailable)
    app.add_exception_handler(Unstorable, _unstorable)
