"""Project a raw target-language corpus into labelled Parquet shards (resumable, multi-process).

crop-hf project --model LST_DIR_OR_REPO --ner_model NER --input raw.txt --src_lang es --output_dir out/
accelerate launch examples/project.py --model ... (each process takes every n-th shard)
"""

from __future__ import annotations

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
    from accelerate import PartialState
    from transformers import pipeline

    import crop_hf  # noqa: F401  (registers the pipeline)
    from crop_hf.corpus_projection import project_corpus, summarize

    state = PartialState()
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
