"""The HTTP service: a FastAPI app that serves a model and nothing else.

Imports flow one way: ``service`` may import ``model``, never ``training``.

Layout::

    __main__.py   python -m service: check settings and model, then run uvicorn
    http_protocol.py  uvicorn's HTTP protocol plus a deadline on request headers
    main.py       the uvicorn target (app = create_app(...))
    app.py        create_app(): assembles the rooms below, at start-up
    settings.py   the one Settings object
    logs.py       JSON logging set-up (the access line itself is middleware)
    reload.py     load, verify and swap the model (start-up, SIGHUP, admin route)
    middleware/   ASGI layers around every request: access_log, rate_limit,
                  body_guard, hot_routes
    core/         what every route calls: auth, deps, errors, schemas, scoring,
                  languages (which language's model scores a comment), native_plan,
                  profiles, batcher, metrics
    routes/       the native API's thin routes: native, admin, health, metrics
    perspective/  the Perspective adapter: its schemas, mapping, errors, routes
    openai/       the OpenAI moderation adapter (POST /v1/moderations): the same rooms
    coral/        Coral's external moderation phase: signature, schemas, decision, route
    console/      the moderators' page, GET /console: plain HTML, CSS and JavaScript

Inside, arrows point one way: ``routes`` and the adapters (``perspective``,
``openai``, ``coral``) import ``core`` (and ``JSONRoute`` from ``middleware``;
``perspective.suggest`` also the rate limiter's buckets, ``coral`` the HTML
converter of ``perspective``), ``middleware`` imports ``core``, and ``core`` imports
only ``model`` and ``settings``. Only ``app.py`` imports every room.

One request, say ``POST /v1/score``, outermost layer first (``app.py`` adds the
middleware in reverse, since the last added runs first):

0. uvicorn, through ``http_protocol``: the headers must arrive within their
   deadline (else 408 and the connection is closed).
1. FastAPI's outermost layer, Starlette's ``ServerErrorMiddleware``: whatever
   escapes below becomes a 500 (through the catch-all ``core.errors`` handler).
   Next, only with ``TOXICITY_TRUSTED_PROXIES``, uvicorn's ``ProxyHeadersMiddleware``:
   from a listed proxy, the client address comes from ``X-Forwarded-For``.
2. ``middleware.access_log.AccessLog``: request id and timer; on the way out it
   adds ``X-Request-ID``, records the metrics and writes the access line (499 for
   a client that left before its answer started).
3. ``middleware.rate_limit.RateLimit`` (when configured): 429 once the key's or
   the address's bucket is empty.
4. ``middleware.body_guard.BodyGuard``: 413 over the size cap, 408 for a body
   slower than its deadline, 400 for bad UTF-8 or JSON; the parsed body goes into
   the scope.
5. ``middleware.hot_routes.HotRoutes``: for a good request to a hot route, runs
   steps 7 to 10 with the route's own pieces and skips FastAPI's routing; any
   failure hands the request on untouched.
6. FastAPI: its exception middleware (the other handlers ``core.errors.install``
   registers), then routing to the route.
7. The route's dependencies: the router's key check (``core.auth.native_key``;
   ``perspective_key`` on Perspective's), then the body validated against
   ``core.schemas`` (read from the scope through ``body_guard.JSONRoute``).
8. The route (``routes.native.score``): ``core.deps`` hands it the model and
   settings (503 while none is loaded), and it calls ``core.scoring.run_scoring``.
9. ``run_scoring``: the plan (``core.native_plan.plan_score``: limits and names,
   else 422; then each comment's language, ``core.languages.route``: the comment's
   ``language``, else detected, else the fallback, and the attributes that
   language's model scores); a small request then waits for
   ``core.batcher.ScoreBatcher``, which scores the event-loop turn's requests with
   one ``model.score`` call per (language model, attributes); a big one, or one
   asking for explanations, is planned, scored and built in the thread pool
   (explanations first wait for one of ``core.cancel.HeavySlots``, and stop with
   a 499 if ``core.cancel`` sees the client disconnect).
10. The response body is built from the rows (``native_plan.score_body``: each
    comment's language, scores, flags at its language's thresholds, errors) and serialised once;
    it goes back out through steps 5 to 1.

An error raised in steps 6 to 10 is rendered by ``core.errors`` (the native shape,
or Google's on Perspective paths, registered by ``perspective.errors``); the
middleware render theirs with the same ``core.errors.render``.
"""
