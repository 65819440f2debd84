"""Fixtures for the attackers' tests: the service tests' own, re-exported rather than copied."""

from __future__ import annotations

from tests.service.conftest import anyio_backend, client, shipped_client

__all__ = ["anyio_backend", "client", "shipped_client"]
