"""The model card (``MODEL_CARD.md``), rendered from a run's manifest.

Every figure comes from the manifest the training run wrote (tables in
``training.card_tables``); the label mapping section is each loader module's
docstring, so the card and the code cannot drift apart.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

from training import card_tables as t
from training.bias import worst_terms
from training.card_languages import languages_part
from training.loaders import SHARED_SOURCES, generic
from training.manifest import USER_LICENCE


def used_sources(manifest: Mapping[str, Any]) -> list[str]:
    """Return the sources a run trained on (rows in its training split)."""
    return [name for name, s in manifest["data"]["sources"].items() if s.get("train")]


def mapping_docs(used: Sequence[str] | None = None) -> dict[str, ModuleType]:
    """Return, per source (sources one module loads share a heading), the loader module whose docstring maps it.

    ``used`` limits the answer to the loaders of those sources, plus the generic formats'
    when a source is a user's file; ``None`` returns every loader.
    """
    by_module: dict[str, list[str]] = {}
    for name, loader in SHARED_SOURCES.items():
        if used is None or name in used or any(u.startswith(f"{name}:") for u in used):
            by_module.setdefault(loader.__module__, []).append(name)
    docs = {" / ".join(names): sys.modules[module] for module, names in by_module.items()}
    if used is None or any(u.split(":")[0] not in SHARED_SOURCES for u in used):
        docs["generic, Jigsaw 2018 and Civil Comments 2019 formats"] = generic
    return docs


def _data_paragraph(data: Mapping[str, Any]) -> str:
    """Return the Data section's opening: the shared sets, or only the files this run was given."""
    split = data.get("split", {})
    where = (
        f"The sets in `{data['root']}` (see its PROVENANCE.md for sources, rows removed and terms)"
        if data.get("root")
        else "The files given to `toxicity train`, and nothing else"
    )
    if data.get("root") and any(s.get("licence") == USER_LICENCE for s in data["sources"].values()):
        where += ", and the files given to `toxicity train`"
    shared = (
        " No official test split of a shared set is loaded. The default model trains only on sets usable "
        "by a commercial site; a set with no stated licence says so."
        if data.get("root")
        else ""
    )
    return (
        f"{where}. Each source is split {1 - data['validation_fraction']:.0%} / {data['validation_fraction']:.0%} "
        "into training and validation by a hash of a group key (a near-duplicate key; a forum post, a "
        "paraphrase set or a contrast pair where the source has one), after near-duplicates across "
        "sources are merged, so no text sits on both sides; validation is cut again into tuning "
        f"and report halves ({split.get('tune', '—')} and {split.get('report', '—')} comments).{shared}"
    )


