"""Real comments for the speed benchmarks, with their natural length distribution.

The comments are the shared data's validation split (the shipped model never
trained on them), shuffled with a fixed seed so every run uses the same sample.
They are read at run time and never written into the project.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any


@cache
def shared_corpus(data: Path) -> Any:
    """Return the shared data's corpus (loaded once per process: about 10 s)."""
    from training.dataset import build_corpus, shared_loaders

    return build_corpus(shared_loaders(data))


def validation_texts(data: Path, limit: int | None = None, seed: int = 0) -> list[str]:
    """Return up to ``limit`` validation comments from the shared data, in a fixed shuffled order."""
    records, _ = shared_corpus(data).part(True)
    texts = [r.text for r in records if r.text.strip() and len(r.text.encode()) <= 20_480]
    random.Random(seed).shuffle(texts)
    return texts[:limit] if limit else texts
