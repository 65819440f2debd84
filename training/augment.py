"""Training-only additions to the corpus: counterfactual identity swaps and style-matched threat negatives.

Both run on the training split after it is drawn, so nothing added here can
reach the validation rows, and each added row keeps the key of the row it came
from, so it falls in that row's cross-validation fold.

- **Identity swaps** (``training.identity``): a copy of every training row that
  names an identity group, with the group swapped and the labels kept, at
  ``swap_weight`` of the row's weight.
- **Threat negatives in the threat set's style.** ``youtube-violent-threats``
  holds only threats, lower-cased with the punctuation stripped. Its source's own
  weights and bias (``training.fit``'s feature augmentation) would learn "this
  style means threat" from it alone. Benign training sentences of other sources,
  written the same way, give it negatives in its own style: the style then
  carries no label, and what is left to learn is the threat.

- **Sentences of ordinary comments.** The service scores long comments sentence
  by sentence, and a single sentence out of its comment scores higher than the
  comment did (fewer words share the weight). The benign comments of the sets of
  ordinary discussion (``training.combine.CONTEXT_SOURCES``) also give each of
  their sentences as a benign row, at ``sentence_weight`` of the comment's, so
  the heads learn what ordinary sentences look like on their own.

Imports ``training.identity``, ``training.records`` and ``model.sentences``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace

from model.sentences import sentences
from training.combine import benign
from training.identity import swap_identities
from training.records import Record

THREAT_STYLE_SOURCE = "youtube-violent-threats"
_NOT_WORD = re.compile(r"[^\w\s']+")


def identity_swaps(
    records: Sequence[Record], keys: Sequence[str], swap_weight: float, seed: int
) -> tuple[list[Record], list[str]]:
    """Return one swapped copy of every record that names an identity group, with its key."""
    out: list[Record] = []
    out_keys: list[str] = []
    if swap_weight <= 0:
        return out, out_keys
    for record, key in zip(records, keys, strict=True):
        swapped = swap_identities(record.text, seed)
        if swapped is not None:
            out.append(replace(record, text=swapped, weight=record.weight * swap_weight, ref=f"swap({record.ref})"))
            out_keys.append(key)
    return out, out_keys


def sentence_rows(
    records: Sequence[Record], keys: Sequence[str], sources: Sequence[str], sentence_weight: float
) -> tuple[list[Record], list[str]]:
    """Return every sentence of the benign multi-sentence comments of ``sources``, with the comment's labels."""
    out: list[Record] = []
    out_keys: list[str] = []
    if sentence_weight <= 0:
        return out, out_keys
    for record, key in zip(records, keys, strict=True):
        if record.source not in sources or not benign(record):
            continue
        parts = sentences(record.text)
        if len(parts) < 2:
            continue
        for n, part in enumerate(parts):
            if len(part) >= 15:
                out.append(
                    replace(record, text=part, weight=record.weight * sentence_weight, ref=f"{record.ref} sentence {n}")
                )
                out_keys.append(key)
    return out, out_keys


def threat_style(text: str) -> str:
    """Return ``text`` written as the threat set writes: lower case, no punctuation, single spaces."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def _pick(text: str, seed: int, share: float) -> bool:
    digest = hashlib.blake2b(f"{seed}:style:{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < share


def threat_style_negatives(
    records: Sequence[Record], keys: Sequence[str], wanted: int, seed: int
) -> tuple[list[Record], list[str]]:
    """Return up to ``wanted`` benign sentences of other sources in the threat set's style, labelled not a threat."""
    candidates = [
        (r, k)
        for r, k in zip(records, keys, strict=True)
        if r.source != THREAT_STYLE_SOURCE and r.labels.get("THREAT") == 0 and r.labels.get("TOXICITY") == 0
    ]
    if not candidates or wanted <= 0:
        return [], []
    share = min(1.0, 2.0 * wanted / len(candidates))
    out: list[Record] = []
    out_keys: list[str] = []
    for record, key in candidates:
        if not _pick(record.text, seed, share):
            continue
        for sentence in sentences(record.text)[:1]:
            styled = threat_style(sentence)
            if len(styled) >= 15:
                out.append(
                    Record(
                        text=styled,
                        source=THREAT_STYLE_SOURCE,
                        labels={"THREAT": 0, "TOXICITY": 0},
                        weight=record.weight,
                        ref=f"styled({record.ref})",
                        group=record.group,
                    )
                )
                out_keys.append(key)
        if len(out) >= wanted:
            break
    return out, out_keys
