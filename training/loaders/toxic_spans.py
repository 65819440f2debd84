"""Toxic Spans (SemEval-2021 Task 5 / ACL 2022): Civil Comments posts, per-annotator labels.

Each annotator either marked typed spans (Insult, Threat, Identity based Attack,
Profane/Obscene, Other Toxicity), ticked "all toxic", or ticked "not toxic". In
the published file an annotator who marked nothing carries both flags True; we
read the columns as follows (checked against the comments by eye):

- toxic: ``not toxic`` is False and the annotator marked a span or ticked "all toxic";
- not toxic: ``not toxic`` is True and no span was marked;
- anything else (no flag and no span, or "not toxic" with spans) is contradictory
  and that annotator is left out of the vote.

Mapping per comment:

- TOXICITY: share of annotators who judged it toxic; 1 when at least half did.
- INSULT, THREAT, IDENTITY_ATTACK: for a toxic comment, 1 when at least half of the
  annotators who typed spans used that type, else 0; unknown when no annotator typed
  a span. A non-toxic comment is 0 for every attribute.
- PROFANITY: for a toxic comment, 1 when any annotator typed a span Profane/Obscene.
  An annotator gives a span one type, and a profane insult ("you f---ing idiot") is
  usually typed Insult, so a majority vote would miss most profanity; swearing is
  also a lexical fact rather than a judgement call.
- SEVERE_TOXICITY (proxy): 1 when every annotator judged it toxic and the majority
  typed it a threat or identity attack; 0 for non-toxic comments and for toxic ones
  typed only as insult, profanity or other.

A truncated type string (``Identity based ``) is read by its prefix; an empty one
counts as an untyped span.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "civil-comments-toxic-spans"

SPAN_TYPES = {
    "Insult": "INSULT",
    "Threat": "THREAT",
    "Identity based Attack": "IDENTITY_ATTACK",
    "Profane/Obscene": "PROFANITY",
    "Other Toxicity": None,
}
FLAG = ("True", "False")


def _span_attribute(raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    for name, attribute in SPAN_TYPES.items():
        if name.startswith(raw):
            return attribute
    return None


def load(folder: Path) -> Iterator[Record]:
    """Join comments, annotations and spans into one record per comment."""
    comments_path = find_file(folder, "comments.train.csv", "comments.csv")
    annotations_path = find_file(folder, "annotations.train.csv", "annotations.csv")
    spans_path = find_file(folder, "spans.train.csv", "spans.csv")

    comments: dict[str, tuple[str, int]] = {}
    for row in read_rows(comments_path, ("comment_id", "comment_text")):
        cid = row.need("comment_id")
        if cid in comments:
            raise row.fail(f"duplicate comment_id {cid}")
        comments[cid] = (row.need("comment_text"), row.line)

    annotations: dict[str, tuple[str, bool, bool]] = {}
    for row in read_rows(annotations_path, ("annotation", "comment_id", "all toxic", "not toxic")):
        aid, cid = row.need("annotation"), row.need("comment_id")
        if cid not in comments:
            raise row.fail(f"annotation {aid} refers to unknown comment_id {cid}")
        if aid in annotations:
            raise row.fail(f"duplicate annotation id {aid}")
        all_toxic = row.choice("all toxic", FLAG) == "True"
        not_toxic = row.choice("not toxic", FLAG) == "True"
        annotations[aid] = (cid, all_toxic, not_toxic)

    typed: dict[str, set[str]] = defaultdict(set)
    spanned: set[str] = set()
    for row in read_rows(spans_path, ("annotation", "type", "start", "end")):
        aid = row.need("annotation")
        if aid not in annotations:
            raise row.fail(f"span refers to unknown annotation {aid}")
        # Offsets are only checked for shape: some published spans overrun their
        # comment, and only the span types are used here.
        start = row.integer("start", 0, 10**7)
        row.integer("end", start, 10**7)
        spanned.add(aid)
        attribute = _span_attribute(row.need("type"))
        if attribute:
            typed[aid].add(attribute)

    votes: dict[str, list[str]] = defaultdict(list)
    for aid in annotations:
        votes[annotations[aid][0]].append(aid)

    for cid, (text, line) in comments.items():
        toxic = untoxic = 0
        type_votes: dict[str, int] = defaultdict(int)
        typers = 0
        for aid in votes.get(cid, ()):
            _, all_toxic, not_toxic = annotations[aid]
            has_span = aid in spanned
            if not not_toxic and (has_span or all_toxic):
                toxic += 1
                if typed[aid]:
                    typers += 1
                    for attribute in typed[aid]:
                        type_votes[attribute] += 1
            elif not_toxic and not has_span:
                untoxic += 1
        voters = toxic + untoxic
        if voters == 0:
            continue  # no usable vote on this comment
        share = toxic / voters
        labels: dict[str, int] = {"TOXICITY": int(share >= 0.5)}
        soft: dict[str, float] = {"TOXICITY": share}
        if labels["TOXICITY"] == 0:
            labels.update(INSULT=0, THREAT=0, IDENTITY_ATTACK=0, PROFANITY=0, SEVERE_TOXICITY=0)
        elif typers:
            for attribute in ("INSULT", "THREAT", "IDENTITY_ATTACK"):
                labels[attribute] = int(type_votes[attribute] / typers >= 0.5)
                soft[attribute] = type_votes[attribute] / voters
            labels["PROFANITY"] = int(type_votes["PROFANITY"] > 0)
            soft["PROFANITY"] = type_votes["PROFANITY"] / voters
            severe = untoxic == 0 and (labels["THREAT"] or labels["IDENTITY_ATTACK"])
            labels["SEVERE_TOXICITY"] = int(bool(severe))
        yield Record(
            text=text,
            source=SOURCE,
            labels=labels,
            soft=soft,
            weight=max(share, 1 - share),
            ref=f"{comments_path.name}:{line}",
        )
