"""The paper's Table 6 in miniature: slot boundary precision with and without alignment-derived phrase pairs.

    python benchmarks/bench_slot_ablation.py [--steps 1500] [--pairs 600] [--langs es,de,zh]

Two tiny M2M100s start from the same weights and train for the same steps on the same parallel pairs with
LabeledSeq2SeqTrainer. They differ only in where the slots go during training:

- *with alignment*: phrase pairs extracted from eflomal word alignment (grow-diag-final-and, consistent phrases);
- *without*: each sampled English phrase is mapped to the target by relative position (same share of the
  sentence, same length), what one gets without an aligner.

Both are scored on held-out pairs whose English entities are wrapped: a slot is correct when it encloses
exactly the gold target entity. Prints both precisions and the well-formed rate of each.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch
from datasets import Dataset
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from crop_hf.core.alignment import align_corpus
from crop_hf.core.languages import get_language
from crop_hf.core.metrics import slot_boundary_precision, well_formed_rate
from crop_hf.core.slots import parse_slots, wrap
from crop_hf.core.tagging import tags_to_spans
from crop_hf.demo.synthetic import NoiseConfig, generate_corpus
from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, train_sentencepiece
from crop_hf.training.collator import DataCollatorForLabeledSeq2Seq
from crop_hf.training.trainer import LabeledSeq2SeqTrainer, LabeledSeq2SeqTrainingArguments
from crop_hf.translation import Translator


def positional_phrases(src_len: int, tgt_len: int, max_len: int = 3) -> list[list[int]]:
    """Every English n-gram (n <= max_len) mapped to the target n-gram at the same relative position."""
    out = []
    for start in range(src_len):
        for end in range(start + 1, min(src_len, start + max_len) + 1):
            t0 = min(tgt_len - 1, round(start * tgt_len / src_len))
            out.append([start, end, t0, min(tgt_len, t0 + end - start)])
    return out


def train(init: Path, features: list[dict], out: Path, steps: int, seed: int) -> Path:
    tok = AutoTokenizer.from_pretrained(init)
    model = AutoModelForSeq2SeqLM.from_pretrained(init)
    args = LabeledSeq2SeqTrainingArguments(
        output_dir=str(out), max_steps=steps, per_device_train_batch_size=32, learning_rate=3e-3, warmup_steps=100,
        adam_beta2=0.98, label_smoothing_factor=0.1, report_to=[], use_cpu=True, save_strategy="no", seed=seed,
        logging_steps=max(1, steps // 5), disable_tqdm=True,
    )  # fmt: skip
    trainer = LabeledSeq2SeqTrainer(model=model, args=args, train_dataset=Dataset.from_list(features),
                                    data_collator=DataCollatorForLabeledSeq2Seq(tok, seed=seed), processing_class=tok)  # fmt: skip
    trainer.train()
    trainer.save_model(str(out))
    tok.save_pretrained(out)
    return out


def score(model_dir: Path, test: list, langs: list[str]) -> tuple[float, float]:
    translator = Translator(AutoModelForSeq2SeqLM.from_pretrained(model_dir), AutoTokenizer.from_pretrained(model_dir),
                            batch_size=64)  # fmt: skip
    precisions, formed = [], []
    for lang in langs:
        rows = [ex for ex in test if ex.lang == lang and ex.alignment]
        wrapped, gold = [], []
        for ex in rows:
            src, tgt = tags_to_spans(ex.src_tags), tags_to_spans(ex.tgt_tags)
            wrapped.append(wrap(ex.src_tokens, src))
            gold.append({i: ex.tgt_tokens[tgt[j].start : tgt[j].end] for i, j in ex.alignment})
        parsed = [parse_slots(t or "") for t in translator.translate(wrapped, "en", lang)]
        precisions.append(slot_boundary_precision(parsed, gold, char_level=get_language(lang).char_level))
        formed.append(well_formed_rate(parsed))
    return sum(precisions) / len(precisions), sum(formed) / len(formed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--pairs", type=int, default=600, help="parallel pairs per language")
    parser.add_argument("--langs", default="es,de,zh")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    langs = args.langs.split(",")
    torch.manual_seed(args.seed)
    train_pairs = list(generate_corpus(langs, args.pairs, seed=args.seed, noise=NoiseConfig(), split="train"))
    test = list(generate_corpus(langs, 100, seed=args.seed, noise=NoiseConfig(), split="test"))
    with_align, without = [], []
    for lang in langs:
        mine = [ex for ex in train_pairs if ex.lang == lang]
        aligned = align_corpus([ex.src_tokens for ex in mine], [ex.tgt_tokens for ex in mine],
                               char_level_target=get_language(lang).char_level, progress=False)  # fmt: skip
        for ex, pair in zip(mine, aligned):
            base = {"src_tokens": ex.src_tokens, "tgt_tokens": ex.tgt_tokens, "src_lang": "en", "tgt_lang": lang}
            with_align.append(
                {**base, "phrases": [[p.src_start, p.src_end, p.tgt_start, p.tgt_end] for p in pair.phrases]}
            )
            without.append({**base, "phrases": positional_phrases(len(ex.src_tokens), len(ex.tgt_tokens))})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spm = train_sentencepiece(corpus_texts(langs, n_per_lang=300), root / "sp.model", vocab_size=1500)
        init = make_tiny_m2m100(root / "init", spm, seed=args.seed)
        results = {}
        for name, features in (("with alignment spans", with_align), ("without (positional spans)", without)):
            model_dir = train(init, features, root / name.split()[0], args.steps, args.seed)
            results[name] = score(model_dir, test, langs)
    print(f"{len(train_pairs)} training pairs ({', '.join(langs)}), {args.steps} steps, batch 32, same init")
    for name, (precision, formed) in results.items():
        print(f"{name:28s} slot boundary precision {precision:.3f}   well-formed {formed:.3f}")
    (with_p, _), (without_p, _) = results.values()
    ratio = f"{with_p / without_p:.3f}" if without_p else "n/a (no precise slot without alignment)"
    print(f"ratio slot boundary precision with / without alignment: {ratio}")


if __name__ == "__main__":
    main()
