"""Scores of every CROP stage: NER F1 (seqeval), projection against gold, slot boundary precision, BLEU.

* :func:`ner_scores`: seqeval entity-level micro P/R/F1 and per-type scores (default, non-strict mode: the
  numbers the CROP paper and transformers' ``run_ner.py`` report). :func:`seqeval_metric_path` is the same
  metric as a local ``evaluate`` module that loads offline: ``evaluate.load(seqeval_metric_path())``.
* :func:`projection_scores`: projected entities against gold target entities, on the sentences the projection
  kept, plus the share it kept.
* :func:`labeled_accuracy`: the paper's labeled translation accuracy (Table 6): of the slots *sent*, the share that
  come back around their target phrase; a missing or malformed slot is a failure. :func:`slot_boundary_precision`
  divides by the slots that came back instead; :func:`well_formed_rate` is the share of outputs with no slot
  problem.
* :func:`bleu`: sacrebleu corpus BLEU. spBLEU (the FLORES SentencePiece tokenisation) is used only when its model
  file is already on disk, never downloaded; otherwise ``13a`` (``zh`` for Chinese, ``char`` for the other
  char-level languages), and the result says which tokenisation it used.

Nothing here imports torch or transformers.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .tagging import Span

SPBLEU_TOKENIZERS: tuple[str, ...] = ("flores101", "flores200")


@dataclass
class LabelScores:
    """Entity-level scores of one entity type; ``support`` is its number of gold entities."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class NerScores:
    """Micro-averaged entity P/R/F1 over all types, gold entity count, per-type scores, token accuracy."""

    precision: float
    recall: float
    f1: float
    support: int
    per_label: dict[str, LabelScores] = field(default_factory=dict)
    accuracy: float = 0.0

    def to_evaluate_dict(self) -> dict[str, Any]:
        """The result layout of the Hub ``seqeval`` metric (``overall_f1``, ``{"PER": {"f1": ..}}``, ...)."""
        out: dict[str, Any] = {
            label: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "number": s.support}
            for label, s in self.per_label.items()
        }
        out.update(
            overall_precision=self.precision,
            overall_recall=self.recall,
            overall_f1=self.f1,
            overall_accuracy=self.accuracy,
        )
        return out


@dataclass
class ProjectionScores:
    """Entity P/R/F1 over the kept sentences; ``kept`` of ``total`` sentences survived projection."""

    precision: float
    recall: float
    f1: float
    kept: int
    total: int
    kept_ratio: float
    correct: int = 0
    predicted: int = 0
    gold: int = 0


@dataclass
class BleuResult:
    """A corpus BLEU score, the tokenisation it used and sacrebleu's signature of the whole setting."""

    score: float
    tokenize: str
    signature: str = ""


def ner_scores(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> NerScores:
    """seqeval entity-level scores (default mode) of BIO ``pred_tags`` against ``true_tags``.

    Both are lists of sentences of tags and must have the same shape; a mismatch raises ``ValueError`` naming
    the first sentence that differs. Types are reported in sorted order, as seqeval does.
    """
    from seqeval.metrics import accuracy_score
    from seqeval.metrics.sequence_labeling import get_entities, precision_recall_fscore_support

    true, pred = [list(t) for t in true_tags], [list(p) for p in pred_tags]
    _check_shapes(true, pred)
    if not true:
        return NerScores(0.0, 0.0, 0.0, 0, {}, 0.0)
    labels = sorted({e[0] for e in get_entities(true)} | {e[0] for e in get_entities(pred)})
    per_p, per_r, per_f, per_s = precision_recall_fscore_support(true, pred, average=None, zero_division=0)
    per_label = {
        label: LabelScores(float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(labels, per_p, per_r, per_f, per_s)
    }
    p, r, f, _ = precision_recall_fscore_support(true, pred, average="micro", zero_division=0)
    support = sum(s.support for s in per_label.values())
    accuracy = float(accuracy_score(true, pred)) if any(true) else 0.0
    return NerScores(float(p), float(r), float(f), support, per_label, accuracy)


def seqeval_metric_path() -> str:
    """Path of the local ``evaluate`` module computing :func:`ner_scores`: ``evaluate.load(path)`` works offline."""
    return str(Path(__file__).parents[1] / "evaluate_metrics" / "crop_seqeval" / "crop_seqeval.py")


def projection_scores(gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span] | None]) -> ProjectionScores:
    """Entity P/R/F1 of projected spans against gold spans, counted only on kept sentences.

    ``pred[i]`` is ``None`` for a sentence the projection discarded; an entity counts as correct when start, end
    and type all match. ``gold`` and ``pred`` must have the same length.
    """
    if len(gold) != len(pred):
        raise ValueError(f"projection_scores: {len(gold)} gold sentences but {len(pred)} predictions")
    correct = n_pred = n_gold = kept = 0
    for g, p in zip(gold, pred):
        if p is None:
            continue
        kept += 1
        gold_count, pred_count = Counter(g), Counter(p)
        correct += sum((gold_count & pred_count).values())
        n_pred += len(p)
        n_gold += len(g)
    precision, recall, f1 = _prf(correct, n_pred, n_gold)
    total = len(gold)
    return ProjectionScores(
        precision, recall, f1, kept, total, kept / total if total else 0.0, correct, n_pred, n_gold
    )


