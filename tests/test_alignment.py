"""Word alignment: grow-diag-final-and, phrase extraction, sampling, and eflomal end to end on a synthetic language."""

from __future__ import annotations

import itertools
import json
import logging
import random
import sys

import pytest

from crop_hf.core import alignment
from crop_hf.core.alignment import (
    AlignedPair,
    AlignmentStats,
    PhrasePair,
    align_corpus,
    align_files,
    eflomal_available,
    extract_phrase_pairs,
    grow_diag_final_and,
    parse_pharaoh,
    sample_phrase_pairs,
)

needs_eflomal = pytest.mark.skipif(not eflomal_available(), reason="eflomal not installed (crop-hf[align])")

MOSES_NEIGHBOURS = ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


def moses_gdfa(fwd: set, rev: set, n: int, m: int) -> list:
    """grow-diag-final-and written as Koehn's pseudo-code: nested loops over the whole matrix, live alignment."""
    union, a = fwd | rev, fwd & rev

    def aligned_src(e):
        return any((e, f) in a for f in range(m))

    def aligned_tgt(f):
        return any((e, f) in a for e in range(n))

    added = True
    while added:
        added = False
        for e, f in itertools.product(range(n), range(m)):
            if (e, f) in a:
                for de, df in MOSES_NEIGHBOURS:
                    p = (e + de, f + df)
                    if p in union and (not aligned_src(p[0]) or not aligned_tgt(p[1])):
                        a.add(p)
                        added = True
    for links in (fwd, rev):
        for e, f in itertools.product(range(n), range(m)):
            if (e, f) in links and not aligned_src(e) and not aligned_tgt(f):
                a.add((e, f))
    return sorted(a)


def brute_force_phrases(links, n: int, m: int, max_len: int, tight: bool) -> list:
    """Every box with a link inside, no link crossing its border, sides <= max_len (tight: aligned boundaries)."""
    src_aligned, tgt_aligned = {i for i, _ in links}, {j for _, j in links}
    out = []
    for s1, s2, t1, t2 in itertools.product(range(n), range(1, n + 1), range(m), range(1, m + 1)):
        if not (0 < s2 - s1 <= max_len and 0 < t2 - t1 <= max_len):
            continue
        inside = [(s1 <= i < s2, t1 <= j < t2) for i, j in links]
        if not any(a and b for a, b in inside) or any(a != b for a, b in inside):
            continue
        if tight and not ({s1, s2 - 1} <= src_aligned and {t1, t2 - 1} <= tgt_aligned):
            continue
        out.append(PhrasePair(s1, s2, t1, t2))
    return out


# ----------------------------------------------------------------------------------------- grow-diag-final-and


def test_gdfa_grows_from_the_intersection_but_not_into_doubly_aligned_points() -> None:
    fwd = {(0, 0), (1, 1), (3, 2), (2, 3)}
    rev = {(0, 0), (1, 1), (2, 2), (3, 3)}
    # (2,2) joins next to (1,1); then (3,2) and (2,3) next to it; (3,3) would link an aligned row to an aligned column
    assert grow_diag_final_and(fwd, rev) == [(0, 0), (1, 1), (2, 2), (2, 3), (3, 2)]


def test_gdfa_final_and_adds_only_points_with_both_words_unaligned() -> None:
    assert grow_diag_final_and({(0, 0), (3, 3)}, {(0, 0), (2, 1)}) == [(0, 0), (2, 1), (3, 3)]
    # (0,2) is not next to (0,0) and its source word is aligned: "final" would add it, "final-and" does not
    assert grow_diag_final_and({(0, 0), (0, 2)}, {(0, 0)}) == [(0, 0)]


def test_gdfa_of_agreeing_directions_is_their_links_sorted() -> None:
    links = [(2, 0), (0, 1), (1, 2)]
    assert grow_diag_final_and(links, list(reversed(links))) == [(0, 1), (1, 2), (2, 0)]
    assert grow_diag_final_and([], []) == []


def test_gdfa_one_to_many_grows_along_the_row() -> None:
    # the forward direction links source 1 to targets 1 and 2, the reverse only to 1
    assert grow_diag_final_and({(0, 0), (1, 1), (1, 2)}, {(0, 0), (1, 1), (2, 2)}) == [(0, 0), (1, 1), (1, 2), (2, 2)]


