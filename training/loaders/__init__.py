"""Dataset loaders: one per source format, all yielding ``training.records.Record``.

``SHARED_SOURCES`` maps each folder of ``../shared/data`` to its loader. The
label mapping of each source is documented in its module and in the model card;
its licence, and whether the default model leaves it out, in ``sources``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from training.loaders import (
    cat_large,
    davidson,
    dynahate,
    edos,
    ethos,
    gab_hate,
    hatexplain,
    impermium,
    implicit_hate,
    olid,
    paradetox,
    reddit_misogyny,
    sbic,
    stormfront,
    toxic_spans,
    trac1,
    tweeteval,
    unhealthy,
    youtube_threats,
)
from training.loaders.generic import load_civil_comments_2019, load_jigsaw_2018, load_table
from training.loaders.sources import SOURCE_INFO, SourceInfo, default_excluded
from training.records import Record

Loader = Callable[[Path], Iterator[Record]]

# Order matters: when two sources hold the same text, the earlier one's record is kept
# and the later one only fills labels it lacks (see training.dataset.merge_duplicates).
SHARED_SOURCES: dict[str, Loader] = {
    "civil-comments-toxic-spans": toxic_spans.load,
    "davidson-hate-offensive": davidson.load,
    "olid": olid.load,
    "tweeteval-offensive": tweeteval.load_offensive,
    "tweeteval-hate": tweeteval.load_hate,
    "ethos": ethos.load,
    "implicit-hate": implicit_hate.load,
    "degibert-stormfront": stormfront.load,
    "impermium-insults": impermium.load,
    # Added later, after the first nine so their duplicates never displace those. Most
    # in-domain and cleanest first: news and Wikipedia comments, then sets coded by
    # trained or expert annotators, then crowd aggregates, synthetic, tokenised and
    # lower-cased text.
    "unhealthy-conversations": unhealthy.load,
    "cat-large": cat_large.load,
    "gab-hate-corpus": gab_hate.load,
    "reddit-misogyny": reddit_misogyny.load,
    "edos": edos.load,
    "sbic": sbic.load,
    "dynahate": dynahate.load,
    "trac1": trac1.load,
    "paradetox": paradetox.load,
    "hatexplain": hatexplain.load,
    "youtube-violent-threats": youtube_threats.load,
}

# The attribute each source was built to label: the one its validation AUC is judged on.
PRIMARY_ATTRIBUTE: dict[str, str] = {
    "civil-comments-toxic-spans": "TOXICITY",
    "davidson-hate-offensive": "TOXICITY",
    "olid": "TOXICITY",
    "tweeteval-offensive": "TOXICITY",
    "tweeteval-hate": "IDENTITY_ATTACK",
    "ethos": "IDENTITY_ATTACK",
    "implicit-hate": "IDENTITY_ATTACK",
    "degibert-stormfront": "IDENTITY_ATTACK",
    "impermium-insults": "INSULT",
    "unhealthy-conversations": "TOXICITY",
    "cat-large": "TOXICITY",
    "gab-hate-corpus": "IDENTITY_ATTACK",
    "reddit-misogyny": "IDENTITY_ATTACK",
    "edos": "IDENTITY_ATTACK",
    "sbic": "TOXICITY",
    "dynahate": "IDENTITY_ATTACK",
    "trac1": "TOXICITY",
    "paradetox": "TOXICITY",
    "hatexplain": "IDENTITY_ATTACK",
    "youtube-violent-threats": "THREAT",
    "jigsaw-2018": "TOXICITY",
    "civil-comments-2019": "TOXICITY",
}

__all__ = [
    "PRIMARY_ATTRIBUTE",
    "SHARED_SOURCES",
    "SOURCE_INFO",
    "Loader",
    "SourceInfo",
    "default_excluded",
    "load_civil_comments_2019",
    "load_jigsaw_2018",
    "load_table",
]
