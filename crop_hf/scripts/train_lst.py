"""Train a labeled sequence translation (LST) model: L = alpha * Lt + (1 - alpha) * Llst.

    crop-hf train-lst --model_name_or_path facebook/m2m100_418M --train_file pairs.jsonl --output_dir lst/
    accelerate launch examples/train_lst.py --model_name_or_path ... (same arguments)

``--train_file`` (and ``--validation_file``) is JSON lines with ``src_tokens``, ``tgt_tokens``, ``tgt_lang``
(``src_lang`` defaults to "en") and optionally ``phrases`` ([[src_start, src_end, tgt_start, tgt_end], ...]).
Rows without ``phrases`` are aligned with eflomal first (``pip install crop-hf[align]``). Pairs longer than
``--max_length`` tokens are skipped and counted. The saved output loads in
``pipeline("crop-projection", model=output_dir, ner_model=...)``. The training itself is
:func:`crop_hf.lst.train_lst_model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from transformers import HfArgumentParser

from crop_hf.lst import load_pairs, train_lst_model
from crop_hf.trainer import LabeledSeq2SeqTrainingArguments


@dataclass
class LstModelArguments:
    model_name_or_path: str = field(metadata={"help": "Seq2seq checkpoint: facebook/m2m100_418M, NLLB, a local dir."})
    train_file: str = field(metadata={"help": "JSON lines of parallel pairs (see the module doc)."})
    validation_file: str | None = field(
        default=None,
        metadata={"help": "JSON lines of held-out pairs for --eval_strategy (with --predict_with_generate: BLEU)."},
    )


def make_parser() -> HfArgumentParser:
    return HfArgumentParser((LstModelArguments, LabeledSeq2SeqTrainingArguments))


def main(argv: Sequence[str] | None = None) -> int:
    model_args, args = make_parser().parse_args_into_dataclasses(args=list(argv) if argv is not None else None)
    with args.main_process_first(desc="reading and aligning pairs"):
        rows = load_pairs(model_args.train_file, args.max_phrase_len)
        eval_rows = load_pairs(model_args.validation_file, args.max_phrase_len) if model_args.validation_file else None
    train_lst_model(model_args.model_name_or_path, rows, args, eval_rows=eval_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
