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

**Sentences** (source ``civil-comments-toxic-spans:sentences``). The spans say
*where* in a comment the abuse is, so each comment also yields its sentences
(``model.sentences``, the splitter the scorer uses), labelled by the spans that
overlap them; the service scores long comments sentence by sentence, and these
are the only human labels of single sentences of news comments:

- a sentence where any annotator who judged the comment toxic marked a Threat
  span: THREAT 1 and TOXICITY 1 (the only threat labels in news-comment style;
  weight: the share of the comment's voters who marked it, at least 1/3);
- a sentence where at least half of those voters marked some span: TOXICITY 1,
  and INSULT or IDENTITY_ATTACK 1 where at least half of them typed it so, and
  PROFANITY 1 where any typed it profane;
- every sentence of a comment judged not toxic: TOXICITY, INSULT, THREAT,
  IDENTITY_ATTACK and PROFANITY 0.

A sentence of a toxic comment without such spans yields nothing: an annotator
may have ticked the whole comment toxic. A comment's sentences share its split
group, so they fall on the same side of the train/validation split as it does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from model.sentences import split_sentences
from training.loaders._io import find_file, read_rows
from training.records import Record, dedup_key

SOURCE = "civil-comments-toxic-spans"
SENTENCES = f"{SOURCE}:sentences"
"""The source name of the sentence records (derived from the same files)."""

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
    placed: dict[str, list[tuple[str | None, int, int]]] = defaultdict(list)
    for row in read_rows(spans_path, ("annotation", "type", "start", "end")):
        aid = row.need("annotation")
        if aid not in annotations:
            raise row.fail(f"span refers to unknown annotation {aid}")
        # Offsets are only checked for shape: some published spans overrun their
        # comment, and only the span types are used here.
        start = row.integer("start", 0, 10**7)
        end = row.integer("end", start, 10**7)
        spanned.add(aid)
        attribute = _span_attribute(row.need("type"))
        if attribute:
            typed[aid].add(attribute)
        placed[aid].append((attribute, start, end))

    votes: dict[str, list[str]] = defaultdict(list)
    for aid in annotations:
        votes[annotations[aid][0]].append(aid)

    for cid, (text, line) in comments.items():
        toxic = untoxic = 0
        type_votes: dict[str, int] = defaultdict(int)
        typers = 0
        toxic_voters: list[str] = []
        for aid in votes.get(cid, ()):
            _, all_toxic, not_toxic = annotations[aid]
            has_span = aid in spanned
            if not not_toxic and (has_span or all_toxic):
                toxic += 1
                toxic_voters.append(aid)
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
        group = dedup_key(text)
        yield Record(
            text=text,
            source=SOURCE,
            labels=labels,
            soft=soft,
            weight=max(share, 1 - share),
            ref=f"{comments_path.name}:{line}",
            group=group,
        )
        yield from _sentences(
            text, labels["TOXICITY"], toxic_voters, voters, placed, group, f"{comments_path.name}:{line}"
        )


def _sentences(
    text: str,
    toxic: int,
    toxic_voters: list[str],
    voters: int,
    placed: dict[str, list[tuple[str | None, int, int]]],
    group: str,
    ref: str,
) -> Iterator[Record]:
    """Yield the labelled sentences of one comment (see the module docstring)."""
    spans = split_sentences(text)
    if len(spans) < 2:
        return  # the comment is its own sentence: its record already says it all
    for n, (a, b) in enumerate(spans):
        sentence = text[a:b]
        if toxic == 0:
            labels = dict.fromkeys(("TOXICITY", "INSULT", "THREAT", "IDENTITY_ATTACK", "PROFANITY"), 0)
            yield Record(sentence, SENTENCES, labels, ref=f"{ref} sentence {n}", group=group)
            continue
        marked: set[str] = set()
        kinds: dict[str | None, set[str]] = defaultdict(set)
        for aid in toxic_voters:
            for attribute, start, end in placed.get(aid, ()):
                if start < b and end > a:
                    marked.add(aid)
                    kinds[attribute].add(aid)
        if not marked:
            continue
        threats = len(kinds["THREAT"])
        if threats:
            labels = {"TOXICITY": 1, "THREAT": 1}
            weight = max(threats / voters, 1 / 3)
        elif len(marked) * 2 >= voters:
            labels = {"TOXICITY": 1, "THREAT": 0}
            weight = len(marked) / voters
        else:
            continue
        if len(marked) * 2 >= voters:
            for attribute in ("INSULT", "IDENTITY_ATTACK"):
                labels[attribute] = int(len(kinds[attribute]) * 2 >= len(marked))
            labels["PROFANITY"] = int(bool(kinds["PROFANITY"]))
        yield Record(sentence, SENTENCES, labels, weight=min(weight, 1.0), ref=f"{ref} sentence {n}", group=group)
