"""Batched, length-sorted translation over one-sentence-at-a-time generation, on the same inputs.

    python benchmarks/bench_translation.py [--model DIR] [--n 256] [--batch-size 32]

Without ``--model`` a tiny M2M100 is built on the built-in corpus (random weights: every output runs to the
same length limit, which is the worst case for batching). Prints both times and their ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from crop_hf.demo.synthetic import generate_corpus
from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, train_sentencepiece
from crop_hf.translation import Translator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    args = parser.parse_args()
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = args.model
        if model_dir is None:
            spm = train_sentencepiece(corpus_texts(n_per_lang=200), Path(tmp) / "sp.model", vocab_size=2000)
            model_dir = make_tiny_m2m100(Path(tmp) / "m2m", spm, d_model=256, ffn_dim=1024, layers=3)
        model = AutoModelForSeq2SeqLM.from_pretrained(model_dir)
        tok = AutoTokenizer.from_pretrained(model_dir)
        texts = [ex.tgt_text for ex in generate_corpus(["es"], args.n, seed=1)]
        batched = Translator(model, tok, batch_size=args.batch_size, max_new_tokens=args.max_new_tokens)
        single = Translator(model, tok, batch_size=1, max_new_tokens=args.max_new_tokens)
        batched.translate(texts[:8], "es", "en")  # warm-up
        start = time.perf_counter()
        out_batched = batched.translate(texts, "es", "en")
        t_batched = time.perf_counter() - start
        start = time.perf_counter()
        out_single = single.translate(texts, "es", "en")
        t_single = time.perf_counter() - start
        same = sum(a == b for a, b in zip(out_batched, out_single))
        print(f"{args.n} sentences, device {model.device}, threads {torch.get_num_threads()}")
        print(f"one at a time: {t_single:.2f}s ({args.n / t_single:.1f} sent/s)")
        print(f"batched (bs={args.batch_size}, length-sorted): {t_batched:.2f}s ({args.n / t_batched:.1f} sent/s)")
        print(f"speed-up batched over one-at-a-time: {t_single / t_batched:.2f}x; identical outputs: {same}/{args.n}")


if __name__ == "__main__":
    main()
