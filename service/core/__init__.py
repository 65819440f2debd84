"""The core: what every route calls, and what the middleware shares with the routes.

- ``errors``: ``ApiError`` and its mapping, in one place, to each API's error shape.
- ``auth``: API keys and the key-check dependencies the routers declare.
- ``deps``: the typed dependencies that hand a route the model and the settings.
- ``schemas``: the native API's request and response shapes.
- ``scoring``: check a request's limits, plan what to score, score it, build the response.
- ``batcher``: ``ScoreBatcher``, which scores the small requests of one event-loop turn
  with one model call.
- ``cancel``: heavy work (explanations, span scores) a few at a time, stopped when the
  client disconnects.
- ``metrics``: the Prometheus registry the access log records into and ``GET /metrics`` reads.

May import ``model``, ``service.settings`` and its own modules; never
``service.middleware``, ``service.routes``, ``service.perspective`` or ``service.app``,
which all build on it. (The Perspective package registers its error shape with
``errors.register_renderer``, so ``errors`` need not know it.)
"""