def test_gdfa_matches_the_nested_loop_pseudo_code_on_random_alignments() -> None:
    rng = random.Random(3)
    for _ in range(400):
        n, m = rng.randint(1, 7), rng.randint(1, 7)
        cells = list(itertools.product(range(n), range(m)))
        fwd = {c for c in cells if rng.random() < 0.3}
        rev = {c for c in cells if rng.random() < 0.3}
        assert grow_diag_final_and(fwd, rev) == moses_gdfa(set(fwd), set(rev), n, m), (fwd, rev)


def test_parse_pharaoh() -> None:
    assert parse_pharaoh("0-0 2-1 10-3\n") == [(0, 0), (2, 1), (10, 3)]
    assert parse_pharaoh("") == []


# ------------------------------------------------------------------------------------------- phrase extraction

# the green house . / la casa verde ya: "green" <-> "verde", "house" <-> "casa"; "." and "ya" are unaligned
LINKS = [(0, 0), (1, 2), (2, 1)]


def test_tight_phrase_pairs_of_a_hand_made_alignment() -> None:
    got = extract_phrase_pairs(LINKS, 4, 4, max_len=4)
    expected = [(0, 1, 0, 1), (0, 3, 0, 3), (1, 2, 2, 3), (1, 3, 1, 3), (2, 3, 1, 2)]
    assert got == [PhrasePair(*p) for p in expected]
    # "the green" is not a phrase: "green"'s partner "verde" sits after "casa", which belongs to "house"
    assert PhrasePair(0, 2, 0, 3) not in got


def test_extended_phrase_pairs_take_unaligned_boundary_words() -> None:
    got = extract_phrase_pairs(LINKS, 4, 4, max_len=4, extend_unaligned=True)
    expected = [
        (0, 1, 0, 1), (0, 3, 0, 3), (0, 3, 0, 4), (0, 4, 0, 3), (0, 4, 0, 4), (1, 2, 2, 3), (1, 2, 2, 4),
        (1, 3, 1, 3), (1, 3, 1, 4), (1, 4, 1, 3), (1, 4, 1, 4), (2, 3, 1, 2), (2, 4, 1, 2),
    ]  # fmt: skip
    assert got == [PhrasePair(*p) for p in expected]


def test_phrase_length_limit_applies_to_both_sides() -> None:
    got = extract_phrase_pairs(LINKS, 4, 4, max_len=2)
    assert got == [PhrasePair(0, 1, 0, 1), PhrasePair(1, 2, 2, 3), PhrasePair(1, 3, 1, 3), PhrasePair(2, 3, 1, 2)]
    # one source word linked to three target words: the pair is longer than 2 on the target side
    assert extract_phrase_pairs([(0, 0), (0, 1), (0, 2)], 1, 3, max_len=2) == []
    assert extract_phrase_pairs([(0, 0), (0, 1), (0, 2)], 1, 3, max_len=3) == [PhrasePair(0, 1, 0, 3)]


def test_phrase_extraction_matches_brute_force_on_random_alignments() -> None:
    rng = random.Random(5)
    for _ in range(300):
        n, m = rng.randint(1, 7), rng.randint(1, 7)
        links = sorted({(rng.randrange(n), rng.randrange(m)) for _ in range(rng.randint(0, 8))})
        for max_len, extend in ((3, False), (3, True), (7, False)):
            got = extract_phrase_pairs(links, n, m, max_len=max_len, extend_unaligned=extend)
            assert got == brute_force_phrases(links, n, m, max_len, tight=not extend), (links, n, m, max_len, extend)


def test_phrase_extraction_rejects_links_outside_the_sentence() -> None:
    with pytest.raises(ValueError, match="link 2-0 is outside a 2x3"):
        extract_phrase_pairs([(2, 0)], 2, 3)


# -------------------------------------------------------------------------------------------------- sampling


def overlaps(a: PhrasePair, b: PhrasePair) -> bool:
    return not (a.src_end <= b.src_start or b.src_end <= a.src_start) or not (
        a.tgt_end <= b.tgt_start or b.tgt_end <= a.tgt_start
    )


def test_sampled_phrase_pairs_overlap_on_neither_side() -> None:
    rng = random.Random(0)
    pairs = extract_phrase_pairs([(i, i) for i in range(8)], 8, 8, max_len=3)
    assert len(pairs) == 8 + 7 + 6  # plenty of overlapping candidates
    sizes = set()
    for _ in range(500):
        chosen = sample_phrase_pairs(pairs, 4, rng)
        sizes.add(len(chosen))
        assert len(chosen) <= 4
        assert all(p in pairs for p in chosen)
        assert not any(overlaps(a, b) for a, b in itertools.combinations(chosen, 2)), chosen
    assert sizes == {0, 1, 2, 3, 4}


