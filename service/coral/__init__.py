"""Coral's external moderation phase: ``POST /integrations/coral/moderation`` on top of the model.

Coral (the comment platform of many news sites) posts each new or edited comment
to a configured URL, signed, and applies the actions it gets back. An adapter over
``service.core``, like ``service.perspective``: it may import ``service.core``,
``JSONRoute`` from ``service.middleware.body_guard``, ``service.settings`` and the
HTML-to-text converter of ``service.perspective.html_text``; only ``app.py``
includes its router.

    signature.py   X-Coral-Signature: verify the HMAC-SHA256 of the raw body
    schemas.py     Coral's request and response bodies, with examples
    decide.py      scores to Coral's actions, status and metadata (or nothing: 204)
    routes.py      the route and its signature check

What Coral does, as relied on here (coralproject/talk, ``src/core/server``:
``services/comments/pipeline/phases/external.ts``, ``services/fetch/fetch.ts``,
``models/settings/signingSecret/helpers.ts``; ``EXTERNAL_MODERATION_PHASES.md`` and
``WEBHOOKS.md``; the admin form ``ConfigureExternalModerationPhaseForm.tsx``):

- the body is ``JSON.stringify(request, null, 2)`` (two-space indentation), with
  ``action`` (``NEW``/``EDIT``), ``comment {body, parentID}``, ``author {id, role}``,
  ``story {id, url}``, ``site {id}`` and the tenant, as ``tenant {id, domain}`` in
  older releases and ``tenantID``/``tenantDomain`` in later ones;
- ``X-Coral-Signature`` is ``sha256=<hex>`` of the HMAC-SHA256 of that body under
  each active signing secret, comma-separated: two while a rotated secret is kept;
- ``comment.body`` is HTML by default (the phase's format can be plain text);
- the timeout is the phase's setting in milliseconds: 200 by default, 100 to 10,000;
  a response that is late or not 2xx is logged and the phase skipped;
- 204 without a body means "do not moderate"; a 200 body may carry ``actions``
  (``{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC", ...}``), ``status``
  (``NONE``, ``APPROVED``, ``REJECTED``, ``PREMOD``, ``SYSTEM_WITHHELD``) and, in
  older releases, ``additionalDetails`` and ``metadata``; later releases strip
  unknown keys rather than refuse them.
"""
