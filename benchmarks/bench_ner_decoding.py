"""Per-word best tags against the most probable valid BIO sequence (Viterbi): what each scores, what it costs.

    python benchmarks/bench_ner_decoding.py --demo-dir demo_output
    python benchmarks/bench_ner_decoding.py --tiny --sentences 8     # a random tiny XLM-R (the suite's smoke run)

With a demo run: its English NER model on the English sentences its raw text was made from (what projection tags,
with their gold tags) and its CROP model on each target test set. Per set: entity F1 of both decodings, how many
sentences the per-word best tags leave invalid (an ``I-X`` after ``O`` or after another type), and the seconds of
``predict`` each way; then the ratio of the seconds, Viterbi / per-word, over all sets. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from crop_hf.core.bio_decoding import is_valid_bio
from crop_hf.core.metrics import ner_scores
from crop_hf.training.ner_data import predict_tags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", default="demo_output")
    parser.add_argument("--tiny", action="store_true", help="a random tiny XLM-R on built-in sentences instead")
    parser.add_argument("--sentences", type=int, default=0, help="at most this many sentences per set (0: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sets = tiny_sets(Path(tmp), args.sentences or 50) if args.tiny else demo_sets(Path(args.demo_dir))
        print(f"{'set':28} {'sentences':>9} {'invalid':>7} {'F1 per-word':>11} {'F1 Viterbi':>10} "
              f"{'s per-word':>10} {'s Viterbi':>9}")  # fmt: skip
        seconds = [0.0, 0.0]
        for name, model, tokenizer, tokens, gold in sets:
            if args.sentences:
                tokens, gold = tokens[: args.sentences], gold[: args.sentences]
            row = []
            for k, valid_bio in enumerate((False, True)):
                start = time.perf_counter()
                tags = predict_tags(model, tokenizer, tokens, valid_bio=valid_bio)
                seconds[k] += (spent := time.perf_counter() - start)
                row.append((tags, spent))
            invalid = sum(not is_valid_bio(t) for t in row[0][0])
            f1 = [100 * ner_scores(gold, tags).f1 for tags, _ in row]
            print(f"{name:28} {len(tokens):>9} {invalid:>7} {f1[0]:>11.2f} {f1[1]:>10.2f} "
                  f"{row[0][1]:>10.3f} {row[1][1]:>9.3f}")  # fmt: skip
    print(f"ratio predict seconds Viterbi / per-word (all sets): {seconds[1] / seconds[0]:.3f}")


def demo_sets(demo: Path) -> list[tuple[str, Any, Any, list[list[str]], list[list[str]]]]:
    """The English NER on the raw text's English sources, the CROP model on the test sets of a demo run."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    def load(path: Path) -> tuple[Any, Any]:
        return AutoModelForTokenClassification.from_pretrained(path), AutoTokenizer.from_pretrained(path)

    english, crop = load(demo / "models" / "english-ner"), load(demo / "models" / "crop-ner" / "round_1")
    sets = []
    for path in sorted((demo / "data" / "raw").glob("*.jsonl")):
        rows = [r for r in map(json.loads, path.open(encoding="utf-8")) if r.get("src_tags")]
        sets.append((f"English NER, {path.stem} sources", *english, [r["src_tokens"] for r in rows],
                     [r["src_tags"] for r in rows]))  # fmt: skip
    for path in sorted((demo / "data" / "test").glob("*.jsonl")):
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        sets.append((f"CROP model, {path.stem} test", *crop, [r["tokens"] for r in rows], [r["tags"] for r in rows]))
    return sets


def tiny_sets(root: Path, n: int) -> list[tuple[str, Any, Any, list[list[str]], list[list[str]]]]:
    """A randomly initialised tiny XLM-R on built-in Spanish sentences (its tags are noise; the cost is real)."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from crop_hf.core.tagging import CONLL
    from crop_hf.demo.synthetic import generate_corpus
    from crop_hf.demo.tiny_models import corpus_texts, make_tiny_xlmr, train_sentencepiece

    spm = train_sentencepiece(corpus_texts(langs=("es",), n_per_lang=40), root / "sp.model", 400)
    path = make_tiny_xlmr(root / "xlmr", spm, CONLL.labels, hidden_size=32, layers=1, heads=2, intermediate_size=64)
    examples = list(generate_corpus(["es"], n, seed=3))
    model, tokenizer = AutoModelForTokenClassification.from_pretrained(path), AutoTokenizer.from_pretrained(path)
    return [("tiny random XLM-R, es", model, tokenizer, [e.tgt_tokens for e in examples],
             [e.tgt_tags for e in examples])]  # fmt: skip


if __name__ == "__main__":
    main()
