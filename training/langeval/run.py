"""One measurement run: load every multilingual set, split, audit the normaliser, fit the three designs.

``measure`` returns one JSON-able dict (the report's data); ``training.langeval.report``
renders it as markdown. The split is the English model's (``training.dataset``:
duplicates merged, then a hash of each record's group key puts it in validation
with probability ``validation_fraction``), so a near-duplicate never sits on both
sides; a language's validation rows are the split's rows in that language.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from joblib import Parallel, delayed

from model.attributes import ATTRIBUTE_NAMES
from training.dataset import build_corpus
from training.langeval.audit import audit_as_dict, audit_texts
from training.langeval.designs import Caps, lowered, naive, per_language, shared
from training.langeval.status import PairFigures, mapping_facts, status
from training.loaders.multilingual import multilingual_loaders
from training.records import Record

DESIGNS = ("per_language", "shared", "shared_indicator")
"""The candidate designs; ``naive`` is the baseline they are held against."""


def by_language(records: Sequence[Record]) -> dict[str, list[Record]]:
    """Group records by language, the largest language first."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        groups[record.language].append(record)
    return dict(sorted(groups.items(), key=lambda kv: -len(kv[1])))


def _winner(scores: dict[str, float | None]) -> str | None:
    known = {d: s for d, s in scores.items() if s is not None}
    return max(known, key=lambda d: known[d]) if known else None


def measure(data_dir: Path, caps: Caps, *, validation_fraction: float = 0.2, n_jobs: int = 1) -> dict[str, Any]:
    """Run the whole comparison on the sets in ``data_dir`` and return its figures."""
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    corpus = build_corpus(
        multilingual_loaders(data_dir, include_excluded=True), validation_fraction=validation_fraction, seed=caps.seed
    )
    train, val = corpus.part(False)[0], corpus.part(True)[0]
    seconds["load_and_split"] = time.perf_counter() - start

    start = time.perf_counter()
    languages = by_language(corpus.records)
    audits = {lang: audit_as_dict(audit_texts(r.text for r in recs)) for lang, recs in languages.items()}
    seconds["normaliser_audit"] = time.perf_counter() - start

    tr_by, va_by = by_language(train), by_language(val)
    attrs = {lang: [a for a in ATTRIBUTE_NAMES if any(a in r.labels for r in recs)] for lang, recs in languages.items()}
    jobs = [(lang, tr_by.get(lang, []), va_by.get(lang, []), attrs[lang]) for lang in languages]
    start = time.perf_counter()
    fitted = Parallel(n_jobs=max(1, n_jobs))(delayed(per_language)(lang, t, v, a, caps) for lang, t, v, a in jobs)
    seconds["per_language"] = time.perf_counter() - start
    start = time.perf_counter()
    ablation = Parallel(n_jobs=max(1, n_jobs))(
        delayed(per_language)(lang, t, v, a, caps, lowered) for lang, t, v, a in jobs
    )
    seconds["per_language_unnormalised"] = time.perf_counter() - start
    start = time.perf_counter()
    naive_scores = Parallel(n_jobs=max(1, n_jobs))(delayed(naive)(lang, t, v, a, caps) for lang, t, v, a in jobs)
    seconds["naive"] = time.perf_counter() - start
    start = time.perf_counter()
    all_attrs = [a for a in ATTRIBUTE_NAMES if any(a in at for at in attrs.values())]
    plain, indicated, shared_size = shared(train, val, all_attrs, caps, n_jobs=n_jobs)
    seconds["shared"] = time.perf_counter() - start

    results: dict[str, Any] = {}
    sizes: dict[str, int] = {}
    for (lang, _, _, lang_attrs), (pl_scores, size), (raw_scores, _), nv_scores in zip(
        jobs, fitted, ablation, naive_scores, strict=True
    ):
        sizes[lang] = size
        results[lang] = {}
        for attribute in lang_attrs:
            base = pl_scores[attribute]
            aucs = {
                "per_language": base["auc"],
                "shared": plain.get(lang, {}).get(attribute, {}).get("auc"),
                "shared_indicator": indicated.get(lang, {}).get(attribute, {}).get("auc"),
                "naive": nv_scores[attribute]["auc"],
                "per_language_unnormalised": raw_scores[attribute]["auc"],
            }
            approx, excluded, sources = mapping_facts(train, lang, attribute)
            positives = sum(1 for r in tr_by.get(lang, []) if r.labels.get(attribute) == 1)
            results[lang][attribute] = {
                "sources": sources,
                "train_rows": base["train"],
                "train_positives": positives,
                "val_rows": base["val"],
                "val_positives": base["val_positives"],
                "auc": aucs,
                "winner": _winner({d: aucs[d] for d in DESIGNS}),
                "approximate": approx,
                "licence_excluded": excluded,
            }
    overall = choose_design(results)
    for pairs in results.values():
        for pair in pairs.values():
            figures = PairFigures(
                train_rows=pair["train_rows"],
                val_positives=pair["val_positives"],
                val_negatives=pair["val_rows"] - pair["val_positives"],
                auc=pair["auc"][overall],
                naive_auc=pair["auc"]["naive"],
                approximate=pair["approximate"],
                licence_excluded=pair["licence_excluded"],
            )
            pair["status"], pair["status_reason"] = status(figures)
    excluded_languages = {
        lang for lang, pairs in results.items() if pairs and all(p["licence_excluded"] for p in pairs.values())
    }
    return {
        "data_dir": str(data_dir),
        "caps": asdict(caps),
        "validation_fraction": validation_fraction,
        "rows": {lang: len(recs) for lang, recs in languages.items()},
        "loaded": dict(corpus.loaded),
        "merged_duplicates": sum(corpus.merged.values()),
        "label_conflicts": sum(corpus.conflicts.values()),
        "normaliser": audits,
        "results": results,
        "design": overall,
        "sizes": {
            "per_language_bytes": sizes,
            "per_language_default_bytes": sum(s for lang, s in sizes.items() if lang not in excluded_languages),
            "shared_bytes": shared_size,
            "excluded_languages": sorted(excluded_languages),
        },
        "seconds": seconds,
    }


def choose_design(results: dict[str, Any]) -> str:
    """Return the design with the higher mean ROC-AUC over the pairs every design could score."""
    totals: Counter[str] = Counter()
    for pairs in results.values():
        for pair in pairs.values():
            aucs = pair["auc"]
            if all(aucs[d] is not None for d in DESIGNS):
                for d in DESIGNS:
                    totals[d] += aucs[d]
    return max(DESIGNS, key=lambda d: (totals[d], d == "per_language"))