def slot_boundary_precision(
    predicted: Sequence[Any],
    gold: Sequence[Mapping[int, Sequence[str] | str]],
    char_level: Sequence[bool] | bool = False,
) -> float:
    """Share of predicted slots whose words equal the gold target phrase of the same slot id.

    ``predicted`` are parsed outputs (:class:`~crop_hf.core.slots.ParsedSlots`: ``.tokens`` and ``.spans`` with
    ``slot_id``, ``start``, ``end``); ``gold[i]`` maps slot id to the gold phrase (tokens or a string). The
    comparison is case-sensitive with whitespace normalised; for char-level languages (``char_level``, one flag
    for all or one per sentence) whitespace is removed. A slot id with no gold phrase counts as wrong. Returns
    0.0 when there is no predicted slot at all.
    """
    flags = _slot_flags("slot_boundary_precision", predicted, gold, char_level)
    good = total = 0
    for parsed, phrases, char in zip(predicted, gold, flags):
        for span in parsed.spans:
            total += 1
            phrase = phrases.get(span.slot_id)
            if phrase is not None:
                good += _norm(parsed.tokens[span.start : span.end], char) == _norm(phrase, char)
    return good / total if total else 0.0


def labeled_accuracy(
    predicted: Sequence[Any],
    gold: Sequence[Mapping[int, Sequence[str] | str]],
    char_level: Sequence[bool] | bool = False,
) -> float:
    """Share of the slots sent (every slot id of ``gold[i]``) that come back around their gold target phrase.

    As the paper's labeled translation accuracy counts a missing boundary symbol as a failure, a slot that did not
    come back as one trusted span (missing, unpaired, repeated, nested: see :func:`~crop_hf.core.slots.parse_slots`)
    counts as wrong, as does one around other words. Arguments as in :func:`slot_boundary_precision`; returns 0.0
    when no slot was sent.
    """
    flags = _slot_flags("labeled_accuracy", predicted, gold, char_level)
    good = total = 0
    for parsed, phrases, char in zip(predicted, gold, flags):
        for slot_id, phrase in phrases.items():
            total += 1
            words = parsed.span_tokens(slot_id)
            good += words is not None and _norm(words, char) == _norm(phrase, char)
    return good / total if total else 0.0


def well_formed_rate(parsed: Sequence[Any]) -> float:
    """Share of parsed outputs with no slot problem (``.problems`` empty); 0.0 for no outputs."""
    return sum(not p.problems for p in parsed) / len(parsed) if parsed else 0.0


