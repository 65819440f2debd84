"""Implicit Hate Corpus (ElSherief et al. 2021), stages 1 and 2 (tweets).

Mapping:

- Stage 1 ``class``: IDENTITY_ATTACK 1 for ``implicit_hate`` and ``explicit_hate``,
  0 for ``not_hate``. SEVERE_TOXICITY (proxy) 1 for explicit hate, 0 for not_hate,
  unknown for implicit hate. TOXICITY stays unknown: implicit hate is often calm
  in tone, and not_hate posts come from the same extremist accounts.
- Stage 2 ``implicit_class``: THREAT 1 for ``threatening`` (in either class column),
  0 for the other implicit classes.

Stage-2 posts are joined to stage 1 by exact text; the few without a stage-1 twin
are implicit hate by construction and are added as such.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from training.loaders._io import find_file, read_rows
from training.records import Record

SOURCE = "implicit-hate"
CLASSES = ("not_hate", "implicit_hate", "explicit_hate")
IMPLICIT = (
    "white_grievance", "incitement", "stereotypical", "inferiority", "irony",
    "threatening", "other",
)  # fmt: skip


def load(folder: Path) -> Iterator[Record]:
    """Yield one record per distinct post, stage-2 threat labels merged in."""
    stage1 = find_file(folder, "implicit_hate_v1_stg1_posts.tsv")
    stage2 = find_file(folder, "implicit_hate_v1_stg2_posts.tsv")

    threat: dict[str, int] = {}
    stage2_refs: dict[str, str] = {}
    for row in read_rows(stage2, ("post", "implicit_class", "extra_implicit_class"), delimiter="\t"):
        first = row.choice("implicit_class", IMPLICIT)
        extra = row.need("extra_implicit_class")
        if extra and extra not in IMPLICIT:
            raise row.fail(f"column 'extra_implicit_class': {extra!r} is not one of {IMPLICIT}")
        post = row.need("post")
        threat[post] = max(threat.get(post, 0), int("threatening" in (first, extra)))
        stage2_refs.setdefault(post, f"{stage2.name}:{row.line}")

    seen: set[str] = set()
    for row in read_rows(stage1, ("post", "class"), delimiter="\t"):
        post = row.need("post")
        cls = row.choice("class", CLASSES)
        if post in seen:
            continue
        seen.add(post)
        labels = {"IDENTITY_ATTACK": int(cls != "not_hate")}
        if cls == "explicit_hate":
            labels["SEVERE_TOXICITY"] = 1
        elif cls == "not_hate":
            labels["SEVERE_TOXICITY"] = 0
        if cls == "implicit_hate" and post in threat:
            labels["THREAT"] = threat[post]
        yield Record(text=post, source=SOURCE, labels=labels, ref=f"{stage1.name}:{row.line}")
    for post, is_threat in threat.items():
        if post not in seen:
            seen.add(post)
            yield Record(
                text=post,
                source=SOURCE,
                labels={"IDENTITY_ATTACK": 1, "THREAT": is_threat},
                ref=stage2_refs[post],
            )
