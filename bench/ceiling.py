"""The framework ceiling: a FastAPI app whose scoring route returns a constant.

Started by ``bench/http_load.py`` on the same uvicorn settings as the service, in the
same run, so the HTTP figures can be read as a fraction of what FastAPI on
uvicorn does on this machine with no model and no middleware at all.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

app = FastAPI()
CONSTANT: dict[str, Any] = {
    "model": {"version": "constant"},
    "results": [{"id": None, "scores": {"TOXICITY": 0.5}, "flagged": [], "explanation": None}],
}


@app.get("/readyz")
async def ready() -> dict[str, str]:
    """Always ready."""
    return {"status": "ready"}


@app.post("/v1/score")
async def score() -> dict[str, Any]:
    """Return the same response whatever the request says."""
    return CONSTANT