def bleu(
    hypotheses: Sequence[str],
    references: Sequence[str],
    tokenize: str | None = None,
    lang: str | None = None,
    spm_model: str | Path | None = None,
) -> BleuResult:
    """sacrebleu corpus BLEU of ``hypotheses`` against one reference each.

    ``spm_model``, a local copy of the FLORES SentencePiece model (``flores101_sacrebleu_spm.model``, or
    FLORES-200's), gives spBLEU without sacrebleu's download: both sides are cut into its pieces and scored with
    ``tokenize="none"``. Otherwise ``tokenize=None`` picks spBLEU (``flores101``, then ``flores200``) when
    sacrebleu's own copy of the model is already on disk (:func:`spbleu_model_path`), else ``13a``, or for a
    char-level target ``lang`` ``zh`` (Chinese) or ``char``. An explicit spBLEU ``tokenize`` whose model is missing
    raises ``FileNotFoundError``: nothing is downloaded. The returned :class:`BleuResult` names the tokenisation
    used; only scores with the same one compare.
    """
    from ..base.extras import require

    require("sacrebleu", "BLEU", "metrics")
    from sacrebleu.metrics import BLEU

    if len(hypotheses) != len(references):
        raise ValueError(f"bleu: {len(hypotheses)} hypotheses but {len(references)} references")
    if spm_model is not None:
        import sentencepiece

        path = Path(spm_model).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"spm_model {path}: no such file; give the FLORES SentencePiece model")
        sp = sentencepiece.SentencePieceProcessor(model_file=str(path))
        hypotheses, references = ([" ".join(sp.encode(t, out_type=str)) for t in side]
                                  for side in (hypotheses, references))  # fmt: skip
        metric = BLEU(tokenize="none")
        score = metric.corpus_score(list(hypotheses), [list(references)])
        return BleuResult(float(score.score), f"spm:{path.name}", str(metric.get_signature()))
    if tokenize is None:
        tokenize = _default_tokenize(lang)
    elif tokenize in _spm_models() and not spbleu_model_path(tokenize).is_file():
        raise FileNotFoundError(
            f"spBLEU tokenizer {tokenize!r} needs its SentencePiece model at {spbleu_model_path(tokenize)}; "
            "copy it there (or set $SACREBLEU before importing sacrebleu), or use tokenize=None to fall back "
            "to '13a'"
        )
    metric = BLEU(tokenize=tokenize)
    score = metric.corpus_score(list(hypotheses), [list(references)])
    return BleuResult(float(score.score), tokenize, str(metric.get_signature()))


def chrf_plus_plus(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """sacrebleu corpus chrF++ (character 6-grams and word bigrams) of ``hypotheses``, one reference each."""
    from ..base.extras import require

    require("sacrebleu", "chrF++", "metrics")
    from sacrebleu.metrics import CHRF

    if len(hypotheses) != len(references):
        raise ValueError(f"chrf_plus_plus: {len(hypotheses)} hypotheses but {len(references)} references")
    return float(CHRF(word_order=2).corpus_score(list(hypotheses), [list(references)]).score)


def spbleu_model_path(tokenize: str = "flores101") -> Path:
    """Where sacrebleu looks for the SentencePiece model of ``tokenize`` (``$SACREBLEU/models/<file>``).

    sacrebleu reads ``$SACREBLEU`` (default ``~/.sacrebleu``) once, when it is imported, and downloads a missing
    model on first use; :func:`bleu` checks this path first so that it never does.
    """
    from ..base.extras import require

    require("sacrebleu", "spBLEU", "metrics")
    from sacrebleu.tokenizers import tokenizer_spm

    models = _spm_models()
    if tokenize not in models:
        raise ValueError(f"unknown spBLEU tokenizer {tokenize!r}; use one of {', '.join(models)}")
    return Path(tokenizer_spm.SACREBLEU_DIR) / "models" / os.path.basename(models[tokenize]["url"])


# --- helpers ---------------------------------------------------------------------------------------------------


def _check_shapes(true: list[list[str]], pred: list[list[str]]) -> None:
    if len(true) != len(pred):
        raise ValueError(f"ner_scores: {len(true)} gold sentences but {len(pred)} predicted")
    for i, (t, p) in enumerate(zip(true, pred)):
        if len(t) != len(p):
            raise ValueError(f"ner_scores: sentence {i} has {len(t)} gold tags but {len(p)} predicted tags")


def _slot_flags(
    what: str, predicted: Sequence[Any], gold: Sequence[Any], char_level: Sequence[bool] | bool
) -> list[bool]:
    """The char-level flag of each sentence, once ``predicted``, ``gold`` and the flags are checked to line up."""
    if len(predicted) != len(gold):
        raise ValueError(f"{what}: {len(predicted)} outputs but {len(gold)} gold phrase maps")
    flags = [char_level] * len(gold) if isinstance(char_level, bool) else list(char_level)
    if len(flags) != len(gold):
        raise ValueError(f"{what}: {len(flags)} char_level flags for {len(gold)} sentences")
    return flags


def _prf(correct: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    precision = correct / n_pred if n_pred else 0.0
    recall = correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _norm(words: Sequence[str] | str, char_level: bool) -> str:
    text = words if isinstance(words, str) else " ".join(words)
    return "".join(text.split()) if char_level else " ".join(text.split())


def _spm_models() -> dict[str, dict[str, str]]:
    from sacrebleu.tokenizers.tokenizer_spm import SPM_MODELS

    return SPM_MODELS


def _default_tokenize(lang: str | None) -> str:
    for name in SPBLEU_TOKENIZERS:
        if spbleu_model_path(name).is_file():
            return name
    if lang is not None:
        from .languages import get_language

        if get_language(lang).char_level:
            return "zh" if lang == "zh" else "char"
    return "13a"
