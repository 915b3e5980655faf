"""Train a labeled sequence translation (LST) model: L = alpha * Lt + (1 - alpha) * Llst.

    crop-hf train-lst --model_name_or_path facebook/m2m100_418M --train_file pairs.jsonl --output_dir lst/
    accelerate launch -m crop_hf.cli train-lst --model_name_or_path ... (same arguments)

``--train_file`` is JSON lines with ``src_tokens``, ``tgt_tokens``, ``tgt_lang`` (``src_lang`` defaults to "en")
and optionally ``phrases`` ([[src_start, src_end, tgt_start, tgt_end], ...]). Rows without ``phrases`` are
aligned with eflomal first (``pip install 'crop-hf[align]'``). The saved output loads in
``pipeline("crop-projection", model=output_dir, ner_model=...)``. Every flag of ``transformers.TrainingArguments``
is accepted too (listed after crop-hf's own).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crop_hf.scripts.common import CommandParser, UsageError, command, existing_file, model_ref, quiet_ddp
from crop_hf.trainer import LabeledSeq2SeqTrainingArguments

logger = logging.getLogger(__name__)


@dataclass
class LstModelArguments:
    model_name_or_path: str = field(metadata={"help": "Seq2seq checkpoint: facebook/m2m100_418M, NLLB, a local dir."})
    train_file: str = field(metadata={"help": "JSON lines of parallel pairs (see the module doc)."})
    max_length: int = field(
        default=256,
        metadata={
            "help": "Longest tokenised sentence (sub-words); a longer pair stops training with an error naming it."
        },
    )
    lora_r: int = field(default=0, metadata={"help": "LoRA rank; 0 trains the full model."})


def make_parser() -> CommandParser:
    return CommandParser(
        (LstModelArguments, LabeledSeq2SeqTrainingArguments),
        prog="crop-hf train-lst",
        description=__doc__.split("\n\n")[0],
        usage="crop-hf train-lst --model_name_or_path MODEL --train_file PAIRS.jsonl --output_dir DIR [OPTIONS]",
    )


def check_arguments(model_args: LstModelArguments, args: LabeledSeq2SeqTrainingArguments) -> None:
    """Every check that needs no model: raises :class:`UsageError` naming the bad value."""
    model_ref(model_args.model_name_or_path, "--model_name_or_path")
    existing_file(model_args.train_file, "--train_file")
    if model_args.max_length < 8:
        raise UsageError(f"--max_length {model_args.max_length}: too short for a sentence; use e.g. 256")
    if model_args.lora_r < 0:
        raise UsageError(f"--lora_r {model_args.lora_r}: must be 0 (full fine-tuning) or a positive rank")
    if model_args.lora_r:
        from crop_hf.extras import require

        require("peft", "LoRA (--lora_r)", "lora")


def load_pairs(path: str | Path, max_phrase_len: int = 4) -> list[dict]:
    """Read the training pairs; rows without ``phrases`` get them from eflomal word alignment."""
    rows = []
    with Path(path).open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            missing = [k for k in ("src_tokens", "tgt_tokens", "tgt_lang") if k not in row]
            if missing:
                raise ValueError(f"{Path(path).name} line {number}: missing {missing}")
            row.setdefault("src_lang", "en")
            rows.append(row)
    if not rows:
        raise ValueError(f"{path}: no training pairs")
    unaligned = [r for r in rows if "phrases" not in r]
    if unaligned:
        _align(unaligned, max_phrase_len)
    return rows


@command("train-lst")
def main(argv: list[str]) -> int:
    model_args, args = make_parser().parse_args_into_dataclasses(args=argv)
    check_arguments(model_args, args)
    quiet_ddp(args)
    with args.main_process_first(desc="reading and aligning pairs"):
        rows = load_pairs(model_args.train_file, args.max_phrase_len)
    trainer = train_lst_model(model_args.model_name_or_path, rows, args, model_args.max_length, model_args.lora_r)
    if trainer.is_world_process_zero():
        print(summary_line(trainer, len(rows), args.output_dir), flush=True)
    return 0


def summary_line(trainer: Any, pairs: int, output_dir: str) -> str:
    """One line: pairs, steps and loss, where the model is and how to load it."""
    losses = [entry["train_loss"] for entry in trainer.state.log_history if "train_loss" in entry]
    loss = f", loss {losses[-1]:.4f}" if losses else ""
    checkpoints = sorted(p.name for p in Path(output_dir).glob("checkpoint-*") if p.is_dir())
    kept = f"; {', '.join(checkpoints)} kept for resuming (safe to delete)" if checkpoints else ""
    return (
        f"crop-hf train-lst: {trainer.state.global_step} steps on {pairs} pairs{loss}; model and tokenizer in "
        f"{output_dir} (pipeline('crop-projection', model='{output_dir}', ner_model=...) loads it){kept}"
    )


def train_lst_model(
    model_name_or_path: str,
    rows: Sequence[dict],
    args: LabeledSeq2SeqTrainingArguments,
    max_length: int = 256,
    lora_r: int = 0,
) -> Any:
    """Train (or resume from the last checkpoint in ``args.output_dir``) and save model + tokenizer there."""
    from datasets import Dataset
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.trainer_utils import get_last_checkpoint

    from crop_hf.collator import DataCollatorForLabeledSeq2Seq
    from crop_hf.tokenizer_prep import prepare_tokenizer_for_slots
    from crop_hf.trainer import LabeledSeq2SeqTrainer

    tokenizer = AutoTokenizer.from_pretrained(model_name_or_path)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_name_or_path)
    report = prepare_tokenizer_for_slots(tokenizer, model, max_slots=args.max_slots)
    if report.added:
        logger.info("added %d slot markers as tokens from id %d", len(report.added), report.first_id)
    if lora_r:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(
            model, LoraConfig(task_type="SEQ_2_SEQ_LM", r=lora_r, target_modules=["q_proj", "v_proj"])
        )
    collator = DataCollatorForLabeledSeq2Seq(
        tokenizer, max_slots=args.max_slots, translation_ratio=args.translation_ratio, max_length=max_length,
        seed=args.seed,
    )  # fmt: skip
    trainer = LabeledSeq2SeqTrainer(
        model=model, args=args, train_dataset=Dataset.from_list(list(rows)), data_collator=collator,
        processing_class=tokenizer,
    )  # fmt: skip
    checkpoint = get_last_checkpoint(args.output_dir) if Path(args.output_dir).is_dir() else None
    trainer.train(resume_from_checkpoint=checkpoint)
    trainer.save_model(args.output_dir)
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(args.output_dir)
    return trainer


def _align(rows: list[dict], max_phrase_len: int) -> None:
    from crop_hf.alignment import align_corpus
    from crop_hf.languages import get_language

    for lang in sorted({r["tgt_lang"] for r in rows}):
        mine = [r for r in rows if r["tgt_lang"] == lang]
        pairs = align_corpus(
            [r["src_tokens"] for r in mine],
            [r["tgt_tokens"] for r in mine],
            max_phrase_len=max_phrase_len,
            char_level_target=get_language(lang).char_level,
        )
        for r, pair in zip(mine, pairs):
            r["phrases"] = [[p.src_start, p.src_end, p.tgt_start, p.tgt_end] for p in pair.phrases]


if __name__ == "__main__":
    raise SystemExit(main())
