"""ParaDetox (Logacheva et al. 2022): toxic sentences, their non-toxic rewrites, and "cannot rewrite".

``paradetox.tsv``: a toxic sentence (lower-cased and tokenised) and one to three
paraphrases that crowd workers wrote and two further checks judged non-toxic and
faithful. Mapping:

- the ``toxic`` sentence: TOXICITY 1. Other attributes unknown: the set does not
  say why a sentence is toxic.
- each non-empty ``neutral*`` paraphrase: every attribute 0, PROFANITY included
  (dropping the swear words is most of what the rewrites do). A paraphrase whose
  text is a toxic sentence of the file is skipped: the set calls that very text
  toxic. All 152 such paraphrases copy their own row's toxic sentence, give or
  take case and punctuation.
- All sentences of one row share a ``group`` keyed on the toxic sentence, so a
  toxic sentence and its rewrites land on the same side of the train/validation
  split; otherwise the model would be validated on near-copies of training text.

``paradetox_cannot_rewrite.tsv``: sentences that a worker could not detoxify, with
the reasons ticked (``toxic_content``, ``not_toxic``, ``unclear``, ``other_tick``).
The sentence is a JSON string. Mapping:

- a sentence for which some worker ticked exactly ``toxic_content``: TOXICITY 1,
  grouped with the equal toxic sentence of ``paradetox.tsv`` (same group key).
- skipped: sentences only ever ticked ``not_toxic``, ``unclear`` or ``other``
  (not reliable toxic examples), sentences that any worker ticked ``not_toxic``
  (41 also have a ``toxic_content`` row: the workers disagree), and values that
  are bare numbers, ``true`` or blank (export artefacts, not sentences).

Each distinct sentence of the cannot-rewrite file yields at most one record. No
official test split is public (the authors keep theirs). Licence: CC0 1.0.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import Row, find_file, read_rows
from training.records import Record, dedup_key

SOURCE = "paradetox"
COLUMNS = ("toxic", "neutral1", "neutral2", "neutral3")
REASONS = frozenset({"toxic_content", "not_toxic", "unclear", "other_tick"})
NEUTRAL = dict.fromkeys(("TOXICITY", "SEVERE_TOXICITY", "INSULT", "THREAT", "IDENTITY_ATTACK", "PROFANITY"), 0)


def group_of(sentence: str) -> str:
    """Return the split group of a toxic sentence and everything written from it."""
    return f"paradetox:{dedup_key(sentence)}"


def _json(row: Row, column: str) -> object:
    try:
        return json.loads(row.need(column))
    except json.JSONDecodeError as exc:
        raise row.fail(f"column {column!r}: invalid JSON: {exc.msg}") from None


def _reasons(row: Row) -> frozenset[str]:
    reasons = _json(row, "OUTPUT:reasons")
    if not isinstance(reasons, dict) or not set(reasons) <= REASONS:
        raise row.fail(f"column 'OUTPUT:reasons': expected an object with keys among {sorted(REASONS)}")
    return frozenset(name for name, ticked in reasons.items() if ticked is True)


def _rewrites(path: Path) -> Iterator[Record]:
    rows = list(read_rows(path, COLUMNS, delimiter="\t"))
    toxic_keys = {dedup_key(row.need("toxic")) for row in rows}
    for row in rows:
        toxic = row.need("toxic")
        if not toxic.strip():
            raise row.fail("column 'toxic' is empty")
        group, ref = group_of(toxic), f"{path.name}:{row.line}"
        yield Record(text=toxic, source=SOURCE, labels={"TOXICITY": 1}, ref=ref, group=group)
        for column in COLUMNS[1:]:
            paraphrase = row.need(column)
            if paraphrase.strip() and dedup_key(paraphrase) not in toxic_keys:
                yield Record(text=paraphrase, source=SOURCE, labels=NEUTRAL, ref=f"{ref} {column}", group=group)


def _cannot_rewrite(path: Path) -> Iterator[Record]:
    toxic: dict[str, str] = {}  # sentence -> where it was first ticked toxic_content only
    vetoed: set[str] = set()
    for row in read_rows(path, ("INPUT:toxic_comment", "OUTPUT:reasons"), delimiter="\t"):
        sentence = _json(row, "INPUT:toxic_comment")
        reasons = _reasons(row)
        if isinstance(sentence, int | float) or (isinstance(sentence, str) and not sentence.strip()):
            continue  # a bare number, true or blank: an export artefact, not a sentence
        if not isinstance(sentence, str):
            raise row.fail(f"column 'INPUT:toxic_comment': {sentence!r} is not a sentence")
        if "not_toxic" in reasons:
            vetoed.add(sentence)
        elif reasons == {"toxic_content"}:
            toxic.setdefault(sentence, f"{path.name}:{row.line}")
    for sentence, ref in toxic.items():
        if sentence not in vetoed:
            yield Record(text=sentence, source=SOURCE, labels={"TOXICITY": 1}, ref=ref, group=group_of(sentence))


def load(folder: Path) -> Iterator[Record]:
    """Yield toxic sentences, their paraphrases, and reliable "cannot rewrite" sentences."""
    yield from _rewrites(find_file(folder, "paradetox.filtered.tsv", "paradetox.tsv"))
    yield from _cannot_rewrite(
        find_file(folder, "paradetox_cannot_rewrite.filtered.tsv", "paradetox_cannot_rewrite.tsv")
    )
