"""Project a raw target-language corpus into labelled Parquet shards (resumable, multi-process).

crop-hf project --model LST_DIR_OR_REPO --ner_model NER --input raw.txt --src_lang es --output_dir out/
accelerate launch examples/project.py --model ... (each process takes every n-th shard)

A rerun into the same output_dir resumes (finished shards are checked and kept); with another input, shard size,
pipeline or settings it refuses with one line, or starts over with --overwrite.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from transformers import HfArgumentParser


@dataclass
class ProjectArguments:
    model: str = field(metadata={"help": "LST model (or a saved crop-projection pipeline): local dir or Hub id."})
    input: str = field(metadata={"help": "Text file (one sentence per line) or .jsonl with a 'text' field."})
    src_lang: str = field(metadata={"help": "Language code of the raw sentences, e.g. 'es'."})
    output_dir: str = field(metadata={"help": "Where the Parquet shards and summary.json go."})
    ner_model: str | None = field(default=None, metadata={"help": "English NER model (default: the saved one)."})
    mt_model: str | None = field(default=None, metadata={"help": "xx->en MT model (default: the LST model)."})
    strictness: str = field(default="crop", metadata={"help": "Matching: exact, crop, fuzzy or align."})
    shard_size: int = field(default=1000, metadata={"help": "Sentences per Parquet shard (the unit of resume)."})
    batch_size: int = field(default=32, metadata={"help": "Sentences per model batch."})
    check_language: bool = field(default=True, metadata={"help": "Drop sentences langid says are not src_lang."})
    max_words: int = field(default=128, metadata={"help": "Drop sentences longer than this (CROP: 128)."})
    overwrite: bool = field(
        default=False, metadata={"help": "Start over when output_dir holds a run with other input or settings."}
    )
    backend: str | None = field(
        default=None,
        metadata={"help": "Generation backend: transformers or ctranslate2 (crop-hf[ct2]); default: the saved one."},
    )
    compute_type: str | None = field(
        default=None, metadata={"help": "CTranslate2 compute type (default: int8 on CPU, float16/bfloat16 on GPU)."}
    )


def make_parser() -> HfArgumentParser:
    return HfArgumentParser(ProjectArguments)


def main(argv: Sequence[str] | None = None) -> int:
    (args,) = make_parser().parse_args_into_dataclasses(args=list(argv) if argv is not None else None)
    import torch
    from accelerate import PartialState
    from transformers import pipeline

    import crop_hf  # noqa: F401  (registers the pipeline)
    from crop_hf.corpus_projection import check_options, project_corpus, summarize

    check_options(args.input, args.shard_size, args.batch_size)  # before any model loads
    # several CPU processes (accelerate launch without GPUs) need gloo; plain PartialState() sees a world of one each
    several = int(os.environ.get("WORLD_SIZE", "1")) > 1
    state = PartialState(cpu=several and not torch.cuda.is_available())
    kwargs = {k: v for k, v in (("ner_model", args.ner_model), ("mt_model", args.mt_model)) if v}
    kwargs.update({k: v for k, v in (("backend", args.backend), ("compute_type", args.compute_type)) if v})
    projector = pipeline("crop-projection", model=args.model, device=state.device, **kwargs)
    project_corpus(
        projector,
        args.input,
        args.output_dir,
        args.src_lang,
        shard_size=args.shard_size,
        batch_size=args.batch_size,
        process_index=state.process_index,
        num_processes=state.num_processes,
        progress=state.is_local_main_process,
        overwrite=args.overwrite,
        barrier=state.wait_for_everyone,
        strictness=args.strictness,
        check_language=args.check_language,
        max_words=args.max_words,
    )
    state.wait_for_everyone()
    if state.is_main_process:
        summary = summarize(args.output_dir)
        print(
            f"projected {summary.sentences} sentences in {summary.shards} shards: kept {summary.kept} "
            f"({100 * summary.kept_ratio:.1f}%); drops {summary.drops}; entities {summary.entities}"
        )
        if not summary.complete:
            raise ValueError(
                f"{args.output_dir}: shards hold {summary.sentences} of {summary.lines_expected} input lines "
                f"(bad shards: {', '.join(summary.bad_shards) or 'none'}); rerun the same command to redo them"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
