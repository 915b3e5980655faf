"""Cost of crop_hf.core.alignment's wrapper over eflomal: ``align_corpus`` against eflomal's own API, target ratio <= 1.1.

Both sides align the same seeded synthetic pairs in one eflomal run (``chunk_size`` = ``--n``):

- direct: join the tokens into lines, ``eflomal.Aligner().align(...)`` writing forward and reverse Pharaoh files
  into a temporary directory, read both files back;
- wrapper: ``list(align_corpus(..., max_phrase_len=0))``, i.e. the same plus input checks, parsing, grow-diag-final-and
  and one ``AlignedPair`` per pair.

Phrase extraction (``extract_phrase_pairs``, max 4 tokens a side) is timed on its own afterwards, with the cyclic
garbage collector paused as ``align_corpus`` pauses it; the alignment error rate against the generator's gold links is
printed as a sanity check. CPU times (this process and the eflomal child) stand beside wall times: eflomal keeps both
cores of a 2-core machine busy, so wall times move with anything else running there.

The synthetic "language" maps each of 5,000 Zipf-distributed source words to its own target word; some words have two
target words or none, some target sentences get an extra word, and neighbouring target words swap. eflomal samples
with a time-based seed; run more ``--repeats`` to see the spread.

    python benchmarks/bench_alignment.py --n 100000
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from crop_hf.core.alignment import align_corpus, extract_phrase_pairs

TARGET_RATIO = 1.1


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="sentence pairs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=1, help="runs of each side, alternating; medians reported")
    return parser


def make_pairs(n: int, seed: int, vocab: int = 5000) -> tuple[list[list[str]], list[list[str]], list[set]]:
    """``n`` (source tokens, target tokens, gold links) of the synthetic language described in the module doc."""
    rng = random.Random(seed)
    ranks = list(range(vocab))
    weights = [1.0 / (rank + 1) for rank in ranks]
    translation = rng.sample(ranks, vocab)
    src_all, tgt_all, gold_all = [], [], []
    for _ in range(n):
        src = rng.choices(ranks, weights, k=rng.randint(4, 30))
        tgt: list[tuple[str, int | None]] = []
        for i, word in enumerate(src):
            if word % 13 == 5:  # no translation
                continue
            tgt.append((f"t{translation[word]}", i))
            if word % 11 == 3:  # two target words
                tgt.append((f"u{translation[word]}", i))
        if rng.random() < 0.3:
            tgt.insert(rng.randint(0, len(tgt)), (f"x{rng.randint(0, 50)}", None))
        for k in range(len(tgt) - 1):
            if rng.random() < 0.15:
                tgt[k], tgt[k + 1] = tgt[k + 1], tgt[k]
        src_all.append([f"s{word}" for word in src])
        tgt_all.append([word for word, _ in tgt])
        gold_all.append({(i, j) for j, (_, i) in enumerate(tgt) if i is not None})
    return src_all, tgt_all, gold_all


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the eflomal binary): steadier than wall time on a
    machine other jobs share."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_direct(src: list[list[str]], tgt: list[list[str]]) -> tuple[float, float]:
    import eflomal

    start, cpu = time.perf_counter(), cpu_seconds()
    src_lines, tgt_lines = [" ".join(s) for s in src], [" ".join(t) for t in tgt]
    with tempfile.TemporaryDirectory() as tmp:
        fwd, rev = Path(tmp) / "fwd", Path(tmp) / "rev"
        eflomal.Aligner().align(src_lines, tgt_lines, links_filename_fwd=str(fwd), links_filename_rev=str(rev))
        fwd.read_text(encoding="utf-8"), rev.read_text(encoding="utf-8")
    return time.perf_counter() - start, cpu_seconds() - cpu


def run_wrapper(src: list[list[str]], tgt: list[list[str]]) -> tuple[float, float, list]:
    start, cpu = time.perf_counter(), cpu_seconds()
    pairs = list(align_corpus(src, tgt, max_phrase_len=0, chunk_size=len(src), progress=False))
    return time.perf_counter() - start, cpu_seconds() - cpu, pairs


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    src, tgt, gold = make_pairs(args.n, args.seed)
    words = sum(map(len, src)) + sum(map(len, tgt))
    print(f"{args.n} synthetic pairs, {words / args.n:.1f} tokens a pair (both sides)")
    direct, wrapper = [], []
    for _ in range(args.repeats):
        direct.append(run_direct(src, tgt))
        *seconds, pairs = run_wrapper(src, tgt)
        wrapper.append(tuple(seconds))
    d, w = (statistics.median(x[0] for x in direct), statistics.median(x[0] for x in wrapper))
    d_cpu, w_cpu = (statistics.median(x[1] for x in direct), statistics.median(x[1] for x in wrapper))
    for name, runs, wall, cpu in (("eflomal direct", direct, d, d_cpu), ("align_corpus wrapper", wrapper, w, w_cpu)):
        each = ", ".join(f"{x[0]:.2f}" for x in runs)
        print(f"{name:21s} {wall:8.2f} s wall ({each}), {cpu:.2f} s CPU")
    print(f"ratio wrapper/direct  {w / d:8.3f} wall, {w_cpu / d_cpu:.3f} CPU   target <= {TARGET_RATIO}")
    print(
        f"wrapper overhead      {(w - d) / args.n * 1e6:8.1f} us a pair wall, {(w_cpu - d_cpu) / args.n * 1e6:.1f} CPU"
    )

    gc.disable()  # as align_corpus runs it: with the cyclic collector paused while it builds the pairs
    start = time.perf_counter()
    phrases = [extract_phrase_pairs(p.links, len(p.src_tokens), len(p.tgt_tokens), 4) for p in pairs]
    extraction = time.perf_counter() - start
    gc.enable()
    print(
        f"phrase extraction     {extraction:8.2f} s   ({extraction / args.n * 1e6:.1f} us a pair, "
        f"{sum(map(len, phrases)) / args.n:.1f} phrase pairs a pair)"
    )
    hits = sum(len(set(p.links) & g) for p, g in zip(pairs, gold))
    n_links, n_gold = sum(len(p.links) for p in pairs), sum(map(len, gold))
    print(
        f"links vs gold         precision {hits / n_links:.3f}  recall {hits / n_gold:.3f}  "
        f"AER {1 - 2 * hits / (n_links + n_gold):.3f}"
    )
    return 0 if w / d <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
