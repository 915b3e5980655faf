"""Multilingual self-training: English gold Lsrc + projected Ltgt, re-label the discarded sentences, train again.

Round 0 trains a token classifier on ``source`` (English gold) plus ``projected`` (target sentences labelled by
CROP's projection). Each later round labels the ``discarded`` target sentences (those projection dropped) with the
previous round's model, combines them with the projected ones (:func:`combine_labels`) and trains again. The
released CROP code runs 2 iterations and trains each one from the pretrained encoder; so do the defaults here.

Every round is saved as a plain Hugging Face model under ``output_dir/round_{i}`` with ``metrics.json`` (written
last, by the main process only). A round whose ``metrics.json`` exists is not trained again, and an interrupted
round resumes from its last Trainer checkpoint when ``save_strategy`` writes them; its ``train_loss`` is still the
mean over the whole round (the loss is logged at every checkpoint for that). Works the same under ``python`` and
``accelerate launch`` on several processes (the output directory must be shared by them).

Resume checks what it finds: ``run_manifest.json`` records the model, a fingerprint of each data split and the
settings that shape the trained model (the fields marked ``run_setting``); a rerun into the folder whose model, data or settings
differ refuses with one line naming what differs, or starts over with ``overwrite_output_dir=True``. Stale rounds
are never returned.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..base.folder_lock import FolderLock
from ..base.resumable import write_json
from ..core.metrics import LabelScores, NerScores, ner_scores
from ..core.relabel import CombineResult, combine_labels
from ..core.tagging import LabelScheme, get_scheme
from .ner_data import (
    NerExample,
    WordPrediction,
    encode_examples,
    model_max_length,
    predict,
    predict_sharded,
    validate_examples,
    write_examples,
)
from .selftrain_resume import RUN_FILE, log_at_save, prepare_output, round_loss, selftrain_manifest  # noqa: F401  (part of this module's interface)
from .training_args import CropTrainingArguments, setting

logger = logging.getLogger(__name__)

METRICS_FILE = "metrics.json"


@dataclass
class SelfTrainingArguments(CropTrainingArguments):
    """``TrainingArguments`` with the paper's NER defaults and the self-training settings.

    Defaults follow CROP for real encoders (batch 32, 10 epochs, 10 % warmup, lr 2e-5); tiny models pass their own.
    The LoRA (``lora_r``, ``lora_alpha``, ``lora_dropout``, ``lora_target_modules``) and ``mixed_precision``
    fields come from :class:`~crop_hf.training.training_args.CropTrainingArguments`; without an accelerator the arguments
    set ``use_cpu``. Fields marked ``run_setting`` are recorded in the run's manifest (:func:`selftrain_manifest`).

    Args:
        label_scheme: Label set: ``conll`` (PER LOC ORG MISC) or ``xtreme`` (PER LOC ORG).
        iterations: Rounds: round 0 trains on Lsrc + Ltgt, later ones add re-labelled data.
        confidence_threshold: Keep a re-labelled sentence when each entity's mean tag probability is at least this.
        min_entities: Keep a re-labelled sentence with at least this many entities.
        agreement_filter: Drop projected sentences whose entity count the last model disagrees with.
        max_length: Sub-words per input; longer sentences become windows.
        reinit_each_round: Start each round from ``model_name_or_path`` (as CROP); ``False``: from the last round.
        overwrite_output_dir: Start over when ``output_dir`` holds a run with another model, other data or
            settings (default: refuse, naming what differs).
    """

    label_scheme: str = setting("conll", "Label set: conll (PER LOC ORG MISC) or xtreme.")
    iterations: int = setting(
        2, "Rounds: 0 on Lsrc + Ltgt, later ones add re-labelled data.", run_setting=False
    )  # more rounds reuse the earlier ones
    confidence_threshold: float = setting(
        0.9, "Keep a re-labelled sentence when each entity's mean tag probability >= this."
    )
    min_entities: int = setting(1, "Keep a re-labelled sentence with >= this many entities.")
    agreement_filter: bool = setting(
        False, "Drop projected sentences whose entity count the last model disagrees with."
    )
    max_length: int = setting(128, "Sub-words per input; longer sentences become windows.")
    reinit_each_round: bool = setting(
        True, "Start each round from model_name_or_path (as CROP); False: from the last."
    )
    per_device_train_batch_size: int = setting(32, "NER batch size per device (paper: 32).")
    num_train_epochs: float = setting(10.0, "Epochs per round (paper: 10).")
    learning_rate: float = setting(2e-5, "Peak learning rate (paper: 2e-5).")
    warmup_steps: float = setting(0.1, "Warmup; a float < 1 is a share of the steps (10 %).")
    save_strategy: str = setting("no", "Checkpoints inside a round ('steps': resumable).", run_setting=False)
    overwrite_output_dir: bool = setting(
        False,
        "Start over when output_dir holds a run with another model, other data or settings.",
        run_setting=False,
    )
    logging_steps: float = setting(50, "Log the loss every this many steps.", run_setting=False)

    def __post_init__(self) -> None:
        import torch

        mps, xpu = getattr(torch.backends, "mps", None), getattr(torch, "xpu", None)
        if not (torch.cuda.is_available() or (mps and mps.is_available()) or (xpu and xpu.is_available())):
            self.use_cpu = True
        super().__post_init__()
        get_scheme(self.label_scheme)
        if self.iterations < 1:
            raise ValueError(f"iterations must be >= 1, got {self.iterations}")
        if not 0.0 <= self.confidence_threshold <= 1.0:
            raise ValueError(f"confidence_threshold must be in [0, 1], got {self.confidence_threshold}")


@dataclass
class RoundResult:
    """What one training round did; saved as ``metrics.json`` next to the model."""

    round: int
    model_dir: str
    train_sentences: int
    train_windows: int
    steps: int
    train_loss: float
    seconds: float
    world_size: int
    data: dict[str, int] = field(default_factory=dict)
    eval: dict[str, NerScores] = field(default_factory=dict)
    reused: bool = False

    @property
    def f1(self) -> dict[str, float]:
        return {lang: scores.f1 for lang, scores in self.eval.items()}

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("reused")
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], reused: bool = True) -> RoundResult:
        d = dict(d)
        d["eval"] = {lang: _scores_from_dict(s) for lang, s in d.get("eval", {}).items()}
        return cls(**d, reused=reused)


@dataclass
class SelfTrainingResult:
    output_dir: str
    rounds: list[RoundResult]

    @property
    def model_dir(self) -> str:
        """The last round's model: the self-trained NER model."""
        return self.rounds[-1].model_dir


