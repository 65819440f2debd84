"""OpenAI's moderation contract: ``POST /v1/moderations`` on top of the model.

Guardrail frameworks and LLM gateways call any OpenAI-compatible moderation
endpoint and block when ``flagged`` is true; the official ``openai`` client works
against this service by changing ``base_url``.

An adapter over ``service.core``, like ``service.perspective``: it may import
``service.core``, ``JSONRoute`` from ``service.middleware.body_guard`` and
``service.settings``; only ``app.py`` includes its router and reads its mapping.

    mapping.py   the category table (data): which attributes feed which category
    schemas.py   request, response and error bodies, with examples
    errors.py    OpenAI's error shape for this path, registered with ``core.errors``
    routes.py    the route and its ``Authorization: Bearer`` check

What the contract is, as relied on here (OpenAI API reference, "Moderations" and
"Error codes"; the official ``openai`` Python package 3.60, ``types/moderation*.py``
and ``_client.py``):

- request ``{"input", "model"}``: ``input`` is a string, an array of strings or an
  array of ``{"type": "text", "text"}`` / ``{"type": "image_url", "image_url": {"url"}}``
  parts; ``model`` is optional;
- response ``{"id", "model", "results"}``, one result per input in order, each with
  ``flagged`` and the thirteen categories in ``categories`` (bool),
  ``category_scores`` (float) and ``category_applied_input_types`` (lists of
  ``"text"``/``"image"``);
- errors ``{"error": {"message", "type", "param", "code"}}``; the client raises
  ``BadRequestError`` for 400, ``AuthenticationError`` 401, ``PermissionDeniedError``
  403, ``NotFoundError`` 404, ``UnprocessableEntityError`` 422, ``RateLimitError``
  429 and ``InternalServerError`` for 5xx (and retries 429 and 5xx by default);
  a rate limit is ``"type": "requests", "code": "rate_limit_exceeded"``.
"""
