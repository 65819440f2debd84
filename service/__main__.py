"""Run the service: ``python -m service`` (settings from ``TOXICITY_*``).

The artifact is verified once before uvicorn starts, so a missing, corrupt or
mismatched model stops the process at once with a one-line reason and exit code 1.
"""

from __future__ import annotations

import sys

import uvicorn
from pydantic import ValidationError

from model import load_model
from model.errors import ToxicityError
from service import logs
from service.settings import Settings


def main() -> int:
    """Validate settings and the model, then serve."""
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"TOXICITY_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        print(f"toxicity service: invalid settings: {problems}", file=sys.stderr)
        return 2
    try:
        load_model(settings.model_path)
    except ToxicityError as exc:
        print(f"toxicity service: cannot load the model: {exc}", file=sys.stderr)
        return 1
    logs.configure(settings.log_level)
    uvicorn.run(
        "service.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=False,
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
