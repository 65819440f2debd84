"""Load the configured model artifact and swap it in without dropping a request.

A reload (``POST /v1/admin/reload`` or SIGHUP to a worker) loads
``TOXICITY_MODEL_PATH`` again: ``load_model`` checks the sha256 and library
versions, then the new model scores a smoke text and warms up, and only then
replaces ``app.state.model`` in one assignment. A request holds the model it
started with, so it finishes on the old one; later requests get the new one.
Any failure leaves the old model serving and is reported, never raised as a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import signal
from collections.abc import Callable

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from model import ToxicityModel, load_model
from model.errors import ArtifactError
from model.fast import cache as fast_cache
from service.core.languages import FallbackError, check_fallback
from service.core.metrics import Metrics
from service.core.profiles import NONE, ProfileError, Profiles
from service.settings import Settings

log = logging.getLogger("toxicity.reload")

SMOKE_TEXT = "thanks for the article, you are an idiot"


class ReloadFailed(Exception):
    """The new artifact was refused; the old model still serves."""

    def __init__(self, reason: str, serving: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.serving = serving


def load_checked(settings: Settings, profiles: Profiles = NONE) -> ToxicityModel:
    """Load and verify the artifact, check the profiles' presets and the fallback language, score a smoke text."""
    model = load_model(settings.model_path)
    profiles.check(model)  # a profile picking a preset this model lacks: refused before it serves
    check_fallback(model, settings.language_fallback)  # a fallback it scores nothing in: refused too
    if model.fast_path_error is None and not fast_cache.compiled():
        log.info("compiling the fast scorer once (about 20 to 40 s); later starts load it in about a second")
    model.warm_up()
    row = model.score([SMOKE_TEXT])[0]
    for name, value in row.items():
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ArtifactError(f"the smoke test scored {name} = {value}, outside [0, 1]")
    return model


def freeze_heap() -> None:
    """Move every object alive now out of the garbage collector's sight.

    A model is about a million long-lived Python objects (the vocabularies). Each
    full collection walked all of them, stalling the worker for tens of
    milliseconds at random moments, which showed up as latency spikes under load.
    Frozen objects are still freed by reference counting when a reload drops the
    old model; only reference cycles among them would be kept.
    """
    gc.collect()
    gc.freeze()


def start(app: FastAPI) -> ToxicityModel:
    """Load the model at start-up, counting the outcome; failures propagate and stop the worker."""
    settings: Settings = app.state.settings
    metrics: Metrics = app.state.metrics
    try:
        model = load_checked(settings, app.state.profiles)
    except Exception:
        metrics.model_load_failed()
        raise
    app.state.model = model
    metrics.model_loaded(model.version)
    return model


async def reload(app: FastAPI) -> tuple[str | None, str]:
    """Swap in a freshly loaded model; return the previous and new versions or raise ``ReloadFailed``."""
    settings: Settings = app.state.settings
    metrics: Metrics = app.state.metrics
    async with app.state.reload_lock:  # one reload at a time; a second waits and loads again
        old: ToxicityModel | None = app.state.model
        previous = old.version if old is not None else None
        try:
            model = await run_in_threadpool(load_checked, settings, app.state.profiles)
        except Exception as exc:  # noqa: BLE001 - whatever breaks the new model, the old one keeps serving
            metrics.model_load_failed()
            reason = (
                str(exc)
                if isinstance(exc, ArtifactError | ProfileError | FallbackError)
                else f"{type(exc).__name__}: {exc}"
            )
            log.error("model reload failed", extra={"fields": {"error": reason, "serving": previous}})
            raise ReloadFailed(reason, previous) from None
        app.state.model = model  # one assignment: each request sees the old model or the new, never a mix
        metrics.model_loaded(model.version, previous)
        if gc.get_freeze_count():  # the serving process froze the first model's heap; do the same for this one
            del old
            freeze_heap()
        log.info("model reloaded", extra={"fields": {"version": model.version, "previous": previous}})
        return previous, model.version


def on_sighup(app: FastAPI) -> Callable[[], None]:
    """Reload the model when this process gets SIGHUP; return the function that stops listening."""
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    async def run() -> None:
        log.info("SIGHUP: reloading the model")
        with contextlib.suppress(ReloadFailed):  # logged by reload(); the old model serves on
            await reload(app)

    def handler() -> None:
        task = loop.create_task(run())
        tasks.add(task)  # keep a reference until it finishes
        task.add_done_callback(tasks.discard)

    def stop() -> None:
        loop.remove_signal_handler(signal.SIGHUP)

    loop.add_signal_handler(signal.SIGHUP, handler)
    return stop
