"""Multilingual self-training of a CROP NER model (English gold + projected target data, re-labelled discards).

Data are JSONL or Parquet files with the columns ``tokens`` and ``tags`` (``lang`` and ``id`` optional; the
discarded file needs ``tokens`` only), or ``--synthetic`` for the built-in corpus (gold target tags stand in
for projected ones, and part of each language is handed over unlabelled as the discarded sentences).

    crop-hf selftrain --model_name_or_path xlm-roberta-large --source_file en.train.jsonl \\
        --projected_file projected.parquet --discarded_file discarded.parquet \\
        --eval_files es=es.test.jsonl de=de.test.jsonl --output_dir out/crop-ner

    accelerate launch -m crop_hf.cli selftrain ... (same arguments, one process per device)

Every flag of :class:`crop_hf.training.selftrain.SelfTrainingArguments` (and so of ``TrainingArguments``,
listed after crop-hf's own) is accepted. A rerun
into the same --output_dir reuses finished rounds and resumes from checkpoints; when its model, data or settings
differ it refuses with one line, or starts over with --overwrite_output_dir.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from crop_hf.scripts.common import (
    CommandParser,
    UsageError,
    command,
    existing_file,
    lang_file_specs,
    languages,
    model_ref,
    quiet_ddp,
)
from crop_hf.training.ner_data import NerExample, examples_from_rows
from crop_hf.training.selftrain import SelfTrainingArguments, self_train

logger = logging.getLogger("crop_hf.scripts.selftrain")


@dataclass
class DataArguments:
    model_name_or_path: str = field(metadata={"help": "Encoder to fine-tune (Hub id or local directory)."})
    source_file: str | None = field(default=None, metadata={"help": "English gold NER data Lsrc (JSONL/Parquet)."})
    projected_file: str | None = field(default=None, metadata={"help": "Target data labelled by projection Ltgt."})
    discarded_file: str | None = field(
        default=None, metadata={"help": "Target sentences projection discarded (tokens only), to be re-labelled."}
    )
    eval_files: list[str] = field(
        default_factory=list, metadata={"help": "Test sets as LANG=PATH, or PATH with a 'lang' column."}
    )
    synthetic: bool = field(default=False, metadata={"help": "Use the built-in corpus instead of files."})
    synthetic_langs: str = field(default="es,de", metadata={"help": "Target languages of the built-in corpus."})
    synthetic_source: int = field(default=400, metadata={"help": "English gold sentences (built-in corpus)."})
    synthetic_projected: int = field(default=100, metadata={"help": "Labelled target sentences per language."})
    synthetic_discarded: int = field(default=100, metadata={"help": "Unlabelled target sentences per language."})
    synthetic_eval: int = field(default=100, metadata={"help": "Test sentences per language."})
    synthetic_seed: int = field(default=0, metadata={"help": "Seed of the built-in corpus."})


def make_parser() -> CommandParser:
    return CommandParser(
        (DataArguments, SelfTrainingArguments),
        prog="crop-hf selftrain",
        description=__doc__.split("\n\n")[0],
        usage="crop-hf selftrain --model_name_or_path MODEL (--source_file F ... | --synthetic) [OPTIONS]",
    )


def check_arguments(data_args: DataArguments, args: SelfTrainingArguments) -> None:
    """Every check that needs no model: raises :class:`UsageError` naming the bad value."""
    model_ref(data_args.model_name_or_path, "--model_name_or_path")
    if data_args.synthetic:
        from crop_hf.base.extras import require

        languages(data_args.synthetic_langs, "--synthetic_langs")
        require("faker", "the built-in corpus (--synthetic)", "demo")
        return
    files = {"--source_file": data_args.source_file, "--projected_file": data_args.projected_file,
             "--discarded_file": data_args.discarded_file}  # fmt: skip
    if not data_args.source_file and not data_args.projected_file:
        raise UsageError(
            "no training data: pass --source_file and/or --projected_file (JSONL/Parquet), or --synthetic"
        )
    for flag, path in files.items():
        if path:
            existing_file(path, flag)
    lang_file_specs(data_args.eval_files, "--eval_files")


@command("selftrain")
def main(argv: list[str]) -> int:
    data_args, args = make_parser().parse_args_into_dataclasses(args=argv)
    check_arguments(data_args, args)
    quiet_ddp(args)
    source, projected, discarded, eval_sets = load_data(data_args, args)
    result = self_train(data_args.model_name_or_path, source, projected, discarded, args, eval_sets)
    summary = {
        "model_dir": result.model_dir,
        "rounds": [
            {"round": r.round, "steps": r.steps, "train_loss": r.train_loss, "data": r.data, "f1": r.f1}
            for r in result.rounds
        ],
    }
    if args.should_save:
        Path(args.output_dir, "selftrain_results.json").write_text(json.dumps(summary, indent=2))
    # one line per process: which rank ran, in how large a world, and how many optimizer steps it took
    rank = {"rank": args.process_index, "world_size": args.world_size, "steps": [r.steps for r in result.rounds]}
    print(f"crop-hf rank summary: {json.dumps(rank)}", flush=True)
    if args.should_save:
        print(summary_line(result, args.output_dir), flush=True)
    return 0


def summary_line(result, output_dir: str) -> str:
    """One line: rounds, steps, the last round's F1 per language, where the model and results are."""
    last = result.rounds[-1]
    f1 = ", ".join(f"{lang} {100 * v:.1f}" for lang, v in last.f1.items()) or "no test data given"
    steps = "+".join(str(r.steps) for r in result.rounds)
    return (
        f"crop-hf selftrain: {len(result.rounds)} round(s), {steps} steps, last-round loss {last.train_loss:.4f}; "
        f"F1 {f1}; model in {result.model_dir}, per-round results in {Path(output_dir) / 'selftrain_results.json'}"
    )


