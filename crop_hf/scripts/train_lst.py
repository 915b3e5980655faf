"""Train a labeled sequence translation (LST) model: L = alpha * Lt + (1 - alpha) * Llst.

    crop-hf train-lst --model_name_or_path facebook/m2m100_418M --train_file pairs.jsonl --output_dir lst/
    accelerate launch -m crop_hf.cli train-lst --model_name_or_path ... (same arguments)

``--train_file`` (and ``--validation_file``) is JSON lines with ``src_tokens``, ``tgt_tokens``, ``tgt_lang``
(``src_lang`` defaults to "en") and optionally ``phrases`` ([[src_start, src_end, tgt_start, tgt_end], ...]).
Rows without ``phrases`` are aligned with eflomal first (``pip install 'crop-hf[align]'``). Pairs longer than
``--max_length`` tokens are skipped and counted. The saved output loads in
``pipeline("crop-projection", model=output_dir, ner_model=...)``. Every flag of ``transformers.TrainingArguments``
is accepted too (listed after crop-hf's own). The training itself is :func:`crop_hf.training.lst.train_lst_model`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crop_hf.scripts.common import CommandParser, UsageError, command, existing_file, model_ref, quiet_ddp
from crop_hf.training.lst import load_pairs, train_lst_model
from crop_hf.training.trainer import LabeledSeq2SeqTrainingArguments


@dataclass
class LstModelArguments:
    model_name_or_path: str = field(metadata={"help": "Seq2seq checkpoint: facebook/m2m100_418M, NLLB, a local dir."})
    train_file: str = field(metadata={"help": "JSON lines of parallel pairs (see the module doc)."})
    validation_file: str | None = field(
        default=None,
        metadata={"help": "JSON lines of held-out pairs for --eval_strategy (with --predict_with_generate: BLEU)."},
    )


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
    if model_args.validation_file:
        existing_file(model_args.validation_file, "--validation_file")
    if args.max_length < 8:
        raise UsageError(f"--max_length {args.max_length}: too short for a sentence; use e.g. 256")
    if args.lora_r:
        from crop_hf.base.extras import require

        require("peft", "LoRA (--lora_r)", "lora")


@command("train-lst")
def main(argv: list[str]) -> int:
    model_args, args = make_parser().parse_args_into_dataclasses(args=argv)
    check_arguments(model_args, args)
    quiet_ddp(args)
    with args.main_process_first(desc="reading and aligning pairs"):
        rows = load_pairs(model_args.train_file, args.max_phrase_len)
        eval_rows = load_pairs(model_args.validation_file, args.max_phrase_len) if model_args.validation_file else None
    trainer = train_lst_model(model_args.model_name_or_path, rows, args, eval_rows=eval_rows)
    if trainer.is_world_process_zero():
        print(summary_line(trainer, len(rows) - trainer.skipped_long_pairs, args.output_dir), flush=True)
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


if __name__ == "__main__":
    raise SystemExit(main())
