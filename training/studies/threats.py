"""THREAT and the data: how many threats aimed at the reader the shared sets hold, and what concept tokens add.

``count_direct`` finds comments where the writer promises harm to the reader ("I'll
shoot you", "I'm going to break your ..."), by a deliberately narrow pattern, and
counts them per source by their THREAT label: 1, 0, or unknown (the source does not
label threats). It also matches some sentences that are not threats ("I'm going to
beat your team"), so the counts are an upper bound on the evidence a TF-IDF head has
for the commonest kind of threat a comment section sees.

``with_concepts`` is an experiment, not part of the model: it appends to each
normalised text the sequence of hand-written concept tokens its words map to
(harm, weapon, body, death, second person, intent), so that "smash your face"
shares evidence with "shoot you" through the ``zzharm zzyou`` n-gram, and fits a
THREAT head with and without them on the shipped rows and weights.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from model.features import Featurizer
from training.fit import TrainParams, plan_tasks
from training.pipeline import training_rows
from training.records import Record, normalized
from training.studies import heads

Prep = Callable[[str], str]

DIRECT = re.compile(
    r"\b(?:i'?ll|i will|i'?m going to|i am going to|i'?m gonna|gonna|i'?d)\b.{0,30}?"
    r"\b(?:kill|shoot|stab|beat|break|smash|hurt|burn|punch|slap|strangle|choke)\b.{0,20}?\b(?:you|your|u|ur)\b",
    re.IGNORECASE,
)
"""A writer promising harm to the reader, within one short stretch of text (bounded gaps: linear time)."""

CONCEPTS = {
    "zzharm": "kill kills killed killing murder murdered shoot shot shooting stab stabbed stabbing beat beaten beating "
    "punch punched kick kicked slap choke choked strangle strangled hang hanged hanging lynch lynched burn burned "
    "burnt torch bomb bombed blow smash smashed break broken crack cracked cut slit gut gutted behead beheaded rape "
    "raped hurt harm attack attacked assault bash bashed batter battered maim cripple crippled torture tortured bleed "
    "bleeding drown drowned poison poisoned snap whip execute executed shank slaughter slaughtered massacre "
    "exterminate exterminated hunt hunted skin skinned",
    "zzweapon": "gun guns bullet bullets knife knives blade rope noose bat acid rifle pistol shotgun machete axe "
    "hammer gasoline petrol grenade",
    "zzbody": "face head skull jaw neck throat teeth tooth legs leg arms arm fingers finger kneecaps ribs nose eyes "
    "eye",
    "zzdeath": "dead die dies died death grave coffin body hospital ambulance wheelchair funeral corpse",
    "zzyou": "you your u ur yourself ya youre",
    "zzintent": "ill gonna will going should deserve deserves hope wish",
}
"""Concept -> its words: general vocabulary of physical harm, written for this experiment."""

_CONCEPT_OF = {word: concept for concept, words in CONCEPTS.items() for word in words.split()}
_WORD = re.compile(r"\w+")


def count_direct(records: Iterable[Record]) -> dict[str, Counter[str]]:
    """Return, per source, how many records match ``DIRECT`` with THREAT 1, 0 or unknown."""
    out: dict[str, Counter[str]] = {}
    for r in records:
        if DIRECT.search(r.text):
            label = r.labels.get("THREAT")
            out.setdefault(r.source, Counter())["unknown" if label is None else str(label)] += 1
    return out


def with_concepts(text: str) -> str:
    """Return the normalised text followed by its concept tokens, in order (the experiment's input)."""
    norm = normalized(text)
    seq = [_CONCEPT_OF[w] for w in _WORD.findall(norm.replace("'", "")) if w in _CONCEPT_OF]
    return f"{norm} zzc {' '.join(seq)}" if seq else norm


def concept_experiment(
    train: Sequence[Record],
    keys: Sequence[str],
    tune: Sequence[Record],
    report: Sequence[Record],
    probes: Mapping[str, Sequence[str]],
    params: TrainParams | None = None,
) -> dict[str, dict[str, Any]]:
    """Fit THREAT with plain and concept-token text; return per-source AUC, tuned cut's recall and probe flag rates.

    The cut is the lowest reaching precision 0.8 on ``tune`` (the default preset's
    rule); ``probes`` maps a name to texts whose share at or above the cut is reported
    (``training.studies.heads.measure``).
    """
    params = params or TrainParams()
    rows, row_keys, _ = training_rows(list(train), list(keys), params)
    (task,), _ = plan_tasks(rows, row_keys, ["THREAT"], params)
    known, y_tune = heads.labelled(tune, "THREAT")
    out: dict[str, dict[str, Any]] = {}
    for name, prep in (("plain", normalized), ("concepts", with_concepts)):
        featurizer, x = Featurizer.fit([prep(r.text) for r in rows], params.features, params.n_jobs)
        w = heads.fit(x[task.rows], task.y, task.weight, 1.0, params.seed).coef_[0]

        def logits(
            texts: Sequence[str], featurizer: Featurizer = featurizer, prep: Prep = prep, w: NDArray[np.float64] = w
        ) -> NDArray[np.float64]:
            return np.asarray(featurizer.transform([prep(t) for t in texts]) @ w)

        z_probes = {k: logits(v) for k, v in probes.items()}
        z_report = logits([r.text for r in report])
        out[name] = heads.measure("THREAT", y_tune, logits([r.text for r in known]), report, z_report, z_probes)
    return out
