"""The model card's tables, each rendered from one part of a run's manifest.

Every number comes from the manifest the training run wrote: nothing here
computes a metric. Imports the standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PRESET_NAMES = ("high_precision", "balanced", "high_recall")


def fmt(value: Any, digits: int = 3) -> str:
    """Return a table cell: an em dash for nothing, floats rounded."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def pct(value: Any) -> str:
    """Return a share as a percentage cell."""
    return "—" if value is None else f"{100 * float(value):.1f} %"


def attributes(manifest: Mapping[str, Any]) -> list[str]:
    """Return the attribute table: status, default threshold and how it was chosen, head settings."""
    lines = [
        "| attribute | definition | status | default threshold | threshold rule | C | alpha |",
        "| --- | --- | --- | ---: | --- | ---: | ---: |",
    ]
    for name, a in manifest["attributes"].items():
        hp = a.get("hyperparameters", {})
        lines.append(
            f"| {name} | {a['definition']} | {a['status']} | {fmt(a.get('threshold'))} "
            f"| {a.get('threshold_rule', '—')} | {fmt(hp.get('C'))} | {fmt(hp.get('alpha'))} |"
        )
    return lines


def presets(manifest: Mapping[str, Any]) -> list[str]:
    """Return each preset's threshold with its precision and recall, on the tuning and the report rows."""
    measured = manifest["evaluation"].get("presets", {})
    lines = [
        "| attribute | preset | threshold | rule reached | precision (tuning) | recall (tuning) "
        "| precision (report) | recall (report) |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, a in manifest["attributes"].items():
        for preset in PRESET_NAMES:
            chosen = a.get("presets", {}).get(preset)
            if chosen is None:
                continue
            m = measured.get(name, {}).get(preset, {})
            lines.append(
                f"| {name} | {preset} | {fmt(chosen['threshold'], 4)} | {'yes' if chosen['reached'] else 'no'} "
                f"| {fmt(chosen['precision'])} | {fmt(chosen['recall'])} "
                f"| {fmt(m.get('precision'))} | {fmt(m.get('recall'))} |"
            )
    return lines


def sources(manifest: Mapping[str, Any]) -> list[str]:
    """Return the data table: every shared source, its licence and rows, or why it was left out."""
    data = manifest["data"]
    lines = [
        "| source | primary attribute | licence | commercial use | loaded | train | validation | use |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for source, s in data["sources"].items():
        ok = s.get("commercial_use_ok")
        use = s.get("excluded") or "training and validation"
        lines.append(
            f"| {source} | {data['primary_attribute'].get(source) or '—'} | {s.get('licence', '—')} "
            f"| {'—' if ok is None else ('yes' if ok else '**no**')} | {s['loaded']} | {s['train']} "
            f"| {s['validation']} | {use} |"
        )
    return lines


def weights(manifest: Mapping[str, Any]) -> list[str]:
    """Return each source's share of each head's training weight."""
    attrs = [a for a, e in manifest["attributes"].items() if e.get("source_weight_share")]
    all_sources = sorted({s for a in attrs for s in manifest["attributes"][a]["source_weight_share"]})
    lines = ["| source | " + " | ".join(attrs) + " |", "| --- | " + " | ".join("---:" for _ in attrs) + " |"]
    for source in all_sources:
        cells = [pct(manifest["attributes"][a]["source_weight_share"].get(source)) for a in attrs]
        lines.append(f"| {source} | " + " | ".join(cells) + " |")
    return lines


def validation(manifest: Mapping[str, Any]) -> list[str]:
    """Return per (attribute, source) metrics next to the naive pooled and per-source baselines."""
    ours = manifest["metrics"]["validation"]
    naive = manifest["metrics"].get("naive_baseline", {})
    per_source = manifest["metrics"].get("per_source_baseline", {})
    primary = manifest["data"]["primary_attribute"]
    lines = [
        "| attribute | source | n | pos | ROC-AUC | naive ROC-AUC | difference | per-source ROC-AUC "
        "| PR-AUC | F1 | ECE |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for attribute, by_source in ours.items():
        for source, m in by_source.items():
            b = naive.get(attribute, {}).get(source, {})
            s = per_source.get(attribute, {}).get(source, {})
            diff = m["roc_auc"] - b["roc_auc"] if "roc_auc" in m and "roc_auc" in b else None
            mark = " **(primary)**" if primary.get(source) == attribute else ""
            lines.append(
                f"| {attribute} | {source}{mark} | {m['n']} | {m['positives']} | {fmt(m.get('roc_auc'))} "
                f"| {fmt(b.get('roc_auc'))} | {'—' if diff is None else f'{diff:+.3f}'} | {fmt(s.get('roc_auc'))} "
                f"| {fmt(m.get('pr_auc'))} | {fmt(m.get('f1'))} | {fmt(m.get('ece'))} |"
            )
    return lines


def peer_validation(peer: Mapping[str, Any]) -> list[str]:
    """Return ROC-AUC and flag rates of ours and the peer per (attribute, source), from ``bench/peer.py``."""
    rows = peer.get("validation", {}).get("rows", [])
    if not rows:
        return ["(the peer run had no validation data)"]
    lines = [
        "| attribute | source | n | pos | ROC-AUC ours | ROC-AUC peer | recall ours | recall peer "
        "| false-positive rate ours | false-positive rate peer |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        o, q = r["ours"], r["peer"]
        source = r["source"] + (" (peer trained on it)" if r.get("peer_trained_on_source") else "")
        lines.append(
            f"| {r['attribute']} | {source} | {r['n']} | {r['positives']} | {o['roc_auc']:.3f} | {q['roc_auc']:.3f} "
            f"| {pct(o['recall'])} | {pct(q['recall'])} | {pct(o['fpr'])} | {pct(q['fpr'])} |"
        )
    return lines


def calibration(manifest: Mapping[str, Any]) -> list[str]:
    """Return the expected calibration error per attribute and source, and each pool's positive share."""
    lines = ["| attribute | source | positive share | ECE |", "| --- | --- | ---: | ---: |"]
    for attribute, by_source in manifest["metrics"]["validation"].items():
        for source, m in by_source.items():
            share = m["positives"] / m["n"] if m["n"] else None
            lines.append(f"| {attribute} | {source} | {pct(share)} | {fmt(m.get('ece'))} |")
    return lines


def bias(manifest: Mapping[str, Any]) -> list[str]:
    """Return subgroup, BPSN and BNSP ROC-AUC per identity term for TOXICITY and IDENTITY_ATTACK."""
    lines = [
        "| attribute | term | comments | positives | subgroup AUC | BPSN AUC | BNSP AUC |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for attribute, table in manifest["evaluation"].get("bias", {}).items():
        for term, row in table.items():
            lines.append(
                f"| {attribute} | {term} | {row['n']} | {row['positives']} | {fmt(row['subgroup_auc'])} "
                f"| {fmt(row['bpsn_auc'])} | {fmt(row['bnsp_auc'])} |"
            )
    return lines


def dilution(manifest: Mapping[str, Any]) -> list[str]:
    """Return TOXICITY flag rates of abusive and benign sentences alone and among 5, 20 and 60 others."""
    d = manifest["evaluation"].get("dilution") or {}
    if not d:
        return ["(not measured: no abusive or benign held-out sentences)"]
    rates = d["rates"]
    sizes = list(rates["abusive"])
    lines = [
        "| held-out sentences | " + " | ".join("alone" if n == "1" else f"among {n} benign" for n in sizes) + " |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " |",
        "| abusive, flagged TOXICITY | " + " | ".join(pct(rates["abusive"][n]) for n in sizes) + " |",
        "| benign, flagged TOXICITY | " + " | ".join(pct(rates["benign"][n]) for n in sizes) + " |",
    ]
    alone = rates["abusive"]["1"]
    kept = [f"{n}: {rates['abusive'][n] / alone:.0%}" for n in sizes if n != "1" and alone]
    lines += ["", f"Abusive sentences keep this share of their flag rate alone: {', '.join(kept)}."]
    lines += [f"({d['abusive_sentences']} abusive sentences; benign pool of {d['benign_pool']} sentences.)"]
    return lines


def behaviour(manifest: Mapping[str, Any], peer: Mapping[str, Any] | None = None) -> list[str]:
    """Return the behaviour suite's pass rate per category (and the peer's, when given)."""
    ours = manifest["evaluation"].get("behaviour", {})
    peer_rates = {k: v["peer"]["rate"] for k, v in (peer or {}).get("behaviour", {}).items()}
    head = "| category | cases | pass rate |" + (" peer (alt-profanity-check) |" if peer_rates else "")
    lines = [head, "| --- | ---: | ---: |" + (" ---: |" if peer_rates else "")]
    for category, r in ours.items():
        row = f"| {category} | {r['total']} | {r['rate']:.0%} ({r['passed']}/{r['total']}) |"
        if peer_rates:
            row += f" {pct(peer_rates.get(category))} |"
        lines.append(row)
    return lines


def false_positives(manifest: Mapping[str, Any]) -> list[str]:
    """Return the share of ordinary, non-toxic text flagged at the default thresholds."""
    lines = [
        "| text | n | flagged (any attribute) | flagged TOXICITY | held out as |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, r in manifest["evaluation"].get("false_positives", {}).items():
        lines.append(
            f"| {name} | {r['n']} | {pct(r['any_attribute'])} | {pct(r.get('toxicity'))} "
            f"| {r.get('held_out', 'hand-written (tests/model/behaviour)')} |"
        )
    return lines


def combiners(manifest: Mapping[str, Any]) -> list[str]:
    """Return each attribute's sentence-combiner weights and calibrator."""
    lines = [
        "| attribute | w_whole | w_max | w_count (log units) | bias | calibrator |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, c in manifest.get("combiners", {}).get("by_attribute", {}).items():
        lines.append(
            f"| {name} | {fmt(c['w_whole'])} | {fmt(c['w_max'])} | {fmt(c['w_count'])} | {fmt(c['bias'])} "
            f"| {c['calibrator']['kind']} |"
        )
    return lines