def self_train(
    model_name_or_path: str,
    source: Sequence[NerExample],
    projected: Sequence[NerExample],
    discarded: Sequence[NerExample],
    args: SelfTrainingArguments,
    eval_sets: Mapping[str, Sequence[NerExample]] | None = None,
) -> SelfTrainingResult:
    """Train ``args.iterations`` rounds (see the module docstring); returns every round's result.

    Args:
        model_name_or_path: The encoder every round starts from (Hub id or folder), e.g. ``xlm-roberta-base``.
        source: English gold sentences (Lsrc), tagged in ``args.label_scheme``.
        projected: Target-language sentences labelled by projection (Ltgt).
        discarded: Target-language sentences projection dropped, without tags; rounds after the first re-label
            them with the previous round's model.
        args: The training and self-training settings; ``args.output_dir`` holds ``round_{i}`` and the manifest.
        eval_sets: Per language, tagged test sentences scored after each round.

    Returns:
        A :class:`SelfTrainingResult` with one :class:`RoundResult` per round (rounds found finished are reused).
    """
    scheme = get_scheme(args.label_scheme)
    if not source and not projected:
        raise ValueError("source and projected are both empty: self-training needs labelled sentences")
    for name, split in (("source", source), ("projected", projected)):
        if split:
            validate_examples(split, scheme, name)
    if discarded:
        validate_examples(discarded, scheme, "discarded", labelled=False)
    _validate_eval_sets(eval_sets, scheme)
    out = _out_dir(args)
    splits = {"source": source, "projected": projected, "discarded": discarded}
    manifest = selftrain_manifest(model_name_or_path, splits, eval_sets, args)
    with _one_writer(out, args):
        prepare_output(out, manifest, args, lambda: sorted(out.glob("round_*")))
        rounds: list[RoundResult] = []
        for i in range(args.iterations):
            round_dir = out / f"round_{i}"
            if (round_dir / METRICS_FILE).exists():
                rounds.append(RoundResult.from_dict(json.loads((round_dir / METRICS_FILE).read_text())))
                logger.info("round %d: found %s, not trained again", i, round_dir / METRICS_FILE)
                continue
            train: list[NerExample] = [*source, *projected]
            data: dict[str, int] = {"source": len(source), "projected": len(projected)}
            if i > 0 and discarded:
                combined = _relabel(rounds[-1].model_dir, projected, discarded, args)
                train, data = [*source, *combined.examples], {"source": len(source), **combined.counts}
                if args.should_save:
                    write_examples(combined.relabelled, round_dir / "relabelled.jsonl")
                logger.info("round %d: %s", i, ", ".join(f"{k} {v}" for k, v in combined.counts.items()))
            elif i > 0:
                logger.warning("round %d: no discarded sentences to re-label; training on the same data again", i)
            init = model_name_or_path if i == 0 or args.reinit_each_round else rounds[-1].model_dir
            rounds.append(_train_round(i, init, train, args, round_dir, eval_sets, data))
    return SelfTrainingResult(str(out), rounds)


