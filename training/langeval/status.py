"""The proposed status rule: ``supported``, ``experimental`` or ``unsupported`` per (language, attribute).

Stated before the figures were read, and decided from the validation figures of
the design the default model would use:

- ``unsupported`` when the language has no training row that labels the
  attribute (THREAT everywhere but English), when every source that labels it is
  left out of the default model (a non-commercial licence), when the validation
  split holds fewer than ``MIN_MEASURABLE`` positives or negatives (no AUC worth
  the name), when the ROC-AUC is below ``MIN_EXPERIMENTAL_AUC``, or when more than
  ``MAX_POSITIVE_SHARE`` of the training rows that label it are positive. That last
  condition was added after the first per-language model flagged every neutral and
  news sentence of its French behaviour cases: French (MLMA, collected with hate
  keywords) is 80 % positive, so the model never saw what an ordinary comment looks
  like, its calibrated probabilities start from an 80 % prior, and its thresholds
  assume a mostly hostile comment stream. A ranking AUC does not show that. Nor
  does it show a default threshold that is useless in practice, so two conditions
  on the default threshold's figures were added with it: precision below
  ``MIN_PRECISION`` (most flags wrong) makes a pair unsupported, and recall below
  ``MIN_SUPPORTED_RECALL`` (three toxic comments in four missed) keeps it from
  ``supported``.
- ``supported`` when the validation split holds at least ``MIN_SUPPORTED``
  positives and negatives, the ROC-AUC is at least ``MIN_SUPPORTED_AUC``, it is no
  more than ``BASELINE_TOLERANCE`` below the naive per-language baseline, and the
  label maps to the attribute directly (most training positives come from a
  source whose mapping is not approximate).
- ``experimental`` otherwise: measurable and better than chance by a margin, but
  thin, weak, behind the naive baseline or approximately labelled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from training.loaders.multilingual import APPROXIMATE, multilingual_default_excluded
from training.records import Record

MIN_MEASURABLE = 20
MIN_SUPPORTED = 50
MIN_EXPERIMENTAL_AUC = 0.70
MAX_POSITIVE_SHARE = 0.60
MIN_PRECISION = 0.30
MIN_SUPPORTED_RECALL = 0.25
MIN_SUPPORTED_AUC = 0.80
BASELINE_TOLERANCE = 0.01


@dataclass(frozen=True, slots=True)
class PairFigures:
    """What the rule reads for one (language, attribute)."""

    train_rows: int
    val_positives: int
    val_negatives: int
    auc: float | None
    naive_auc: float | None
    approximate: bool
    licence_excluded: bool
    positive_share: float | None = None
    """The share of the training rows labelling the attribute that are positive (None: not measured)."""
    precision: float | None = None
    """Precision at the default threshold on the validation rows (None: not measured)."""
    recall: float | None = None
    """Recall at the default threshold on the validation rows (None: not measured)."""


def status(f: PairFigures) -> tuple[str, str]:
    """Return the status of one pair and the reason, in words."""
    if f.train_rows == 0:
        return "unsupported", "no training data labels it"
    if f.licence_excluded:
        return "unsupported", "its only sources are left out of the default model (licence)"
    if min(f.val_positives, f.val_negatives) < MIN_MEASURABLE or f.auc is None:
        return "unsupported", f"fewer than {MIN_MEASURABLE} validation positives or negatives"
    if f.auc < MIN_EXPERIMENTAL_AUC:
        return "unsupported", f"ROC-AUC {f.auc:.3f} < {MIN_EXPERIMENTAL_AUC}"
    if f.positive_share is not None and f.positive_share > MAX_POSITIVE_SHARE:
        return "unsupported", (
            f"{f.positive_share:.0%} of its training rows are positive (> {MAX_POSITIVE_SHARE:.0%}): "
            "too few ordinary comments to learn from, and thresholds that assume a mostly hostile stream"
        )
    if f.precision is not None and f.precision < MIN_PRECISION:
        return "unsupported", (
            f"precision {f.precision:.3f} < {MIN_PRECISION} at the default threshold: most flags would be wrong"
        )
    short = []
    if min(f.val_positives, f.val_negatives) < MIN_SUPPORTED:
        short.append(f"fewer than {MIN_SUPPORTED} validation positives or negatives")
    if f.auc < MIN_SUPPORTED_AUC:
        short.append(f"ROC-AUC {f.auc:.3f} < {MIN_SUPPORTED_AUC}")
    if f.naive_auc is not None and f.auc < f.naive_auc - BASELINE_TOLERANCE:
        short.append(f"behind the naive baseline ({f.auc:.3f} < {f.naive_auc:.3f} - {BASELINE_TOLERANCE})")
    if f.recall is not None and f.recall < MIN_SUPPORTED_RECALL:
        short.append(f"recall {f.recall:.3f} < {MIN_SUPPORTED_RECALL} at the default threshold")
    if f.approximate:
        short.append("approximate label mapping")
    if short:
        return "experimental", "; ".join(short)
    return "supported", f"ROC-AUC {f.auc:.3f} on {f.val_positives}+{f.val_negatives} validation rows"


def mapping_facts(
    train: Sequence[Record], language: str, attribute: str, allowed: Collection[str] = ()
) -> tuple[bool, bool, list[str]]:
    """Return (approximate, licence-excluded, sources) for one pair, from its training rows.

    Approximate: most training positives come from sources whose mapping of the
    attribute is approximate. Licence-excluded: every source that labels it is one a
    default model leaves out, unless named in ``allowed`` (a run that asked for it).
    """
    positives = Counter(r.source for r in train if r.language == language and r.labels.get(attribute) == 1)
    sources = sorted({r.source for r in train if r.language == language and attribute in r.labels})
    total = sum(positives.values())
    approx = sum(n for s, n in positives.items() if attribute in APPROXIMATE.get(s, frozenset()))
    excluded = set(multilingual_default_excluded()) - set(allowed)
    return total > 0 and 2 * approx > total, bool(sources) and set(sources) <= excluded, sources
