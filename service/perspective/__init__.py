"""Perspective API compatibility: ``commentanalyzer v1alpha1`` on top of the model.

Unmodified Perspective clients (Google's API client libraries, Coral Talk, the
Discourse plugin, hand-written code) work by changing only the base URL.
"""