def test_sample_count_is_uniform_and_deterministic_for_a_seed() -> None:
    diagonal = [PhrasePair(i, i + 1, i, i + 1) for i in range(10)]  # all disjoint
    counts = [len(sample_phrase_pairs(diagonal, 3, random.Random(seed))) for seed in range(4000)]
    for c in range(4):
        assert 0.2 < counts.count(c) / len(counts) < 0.3
    first = [sample_phrase_pairs(diagonal, 3, random.Random(42)) for _ in range(3)]
    assert first[0] == first[1] == first[2]
    rng = random.Random(1)
    assert [sample_phrase_pairs(diagonal, 3, rng) for _ in range(20)] != [[]] * 20


def test_sample_count_is_bounded_by_the_number_of_pairs() -> None:
    one = [PhrasePair(0, 1, 0, 1)]
    counts = [len(sample_phrase_pairs(one, 8, random.Random(seed))) for seed in range(400)]
    assert set(counts) == {0, 1} and 0.4 < counts.count(1) / 400 < 0.6
    assert sample_phrase_pairs([], 3, random.Random(0)) == []
    with pytest.raises(ValueError, match="need 0 <= least <= k, got least=0, k=-1"):
        sample_phrase_pairs(one, -1, random.Random(0))


# ------------------------------------------------------------------------------------ eflomal, end to end

SYLLABLES = "ka ri mo tu le sa vo ni pe da gu zo".split()
HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 1000)]


def synthetic_corpus(n: int, seed: int = 0, char_level: bool = False):
    """A word-substitution language: source word w -> its own target word; some words get two target words, some
    none; neighbouring target words swap now and then. Returns sources, targets and the gold links."""
    rng = random.Random(seed)
    vocab = sorted({"".join(rng.choices(SYLLABLES, k=3)) for _ in range(400)})
    weights = [1 / (r + 1) for r in range(len(vocab))]
    if char_level:  # each target word is two Han characters
        target = {w: HAN[2 * k] + HAN[2 * k + 1] for k, w in enumerate(vocab)}
    else:
        target = {w: w[::-1].upper() for w in vocab}
    srcs, tgts, golds = [], [], []
    for _ in range(n):
        src = rng.choices(vocab, weights, k=rng.randint(5, 14))
        tgt = []
        for i, w in enumerate(src):
            k = vocab.index(w)
            if k % 17 == 16:
                continue
            tgt.append((target[w], i))
            if k % 13 == 12 and not char_level:
                tgt.append((target[w] + "X", i))
        for k in range(len(tgt) - 1):
            if rng.random() < 0.1:
                tgt[k], tgt[k + 1] = tgt[k + 1], tgt[k]
        srcs.append(src)
        tgts.append([w for w, _ in tgt])
        golds.append({(i, j) for j, (_, i) in enumerate(tgt)})
    return srcs, tgts, golds


def aer(pairs, golds) -> float:
    hits = sum(len(set(p.links) & g) for p, g in zip(pairs, golds))
    return 1 - 2 * hits / (sum(len(p.links) for p in pairs) + sum(map(len, golds)))


@pytest.fixture(scope="module")
def aligned():
    srcs, tgts, golds = synthetic_corpus(1500)
    stats = AlignmentStats()
    pairs = list(align_corpus(srcs, tgts, stats=stats, progress=False))
    return srcs, tgts, golds, pairs, stats


@needs_eflomal
def test_eflomal_recovers_the_gold_alignment(aligned) -> None:
    srcs, tgts, golds, pairs, stats = aligned
    assert len(pairs) == len(srcs) == stats.pairs == stats.aligned
    assert [p.index for p in pairs] == list(range(len(srcs)))
    assert all(p.src_tokens == s and p.tgt_tokens == t and p.skipped is None for p, s, t in zip(pairs, srcs, tgts))
    assert aer(pairs, golds) < 0.05
    assert stats.links == sum(len(p.links) for p in pairs)


@needs_eflomal
def test_aligned_phrases_are_consistent_and_within_length(aligned) -> None:
    *_, pairs, stats = aligned
    assert stats.phrases == sum(len(p.phrases) for p in pairs) > len(pairs)
    for p in pairs[:200]:
        assert p.phrases == extract_phrase_pairs(p.links, len(p.src_tokens), len(p.tgt_tokens), 4)
        for ph in p.phrases:
            assert 0 < ph.src_end - ph.src_start <= 4 and 0 < ph.tgt_end - ph.tgt_start <= 4


