"""The base of crop-hf's training-argument dataclasses: LoRA and precision fields, defined once.

:class:`CropTrainingArguments` subclasses ``transformers.TrainingArguments`` (as trl's configs do) and adds what both
:class:`~crop_hf.training.trainer.LabeledSeq2SeqTrainingArguments` (LST) and :class:`~crop_hf.training.selftrain.SelfTrainingArguments`
(NER self-training) take: ``lora_r``, ``lora_alpha``, ``lora_dropout``, ``lora_target_modules`` (read by
:meth:`CropTrainingArguments.lora_config`) and ``mixed_precision`` (resolved into ``bf16`` / ``fp16``). A subclass
may give a field another default (LST keeps peft's LoRA defaults and its own precision flags) but not another
meaning. ``hub_token`` never reaches a pickle (:class:`TokenFreePickle`).

**Run settings.** A field whose value shapes the trained model says so where it is defined
(``setting(..., run_setting=True)``, the default); :func:`run_settings` lists them, with the optimisation fields inherited from ``TrainingArguments``
(:data:`TRAINER_RUN_SETTINGS`, which crop-hf cannot annotate), for the manifests that decide whether an earlier
run can be reused.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from transformers import TrainingArguments

MIXED_PRECISION = ("auto", "bf16", "fp16", "no")
# Fields of transformers.TrainingArguments that shape a trained model (with crop-hf's fields marked run_setting)
TRAINER_RUN_SETTINGS = (
    "per_device_train_batch_size", "gradient_accumulation_steps", "num_train_epochs", "max_steps", "learning_rate",
    "weight_decay", "warmup_steps", "lr_scheduler_type", "lr_scheduler_kwargs", "optim", "optim_args", "adam_beta1",
    "adam_beta2", "adam_epsilon", "max_grad_norm", "label_smoothing_factor", "seed", "data_seed", "bf16", "fp16",
)  # fmt: skip
RUN_SETTING_MARKS: dict[Any, bool] = {}  # each field made by setting() (by identity) -> its run_setting


class TokenFreePickle:
    """Arguments mixin: ``hub_token`` never reaches a pickle such as ``training_args.bin`` (the Trainer saves and
    pushes it), while in-memory copies (``copy.copy``, ``copy.deepcopy``, ``dataclasses.replace``) keep it.
    """

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["hub_token"] = None
        return state

    def __copy__(self) -> Any:
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        new = self.__class__.__new__(self.__class__)
        memo[id(self)] = new
        new.__dict__.update({k: copy.deepcopy(v, memo) for k, v in self.__dict__.items()})
        return new


def setting(default: Any = dataclasses.MISSING, help: str = "", run_setting: bool = True, **kwargs: Any) -> Any:
    """A dataclass field with its ``help``, and whether its value shapes the trained model (``run_setting``).

    The mark is kept beside the field (argument parsers pass every ``metadata`` key on to argparse, so it cannot
    live there) and read back by :func:`run_settings`.
    """
    made = field(default=default, metadata={"help": help}, **kwargs)
    RUN_SETTING_MARKS[made] = run_setting
    return made


@dataclass
class CropTrainingArguments(TokenFreePickle, TrainingArguments):
    """``TrainingArguments`` with the LoRA and precision fields that crop-hf's trainers share.

    Args:
        lora_r: LoRA rank; 0 trains the full model.
        lora_alpha: LoRA scaling alpha.
        lora_dropout: Dropout on the LoRA layers.
        lora_target_modules: Modules LoRA adapts (``None``: peft's choice for the model type).
        mixed_precision: ``auto`` (bf16 where the GPU has it, else fp16; none on CPU), ``bf16``, ``fp16``, or
            ``no`` (``bf16`` / ``fp16`` as given).
    """

    lora_r: int = setting(0, "LoRA rank; 0 trains the full model (LST: LoRA also trains the slot markers' rows).")
    lora_alpha: int = setting(16, "LoRA scaling alpha.")
    lora_dropout: float = setting(0.1, "LoRA dropout.")
    lora_target_modules: list[str] | None = setting(
        None, "Modules LoRA adapts (default: peft's choice for the model type)."
    )
    mixed_precision: str = setting(
        "auto", "auto (bf16 where the GPU has it, else fp16; none on CPU), bf16, fp16, no.", run_setting=False
    )

    def __post_init__(self) -> None:
        if self.mixed_precision not in MIXED_PRECISION:
            raise ValueError(
                f"mixed_precision must be one of {', '.join(MIXED_PRECISION)}, got {self.mixed_precision!r}"
            )
        if self.mixed_precision == "auto" and not (self.bf16 or self.fp16):
            import torch

            if torch.cuda.is_available():
                self.bf16 = torch.cuda.is_bf16_supported()
                self.fp16 = not self.bf16
        elif self.mixed_precision in ("bf16", "fp16"):
            setattr(self, self.mixed_precision, True)
        super().__post_init__()
        if self.lora_r < 0:
            raise ValueError(f"lora_r must be >= 0 (0 trains the full model), got {self.lora_r}")

    def lora_config(self, task_type: str, **extra: Any) -> Any:
        """A peft ``LoraConfig`` of these LoRA fields for ``task_type`` (e.g. ``"SEQ_2_SEQ_LM"``, ``"TOKEN_CLS"``)."""
        from ..base.extras import require

        require("peft", "LoRA (lora_r > 0)", "lora")
        from peft import LoraConfig

        return LoraConfig(
            task_type=task_type,
            r=self.lora_r,
            lora_alpha=self.lora_alpha,
            lora_dropout=self.lora_dropout,
            target_modules=self.lora_target_modules,
            **extra,
        )


def run_settings(args_type: Any) -> tuple[str, ...]:
    """The fields of an arguments dataclass (or instance) that shape a trained model, in field order."""
    names = {f.name for f in dataclasses.fields(args_type)}
    marked = [f.name for f in dataclasses.fields(args_type) if RUN_SETTING_MARKS.get(f)]
    return (*marked, *(name for name in TRAINER_RUN_SETTINGS if name in names and name not in marked))
