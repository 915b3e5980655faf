"""The one scale of a run's numbers: percent, as the paper reports them.

Every score and share a run writes (precision, recall, F1, the labeled-translation accuracies, well-formed and kept
shares, BLEU, chrF++) is a percentage from 0 to 100: two decimals in ``metrics.json``, one in the report's tables,
the cards and the app. The library's own functions (:mod:`crop_hf.core.metrics`, :class:`~crop_hf.core.filters.FilterStats`)
return fractions, as seqeval and ``evaluate`` do; a stage converts them once, when it records its result.
Counts (kept, total, drops, sentences) and settings (``min_slot_score``, a probability) are not scores.
"""

from __future__ import annotations

from typing import Any

from ..core.filters import FilterStats

SCALE_NOTE = (
    "Every score and share here (precision, recall, F1, accuracies, well-formed and kept shares, BLEU, chrF++) is "
    "in percent, 0-100, as in the paper."
)
# the keys of metrics.json whose numbers are scores in percent (wherever they stand)
PERCENT_KEYS = frozenset({
    "precision", "recall", "f1", "kept_percent", "accuracy", "well_formed", "entity_accuracy", "entity_well_formed",
    "zero_shot", "translate_train", "translate_test", "crop", "bleu", "chrf++", "mean", "std",
})  # fmt: skip


def percent(fraction: float | None) -> float | None:
    """A fraction in [0, 1] as a percentage with two decimals (``None`` stays ``None``)."""
    return None if fraction is None else round(100 * fraction, 2)


def kept_counts(stats: FilterStats) -> dict[str, Any]:
    """Kept, total, the kept share in percent (``kept_percent``) and the drops per reason, as a run records them."""
    counts = stats.counts()
    return {"kept": counts["kept"], "total": counts["total"], "kept_percent": percent(stats.kept / max(1, stats.seen)),
            "drops": counts["drops"]}  # fmt: skip
