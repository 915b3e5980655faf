"""LabeledSeq2SeqTrainer: the CROP loss L = alpha * Lt + (1 - alpha) * Llst, both parts logged.

Works with anything ``Seq2SeqTrainer`` works with: a full model or a peft LoRA model, checkpoints and
``resume_from_checkpoint``, ``accelerate launch`` on several processes, ``push_to_hub``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from transformers import Seq2SeqTrainer, Seq2SeqTrainingArguments

from .collator import LABELED, TRANSLATION


class TokenFreePickle:
    """Arguments mixin: ``hub_token`` never reaches ``training_args.bin`` (the Trainer saves and pushes that pickle)."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["hub_token"] = None
        return state


@dataclass
class LabeledSeq2SeqTrainingArguments(TokenFreePickle, Seq2SeqTrainingArguments):
    """``Seq2SeqTrainingArguments`` plus the labeled sequence translation settings (the paper's defaults)."""

    alpha: float = field(
        default=0.5, metadata={"help": "Weight of the plain translation loss Lt; Llst gets 1 - alpha (paper: 0.5)."}
    )
    max_slots: int = field(default=4, metadata={"help": "Most phrase pairs wrapped in slots in one sentence (k)."})
    translation_ratio: float = field(
        default=0.5, metadata={"help": "Share of examples collated as the plain pair rather than the slot pair."}
    )
    max_phrase_len: int = field(default=4, metadata={"help": "Longest phrase (in words) taken from alignment."})
    remove_unused_columns: bool = field(
        default=False, metadata={"help": "Kept False: the collator needs src_tokens, tgt_tokens and phrases."}
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {self.alpha}")
        if self.max_slots < 1:
            raise ValueError(f"max_slots must be >= 1, got {self.max_slots}")


class LabeledSeq2SeqTrainer(Seq2SeqTrainer):
    """A ``Seq2SeqTrainer`` whose loss weighs plain and slot-wrapped sequences by ``args.alpha``.

    Batches come from :class:`~crop_hf.collator.DataCollatorForLabeledSeq2Seq` and carry ``objective``.
    Batches without it (e.g. evaluation on plain pairs) count as translation.
    """

    args: LabeledSeq2SeqTrainingArguments

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # compute_loss normalises itself; let the base class divide by gradient accumulation steps
        self.model_accepts_loss_kwargs = False
        self._part_sums = {"loss_translation": [0.0, 0], "loss_labeled": [0.0, 0]}

    def compute_loss(
        self,
        model: Any,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: Any = None,
    ) -> Any:
        inputs = dict(inputs)
        objective = inputs.pop("objective", None)
        labels = inputs.pop("labels")
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
        alpha = float(getattr(self.args, "alpha", 0.5))
        parts = []
        for name, kind, weight in (("loss_translation", TRANSLATION, alpha), ("loss_labeled", LABELED, 1 - alpha)):
            rows = objective.eq(kind)
            count = mask[rows].sum()
            if count.item() == 0:
                continue
            part = token_loss[rows].sum() / count
            parts.append((weight, part))
            sums = self._part_sums[name]
            sums[0] += part.detach().item()
            sums[1] += 1
        total_weight = sum(w for w, _ in parts) or 1.0
        loss = sum(w * p for w, p in parts) / total_weight if parts else token_loss.sum() * 0.0
        return (loss, outputs) if return_outputs else loss

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        if "loss" in logs:
            for name, sums in self._part_sums.items():
                if sums[1]:
                    logs[name] = round(sums[0] / sums[1], 4)
                sums[0], sums[1] = 0.0, 0
        super().log(logs, start_time)


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
