"""Peak memory of corpus-scale projection for 200k sentences over 20k, streamed (target <= 1.2).

    python benchmarks/bench_streaming.py [--small 20000] [--large 200000]

Each size runs in a fresh subprocess: the built-in corpus is streamed to a text file, then
``project_corpus`` streams it into Parquet shards through a model-free projector (tokenisation + matching of
the sentence's capitalised words, the same post-processing the pipeline runs), and the subprocess reports its
peak RSS. Models are left out on purpose: their memory does not depend on corpus size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from crop_hf.projection.corpus_projection import project_corpus, summarize
from crop_hf.core.matching import match_entities
from crop_hf.core.projection import ProjectionResult, ProjectedEntity
from crop_hf.demo.synthetic import NoiseConfig, generate_corpus
from crop_hf.core.text import split_tokens

n, tmp = int(sys.argv[1]), Path(sys.argv[2])
with (tmp / "raw.txt").open("w") as f:
    for ex in generate_corpus(["es", "de"], n // 2, seed=0, noise=NoiseConfig(), split="raw"):
        f.write(ex.tgt_text + "\n")

def projector(texts, src_lang, batch_size, **kw):
    out = []
    for t in texts:
        toks = split_tokens(t, False)
        caps = [(tok.text,) for tok in toks[1:] if tok.text[:1].isupper()]
        res = match_entities(toks, [(c, "PER", i) for i, c in enumerate(caps)], src_lang, "crop")
        ents = [ProjectedEntity(m.label, m.score, "", m.char_start, m.char_end, m.method, m.start, m.end)
                for m in res.matches]
        out.append(ProjectionResult(t, src_lang, [x.text for x in toks], ["O"] * len(toks), ents, kept=bool(ents),
                                    reason=None if ents else "no_entity").to_dict())
    return out

start = time.perf_counter()
project_corpus(projector, tmp / "raw.txt", tmp / "out", "es", shard_size=2000, progress=False)
summary = summarize(tmp / "out")
print(json.dumps({"n": n, "seconds": time.perf_counter() - start, "sentences": summary.sentences,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", CHILD, str(n), tmp], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=200_000)
    args = parser.parse_args()
    start = time.perf_counter()
    small, large = run(args.small), run(args.large)
    for r in (small, large):
        print(f"{r['sentences']:>8} sentences: peak RSS {r['peak_rss_mb']:.0f} MB, {r['seconds']:.1f}s")
    print(f"peak memory ratio {args.large} / {args.small}: {large['peak_rss_mb'] / small['peak_rss_mb']:.3f} "
          f"(target <= 1.2); total {time.perf_counter() - start:.0f}s")  # fmt: skip


if __name__ == "__main__":
    main()
