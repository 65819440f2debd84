"""The languages a run puts in its artifact: each sub-model's payload, the manifest's ``languages`` section, and how.

``LanguageSet`` is what ``training.pipeline.train`` writes beside the English
model: ``payloads`` (tag -> the sub-model's payload, ``model.artifact.payload_of``),
``entries`` (tag -> its manifest entry without ``file``, ``sha256`` and ``bytes``,
which ``model.artifact.save_artifact`` adds; an entry with a ``reason`` and no
payload is a language that scores nothing) and ``meta`` (the manifest's
``multilingual`` section: data, split, rule, timings).

``carried`` rebuilds the set from a loaded artifact, so that a retrain on English
feedback writes its base's sub-models unchanged (``training.retrain``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from model.artifact import payload_of
from model.scorer import ToxicityModel

WRITTEN = ("file", "sha256", "bytes")
"""Entry keys ``save_artifact`` fills in from the file it writes."""


@dataclass(slots=True)
class LanguageSet:
    """The sub-models of one artifact and their manifest sections."""

    payloads: dict[str, dict[str, Any]] = field(default_factory=dict)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def manifest_sections(self) -> dict[str, Any]:
        """Return the manifest keys this set adds: ``languages`` (if any) and ``multilingual``."""
        out: dict[str, Any] = {}
        if self.entries:
            out["languages"] = {tag: dict(entry) for tag, entry in self.entries.items()}
        if self.meta:
            out["multilingual"] = dict(self.meta)
        return out

    def __bool__(self) -> bool:
        return bool(self.entries)

    def version(self, english: str) -> str:
        """Return the artifact's version: the English run's date, and a hash that also covers the languages' data."""
        day, _, _ = english.rpartition("-")
        seed = json.dumps({"english": english, "languages": sorted(self.entries), "meta": self.meta}, sort_keys=True)
        return f"{day}-{hashlib.sha256(seed.encode()).hexdigest()[:8]}"


def carried(base: ToxicityModel) -> LanguageSet:
    """Return a loaded artifact's languages as a set to write again unchanged (same heads, entries, figures)."""
    manifest: Mapping[str, Any] = base.manifest
    section = manifest.get("languages") or {}
    payloads: dict[str, dict[str, Any]] = {}
    entries: dict[str, dict[str, Any]] = {}
    for tag, meta in section.items():
        entry = {k: v for k, v in meta.items() if k not in WRITTEN}
        if "file" in meta:
            language = base.languages.get(tag) if base.languages is not None else None
            if language is None or language.model is None:
                raise ValueError(f"the base artifact lists language {tag} with a file but has no sub-model for it")
            payloads[tag] = payload_of(language.model)
        entries[tag] = entry
    meta_section = dict(manifest.get("multilingual") or {})
    if meta_section:
        meta_section["carried_from"] = str(manifest.get("version", "unversioned"))
    return LanguageSet(payloads, entries, meta_section)
