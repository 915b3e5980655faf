"""LabeledSeq2SeqTrainer step time over plain Seq2SeqTrainer step time, on the same batches, in one process.

    python benchmarks/bench_trainer.py [--steps 30] [--d-model 256]

Both trainers run ``training_step`` (forward, loss, backward) on identical collated batches of the built-in
corpus, with the ``num_items_in_batch`` each counts for itself in ``get_batch_samples`` (timed with the step),
interleaved so that machine load hits both alike; the ratio of medians is printed (target <= 1.05).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, Seq2SeqTrainer

from crop_hf.core.tagging import tags_to_spans
from crop_hf.demo.synthetic import generate_corpus
from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, train_sentencepiece
from crop_hf.training.collator import DataCollatorForLabeledSeq2Seq
from crop_hf.training.trainer import LabeledSeq2SeqTrainer, LabeledSeq2SeqTrainingArguments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--d-model", type=int, default=256)
    args = parser.parse_args()
    if args.steps < 3:
        parser.error(f"--steps {args.steps}: give at least 3 (the first 2 steps are warm-up, not timed)")
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spm = train_sentencepiece(corpus_texts(n_per_lang=200), root / "sp.model", vocab_size=2000)
        make_tiny_m2m100(root / "m2m", spm, d_model=args.d_model, ffn_dim=4 * args.d_model, layers=3)
        tok = AutoTokenizer.from_pretrained(root / "m2m")
        model = AutoModelForSeq2SeqLM.from_pretrained(root / "m2m")
        feats = []
        for ex in generate_corpus(n_per_lang=args.steps * args.batch_size // 6 + 1, seed=0):
            src, tgt = tags_to_spans(ex.src_tags), tags_to_spans(ex.tgt_tags)
            phrases = [[src[i].start, src[i].end, tgt[j].start, tgt[j].end] for i, j in ex.alignment]
            feats.append({"src_tokens": ex.src_tokens, "tgt_tokens": ex.tgt_tokens, "phrases": phrases,
                          "src_lang": "en", "tgt_lang": ex.lang})  # fmt: skip
        collator = DataCollatorForLabeledSeq2Seq(tok, seed=0)
        batches = [collator(feats[i : i + args.batch_size]) for i in range(0, len(feats), args.batch_size)]
        batches = batches[: args.steps]
        targs = LabeledSeq2SeqTrainingArguments(output_dir=tmp, report_to=[], use_cpu=True, disable_tqdm=True)
        ours = LabeledSeq2SeqTrainer(model=model, args=targs, processing_class=tok)
        plain = Seq2SeqTrainer(model=model, args=targs, processing_class=tok)
        for trainer in (ours, plain):  # set by train(); training_step is called directly here
            trainer.current_gradient_accumulation_steps = 1
        model.train()
        times: dict[str, list[float]] = {"labeled": [], "plain": []}
        for i, batch in enumerate(batches):
            plain_batch = {k: v for k, v in batch.items() if k != "objective"}
            order = [("labeled", ours, batch), ("plain", plain, plain_batch)]
            for name, trainer, inputs in order if i % 2 else reversed(order):
                start = time.perf_counter()
                _, num_items = trainer.get_batch_samples(iter([inputs]), 1, model.device)
                trainer.training_step(model, dict(inputs), num_items)
                times[name].append(time.perf_counter() - start)
                model.zero_grad(set_to_none=True)
        warm = {k: v[2:] for k, v in times.items()}
        med = {k: statistics.median(v) for k, v in warm.items()}
        print(
            f"batches: {len(batches)} x {args.batch_size}, d_model {args.d_model}, threads {torch.get_num_threads()}"
        )
        print(f"plain Seq2SeqTrainer step:      {1000 * med['plain']:.1f} ms (median)")
        print(f"LabeledSeq2SeqTrainer step:     {1000 * med['labeled']:.1f} ms (median)")
        print(f"ratio labeled / plain:          {med['labeled'] / med['plain']:.3f} (target <= 1.05)")


if __name__ == "__main__":
    main()
