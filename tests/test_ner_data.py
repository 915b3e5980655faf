import pytest

torch = pytest.importorskip("torch")

from transformers import AutoModelForTokenClassification, AutoTokenizer  # noqa: E402

from crop_hf.core.tagging import CONLL, XTREME  # noqa: E402
from crop_hf.demo.tiny_models import corpus_texts, make_tiny_xlmr, train_sentencepiece  # noqa: E402
from crop_hf.training.ner_data import (  # noqa: E402
    IGNORE_INDEX,
    NerExample,
    Window,
    align_labels,
    encode_examples,
    merge_windows,
    predict,
    predict_tags,
    read_examples,
    validate_examples,
    windows,
    word_windows,
    write_examples,
)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    spm = train_sentencepiece(corpus_texts(langs=("es", "de"), n_per_lang=40), root / "sp.model", 500)
    path = make_tiny_xlmr(root / "xlmr", spm, CONLL.labels, hidden_size=32, layers=1, heads=2, intermediate_size=64)
    return path, AutoTokenizer.from_pretrained(path), AutoModelForTokenClassification.from_pretrained(path)


def test_align_labels_first_subword_only():
    # <s> w0 w0 w1 w2 w2 w2 </s>
    word_ids = [None, 0, 0, 1, 2, 2, 2, None]
    assert align_labels(word_ids, [1, 0, 3]) == [-100, 1, -100, 0, 3, -100, -100, -100]


def test_encode_examples_labels_each_word_once(tiny):
    _, tok, _ = tiny
    ex = NerExample(["Juan", "Pérezgonzález", "vive", "en", "Madrid"], ["B-PER", "I-PER", "O", "O", "B-LOC"])
    enc = encode_examples([ex], tok, CONLL)
    feature = enc.features[0]
    word_ids = enc.word_ids[0]
    assert len(feature["labels"]) == len(feature["input_ids"]) == len(word_ids)
    firsts = [i for i, w in enumerate(word_ids) if w is not None and (i == 0 or word_ids[i - 1] != w)]
    assert [feature["labels"][i] for i in firsts] == [CONLL.label2id[t] for t in ex.tags]
    assert word_ids.count(1) > 1  # the long surname is split, and only its first piece carries I-PER
    assert sum(label != IGNORE_INDEX for label in feature["labels"]) == 5
    assert feature["labels"][0] == feature["labels"][-1] == IGNORE_INDEX


def test_any_label_scheme(tiny):
    _, tok, _ = tiny
    ex = NerExample(["Ana", "en", "Lima"], ["B-PER", "O", "B-LOC"])
    assert [x for x in encode_examples([ex], tok, XTREME).features[0]["labels"] if x != IGNORE_INDEX] == [1, 0, 3]
    with pytest.raises(ValueError, match="MISC"):
        validate_examples([NerExample(["Euro"], ["B-MISC"])], XTREME)


def test_word_windows_packs_and_isolates_long_words():
    assert word_windows([3, 3, 3], 6) == [(0, 2), (2, 3)]
    assert word_windows([2, 10, 1], 4) == [(0, 1), (1, 2), (2, 3)]  # the long word gets a window of its own
    assert word_windows([], 4) == []


def test_windows_round_trip_on_600_words(tiny):
    _, tok, model = tiny
    words = [f"Wort{i % 37}" if i % 5 else "Berlin" for i in range(600)]
    tags = ["B-LOC" if i % 5 == 0 else "O" for i in range(600)]
    spans = windows(words, tok, max_length=64)
    assert len(spans) > 5
    assert spans[0][0] == 0 and spans[-1][1] == 600
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))  # contiguous, nothing dropped
    enc = encode_examples([NerExample(words, tags)], tok, CONLL, max_length=64)
    assert [(w.start, w.end) for w in enc.windows] == spans
    assert all(len(f["input_ids"]) <= 64 for f in enc.features)
    labelled = [x for f in enc.features for x in f["labels"] if x != IGNORE_INDEX]
    assert labelled == [CONLL.label2id[t] for t in tags]  # every word labelled once, in order
    merged = merge_windows(enc.windows, [words[w.start : w.end] for w in enc.windows], 1)
    assert merged == [words]
    # predictions over windows equal predictions of each window alone
    preds = predict(model, tok, [words], max_length=64)[0]
    assert len(preds.tags) == len(preds.scores) == 600
    alone = predict_tags(model, tok, [words[a:b] for a, b in spans], max_length=512)
    assert preds.tags == [t for part in alone for t in part]
    assert all(0.0 < s <= 1.0 for s in preds.scores)


def test_merge_windows_rejects_out_of_order():
    with pytest.raises(ValueError, match="out of order"):
        merge_windows([Window(0, 2, 3), Window(0, 0, 2)], [["a"], ["b", "c"]], 1)


def test_predict_handles_empty_sentence_and_batches(tiny):
    _, tok, model = tiny
    sentences = [["Ana", "vive", "en", "Lima"], [], ["Berlin"]]
    out = predict_tags(model, tok, sentences, batch_size=1)
    assert [len(t) for t in out] == [4, 0, 1]
    assert out == predict_tags(model, tok, sentences, batch_size=8)
    assert all(t in CONLL.labels for tags in out for t in tags)


@pytest.mark.parametrize(
    "examples, match",
    [
        ([], "train: no examples"),
        ([NerExample(["a", "b"], ["O", "O"]), NerExample(["Juan", "vive"], ["B-PER"], id="s7")], "row 1 .*s7.*1 tags"),
        ([NerExample(["Juan"], ["O"]), NerExample(["Juan"], ["B-PERSON"])], "row 1.*B-PERSON"),
        ([NerExample(["Juan", " "], ["O", "O"])], "row 0.*token 1 is empty"),
        ([NerExample([], [])], "row 0.*no tokens"),
        ([NerExample(["Juan"], None)], "row 0.*no tags"),
    ],
)
def test_bad_input_names_the_row(examples, match):
    with pytest.raises(ValueError, match=match):
        validate_examples(examples, CONLL, "train")


def test_unlabelled_sentences_need_tokens_only():
    validate_examples([NerExample(["Juan", "vive"])], CONLL, "discarded", labelled=False)
    with pytest.raises(ValueError, match="discarded row 0"):
        validate_examples([NerExample([""])], CONLL, "discarded", labelled=False)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_read_write_round_trip(tmp_path, suffix):
    rows = [
        NerExample(["Ana", "en", "Lima"], ["B-PER", "O", "B-LOC"], "es", "a1"),
        NerExample(["Oslo"], None, "no", "b"),
    ]
    path = write_examples(rows, tmp_path / "x.jsonl")
    if suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist([r.to_dict() for r in rows]), tmp_path / "x.parquet")
        path = tmp_path / "x.parquet"
    assert read_examples(path) == rows
    with pytest.raises(ValueError, match="unknown format"):
        read_examples(tmp_path / "x.csv")