@needs_eflomal
def test_char_level_target_is_aligned_on_characters_and_mapped_back_to_tokens() -> None:
    srcs, tgts, golds = synthetic_corpus(1200, seed=1, char_level=True)
    # eflomal seeds its sampler from /dev/urandom (it has no seed option). With its default iterations a third of
    # the runs land at AER 0.05-0.07 and some at 0.14; with twice the iterations 12 runs gave 0.013-0.046 and two
    # 0.054 and 0.117 (the better of two such runs failed one CI). A wrong character-to-token mapping would be poor
    # in every run, so up to four runs are made, stopping at the first good one.
    longer = {"rel_iterations": 2.0}
    runs = []
    for _ in range(4):
        runs.append(list(align_corpus(srcs, tgts, char_level_target=True, progress=False, eflomal_options=longer)))
        if aer(runs[-1], golds) < 0.05:
            break
    pairs = min(runs, key=lambda run: aer(run, golds))
    assert all(max((j for _, j in p.links), default=0) < len(p.tgt_tokens) for run in runs for p in run)
    assert aer(pairs, golds) < 0.05
    # a two-character word aligned as one token: no phrase pair cuts through a word
    assert any(len(p.tgt_tokens[0]) == 2 and p.phrases for p in pairs)


@needs_eflomal
def test_empty_and_long_pairs_are_skipped_counted_and_logged_with_their_index(caplog) -> None:
    srcs, tgts, golds = synthetic_corpus(600, seed=2)
    srcs[3], tgts[7] = [], []
    srcs[10] = ["ka"] * 41
    stats = AlignmentStats()
    with caplog.at_level(logging.WARNING, logger="crop_hf.core.alignment"):
        pairs = list(align_corpus(srcs, tgts, max_tokens=40, stats=stats, progress=False))
    assert len(pairs) == 600 and [p.index for p in pairs] == list(range(600))
    assert {p.index: p.skipped for p in pairs if p.skipped} == {3: "empty", 7: "empty", 10: "too_long"}
    assert all(p.links == [] and p.phrases == [] for p in pairs if p.skipped)
    assert (stats.pairs, stats.aligned, stats.skipped_empty, stats.skipped_too_long) == (600, 597, 2, 1)
    assert "skipped_empty=2" in caplog.text and "skipped_too_long=1" in caplog.text
    # the pairs after a skipped one are still aligned to their own sentences
    kept = [(p, g) for p, g in zip(pairs, golds) if not p.skipped]
    assert aer([p for p, _ in kept], [g for _, g in kept]) < 0.05


@needs_eflomal
def test_tokens_with_whitespace_do_not_shift_the_offsets() -> None:
    srcs, tgts, golds = synthetic_corpus(800, seed=4)
    for k in range(0, 800, 4):
        srcs[k] = ["a b", "", *srcs[k]]
        golds[k] = {(i + 2, j) for i, j in golds[k]}
    stats = AlignmentStats()
    pairs = list(align_corpus(srcs, tgts, stats=stats, progress=False))
    assert stats.sanitized == 400
    assert aer(pairs[::4], golds[::4]) < 0.1


@needs_eflomal
def test_streams_in_chunks_and_merges_a_short_tail() -> None:
    srcs, tgts, golds = synthetic_corpus(450, seed=6)
    sizes = []
    real = alignment._run_eflomal

    def spy(src_lines, tgt_lines, options):
        sizes.append(len(src_lines))
        return real(src_lines, tgt_lines, options)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(alignment, "_run_eflomal", spy)
        pairs = list(align_corpus(iter(srcs), iter(tgts), chunk_size=200, progress=False))
    assert sizes == [200, 250]  # 200, then 200 with the tail of 50 (under half a chunk)
    assert [p.index for p in pairs] == list(range(450))
    assert aer(pairs, golds) < 0.1


@needs_eflomal
def test_align_files_writes_train_lst_rows(tmp_path) -> None:
    srcs, tgts, _ = synthetic_corpus(300, seed=8)
    tgts[5] = []
    (tmp_path / "src.txt").write_text("".join(" ".join(s) + "\n" for s in srcs), encoding="utf-8")
    (tmp_path / "tgt.txt").write_text("".join(" ".join(t) + "\n" for t in tgts), encoding="utf-8")
    stats = align_files(
        tmp_path / "src.txt", tmp_path / "tgt.txt", tmp_path / "out.jsonl", tgt_lang="es", progress=False
    )
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (stats.pairs, stats.skipped_empty, len(rows)) == (300, 1, 299)
    assert 5 not in {r["index"] for r in rows}
    row = rows[10]
    assert row["index"] == 11 and row["src_tokens"] == srcs[11] and row["tgt_lang"] == "es"
    assert all(len(p) == 4 for p in row["phrases"]) and row["links"]


