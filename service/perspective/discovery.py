"""The discovery document (``GET /$discovery/rest?version=v1alpha1``).

Google's API client libraries build their methods from it, so pointing a client's
``discoveryServiceUrl`` here is the whole migration. The schemas are generated
from the pydantic models in ``schemas.py``, so the document cannot drift from
what the routes accept. ``rootUrl`` is ``TOXICITY_PUBLIC_BASE_URL`` when set,
else derived from the request, plus the path prefix the document was fetched under.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from service.perspective import schemas

STANDARD_PARAMETERS: dict[str, dict[str, Any]] = {
    "key": {"type": "string", "location": "query", "description": "API key."},
    "alt": {"type": "string", "location": "query", "default": "json", "enum": ["json", "media", "proto"],
            "description": "Data format for response (ignored: always JSON)."},
    "fields": {"type": "string", "location": "query", "description": "Partial response selector (ignored)."},
    "prettyPrint": {"type": "boolean", "location": "query", "default": "true",
                    "description": "Pretty-print the response (ignored)."},
    "quotaUser": {"type": "string", "location": "query", "description": "Quota user (ignored)."},
    "$.xgafv": {"type": "string", "location": "query", "enum": ["1", "2"], "description": "V1 error format (ignored)."},
    "access_token": {"type": "string", "location": "query", "description": "OAuth access token (ignored)."},
    "oauth_token": {"type": "string", "location": "query", "description": "OAuth 2.0 token (ignored)."},
    "callback": {"type": "string", "location": "query", "description": "JSONP (ignored)."},
    "uploadType": {"type": "string", "location": "query", "description": "Legacy upload protocol (ignored)."},
    "upload_protocol": {"type": "string", "location": "query", "description": "Upload protocol (ignored)."},
}  # fmt: skip

MODELS: tuple[type[BaseModel], ...] = (
    schemas.AnalyzeCommentRequest,
    schemas.AnalyzeCommentResponse,
    schemas.SuggestCommentScoreRequest,
    schemas.SuggestCommentScoreResponse,
)


def _convert(node: dict[str, Any]) -> dict[str, Any]:
    """Turn one JSON-schema node from pydantic into a discovery schema node."""
    if "$ref" in node:
        return {"$ref": node["$ref"].rsplit("/", 1)[-1]}
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        chosen: dict[str, Any] = _convert(options[0]) if len(options) == 1 else {"type": "any"}
        if "description" in node:
            chosen["description"] = node["description"]
        return chosen
    out: dict[str, Any] = {}
    kind = node.get("type")
    if "enum" in node or "const" in node:
        out = {"type": "string", "enum": list(node.get("enum", [node.get("const")]))}
    elif kind == "object":
        out["type"] = "object"
        if "properties" in node:
            out["properties"] = {k: _convert(v) for k, v in node["properties"].items()}
        if isinstance(node.get("additionalProperties"), dict):
            out["additionalProperties"] = _convert(node["additionalProperties"])
    elif kind == "array":
        out = {"type": "array", "items": _convert(node.get("items", {}))}
    elif kind == "number":
        out = {"type": "number", "format": "float"}
    elif kind == "integer":
        out = {"type": "integer", "format": "int32"}
    elif kind in ("string", "boolean"):
        out = {"type": kind}
    else:
        out = {"type": "any"}
    if "description" in node:
        out["description"] = node["description"]
    return out


def discovery_schemas() -> dict[str, Any]:
    """Return the ``schemas`` section for every message the API uses."""
    out: dict[str, Any] = {}
    for model in MODELS:
        full = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        for name, node in {**full.get("$defs", {}), model.__name__: full}.items():
            converted = _convert({k: v for k, v in node.items() if k != "$defs"})
            converted["id"] = name
            out[name] = converted
    return out


def document(root_url: str) -> dict[str, Any]:
    """Return the discovery document with ``rootUrl`` set to ``root_url`` (ending in /)."""
    methods = {
        "analyze": ("AnalyzeCommentRequest", "AnalyzeCommentResponse",
                    "Analyzes the provided text and returns scores for requested attributes."),
        "suggestscore": ("SuggestCommentScoreRequest", "SuggestCommentScoreResponse",
                         "Suggest comment scores as training data."),
    }  # fmt: skip
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": "commentanalyzer:v1alpha1",
        "name": "commentanalyzer",
        "canonicalName": "Comment Analyzer",
        "version": "v1alpha1",
        "title": "Perspective Comment Analyzer API (self-hosted, compatible)",
        "description": "Scores comments for toxicity and related attributes; compatible with Perspective API.",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "baseUrl": root_url,
        "batchPath": "batch",
        "parameters": STANDARD_PARAMETERS,
        "resources": {
            "comments": {
                "methods": {
                    name: {
                        "id": f"commentanalyzer.comments.{name}",
                        "path": f"v1alpha1/comments:{name}",
                        "flatPath": f"v1alpha1/comments:{name}",
                        "httpMethod": "POST",
                        "parameters": {},
                        "parameterOrder": [],
                        "request": {"$ref": req},
                        "response": {"$ref": resp},
                        "description": text,
                    }
                    for name, (req, resp, text) in methods.items()
                }
            }
        },
        "schemas": discovery_schemas(),
    }
