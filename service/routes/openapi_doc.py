"""What the OpenAPI document adds to FastAPI's own: key schemes, an example per error, live 200 examples.

``document(app)`` builds FastAPI's document once per loaded model version, then:

- **keys** (``secure``): when keys are configured, the schemes that carry them
  (Bearer or ``X-API-Key`` on the native API, ``?key=`` or ``X-Goog-Api-Key`` on
  Perspective's, operator keys on ``/v1/admin/...``) and which operations need
  them, so Swagger UI shows **Authorize**; without keys the API is open and
  nothing is declared;
- **errors** (``error_examples``): every documented error status of every
  operation gets its own example, made by the same builders that make the real
  error (``service.routes.error_catalog``) and rendered by the real renderer for that
  path, so a Perspective route shows Google's shape and a native one ours. The
  Perspective and OpenAI routes never answer 422 (their schema errors are 400s in
  their own shapes), so FastAPI's default 422 entry is dropped there;
- **scores** (``live_examples``): the 200 example of ``POST /v1/score`` is the
  loaded model's own answer to the request example, with its version.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from service.core.errors import render
from service.core.schemas import EXAMPLES
from service.openai.errors import is_openai_path
from service.perspective.errors import is_perspective_path
from service.routes.error_catalog import example_error

Requirement = list[dict[str, list[str]]]
SCHEMES: dict[str, dict[str, str]] = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <key>` (native API)."},
    "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "Native API."},
    "key": {"type": "apiKey", "in": "query", "name": "key", "description": "Perspective API: `?key=`."},
    "googApiKey": {"type": "apiKey", "in": "header", "name": "X-Goog-Api-Key", "description": "Perspective API."},
}
NATIVE: Requirement = [{"bearer": []}, {"apiKeyHeader": []}]
PERSPECTIVE: Requirement = [{"key": []}, {"googApiKey": []}]


def secure(spec: dict[str, Any], scoring_keys: bool, admin_keys: bool) -> dict[str, Any]:
    """Declare the key schemes in ``spec`` and which operations need a key; return ``spec``."""
    keyed: set[str] = set()
    for path, operations in spec.get("paths", {}).items():
        need: Requirement | None
        if path.startswith("/v1/admin/"):
            need = NATIVE if admin_keys else None
        elif path.startswith("/v1/"):
            need = NATIVE if scoring_keys else None
        elif "/v1alpha1/comments:" in path:
            need = PERSPECTIVE if scoring_keys else None
        else:
            need = None  # health probes and the discovery document stay open
        if need is None:
            continue
        for operation in operations.values():
            operation["security"] = need
        keyed.update(name for scheme in need for name in scheme)
    if keyed:
        spec.setdefault("components", {})["securitySchemes"] = {n: SCHEMES[n] for n in SCHEMES if n in keyed}
    return spec


def error_examples(spec: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """Give every error response of every operation its own example, rendered as that path answers it."""
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            responses: dict[str, Any] = operation.get("responses", {})
            if is_perspective_path(path) or is_openai_path(path):
                responses.pop("422", None)
            for status, response in responses.items():
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                if not status.isdigit() or not str(schema.get("$ref", "")).endswith("ErrorResponse"):
                    continue  # a success, or an answer of its own shape (/readyz's 503)
                err = example_error(int(status), path, app.state.settings)
                if err is None:
                    continue
                rendered = render(path, err)
                content = response.setdefault("content", {}).setdefault("application/json", {})
                content["example"] = json.loads(bytes(rendered.body))
    return spec


def live_examples(spec: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """Make the 200 example of ``POST /v1/score`` the loaded model's answer to its request example."""
    model = getattr(app.state, "model", None)
    operation = spec.get("paths", {}).get("/v1/score", {}).get("post")
    if model is None or operation is None:
        return spec
    comment = EXAMPLES["hostile"]["value"]["comments"][0]
    scores = model.score([comment["text"]])[0]
    limits = model.thresholds()
    example = {
        "model": {"version": model.version},
        "results": [
            {
                "id": comment["id"],
                "scores": {a: round(p, 4) for a, p in scores.items()},
                "flagged": [a for a, p in scores.items() if a in limits and p >= limits[a]],
                "explanation": None,
            }
        ],
    }
    content = operation["responses"]["200"].setdefault("content", {}).setdefault("application/json", {})
    content["example"] = example
    schema = spec.get("components", {}).get("schemas", {}).get("ScoreResponse")
    if schema is not None:
        schema["examples"] = [example]
    return spec


def document(app: FastAPI, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Return the OpenAPI document: FastAPI's (``build``), with keys, error and score examples added."""
    spec = build()
    secure(spec, bool(app.state.api_keys), bool(app.state.admin_keys))
    error_examples(spec, app)
    live_examples(spec, app)
    return spec
