"""Train every language's sub-model from the multilingual sets: load, split as langeval does, fit, check.

The split is ``training.langeval``'s (``training.dataset.build_corpus``:
duplicates merged, a hash of each group key puts it in validation with the
English model's fraction and seed), so the figures compare with the measured
ones; each language's validation rows are then cut into a tuning and a report
half by ``training.evaluate.split_tuning``, the English model's rule. Sets a
default model leaves out (``multilingual_default_excluded``) are read only when
named; a language whose only sets are left out gets an entry without a file,
naming why. Every sub-model's fast path is checked against the scikit-learn
reference before it is kept.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed

from model.artifact import build_model
from model.languages import NAMES
from model.scorer import ToxicityModel
from training.behaviour_languages import judge, load_language_suite
from training.dataset import build_corpus
from training.evaluate import split_tuning
from training.langeval.designs import Caps
from training.langeval.status import (
    BASELINE_TOLERANCE,
    MAX_POSITIVE_SHARE,
    MIN_EXPERIMENTAL_AUC,
    MIN_MEASURABLE,
    MIN_PRECISION,
    MIN_SUPPORTED,
    MIN_SUPPORTED_AUC,
    MIN_SUPPORTED_RECALL,
)
from training.languages.bundle import LanguageSet
from training.languages.fit import Rows, fit_language
from training.loaders.multilingual import (
    MULTILINGUAL_SOURCE_INFO,
    SOURCE_LANGUAGE,
    multilingual_default_excluded,
    multilingual_loaders,
)

FAST_CHECK_ROWS = 300
"""Tuning comments per language scored by both paths; they must agree to ``FAST_TOLERANCE``."""
FAST_TOLERANCE = 1e-9


def check_fast(model: ToxicityModel, texts: Sequence[str]) -> str | None:
    """Raise if the fast path's probabilities differ from the reference; return why it is off, if it is."""
    fast = model.fast()
    if fast is None:
        return model.fast_path_error
    sample = list(texts[:FAST_CHECK_ROWS]) or ["a short comment"]
    gap = float(np.max(np.abs(model.probabilities(sample) - model.reference_probabilities(sample))))
    if gap > FAST_TOLERANCE:
        raise ValueError(f"language {model.language}: the fast path differs from the reference by {gap:.3g}")
    return None


def behaviour_of(tag: str, model: ToxicityModel) -> dict[str, dict[str, Any]]:
    """Return the language's hand-written behaviour cases' pass counts per category (none: empty)."""
    cases = load_language_suite().get(tag, [])
    if not cases:
        return {}
    results = judge(model, cases)
    return {c: {k: e[k] for k in ("passed", "total", "rate", "unscored")} for c, e in results.items()}


def rule_text() -> dict[str, Any]:
    """Return the status rule's constants, as the card states them."""
    return {
        "min_measurable": MIN_MEASURABLE,
        "min_supported": MIN_SUPPORTED,
        "min_experimental_auc": MIN_EXPERIMENTAL_AUC,
        "min_supported_auc": MIN_SUPPORTED_AUC,
        "baseline_tolerance": BASELINE_TOLERANCE,
        "max_positive_share": MAX_POSITIVE_SHARE,
        "min_precision": MIN_PRECISION,
        "min_supported_recall": MIN_SUPPORTED_RECALL,
    }


