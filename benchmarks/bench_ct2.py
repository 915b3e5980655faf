"""CTranslate2 over transformers, sentences/s, at facebook/m2m100_418M's shape: projection pipeline and generation.

    python benchmarks/bench_ct2.py [--sentences 16] [--batch-sizes 1 8 32] [--new-tokens 24] [--compute-type int8]
        [--shape m2m100_418M|tiny]
    python benchmarks/bench_ct2.py --agreement PIPELINE_DIR [--sentences 50] [--beams 4]

The LST and MT model is a randomly initialised M2M100 with m2m100_418M's shape (12+12 layers, d_model 1024,
16 heads, FFN 4096; output layer untied) on the demo's small SentencePiece vocabulary, so nothing is downloaded;
the English NER model is the tiny XLM-R, biased to tag every token I-PER so that every sentence reaches the LST
step with one entity. Every generation makes exactly ``--new-tokens`` tokens on both backends (min = max new
tokens), so both do the same work whatever the random weights say. For each batch size the script times the whole
projection pipeline (MT xx->en, NER, LST en->xx, slot parsing, matching) on ``max(--sentences, batch size)`` raw
Spanish sentences, then the generation step alone (MT only) on the same sentences, and prints sentences/s and the
CTranslate2 / transformers ratio. Set-up (for CTranslate2: hashing and converting the model once, then cached) and
one warm-up sentence per backend are timed apart. Ratios come from one run on one machine; nothing here is a test.

``--agreement`` instead projects ``--sentences`` sentences per language with a saved (trained) pipeline, e.g. the
demo's ``models/crop-projection``, on both backends with ``--beams`` beams and CTranslate2 at its default compute
type (int8 on CPU), raw (CROP) and translate-train, and prints the share whose kept flag and labels agree.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
import transformers.pipelines  # noqa: F401  (imported before crop_hf.projection.pipeline, which registers itself with it)
from _shared import SHAPES  # benchmarks/_shared.py, beside this script
from transformers import AutoModelForSeq2SeqLM, AutoModelForTokenClassification, AutoTokenizer

from crop_hf.core.filters import NoEntityFilter
from crop_hf.core.tagging import CONLL
from crop_hf.demo.synthetic import generate_corpus
from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, make_tiny_xlmr, train_sentencepiece
from crop_hf.projection.pipeline import CropProjectionPipeline
from crop_hf.translation import make_translator


class BenchPipeline(CropProjectionPipeline):
    """The projection pipeline with fixed translator settings (``settings``: beams, min/max new tokens)."""

    settings: dict = {}
    cache_dir: str | None = None

    def _translate(self, model, tokenizer, texts, src, tgt):
        if id(model) not in self.fixed:
            extra = {"cache_dir": self.cache_dir} if self.backend == "ctranslate2" else {}
            self.fixed[id(model)] = make_translator(
                model, tokenizer, self.backend, self.compute_type, **self.settings, **extra
            )
        translator = self.fixed[id(model)]
        translator.batch_size = max(1, len(texts))
        return translator.translate(texts, src, tgt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=32, help="Sentences per batch size (at least one batch).")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--new-tokens", type=int, default=24)
    parser.add_argument("--compute-type", default=None, help="CTranslate2 compute type (default: int8 on CPU).")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--shape", choices=list(SHAPES), default="m2m100_418M", help="Shape of the LST/MT model.")
    parser.add_argument("--cache-dir", default=None, help="CTranslate2 conversion cache (default: a temp dir).")
    parser.add_argument("--agreement", default=None, metavar="PIPELINE_DIR", help="Measure agreement instead.")
    parser.add_argument("--beams", type=int, default=4, help="Beams of the --agreement run.")
    args = parser.parse_args()
    if args.agreement:
        return agreement(args.agreement, args.sentences, args.beams, args.compute_type, args.cache_dir)
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        spm = train_sentencepiece(corpus_texts(), tmp / "spm.model", vocab_size=2000)
        lst_dir = make_tiny_m2m100(tmp / f"{args.shape}_shape", spm, **SHAPES[args.shape])
        ner_dir = make_tiny_xlmr(tmp / "ner", spm, CONLL.labels, hidden_size=32, intermediate_size=64)
        model = AutoModelForSeq2SeqLM.from_pretrained(lst_dir)
        # tied to the input embeddings, a random output layer repeats the last token (the forced language code,
        # which decodes to nothing); an untied random one writes words, so NER and LST get non-empty inputs
        model.config.tie_word_embeddings = False
        model.lm_head.weight = torch.nn.Parameter(torch.randn_like(model.lm_head.weight) * 0.02)
        model = model.to(args.device).eval()
        tokenizer = AutoTokenizer.from_pretrained(lst_dir)
        ner = AutoModelForTokenClassification.from_pretrained(ner_dir)
        with torch.no_grad():  # every token I-PER, then B-PER: read as valid BIO, B-PER I-PER ... (one entity per
            ner.classifier.weight.zero_()  # sentence, even of one word), so every sentence reaches LST
            ner.classifier.bias.fill_(-10.0)
            ner.classifier.bias[CONLL.labels.index("I-PER")] = 10.0
            ner.classifier.bias[CONLL.labels.index("B-PER")] = 0.0
        params = sum(p.numel() for p in model.parameters()) / 1e6
        texts = [ex.tgt_text for ex in generate_corpus(["es"], max(args.sentences, *args.batch_sizes), seed=3)]
        cache = args.cache_dir or str(tmp / "ct2")
        pipes = {}
        for backend in ("transformers", "ctranslate2"):
            start = time.perf_counter()
            pipe = BenchPipeline(
                model=model,
                tokenizer=tokenizer,
                ner_model=ner,
                ner_tokenizer=AutoTokenizer.from_pretrained(ner_dir),
                backend=backend,
                compute_type=args.compute_type if backend == "ctranslate2" else None,
                device=args.device,
            )
            pipe.fixed, pipe.cache_dir = {}, cache
            pipe.settings = {"min_new_tokens": args.new_tokens, "max_new_tokens": args.new_tokens}
            pipe(texts[:1], src_lang="es", check_language=False)  # warm-up; converts the model once
            pipes[backend] = pipe
            print(f"{backend}: set-up and warm-up {time.perf_counter() - start:.1f}s")
        ct2_translator = next(iter(pipes["ctranslate2"].fixed.values()))
        print(
            f"M2M100 {params:.1f}M parameters ({args.shape}'s shape, vocabulary {model.config.vocab_size}), "
            f"{args.new_tokens} new tokens per generation, device {args.device}, torch threads "
            f"{torch.get_num_threads()}, CTranslate2 compute type {ct2_translator.compute_type}"
        )
        print(f"{'batch':>5} {'sentences':>9} | {'pipeline sent/s  tf':>19} {'ct2':>7} {'ratio':>6} | "
              f"{'generation sent/s  tf':>21} {'ct2':>7} {'ratio':>6}")  # fmt: skip
        for batch_size in args.batch_sizes:
            batch = texts[: max(args.sentences, batch_size)]
            pipe_rate, gen_rate, kept = {}, {}, {}
            for backend, pipe in pipes.items():
                start = time.perf_counter()
                results = pipe(batch, src_lang="es", check_language=False, batch_size=batch_size)
                pipe_rate[backend] = len(batch) / (time.perf_counter() - start)
                kept[backend] = sum(r["reason"] != NoEntityFilter.name for r in results)
                translator = next(iter(pipe.fixed.values()))
                translator.batch_size = batch_size
                start = time.perf_counter()
                translator.translate(batch, "es", "en")
                gen_rate[backend] = len(batch) / (time.perf_counter() - start)
            tf, ct = "transformers", "ctranslate2"
            print(
                f"{batch_size:>5} {len(batch):>9} | {pipe_rate[tf]:>19.2f} {pipe_rate[ct]:>7.2f} "
                f"{pipe_rate[ct] / pipe_rate[tf]:>5.2f}x | {gen_rate[tf]:>21.2f} {gen_rate[ct]:>7.2f} "
                f"{gen_rate[ct] / gen_rate[tf]:>5.2f}x"
            )
            assert kept[tf] == kept[ct] == len(batch), f"sentences that skipped the LST step: {kept}"


def agreement(pipeline_dir: str, n_per_lang: int, beams: int, compute_type: str | None, cache_dir: str | None) -> None:
    """Project the same sentences with a saved pipeline on both backends (beam search, CTranslate2 at its default
    compute type) and print the share of sentences whose kept flag and labels agree.

    Two runs per language: ``raw`` (CROP: MT, NER, LST, matching) on raw target sentences, and ``translate-train``
    (LST only) on English gold sentences, which a weakly trained demo model keeps more often.
    """
    import json

    langs = json.loads((Path(pipeline_dir) / "crop_projection.json").read_text()).get("languages") or ["es", "zh"]
    cache_dir = cache_dir or tempfile.mkdtemp(prefix="crop_hf_ct2_")
    runs: dict[str, dict[str, list]] = {"raw": {}, "translate-train": {}}
    for backend in ("transformers", "ctranslate2"):
        pipe = BenchPipeline(
            model=AutoModelForSeq2SeqLM.from_pretrained(pipeline_dir),
            tokenizer=AutoTokenizer.from_pretrained(pipeline_dir),
            backend=backend,
            compute_type=compute_type if backend == "ctranslate2" else None,
        )
        pipe.fixed, pipe.settings, pipe.cache_dir = {}, {"num_beams": beams}, cache_dir
        for mode in runs:
            runs[mode][backend] = []
        for lang in langs:
            examples = list(generate_corpus([lang], n_per_lang, seed=5, split="agreement"))
            raw = [ex.tgt_text for ex in examples]
            runs["raw"][backend] += pipe(raw, src_lang=lang, check_language=False, batch_size=16)
            gold = [{"tokens": ex.src_tokens, "tags": ex.src_tags} for ex in examples]
            runs["translate-train"][backend] += pipe(gold, tgt_lang=lang, mode="translate-train", batch_size=16)
        if backend == "ctranslate2":
            print(f"CTranslate2 compute type {next(iter(pipe.fixed.values())).compute_type}, beams {beams}")
    for mode, by_backend in runs.items():
        pairs = list(zip(by_backend["transformers"], by_backend["ctranslate2"]))
        kept = {k: sum(r["kept"] for r in v) for k, v in by_backend.items()}
        print(f"{mode}: {len(pairs)} sentences ({', '.join(langs)}), kept {kept}")
        same = {
            "kept and labels": sum(a["kept"] == b["kept"] and a["tags"] == b["tags"] for a, b in pairs),
            "discard reason": sum(a["reason"] == b["reason"] for a, b in pairs),
            "MT translation": sum(a["english"] == b["english"] for a, b in pairs) if mode == "raw" else None,
            "labeled translation": sum(a["labeled_translation"] == b["labeled_translation"] for a, b in pairs),
        }
        for what, count in same.items():
            if count is not None:
                print(f"  same {what:<20} {count:>5}/{len(pairs)} = {100 * count / len(pairs):.1f}%")


if __name__ == "__main__":
    main()
