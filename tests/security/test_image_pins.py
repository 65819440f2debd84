"""The production image installs only what was pinned (issue 20, the container sub-point of point 8).

A moving base tag or an unhashed lock lets whoever controls a registry, an index
or a mirror change what ships without a change here. The image build itself is
exercised by ``tests/container`` (with a debootstrapped base, since CI cannot pull).
"""

from __future__ import annotations

import re

from tests.live import ROOT

REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\]+)")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def locked() -> dict[str, list[str]]:
    """Return each pin of requirements.lock with the hashes given for it."""
    pins: dict[str, list[str]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        found = REQUIREMENT.match(line)
        if found:
            current = f"{found[1]}=={found[2]}"
            pins[current] = []
        elif line.strip() and not line.lstrip().startswith("#"):
            assert current is not None, line
        if current is not None:
            pins[current] += HASH.findall(line)
    return pins


def test_the_image_installs_hashed_wheels_on_a_base_pinned_by_digest() -> None:
    # Before: pip installed whatever file the index served for each version, on whatever the tag named.
    pins = locked()
    assert len(pins) > 20
    unhashed = [pin for pin, hashes in pins.items() if not hashes]
    assert not unhashed, f"pins without --hash in requirements.lock: {unhashed}"
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line and "requirements.lock" in line]
    assert installs and all("--require-hashes" in line for line in installs), installs
    base = re.search(r"^ARG BASE_IMAGE=(\S+)$", dockerfile, flags=re.M)
    assert base is not None and re.search(r"@sha256:[0-9a-f]{64}$", base[1]), base
