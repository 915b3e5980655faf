from collections import Counter
from itertools import islice

import pytest

from crop_hf.core.tagging import tags_to_spans
from crop_hf.demo.synthetic import SYNTHETIC_LANGUAGES, NoiseConfig, generate_corpus


def test_same_seed_same_corpus_and_other_seed_differs():
    a = [e.tgt_text for e in generate_corpus(n_per_lang=20, seed=3)]
    b = [e.tgt_text for e in generate_corpus(n_per_lang=20, seed=3)]
    c = [e.tgt_text for e in generate_corpus(n_per_lang=20, seed=4)]
    assert a == b
    assert a != c
    assert [e.id for e in generate_corpus(n_per_lang=1)] == [f"train-{lang}-0" for lang in SYNTHETIC_LANGUAGES]


def test_gold_spans_point_at_entity_words():
    for ex in generate_corpus(n_per_lang=50, seed=1, noise=NoiseConfig.none()):
        src, tgt = tags_to_spans(ex.src_tags), tags_to_spans(ex.tgt_tags)
        assert len(ex.src_tags) == len(ex.src_tokens) and len(ex.tgt_tags) == len(ex.tgt_tokens)
        assert len(src) == len(tgt) == len(ex.alignment)
        for i, j in ex.alignment:
            assert src[i].label == tgt[j].label
            en = " ".join(ex.src_tokens[src[i].start : src[i].end])
            tg = "".join(ex.tgt_tokens[tgt[j].start : tgt[j].end])
            if ex.lang in ("es", "nl", "de", "no") and src[i].label == "PER":
                assert en.replace(" ", "") == tg  # Latin-script people keep their names
        if ex.lang == "zh":
            assert ex.tgt_text == "".join(ex.tgt_tokens)
            assert all(len(t) == 1 for t in ex.tgt_tokens)
        else:
            assert ex.tgt_text == " ".join(ex.tgt_tokens)


def test_chinese_comes_in_words_too():
    """zh text is characters for NER and whole words (each entity one) for the parallel corpus; the two agree."""
    seen_multi_char_words = 0
    for ex in generate_corpus(["zh", "es"], 60, seed=2, noise=NoiseConfig(wrong_language=0.2)):
        spans, word_spans = tags_to_spans(ex.tgt_tags), ex.tgt_word_spans()
        assert [s.label for s in spans] == [s.label for s in word_spans]
        for s, w in zip(spans, word_spans):
            assert "".join(ex.tgt_tokens[s.start : s.end]) == "".join(ex.tgt_words[w.start : w.end])
        if ex.lang == "zh" and "wrong_language" not in ex.noise:
            assert "".join(ex.tgt_words) == ex.tgt_text and not any("{" in w or " " in w for w in ex.tgt_words)
            assert all(w.end - w.start == 1 for w in word_spans)  # each entity one word
            seen_multi_char_words += sum(len(w) > 1 for w in ex.tgt_words)
        else:
            assert ex.tgt_words == ex.tgt_tokens
    assert seen_multi_char_words > 100


def test_builtin_parallel_rows_give_chinese_in_words_with_word_offsets():
    from types import SimpleNamespace

    from crop_hf.demo.corpus import builtin_rows

    rows = list(
        builtin_rows(
            "parallel", SimpleNamespace(limit=30, options={}), SimpleNamespace(seed=0, languages=["zh"]), "zh"
        )
    )
    examples = {ex.id: ex for ex in generate_corpus(["zh"], 30, seed=0, split="train")}
    assert len(rows) == 30
    for row in rows:
        ex = examples[row["id"]]
        assert row["tgt_tokens"] == ex.tgt_words and any(len(t) > 1 for t in row["tgt_tokens"])  # words
        chars = tags_to_spans(ex.tgt_tags)
        for (_, _, t0, t1), (_, j) in zip(row["gold_phrases"], ex.alignment):
            assert "".join(row["tgt_tokens"][t0:t1]) == "".join(ex.tgt_tokens[chars[j].start : chars[j].end])


def test_scripts_are_native():
    zh = next(e for e in generate_corpus(["zh"], 5, seed=0) if tags_to_spans(e.tgt_tags))
    ru = next(e for e in generate_corpus(["ru"], 5, seed=0) if tags_to_spans(e.tgt_tags))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.tgt_text)
    assert any("\u0400" <= ch <= "\u04ff" for ch in ru.tgt_text)
    assert all(ch.isascii() for ch in zh.src_text + ru.src_text)  # English side is romanised


def test_noise_dials():
    clean = list(generate_corpus(n_per_lang=100, seed=0, noise=NoiseConfig.none()))
    assert all(not e.noise for e in clean)
    noisy = list(generate_corpus(n_per_lang=300, seed=0, noise=NoiseConfig(drop=0.3, wrong_language=0.2)))
    kinds = Counter(k for e in noisy for k in e.noise)
    assert kinds["inflection"] > 0 and kinds["reorder"] > 0 and kinds["drop"] > 0 and kinds["untranslated"] > 0
    assert 0.15 < kinds["wrong_language"] / len(noisy) < 0.25
    dropped = next(e for e in noisy if "drop" in e.noise and "wrong_language" not in e.noise)
    assert len(tags_to_spans(dropped.tgt_tags)) < len(tags_to_spans(dropped.src_tags))
    genitive = next(e for e in noisy if e.lang == "de" and "inflection" in e.noise)
    name = tags_to_spans(genitive.tgt_tags)[0]
    assert genitive.tgt_tokens[name.end - 1][-1] in "s'"


def test_translated_place_names_differ():
    rows = list(generate_corpus(["de"], 200, seed=0, noise=NoiseConfig(translated=1.0)))
    pairs = set()
    for e in rows:
        for i, j in e.alignment:
            s, t = tags_to_spans(e.src_tags)[i], tags_to_spans(e.tgt_tags)[j]
            if s.label == "LOC":
                pairs.add((" ".join(e.src_tokens[s.start : s.end]), " ".join(e.tgt_tokens[t.start : t.end])))
    assert ("Germany", "Deutschland") in pairs or ("Vienna", "Wien") in pairs or ("Moscow", "Moskau") in pairs


def test_streams_large_corpora_lazily():
    stream = generate_corpus(n_per_lang=1_000_000, seed=0)
    assert len(list(islice(stream, 50))) == 50


def test_unknown_language_is_an_error():
    with pytest.raises(ValueError, match="covers es, nl"):
        next(generate_corpus(["xx"], 1))
