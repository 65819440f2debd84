"""Real comments for the speed benchmarks, with their natural length distribution.

The comments are the shared data's validation split (the shipped model never
trained on them), shuffled with a fixed seed so every run uses the same sample.
They are read at run time and never written into the project.
"""

from __future__ import annotations

import random
from pathlib import Path


def validation_texts(data: Path, limit: int | None = None, seed: int = 0) -> list[str]:
    """Return up to ``limit`` validation comments from the shared data, in a fixed shuffled order."""
    from training.dataset import build_corpus, shared_loaders

    corpus = build_corpus(shared_loaders(data))
    records, _ = corpus.part(True)
    texts = [r.text for r in records if r.text.strip() and len(r.text.encode()) <= 20_480]
    random.Random(seed).shuffle(texts)
    return texts[:limit] if limit else texts
