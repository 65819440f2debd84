"""Threshold profiles' file format: parse and check a TOML file of named profiles, one per community.

The file is TOML (``tomllib`` is in the standard library; unlike JSON it takes
comments, so an operator can say why a threshold is what it is, and its parser
reports the line of a syntax error)::

    # Newsrooms: flag early, a moderator looks at everything flagged.
    [profiles.news-strict]
    description = "News comments, reviewed by staff"
    preset = "high_recall"                      # optional: a preset of the model's
    thresholds = { THREAT = 0.2 }               # optional: per attribute, in [0, 1]

A profile's thresholds are the model's defaults, then its preset's, then its own.
Any problem raises ``ProfileError``: one line naming the file and the line. It
lives in ``model`` because both the service (``service/core/profiles.py``, which
binds profiles to keys and caches them per model) and bulk scoring (``bulk/``)
read the same files, and neither may import the other. Imports ``model`` only.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.attributes import ATTRIBUTE_NAMES

if TYPE_CHECKING:
    from model.scorer import ToxicityModel

PROFILE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
PRESETS = ("high_precision", "balanced", "high_recall")
MAX_PROFILES = 100
MAX_DESCRIPTION = 500
FIELDS = ("description", "preset", "thresholds")


class ProfileError(ValueError):
    """A profiles file, or a key's profile, that cannot be used; the message is one line."""


@dataclass(frozen=True, slots=True)
class Profile:
    """One community's thresholds: a preset of the model's and per-attribute overrides."""

    name: str
    description: str
    preset: str | None
    overrides: Mapping[str, float]
    line: int = 0

    def resolve(self, model: ToxicityModel) -> dict[str, float]:
        """Return every scored attribute's threshold under this profile (the model must have its preset)."""
        out = model.thresholds()
        if self.preset is not None:
            out.update(model.presets()[self.preset])
        out.update((name, value) for name, value in self.overrides.items() if name in out)
        return out


def read(path: Path) -> dict[str, Profile]:
    """Parse and check one profiles file; raise ``ProfileError`` as ``<file>:<line>: <problem>``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read the profiles file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
        line = where.group(1) if where else "?"
        problem = re.sub(r"\s*\(at line \d+, column \d+\)$|\s*\(at end of document\)$", "", str(exc))
        raise ProfileError(f"{path}:{line}: not valid TOML: {problem}") from None
    return _Reader(path, text.splitlines()).profiles(data)


class _Reader:
    """Check parsed TOML against the profile rules, finding each problem's line in the text."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.lines = lines

    def fail(self, line: int, problem: str) -> ProfileError:
        return ProfileError(f"{self.path}:{line}: {problem}")

    def line_of(self, name: str | None, key: str | None = None) -> int:
        """Return the line of a profile's table (or its ``key``), found by name; 1 when not found."""
        code = [text.split("#", 1)[0] for text in self.lines]  # a comment may mention a name too
        start = 0
        if name is not None:
            mention = re.compile(rf"(^|[\s.\[\"']){re.escape(name)}($|[\s.\]\"'=])")
            found = [i for i, text in enumerate(code) if mention.search(text)]
            headers = [i for i in found if code[i].lstrip().startswith("[")]  # its table, before a dotted key
            start = (headers or found or [0])[0]
        if key is not None:
            assigned = re.compile(rf"(^|[\s{{,.\"']){re.escape(key)}[\"']?\s*=")
            for i in range(start, len(code)):
                if assigned.search(code[i]):
                    return i + 1
        return start + 1

    def profiles(self, data: dict[str, Any]) -> dict[str, Profile]:
        for top in data:
            if top != "profiles":
                raise self.fail(self.line_of(top), f"unknown table or key {top!r}; profiles go in [profiles.<name>]")
        tables = data.get("profiles", {})
        if not isinstance(tables, dict) or not tables:
            raise self.fail(self.line_of("profiles"), "no profiles: add at least one [profiles.<name>] table")
        if len(tables) > MAX_PROFILES:
            raise self.fail(self.line_of("profiles"), f"{len(tables)} profiles; the limit is {MAX_PROFILES}")
        return {name: self.profile(name, body) for name, body in tables.items()}

    def profile(self, name: str, body: object) -> Profile:
        line = self.line_of(name)
        if not PROFILE_NAME.fullmatch(name):
            raise self.fail(
                line, f"profile name {name!r} must be 1 to 64 of a-z, 0-9, '-' and '_', starting with a letter or digit"
            )
        if not isinstance(body, dict):
            raise self.fail(line, f"profile {name!r} must be a table ([profiles.{name}])")
        for key in body:
            if key not in FIELDS:
                raise self.fail(
                    self.line_of(name, key), f"profile {name!r}: unknown field {key!r} (fields: {', '.join(FIELDS)})"
                )
        description = body.get("description")
        if not isinstance(description, str) or not description.strip() or len(description) > MAX_DESCRIPTION:
            raise self.fail(
                self.line_of(name, "description" if "description" in body else None),
                f"profile {name!r} needs a description: text of 1 to {MAX_DESCRIPTION} characters",
            )
        preset = body.get("preset")
        if preset is not None and preset not in PRESETS:
            raise self.fail(
                self.line_of(name, "preset"),
                f"profile {name!r}: unknown preset {preset!r} (presets: {', '.join(PRESETS)})",
            )
        overrides = body.get("thresholds", {})
        if not isinstance(overrides, dict):
            raise self.fail(
                self.line_of(name, "thresholds"), f"profile {name!r}: thresholds must be a table of ATTRIBUTE = number"
            )
        for attribute, value in overrides.items():
            where = self.line_of(name, attribute)
            if attribute not in ATTRIBUTE_NAMES:
                raise self.fail(
                    where,
                    f"profile {name!r}: unknown attribute {attribute!r} (attributes: {', '.join(ATTRIBUTE_NAMES)})",
                )
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise self.fail(where, f"profile {name!r}: {attribute} = {value!r} is not a number in [0, 1]")
        if preset is None and not overrides:
            raise self.fail(line, f"profile {name!r} sets neither a preset nor thresholds")
        return Profile(name, description.strip(), preset, {k: float(v) for k, v in overrides.items()}, line)