def train_languages(
    data_dir: Path,
    languages: Collection[str] | None,
    caps: Caps,
    *,
    sources: Sequence[str] = (),
    exclude: Sequence[str] = (),
    validation_fraction: float = 0.2,
    tune_fraction: float = 0.5,
    n_jobs: int = 1,
    progress: Callable[[str], None] | None = None,
) -> LanguageSet:
    """Fit the sub-models of ``languages`` (``None``: every language with data) from the sets in ``data_dir``."""
    say = progress or (lambda _m: None)
    start = time.perf_counter()
    wanted = set(languages) if languages is not None else None
    loaders = [
        entry
        for entry in multilingual_loaders(data_dir, list(sources) or None)
        if entry[0] not in exclude and (wanted is None or _languages_of(entry[0]) & wanted)
    ]
    if not loaders:
        asked = f" in language(s) {sorted(wanted)}" if wanted is not None else ""
        raise ValueError(f"no multilingual set{asked} to train on in {data_dir} (sets: {list(sources) or 'default'})")
    names = [name for name, _, _ in loaders]
    corpus = build_corpus(loaders, validation_fraction=validation_fraction, seed=caps.seed, data_root=data_dir)
    train: dict[str, Rows] = defaultdict(lambda: Rows([], [], [], []))
    val_records, val_keys = corpus.part(True)
    for record, key in zip(*corpus.part(False), strict=True):
        if wanted is None or record.language in wanted:
            train[record.language].train.append(record)
            train[record.language].train_keys.append(key)
    tune, report = split_tuning(val_records, val_keys, caps.seed, tune_fraction)
    for record in tune:
        if record.language in train:
            train[record.language].tune.append(record)
    for record in report:
        if record.language in train:
            train[record.language].report.append(record)
    missing = sorted((wanted or set()) - set(train))
    if missing:
        raise ValueError(f"no training rows in language(s) {missing} among the sets {sorted(names)} in {data_dir}")
    say(f"languages: {len(corpus.records)} comments in {len(train)} languages loaded and split")
    allowed = set(sources)
    jobs = sorted(train.items(), key=lambda kv: -len(kv[1].train))
    fitted = Parallel(n_jobs=max(1, n_jobs))(delayed(fit_language)(tag, rows, caps, allowed) for tag, rows in jobs)
    out = LanguageSet()
    for (tag, rows), result in zip(jobs, fitted, strict=True):
        entry = {"name": NAMES.get(tag, tag), **result.entry}
        if result.payload is not None:
            model = build_model(result.payload, entry, language=tag)
            entry["fast_path_error"] = check_fast(model, [r.text for r in rows.tune])
            entry["behaviour"] = behaviour_of(tag, model)
            out.payloads[tag] = result.payload
        out.entries[tag] = entry
        scored = [a for a, e in entry["attributes"].items() if e["status"] != "unsupported"]
        say(f"language {tag}: {len(rows.train)} training rows; scores {', '.join(scored) or 'nothing'}")
    if not sources:  # the default selection: say which languages it left out by licence
        _left_out(out, names, data_dir, wanted)
    out.meta = {
        "data": {
            "files": [asdict(f) for f in corpus.files],
            "sources": sorted(corpus.loaded),
            "loaded": dict(corpus.loaded),
            "licences": {s: MULTILINGUAL_SOURCE_INFO[s].licence for s in sorted(corpus.loaded)},
            "merged_duplicates": sum(corpus.merged.values()),
            "label_conflicts_dropped": sum(corpus.conflicts.values()),
        },
        "split": {"validation_fraction": validation_fraction, "tune_fraction": tune_fraction, "seed": caps.seed},
        "caps": asdict(caps),
        "status_rule": rule_text(),
        "languages_asked": sorted(wanted) if wanted is not None else "all",
        "training_seconds": round(time.perf_counter() - start, 1),
    }
    return out


def _languages_of(source: str) -> set[str]:
    """Return the languages a set's records are in (TRAC-1 is romanised Hindi and Devanagari Hindi)."""
    language = SOURCE_LANGUAGE[source]
    return {"hi", "hi-Latn"} if language in ("hi", "hi-Latn") else {language}


def _left_out(out: LanguageSet, used: Sequence[str], data_dir: Path, wanted: set[str] | None) -> None:
    """Add an entry without a file for each language whose only sets present were left out (licence)."""
    excluded = multilingual_default_excluded()
    by_language: dict[str, list[str]] = defaultdict(list)
    for name, language in SOURCE_LANGUAGE.items():
        if (data_dir / name).is_dir():
            by_language[language].append(name)
    for language, names in sorted(by_language.items()):
        if language in out.entries or (wanted is not None and language not in wanted):
            continue
        if names and all(n in excluded and n not in used for n in names):
            why = "; ".join(f"{n}: {excluded[n]}" for n in names)
            out.entries[language] = {
                "name": NAMES.get(language, language),
                "sources": [],
                "reason": f"its only data is left out of the default model ({why})",
            }
