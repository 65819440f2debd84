"""The retrain gate: may the candidate replace the base model? Rules, margins, and the decision.

``training.retrain`` compares both models on the shared validation rows (the corpus's
validation split, labels untouched by feedback) per attribute, pooled (``all``) and per
source, and hands those rows here. The candidate is promoted only if, in every one of
those parts:

- ``scored``: it scores every attribute the base scores;
- ``roc_auc``: its ROC-AUC is not lower than the base's by more than ``Margins.roc_auc``;
- ``brier``: its Brier score (mean squared error of the probability) is not higher by
  more than ``Margins.brier``. ROC-AUC sees only the order of the scores: a candidate
  that pushes every insult down together keeps it at 1.0; the Brier score sees the
  probabilities move;
- ``agreement``: its agreement (the share of rows on the same side of the model's own
  default threshold as their label) is not lower by more than ``Margins.agreement``,
  or by one row in a part of fewer rows than that margin can see. This is what the
  service's flags do, and what a poisoning run that relabels insults breaks first.

Per source, not only pooled: a source of a few hundred rows can lose badly while the
pooled figure of a large corpus barely moves. The held-out feedback is reported beside
but not gated: it measures the correction itself, which is what the candidate changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from model.scorer import ToxicityModel

SHARED = "shared validation"
"""The comparison rows' ``part`` that the gate judges."""


@dataclass(frozen=True, slots=True)
class Margins:
    """How much worse than the base the candidate may be in any attribute and part, per metric."""

    roc_auc: float = 0.005
    brier: float = 0.005
    agreement: float = 0.005

    def describe(self) -> str:
        """Return the margins as the command prints them and the card states them."""
        rows = math.ceil(1 / self.agreement - 1e-9) if self.agreement > 0 else 0  # 1 / n > margin below it
        small = f"in a part of fewer than {rows} rows" if self.agreement > 0 else "in any part"
        return (
            f"ROC-AUC may fall by at most {self.roc_auc}, the Brier score rise by at most {self.brier}, and "
            f"agreement fall by at most {self.agreement} (or one row, {small}), per attribute, pooled and per "
            "source, on the shared validation rows"
        )

    def as_dict(self) -> dict[str, float]:
        """Return the margins for the report."""
        return asdict(self)


@dataclass(slots=True)
class Decision:
    """Whether the candidate was promoted, the rule text, and the names of the rules that refused it."""

    promoted: bool
    rule: str
    failed: list[str] = field(default_factory=list)


METRICS = (("roc_auc", "ROC-AUC", True), ("brier", "Brier score", False), ("agreement", "agreement", True))
"""Each gated metric: its key in the comparison rows, its name, and whether higher is better."""


def _allowed(metric: str, margins: Margins, n: int) -> float:
    margin = float(getattr(margins, metric))
    return max(margin, 1 / n) if metric == "agreement" else margin


def _judge(row: dict[str, Any], margins: Margins) -> list[tuple[str, str]]:
    """Return ``(rule, why)`` for every metric in which this row's candidate is worse than allowed."""
    out = []
    for metric, name, higher_is_better in METRICS:
        base, cand = row.get(f"base_{metric}"), row.get(f"candidate_{metric}")
        if base is None or cand is None:
            continue
        worse = base - cand if higher_is_better else cand - base
        if metric == "agreement" and "base_agreed" in row and "candidate_agreed" in row:
            worse = (row["base_agreed"] - row["candidate_agreed"]) / row["n"]  # from counts: one row is exactly 1/n
        allowed = _allowed(metric, margins, row["n"])
        if worse > allowed + 1e-12:  # the figures are unrounded; this only absorbs float noise
            out.append(
                (
                    metric,
                    f"{row['attribute']} {name} on {row['source']} ({row['n']} rows) {cand:.4f} vs the base's "
                    f"{base:.4f} (worse by {worse:.4f}, more than {allowed:.4f})",
                )
            )
    return out


def gate(
    base: ToxicityModel, candidate: ToxicityModel, rows: Sequence[dict[str, Any]], margins: Margins, force: bool
) -> Decision:
    """Decide the promotion by the rules above; ``force`` promotes regardless and says what the gate found."""
    dropped = [a for a in base.scored_attributes if a not in candidate.attributes]
    failures = [("scored", f"{a} is not scored by the candidate") for a in dropped]
    judged = [r for r in rows if r["part"] == SHARED]
    for row in judged:
        failures += _judge(row, margins)
    if not any(r["base_roc_auc"] is not None and r["candidate_roc_auc"] is not None for r in judged):
        failures.append(("compared", "no attribute has both classes in the shared validation rows"))
    failed = sorted({rule for rule, _ in failures})
    found = "; ".join(why for _, why in failures)
    if force:
        why = found or "it also passed"
        return Decision(True, f"forced (--force): promoted regardless of the gate ({why})", failed)
    if failures:
        return Decision(False, f"refused by the gate (rule {', '.join(failed)}): {found}", failed)
    attributes = len({r["attribute"] for r in judged})
    return Decision(
        True,
        f"promoted by the gate: no attribute was dropped, and in {len(judged)} parts ({attributes} attributes, "
        f"pooled and per source) none was worse than the margins (ROC-AUC {margins.roc_auc}, Brier score "
        f"{margins.brier}, agreement {margins.agreement})",
    )
