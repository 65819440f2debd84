"""Licence and default use of every shared data set, as ``../shared/data/PROVENANCE.md`` states them.

``licence`` is a short form of what the source states (the data's own terms where
it has them, else its repository's). ``commercial_use_ok`` is False only where the
licence forbids commercial use. ``default_excluded`` is why the default model
leaves a set out; ``training.dataset.shared_loaders`` skips such sets unless they
are named, and ``toxicity train --help`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What the project may do with one shared data set."""

    licence: str
    commercial_use_ok: bool = True
    default_excluded: str | None = None


SOURCE_INFO: dict[str, SourceInfo] = {
    "civil-comments-toxic-spans": SourceInfo("CC0 1.0"),
    "davidson-hate-offensive": SourceInfo("MIT (repository); no separate data licence"),
    "olid": SourceInfo("none stated by OLID (the mirror repository is CC BY 4.0)"),
    "tweeteval-offensive": SourceInfo(
        "TweetEval: without restrictions, but the source's (OLID: none stated) and Twitter's terms may apply"
    ),
    "tweeteval-hate": SourceInfo(
        "TweetEval: without restrictions, but the source's (HatEval) and Twitter's terms may apply"
    ),
    "ethos": SourceInfo("GPL-3.0"),
    "implicit-hate": SourceInfo("MIT (authors' repository; the copy states none; the authors ask for a survey)"),
    "degibert-stormfront": SourceInfo("CC BY-SA 3.0 ES"),
    "impermium-insults": SourceInfo("none stated (Kaggle competition data)"),
    "unhealthy-conversations": SourceInfo(
        "CC BY-NC-SA 4.0",
        commercial_use_ok=False,
        default_excluded="non-commercial licence (CC BY-NC-SA 4.0)",
    ),
    "cat-large": SourceInfo("Apache-2.0"),
    "gab-hate-corpus": SourceInfo("none stated"),
    "reddit-misogyny": SourceInfo("MIT"),
    "edos": SourceInfo("CC0 1.0"),
    "sbic": SourceInfo("CC BY 4.0"),
    "dynahate": SourceInfo("none stated by the authors (the copy's repository is MIT)"),
    "trac1": SourceInfo("Apache-2.0"),
    "paradetox": SourceInfo("CC0 1.0"),
    "hatexplain": SourceInfo(
        "Apache-2.0 (the copy); MIT (the authors' repository)",
        default_excluded="the copy mixes HateXplain's official test posts in, and they cannot be separated",
    ),
    "youtube-violent-threats": SourceInfo("none stated"),
}


def default_excluded() -> dict[str, str]:
    """Return the sets the default model leaves out, each with the reason."""
    return {name: info.default_excluded for name, info in SOURCE_INFO.items() if info.default_excluded}
