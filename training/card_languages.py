"""The model card's languages part: a summary, the status rule once, a section per language, the unsupported ones.

Rendered from the manifest's ``languages`` and ``multilingual`` sections
(``training.languages``): every figure is the training run's, measured on each
language's report half. An artifact without them gets no such part. The label
mapping is each multilingual loader's (``APPROXIMATE``: ≈ marks an approximate
mapping); licences are those the run recorded.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from model.languages import NAMES, NO_DATA
from training.card_tables import fmt
from training.loaders.multilingual import APPROXIMATE, MULTILINGUAL_SOURCES, SOURCE_LANGUAGE

HAS_DATA = {*SOURCE_LANGUAGE.values(), "hi"}
"""Languages some multilingual set is in: absent from a run only because it was not asked for."""

CAVEATS: dict[tuple[str, str], str] = {
    ("de", "IDENTITY_ATTACK"): "most positives come from GAHD, written adversarially rather than natural comments",
    ("ru", "TOXICITY"): "each label rests on a single annotator",
    ("hi-Latn", "TOXICITY"): "the labels are overt aggression (OAG against NAG), not toxicity",
    ("hi", "TOXICITY"): "the labels are overt aggression (OAG against NAG), not toxicity",
    ("fr", "TOXICITY"): "MLMA was collected with hate keywords: most rows are hostile, the non-hostile class is thin",
    ("ko", "TOXICITY"): "a little behind the naive baseline, inside the rule's tolerance",
}
"""Known weaknesses of a (language, attribute), stated beside its figures (``docs/multilingual-design.md``)."""


def _rule(rule: Mapping[str, Any]) -> list[str]:
    return [
        "The status of each (language, attribute) follows one rule (`training/langeval/status.py`), applied to "
        "the figures of the language's report half:",
        "",
        "- **unsupported** when no training row labels the attribute (THREAT in every language), every source "
        "that labels it is left out of the default model by licence, the report half holds fewer than "
        f"{rule.get('min_measurable')} positives or negatives, the ROC-AUC is below "
        f"{rule.get('min_experimental_auc')}, the precision at the default threshold is below "
        f"{rule.get('min_precision')}, or more than {rule.get('max_positive_share')} of the training rows "
        "that label it are positive (a set collected that hostile never shows the model an ordinary comment, and "
        "its calibrated scores and thresholds assume a mostly hostile stream: the first French model flagged "
        "every neutral and news sentence of its behaviour cases at a ROC-AUC of 0.71);",
        f"- **supported** with at least {rule.get('min_supported')} positives and negatives, a ROC-AUC of at "
        f"least {rule.get('min_supported_auc')}, no more than {rule.get('baseline_tolerance')} below the naive "
        f"per-language baseline, a recall of at least {rule.get('min_supported_recall')} at the default "
        "threshold, and a direct label mapping (most training positives from a source whose "
        "mapping is not approximate);",
        "- **experimental** otherwise.",
        "",
        "A reason's \"validation rows\" are the report half's. Where no threshold reaches a preset's precision "
        "target, the preset takes the highest precision reached on the tuning half (as for English); the "
        "precision and recall below are the report half's at the default (`balanced`) threshold.",
    ]


def _mb(entry: Mapping[str, Any]) -> str:
    return f"{entry['bytes'] / 1e6:.1f} MB" if "bytes" in entry else "—"


def _by_status(entry: Mapping[str, Any], status: str) -> str:
    names = [a for a, e in (entry.get("attributes") or {}).items() if e.get("status") == status]
    return ", ".join(names) or "—"


def summary(section: Mapping[str, Any]) -> list[str]:
    """Return the table of every language the artifact names: what it scores, and its size."""
    lines = [
        "| language | tag | training rows | supported | experimental | unsupported (labelled) | file |",
        "| --- | --- | ---: | --- | --- | --- | ---: |",
    ]
    for tag, entry in section.items():
        rows = (entry.get("rows") or {}).get("train")
        lines.append(
            f"| {entry.get('name', tag)} | `{tag}` | {rows if rows is not None else '—'} "
            f"| {_by_status(entry, 'supported')} | {_by_status(entry, 'experimental')} "
            f"| {_by_status(entry, 'unsupported')} | {_mb(entry)} |"
        )
    return lines


def _sources(tag: str, entry: Mapping[str, Any], licences: Mapping[str, str]) -> list[str]:
    attrs = entry.get("attributes") or {}
    lines = ["| source | rows | attributes it labels (≈ approximate) | licence |", "| --- | ---: | --- | --- |"]
    for source, n in ((entry.get("rows") or {}).get("by_source") or {}).items():
        labelled = [
            a + (" ≈" if a in APPROXIMATE.get(source, frozenset()) else "")
            for a, e in attrs.items()
            if source in e.get("sources", ())
        ]
        lines.append(f"| {source} | {n} | {', '.join(labelled) or '—'} | {licences.get(source, 'not recorded')} |")
    return lines


def _pairs(tag: str, entry: Mapping[str, Any]) -> list[str]:
    lines = [
        "| attribute | status | why | report rows (positives) | ROC-AUC | naive ROC-AUC | PR-AUC | ECE "
        "| threshold | precision | recall |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for attribute, e in (entry.get("attributes") or {}).items():
        m = e.get("metrics") or {}
        why = e.get("reason", "")
        if (tag, attribute) in CAVEATS:
            why += f" (note: {CAVEATS[(tag, attribute)]})"
        name = attribute + (" ≈" if e.get("approximate") else "")
        lines.append(
            f"| {name} | {e.get('status')} | {why} | {m.get('n', '—')} ({m.get('positives', '—')}) "
            f"| {fmt(m.get('roc_auc'))} | {fmt(m.get('naive_roc_auc'))} | {fmt(m.get('pr_auc'))} "
            f"| {fmt(m.get('ece'))} | {fmt(e.get('threshold'), 4)} | {fmt(m.get('precision'))} "
            f"| {fmt(m.get('recall'))} |"
        )
    return lines


def _behaviour(entry: Mapping[str, Any]) -> list[str]:
    """Return the language's behaviour cases' pass counts, at its default thresholds."""
    counts: Mapping[str, Any] = entry.get("behaviour") or {}
    if not counts:
        return []
    cells = ", ".join(
        f"{c.replace('_', ' ')} {e['passed']}/{e['total']}"
        + (f" ({e['unscored']} not judged: the attribute it tests is unsupported here)" if e.get("unscored") else "")
        for c, e in counts.items()
    )
    return [
        f"Hand-written behaviour cases (`tests/model/behaviour/languages.json`, words checked against the "
        f"training split in `docs/language-behaviour.md`), passed at the default thresholds: {cells}.",
        "",
    ]


def _mappings(entry: Mapping[str, Any]) -> list[str]:
    """Return the label mapping of each of the language's sets: its loader's docstring, as for English."""
    modules: dict[str, list[str]] = {}
    for source in (entry.get("rows") or {}).get("by_source") or {}:
        loader = MULTILINGUAL_SOURCES.get(source)
        if loader is not None:
            modules.setdefault(loader.__module__, []).append(source)
    lines = []
    for module, sources in modules.items():
        doc = (sys.modules[module].__doc__ or "").strip()
        lines += [f"Label mapping of {', '.join(sources)} (`{module.replace('.', '/')}.py`):", "", doc, ""]
    return lines


def _language(tag: str, entry: Mapping[str, Any], licences: Mapping[str, str]) -> list[str]:
    rows = entry.get("rows") or {}
    lines = [f"### {entry.get('name', tag)} (`{tag}`)", ""]
    if not entry.get("attributes"):
        return [*lines, f"No model: {entry.get('reason', NO_DATA)}.", ""]
    where = f"`{entry['file']}`, {_mb(entry)}" if "file" in entry else f"No model ({entry.get('reason', NO_DATA)})"
    lines += [
        f"{where}: {rows.get('train')} training, {rows.get('tune')} tuning and {rows.get('report')} report rows.",
        "",
        *_sources(tag, entry, licences),
        "",
        *_mappings(entry),
        *_pairs(tag, entry),
        "",
        *_behaviour(entry),
    ]
    if entry.get("fast_path_error"):
        lines += [f"Scored through scikit-learn: the fast path is off ({entry['fast_path_error']}).", ""]
    return lines


def languages_part(manifest: Mapping[str, Any]) -> list[str]:
    """Return the card's languages part (empty for an artifact without sub-models)."""
    section: Mapping[str, Any] = manifest.get("languages") or {}
    meta: Mapping[str, Any] = manifest.get("multilingual") or {}
    if not section:
        return []
    split = meta.get("split") or {}
    licences = (meta.get("data") or {}).get("licences") or {}
    lines = [
        "## Other languages",
        "",
        "English is the root model above, unchanged by what follows. Every other language the data covers has a "
        "sub-model of its own (`languages/<tag>.joblib`): a word and character TF-IDF featuriser fitted on that "
        "language's training rows and one liblinear logistic regression (C = 1, each row's training weight) "
        "per attribute its data labels, calibrated on out-of-fold logits of its training rows as the English "
        "heads are. The sets are split as the English ones (seed "
        f"{split.get('seed')}, {fmt(split.get('validation_fraction'), 2)} to validation by group); each "
        "language's validation rows are cut in two: the tuning half chose the thresholds (the English presets' "
        "rules; `balanced` is the default), the report half gave every figure below, beside the naive "
        "per-language baseline (character TF-IDF and a default logistic regression on the raw text) fitted on "
        "the same training rows. A service picks the sub-model by the comment's language. One caveat: the "
        "design itself (a sub-model per language rather than shared heads) was chosen in "
        "`docs/multilingual-design.md` on each language's whole validation split, the report half included; "
        "the margins there were small (the largest lead 0.038 ROC-AUC), so the report half's figures may be "
        "slightly optimistic for that choice, though not for any threshold, which the tuning half alone chose.",
        "",
        *summary(section),
        "",
        *_rule(meta.get("status_rule") or {}),
        "",
    ]
    for tag, entry in section.items():
        if entry.get("attributes"):  # trained, with or without a model to ship
            lines += _language(tag, entry, licences)
    lines += ["### Languages without a model", "", "| language | tag | why |", "| --- | --- | --- |"]
    for tag, entry in section.items():
        if "file" not in entry:
            lines.append(f"| {entry.get('name', tag)} | `{tag}` | {entry.get('reason', NO_DATA)} |")
    for tag, name in NAMES.items():
        if tag != "en" and tag not in section:
            why = "not trained in this run (`--languages`)" if tag in HAS_DATA else NO_DATA
            lines.append(f"| {name} | `{tag}` | {why} |")
    return [*lines, ""]
