"""Route modules: thin adapters from schemas to the scorer and back.

May import ``service.core``, ``JSONRoute`` from ``service.middleware.body_guard``,
``service.reload`` (the admin route) and ``service.settings``; only ``app.py``
includes the routers.
"""
