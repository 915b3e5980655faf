"""Free against constrained labeled back-translation: what each keeps, how well it labels, what it costs.

    python benchmarks/bench_decoding.py [--demo-dir demo_output] [--langs es,de,zh] [--sentences 100]
        [--backends transformers,ctranslate2] [--shape m2m100_418M|tiny] [--shape-sentences 8] [--skip-pipeline]

Two parts, each a ratio against free decoding run in the same process:

1. **The demo's pipeline** (``--pipeline`` and ``--raw-dir`` name others): the saved ``crop-projection`` pipeline
   over ``--sentences`` raw lines per language (gold tags known), once per decoding, with the projection options
   the run recorded (``stages/project.json``: its filters, language check and ``min_slot_score``, which only
   constrained decoding uses), so that the constrained side is the run's own projection. Per language and decoding: the kept ratio among the lines whose English NER found an entity (the
   denominator the issue's 85 % target counts), projection P / R / F1 on the kept sentences, and sentences/s of the
   whole pipeline; then both decodings' F1 on the lines both kept. With ``--backends transformers,ctranslate2`` free
   decoding also runs on CTranslate2 (constrained decoding always runs on the transformers weights: CTranslate2 has
   no prefix-dependent mask).
2. **m2m100_418M's shape** (``--shape``): a randomly initialised M2M100 of that shape on the demo's vocabulary; the
   LST step alone, free (greedy, and with the checkpoint's own beams, 5 for m2m100_418M, as the pipeline decodes;
   every generation exactly as long as the labeled sentence a trained model would write, so that random weights,
   which never stop, do the work a trained model does) and
   constrained (the placement search with its default beams; the slot scores come from the search itself), seconds
   per sentence and the ratio constrained / free for each. Random weights choose odd tokenisations of the raw words, which makes constrained
   outputs longer than a trained model's: the ratio is an upper bound. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

from _shared import SHAPES, add_demo_arguments, demo_inputs, read_raw  # benchmarks/_shared.py, beside this script

from crop_hf.projection.projection_options import ProjectionOptions
from crop_hf.run.steps import is_scored, projection_quality


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_demo_arguments(parser)
    parser.add_argument("--sentences", type=int, default=100, help="Raw lines per language.")
    parser.add_argument("--backends", default="transformers", help="Backends of free decoding (comma-separated).")
    parser.add_argument("--shape", choices=list(SHAPES), default="m2m100_418M")
    parser.add_argument("--shape-sentences", type=int, default=8, help="Sentences of the shape measure.")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--skip-pipeline", action="store_true")
    args = parser.parse_args()
    if not args.skip_pipeline:
        demo_pipeline(args)
    shape_cost(args.shape, args.shape_sentences, args.batch_size)


def demo_pipeline(args: argparse.Namespace) -> None:
    from transformers import pipeline

    import crop_hf  # noqa: F401

    path, raw_dir, langs = demo_inputs(args)
    runs = [("free", b) for b in args.backends.split(",")] + [("constrained", "transformers")]
    projectors = {b: pipeline("crop-projection", model=path, backend=b) for b in {b for _, b in runs}}
    options, source = run_options(Path(args.demo_dir))
    print(f"projection options: {source}; min_slot_score {options.min_slot_score} (constrained decoding only)")
    print(f"{'lang':5} {'decoding':22} {'kept/with entity':>16} {'P':>6} {'R':>6} {'F1':>6} {'sent/s':>7}")
    totals = {run: [0, 0.0] for run in runs}  # sentences, seconds
    f1s: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
    common: list[str] = []  # per language, F1 on the lines both decodings kept
    for lang in langs:
        rows = read_raw(raw_dir, lang)[: args.sentences]
        texts = [r["text"] for r in rows]
        results_of: dict[tuple[str, str], list[dict]] = {}
        for decoding, backend in runs:
            projector = projectors[backend]
            start = time.perf_counter()
            call = dataclasses.replace(options, decoding=decoding, backend=None, compute_type=None)
            results = projector(texts, src_lang=lang, options=call, batch_size=32)
            seconds = time.perf_counter() - start
            results_of[(decoding, backend)] = results
            q = projection_quality(rows, results)
            with_entity = len(rows) - sum(q["drops"].get(r, 0) for r in ("no_entity", "wrong_language", "empty"))
            if decoding == "free":  # a free run's wrong_language may be its translation's: count the raw check only
                with_entity += sum(r["reason"] == "wrong_language" and not r["detail"].startswith("raw")
                                   for r in results)  # fmt: skip
            totals[(decoding, backend)][0] += len(rows)
            totals[(decoding, backend)][1] += seconds
            f1s[(decoding, backend)].append(q["f1"] or 0.0)
            print(f"{lang:5} {decoding + ' (' + backend + ')':22} {q['kept']:>7}/{with_entity:<8} "
                  f"{_f(q['precision'])} {_f(q['recall'])} {_f(q['f1'])} {len(rows) / seconds:7.2f}")  # fmt: skip
        common.append(_on_common_lines(lang, rows, results_of[runs[0]], results_of[runs[-1]]))
    free, constrained = runs[0], runs[-1]
    print("\n".join(common))
    rate = {run: n / s for run, (n, s) in totals.items() if s}
    mean = {run: sum(v) / len(v) for run, v in f1s.items() if v}
    f1_ratio = f"{mean[constrained] / mean[free]:.3f}" if mean[free] else "n/a (free decoding kept nothing scored)"
    print(f"ratio projection F1 constrained / free (mean over languages): {f1_ratio} "
          f"({mean[constrained]:.3f} / {mean[free]:.3f})")  # fmt: skip
    print(f"ratio pipeline sentences/s constrained / free: {rate[constrained] / rate[free]:.3f}")


def run_options(demo_dir: Path) -> tuple[ProjectionOptions, str]:
    """The projection options the run in ``demo_dir`` used (its ``stages/project.json``), so that both decodings
    are measured as the run projects; without that record, the defaults with the raw-language check on."""
    record = demo_dir / "stages" / "project.json"
    if record.exists():
        settings = json.loads(record.read_text(encoding="utf-8"))["settings"]
        return ProjectionOptions.from_mapping(settings), f"the run's ({record})"
    return ProjectionOptions(check_raw_language=True), "the defaults, raw-language check on"


def _on_common_lines(lang: str, rows: list[dict], free: list[dict], constrained: list[dict]) -> str:
    """Projection F1 of both decodings on the lines both kept: each one's own F1 above is on its own kept lines,
    and free decoding keeps the easier ones (it drops a sentence whose slots it loses)."""
    both = [i for i, (row, a, b) in enumerate(zip(rows, free, constrained)) if is_scored(row, a) and is_scored(row, b)]
    f1 = [
        projection_quality([rows[i] for i in both], [results[i] for i in both])["f1"]
        for results in (free, constrained)
    ]
    return f"{lang:5} on the {len(both)} lines both kept: F1 free {_f(f1[0])}, constrained {_f(f1[1])}"


def shape_cost(shape: str, sentences: int, batch_size: int) -> None:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from crop_hf.core.slots import wrap
    from crop_hf.core.tagging import tags_to_spans
    from crop_hf.demo.synthetic import generate_corpus
    from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, train_sentencepiece
    from crop_hf.translation.constrained import ConstrainedLabeler

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        spm = train_sentencepiece(corpus_texts(), Path(tmp) / "spm.model", 2000, model_type="bpe")  # the demo's
        model_dir = make_tiny_m2m100(Path(tmp) / shape, spm, **SHAPES[shape])
        model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval()
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
    examples = [ex for ex in generate_corpus(["es"], sentences * 3, seed=5) if tags_to_spans(ex.src_tags)][:sentences]
    english = [wrap(ex.src_tokens, tags_to_spans(ex.src_tags)) for ex in examples]
    target = [wrap(ex.tgt_tokens, tags_to_spans(ex.tgt_tags)) for ex in examples]
    words = [ex.tgt_tokens for ex in examples]
    n_slots = [len(tags_to_spans(ex.src_tags)) for ex in examples]
    params = sum(p.numel() for p in model.parameters()) / 1e6
    print(f"M2M100 {params:.1f}M parameters ({shape}'s shape), {len(examples)} sentences, batch {batch_size}, "
          f"torch threads {torch.get_num_threads()}")  # fmt: skip
    labeler = ConstrainedLabeler(model, tokenizer, batch_size=batch_size)
    labeler.place(english[:1], words[:1], n_slots[:1], "es")  # warm-up
    start = time.perf_counter()
    placed = labeler.place(english, words, n_slots, "es")
    constrained = (time.perf_counter() - start) / len(examples)
    beams = sorted({1, model.generation_config.num_beams or 1})
    print(f"LST step, seconds per sentence: constrained {constrained:.4f} "
          f"({sum(p is not None for p in placed)}/{len(examples)} placed, {labeler.settings.num_beams} beams)")  # fmt: skip
    for num_beams in beams:  # greedy, and the checkpoint's own beams (the pipeline's free decoding) where not 1
        free = _free_seconds(model, tokenizer, english, target, batch_size, num_beams) / len(examples)
        print(f"free with {num_beams} beam(s) {free:.4f}: ratio constrained / free seconds per sentence at {shape}'s "
              f"shape: {constrained / free:.3f}")  # fmt: skip


def _free_seconds(model, tokenizer, english, target, batch_size: int, num_beams: int) -> float:
    """Free decoding's seconds over the sentences, each generation exactly as long as the labeled sentence a
    trained model would write (random weights never stop)."""
    from crop_hf.translation import Translator

    seconds = 0.0
    for k in range(0, len(english), batch_size):
        length = max(len(tokenizer(t)["input_ids"]) for t in target[k : k + batch_size])
        translator = Translator(model, tokenizer, batch_size=batch_size, num_beams=num_beams, min_new_tokens=length,
                                max_new_tokens=length)  # fmt: skip
        start = time.perf_counter()
        translator.translate(english[k : k + batch_size], "en", "es")
        seconds += time.perf_counter() - start
    return seconds


def _f(x: float | None) -> str:
    return f"{x:6.3f}" if x is not None else "     -"


if __name__ == "__main__":
    main()
