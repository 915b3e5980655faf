"""Peak memory of the crop-projection pipeline streaming a 20,000-sentence generator over a 2,000 one (target <= 1.2).

    python benchmarks/bench_pipeline_streaming.py [--small 2000] [--large 20000] [--batch-size 32]

Tiny models (a SentencePiece model, a tiny M2M100 and a tiny XLM-R, made here in seconds) are built once; each
size then runs in a fresh subprocess that builds ``pipeline("crop-projection", ...)``, feeds it a *generator* of
built-in Spanish sentences (``check_language=False``, translations capped at 8 new tokens, as the random models never
stop on their own) and reads the results one at a time, keeping only counts. The subprocess reports its peak RSS, its RSS
once the pipeline was built (the models and torch: memory that does not depend on the input size), how many inputs
the generator had given when the first result arrived, and the drops per reason. Streaming holds when the peak does
not grow with the number of sentences.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import torch
from transformers import pipeline
import crop_hf
from crop_hf.demo.synthetic import generate_corpus
from crop_hf.translation import Translator

n, models, batch_size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
torch.set_num_threads(1)
projector = pipeline("crop-projection", model=f"{models}/m2m100", ner_model=f"{models}/xlmr", device="cpu")
# the random models never stop on their own: cap their translations (the pipeline reuses this translator)
projector._translators[id(projector.model)] = Translator(projector.model, projector.tokenizer, max_new_tokens=8)
given = [0]

def sentences():
    for ex in generate_corpus(["es"], n, seed=0, split="raw"):
        given[0] += 1
        yield ex.tgt_text

start = time.perf_counter()
loaded_rss = rss()
first_after, count = None, 0
for result in projector(sentences(), src_lang="es", check_language=False, batch_size=batch_size):
    if first_after is None:
        first_after = given[0]
    count += 1
print(json.dumps({"n": n, "results": count, "seconds": time.perf_counter() - start, "peak_rss_mb": rss(),
                  "loaded_rss_mb": loaded_rss, "first_result_after": first_after,
                  "kept": projector.stats.kept, "dropped": projector.stats.dropped}))
"""


def build_models(root: Path) -> None:
    from crop_hf.core.tagging import CONLL
    from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, make_tiny_xlmr, train_sentencepiece

    spm = train_sentencepiece(corpus_texts(n_per_lang=60), root / "sp.model", vocab_size=800)
    make_tiny_m2m100(root / "m2m100", spm, d_model=32, ffn_dim=64, max_positions=128)
    make_tiny_xlmr(root / "xlmr", spm, CONLL.labels, hidden_size=32, intermediate_size=64)


def run(n: int, models: Path, batch_size: int) -> dict:
    env_code = [sys.executable, "-c", CHILD, str(n), str(models), str(batch_size)]
    out = subprocess.run(env_code, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        build_models(Path(tmp))
        small, large = run(args.small, Path(tmp), args.batch_size), run(args.large, Path(tmp), args.batch_size)
    for r in (small, large):
        print(f"{r['results']:>7} sentences: peak RSS {r['peak_rss_mb']:.0f} MB (after loading {r['loaded_rss_mb']:.0f}"
              f" MB), {r['seconds']:.0f}s, first result after {r['first_result_after']} inputs; kept {r['kept']}, "
              f"dropped {r['dropped']}")  # fmt: skip
    growth = [r["peak_rss_mb"] - r["loaded_rss_mb"] for r in (small, large)]
    print(f"peak memory ratio {args.large} / {args.small}: {large['peak_rss_mb'] / small['peak_rss_mb']:.3f} "
          f"(target <= 1.2); growth while streaming {growth[0]:.0f} MB vs {growth[1]:.0f} MB; "
          f"total {time.perf_counter() - start:.0f}s")  # fmt: skip


if __name__ == "__main__":
    main()
