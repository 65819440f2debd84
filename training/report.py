"""The model card (``MODEL_CARD.md``) and its plots, rendered from a run's manifest.

The label mapping section is each loader module's docstring, so the card and the
code cannot drift apart.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from training.loaders import (
    cat_large,
    davidson,
    dynahate,
    edos,
    ethos,
    gab_hate,
    generic,
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
from training.metrics import reliability

MAPPING_DOCS = {
    "civil-comments-toxic-spans": toxic_spans,
    "davidson-hate-offensive": davidson,
    "olid": olid,
    "tweeteval-hate / tweeteval-offensive": tweeteval,
    "ethos": ethos,
    "implicit-hate": implicit_hate,
    "degibert-stormfront": stormfront,
    "impermium-insults": impermium,
    "unhealthy-conversations": unhealthy,
    "cat-large": cat_large,
    "gab-hate-corpus": gab_hate,
    "reddit-misogyny": reddit_misogyny,
    "edos": edos,
    "sbic": sbic,
    "dynahate": dynahate,
    "trac1": trac1,
    "paradetox": paradetox,
    "hatexplain": hatexplain,
    "youtube-violent-threats": youtube_threats,
    "generic, Jigsaw 2018 and Civil Comments 2019 formats": generic,
}


def render_plots(curves: Mapping[str, tuple[NDArray[np.int64], NDArray[np.float64]]]) -> dict[str, bytes]:
    """Return PNG bytes of ROC, precision-recall and reliability plots (pooled validation)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve, roc_curve

    out: dict[str, bytes] = {}
    kinds = ("roc", "pr", "reliability")
    for kind in kinds:
        fig, ax = plt.subplots(figsize=(6, 5), dpi=80)
        for name, (y, p) in curves.items():
            if not 0 < y.sum() < len(y):
                continue
            if kind == "roc":
                fpr, tpr, _ = roc_curve(y, p)
                ax.plot(fpr, tpr, label=name)
            elif kind == "pr":
                precision, recall, _ = precision_recall_curve(y, p)
                ax.plot(recall, precision, label=name)
            else:
                bins = reliability(y, p)
                ax.plot([b["mean_p"] for b in bins], [b["rate"] for b in bins], marker="o", label=name)
        if kind == "roc":
            ax.plot([0, 1], [0, 1], "k:", linewidth=1)
            ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (validation)")
        elif kind == "pr":
            ax.set(xlabel="recall", ylabel="precision", title="Precision-recall (validation)")
        else:
            ax.plot([0, 1], [0, 1], "k:", linewidth=1)
            ax.set(xlabel="mean predicted probability", ylabel="observed rate", title="Reliability (validation)")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.01)
        ax.legend(fontsize=8, loc="lower right" if kind != "pr" else "lower left")
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png", metadata={"Software": None})
        plt.close(fig)
        out[f"{kind}.png"] = buf.getvalue()
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _metrics_table(manifest: Mapping[str, Any]) -> list[str]:
    ours = manifest["metrics"]["validation"]
    base = manifest["metrics"]["naive_baseline"]
    primary = manifest["data"]["primary_attribute"]
    lines = [
        "| attribute | source | n | pos | ROC-AUC | PR-AUC | F1 | ECE "
        "| baseline ROC-AUC | baseline PR-AUC | baseline F1 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for attribute, by_source in ours.items():
        for source, m in by_source.items():
            b = base.get(attribute, {}).get(source, {})
            mark = " **(primary)**" if primary.get(source) == attribute else ""
            lines.append(
                f"| {attribute} | {source}{mark} | {m['n']} | {m['positives']} | {_fmt(m.get('roc_auc'))} "
                f"| {_fmt(m.get('pr_auc'))} | {_fmt(m.get('f1'))} | {_fmt(m.get('ece'))} "
                f"| {_fmt(b.get('roc_auc'))} | {_fmt(b.get('pr_auc'))} | {_fmt(b.get('f1'))} |"
            )
    return lines


def render_card(manifest: Mapping[str, Any], plot_names: Sequence[str]) -> str:
    """Return the model card as Markdown."""
    attrs = manifest["attributes"]
    data = manifest["data"]
    params = manifest["parameters"]
    lines = [
        f"# Model card: comment toxicity model {manifest['version']}",
        "",
        f"Created {manifest['created']} from commit `{manifest['git_commit']}` "
        f"with scikit-learn {manifest['libraries']['scikit-learn']}. Training took "
        f"{manifest['training_seconds']} s.",
        "",
        "## Intended use",
        "",
        "Scoring English-language comments in online discussions (news comment sections, "
        "forums) for moderation support: queueing comments for human review, warning a "
        "writer before posting, or sorting. Scores are calibrated probabilities that a "
        "comment of the kind the model was trained on would be labelled with the attribute.",
        "",
        "Not intended for: automated punishment or removal without human review; judging "
        "people rather than comments; languages other than English; domains far from "
        "social-media text (medical, legal, chat transcripts); any use where a false "
        "positive silences someone without appeal.",
        "",
        "## Attributes",
        "",
        "| attribute | definition | status | default threshold | calibration | C | alpha |",
        "| --- | --- | --- | ---: | --- | ---: | ---: |",
    ]
    for name, a in attrs.items():
        hp = a.get("hyperparameters", {})
        lines.append(
            f"| {name} | {a['definition']} | {a['status']} | {_fmt(a.get('threshold'))} "
            f"| {a.get('calibration', '—')} | {_fmt(hp.get('C'))} | {_fmt(hp.get('alpha'))} |"
        )
    lines += ["", "Why each status:", ""]
    lines += [f"- **{name}** ({a['status']}): {a['reason']}." for name, a in attrs.items()]
    lines += [
        "",
        "## Model",
        "",
        "Text is normalised (`model/normalize.py`: HTML entities, invisible characters, "
        "compatibility folding, homoglyphs, lower case, URL and mention placeholders, "
        "leetspeak, spaced-out letters, repeated characters, whitespace), then turned into "
        f"TF-IDF features over word n-grams {tuple(params['features']['word_ngram_range'])} and "
        f"character n-grams {tuple(params['features']['char_ngram_range'])} within word boundaries. "
        "Each attribute has one logistic-regression head, fitted only on comments whose "
        "label for that attribute is known.",
        "",
        "Sources label the same attribute under different conventions, so each head is "
        "fitted with feature augmentation (Daumé 2007): shared weights plus weights and a "
        "bias per source. The shipped head is the shared part plus `alpha` times the mean "
        "of the *defining* sources' parts (the sets built to label that attribute). `C` and "
        f"`alpha` are chosen by grouped {params['folds']}-fold cross-validation on the training "
        "split, maximising mean per-source ROC-AUC over the defining sources. Training rows "
        f"are reweighted so that each source counts as (size)^{1 - params['source_balance']:g}. "
        "Probabilities come from a Platt or isotonic calibrator (whichever has lower "
        "cross-fitted log loss) fitted on out-of-fold logits; the default threshold maximises "
        "out-of-fold F1. Nothing here saw the validation split.",
        "",
        "What a probability means: calibration is fitted on the training mixture, which is "
        "far more toxic than a typical comment section (Toxic Spans posts were pre-selected "
        "as toxic). Expect fewer positives in the wild at any threshold, and check the "
        "reliability plot before relying on a fixed cut-off such as 0.8.",
        "",
        "## Data",
        "",
        f"The sources below, from `../shared/data` (see its PROVENANCE.md; by default every "
        "set there except those `training.loaders.sources` leaves out, whose loaders say why). "
        "Each source is split "
        f"{1 - data['validation_fraction']:.0%} / {data['validation_fraction']:.0%} into "
        "training and validation by a hash of a group key: the comment's near-duplicate key "
        "(normalised, placeholders and punctuation dropped) or, for Stormfront, the forum "
        "post. Near-duplicates across all sources are merged before splitting, so no text "
        "sits on both sides. TweetEval's offensive set is OLID re-released; its tweets merge "
        "into their OLID twins and are counted once.",
        "",
        "| source | primary attribute | loaded | train | validation |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for source, s in data["sources"].items():
        lines.append(
            f"| {source} | {data['primary_attribute'].get(source) or '—'} | {s['loaded']} "
            f"| {s['train']} | {s['validation']} |"
        )
    merged = data.get("merged_duplicates", {})
    if merged:
        lines += [
            "",
            "Near-duplicates merged (kept <- folded in): " + "; ".join(f"{k}: {v}" for k, v in merged.items()) + ".",
        ]
    lines += ["", "Files (sha256):", ""]
    lines += [f"- `{f['path']}` `{f['sha256']}`" for f in data["files"]]
    lines += [
        "",
        "## Label mapping",
        "",
        "Which source feeds which attribute, and why (from each loader):",
        "",
    ]
    for name, module in MAPPING_DOCS.items():
        doc = (module.__doc__ or "").strip()
        lines += [f"### {name}", "", doc, ""]
    lines += [
        "## Validation metrics",
        "",
        "Held-out validation split of each source. ROC-AUC and PR-AUC are threshold-free; F1 "
        "is at the attribute's default threshold (the baseline's at 0.5); ECE is expected "
        "calibration error over ten bins. The naive baseline is a plain `TfidfVectorizer` + "
        "`LogisticRegression` fitted on one source's training split, without normalisation, "
        "in the same run. `all` pools every source.",
        "",
        *_metrics_table(manifest),
        "",
        "## Plots",
        "",
    ]
    lines += [f"![{n}](plots/{n})" for n in plot_names]
    lines += [
        "",
        "## Limitations and ethical considerations",
        "",
        "- **Dialect bias.** Tweet-based hate and offensive-language sets, Davidson et al. 2017 "
        "above all, label African-American English as offensive far more often than other "
        "English (Sap et al. 2019, Davidson et al. 2019). A model trained on them inherits "
        "that: expect higher TOXICITY scores for AAE and reclaimed in-group terms.",
        "- **Identity terms.** Comments that merely mention identities (gay, Muslim, Black, "
        "women) co-occur with attacks in training data and get raised IDENTITY_ATTACK and "
        "TOXICITY scores even when benign (Dixon et al. 2018).",
        "- **Source conventions differ.** Impermium counts only insults to a participant; "
        "Toxic Spans also insults of public figures; HatEval only hate against immigrants "
        "and women; Implicit Hate and Stormfront are white-supremacist material. The "
        "attributes inherit these scopes.",
        "- **Proxy and thin labels.** SEVERE_TOXICITY has no direct label (see its status). "
        "THREAT and PROFANITY have few positives; treat their scores with care.",
        "- **Surface features.** A bag of n-grams misses sarcasm, quotation and counter-speech "
        "(quoting a slur to condemn it scores like using it), and can be evaded by novel "
        "spellings the normaliser does not fold.",
        "- **English only.** Other languages get meaningless scores.",
        "- **Comment text is personal data.** The service never logs it by default; keep it that way.",
        "",
        "## Reproduce",
        "",
        "```",
        "toxicity train --data-dir ../shared/data --out model/default",
        "toxicity evaluate --model model/default --data-dir ../shared/data",
        "```",
        "",
    ]
    return "\n".join(lines)
