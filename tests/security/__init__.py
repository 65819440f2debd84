"""Attackers' requests against the real app, one per point of issue 20 (abuse resistance)."""
