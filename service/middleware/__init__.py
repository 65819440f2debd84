"""ASGI middleware: the layers every request passes through on its way to a route.

One module per middleware, in the order a request meets them (``app.py`` adds them
in reverse, since the last added runs first):

- ``access_log``: ``AccessLog`` gives the request an id, and once it is answered
  writes its access line and records its metrics.
- ``rate_limit``: ``RateLimit`` answers 429 once a key's or address's bucket is
  empty (only when ``TOXICITY_RATE_LIMIT_PER_SECOND`` is set).
- ``body_guard``: ``BodyGuard`` caps, decodes and parses a JSON body once;
  ``JSONRoute`` hands the parsed value to the routes.
- ``hot_routes``: ``HotRoutes`` answers good requests to the scoring routes without
  FastAPI's routing, and hands everything else on untouched.

Each is a plain ASGI class, not Starlette's ``BaseHTTPMiddleware``. May import
``service.core``, ``service.logs`` and ``service.perspective.errors`` (the rate limit
reads a Perspective request's key and words its 429 as Google does); never
``service.routes`` or ``service.app``: routes reach the middleware through
``JSONRoute``, and ``app.py`` hands ``HotRoutes`` the table it builds from the routers.
"""
