"""LabeledSeq2SeqTrainer: the CROP loss L = alpha * Lt + (1 - alpha) * Llst, both parts logged per mode.

Works with anything ``Seq2SeqTrainer`` works with: a full model or a peft LoRA model, checkpoints and
``resume_from_checkpoint``, ``accelerate launch`` on several processes, ``push_to_hub``, evaluation with
``predict_with_generate`` (see :func:`crop_hf.training.lst.make_lst_compute_metrics` for slot precision and BLEU).

**Normalisation.** Lt is the mean cross-entropy over the label tokens of the plain (translation) sequences and
Llst over those of the slot-wrapped sequences, both taken over the whole optimizer step: every micro-batch of the
gradient accumulation, on every process (transformers 5's ``num_items_in_batch`` contract). The trainer counts
the label tokens of each objective once per step (:meth:`LabeledSeq2SeqTrainer.get_batch_samples`, summed over
processes through ``accelerator.gather`` when ``average_tokens_across_devices``, the default) and passes the
pair as ``num_items_in_batch``; each micro-batch then adds ``sum of its token losses / step count`` per objective,
times the number of processes that DDP averages over. The loss returned in training is thus already scaled for
gradient accumulation (``loss_is_scaled_for_ga = True``), and 2 processes x batch 4 train exactly what 1
process x batch 8 does. When an objective is absent from a step, the other gets the whole weight.

**Logs.** ``loss_translation`` and ``loss_labeled`` are token means over the logging window, summed over all
processes; training logs carry only training batches. Evaluation reports ``eval_loss_translation`` and
``eval_loss_labeled`` (with ``evaluate``'s ``metric_key_prefix``) over the evaluation set.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from transformers import Seq2SeqTrainer, Seq2SeqTrainingArguments, TrainerCallback

from .collator import LABELED, TRANSLATION, DataCollatorForLabeledSeq2Seq
from .name_phrases import NameFilter
from .tokenizer_prep import SlotTokenReport
from .trainer_setup import (
    fit_pairs,
    is_peft_model,
    load_seq2seq,
    lora_with_slot_rows,
    prepare_slot_tokens,
    set_dropout,
)
from .training_args import CropTrainingArguments, setting

PARTS = ("loss_translation", "loss_labeled")  # the objectives in the order of TRANSLATION, LABELED
SLOT_PHRASES = ("all", "names")  # the values of LabeledSeq2SeqTrainingArguments.slot_phrases
_BASE_KNOWS_GA_SCALING = hasattr(Seq2SeqTrainer, "loss_is_scaled_for_ga")


@dataclass
class LabeledSeq2SeqTrainingArguments(CropTrainingArguments, Seq2SeqTrainingArguments):
    """``Seq2SeqTrainingArguments`` plus the labeled sequence translation settings (the paper's defaults).

    :class:`LabeledSeq2SeqTrainer` builds its :class:`~crop_hf.training.collator.DataCollatorForLabeledSeq2Seq` from these
    when no collator is given, skips the pairs longer than ``max_length`` and, with ``lora_r > 0``, wraps the model
    in LoRA. The LoRA and precision fields are those of :class:`~crop_hf.training.training_args.CropTrainingArguments`, with
    LST's defaults: peft's ``lora_alpha`` 8 and ``lora_dropout`` 0 on ``q_proj`` / ``v_proj``, and ``bf16`` /
    ``fp16`` as given (``mixed_precision="no"``).

    Args:
        alpha: Weight of the plain translation loss Lt; the labeled loss Llst gets ``1 - alpha`` (paper: 0.5).
        max_slots: Most phrase pairs wrapped in slots in one sentence (k).
        min_slots: Fewest phrase pairs wrapped in a labeled example (CROP: 0, the count drawn in 0..k).
        slot_phrases: Which aligned phrase pairs slots wrap: ``all`` (CROP) or ``names``, the pairs that are a name
            and its translation (:mod:`crop_hf.training.name_phrases`), the kind of phrase projection slots.
        translation_ratio: Share of examples collated as the plain pair rather than the slot pair.
        max_phrase_len: Longest phrase (in words, each side) taken from alignment and wrapped in a slot.
        max_length: Longest tokenised sentence; longer pairs are skipped (counted, with a warning).
        model_dropout: Every dropout and layer-drop rate of the model while it trains (``None``: the checkpoint's).
        remove_unused_columns: Kept ``False``: the collator needs ``src_tokens``, ``tgt_tokens`` and ``phrases``.
    """

    alpha: float = field(
        default=0.5, metadata={"help": "Weight of the plain translation loss Lt; Llst gets 1 - alpha (paper: 0.5)."}
    )
    max_slots: int = field(default=4, metadata={"help": "Most phrase pairs wrapped in slots in one sentence (k)."})
    min_slots: int = field(
        default=0,
        metadata={"help": "Fewest phrase pairs wrapped in a labeled example (CROP draws the count in 0..max_slots)."},
    )
    slot_phrases: str = field(
        default="all",
        metadata={"help": "Which aligned phrase pairs slots wrap: all (CROP) or names (the pairs that are a name and "
                  "its translation, crop_hf.training.name_phrases: the kind of phrase projection slots)."},
    )  # fmt: skip
    translation_ratio: float = field(
        default=0.5, metadata={"help": "Share of examples collated as the plain pair rather than the slot pair."}
    )
    max_phrase_len: int = field(
        default=4,
        metadata={"help": "Longest phrase (in tokens, each side) taken from alignment and wrapped in a slot."},
    )
    max_length: int = field(
        default=256,
        metadata={"help": "Longest tokenised sentence; longer pairs are skipped (counted, with a warning)."},
    )
    model_dropout: float | None = field(
        default=None,
        metadata={"help": "Every dropout and layer-drop rate of the model while it trains (None: the checkpoint's); "
                  "0 lets a small model fit the markers (the demo's: held-out well-formed 19-54 % -> 32-88 %)."},
    )  # fmt: skip
    lora_alpha: int = setting(8, "LoRA scaling alpha (peft's default).")
    lora_dropout: float = setting(0.0, "LoRA dropout.")
    lora_target_modules: list[str] | None = setting(
        help="Modules LoRA adapts.", default_factory=lambda: ["q_proj", "v_proj"]
    )
    mixed_precision: str = setting("no", "auto, bf16, fp16, or no (bf16 / fp16 as given).", run_setting=False)
    remove_unused_columns: bool = field(
        default=False, metadata={"help": "Kept False: the collator needs src_tokens, tgt_tokens and phrases."}
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {self.alpha}")
        if self.max_slots < 1:
            raise ValueError(f"max_slots must be >= 1, got {self.max_slots}")
        if not 0 <= self.min_slots <= self.max_slots:
            raise ValueError(f"min_slots must be in 0..max_slots={self.max_slots}, got {self.min_slots}")
        if self.slot_phrases not in SLOT_PHRASES:
            raise ValueError(f"slot_phrases must be one of {', '.join(SLOT_PHRASES)}, got {self.slot_phrases!r}")
        if self.model_dropout is not None and not 0.0 <= self.model_dropout < 1.0:
            raise ValueError(f"model_dropout must be in [0, 1) or None, got {self.model_dropout}")
        if self.max_phrase_len < 1 or self.max_length < 1:
            raise ValueError(
                f"max_phrase_len and max_length must be >= 1, got {self.max_phrase_len} and {self.max_length}"
            )


class LabeledSeq2SeqTrainer(Seq2SeqTrainer):
    """A ``Seq2SeqTrainer`` whose loss weighs plain and slot-wrapped sequences by ``args.alpha``.

    It prepares what it needs itself, as trl's trainers build theirs from their config, so the class used alone
    trains what ``crop-hf train-lst`` trains (:mod:`crop_hf.training.trainer_setup`):

    - the slot markers become single tokens of ``processing_class`` and the model (embeddings resized if needed);
    - LST pairs (rows with ``src_tokens``, ``tgt_tokens``, ``tgt_lang``, as a list or a ``datasets.Dataset``)
      longer than ``args.max_length`` tokens are skipped, counted in :attr:`skipped_long_pairs`;
    - with ``peft_config`` (or ``args.lora_r > 0``: :meth:`~crop_hf.training.training_args.CropTrainingArguments.lora_config`)
      the model is wrapped in LoRA that also trains the slot markers' embedding rows, and :meth:`save_model` saves
      the merged plain model (checkpoints keep the adapter, for resuming);
    - without ``data_collator`` a :class:`~crop_hf.training.collator.DataCollatorForLabeledSeq2Seq` is built from ``args``.

    Batches carry ``objective``; batches without it (e.g. evaluation on plain pairs from another collator) count as
    translation. A model that is already a peft model is used as it is (no resizing, no second wrapping).

    Args:
        model: A seq2seq model (M2M100, NLLB, ...), a peft model, or a Hub id / folder to load one (and its
            tokenizer, when ``processing_class`` is not given) from.
        args: The training arguments; default ``LabeledSeq2SeqTrainingArguments(output_dir="trainer_output")``.
        data_collator: Default: a :class:`~crop_hf.training.collator.DataCollatorForLabeledSeq2Seq` built from ``args``.
        train_dataset: LST pairs (``src_tokens``, ``tgt_tokens``, ``tgt_lang``, optional ``src_lang`` and
            ``phrases``), or features another collator understands.
        eval_dataset: The same, or a dict of them.
        processing_class: The model's tokenizer.
        peft_config: A peft config (e.g. ``LoraConfig(task_type="SEQ_2_SEQ_LM", r=8)``) to wrap the model in; its
            ``trainable_token_indices`` default to the slot markers' ids.
        **kwargs: Passed on to ``Seq2SeqTrainer`` (``compute_metrics``, ``callbacks``, ...).
    """

    args: LabeledSeq2SeqTrainingArguments
    loss_is_scaled_for_ga = True  # see the module doc: compute_loss normalises over the whole step

    def __init__(
        self,
        model: Any = None,
        args: LabeledSeq2SeqTrainingArguments | None = None,
        data_collator: Any = None,
        train_dataset: Any = None,
        eval_dataset: Any = None,
        processing_class: Any = None,
        peft_config: Any = None,
        **kwargs: Any,
    ) -> None:
        if args is None:
            args = LabeledSeq2SeqTrainingArguments(output_dir="trainer_output")
        if isinstance(model, (str, os.PathLike)):
            model, processing_class = load_seq2seq(str(model), processing_class)
        max_slots, max_length = getattr(args, "max_slots", 4), getattr(args, "max_length", 256)
        tokenizer = processing_class
        dropout = getattr(args, "model_dropout", None)
        if model is not None and dropout is not None:
            set_dropout(model, dropout)
        self.slot_tokens: SlotTokenReport | None = None
        if tokenizer is not None and model is not None and not is_peft_model(model):
            self.slot_tokens = prepare_slot_tokens(tokenizer, model, max_slots)
        self.skipped_long_pairs = 0
        if tokenizer is not None:
            train_dataset, self.skipped_long_pairs = fit_pairs(train_dataset, tokenizer, max_length, max_slots)
            eval_dataset = fit_pairs(eval_dataset, tokenizer, max_length, max_slots)[0]
        if peft_config is None and getattr(args, "lora_r", None) and not is_peft_model(model):
            peft_config = args.lora_config("SEQ_2_SEQ_LM")
        self._merge_on_save = peft_config is not None
        if peft_config is not None:
            if is_peft_model(model):
                raise ValueError("model is already a peft model: pass either peft_config or a peft model, not both")
            from peft import get_peft_model

            model = get_peft_model(model, lora_with_slot_rows(peft_config, tokenizer, max_slots))
        if data_collator is None and tokenizer is not None:
            data_collator = DataCollatorForLabeledSeq2Seq(
                tokenizer,
                max_slots=max_slots,
                min_slots=getattr(args, "min_slots", 0),
                names=NameFilter.from_features(train_dataset)
                if getattr(args, "slot_phrases", "all") == "names" and train_dataset is not None
                else None,
                translation_ratio=getattr(args, "translation_ratio", 0.5),
                max_phrase_len=getattr(args, "max_phrase_len", None),
                max_length=max_length,
                seed=args.seed,
            )
        super().__init__(
            model=model,
            args=args,
            data_collator=data_collator,
            train_dataset=train_dataset,
            eval_dataset=eval_dataset,
            processing_class=processing_class,
            **kwargs,
        )
        # Token counts come from get_batch_samples below, not from the base class (which would count all labels).
        # A transformers without ``loss_is_scaled_for_ga`` (5.10 is one) divides the training loss by the
        # accumulation steps unless the model "accepts loss kwargs", i.e. normalises over the step itself, as
        # compute_loss does: say so there, or the gradients shrink by that factor.
        self.model_accepts_loss_kwargs = not _BASE_KNOWS_GA_SCALING
        self._parts: dict[str, torch.Tensor] = {}
        if isinstance(self.data_collator, DataCollatorForLabeledSeq2Seq):
            self.add_callback(_CollatorEpoch(self.data_collator))

    def save_model(self, output_dir: str | None = None, _internal_call: bool = False) -> None:
        """Save the model; a LoRA model this trainer wrapped is merged first, so the folder holds a plain model.

        Checkpoints during training (``_internal_call``) keep the adapter, so training resumes from them; after a
        merging save, :attr:`model` is the merged model.
        """
        if self._merge_on_save and not _internal_call and is_peft_model(self.model):
            peft_model: Any = self.model
            self.model = self.model_wrapped = peft_model.merge_and_unload()
        super().save_model(output_dir, _internal_call)

    # --- loss ---------------------------------------------------------------------------------------------------

    def compute_loss(
        self,
        model: Any,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: torch.Tensor | int | None = None,
    ) -> Any:
        """``alpha * Lt + (1 - alpha) * Llst`` of one micro-batch.

        In training, ``num_items_in_batch`` is the pair of label-token counts (translation, labeled) of the whole
        step from :meth:`get_batch_samples`; a plain number (the base Trainer's total count) weighs this
        micro-batch's mix by its share of the tokens; ``None`` divides the mix by the accumulation steps. In
        evaluation the loss is the mix of this batch's means.
        """
        inputs = dict(inputs)
        objective = inputs.pop("objective", None)
        labels = inputs.pop("labels")
        if "decoder_input_ids" not in inputs:
            inputs["decoder_input_ids"] = _decoder_inputs(model, labels)
        outputs = model(**inputs)
        logits = outputs.logits
        token_loss = F.cross_entropy(
            logits.reshape(-1, logits.size(-1)).float(),
            labels.reshape(-1),
            ignore_index=-100,
            reduction="none",
            label_smoothing=self.args.label_smoothing_factor,
        ).view(labels.shape)
        mask = labels.ne(-100)
        if objective is None:
            objective = torch.full((labels.size(0),), TRANSLATION, device=labels.device)
        labeled = mask & objective.eq(LABELED).unsqueeze(1)
        translation = mask & ~labeled
        sums = torch.stack([(token_loss * translation).sum(), (token_loss * labeled).sum()])
        counts = torch.stack([translation.sum(), labeled.sum()]).to(sums.dtype)
        self._record("train" if model.training else "eval", sums.detach(), counts)

        scale = 1.0
        totals = counts
        if model.training:
            if num_items_in_batch is None:
                scale = 1.0 / getattr(self, "current_gradient_accumulation_steps", 1)
            elif torch.is_tensor(num_items_in_batch) and num_items_in_batch.numel() == 2:
                totals = num_items_in_batch.to(sums.device, sums.dtype)
                scale = float(self._process_factor())
            else:  # the base Trainer's total token count
                scale = (counts.sum() / float(num_items_in_batch)).item() * self._process_factor()
        alpha = float(getattr(self.args, "alpha", 0.5))
        weights = torch.tensor([alpha, 1.0 - alpha], device=sums.device) * totals.gt(0)
        weights = weights / weights.sum().clamp_min(1e-12)
        loss = (weights * sums / totals.clamp_min(1)).sum() * scale
        return (loss, outputs) if return_outputs else loss

    def get_batch_samples(
        self, epoch_iterator: Iterator, num_batches: int, device: torch.device
    ) -> tuple[list, torch.Tensor | None]:
        """The step's micro-batches and their label-token counts per objective, summed over processes."""
        batch_samples, _ = super().get_batch_samples(epoch_iterator, num_batches, device)
        if not batch_samples or "labels" not in batch_samples[0]:
            return batch_samples, None
        per_batch = []
        for batch in batch_samples:  # tensor ops only: no device sync per micro-batch
            mask = batch["labels"].ne(-100)
            objective = batch.get("objective")
            labeled = (mask & objective.eq(LABELED).unsqueeze(1)).sum() if objective is not None else mask.sum() * 0
            per_batch.append(torch.stack([mask.sum() - labeled, labeled]).to(device))
        counts = torch.stack(per_batch).sum(0)
        if self._process_factor() > 1:
            counts = self.accelerator.gather(counts).view(-1, 2).sum(0)
        return batch_samples, counts

    def _process_factor(self) -> int:
        """How many processes DDP averages over when the token counts are global (1 when they are local)."""
        if self.args.average_tokens_across_devices and self.args.world_size > 1:
            return self.accelerator.num_processes
        return 1

    # --- evaluation ---------------------------------------------------------------------------------------------

    def evaluation_loop(
        self,
        dataloader: Any,
        description: str,
        prediction_loss_only: bool | None = None,
        ignore_keys: list[str] | None = None,
        metric_key_prefix: str = "eval",
    ) -> Any:
        """The base loop with draws that do not depend on the training epoch, plus the per-objective losses."""
        self._parts.pop("eval", None)
        collator = self.data_collator if isinstance(self.data_collator, DataCollatorForLabeledSeq2Seq) else None
        epoch = collator.epoch if collator is not None else 0
        if collator is not None:
            collator.set_epoch(0)  # each evaluation sees the same slots
        try:
            output = super().evaluation_loop(
                dataloader, description, prediction_loss_only, ignore_keys, metric_key_prefix
            )
        finally:
            if collator is not None:
                collator.set_epoch(epoch)
        if output.metrics is not None:
            output.metrics.update(self._drain("eval", f"{metric_key_prefix}_"))
        return output

    def prediction_step(
        self,
        model: Any,
        inputs: dict[str, Any],
        prediction_loss_only: bool,
        ignore_keys: list[str] | None = None,
        **gen_kwargs: Any,
    ) -> tuple[Any, torch.Tensor | None, torch.Tensor | None]:  # the loss: a tensor (transformers says float)
        """Loss through :meth:`compute_loss` (so it is the CROP mix) and, with ``predict_with_generate``, outputs
        generated from each row's own target-language code (M2M100 / NLLB labels start with it).
        """
        if not self.args.predict_with_generate or prediction_loss_only:
            return super().prediction_step(model, inputs, prediction_loss_only, ignore_keys=ignore_keys)
        inputs = self._prepare_inputs(inputs)
        labels = inputs.get("labels")
        with torch.no_grad():
            loss = None
            if labels is not None:
                with self.compute_loss_context_manager():
                    loss = self.compute_loss(model, inputs).detach()
            if not gen_kwargs:
                gen_kwargs = dict(getattr(self, "_gen_kwargs", {}))
            gen_kwargs = {k: v for k, v in gen_kwargs.items() if v is not None}
            generation_inputs = {
                k: v
                for k, v in inputs.items()
                if k not in ("labels", "objective", "decoder_input_ids", "decoder_attention_mask")
            }
            prefix = self._decoder_prefix(labels)
            if prefix is not None:
                generation_inputs["decoder_input_ids"] = prefix
            generator: Any = self.model
            generated = generator.generate(**generation_inputs, **gen_kwargs)
        return loss, generated, labels

    def _decoder_prefix(self, labels: torch.Tensor | None) -> torch.Tensor | None:
        from ..translation import model_family

        if labels is None or self.processing_class is None or model_family(self.processing_class) == "generic":
            return None
        first = labels[:, :1]
        if first.lt(0).any():
            return None
        start = first.new_full(first.shape, _base_config(self.model).decoder_start_token_id)
        return torch.cat([start, first], dim=1)

    # --- logging ------------------------------------------------------------------------------------------------

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        if "loss" in logs:  # a training log: only training batches since the last one
            logs.update(self._drain("train", ""))
        super().log(logs, start_time)

    def _record(self, mode: str, sums: torch.Tensor, counts: torch.Tensor) -> None:
        part = torch.cat([sums, counts.to(sums.dtype)])
        if mode in self._parts:
            self._parts[mode] += part
        else:
            self._parts[mode] = part.clone()

    def _drain(self, mode: str, prefix: str) -> dict[str, float]:
        """Token means of each objective since the last drain, over all processes (collective on every process)."""
        local = self._parts.pop(mode, None)
        if local is None:
            local = torch.zeros(4, device=self.args.device)
        local = local.to(self.args.device, torch.float64)
        total = self.accelerator.gather(local).view(-1, 4).sum(0) if self.accelerator.num_processes > 1 else local
        values = total.tolist()
        return {f"{prefix}{name}": values[i] / values[i + 2] for i, name in enumerate(PARTS) if values[i + 2] > 0}


class _CollatorEpoch(TrainerCallback):
    """Tells the collator which epoch is starting, so that each epoch draws fresh slots for every example."""

    def __init__(self, collator: DataCollatorForLabeledSeq2Seq) -> None:
        self.collator = collator

    def on_epoch_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.collator.set_epoch(math.floor((state.epoch or 0.0) + 1e-6))


def _decoder_inputs(model: Any, labels: torch.Tensor) -> torch.Tensor:
    """Labels shifted right with the decoder start token (what the model would build from ``labels``)."""
    config = _base_config(model)
    start = config.decoder_start_token_id
    pad = config.pad_token_id
    shifted = labels.new_full(labels.shape, pad)
    shifted[:, 1:] = labels[:, :-1]
    shifted[:, 0] = start
    return shifted.masked_fill(shifted.eq(-100), pad)


def _base_config(model: Any) -> Any:
    while not hasattr(model, "config") and hasattr(model, "module"):
        model = model.module
    return model.config
