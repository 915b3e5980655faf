"""Score NER models per language and per entity type (seqeval, entity level), side by side.

    crop-hf evaluate --model_dirs out/zero_shot out/crop-ner/round_1 \\
        --eval_files es=es.test.jsonl de=de.test.jsonl --output_file scores.json

    crop-hf evaluate --model_dirs out/zero_shot out/round_1 --synthetic --synthetic_langs es,de

Test files are JSONL or Parquet with ``tokens`` and ``tags`` (and ``lang`` unless given as LANG=PATH).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from crop_hf.scripts.common import CommandParser, UsageError, command, lang_file_specs, languages, model_ref
from crop_hf.training.ner_data import NerExample, read_examples

logger = logging.getLogger("crop_hf.scripts.evaluate")


@dataclass
class EvaluateArguments:
    model_dirs: list[str] = field(
        metadata={"help": "Saved token classifiers to score (e.g. zero-shot, self-trained)."}
    )
    eval_files: list[str] = field(
        default_factory=list, metadata={"help": "Test sets as LANG=PATH, or PATH with a 'lang' column."}
    )
    synthetic: bool = field(default=False, metadata={"help": "Score on the built-in corpus's test split."})
    synthetic_langs: str = field(default="es,de", metadata={"help": "Languages of the built-in test split."})
    synthetic_eval: int = field(default=100, metadata={"help": "Test sentences per language (built-in corpus)."})
    synthetic_seed: int = field(default=0, metadata={"help": "Seed of the built-in corpus."})
    batch_size: int = field(default=64, metadata={"help": "Sentences per forward pass."})
    max_length: int = field(default=128, metadata={"help": "Sub-words per model input (longer: word windows)."})
    output_file: str | None = field(default=None, metadata={"help": "Write all scores here as JSON."})


def make_parser() -> CommandParser:
    return CommandParser(EvaluateArguments, prog="crop-hf evaluate", description=__doc__.split("\n\n")[0])


def check_arguments(args: EvaluateArguments) -> None:
    """Every check that needs no model: raises :class:`UsageError` naming the bad value."""
    for model_dir in args.model_dirs:
        model_ref(model_dir, "--model_dirs")
    if args.synthetic:
        from crop_hf.base.extras import require

        languages(args.synthetic_langs, "--synthetic_langs")
        require("faker", "the built-in corpus (--synthetic)", "demo")
    elif not args.eval_files:
        raise UsageError("no test data: pass --eval_files LANG=PATH ... or --synthetic")
    lang_file_specs(args.eval_files, "--eval_files")
    if args.output_file and Path(args.output_file).is_dir():
        raise UsageError(f"--output_file {args.output_file}: is a folder; pass a file name such as scores.json")


@command("evaluate")
def main(argv: list[str]) -> int:
    (args,) = make_parser().parse_args_into_dataclasses(args=argv)
    check_arguments(args)
    from crop_hf.training.selftrain import evaluate_ner

    eval_sets = load_eval_sets(args)
    results = {d: evaluate_ner(d, eval_sets, args.batch_size, args.max_length) for d in args.model_dirs}
    langs = list(eval_sets)
    width = max(len(d) for d in args.model_dirs)
    print(f"{'model':<{width}}  " + "  ".join(f"{lang:>7}" for lang in langs) + "      avg")
    for d, scores in results.items():
        f1s = [100 * scores[lang].f1 for lang in langs]
        print(f"{d:<{width}}  " + "  ".join(f"{f:7.2f}" for f in f1s) + f"  {sum(f1s) / len(f1s):7.2f}")
    if args.output_file:
        payload = {d: {lang: asdict(s) for lang, s in scores.items()} for d, scores in results.items()}
        Path(args.output_file).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output_file).write_text(json.dumps(payload, indent=2, default=float))
    avg = {d: sum(scores[lang].f1 for lang in langs) / max(len(langs), 1) for d, scores in results.items()}
    best = max(avg, key=lambda d: avg[d])
    sentences = sum(len(v) for v in eval_sets.values())
    where = f"scores in {args.output_file}" if args.output_file else "scores not saved (--output_file)"
    print(
        f"crop-hf evaluate: {len(results)} model(s) on {sentences} sentences in {len(langs)} language(s); "
        f"best average F1 {100 * avg[best]:.2f} ({best}); {where}",
        flush=True,
    )
    return 0


def load_eval_sets(args: EvaluateArguments) -> dict[str, list[NerExample]]:
    if args.synthetic:
        from crop_hf.demo.data import synthetic_target

        langs = [lang for lang in args.synthetic_langs.split(",") if lang]
        return synthetic_target(langs, args.synthetic_eval, seed=args.synthetic_seed, split="test")
    if not args.eval_files:
        raise ValueError("no test data: pass --eval_files LANG=PATH ... or --synthetic")
    eval_sets: dict[str, list[NerExample]] = {}
    for spec in args.eval_files:
        lang, sep, path = spec.partition("=")
        for ex in read_examples(path if sep else spec, default_lang=lang if sep else ""):
            if not ex.lang:
                raise ValueError(f"{spec}: row {ex.id} has no 'lang'; name the language as LANG=PATH")
            eval_sets.setdefault(ex.lang, []).append(ex)
    return eval_sets


if __name__ == "__main__":
    raise SystemExit(main())