def train_ner(
    model_name_or_path: str,
    train: Sequence[NerExample],
    args: SelfTrainingArguments,
    output_dir: str | Path | None = None,
    eval_sets: Mapping[str, Sequence[NerExample]] | None = None,
) -> RoundResult:
    """One resumable training run of a token classifier (``output_dir`` defaults to ``args.output_dir``)."""
    scheme = get_scheme(args.label_scheme)
    validate_examples(train, scheme, "train")
    _validate_eval_sets(eval_sets, scheme)
    out = Path(output_dir) if output_dir is not None else _out_dir(args)
    manifest = selftrain_manifest(model_name_or_path, {"train": train}, eval_sets, args)
    with _one_writer(out, args):
        prepare_output(out, manifest, args, lambda: [out / METRICS_FILE, out / "checkpoints"])
        if (out / METRICS_FILE).exists():
            return RoundResult.from_dict(json.loads((out / METRICS_FILE).read_text()))
        langs = dict(Counter(ex.lang for ex in train))
        return _train_round(0, model_name_or_path, train, args, out, eval_sets, langs)


def _out_dir(args: SelfTrainingArguments) -> Path:
    """``args.output_dir``, which self-training needs (its rounds, manifest and lock live there)."""
    if not args.output_dir:
        raise ValueError("SelfTrainingArguments.output_dir is not set: give the folder the rounds are written to")
    return Path(args.output_dir)


def _one_writer(out: Path, args: SelfTrainingArguments) -> AbstractContextManager[Any]:
    """The output folder's lock (:class:`~crop_hf.base.folder_lock.FolderLock`), held by the main process of a launch."""
    return FolderLock(out, "crop-hf selftrain") if args.process_index == 0 else nullcontext()


def zero_shot_baseline(
    model_name_or_path: str,
    source: Sequence[NerExample],
    args: SelfTrainingArguments,
    eval_sets: Mapping[str, Sequence[NerExample]],
) -> RoundResult:
    """The zero-shot baseline: a model trained on English only (``output_dir/zero_shot``), scored on ``eval_sets``."""
    return train_ner(model_name_or_path, source, args, _out_dir(args) / "zero_shot", eval_sets)


