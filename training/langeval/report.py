"""Render a ``training.langeval.run.measure`` result as markdown: the comparison, the statuses, the normaliser audit."""

from __future__ import annotations

from typing import Any

from training.langeval.run import DESIGNS

NAMES = {
    "per_language": "(a) per language",
    "shared": "(b) shared",
    "shared_indicator": "(b+) shared + language indicator",
    "naive": "(c) naive char",
    "per_language_unnormalised": "(a0) per language, no normaliser",
}
SHOWN = (*DESIGNS, "naive", "per_language_unnormalised")


def _auc(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def comparison_table(result: dict[str, Any]) -> list[str]:
    """Return the per (language, attribute) table of rows, positives and the designs' validation AUCs."""
    head = "| language | attribute | train rows (pos.) | val rows (pos.) | " + " | ".join(NAMES.values())
    out = [head + " | best | best - (c) | status |", "|" + " --- |" * 12]
    for lang, pairs in result["results"].items():
        for attribute, p in pairs.items():
            aucs = p["auc"]
            best = p["winner"]
            gain = "-" if best is None or aucs["naive"] is None else f"{aucs[best] - aucs['naive']:+.3f}"
            cells = [
                lang,
                attribute + (" ≈" if p["approximate"] else ""),
                f"{p['train_rows']} ({p['train_positives']})",
                f"{p['val_rows']} ({p['val_positives']})",
                *(_auc(aucs[d]) for d in NAMES),
                NAMES[best].split(" ")[0] if best else "-",
                gain,
                p["status"],
            ]
            out.append("| " + " | ".join(cells) + " |")
    return out


def winners_table(result: dict[str, Any]) -> list[str]:
    """Return, per language, the mean AUC of each design over the pairs all of them scored, and the margin."""
    head = "| language | pairs | " + " | ".join(NAMES[d] for d in SHOWN)
    out = [head + " | winner | margin | (a) - (a0) |", "|" + " --- |" * (len(SHOWN) + 5)]
    for lang, pairs in result["results"].items():
        scored = [p["auc"] for p in pairs.values() if all(p["auc"][d] is not None for d in SHOWN)]
        if not scored:
            out.append(f"| {lang} | 0 |" + " - |" * (len(SHOWN) + 3))
            continue
        means = {d: sum(a[d] for a in scored) / len(scored) for d in SHOWN}
        ranked = sorted(DESIGNS, key=lambda d: -means[d])
        margin = means[ranked[0]] - means[ranked[1]]
        ablation = means["per_language"] - means["per_language_unnormalised"]
        cells = [lang, str(len(scored)), *(f"{means[d]:.3f}" for d in SHOWN), NAMES[ranked[0]]]
        out.append("| " + " | ".join([*cells, f"{margin:+.3f}", f"{ablation:+.3f}"]) + " |")
    return out


def status_table(result: dict[str, Any]) -> list[str]:
    """Return every pair's status with its reason."""
    out = ["| language | attribute | status | why |", "| --- | --- | --- | --- |"]
    for lang, pairs in result["results"].items():
        for attribute, p in pairs.items():
            out.append(f"| {lang} | {attribute} | {p['status']} | {p['status_reason']} |")
        out.append(f"| {lang} | THREAT | unsupported | no training data labels it |")
    return out


def normaliser_table(result: dict[str, Any]) -> list[str]:
    """Return, per language, how many texts each normaliser stage changes and its commonest changes."""
    out = [
        "| language | texts | changed | a letter loses a mark | stage: texts changed (commonest changes) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for lang, a in result["normaliser"].items():
        stages = []
        for name, s in a["stages"].items():
            top = ", ".join(f"`{c}` ({n})" for c, n in s["top_changes"][:5])
            stages.append(f"**{name}** {s['texts_changed']}" + (f" ({top})" if top else ""))
        pct = 100 * a["texts_changed"] / max(1, a["texts"])
        row = [lang, str(a["texts"]), f"{a['texts_changed']} ({pct:.0f} %)", str(a["marks_dropped"]), "; ".join(stages)]
        out.append("| " + " | ".join(row) + " |")
    mismatches = sum(a["mirror_mismatches"] for a in result["normaliser"].values())
    out += ["", f"Stage-by-stage mirror disagreeing with `model.normalize.normalize`: {mismatches} texts."]
    return out


def render(result: dict[str, Any], english_bytes: int | None) -> str:
    """Return the whole report as markdown."""
    sizes = result["sizes"]
    design = result["design"]
    lines = [
        "# Multilingual design comparison",
        "",
        f"Data: `{result['data_dir']}`; validation fraction {result['validation_fraction']}; "
        f"settings {result['caps']}. Duplicates merged: {result['merged_duplicates']}; "
        f"label conflicts dropped: {result['label_conflicts']}.",
        "",
        "## Validation ROC-AUC per language and attribute",
        "",
        "≈: most training positives come from an approximate label mapping. Status follows the overall design.",
        "",
        *comparison_table(result),
        "",
        "## Which design wins per language",
        "",
        *winners_table(result),
        "",
        f"Overall (higher mean AUC over every pair all designs scored): **{NAMES[design]}**.",
        "",
        "## Status per (language, attribute)",
        "",
        *status_table(result),
        "",
        "## Size",
        "",
        f"- (a) per-language featurisers and heads, compressed: {_mb(sum(sizes['per_language_bytes'].values()))} "
        f"in all, {_mb(sizes['per_language_default_bytes'])} without the languages only licence-excluded sets "
        f"cover ({', '.join(sizes['excluded_languages']) or 'none'}).",
        f"- (b) shared featuriser and heads, compressed: {_mb(sizes['shared_bytes'])}.",
    ]
    if english_bytes is not None:
        total = english_bytes + (
            sizes["per_language_default_bytes"] if design == "per_language" else sizes["shared_bytes"]
        )
        lines.append(f"- The shipped English artifact: {_mb(english_bytes)}; with the chosen design: {_mb(total)}.")
    lines += ["", "## What the normaliser does per language", "", *normaliser_table(result), ""]
    lines += ["## Time", "", *(f"- {k}: {v:.0f} s" for k, v in result["seconds"].items()), ""]
    return "\n".join(lines)
