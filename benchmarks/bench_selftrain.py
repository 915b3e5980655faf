"""Zero-shot vs self-trained NER F1 per target language on the built-in corpus, with tiny models.

Both models start from the same randomly initialised tiny XLM-R and tokenizer and get the same training budget
per round. The zero-shot model sees English gold only. The self-trained model sees English gold plus target
sentences whose gold tags stand in for projected labels, and re-labels held-out target sentences ("discarded",
given without tags) for its second round. All F1s are entity-level seqeval on the same target test sets,
measured in one run:

    .venv/bin/python benchmarks/bench_selftrain.py --output-dir /tmp/bench_selftrain
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from crop_hf.core.metrics import ner_scores
from crop_hf.core.tagging import CONLL
from crop_hf.demo.data import synthetic_english, synthetic_target
from crop_hf.demo.tiny_models import corpus_texts, make_tiny_xlmr, train_sentencepiece
from crop_hf.training.ner_data import NerExample, read_examples
from crop_hf.training.selftrain import SelfTrainingArguments, self_train, zero_shot_baseline


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--output-dir", default="/tmp/bench_selftrain")
    p.add_argument("--langs", default="es,de,nl,zh,ru")
    p.add_argument("--english", type=int, default=1500, help="English gold sentences")
    p.add_argument("--projected", type=int, default=150, help="labelled target sentences per language")
    p.add_argument("--discarded", type=int, default=150, help="unlabelled target sentences per language")
    p.add_argument("--test", type=int, default=200, help="test sentences per language")
    p.add_argument("--epochs", type=float, default=4)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--threshold", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    out = Path(a.output_dir)
    langs = a.langs.split(",")

    spm = out / "sp.model"
    if not spm.exists():
        train_sentencepiece(corpus_texts(n_per_lang=300, seed=a.seed), spm, vocab_size=2000)
    init = out / "xlmr-init"
    if not init.exists():
        make_tiny_xlmr(init, spm, CONLL.labels, hidden_size=128, layers=2, heads=4, intermediate_size=256, seed=a.seed)

    source = synthetic_english(a.english, seed=a.seed, split="train")
    target = synthetic_target(langs, a.projected + a.discarded, seed=a.seed, split="target")
    projected = [ex for lang in langs for ex in target[lang][: a.projected]]
    discarded = [NerExample(ex.tokens, None, ex.lang, ex.id) for lang in langs for ex in target[lang][a.projected :]]
    tests = synthetic_target(langs, a.test, seed=a.seed, split="test")

    def args(sub: str) -> SelfTrainingArguments:
        return SelfTrainingArguments(
            output_dir=str(out / sub),
            num_train_epochs=a.epochs,
            learning_rate=a.lr,
            per_device_train_batch_size=32,
            confidence_threshold=a.threshold,
            disable_tqdm=True,
            logging_steps=100,
            seed=a.seed,
        )

    start = time.perf_counter()
    zero = zero_shot_baseline(str(init), source, args("baseline"), tests)
    zero_seconds = time.perf_counter() - start
    start = time.perf_counter()
    crop = self_train(str(init), source, projected, discarded, args("selftrain"), tests)
    crop_seconds = time.perf_counter() - start

    rows = {"zero-shot (en only)": zero.f1, **{f"self-train round {r.round}": r.f1 for r in crop.rounds}}
    print(f"\n{'model':<24}" + "".join(f"{lang:>8}" for lang in langs) + f"{'avg':>8}")
    for name, f1 in rows.items():
        values = [100 * f1[lang] for lang in langs]
        print(f"{name:<24}" + "".join(f"{v:8.1f}" for v in values) + f"{sum(values) / len(values):8.1f}")
    zero_avg = sum(zero.f1[lang] for lang in langs) / len(langs)
    crop_avg = sum(crop.rounds[-1].f1[lang] for lang in langs) / len(langs)
    ratio = f"{crop_avg / zero_avg:.3f}" if zero_avg else "n/a (zero-shot F1 is 0)"
    print(f"ratio self-trained / zero-shot average F1: {ratio}")
    print(f"\nround 1 data: {crop.rounds[-1].data}")
    # how good are the labels the combine rule added? (the corpus knows the gold tags of the discarded sentences)
    gold = {ex.id: ex.tags for lang in langs for ex in target[lang][a.projected :]}
    added = read_examples(Path(crop.rounds[-1].model_dir) / "relabelled.jsonl") if len(crop.rounds) > 1 else []
    added_scores = ner_scores([gold[ex.id] for ex in added], [ex.tags for ex in added]) if added else None
    if added_scores is not None:
        print(f"re-labelled sentences vs gold: P {added_scores.precision:.3f} R {added_scores.recall:.3f} "
              f"F1 {added_scores.f1:.3f}; exact sentences {sum(gold[ex.id] == ex.tags for ex in added)}/{len(added)}")  # fmt: skip
    print(f"time: zero-shot {zero_seconds:.0f}s, self-training {crop_seconds:.0f}s (both rounds)")
    summary = {
        "langs": langs,
        "settings": vars(a),
        "f1": {name: {k: float(v) for k, v in f1.items()} for name, f1 in rows.items()},
        "round_data": [r.data for r in crop.rounds],
        "relabelled_f1": float(added_scores.f1) if added_scores is not None else None,
        "seconds": {"zero_shot": zero_seconds, "selftrain": crop_seconds},
    }
    (out / "bench_selftrain.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