def evaluate_ner(
    model_dir: str | Path,
    eval_sets: Mapping[str, Sequence[NerExample]],
    batch_size: int = 64,
    max_length: int = 128,
    device: str | None = None,
) -> dict[str, NerScores]:
    """Entity-level seqeval scores (micro and per label) of a saved token classifier, per language."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    model = AutoModelForTokenClassification.from_pretrained(model_dir)
    model.to(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    labels = model.config.id2label.values()
    _validate_eval_sets(eval_sets, LabelScheme("model", tuple(dict.fromkeys(t[2:] for t in labels if t != "O"))))
    out: dict[str, NerScores] = {}
    for lang, examples in eval_sets.items():
        pred = predict(model, tokenizer, [ex.tokens for ex in examples], batch_size, max_length)
        out[lang] = _scores([ex.tags for ex in examples], [p.tags for p in pred])
    return out


# ----------------------------------------------------------------------------------------------------------
# helpers


def _train_round(
    index: int,
    init: str,
    train: Sequence[NerExample],
    args: SelfTrainingArguments,
    out: Path,
    eval_sets: Mapping[str, Sequence[NerExample]] | None,
    data: dict[str, int],
) -> RoundResult:
    from transformers import AutoConfig, AutoTokenizer, DataCollatorForTokenClassification, Trainer, set_seed
    from transformers.trainer_utils import get_last_checkpoint

    start = time.perf_counter()
    scheme = get_scheme(args.label_scheme)
    tokenizer = AutoTokenizer.from_pretrained(init)
    max_length = min(args.max_length, model_max_length(AutoConfig.from_pretrained(init)))
    with args.main_process_first(desc=f"round {index}: tokenize"):
        encoded = encode_examples(train, tokenizer, scheme, max_length)
    set_seed(args.seed)
    model = _load_model(init, scheme, args)
    round_args = copy.copy(args)
    round_args.output_dir = str(out / "checkpoints")
    trainer = Trainer(
        model=model,
        args=round_args,
        train_dataset=encoded.features,
        data_collator=DataCollatorForTokenClassification(
            tokenizer, pad_to_multiple_of=8 if args.fp16 or args.bf16 else None
        ),
        processing_class=tokenizer,
        callbacks=[log_at_save()],
    )
    checkpoint = get_last_checkpoint(round_args.output_dir) if Path(round_args.output_dir).is_dir() else None
    logger.info("round %d: %d sentences (%d inputs) from %s", index, len(train), len(encoded.features), init)
    result = trainer.train(resume_from_checkpoint=checkpoint)
    train_loss = round_loss(trainer, result.training_loss, checkpoint)
    trained: Any = trainer.model  # a peft model when lora_r > 0 (transformers types it as a plain module)
    if args.lora_r > 0:  # a plain model, loadable without peft
        trained = trained.merge_and_unload()
        if args.should_save:
            trained.save_pretrained(out)
            tokenizer.save_pretrained(out)
    else:
        trainer.save_model(str(out))  # main process only; tokenizer included
    scores = {
        lang: _scores([ex.tags for ex in examples], [p.tags for p in _predict(trained, tokenizer, examples, args)])
        for lang, examples in (eval_sets or {}).items()
    }
    record = RoundResult(
        round=index,
        model_dir=str(out),
        train_sentences=len(train),
        train_windows=len(encoded.features),
        steps=trainer.state.global_step,
        train_loss=round(train_loss, 6),
        seconds=round(time.perf_counter() - start, 2),
        world_size=args.world_size,
        data=data,
        eval=scores,
    )
    if args.should_save:
        write_json(out / METRICS_FILE, record.to_dict())
    trainer.accelerator.wait_for_everyone()
    if scores:
        logger.info("round %d F1: %s", index, ", ".join(f"{k} {v.f1:.4f}" for k, v in scores.items()))
    return record


def _load_model(init: str, scheme: LabelScheme, args: SelfTrainingArguments) -> Any:
    from transformers import AutoConfig, AutoModelForTokenClassification

    config = AutoConfig.from_pretrained(init)
    known = list(getattr(config, "id2label", {}).values())
    if known and known != scheme.labels and not all(str(label).startswith("LABEL_") for label in known):
        logger.warning("%s was trained on labels %s; its head is re-initialised for %s", init, known, scheme.labels)
    model = AutoModelForTokenClassification.from_pretrained(
        init,
        num_labels=len(scheme.labels),
        id2label=scheme.id2label,
        label2id=scheme.label2id,
        ignore_mismatched_sizes=known != scheme.labels,
    )
    if args.lora_r <= 0:
        return model
    from peft import get_peft_model

    return get_peft_model(model, args.lora_config("TOKEN_CLS"))


def _relabel(
    model_dir: str, projected: Sequence[NerExample], discarded: Sequence[NerExample], args: SelfTrainingArguments
) -> CombineResult:
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    model = AutoModelForTokenClassification.from_pretrained(model_dir).to(args.device)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    predictions = _predict(model, tokenizer, [*discarded, *(projected if args.agreement_filter else [])], args)
    on_projected = predictions[len(discarded) :] if args.agreement_filter else None
    threshold, min_entities = args.confidence_threshold, args.min_entities
    return combine_labels(projected, discarded, predictions[: len(discarded)], threshold, min_entities, on_projected)


def _predict(
    model: Any, tokenizer: Any, examples: Sequence[NerExample], args: SelfTrainingArguments
) -> list[WordPrediction]:
    dtype = "bf16" if args.bf16 else "fp16" if args.fp16 else None
    sentences = [ex.tokens for ex in examples]
    return predict_sharded(model, tokenizer, sentences, args.per_device_eval_batch_size, args.max_length, dtype)


def _validate_eval_sets(eval_sets: Mapping[str, Sequence[NerExample]] | None, scheme: LabelScheme) -> None:
    for lang, examples in (eval_sets or {}).items():
        validate_examples(examples, scheme, f"eval[{lang}]")


def _scores(gold: Sequence[Sequence[str] | None], pred: Sequence[Sequence[str]]) -> NerScores:
    """crop_hf.core.metrics.ner_scores with plain Python floats (it returns numpy ones)."""
    scores = ner_scores([list(g or []) for g in gold], pred)
    return _scores_from_dict(json.loads(json.dumps(asdict(scores), default=float)))


def _scores_from_dict(d: Mapping[str, Any]) -> NerScores:
    d = dict(d)
    d["per_label"] = {k: LabelScores(**v) for k, v in d.get("per_label", {}).items()}
    return NerScores(**d)