def load_data(
    data_args: DataArguments, args: SelfTrainingArguments
) -> tuple[list[NerExample], list[NerExample], list[NerExample], dict[str, list[NerExample]]]:
    """Lsrc, Ltgt, discarded and the test sets, from files or the built-in corpus."""
    if data_args.synthetic:
        from crop_hf.demo.data import synthetic_english, synthetic_target

        langs = [lang for lang in data_args.synthetic_langs.split(",") if lang]
        seed = data_args.synthetic_seed
        n_target = data_args.synthetic_projected + data_args.synthetic_discarded
        source = synthetic_english(data_args.synthetic_source, seed=seed, split="train")
        target = synthetic_target(langs, n_target, seed=seed, split="target")
        projected = [ex for lang in langs for ex in target[lang][: data_args.synthetic_projected]]
        discarded = [
            NerExample(ex.tokens, None, ex.lang, ex.id)
            for lang in langs
            for ex in target[lang][data_args.synthetic_projected :]
        ]
        return source, projected, discarded, synthetic_target(langs, data_args.synthetic_eval, seed=seed, split="test")
    check_files(data_args)
    source = _read(data_args.source_file, "source", args) if data_args.source_file else []
    projected = _read(data_args.projected_file, "projected", args) if data_args.projected_file else []
    discarded = _read(data_args.discarded_file, "discarded", args) if data_args.discarded_file else []
    eval_sets: dict[str, list[NerExample]] = {}
    for spec in data_args.eval_files:
        lang, sep, path = spec.partition("=")
        rows = _read(path if sep else spec, f"eval {spec}", args, default_lang=lang if sep else "")
        for ex in rows:
            if not ex.lang:
                raise ValueError(f"{spec}: row {ex.id} has no 'lang'; name the language as LANG=PATH")
            eval_sets.setdefault(ex.lang, []).append(ex)
    return source, projected, discarded, eval_sets


def check_files(data_args: DataArguments) -> None:
    """One-line ``ValueError`` for a data file that is not there, before any model loads or anything is written."""
    given = [("source_file", data_args.source_file), ("projected_file", data_args.projected_file),
             ("discarded_file", data_args.discarded_file)]  # fmt: skip
    given += [("eval_files", spec.partition("=")[2] or spec) for spec in data_args.eval_files]
    if not any(path for _, path in given[:2]):
        raise ValueError("no labelled data: give --source_file and/or --projected_file (or --synthetic)")
    for flag, path in given:
        if path and not Path(path).is_file():
            raise ValueError(f"--{flag} {path}: no such file; give a JSONL or Parquet file with a 'tokens' column")


def _read(path: str, name: str, args: SelfTrainingArguments, default_lang: str = "en") -> list[NerExample]:
    """Load a JSONL/Parquet split with datasets (cached by the main process first), as NerExamples."""
    from datasets import load_dataset

    builder = "parquet" if path.endswith(".parquet") else "json"
    with args.main_process_first(desc=f"load {name}"):
        ds = load_dataset(builder, data_files=path, split="train")
        if "tokens" not in ds.column_names:
            raise ValueError(f"{path}: no 'tokens' column (columns: {ds.column_names})")
        ds = ds.map(lambda row, i: {"id": str(row.get("id") or f"{Path(path).stem}-{i}")}, with_indices=True)
    return examples_from_rows(ds, default_lang=default_lang, source=path)


if __name__ == "__main__":
    raise SystemExit(main())
