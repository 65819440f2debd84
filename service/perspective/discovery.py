"""The discovery document (``GET /$discovery/rest?version=v1alpha1``).

Google's API client libraries build their methods from it, so pointing a client's
``discoveryServiceUrl`` here is the whole migration. The schemas are generated
from the pydantic models in ``schemas.py``, so the document cannot drift from
what the routes accept.

``rootUrl`` (where the client sends every later request) is
``TOXICITY_PUBLIC_BASE_URL`` when set, plus the path prefix the document was fetched
under. Without it, it is built from the request's ``Host`` only when that host is in
``TOXICITY_ALLOWED_HOSTS`` (loopback names by default); any other ``Host`` gets 400,
so a crafted header cannot make the service hand out, or a cache keep, a link to
someone else's server.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from service.core.errors import ApiError
from service.perspective import schemas

# A host name or bracketed IPv6 address, then an optional port: no nested repetition, so linear.
HOST_HEADER = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?")
MAX_HOST = 255

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


def request_root(scheme: str, host: str | None, allowed_hosts: str) -> str:
    """Return ``scheme://host`` from a request's ``Host`` if the host is allowed, else raise 400.

    An entry of ``allowed_hosts`` without a port allows that host on any port;
    ``host:port`` only on that port. Names compare case-insensitively.
    """
    allowed = {entry.strip().lower() for entry in allowed_hosts.split(",") if entry.strip()}
    value = (host or "").strip().lower()
    found = HOST_HEADER.fullmatch(value) if len(value) <= MAX_HOST else None
    if found is not None and (found[1] in allowed or value in allowed):
        return f"{scheme}://{value}"
    raise host_not_allowed(value, allowed)


def host_not_allowed(value: str, allowed: set[str]) -> ApiError:
    """Return the 400 of a discovery request whose ``Host`` may not become the ``rootUrl``."""
    shown = repr(value[:100]) if value else "(none)"
    listed = ", ".join(sorted(allowed)) or "none"
    return ApiError.one(
        400,
        "HOST_NOT_ALLOWED",
        f"the discovery document is not served for Host {shown}: set TOXICITY_PUBLIC_BASE_URL to this "
        f"service's public URL, or list the host in TOXICITY_ALLOWED_HOSTS (allowed now: {listed})",
        "Host",
    )


DESCRIPTION = "Scores comments for toxicity and related attributes; compatible with Perspective API."


def document(root_url: str, languages: str = "") -> dict[str, Any]:
    """Return the discovery document with ``rootUrl`` set to ``root_url`` (ending in /).

    ``languages`` (``core.languages.summary`` of the loaded model) ends the description.
    """
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
        "description": f"{DESCRIPTION} {languages}".strip(),
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
