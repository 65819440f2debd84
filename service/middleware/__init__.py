"""ASGI middleware: what wraps every request before any route sees it.

One module per middleware, in the order a request meets them (``app.py`` adds them
in reverse, since the last added runs first):

- ``AccessLog`` (still in ``service.logs``) gives the request an id, and once it
  is answered writes its access line and records its metrics.
- ``rate_limit``: ``RateLimit`` answers 429 once a key's or address's bucket is
  empty (only when ``TOXICITY_RATE_LIMIT_PER_SECOND`` is set).
- ``body_guard``: ``BodyGuard`` caps, decodes and parses a JSON body once;
  ``JSONRoute`` hands the parsed value to the routes.
- ``hot_routes``: ``HotRoutes`` answers good requests to the scoring routes without
  FastAPI's routing, and hands everything else on untouched.

Each is a plain ASGI class (no ``BaseHTTPMiddleware``), so a layer costs one call.
May import ``service.core``, ``service.logs`` and ``service.perspective.errors`` (to
answer Perspective paths in Google's shape); never ``service.routes`` or
``service.app``: routes reach the middleware through ``JSONRoute`` and the hot-route
table ``app.py`` builds from the routers.
"""
