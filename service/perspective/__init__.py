"""Perspective API compatibility: ``commentanalyzer v1alpha1`` on top of the model.

Unmodified Perspective clients (Google's API client libraries, Coral Talk, the
Discourse plugin, hand-written code) work by changing only the base URL.

An adapter over ``service.core``: it may import ``service.core``, ``JSONRoute`` from
``service.middleware.body_guard`` and ``service.settings``; only ``app.py`` includes
its routers (the rate limit imports ``errors.is_perspective_path``).
"""