def _additions(split: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Return the sentence on rows the run added for training only (``training/augment.py``)."""
    parts = []
    if split.get("identity_swaps"):
        parts.append(
            f"{split['identity_swaps']} counterfactual identity swaps (weight {params['swap_weight']:g}; "
            "`training/identity.py` says which terms and why)"
        )
    if split.get("threat_style_negatives"):
        parts.append(
            f"{split['threat_style_negatives']} benign sentences written in the YouTube threat set's style "
            "as its negatives"
        )
    if split.get("benign_sentences"):
        parts.append(
            f"{split['benign_sentences']} sentences of ordinary benign comments as rows of their own "
            f"(weight {params.get('sentence_weight', 0):g})"
        )
    if not parts:
        return "Training-only additions (`training/augment.py`): none for this data."
    last = ", and " if len(parts) > 2 else " and "
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + last + parts[-1]
    return f"Training-only additions (`training/augment.py`): {listed}."


def _reproduce(manifest: Mapping[str, Any]) -> list[str]:
    """Return the Reproduce section's commands: the run's own command line when it was recorded."""
    command = manifest.get("command")
    if not command:  # manifests written before the command was recorded
        command = "toxicity train --data-dir ../shared/data --out model/default"
    return ["```", command, "```"]


def _limitations(manifest: Mapping[str, Any]) -> list[str]:
    """Return the limitations, naming the worst identity terms this run measured."""
    worst = []
    for attribute, table in manifest["evaluation"].get("bias", {}).items():
        worst += [
            f"{term} ({metric.replace('_auc', '').upper()} AUC {value:.3f}, {attribute})"
            for term, metric, value in worst_terms(table)
        ]
    threat = manifest["attributes"].get("THREAT", {})
    suite = manifest["evaluation"].get("behaviour", {}).get("threats")
    by_source = manifest["metrics"]["validation"].get("THREAT", {})
    weakest = min(
        ((m["roc_auc"], s) for s, m in by_source.items() if s != "all" and "roc_auc" in m and m["positives"] >= 30),
        default=None,
    )
    lines = [
        "- **Identity terms.** Comments that mention identities co-occur with attacks in the "
        "training data. Counterfactual swaps and neutral identity text reduce, but do not remove, "
        "raised scores for comments that merely say who someone is (Dixon et al. 2018). The "
        "worst terms in this run's bias report: " + ("; ".join(worst) if worst else "none measured") + ".",
        "- **Dialect bias.** Tweet-based hate and offensive-language sets, Davidson et al. 2017 "
        "above all, label African-American English as offensive far more often than other "
        "English (Sap et al. 2019, Davidson et al. 2019). Expect higher TOXICITY scores for AAE "
        "and reclaimed in-group terms.",
        f"- **Threats.** THREAT is {threat.get('status', 'unsupported')} by the data rule "
        f"({threat.get('reason', '')}), but it misses most threats written as comments: "
        + (f"it flags {suite['rate']:.0%} of the behaviour suite's direct and veiled threats, " if suite else "")
        + (f"and its weakest source is {weakest[1]} (ROC-AUC {weakest[0]:.3f}). " if weakest else "")
        + "Most of its positives are group-targeted calls for violence (YouTube, Gab, EDOS); a personal "
        'threat without a violent word ("I know where you live") looks ordinary to a bag of n-grams. '
        "Sites that need threats caught should use the `high_recall` preset for THREAT and review by hand.",
        "- **Source conventions differ.** Impermium counts only insults to a participant; Toxic "
        "Spans also insults of public figures; HatEval only hate against immigrants and women; "
        "EDOS and the Reddit misogyny set only sexism; Implicit Hate and Stormfront are "
        "white-supremacist material. The attributes inherit these scopes.",
        "- **Proxy and thin labels.** SEVERE_TOXICITY has no direct label (see its status).",
        "- **Surface features.** A bag of n-grams misses sarcasm, quotation and counter-speech "
        "(quoting a slur to condemn it scores like using it), and can be evaded by spellings the "
        "normaliser does not fold.",
        "- **Overlap with public test sets.** Some posts of SBIC's test split also occur in the "
        "Implicit Hate and Stormfront training files, which the model trains on: do not evaluate "
        "it on SBIC's test split.",
        "- **English only.** Other languages get meaningless scores."
        if not manifest.get("languages")
        else "- **Other languages.** Only the languages listed under Other languages, each with its own sub-model "
        "and statuses; a comment in any other language, or scored without its language, gets the English "
        "model's scores, which mean little.",
        "- **Comment text is personal data.** The service never logs it by default; keep it that way.",
    ]
    return lines


def render_card(manifest: Mapping[str, Any], plot_names: Sequence[str], peer: Mapping[str, Any] | None = None) -> str:
    """Return the model card as Markdown (``peer``: ``bench/peer.py``'s results, shown beside ours)."""
    data = manifest["data"]
    params = manifest["parameters"]
    split = data.get("split", {})
    comb = manifest.get("combiners", {}).get("summary", {})
    share = {a: e.get("tuning_positive_share") for a, e in manifest["attributes"].items()}
    lines = [
        f"# Model card: comment toxicity model {manifest['version']}",
        "",
        f"Created {manifest['created']} from commit `{manifest['git_commit']}` with scikit-learn "
        f"{manifest['libraries']['scikit-learn']}. Training took {manifest['training_seconds']} s. "
        "Every figure below was measured by that training run.",
        "",
        "## Intended use",
        "",
        "Scoring English-language comments in online discussions (news comment sections, forums) "
        "for moderation support: queueing comments for human review, warning a writer before "
        "posting, or sorting. Scores are calibrated probabilities.",
        "",
        "Not intended for: automated punishment or removal without human review; judging people "
        "rather than comments; languages other than English; domains far from social-media text; "
        "any use where a false positive silences someone without appeal.",
        "",
        "## Attributes",
        "",
        *t.attributes(manifest),
        "",
        "Why each status:",
        "",
        *[f"- **{n}** ({a['status']}): {a['reason']}." for n, a in manifest["attributes"].items()],
        "",
        "## Thresholds",
        "",
        "Each attribute has three presets, chosen by stated rules on the tuning half of the "
        "validation split and measured again on the report half (rows that chose nothing): "
        "`high_precision`, the lowest threshold with precision at least 0.9; `balanced` (the "
        "default), the lowest with precision at least 0.8; `high_recall`, the highest with recall "
        "at least 0.9. Where no threshold reaches a precision target, the preset is the threshold "
        "of highest F1, and the table says the rule was not reached. `POST /v1/score` takes a "
        'preset by name (`"thresholds": "high_precision"`); `GET /v1/model` lists them.',
        "",
        "What the probabilities and thresholds assume: the mix of the tuning rows, in which the "
        "share of positives is "
        + ", ".join(f"{a} {t.pct(v)}" for a, v in share.items() if v is not None)
        + ". A comment section sees far fewer toxic comments (about 8 % in Civil Comments), so "
        "precision there is lower than in the tables at the same threshold: prefer "
        "`high_precision` where false positives are costly.",
        "",
        *t.presets(manifest),
        "",
        "## Model",
        "",
        "Text is normalised (`model/normalize.py`: HTML entities, invisible characters, "
        "compatibility folding, homoglyphs, lower case, URL and mention placeholders, leetspeak, "
        "spaced-out letters, repeated characters, whitespace), then turned into TF-IDF features "
        f"over word n-grams {tuple(params['features']['word_ngram_range'])} and character n-grams "
        f"{tuple(params['features']['char_ngram_range'])} within word boundaries. Each attribute has "
        "one logistic-regression head, fitted only on comments whose label for it is known. "
        + (
            "It uses feature augmentation (Daumé 2007): shared weights plus weights and a bias per source; "
            "the shipped head is the shared part plus `alpha` times the mean of the defining sources' parts. "
            if params.get("augment")
            else "It is fitted on every source pooled. "
        )
        + f"`C` is chosen by grouped {params['folds']}-fold cross-validation on the training split "
        "(mean per-source ROC-AUC over the sets built to label the attribute). Training rows keep "
        + (
            "their raw counts"
            if not params["source_balance"]
            else f"(size)^{1 - params['source_balance']:g} per source"
        )
        + f", except that no source holds more than {params.get('max_source_share', 1):.0%} of an "
        "attribute's weight (shares below). Each head's own calibrator, fitted on out-of-fold logits, "
        "serves only as the combiner's fallback.",
        "",
        "**Long comments.** A comment of at least 120 characters with two or more sentences "
        "(`model/sentences.py`; sentences under 20 characters join the next) is scored whole and "
        "sentence by sentence. Per attribute, `w_whole * z_whole + w_max * max(z_sentence) + "
        "w_count * log(sentences) + bias` is then calibrated (Platt or isotonic, lower "
        "cross-fitted log loss). The weights were fitted on the tuning half: its "
        f"{comb.get('tune_comments', '—')} comments, plus {comb.get('built_comments', '—')} long "
        "comments built from its sentences (a short held-out comment placed among 1 to 60 benign "
        "held-out sentences; positives and negatives built alike, so length carries no label). "
        "A shorter comment takes the same path with one sentence. Left to the fit, a long benign "
        "comment's highest sentence climbs with its length, so `w_count` is then lowered until "
        f"benign comments built of {', '.join(map(str, comb.get('length_checks', [])))} held-out sentences "
        f"score at or above the default threshold at most {100 * comb.get('length_slack', 0):g} percentage "
        "points more often than single sentences (on the tuning half); the price is in the Long "
        "comments section below.",
        "",
        *t.combiners(manifest),
        "",
        "## Data",
        "",
        _data_paragraph(data),
        "",
        *t.sources(manifest),
        "",
        _additions(split, params),
        "",
        "Share of each head's training weight per source:",
        "",
        *t.weights(manifest),
        "",
        "## Label mapping",
        "",
        "Which source feeds which attribute, and why (from each loader):",
        "",
    ]
    # A run on the shared sets documents every set's mapping (the sources table says why a set is unused).
    used = None if manifest["data"].get("root") else used_sources(manifest)
    for name, module in mapping_docs(used).items():
        lines += [f"### {name}", "", (module.__doc__ or "").strip(), ""]
    lines += [
        "## Validation metrics",
        "",
        "The report half of the validation split. F1 is at the default threshold; ECE is expected "
        "calibration error over ten bins. The naive baseline is word 1-2-gram and character "
        "2-5-gram TF-IDF on the raw text with one logistic regression per attribute, fitted on the "
        "same pooled training rows in the same run; the per-source baseline is a word TF-IDF "
        "logistic regression fitted on one source alone. `all` pools every source.",
        "",
        *t.validation(manifest),
        "",
        "Calibration error per source, with the share of positives the source holds:",
        "",
        *t.calibration(manifest),
        "",
        "## Long comments",
        "",
        "Held-out abusive sentences (report half, TOXICITY = 1, one or two sentences) alone and "
        "placed among held-out benign sentences, and benign sentences alone and as comments of as "
        "many sentences, flagged at the default TOXICITY threshold:",
        "",
        *t.dilution(manifest),
        "",
        "## Identity bias",
        "",
        "Per identity term (`training/identity.py` says why these), on the report half: subgroup "
        "AUC, BPSN and BNSP AUC (Borkan et al. 2019). A dash means fewer than 20 positives or "
        "negatives mention the term.",
        "",
        *t.bias(manifest),
        "",
        "## Ordinary prose",
        "",
        "Share of non-toxic text flagged at the default thresholds: the non-toxic comments of the "
        "news-comment sets, and the behaviour suite's hand-written benign categories. The Toxic Spans "
        "comments judged not toxic were all first rated toxic by Civil Comments raters, so they are "
        "borderline by construction; the Unhealthy Conversations comments (Globe and Mail) are an "
        "ordinary comment section the model never trained on.",
        "",
        *t.false_positives(manifest),
        "",
        "## Behaviour suite",
        "",
        "Hand-written comments per known failure (`tests/model/behaviour/cases.json`), at the "
        "default thresholds"
        + (", beside alt-profanity-check at its 0.5 cut-off (`bench/peer.py`)" if peer else "")
        + ":",
        "",
        *t.behaviour(manifest, peer),
        "",
    ]
    if peer:
        lines += [
            "### Beside a peer",
            "",
            f"`{peer.get('command', 'python bench/peer.py')}` scored the same report rows with "
            f"{peer.get('peer', {}).get('package', 'alt-profanity-check')} (a unigram TF-IDF and linear "
            "SVM that ships its model), flagging at its 0.5 cut-off, beside this model at its default "
            "thresholds. The peer has one output, so it stands for every attribute.",
            "",
            *t.peer_validation(peer),
            "",
        ]
    lines += [
        *languages_part(manifest),
        "## Plots",
        "",
        *[f"![{n}](plots/{n})" for n in plot_names],
        "",
        "## Limitations and ethical considerations",
        "",
        *_limitations(manifest),
        "",
        "## Reproduce",
        "",
        f"From commit `{manifest['git_commit']}`, the command that trained this model:",
        "",
        *_reproduce(manifest),
        "",
        "`toxicity evaluate --model <this folder>` with the same data options measures it again on "
        "the report half of its validation split.",
        "",
    ]
    return "\n".join(lines)
