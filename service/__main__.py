"""Run the service: ``python -m service`` (settings from ``TOXICITY_*``).

The artifact is verified once before uvicorn starts, so a missing, corrupt or
mismatched model stops the process at once with a one-line reason and exit code 1;
so is ``TOXICITY_PROFILES_FILE``, whose problems (exit code 2) name the file and line.

Metrics use prometheus-client's multiprocess mode, so every worker's samples are
summed at ``/metrics``: ``PROMETHEUS_MULTIPROC_DIR`` is set here, before any worker
(or ``prometheus_client`` itself) starts. When unset, a fresh temporary folder is
made and removed at exit; when set, stale files from an earlier run are wiped.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import uvicorn
from pydantic import ValidationError

from model import load_model
from model.errors import ToxicityError
from service import logs
from service.core import profiles
from service.core.auth import KeysFileError, load_keys
from service.core.languages import FallbackError, check_fallback
from service.http_protocol import IMPORT_PATH as HTTP_PROTOCOL
from service.perspective import stores
from service.settings import Settings

WORKER_READY_SECONDS = 120
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # not imported from service.core.metrics: that would load prometheus_client


def metrics_dir() -> tuple[Path, bool]:
    """Prepare the multiprocess metrics folder; return it and whether it was made here."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # counts from an earlier run would be summed into this one's
            stale.unlink()
        return path, False
    path = Path(tempfile.mkdtemp(prefix="toxicity-metrics-"))
    os.environ[MULTIPROC_ENV] = str(path)  # inherited by the workers uvicorn spawns
    return path, True


def _remove_then_die(folder: Path) -> Callable[[int, FrameType | None], None]:
    """Return a signal handler that removes ``folder``, then lets the signal end the process.

    A single uvicorn server re-raises SIGTERM after its graceful shutdown, which would
    otherwise end the process before ``main``'s ``finally`` removes the folder.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)

    return handler


def main() -> int:
    """Validate settings and the model, then serve."""
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"TOXICITY_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"toxicity service: invalid settings: {problems}", file=sys.stderr)
        return 2
    try:
        bound = profiles.load(settings, load_keys(settings))
    except (profiles.ProfileError, KeysFileError) as exc:
        print(f"toxicity service: invalid profiles: {exc}", file=sys.stderr)
        return 2
    try:
        stores.feedback_url(settings)
    except stores.FeedbackUrlError as exc:
        print(f"toxicity service: invalid settings: {exc}", file=sys.stderr)
        return 2
    try:
        model = load_model(settings.model_path)
        bound.check(model)
        check_fallback(model, settings.language_fallback)
    except ToxicityError as exc:
        print(f"toxicity service: cannot load the model: {exc}", file=sys.stderr)
        return 1
    except profiles.ProfileError as exc:
        print(f"toxicity service: invalid profiles: {exc}", file=sys.stderr)
        return 2
    except FallbackError as exc:
        print(f"toxicity service: invalid settings: {exc}", file=sys.stderr)
        return 2
    try:
        folder, made_here = metrics_dir()
    except OSError as exc:
        print(f"toxicity service: cannot prepare {MULTIPROC_ENV}: {exc}", file=sys.stderr)
        return 1
    if made_here:
        signal.signal(signal.SIGTERM, _remove_then_die(folder))
    logs.configure(settings.log_level, settings.access_log_flush_seconds)
    try:
        uvicorn.run(
            "service.main:app",
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level=settings.log_level,
            access_log=False,
            log_config=None,
            # Forwarded headers are honoured in the app, only from TOXICITY_TRUSTED_PROXIES; uvicorn's
            # default would trust X-Forwarded-For from any loopback peer (FORWARDED_ALLOW_IPS).
            proxy_headers=False,
            # httptools, as uvicorn's "auto" picks, plus a deadline on request headers (slow clients).
            http=HTTP_PROTOCOL,
            # On SIGHUP uvicorn replaces workers one by one, retiring each only once its successor is
            # ready; loading and warming up a model takes longer than uvicorn's default 5 s wait.
            timeout_worker_healthcheck=WORKER_READY_SECONDS,
        )
    finally:
        if made_here:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
