"""Named threshold profiles, one per community: read from ``TOXICITY_PROFILES_FILE`` at start-up.

The file's format and its checks are ``model.profiles`` (bulk scoring reads the
same files); this module binds them to the service: ``TOXICITY_KEY_PROFILES``
(``key=profile`` pairs) gives a scoring key a default profile, and a profile's
thresholds are resolved once per model. Keys stay in the settings, never in the
file, so it can be shared. Any problem stops start-up with ``ProfileError``: one
line naming the file and the line. Imports ``model`` and ``settings`` only, as all of ``core``.
"""

from __future__ import annotations

import hmac
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from model import ToxicityModel
from model.profiles import PRESETS, Profile, ProfileError, read
from service.settings import Settings, parse_key_profiles

__all__ = ["NONE", "PRESETS", "Profile", "ProfileError", "Profiles", "load", "read"]


@dataclass(frozen=True, slots=True)
class Profiles:
    """Every profile by name, where they came from, and which scoring key defaults to which."""

    by_name: Mapping[str, Profile] = field(default_factory=dict)
    source: Path | None = None
    keys: tuple[tuple[bytes, str], ...] = ()
    cache: dict[str, tuple[weakref.ref[ToxicityModel], dict[str, float]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def known(self) -> str:
        """Return the profile names, comma-separated, for messages ("none" without any)."""
        return ", ".join(self.by_name) or "none"

    def for_key(self, candidate: str | None) -> str | None:
        """Return the profile bound to a presented scoring key, comparing with every key in constant time."""
        if not self.keys or candidate is None:
            return None
        given = candidate.encode("utf-8", "surrogatepass")
        found = None
        for key, name in self.keys:
            if hmac.compare_digest(given, key):
                found = name
        return found

    def thresholds(self, name: str, model: ToxicityModel) -> dict[str, float]:
        """Return a copy of profile ``name``'s thresholds with ``model``, resolved once per model.

        Resolving walks the model's presets (about 9 us with the shipped model, against
        1 us for the whole default path); the copy costs well under a microsecond. The
        cache holds the model weakly, so a reload never keeps the old one alive.
        """
        cached = self.cache.get(name)
        if cached is None or cached[0]() is not model:
            cached = (weakref.ref(model), self.by_name[name].resolve(model))
            self.cache[name] = cached  # a race only resolves twice: both results are equal
        return dict(cached[1])

    def check(self, model: ToxicityModel) -> None:
        """Raise ``ProfileError`` if a profile picks a preset ``model`` lacks (at start-up and on reload)."""
        presets = model.presets()
        for profile in self.by_name.values():
            if profile.preset is not None and profile.preset not in presets:
                raise ProfileError(
                    f"{self.source}:{profile.line}: profile {profile.name!r} picks preset {profile.preset!r}, "
                    f"which model {model.version} lacks (presets: {', '.join(presets) or 'none'})"
                )


NONE = Profiles()


def load(settings: Settings, api_keys: tuple[bytes, ...]) -> Profiles:
    """Read ``TOXICITY_PROFILES_FILE`` and bind ``TOXICITY_KEY_PROFILES``; raise ``ProfileError``."""
    pairs = parse_key_profiles(settings.key_profiles)  # syntax checked by Settings already
    if settings.profiles_file is None:
        if pairs:
            raise ProfileError("TOXICITY_KEY_PROFILES is set but TOXICITY_PROFILES_FILE is not: no profile exists")
        return NONE
    profiles = read(settings.profiles_file)
    bound = []
    for i, (key, name) in enumerate(pairs, 1):  # never quote a key: they are secrets
        if name not in profiles:
            raise ProfileError(
                f"TOXICITY_KEY_PROFILES pair {i} names profile {name!r}, which {settings.profiles_file} does not "
                f"define (profiles: {', '.join(profiles) or 'none'})"
            )
        encoded = key.encode("utf-8")
        if encoded not in api_keys:
            raise ProfileError(
                f"TOXICITY_KEY_PROFILES pair {i}: its key is not a scoring key (TOXICITY_API_KEYS or "
                "TOXICITY_API_KEYS_FILE)"
            )
        bound.append((encoded, name))
    return Profiles(profiles, settings.profiles_file, tuple(bound))