def test_align_files_rejects_different_line_counts(tmp_path) -> None:
    (tmp_path / "a.txt").write_text("x y\nz\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("x y\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"a\.txt has 2 lines but .*b\.txt has 1"):
        align_files(tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "out.jsonl")


# ------------------------------------------------------------------------------------------------ bad input


@needs_eflomal
def test_different_sentence_counts_raise_naming_both() -> None:
    with pytest.raises(ValueError, match="src_sentences has 3 sentences but tgt_sentences has 2"):
        align_corpus([["a"], ["b"], ["c"]], [["x"], ["y"]])
    with pytest.raises(ValueError, match="src_sentences has 2 sentences but tgt_sentences has 5"):
        list(align_corpus(iter([["a"], ["b"]]), (["x"] for _ in range(5)), progress=False))
    with pytest.raises(ValueError, match="src_sentences has 7 sentences but tgt_sentences has 4"):
        list(align_corpus((["a"] for _ in range(7)), iter([["x"]] * 4), chunk_size=2, progress=False))


@needs_eflomal
def test_strings_instead_of_token_lists_and_bad_arguments_raise() -> None:
    with pytest.raises(TypeError, match="token lists"):
        list(align_corpus(["a b"], ["x y"], progress=False))
    with pytest.raises(ValueError, match="max_tokens must be in 1..1023"):
        align_corpus([["a"]], [["x"]], max_tokens=2000)


def test_missing_eflomal_raises_a_clear_import_error(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "eflomal", None)  # makes `import eflomal` raise ImportError
    assert not eflomal_available()
    with pytest.raises(ImportError, match=r"word alignment needs eflomal: pip install 'crop-hf\[align\]'"):
        align_corpus([["a"]], [["x"]])
    with pytest.raises(ImportError, match="crop-hf"):
        alignment._run_eflomal(["a"], ["x"], {})


def test_aligned_pair_defaults() -> None:
    pair = AlignedPair(["a"], ["x"], [(0, 0)], [PhrasePair(0, 1, 0, 1)])
    assert (pair.index, pair.skipped) == (-1, None)
    assert AlignmentStats(skipped_empty=2, skipped_too_long=3).skipped == 5


def test_disjoint_pairs_keep_pairs_overlapping_on_neither_side_up_to_the_limit():
    from crop_hf.core.phrases import disjoint_pairs

    pairs = [(0, 2, 0, 2), (1, 3, 5, 6), (3, 4, 1, 2), (3, 4, 3, 4), (5, 6, 5, 6)]  # 2nd: source overlap, 3rd: target
    assert disjoint_pairs(pairs, 5, lambda p: p) == [(0, 2, 0, 2), (3, 4, 3, 4), (5, 6, 5, 6)]
    assert disjoint_pairs(pairs, 2, lambda p: p) == [(0, 2, 0, 2), (3, 4, 3, 4)]
    assert disjoint_pairs([[2, 3, 0, 1, "extra"]], 1, lambda p: p[:4]) == [[2, 3, 0, 1, "extra"]]


def test_a_least_count_draws_in_least_to_k_and_leaves_cropss_draw_alone() -> None:
    diagonal = [PhrasePair(i, i + 1, i, i + 1) for i in range(10)]
    counts = [len(sample_phrase_pairs(diagonal, 4, random.Random(seed), least=2)) for seed in range(3000)]
    assert set(counts) == {2, 3, 4} and all(0.28 < counts.count(c) / 3000 < 0.39 for c in (2, 3, 4))
    # least=0 is CROP's draw, the same pairs for the same seed as without it
    assert [sample_phrase_pairs(diagonal, 3, random.Random(s), least=0) for s in range(50)] == [
        sample_phrase_pairs(diagonal, 3, random.Random(s)) for s in range(50)
    ]
    # a sentence with fewer pairs than least gives what it has
    assert len(sample_phrase_pairs(diagonal[:1], 4, random.Random(0), least=2)) == 1
    with pytest.raises(ValueError, match="need 0 <= least <= k"):
        sample_phrase_pairs(diagonal, 2, random.Random(0), least=3)
